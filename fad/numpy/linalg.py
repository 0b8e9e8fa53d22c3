"""fad.numpy.linalg: NumPy's linear algebra, differentiable.

The matrix functions are primitives whose VJPs are written with fad's own functions
(``matmul``, ``solve``, transposes, elementwise arithmetic), so they can be differentiated
again and have forward mode. With ``X^T`` the transpose of the last two axes, ``ybar``
the cotangent of the output and every formula applied to each matrix of a stack:

================  ====================================================================
``Y = inv(A)``    ``Abar = -Y^T ybar Y^T``
``y = det(A)``    ``Abar = ybar * y * inv(A)^T`` (``slogdet``: ``ybar * inv(A)^T``)
``X = solve(A,B)``  ``Bbar = solve(A^T, ybar)``, ``Abar = -Bbar X^T``
``L = cholesky``  ``Abar = sym(L^-T Phi(L^T Lbar) L^-1)``, ``Phi`` the lower triangle, half diagonal
``w, V = eigh``   ``Abar = sym(V (diag(wbar) + F * V^T Vbar) V^T)``, ``F_ij = 1/(w_j - w_i)``
``U, s, Vh = svd``  the formula of Townsend (2016), ``F_ij = 1/(s_j^2 - s_i^2)``
``Q, R = qr``     ``Abar = (Qbar + Q copyltu(R Rbar^T - Qbar^T Q)) R^-T`` (for ``m >= n``)
``pinv``          Golub and Pereyra's derivative of the pseudo-inverse (rank held fixed)
``w, V = eig``    ``Abar = V^-H (diag(wbar) + conj(F) * V^H Vbar') V^H``
================  ====================================================================

``sym(X) = (X + X^T) / 2`` and ``F`` is computed from the traced eigen- or singular
values (only its zero diagonal is a constant mask), so second derivatives are right.
The rest (``pinv @ b`` for ``lstsq``, ``matrix_power``, ``multi_dot``, ``norm``,
``cond``, ...) are compositions, differentiable to any order.

Limits, by definition of the functions:

- ``cholesky``, ``eigh``, ``eigvalsh`` (and ``svd``/``pinv`` with ``hermitian=True``)
  read one triangle of a matrix that is assumed symmetric: their gradient is the
  symmetric one, for perturbations of the symmetric part, ``(Abar + Abar^T) / 2``.
- ``eigh``, ``eig`` and ``svd`` need distinct eigen- or singular values (and ``svd``
  nonzero ones when it returns ``U``/``Vh`` of a non-square matrix), and a function of the
  eigenvectors must not depend on their sign (or phase); ``svd`` differentiates only the
  reduced factors, so a traced non-square matrix needs ``full_matrices=False``.
- ``eig`` returns complex values; its cotangents follow fad's convention for complex
  numbers, autograd's and JAX's (``docs/complex.md``): the VJP is the transpose of the JVP
  under ``<a, b> = Re(sum(a * b))``. Its eigenvectors are NumPy's: unit norm, largest
  component real, sign free.
- The other functions take real matrices; a traced complex matrix raises
  ``NotImplementedError``.
- The 2-norm (and the Frobenius norm) has gradient 0 at 0; ``norm(x, 0)`` and
  ``matrix_rank`` count, and have no derivative.

>>> import fad
>>> import numpy
>>> from fad.numpy import linalg
>>> A = numpy.array([[2.0, 1.0], [1.0, 3.0]])
>>> fad.grad(linalg.det)(A)  # det(A) inv(A)^T, the cofactor matrix
array([[ 3., -1.],
       [-1.,  2.]])
>>> fad.grad(lambda A: linalg.norm(A, "nuc"))(numpy.eye(2))
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

import operator
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from fad import numpy as _fnp  # the namespace, for matmul (it imports this module last)
from fad.core import Traced, primitive, untraced
from fad.numpy._rules import (
    absolute,
    add,
    astype_p,
    concatenate_p,
    dtype_of,
    getitem_p,
    multiply,
    negative,
    nondiff,
    power,
    reshape_p,
    shape_of,
    sqrt,
    subtract,
    sum_p,
    transpose_p,
    unbroadcast,
    where_p,
)
from fad.numpy._rules import matmul as _matmul  # the primitive; the public matmul is the namespace's

__all__ = [
    "det", "slogdet", "inv", "pinv", "solve", "lstsq", "matrix_power", "multi_dot",
    "cholesky", "qr", "eigh", "eigvalsh", "eig", "eigvals", "svd", "svdvals",
    "norm", "vector_norm", "matrix_norm", "cond", "matrix_rank",
    "matmul", "matrix_transpose", "outer", "vecdot", "diagonal", "trace",
]  # fmt: skip

METHODS = MappingProxyType({})  # no ndarray method is a linear-algebra function

_NUMPY2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"
_NO_VALUE = object()  # an argument not given (pinv's rtol=None means something)


class SlogdetResult(NamedTuple):
    """What :func:`slogdet` returns (NumPy's field names)."""

    sign: Any
    logabsdet: Any


class EighResult(NamedTuple):
    """What :func:`eigh` returns."""

    eigenvalues: Any
    eigenvectors: Any


class EigResult(NamedTuple):
    """What :func:`eig` returns."""

    eigenvalues: Any
    eigenvectors: Any


class SVDResult(NamedTuple):
    """What :func:`svd` returns."""

    U: Any
    S: Any
    Vh: Any


class QRResult(NamedTuple):
    """What :func:`qr` returns."""

    Q: Any
    R: Any


class LstsqResult(NamedTuple):
    """What :func:`lstsq` returns."""

    x: Any
    residuals: Any
    rank: Any
    s: Any


# --------------------------------------------------------------------------------------
# Helpers: matrices of a stack, constant masks, checks
# --------------------------------------------------------------------------------------


def _mT(x: Any) -> Any:
    """The transpose of the last two axes (of every matrix of a stack)."""
    n = len(shape_of(x))
    return transpose_p(x, axes=(*range(n - 2), n - 1, n - 2))


def _sym(x: Any) -> Any:
    """The symmetric part ``(x + x^T) / 2``."""
    return (x + _mT(x)) * 0.5


def _row(v: Any) -> Any:
    """``v[..., None, :]``: a vector as a row, to scale the columns of a matrix."""
    return reshape_p(v, shape=(*shape_of(v)[:-1], 1, shape_of(v)[-1]))


def _col(v: Any) -> Any:
    """``v[..., :, None]``: a vector as a column, to scale the rows of a matrix."""
    return reshape_p(v, shape=(*shape_of(v), 1))


def _eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=dtype_of(like))


