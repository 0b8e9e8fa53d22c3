"""The primitives of fad.numpy.linalg, and the helpers their rules share.

The rules are tabulated in the docstring of :mod:`fad.numpy.linalg`; each is written with
fad's own functions (``matmul``, ``solve_p``, transposes, elementwise arithmetic), so it
can be differentiated again. ``X^T`` is the transpose of the last two axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fad.core import Traced, primitive, untraced
from fad.numpy._base import (
    concatenate_p,
    dtype_of,
    getitem_p,
    is_complex,
    reshape_p,
    shape_of,
    sum_p,
    unbroadcast,
)
from fad.numpy._base import matrix_transpose_p as mT  # X^T, of every matrix of a stack
from fad.numpy._elementwise import conj, imag, negative, real
from fad.numpy._products import matmul
from fad.numpy._reductions import prod_p

__all__ = [
    "inv_p", "det_p", "cofactor_p", "slogdet_p", "solve_p", "cholesky_p", "eigh_p", "svd_p", "qr_p", "pinv_p",
    "sym", "sym_h", "m_h", "row", "col", "eye", "diag_embed", "gap_inverse", "solve_right",
    "square_shape", "matrix_shape", "real_only", "is_traced", "is_zero",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Helpers: matrices of a stack, constant masks, checks
# --------------------------------------------------------------------------------------


def sym(x: Any) -> Any:
    """The symmetric part ``(x + x^T) / 2``."""
    return (x + mT(x)) * 0.5


def m_h(x: Any) -> Any:
    """``X^H``, the conjugate transpose of the last two axes (``X^T`` for a real ``X``)."""
    return conj(mT(x)) if is_complex(x) else mT(x)


def sym_h(x: Any) -> Any:
    """The Hermitian part ``(x + x^H) / 2`` (the symmetric part of a real ``x``)."""
    return (x + m_h(x)) * 0.5


def conjugate_convention(rule: Any) -> Any:
    """fad's VJP from a rule written in the conjugate convention: ``conj(rule(y, conj(ybar), a))``.

    The textbook rules of the non-holomorphic decompositions (``svd``, ``eigh``,
    ``cholesky``, ``qr``, ``pinv``) pair values by ``Re(sum(conj(a) * b))`` and read like the
    real rules with ``X^H`` for ``X^T``. fad pairs without the conjugate (``docs/complex.md``),
    so its cotangents are the conjugates: conjugate ``ybar`` on the way in and ``Abar`` on
    the way out. A real ``A`` (read off ``y``: some rules never read ``A``) skips both.
    """

    def vjp(y: Any, ybar: Any, a: Any, **params: Any) -> tuple:
        if not any(map(is_complex, y if isinstance(y, tuple) else (y,))):
            return rule(y, ybar, a, **params)
        ybar = tuple(map(conj, ybar)) if isinstance(ybar, tuple) else conj(ybar)
        return tuple(conj(abar) for abar in rule(y, ybar, a, **params))

    vjp.__doc__ = rule.__doc__
    return vjp


def row(v: Any) -> Any:
    """``v[..., None, :]``: a vector as a row, to scale the columns of a matrix."""
    return reshape_p(v, shape=(*shape_of(v)[:-1], 1, shape_of(v)[-1]))


def col(v: Any) -> Any:
    """``v[..., :, None]``: a vector as a column, to scale the rows of a matrix."""
    return reshape_p(v, shape=(*shape_of(v), 1))


def eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=dtype_of(like))


def diag_embed(v: Any) -> Any:
    """The diagonal matrices with the vectors ``v`` on their diagonals."""
    return row(v) * eye(shape_of(v)[-1], v)


def gap_inverse(w: Any) -> Any:
    """``F_ij = 1 / (w_j - w_i)``, differentiable in ``w``; 0 where ``w_j == w_i`` (the diagonal).

    Taking ``F_ij = 0`` for equal values (as JAX does) keeps the rules finite there: they are
    then right for functions that do not depend on the choice of vectors within a
    repeated eigen- or singular space, such as functions of the values alone.
    """
    ws = untraced(w)
    apart = (ws[..., None, :] != ws[..., :, None]).astype(dtype_of(w))  # a constant mask
    return apart / (row(w) - col(w) + (1 - apart))


def solve_right(x: Any, a: Any) -> Any:
    """``x A^-1``, as ``(A^-T x^T)^T``."""
    return mT(solve_p(mT(a), mT(x)))


def square_shape(name: str, a: Any) -> tuple[int, int]:
    """The shape of the matrices of ``a``; ValueError unless they are square (..., n, n)."""
    shape = shape_of(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"fad.numpy.linalg.{name}: expected a square matrix or a stack of them (..., n, n), "
                        f"got shape {shape}")
    return shape[-2:]


def matrix_shape(name: str, a: Any) -> tuple[int, int]:
    shape = shape_of(a)
    if len(shape) < 2:
        raise ValueError(f"fad.numpy.linalg.{name}: expected a matrix or a stack of them (..., m, n), "
                        f"got shape {shape}")
    return shape[-2:]


def real_only(name: str, *xs: Any) -> None:
    """NotImplementedError for a traced complex input: the rule is written for real matrices."""
    for x in xs:
        if isinstance(x, Traced) and np.iscomplexobj(untraced(x)):
            raise NotImplementedError(
                f"fad.numpy.linalg.{name}: complex matrices have no derivative rule yet (only eig and eigvals "
                "take them); differentiate the real and imaginary parts as a real block matrix "
                "[[re, -im], [im, re]] instead"
            )


def is_traced(x: Any) -> bool:
    return isinstance(x, Traced)


def is_zero(ybar: Any) -> bool:
    """Whether a cotangent is the constant zero (an unused output of a decomposition)."""
    return not isinstance(ybar, Traced) and not np.any(ybar)


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
    bbar = solve_p(mT(a), ybar)
    return unbroadcast(negative(matmul(bbar, mT(y))), a), unbroadcast(bbar, b)


def _cholesky_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """``A = L L^T``: ``Abar = sym(L^-T Phi(L^T Lbar) L^-1)``, ``Phi`` = lower triangle, half diagonal."""
    n = shape_of(y)[-1]
    phi = np.tril(np.ones((n, n), dtype=dtype_of(y))) - 0.5 * eye(n, y)
    p = matmul(m_h(y), ybar) * phi
    return (sym_h(solve_right(solve_p(m_h(y), p), y)),)


def _eigh_vjp(y: Any, ybar: Any, a: Any, UPLO: str = "L") -> tuple:
    """``A = V diag(w) V^T``: ``Abar = sym(V (diag(wbar) + F * (V^T Vbar)) V^T)``."""
    (w, v), (wbar, vbar) = y, ybar
    inner = diag_embed(wbar)
    if not is_zero(vbar):  # eigvalsh uses the values only
        inner = inner + gap_inverse(w) * matmul(m_h(v), vbar)
    return (sym_h(matmul(v, matmul(inner, m_h(v)))),)


def _svd_vjp(y: Any, ybar: Any, a: Any, hermitian: bool = False) -> tuple:
    """``A = U diag(s) V^T`` (reduced): Townsend's formula, ``F_ij = 1 / (s_j^2 - s_i^2)``.

    ``Abar = U [(J + J^T) S + diag(sbar) + S (K + K^T)] V^T + (I - U U^T) Ubar S^-1 V^T
    + U S^-1 Vbar^T (I - V V^T)`` with ``J = F * (U^T Ubar)``, ``K = F * (V^T Vbar)``;
    the last two terms vanish for a square matrix. A term of an unused ``U`` or ``Vh`` is
    skipped (so the singular values alone need neither distinct nor nonzero values).
    """
    (u, s, vh), (ubar, sbar, vhbar) = y, ybar
    m, n = shape_of(a)[-2:]
    inner = diag_embed(sbar)
    f = None if is_zero(ubar) and is_zero(vhbar) else gap_inverse(s * s)
    if not is_zero(ubar):
        ut_ubar = matmul(m_h(u), ubar)
        j = f * ut_ubar
        inner = inner + (j + m_h(j)) * row(s)
        if is_complex(u):  # the phase of each pair of singular vectors, put on U (as JAX): i Im(diag(U^H Ubar)) / s
            phase = imag(sum_p(ut_ubar * eye(shape_of(s)[-1], ut_ubar), axis=-1)) / s
            inner = inner + diag_embed(phase) * np.asarray(1j, dtype_of(u))
    if not is_zero(vhbar):
        k = f * matmul(vh, m_h(vhbar))  # F * (V^H Vbar), with V = Vh^H
        inner = inner + col(s) * (k + m_h(k))
    abar = matmul(u, matmul(inner, vh))
    if m > n and not is_zero(ubar):
        abar = abar + matmul((ubar - matmul(u, ut_ubar)) / row(s), vh)
    if n > m and not is_zero(vhbar):
        abar = abar + matmul(u, (vhbar - matmul(matmul(vhbar, m_h(vh)), vh)) / col(s))
    return (abar,)


def _qr_tall_vjp(q: Any, r: Any, qbar: Any, rbar: Any) -> Any:
    """``A = Q R`` with ``m >= n``: ``Abar = (Qbar + Q copyltu(M)) R^-T``, ``M = R Rbar^T - Qbar^T Q``.

    ``copyltu(M)`` is the symmetric matrix with ``M``'s lower triangle.
    """
    n = shape_of(r)[-1]
    m = matmul(r, m_h(rbar)) - matmul(m_h(qbar), q)
    lower = np.tril(np.ones((n, n), dtype=dtype_of(r)))
    strict = m * (lower - eye(n, r))
    copyltu = strict + m_h(strict) + eye(n, r) * (real(m) if is_complex(m) else m)  # R's diagonal is real
    return solve_right(qbar + matmul(q, copyltu), m_h(r))


def _qr_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """The reduced QR's VJP; a wide ``A = [X | Y]`` is ``X = Q U`` and ``Y = Q V``, ``R = [U | V]``."""
    (q, r), (qbar, rbar) = y, ybar
    m, n = shape_of(a)[-2:]
    if m >= n:
        return (_qr_tall_vjp(q, r, qbar, rbar),)
    left, right = (Ellipsis, slice(None), slice(None, m)), (Ellipsis, slice(None), slice(m, None))
    vbar = getitem_p(rbar, index=right)
    xbar = _qr_tall_vjp(q, getitem_p(r, index=left), qbar + matmul(getitem_p(a, index=right), m_h(vbar)),
                       getitem_p(rbar, index=left))
    return (concatenate_p(xbar, matmul(q, vbar), axis=-1),)


