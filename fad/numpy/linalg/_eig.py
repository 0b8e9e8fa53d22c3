"""``eig``: complex eigenvalues and eigenvectors, with a VJP computed on pairs of real arrays.

fad's real primitives are exact for real arrays at every order, so eig's VJP does its
complex arithmetic on (real part, imaginary part) pairs, with ``im`` None for zero. The
pairs are taken apart by ``real`` and ``imag`` and put together by ``make_complex``
(:mod:`fad.numpy._elementwise`), whose rules follow fad's complex convention
(docs/complex.md; pairing ``Re(sum(a * b))``, no conjugation).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from fad.core import primitive, untraced
from fad.numpy._base import concatenate_p, dtype_of, getitem_p, shape_of, sum_p
from fad.numpy._base import matrix_transpose_p as mT  # X^T, of every matrix of a stack
from fad.numpy._elementwise import add, imag, make_complex, multiply, negative, real
from fad.numpy._products import matmul
from fad.numpy.linalg._rules import col, diag_embed, is_zero, row, solve_p

__all__ = ["eig_p"]

class _Pair(NamedTuple):
    """A complex array as two real ones; ``im`` is None when it is zero."""

    re: Any
    im: Any = None

    @staticmethod
    def of(z: Any) -> _Pair:
        return _Pair(real(z), imag(z)) if np.iscomplexobj(untraced(z)) else _Pair(z)

    def __add__(self, other: _Pair) -> _Pair:  # type: ignore[override]
        return _Pair(self.re + other.re, _plus(self.im, other.im))

    def __sub__(self, other: _Pair) -> _Pair:
        return _Pair(self.re - other.re, _plus(self.im, None if other.im is None else negative(other.im)))

    def times(self, other: _Pair, op: Any = multiply) -> _Pair:
        """The complex product under ``op`` (``multiply`` or ``matmul``)."""
        re = op(self.re, other.re)
        if self.im is not None and other.im is not None:
            re = re - op(self.im, other.im)
        im = _plus(None if other.im is None else op(self.re, other.im),
                   None if self.im is None else op(self.im, other.re))
        return _Pair(re, im)

    def conj(self) -> _Pair:
        return self if self.im is None else _Pair(self.re, negative(self.im))

    def mT(self) -> _Pair:
        return _Pair(mT(self.re), None if self.im is None else mT(self.im))


def _plus(x: Any, y: Any) -> Any:
    return y if x is None else x if y is None else add(x, y)


def _pair_solve(a: _Pair, b: _Pair) -> _Pair:
    """``A^-1 B`` for complex ``A``, as the real system ``[[Ar, -Ai], [Ai, Ar]] [Xr; Xi] = [Br; Bi]``."""
    if a.im is None:
        return _Pair(solve_p(a.re, b.re), None if b.im is None else solve_p(a.re, b.im))
    n, bim = shape_of(a.re)[-1], np.zeros(shape_of(b.re), dtype_of(b.re)) if b.im is None else b.im
    block = concatenate_p(concatenate_p(a.re, negative(a.im), axis=-1), concatenate_p(a.im, a.re, axis=-1), axis=-2)
    x = solve_p(block, concatenate_p(b.re, bim, axis=-2))
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
    pbar = _Pair(diag_embed(wbar.re), None if wbar.im is None else diag_embed(wbar.im))
    if not is_zero(ybar[1]):  # eigvals uses the values only
        n = shape_of(w.re)[-1]
        g = _Pair(*(None if part is None else sum_p(part, axis=-2) for part in v.conj().times(vbar)))
        vbar = vbar - v.times(_Pair(row(g.re)))
        if g.im is not None:
            p = np.argmax(np.abs(untraced(y[1])), axis=-2)  # which component NumPy made real: a constant
            e = (np.arange(n)[:, None] == p[..., None, :]).astype(dtype_of(g.im))
            vbar = vbar - _Pair(np.zeros((), dtype_of(g.im)), e * row(g.im / sum_p(v.re * e, axis=-2)))
        ws = untraced(y[0])
        apart = (ws[..., None, :] != ws[..., :, None]).astype(dtype_of(w.re))  # F_ij = 0 for w_i == w_j
        d = _Pair(row(w.re) - col(w.re) + (1 - apart), None if w.im is None else row(w.im) - col(w.im))
        size = d.re * d.re if d.im is None else d.re * d.re + d.im * d.im
        conj_f = _Pair(*(None if part is None else part * apart / size for part in d))  # conj(1/d) = d / |d|^2
        pbar = pbar + conj_f.times(vh.times(vbar, matmul))
    abar = _pair_solve(vh, pbar.times(vh, matmul))
    if not np.iscomplexobj(untraced(a)):
        return (abar.re,)
    im = np.zeros_like(untraced(abar.re)) if abar.im is None else negative(abar.im)
    return (make_complex(abar.re, im, dtype=dtype_of(a)),)


eig_p = primitive(lambda a: tuple(np.linalg.eig(a)), _eig_vjp, name="eig", multiple_results=True)