def _diag_embed(v: Any) -> Any:
    """The diagonal matrices with the vectors ``v`` on their diagonals."""
    return _row(v) * _eye(shape_of(v)[-1], v)


def _gap_inverse(w: Any) -> Any:
    """``F_ij = 1 / (w_j - w_i)``, differentiable in ``w``; 0 where ``w_j == w_i`` (the diagonal).

    Taking ``F_ij = 0`` for equal values (as JAX does) keeps the rules finite there: they are
    then right for functions that do not depend on the choice of vectors within a
    repeated eigen- or singular space, such as functions of the values alone.
    """
    ws = untraced(w)
    apart = (ws[..., None, :] != ws[..., :, None]).astype(dtype_of(w))  # a constant mask
    return apart / (_row(w) - _col(w) + (1 - apart))


def _solve_right(x: Any, a: Any) -> Any:
    """``x A^-1``, as ``(A^-T x^T)^T``."""
    return _mT(_solve_p(_mT(a), _mT(x)))


def _square(name: str, a: Any) -> tuple[int, int]:
    """The shape of the matrices of ``a``; ValueError unless they are square (..., n, n)."""
    shape = shape_of(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"fad.numpy.linalg.{name}: expected a square matrix or a stack of them (..., n, n), "
                         f"got shape {shape}")
    return shape[-2:]


def _matrix(name: str, a: Any) -> tuple[int, int]:
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError(f"fad.numpy.linalg.{name}: expected a matrix or a stack of them (..., m, n), "
                         f"got shape {shape}")
    return shape[-2:]


def _real(name: str, *xs: Any) -> None:
    """NotImplementedError for a traced complex input: the rule is written for real matrices."""
    for x in xs:
        if isinstance(x, Traced) and np.iscomplexobj(untraced(x)):
            raise NotImplementedError(
                f"fad.numpy.linalg.{name}: complex matrices have no derivative rule yet (only eig and eigvals "
                "take them); differentiate the real and imaginary parts as a real block matrix "
                "[[re, -im], [im, re]] instead"
            )


def _traced(x: Any) -> bool:
    return isinstance(x, Traced)


def _zero(ybar: Any) -> bool:
    """Whether a cotangent is the constant zero (an unused output of a decomposition)."""
    return not isinstance(ybar, Traced) and not np.any(ybar)


def _extremum(reduce: Any, name: str) -> Any:
    """``reduce`` (``np.max`` or ``np.min``) over ``axis``; ties share the cotangent equally."""

    def vjp(y: Any, ybar: Any, x: Any, axis: Any = None, keepdims: bool = False) -> tuple:
        xs = untraced(x)
        hit = xs == reduce(xs, axis=axis, keepdims=True)
        share = (hit / np.sum(hit, axis=axis, keepdims=True)).astype(dtype_of(ybar))
        kept = np.sum(hit, axis=axis, keepdims=True).shape
        return (multiply(reshape_p(ybar, shape=kept), share),)

    return primitive(lambda x, axis=None, keepdims=False: reduce(x, axis=axis, keepdims=keepdims), vjp, name=name)


# --------------------------------------------------------------------------------------
# Rules too long for one line, each right above its registration
# --------------------------------------------------------------------------------------