def _pinv_vjp(y: Any, ybar: Any, a: Any, **cutoff: Any) -> tuple:
    """``Y = A^+``: ``Abar = -Y^T ybar Y^T + (I - A Y) ybar^T Y Y^T + Y^T Y ybar^T (I - Y A)``."""
    yt, ybar_t = m_h(y), m_h(ybar)
    left = matmul(ybar_t, matmul(y, yt))  # ybar^T Y Y^T
    right = matmul(matmul(yt, y), ybar_t)  # Y^T Y ybar^T
    return (negative(matmul(yt, matmul(ybar, yt))) + (left - matmul(a, matmul(y, left)))
            + (right - matmul(matmul(right, y), a)),)


def _svd_frame(a: Any) -> tuple:
    """``U``, ``s``, ``Vh`` of a plain stack of matrices, and ``det(U) det(Vh)`` (a constant sign)."""
    u, s, vh = np.linalg.svd(np.asarray(a), full_matrices=False)
    return u, s, vh, np.linalg.det(u) * np.linalg.det(vh)


def _others(s: Any) -> Any:
    """``P_ik = prod_{j not in {i, k}} s_j`` (and ``prod_{j != i} s_j`` on the diagonal): finite always."""
    n = shape_of(s)[-1]
    i, k, j = np.ogrid[:n, :n, :n]
    left_out = ((j == i) | (j == k)).astype(dtype_of(s))  # a constant mask, (n, n, n)
    return prod_p(reshape_p(s, shape=(*shape_of(s)[:-1], 1, 1, n)) * (1 - left_out) + left_out, axis=-1)


