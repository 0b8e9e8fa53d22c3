"""fad.scipy.linalg: SciPy's solvers, factorizations and matrix functions, differentiable.

What :mod:`fad.numpy.linalg` has (``inv``, ``det``, ``cholesky``, ``eigh``, ``solve``) is
reused; the rest are a few new records, each with its VJP in fad functions (``X^T`` is
the transpose, ``vjp(y, ybar, *xs) -> xbars``)::

    solve_triangular  x = A^-1 b        bbar = A^-T xbar     Abar = -tri(bbar x^T)  (tri: A's triangle)
    solve_sylvester   A X + X B = Q     Qbar solves A^T Qbar + Qbar B^T = Xbar,
                                        Abar = -Qbar X^T     Bbar = -X^T Qbar
    lu_factor         P^T A = L U       Abar = P L^-T (tril_-1(L^T Lbar) + triu(Ubar U^T)) U^-T
    expm, logm, sqrtm F(A)              Abar = F([[A^T, Ybar], [0, A^T]])[:n, n:]

The last line is the block-matrix identity: for an analytic ``F`` the upper-right block of
``F([[A, E], [0, A]])`` is the Frechet derivative ``DF(A)[E]``, and its adjoint is
``DF(A^T)``. The rule calls ``F`` itself, so it differentiates again (each order doubles
the matrix). ``cho_solve``, ``lu_solve``, ``solve_banded``, ``solve_continuous_lyapunov``,
``eigh`` with ``b`` (through the Cholesky factor of ``b``) and ``block_diag`` are compositions.
Real matrices only. Needs SciPy: ``pip install 'fad[scipy]'``.

>>> import fad
>>> import fad.numpy as np
>>> from fad.scipy.linalg import expm
>>> float(fad.grad(lambda t: expm(t * np.eye(2))[0, 0])(0.0))  # d/dt e^t at 0
1.0

See Also: fad.numpy.linalg
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import scipy.linalg as _sl
except ImportError as error:  # SciPy is an optional dependency
    raise ImportError(
        "fad.scipy.linalg needs SciPy, an optional dependency of fad: pip install 'fad[scipy]'"
    ) from error

import fad.numpy as fnp
from fad.core import Traced, primitive, untraced

__all__ = [
    "solve_triangular", "cholesky", "cho_factor", "cho_solve", "lu_factor", "lu_solve", "inv", "det",
    "eigh", "expm", "logm", "sqrtm", "solve_sylvester", "solve_continuous_lyapunov", "solve_banded", "block_diag",
]  # fmt: skip


def _array(x: Any) -> Any:
    if isinstance(x, Traced):
        return x
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _square(who: str, a: Any) -> int:
    shape = fnp.shape(a)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"fad.scipy.linalg.{who}: expected a square matrix, got shape {shape}")
    if np.iscomplexobj(untraced(a)):
        raise TypeError(f"fad.scipy.linalg.{who}: fad differentiates real matrices only, got {fnp.result_type(a)}")
    return shape[0]


def _triangle(x: Any, lower: bool, unit_diagonal: bool = False) -> Any:
    """The triangle of ``x`` that a triangular solve reads (without the diagonal if ``unit_diagonal``)."""
    k = -1 if unit_diagonal else 0
    return fnp.tril(x, k) if lower else fnp.triu(x, -k)


def _outer(u: Any, v: Any) -> Any:
    """``u v^T`` for vectors, ``u @ v^T`` for matrices (the right-hand sides' columns)."""
    return fnp.outer(u, v) if fnp.ndim(u) == 1 else fnp.matmul(u, fnp.transpose(v))


# --------------------------------------------------------------------------------------
# The records
# --------------------------------------------------------------------------------------


def _triangular_solve(a: Any, b: Any, lower: bool = False, unit_diagonal: bool = False) -> np.ndarray:
    return _sl.solve_triangular(a, b, lower=lower, unit_diagonal=unit_diagonal)


def _triangular_b(y: Any, ybar: Any, a: Any, b: Any, lower: bool = False, unit_diagonal: bool = False) -> Any:
    """``bbar = A^-T ybar``: a solve with the transposed triangle."""
    return triangular_solve_p(fnp.transpose(a), ybar, lower=not lower, unit_diagonal=unit_diagonal)


def _triangular_a(y: Any, ybar: Any, a: Any, b: Any, lower: bool = False, unit_diagonal: bool = False) -> Any:
    """``Abar = -tri(bbar y^T)``: only the triangle that the solve reads has a cotangent."""
    bbar = _triangular_b(y, ybar, a, b, lower=lower, unit_diagonal=unit_diagonal)
    return -_triangle(_outer(bbar, y), lower, unit_diagonal)


def _sylvester_q(y: Any, ybar: Any, a: Any, b: Any, q: Any) -> Any:
    """``Qbar`` solves ``A^T Qbar + Qbar B^T = Xbar``."""
    return sylvester_p(fnp.transpose(a), fnp.transpose(b), ybar)


def _block_rule(f: Any) -> Any:
    """``Abar = F([[A^T, Ybar], [0, A^T]])[:n, n:]``, the adjoint Frechet derivative of a matrix function."""

    def rule(y: Any, ybar: Any, a: Any) -> Any:
        n, at = fnp.shape(a)[0], fnp.transpose(a)
        zero = np.zeros((n, n), np.result_type(untraced(a)))
        big = fnp.concatenate([fnp.concatenate([at, ybar], axis=1), fnp.concatenate([zero, at], axis=1)], axis=0)
        return f(big)[:n, n:]

    return rule


def _real(x: np.ndarray, who: str) -> np.ndarray:
    """SciPy's result, which must be real for a real matrix (a matrix function with no real value is refused)."""
    x = np.asarray(x)
    if np.iscomplexobj(x):
        if np.max(np.abs(x.imag), initial=0.0) > 1e-12 * max(np.max(np.abs(x.real), initial=0.0), 1.0):
            raise ValueError(f"fad.scipy.linalg.{who}: the matrix has no real {who} (an eigenvalue on the negative "
                             "real axis); fad differentiates real matrices only")  # fmt: skip
        x = x.real
    return x


def _lu_packed(a: Any) -> np.ndarray:
    return _sl.lu_factor(a)[0]


def _permutation(piv: np.ndarray) -> np.ndarray:
    """The row order ``perm`` of LAPACK's row interchanges ``piv``: ``A[perm] = L U``."""
    perm = np.arange(len(piv))
    for i, p in enumerate(piv):
        perm[[i, p]] = perm[[p, i]]
    return perm


def _lu_factors(lu: Any) -> tuple[Any, Any]:
    """The unit lower ``L`` and upper ``U`` packed in ``lu``."""
    return fnp.tril(lu, -1) + np.eye(fnp.shape(lu)[0]), fnp.triu(lu)


def _lu_vjp(y: Any, ybar: Any, a: Any) -> tuple:
    """``Abar = P L^-T (tril_-1(L^T Lbar) + triu(Ubar U^T)) U^-T``; ``Lbar``, ``Ubar``: the triangles of ``ybar``."""
    low, up = _lu_factors(y)
    m = fnp.tril(fnp.matmul(fnp.transpose(low), fnp.tril(ybar, -1)), -1) + fnp.triu(fnp.matmul(fnp.triu(ybar),
                                                                                               fnp.transpose(up)))
    m_u = fnp.transpose(triangular_solve_p(up, fnp.transpose(m), lower=False))  # M U^-T
    x = triangular_solve_p(fnp.transpose(low), m_u, lower=False, unit_diagonal=True)  # L^-T M U^-T
    perm = _permutation(_sl.lu_factor(untraced(a))[1])
    return (x[np.argsort(perm)],)


# fmt: off
triangular_solve_p = primitive(_triangular_solve, (_triangular_a, _triangular_b), name="solve_triangular")
sylvester_p        = primitive(_sl.solve_sylvester, (
                         lambda y, ybar, a, b, q: -fnp.matmul(_sylvester_q(y, ybar, a, b, q), fnp.transpose(y)),
                         lambda y, ybar, a, b, q: -fnp.matmul(fnp.transpose(y), _sylvester_q(y, ybar, a, b, q)),
                         _sylvester_q), name="solve_sylvester")
expm_p             = primitive(_sl.expm, lambda y, ybar, a: (_block_rule(expm_p)(y, ybar, a),), name="expm")
logm_p             = primitive(lambda a: _real(_sl.logm(a), "logm"),
                               lambda y, ybar, a: (_block_rule(logm_p)(y, ybar, a),), name="logm")
sqrtm_p            = primitive(lambda a: _real(_sl.sqrtm(a), "sqrtm"),
                               lambda y, ybar, a: (_block_rule(sqrtm_p)(y, ybar, a),), name="sqrtm")
lu_p               = primitive(_lu_packed, _lu_vjp, name="lu_factor")
# fmt: on


# --------------------------------------------------------------------------------------
# SciPy's functions
# --------------------------------------------------------------------------------------


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, check_finite: bool = True) -> Any:  # fmt: skip
    """The solution ``x`` of ``a x = b`` (``a^T x = b`` for ``trans`` 1, 'T' or 'C'), reading one triangle of ``a``.

    >>> import fad.numpy as np
    >>> solve_triangular(np.array([[2.0, 0.0], [1.0, 1.0]]), np.array([2.0, 3.0]), lower=True)
    array([1., 2.])

    See Also: cho_solve, lu_solve, fad.numpy.linalg.solve
    """
    a, b = _array(a), _array(b)
    _square("solve_triangular", a)
    if trans in (1, "T", 2, "C"):
        a, lower = fnp.transpose(a), not lower
    elif trans not in (0, "N"):
        raise ValueError(f"fad.scipy.linalg.solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    return triangular_solve_p(a, b, lower=bool(lower), unit_diagonal=bool(unit_diagonal))


def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The Cholesky factor: upper ``U`` with ``a = U^T U`` (SciPy's default), or lower ``L`` with ``a = L L^T``.

    >>> import fad.numpy as np
    >>> cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
    array([[2., 1.],
           [0., 1.]])

    See Also: cho_factor, fad.numpy.linalg.cholesky
    """
    a = _array(a)
    _square("cholesky", a)
    return fnp.linalg.cholesky(a, upper=not lower)


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True) -> tuple:
    """``(c, lower)`` for :func:`cho_solve`; ``c`` is the Cholesky factor (its other triangle zero, unlike SciPy's).

    >>> import fad.numpy as np
    >>> cho_factor(np.array([[4.0, 0.0], [0.0, 9.0]]))[0]
    array([[2., 0.],
           [0., 3.]])

    See Also: cho_solve, cholesky
    """
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower: tuple, b: Any, overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """The solution of ``a x = b`` from ``cho_factor(a)``: two triangular solves.

    >>> import fad.numpy as np
    >>> cho_solve(cho_factor(np.array([[4.0, 0.0], [0.0, 9.0]])), np.array([4.0, 9.0]))
    array([1., 1.])

    See Also: cho_factor, solve_triangular
    """
    c, lower = c_and_lower
    c, b = _array(c), _array(b)
    if lower:  # L L^T x = b
        return solve_triangular(c, solve_triangular(c, b, lower=True), trans=1, lower=True)
    return solve_triangular(c, solve_triangular(c, b, trans=1), lower=False)  # U^T U x = b


def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple:
    """``(lu, piv)``: ``L`` (unit diagonal, below) and ``U`` packed in ``lu``, and LAPACK's row interchanges ``piv``.

    ``lu`` is differentiable; ``piv`` is a constant.

    >>> import fad.numpy as np
    >>> lu_factor(np.array([[1.0, 2.0], [3.0, 4.0]]))[1]
    array([1, 1], dtype=int32)

    See Also: lu_solve
    """
    a = _array(a)
    _square("lu_factor", a)
    return lu_p(a), _sl.lu_factor(untraced(a))[1]


def lu_solve(lu_and_piv: tuple, b: Any, trans: int = 0, overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """The solution of ``a x = b`` (``a^T x = b`` for ``trans`` 1 or 2) from ``lu_factor(a)``.

    >>> import fad.numpy as np
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> lu_solve(lu_factor(a), np.array([5.0, 11.0]))
    array([1., 2.])

    See Also: lu_factor, solve_triangular
    """
    lu, piv = lu_and_piv
    lu, b = _array(lu), _array(b)
    perm = _permutation(np.asarray(piv))
    if trans == 0:  # L U x = b[perm]
        z = solve_triangular(lu, b[perm], lower=True, unit_diagonal=True)
        return solve_triangular(lu, z, lower=False)
    if trans in (1, 2):  # U^T L^T x[perm] = b
        z = solve_triangular(lu, solve_triangular(lu, b, trans=1, lower=False), trans=1, lower=True,
                             unit_diagonal=True)  # fmt: skip
        return z[np.argsort(perm)]
    raise ValueError(f"fad.scipy.linalg.lu_solve: trans must be 0, 1 or 2, got {trans!r}")


def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The inverse of a square matrix (fad.numpy.linalg's record).

    >>> import fad.numpy as np
    >>> inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])

    See Also: fad.numpy.linalg.inv, lu_solve
    """
    return fnp.linalg.inv(_array(a))


def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The determinant (fad.numpy.linalg's record).

    >>> import fad.numpy as np
    >>> float(det(np.array([[2.0, 0.0], [0.0, 3.0]])))
    6.0

    See Also: fad.numpy.linalg.det
    """
    return fnp.linalg.det(_array(a))


def _symmetric(a: Any, lower: bool) -> Any:
    """The symmetric matrix that one triangle of ``a`` stands for."""
    part = fnp.tril(a, -1) if lower else fnp.triu(a, 1)
    return part + fnp.transpose(part) + fnp.diag(fnp.diagonal(a))


def eigh(a: Any, b: Any = None, *, lower: bool = True, eigvals_only: bool = False, type: int = 1,  # noqa: A002
         **options: Any) -> Any:  # fmt: skip
    """Eigenvalues (ascending) and eigenvectors of symmetric ``a``, or of ``a v = w b v`` with ``b`` positive definite.

    With ``b = L L^T`` the problem is the standard one for ``C = L^-1 a L^-T``, and the
    eigenvectors ``L^-T u`` are ``b``-orthonormal, as SciPy's (up to sign). Only the
    ``lower`` (or upper) triangles of ``a`` and ``b`` are read. SciPy's ``subset_by_index``,
    ``subset_by_value``, ``driver`` and ``type`` other than 1 are refused.

    >>> import fad.numpy as np
    >>> eigh(np.array([[2.0, 0.0], [0.0, 1.0]]), eigvals_only=True)
    array([1., 2.])

    See Also: fad.numpy.linalg.eigh
    """
    unsupported = {k: v for k, v in options.items() if k not in ("overwrite_a", "overwrite_b", "check_finite")}
    unsupported = {k: v for k, v in unsupported.items() if v is not None}
    if unsupported or type != 1:
        raise NotImplementedError(f"fad.scipy.linalg.eigh: {sorted(unsupported) or ['type']} not supported; "
                                  "compute all eigenpairs of type 1 and select from them")  # fmt: skip
    a = _array(a)
    _square("eigh", a)
    uplo = "L" if lower else "U"
    if b is None:
        w, v = fnp.linalg.eigh(a, UPLO=uplo)
        return w if eigvals_only else (w, v)
    b = _array(b)
    chol = fnp.linalg.cholesky(_symmetric(b, lower))
    c = solve_triangular(chol, fnp.transpose(solve_triangular(chol, _symmetric(a, lower), lower=True)), lower=True)
    w, u = fnp.linalg.eigh(c, UPLO=uplo)
    return w if eigvals_only else (w, solve_triangular(chol, u, trans=1, lower=True))


def expm(A: Any) -> Any:
    """The matrix exponential ``sum A^k / k!``; its VJP is ``expm([[A^T, Ybar], [0, A^T]])[:n, n:]``.

    >>> import fad.numpy as np
    >>> expm(np.zeros((2, 2)))
    array([[1., 0.],
           [0., 1.]])

    See Also: logm, sqrtm
    """
    A = _array(A)
    _square("expm", A)
    return expm_p(A)


def logm(A: Any, disp: bool = True) -> Any:
    """The principal matrix logarithm (real matrices with no eigenvalue on the closed negative real axis).

    >>> import fad.numpy as np
    >>> logm(np.eye(2))
    array([[0., 0.],
           [0., 0.]])

    See Also: expm, sqrtm
    """
    A = _array(A)
    _square("logm", A)
    return logm_p(A)


def sqrtm(A: Any, disp: bool = True, blocksize: int = 64) -> Any:
    """The principal matrix square root ``X``, ``X @ X = A``; its VJP solves a Sylvester equation (as a block sqrtm).

    >>> import fad.numpy as np
    >>> sqrtm(np.array([[4.0, 0.0], [0.0, 9.0]]))
    array([[2., 0.],
           [0., 3.]])

    See Also: expm, logm, solve_sylvester
    """
    A = _array(A)
    _square("sqrtm", A)
    return sqrtm_p(A)


def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """The solution ``X`` of ``a X + X b = q``, differentiable in all three.

    >>> import fad.numpy as np
    >>> solve_sylvester(np.eye(2), np.eye(2), np.eye(2))
    array([[0.5, 0. ],
           [0. , 0.5]])

    See Also: solve_continuous_lyapunov
    """
    a, b, q = _array(a), _array(b), _array(q)
    _square("solve_sylvester", a)
    _square("solve_sylvester", b)
    return sylvester_p(a, b, q)


def solve_continuous_lyapunov(a: Any, q: Any) -> Any:
    """The solution ``X`` of ``a X + X a^T = q``: ``solve_sylvester(a, a^T, q)``.

    >>> import fad.numpy as np
    >>> solve_continuous_lyapunov(-np.eye(2), -2 * np.eye(2))
    array([[1., 0.],
           [0., 1.]])

    See Also: solve_sylvester
    """
    a = _array(a)
    return solve_sylvester(a, fnp.transpose(a), q)


def solve_banded(l_and_u: tuple, ab: Any, b: Any, overwrite_ab: bool = False, overwrite_b: bool = False,
                 check_finite: bool = True) -> Any:  # fmt: skip
    """The solution of ``a x = b`` for ``a`` banded, given in LAPACK's band storage ``a[i, j] = ab[u + i - j, j]``.

    The band is gathered into the dense matrix and solved with ``fad.numpy.linalg.solve``
    (the same numbers, to rounding), so ``ab`` and ``b`` are differentiable.

    >>> import fad.numpy as np
    >>> solve_banded((1, 1), np.array([[0.0, 1.0], [2.0, 2.0], [1.0, 0.0]]), np.array([3.0, 3.0]))
    array([1., 1.])

    See Also: solve_triangular, fad.numpy.linalg.solve
    """
    lo, up = (int(k) for k in l_and_u)
    ab, b = _array(ab), _array(b)
    rows, n = fnp.shape(ab)
    if rows != lo + up + 1:
        raise ValueError(f"fad.scipy.linalg.solve_banded: ab must have l + u + 1 = {lo + up + 1} rows, got {rows}")
    i, j = np.indices((n, n))
    band = up + i - j
    inside = (band >= 0) & (band < rows)
    dense = fnp.where(inside, ab[np.clip(band, 0, rows - 1), j], 0.0)
    return fnp.linalg.solve(dense, b)


def block_diag(*arrs: Any) -> Any:
    """The block-diagonal matrix of the given arrays (1-d arrays are rows, scalars 1 x 1), differentiable in each.

    >>> import fad.numpy as np
    >>> block_diag(np.array([[1.0]]), np.array([2.0, 3.0]))
    array([[1., 0., 0.],
           [0., 2., 3.]])

    See Also: fad.numpy.block
    """
    if not arrs:
        return np.empty((1, 0))
    blocks = [fnp.atleast_2d(_array(x)) for x in arrs]
    if any(fnp.ndim(x) > 2 for x in blocks):
        raise ValueError("fad.scipy.linalg.block_diag: arguments must have at most 2 dimensions")
    widths = [fnp.shape(x)[1] for x in blocks]
    total = sum(widths)
    rows, before = [], 0
    dtype = np.result_type(*(untraced(x) for x in blocks))
    for x, w in zip(blocks, widths):
        r = fnp.shape(x)[0]
        rows.append(fnp.concatenate([np.zeros((r, before), dtype), x, np.zeros((r, total - before - w), dtype)],
                                    axis=1))  # fmt: skip
        before += w
    return fnp.concatenate(rows, axis=0)