def _solve_matrices(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``A^-1 B`` for stacks of matrices ``B``, whose batch axes broadcast with ``A``'s.

    ``B`` is given every batch axis: NumPy 1 would read it as a stack of vectors when
    ``b.ndim == a.ndim - 1``.
    """
    batch = np.broadcast_shapes(np.shape(a)[:-2], np.shape(b)[:-2])
    return np.linalg.solve(a, np.broadcast_to(b, (*batch, *np.shape(b)[-2:])))


def _solve_vjp(y: Any, ybar: Any, a: Any, b: Any) -> tuple:
    """``X = A^-1 B``: ``Bbar = A^-T ybar`` and ``Abar = -Bbar X^T``, summed to each shape."""
    bbar = _solve_p(_mT(a), ybar)
    return unbroadcast(negative(_matmul(bbar, _mT(y))), a), unbroadcast(bbar, b)


def _cholesky_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """``A = L L^T``: ``Abar = sym(L^-T Phi(L^T Lbar) L^-1)``, ``Phi`` = lower triangle, half diagonal."""
    n = shape_of(y)[-1]
    phi = np.tril(np.ones((n, n), dtype=dtype_of(y))) - 0.5 * _eye(n, y)
    p = _matmul(_mT(y), ybar) * phi
    return (_sym(_solve_right(_solve_p(_mT(y), p), y)),)


def _eigh_vjp(y: Any, ybar: Any, a: Any, UPLO: str = "L") -> tuple:
    """``A = V diag(w) V^T``: ``Abar = sym(V (diag(wbar) + F * (V^T Vbar)) V^T)``."""
    (w, v), (wbar, vbar) = y, ybar
    inner = _diag_embed(wbar)
    if not _zero(vbar):  # eigvalsh uses the values only
        inner = inner + _gap_inverse(w) * _matmul(_mT(v), vbar)
    return (_sym(_matmul(v, _matmul(inner, _mT(v)))),)


def _svd_vjp(y: Any, ybar: Any, a: Any, hermitian: bool = False) -> tuple:
    """``A = U diag(s) V^T`` (reduced): Townsend's formula, ``F_ij = 1 / (s_j^2 - s_i^2)``.

    ``Abar = U [(J + J^T) S + diag(sbar) + S (K + K^T)] V^T + (I - U U^T) Ubar S^-1 V^T
    + U S^-1 Vbar^T (I - V V^T)`` with ``J = F * (U^T Ubar)``, ``K = F * (V^T Vbar)``;
    the last two terms vanish for a square matrix. A term of an unused ``U`` or ``Vh`` is
    skipped (so the singular values alone need neither distinct nor nonzero values).
    """
    (u, s, vh), (ubar, sbar, vhbar) = y, ybar
    m, n = shape_of(a)[-2:]
    inner = _diag_embed(sbar)
    f = None if _zero(ubar) and _zero(vhbar) else _gap_inverse(s * s)
    if not _zero(ubar):
        ut_ubar = _matmul(_mT(u), ubar)
        j = f * ut_ubar
        inner = inner + (j + _mT(j)) * _row(s)
    if not _zero(vhbar):
        k = f * _matmul(vh, _mT(vhbar))  # F * (V^T Vbar), with V = Vh^T
        inner = inner + _col(s) * (k + _mT(k))
    abar = _matmul(u, _matmul(inner, vh))
    if m > n and not _zero(ubar):
        abar = abar + _matmul((ubar - _matmul(u, ut_ubar)) / _row(s), vh)
    if n > m and not _zero(vhbar):
        abar = abar + _matmul(u, (vhbar - _matmul(_matmul(vhbar, _mT(vh)), vh)) / _col(s))
    return (abar,)


def _qr_tall_vjp(q: Any, r: Any, qbar: Any, rbar: Any) -> Any:
    """``A = Q R`` with ``m >= n``: ``Abar = (Qbar + Q copyltu(M)) R^-T``, ``M = R Rbar^T - Qbar^T Q``.

    ``copyltu(M)`` is the symmetric matrix with ``M``'s lower triangle.
    """
    n = shape_of(r)[-1]
    m = _matmul(r, _mT(rbar)) - _matmul(_mT(qbar), q)
    lower = np.tril(np.ones((n, n), dtype=dtype_of(r)))
    copyltu = m * lower + _mT(m * (lower - _eye(n, r)))
    return _solve_right(qbar + _matmul(q, copyltu), _mT(r))


def _qr_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """The reduced QR's VJP; a wide ``A = [X | Y]`` is ``X = Q U`` and ``Y = Q V``, ``R = [U | V]``."""
    (q, r), (qbar, rbar) = y, ybar
    m, n = shape_of(a)[-2:]
    if m >= n:
        return (_qr_tall_vjp(q, r, qbar, rbar),)
    left, right = (Ellipsis, slice(None), slice(None, m)), (Ellipsis, slice(None), slice(m, None))
    vbar = getitem_p(rbar, index=right)
    xbar = _qr_tall_vjp(q, getitem_p(r, index=left), qbar + _matmul(getitem_p(a, index=right), _mT(vbar)),
                        getitem_p(rbar, index=left))
    return (concatenate_p(xbar, _matmul(q, vbar), axis=-1),)


def _pinv_vjp(y: Any, ybar: Any, a: Any, **cutoff: Any) -> tuple:
    """``Y = A^+``: ``Abar = -Y^T ybar Y^T + (I - A Y) ybar^T Y Y^T + Y^T Y ybar^T (I - Y A)``."""
    yt, ybar_t = _mT(y), _mT(ybar)
    left = _matmul(ybar_t, _matmul(y, yt))  # ybar^T Y Y^T
    right = _matmul(_matmul(yt, y), ybar_t)  # Y^T Y ybar^T
    return (negative(_matmul(yt, _matmul(ybar, yt))) + (left - _matmul(a, _matmul(y, left)))
            + (right - _matmul(_matmul(right, y), a)),)


# fmt: off
# --------------------------------------------------------------------------------------
# Primitives                                  j(f)(y, ybar, A) = (Abar,)
# --------------------------------------------------------------------------------------
_inv_p      = primitive(np.linalg.inv, lambda y, ybar, a: (negative(_matmul(_mT(y), _matmul(ybar, _mT(y)))),),
                        name="inv")
_det_p      = primitive(np.linalg.det, lambda y, ybar, a: (_col(_col(ybar * y)) * _mT(inv(a)),), name="det")
_slogdet_p  = primitive(lambda a: tuple(np.linalg.slogdet(a)),
                        lambda y, ybar, a: (_col(_col(ybar[1])) * _mT(inv(a)),),
                        name="slogdet", multiple_results=True)
_solve_p    = primitive(_solve_matrices, _solve_vjp, name="solve")
_cholesky_p = primitive(np.linalg.cholesky, _cholesky_vjp, name="cholesky")
_eigh_p     = primitive(lambda a, UPLO="L": tuple(np.linalg.eigh(a, UPLO=UPLO)), _eigh_vjp,
                        name="eigh", multiple_results=True)
_svd_p      = primitive(lambda a, hermitian=False: tuple(np.linalg.svd(a, full_matrices=False, hermitian=hermitian)),
                        _svd_vjp, name="svd", multiple_results=True)
_qr_p       = primitive(lambda a: tuple(np.linalg.qr(a)), _qr_vjp, name="qr", multiple_results=True)
_pinv_p     = primitive(lambda a, **cutoff: np.linalg.pinv(a, **cutoff), _pinv_vjp, name="pinv")
_amax       = _extremum(np.max, "max")
_amin       = _extremum(np.min, "min")
# fmt: on


# --------------------------------------------------------------------------------------
# eig: complex values, computed as pairs of real arrays
# --------------------------------------------------------------------------------------
# fad's real primitives are exact for real arrays at every order, so eig's VJP does its
# complex arithmetic on (real part, imaginary part) pairs, with ``im`` None for zero.
# Three primitives move between complex arrays and pairs, with the rules of fad's complex
# convention (docs/complex.md; pairing Re(sum(a * b)), no conjugation):
# j(real)(y, ybar, z) = ybar, j(imag)(y, ybar, z) = -1j * ybar and
# j(complex)(y, zbar, re, im) = (Re zbar, -Im zbar) for complex(re, im) = re + 1j * im.

# fmt: off
_real_p    = primitive(np.real, lambda y, ybar, z: (_complex_p(ybar, np.zeros_like(untraced(ybar))),), name="real")
_imag_p    = primitive(np.imag, lambda y, ybar, z: (_complex_p(np.zeros_like(untraced(ybar)), negative(ybar)),),
                       name="imag")
_complex_p = primitive(lambda re, im: re + 1j * im, (lambda y, ybar, re, im: _real_p(ybar),
                                                     lambda y, ybar, re, im: negative(_imag_p(ybar))), name="complex")
# fmt: on


class _Pair(NamedTuple):
    """A complex array as two real ones; ``im`` is None when it is zero."""

    re: Any
    im: Any = None

    @staticmethod
    def of(z: Any) -> _Pair:
        return _Pair(_real_p(z), _imag_p(z)) if np.iscomplexobj(untraced(z)) else _Pair(z)

    def __add__(self, other: _Pair) -> _Pair:  # type: ignore[override]
        return _Pair(self.re + other.re, _plus(self.im, other.im))

    def __sub__(self, other: _Pair) -> _Pair:
        return _Pair(self.re - other.re, _plus(self.im, None if other.im is None else negative(other.im)))

    def times(self, other: _Pair, op: Any = multiply) -> _Pair:
        """The complex product under ``op`` (``multiply`` or ``_matmul``)."""
        re = op(self.re, other.re)
        if self.im is not None and other.im is not None:
            re = re - op(self.im, other.im)
        im = _plus(None if other.im is None else op(self.re, other.im),
                   None if self.im is None else op(self.im, other.re))
        return _Pair(re, im)

    def conj(self) -> _Pair:
        return self if self.im is None else _Pair(self.re, negative(self.im))

    def mT(self) -> _Pair:
        return _Pair(_mT(self.re), None if self.im is None else _mT(self.im))


def _plus(x: Any, y: Any) -> Any:
    return y if x is None else x if y is None else add(x, y)


def _pair_solve(a: _Pair, b: _Pair) -> _Pair:
    """``A^-1 B`` for complex ``A``, as the real system ``[[Ar, -Ai], [Ai, Ar]] [Xr; Xi] = [Br; Bi]``."""
    if a.im is None:
        return _Pair(_solve_p(a.re, b.re), None if b.im is None else _solve_p(a.re, b.im))
    n, bim = shape_of(a.re)[-1], np.zeros(shape_of(b.re), dtype_of(b.re)) if b.im is None else b.im
    block = concatenate_p(concatenate_p(a.re, negative(a.im), axis=-1), concatenate_p(a.im, a.re, axis=-1), axis=-2)
    x = _solve_p(block, concatenate_p(b.re, bim, axis=-2))
    return _Pair(getitem_p(x, index=(Ellipsis, slice(None, n), slice(None))),
                 getitem_p(x, index=(Ellipsis, slice(n, None), slice(None))))


def _eig_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """``A V = V diag(w)``: ``Abar = V^-H (diag(wbar) + conj(F) * (V^H Vbar')) V^H``.

    This is the adjoint of the JVP under ``Re(vdot(a, b))``; fad's convention pairs by
    ``Re(sum(a * b))``, whose cotangents are the conjugates, so ``ybar`` is conjugated on
    the way in and ``Abar`` on the way out. ``F_ij = 1 / (w_j - w_i)``. ``Vbar'`` is
    ``Vbar`` with the part that the normalisation of each eigenvector removes taken out:
    NumPy's eigenvectors have unit norm (a change along ``v_k`` itself is undone) and
    their largest component ``v_k[p]`` real (a change of phase is undone), so
    ``Vbar' = Vbar - V diag(Re g) - 1j E diag(Im g / v_k[p])`` with ``g_k = v_k^H vbar_k``
    and ``E`` the columns ``e_p``.
    """
    (w, v), (wbar, vbar) = map(_Pair.of, y), (_Pair.of(part).conj() for part in ybar)
    vh = v.mT().conj()
    pbar = _Pair(_diag_embed(wbar.re), None if wbar.im is None else _diag_embed(wbar.im))
    if not _zero(ybar[1]):  # eigvals uses the values only
        n = shape_of(w.re)[-1]
        g = _Pair(*(None if part is None else sum_p(part, axis=-2) for part in v.conj().times(vbar)))
        vbar = vbar - v.times(_Pair(_row(g.re)))
        if g.im is not None:
            p = np.argmax(np.abs(untraced(y[1])), axis=-2)  # which component NumPy made real: a constant
            e = (np.arange(n)[:, None] == p[..., None, :]).astype(dtype_of(g.im))
            vbar = vbar - _Pair(np.zeros((), dtype_of(g.im)), e * _row(g.im / sum_p(v.re * e, axis=-2)))
        ws = untraced(y[0])
        apart = (ws[..., None, :] != ws[..., :, None]).astype(dtype_of(w.re))  # F_ij = 0 for w_i == w_j
        d = _Pair(_row(w.re) - _col(w.re) + (1 - apart), None if w.im is None else _row(w.im) - _col(w.im))
        size = d.re * d.re if d.im is None else d.re * d.re + d.im * d.im
        conj_f = _Pair(*(None if part is None else part * apart / size for part in d))  # conj(1/d) = d / |d|^2
        pbar = pbar + conj_f.times(vh.times(vbar, _matmul))
    abar = _pair_solve(vh, pbar.times(vh, _matmul))
    if not np.iscomplexobj(untraced(a)):
        return (abar.re,)
    return (_complex_p(abar.re, np.zeros_like(untraced(abar.re)) if abar.im is None else negative(abar.im)),)


_eig_p = primitive(lambda a: tuple(np.linalg.eig(a)), _eig_vjp, name="eig", multiple_results=True)


# --------------------------------------------------------------------------------------
# Inverses, determinants and linear systems
# --------------------------------------------------------------------------------------


def inv(a: Any) -> Any:
    """The inverse of a square matrix (of each matrix of a stack).

    >>> inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])

    See Also: solve, pinv
    """
    _square("inv", a)
    _real("inv", a)
    return _inv_p(a)


def det(a: Any) -> Any:
    """The determinant; its gradient ``det(A) inv(A)^T`` needs an invertible matrix.

    >>> float(det(np.array([[2.0, 0.0], [0.0, 3.0]])))
    6.0

    See Also: slogdet
    """
    _square("det", a)
    _real("det", a)
    return _det_p(a)


def slogdet(a: Any) -> SlogdetResult:
    """Sign and log of the absolute value of the determinant; the sign has no derivative.

    >>> slogdet(np.array([[-2.0, 0.0], [0.0, 1.0]]))[0]
    np.float64(-1.0)

    See Also: det
    """
    _square("slogdet", a)
    _real("slogdet", a)
    return SlogdetResult(*_slogdet_p(a))


def solve(a: Any, b: Any) -> Any:
    """The solution ``x`` of ``a @ x = b``, for ``b`` a vector or a matrix (stacks broadcast).

    ``b`` is a vector when it is 1-d (NumPy 2; under NumPy 1 also when
    ``b.ndim == a.ndim - 1``), as in ``numpy.linalg.solve``.

    >>> solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, 1.0]))
    array([0.5 , 0.25])

    See Also: inv, lstsq
    """
    n, _ = _square("solve", a)
    _real("solve", a, b)
    bshape = shape_of(b)
    vector = len(bshape) == 1 or (not _NUMPY2 and len(bshape) == len(shape_of(a)) - 1)
    if not vector:
        return _solve_p(a, b)
    x = _solve_p(a, reshape_p(b, shape=(*bshape, 1)))
    return reshape_p(x, shape=shape_of(x)[:-1])


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = _NO_VALUE) -> Any:
    """The Moore-Penrose pseudo-inverse; its derivative holds the rank fixed.

    With ``hermitian=True`` only the symmetric part of ``a`` is read, and differentiated.

    >>> pinv(np.array([[2.0], [0.0]]))
    array([[0.5, 0. ]])

    See Also: inv, lstsq
    """
    _matrix("pinv", a)
    _real("pinv", a)
    cutoff = {} if rcond is None else {"rcond": rcond}
    cutoff.update({} if rtol is _NO_VALUE else {"rtol": rtol})
    return _pinv_p(_sym(a) if hermitian else a, hermitian=hermitian, **cutoff)