def _cofactor(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix ``det(A) A^-T``, from the SVD: ``det(U) det(Vh) U diag(prod_{j != i} s_j) Vh``.

    (For complex ``A``, ``conj(U)`` and ``conj(Vh)``: the cofactor matrix of a unitary ``Q`` is ``det(Q) conj(Q)``.)

    Finite at singular matrices too, where ``det(A) A^-T`` is ``0 * inf``.
    """
    if np.shape(a)[-1] == 0:
        return np.zeros(np.shape(a), np.result_type(a))
    u, s, vh, sign = _svd_frame(a)
    others = np.diagonal(_others(s), axis1=-2, axis2=-1)
    return (sign[..., None, None] * (u.conj() * others[..., None, :]) @ vh.conj()).astype(np.result_type(a), copy=False)


def _cofactor_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """In the frame of ``A = U S Vh``: ``E = diag(P diag(Cbar')) - P * Cbar'^T``, ``Abar = sign U E Vh``.

    ``Cbar' = U^H ybar Vh^H``, ``P = _others(s)`` off the diagonal (``conj(U) E conj(Vh)`` for
    complex ``A``). The cofactor map is a polynomial, and this is its exact derivative at
    every matrix, singular or not. ``U``, ``s``, ``Vh`` come from the traced ``svd_p`` so the
    rule differentiates again (where the singular values are distinct).
    """
    n = shape_of(a)[-1]
    if n <= 1:  # the cofactor of a 1 x 1 matrix is 1, of a 0 x 0 none: constants
        return (ybar * 0 if n else ybar,)
    u, s, vh = svd_p(a) if isinstance(a, Traced) else _svd_frame(a)[:3]
    sign = _svd_frame(untraced(a))[3]
    p = _others(s) * (1 - eye(n, s))
    inner = matmul(m_h(u), matmul(ybar, m_h(vh)))
    diagonal = sum_p(inner * eye(n, inner), axis=-1)  # diag(Cbar')
    e = diag_embed(sum_p(p * row(diagonal), axis=-1)) - p * mT(inner)
    if is_complex(u):  # conj(U) E conj(Vh): the cofactor map is holomorphic, its VJP the plain transpose
        u, vh = conj(u), conj(vh)
    return (col(col(sign)) * matmul(u, matmul(e, vh)),)


# fmt: off
# --------------------------------------------------------------------------------------
# Primitives                                  j(f)(y, ybar, A) = (Abar,)
# --------------------------------------------------------------------------------------
inv_p      = primitive(np.linalg.inv, lambda y, ybar, a: (negative(matmul(mT(y), matmul(ybar, mT(y)))),),
                       name="inv", unread=(1,))
det_p      = primitive(np.linalg.det, lambda y, ybar, a: (col(col(ybar)) * cofactor_p(a),), name="det")
cofactor_p = primitive(_cofactor, _cofactor_vjp, name="cofactor")
slogdet_p  = primitive(lambda a: tuple(np.linalg.slogdet(a)),
                       lambda y, ybar, a: (col(col(ybar[1])) * mT(inv_p(a)),),
                       name="slogdet", multiple_results=True)
solve_p    = primitive(_solve_matrices, _solve_vjp, name="solve")
cholesky_p = primitive(np.linalg.cholesky, conjugate_convention(_cholesky_vjp), name="cholesky",
                       unread=(1,))
eigh_p     = primitive(lambda a, UPLO="L": tuple(np.linalg.eigh(a, UPLO=UPLO)), conjugate_convention(_eigh_vjp),
                       name="eigh", multiple_results=True, unread=(1,))
svd_p      = primitive(lambda a, hermitian=False: tuple(np.linalg.svd(a, full_matrices=False, hermitian=hermitian)),
                       conjugate_convention(_svd_vjp), name="svd", multiple_results=True)
qr_p       = primitive(lambda a: tuple(np.linalg.qr(a)), conjugate_convention(_qr_vjp), name="qr",
                       multiple_results=True)
pinv_p     = primitive(lambda a, **cutoff: np.linalg.pinv(a, **cutoff), conjugate_convention(_pinv_vjp), name="pinv")
# fmt: on