def lstsq(a: Any, b: Any, rcond: Any = None) -> LstsqResult:
    """Least-squares solution of ``a @ x = b``: ``(x, residuals, rank, s)``, as ``pinv(a) @ b``.

    ``x`` and the residuals (the squared norms of ``b - a @ x``, given when ``a`` has full
    column rank and more rows than columns) are differentiable in ``a`` and ``b``, and
    so are the singular values ``s``; the rank is an integer. ``rcond`` cuts small
    singular values relative to the largest (default: machine precision times
    ``max(m, n)``; a negative value means machine precision).

    >>> lstsq(np.array([[1.0], [1.0]]), np.array([1.0, 3.0]))[0]
    array([2.])

    See Also: pinv, solve
    """
    m, n = _matrix("lstsq", a)
    if len(shape_of(a)) != 2 or len(shape_of(b)) not in (1, 2):
        raise ValueError(f"fad.numpy.linalg.lstsq: a must be 2-d and b 1-d or 2-d, got shapes {shape_of(a)} "
                         f"and {shape_of(b)}")
    _real("lstsq", a, b)
    eps = float(np.finfo(np.result_type(dtype_of(a), dtype_of(b), np.float32)).eps)
    if rcond is None or isinstance(rcond, str):  # NumPy 1's rcond="warn" meant the old default, -1
        rcond = eps * max(m, n) if rcond is None else -1
    x = _matmul(pinv(a, rcond=eps if rcond < 0 else rcond), b)
    s = svdvals(a)
    rank = np.sum(untraced(s) > (eps if rcond < 0 else rcond) * np.max(untraced(s), initial=0.0)).astype(np.int32)
    if rank == n and m > n:
        r = subtract(b, _matmul(a, x))
        residuals = sum_p(r * r, axis=0)
        residuals = reshape_p(residuals, shape=(1,)) if len(shape_of(b)) == 1 else residuals
    else:
        residuals = np.empty((0,), dtype=np.result_type(dtype_of(a), dtype_of(b)))
    return LstsqResult(x, residuals, rank, s)


def matrix_power(a: Any, n: int) -> Any:
    """``a`` to the integer power ``n`` by repeated squaring (``n < 0`` through ``inv(a)``).

    >>> matrix_power(np.array([[1.0, 1.0], [0.0, 1.0]]), 3)
    array([[1., 3.],
           [0., 1.]])

    See Also: multi_dot
    """
    size, _ = _square("matrix_power", a)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"fad.numpy.linalg.matrix_power: the exponent must be an integer, got {n!r}") from None
    if n == 0:
        return np.broadcast_to(_eye(size, a), shape_of(a)).copy()  # constant: no derivative
    if n < 0:
        a, n = inv(a), -n
    result, square = None, a
    while n:
        if n & 1:
            result = square if result is None else _matmul(result, square)
        n >>= 1
        if n:
            square = _matmul(square, square)
    return result


def _chain_order(dims: list[int]) -> dict:
    """The cheapest parenthesisation of a matrix chain: ``split[i, j]`` by dynamic programming."""
    count = len(dims) - 1
    cost, split = {(i, i): 0 for i in range(count)}, {}
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i, j], split[i, j] = min(
                (cost[i, k] + cost[k + 1, j] + dims[i] * dims[k + 1] * dims[j + 1], k) for k in range(i, j)
            )
    return split


def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """The product of two or more matrices, in the cheapest order (the first and last may be vectors).

    >>> multi_dot([np.ones(2), np.eye(2), np.ones(2)])
    np.float64(2.0)

    See Also: matmul, matrix_power
    """
    if out is not None:
        raise TypeError("fad.numpy.linalg.multi_dot: out= cannot be used with fad; use the returned value")
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("fad.numpy.linalg.multi_dot: expecting at least two arrays")
    shapes = [shape_of(x) for x in arrays]
    if any(len(s) != 2 for s in shapes[1:-1]) or any(len(s) not in (1, 2) for s in (shapes[0], shapes[-1])):
        raise ValueError(f"fad.numpy.linalg.multi_dot: expected 2-d arrays (1-d allowed first and last), "
                         f"got shapes {shapes}")
    as_matrices = [(1, *shapes[0])] * (len(shapes[0]) == 1) or [shapes[0]]
    as_matrices += [s if len(s) == 2 else (*s, 1) for s in shapes[1:]]  # a row first, a column last
    dims = [as_matrices[0][0], *(s[1] for s in as_matrices)]
    split = _chain_order(dims)

    def product(i: int, j: int) -> Any:
        if i == j:
            return arrays[i]
        return _matmul(product(i, split[i, j]), product(split[i, j] + 1, j))

    return product(0, len(arrays) - 1)


# --------------------------------------------------------------------------------------
# Decompositions
# --------------------------------------------------------------------------------------


def cholesky(a: Any, /, *, upper: bool = False) -> Any:
    """The Cholesky factor ``L`` of a symmetric positive-definite ``a = L L^T`` (``L^T`` if ``upper``).

    Only one triangle of ``a`` is read: the gradient is for its symmetric part.

    >>> cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
    array([[2., 0.],
           [1., 1.]])

    See Also: eigh, solve
    """
    _square("cholesky", a)
    _real("cholesky", a)
    return _mT(_cholesky_p(_mT(a))) if upper else _cholesky_p(a)


def qr(a: Any, mode: str = "reduced") -> Any:
    """The QR decomposition ``a = Q R``; mode "reduced" (default) or "r", and "complete" when ``m <= n``.

    >>> qr(np.array([[3.0], [4.0]])).R
    array([[-5.]])

    See Also: cholesky, svd
    """
    m, n = _matrix("qr", a)
    _real("qr", a)
    if mode not in ("reduced", "r") and not (mode == "complete" and m <= n):
        if _traced(a):
            raise NotImplementedError(
                f"fad.numpy.linalg.qr: mode={mode!r} has no derivative (a complete Q of a tall matrix is not "
                "unique, and 'raw' is LAPACK's storage); use mode='reduced'"
            )
        return np.linalg.qr(a, mode=mode)
    q, r = _qr_p(a)
    return r if mode == "r" else QRResult(q, r)


def eigh(a: Any, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix.

    Only the ``UPLO`` triangle of ``a`` is read, so the gradient is for the symmetric part
    of ``a``. It needs distinct eigenvalues, and functions of the eigenvectors that do
    not depend on their signs.

    >>> eigh(np.array([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
    array([1., 3.])

    See Also: eigvalsh, eig, svd
    """
    _square("eigh", a)
    _real("eigh", a)
    if UPLO not in ("L", "U"):
        raise ValueError(f"fad.numpy.linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    return EighResult(*_eigh_p(a, UPLO=UPLO))


def eigvalsh(a: Any, UPLO: str = "L") -> Any:
    """Eigenvalues (ascending) of a symmetric matrix; the gradient is for its symmetric part.

    >>> eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))
    array([1., 3.])

    See Also: eigh
    """
    return eigh(a, UPLO).eigenvalues


def eig(a: Any) -> EigResult:
    """Eigenvalues and unit eigenvectors (largest component real) of a general square matrix.

    Complex in general; real dtype when every eigenvalue of a real matrix is real, as in
    NumPy. The derivative needs distinct eigenvalues, and takes eigenvectors as NumPy
    normalises them (unit norm, largest component real); LAPACK leaves their sign free, so a
    function of them must not depend on it (``v * conj(v[..., :1, :])`` does not). Complex
    cotangents follow fad's convention (``docs/complex.md``, autograd's and JAX's); for a
    real ``a`` the gradient of a real function is real.

    >>> eig(np.array([[0.0, -1.0], [1.0, 0.0]])).eigenvalues
    array([0.+1.j, 0.-1.j])

    See Also: eigvals, eigh
    """
    _square("eig", a)
    return EigResult(*_eig_p(a))


def eigvals(a: Any) -> Any:
    """Eigenvalues of a general square matrix (see :func:`eig` for the conventions).

    >>> eigvals(np.array([[2.0, 1.0], [0.0, 3.0]]))
    array([2., 3.])

    See Also: eig, eigvalsh
    """
    return eig(a).eigenvalues


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    """Singular value decomposition ``a = U diag(S) Vh`` (singular values descending).

    The derivative is that of the reduced factors: for a traced non-square matrix pass
    ``full_matrices=False`` (the extra columns of a full ``U`` or ``Vh`` are not unique).
    The factors need distinct nonzero singular values, and functions of them that do not
    depend on the signs of the singular vectors. With ``hermitian=True`` only the
    symmetric part of ``a`` is read, and differentiated.

    >>> svd(np.array([[3.0, 0.0], [0.0, -4.0]]), compute_uv=False)
    array([4., 3.])

    See Also: svdvals, eigh, pinv, norm
    """
    m, n = _matrix("svd", a)
    _real("svd", a)
    if compute_uv and full_matrices and m != n:
        if _traced(a):
            raise NotImplementedError(
                "fad.numpy.linalg.svd: the full U and Vh of a non-square matrix are not unique, so they have no "
                "derivative; pass full_matrices=False"
            )
        return SVDResult(*np.linalg.svd(a, full_matrices=True, hermitian=hermitian))
    u, s, vh = _svd_p(_sym(a) if hermitian else a, hermitian=hermitian)
    return SVDResult(u, s, vh) if compute_uv else s


def svdvals(x: Any, /) -> Any:
    """The singular values, descending.

    >>> svdvals(np.array([[0.0, 2.0], [1.0, 0.0]]))
    array([2., 1.])

    See Also: svd, norm
    """
    return svd(x, compute_uv=False)


# --------------------------------------------------------------------------------------
# Norms
# --------------------------------------------------------------------------------------


def _two_norm(x: Any, axis: Any, keepdims: bool) -> Any:
    """``sqrt(sum(x * x))`` with gradient 0, not NaN, where it is 0."""
    s = sum_p(x * x, axis=axis, keepdims=keepdims)
    zero = np.asarray(untraced(s) == 0)
    nothing, one = np.zeros((), dtype_of(s)), np.ones((), dtype_of(s))  # typed: NumPy 1 promotes 0-d + 1
    return where_p(zero, nothing, sqrt(where_p(zero, one, s)))


def _vector_norm(x: Any, order: Any, axis: int, keepdims: bool) -> Any:
    """The ``order``-norm of the vectors along ``axis``."""
    if order is None or order == 2:
        return _two_norm(x, axis, keepdims)
    if isinstance(order, str):
        raise ValueError(f"fad.numpy.linalg.norm: invalid norm order {order!r} for vectors")
    if order == 0:  # the number of nonzero elements: no derivative
        xs = untraced(x)
        return np.sum(xs != 0, axis=axis, keepdims=keepdims).astype(np.result_type(xs.real, np.float32))
    if order in (np.inf, -np.inf):
        y = (_amax if order > 0 else _amin)(absolute(x), axis=axis, keepdims=True)
    elif order == 1:
        y = sum_p(absolute(x), axis=axis, keepdims=True)
    else:  # kept dimensions: on NumPy 1 a 0-d float32 to a Python float's power is float64
        y = power(sum_p(power(absolute(x), float(order)), axis=axis, keepdims=True), 1.0 / float(order))
    shape = shape_of(y)
    return y if keepdims else reshape_p(y, shape=shape[:axis % len(shape)] + shape[axis % len(shape) + 1:])


def _matrix_norm(x: Any, order: Any, axes: tuple[int, int], keepdims: bool) -> Any:
    """The ``order``-norm of the matrices in the two axes ``axes``."""
    row, col = axes
    if order is None or order == "fro":
        return _two_norm(x, axes, keepdims)
    if order in ("nuc", 2, -2):
        rest = [i for i in range(len(shape_of(x))) if i not in axes]
        s = svdvals(transpose_p(x, axes=(*rest, row, col)))
        y = sum_p(s, axis=-1) if order == "nuc" else getitem_p(s, index=(Ellipsis, 0 if order == 2 else -1))
    elif order in (1, -1, np.inf, -np.inf):
        summed, other = (row, col) if order in (1, -1) else (col, row)
        extremum = _amax if order > 0 else _amin
        y = extremum(sum_p(absolute(x), axis=summed), axis=other - (other > summed))
    else:
        raise ValueError(f"fad.numpy.linalg.norm: invalid norm order {order!r} for matrices")
    if keepdims:
        y = reshape_p(y, shape=tuple(1 if i in axes else k for i, k in enumerate(shape_of(x))))
    return y


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """Vector or matrix norm, as ``numpy.linalg.norm``.

    ``ord`` for vectors: any number (``inf``, ``-inf``, 0 counts nonzeros); for matrices:
    None or "fro", "nuc", 1, -1, 2, -2, inf, -inf. The 2-norm and the Frobenius norm have
    gradient 0 at 0; the max and min norms share the gradient between ties.

    >>> float(norm(np.array([3.0, 4.0])))
    5.0

    See Also: vector_norm, matrix_norm, cond
    """
    _real("norm", x)
    ndim = len(shape_of(x))
    if axis is None:
        if ord is None:
            y = _two_norm(reshape_p(x, shape=(-1,)), 0, False)
            return reshape_p(y, shape=(1,) * ndim) if keepdims else y
        if ndim not in (1, 2):
            raise ValueError(f"fad.numpy.linalg.norm: with ord={ord!r} and axis=None, x must be 1-d or 2-d, "
                             f"got {ndim}-d")
        axis = tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    try:
        axes = tuple(operator.index(i) % max(ndim, 1) for i in axes)
    except TypeError:
        raise TypeError(f"fad.numpy.linalg.norm: axis must be None, an integer or a tuple of them, "
                        f"got {axis!r}") from None
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2 and axes[0] != axes[1]:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"fad.numpy.linalg.norm: axis must name one axis (vector norm) or two different axes "
                     f"(matrix norm), got {axis!r}")


def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:  # noqa: A002
    """The vector norm over ``axis`` (None: all elements; a tuple: those axes together).

    >>> float(vector_norm(np.ones((2, 2)), ord=1))
    4.0

    See Also: norm, matrix_norm
    """
    _real("vector_norm", x)
    shape = shape_of(x)
    axes = range(len(shape)) if axis is None else (axis,) if isinstance(axis, (int, np.integer)) else axis
    axes = tuple(sorted(operator.index(i) % max(len(shape), 1) for i in axes))
    rest = [i for i in range(len(shape)) if i not in axes]
    flat = transpose_p(x, axes=(*rest, *axes))
    flat = reshape_p(flat, shape=(*(shape[i] for i in rest), int(np.prod([shape[i] for i in axes]))))
    y = _vector_norm(flat, ord, -1, False)
    return reshape_p(y, shape=tuple(1 if i in axes else k for i, k in enumerate(shape))) if keepdims else y


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:  # noqa: A002
    """The matrix norm of each matrix of a stack (see :func:`norm` for ``ord``).

    >>> float(matrix_norm(np.eye(2), ord="nuc"))
    2.0

    See Also: norm, vector_norm
    """
    _matrix("matrix_norm", x)
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def cond(x: Any, p: Any = None) -> Any:
    """The condition number: ``s_max / s_min`` for ``p`` None or 2 (``-2``: its inverse), else ``|x|_p |x^-1|_p``.

    >>> float(cond(np.array([[2.0, 0.0], [0.0, 0.5]])))
    4.0

    See Also: norm, svdvals
    """
    _matrix("cond", x)
    if p is None or p in (2, -2):
        s = svdvals(x)
        big, small = getitem_p(s, index=(Ellipsis, 0)), getitem_p(s, index=(Ellipsis, -1))
        return big / small if p != -2 else small / big
    _square("cond", x)
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


matrix_rank = nondiff(np.linalg.matrix_rank)


# --------------------------------------------------------------------------------------
# NumPy 2's array-API names in numpy.linalg
# --------------------------------------------------------------------------------------


def matmul(x1: Any, x2: Any, /) -> Any:
    """The matrix product: ``fad.numpy.matmul`` (NumPy 2 has it in ``numpy.linalg`` too).

    >>> matmul(np.ones((2, 3)), np.ones(3))
    array([3., 3.])
    """
    return _fnp.matmul(x1, x2)


def matrix_transpose(x: Any, /) -> Any:
    """The transpose of the last two axes.

    >>> matrix_transpose(np.ones((1, 2))).shape
    (2, 1)
    """
    _matrix("matrix_transpose", x)
    return _mT(x)


def outer(x1: Any, x2: Any, /) -> Any:
    """The outer product of two vectors.

    >>> outer(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
    array([[ 1., 10.],
           [ 2., 20.]])
    """
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError(f"fad.numpy.linalg.outer: expected two vectors, got shapes {shape_of(x1)} and {shape_of(x2)}")
    return _col(x1) * _row(x2)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """The dot products of the vectors along ``axis`` (broadcasting the others).

    >>> vecdot(np.ones((2, 3)), np.arange(3.0))
    array([3., 3.])
    """
    _real("vecdot", x1, x2)
    return sum_p(x1 * x2, axis=axis)


def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """The ``offset`` diagonal of each matrix of a stack.

    >>> diagonal(np.arange(4.0).reshape(2, 2))
    array([0., 3.])
    """
    m, n = _matrix("diagonal", x)
    i = np.arange(max(0, min(m + min(offset, 0), n - max(offset, 0))))
    return getitem_p(x, index=(Ellipsis, i - min(offset, 0), i + max(offset, 0)))


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """The sum of the ``offset`` diagonal of each matrix of a stack.

    >>> float(trace(np.eye(3)))
    3.0
    """
    y = sum_p(diagonal(x, offset=offset), axis=-1)
    return y if dtype is None else astype_p(y, dtype=np.dtype(dtype))


def __getattr__(name: str) -> Any:
    """Other names of ``numpy.linalg`` (``LinAlgError``, ...) are NumPy's own."""
    try:
        return getattr(np.linalg, name)
    except AttributeError:
        raise AttributeError(f"module 'fad.numpy.linalg' has no attribute {name!r}") from None
