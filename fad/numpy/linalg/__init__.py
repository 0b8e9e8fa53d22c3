"""fad.numpy.linalg: NumPy's linear algebra, differentiable.

The matrix functions are primitives whose VJPs are written with fad's own functions
(``matmul``, ``solve``, transposes, elementwise arithmetic), so they can be differentiated
again and have forward mode. With ``X^T`` the transpose of the last two axes, ``ybar``
the cotangent of the output and every formula applied to each matrix of a stack:

================  ====================================================================
``Y = inv(A)``    ``Abar = -Y^T ybar Y^T``
``y = det(A)``    ``Abar = ybar * cof(A)``, the cofactor matrix from the SVD (finite when singular)
``slogdet``       ``Abar = ybar * inv(A)^T``
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
- Complex matrices follow fad's convention for complex numbers, autograd's and JAX's
  (``docs/complex.md``): the VJP is the transpose of the JVP under ``<a, b> =
  Re(sum(a * b))``, with no conjugate. So the holomorphic functions (``inv``, ``det``,
  ``solve``, products) have the rules above as written, with plain transposes; the
  others (``svd``, ``eigh``, ``cholesky``, ``qr``, ``pinv``, norms, ``slogdet``'s
  ``logabsdet``) take the textbook rule with ``X^H`` for ``X^T`` and conjugate the
  cotangents in and out (``conjugate_convention`` in ``_rules``). For complex matrices,
  "symmetric" above reads "Hermitian"; ``svd`` puts the phase of each pair of singular
  vectors on ``U`` (as JAX), so functions of the vectors must not depend on their phases.
  ``eig``'s eigenvectors are NumPy's: unit norm, largest component real, sign free.
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

from fad.core import untraced
from fad.numpy._base import (
    astype_p,
    dtype_of,
    getitem_p,
    is_complex,
    nondiff,
    reshape_p,
    shape_of,
    sum_p,
    transpose_p,
    where_p,
)
from fad.numpy._base import matrix_transpose_p as mT  # X^T, of every matrix of a stack
from fad.numpy._construction import traced_lists_as_arrays
from fad.numpy._elementwise import absolute, conj, power, real, sqrt, subtract
from fad.numpy._products import matmul  # public here too: NumPy 2 has numpy.linalg.matmul
from fad.numpy._reductions import max_p, min_p
from fad.numpy.linalg._eig import eig_p
from fad.numpy.linalg._rules import (
    cholesky_p,
    col,
    det_p,
    eigh_p,
    eye,
    inv_p,
    is_traced,
    matrix_shape,
    pinv_p,
    qr_p,
    row,
    slogdet_p,
    solve_p,
    square_shape,
    svd_p,
    sym_h,
)

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
# Inverses, determinants and linear systems
# --------------------------------------------------------------------------------------


def inv(a: Any) -> Any:
    """The inverse of a square matrix (of each matrix of a stack).

    >>> inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])

    See Also: solve, pinv
    """
    square_shape("inv", a)
    return inv_p(a)


def det(a: Any) -> Any:
    """The determinant; its gradient is the cofactor matrix ``det(A) inv(A)^T``, finite at singular matrices too.

    >>> float(det(np.array([[2.0, 0.0], [0.0, 3.0]])))
    6.0

    See Also: slogdet
    """
    square_shape("det", a)
    return det_p(a)


def slogdet(a: Any) -> SlogdetResult:
    """Sign and log of the absolute value of the determinant; the sign has no derivative.

    >>> float(slogdet(np.array([[-2.0, 0.0], [0.0, 1.0]]))[0])
    -1.0

    See Also: det
    """
    square_shape("slogdet", a)
    return SlogdetResult(*slogdet_p(a))


def solve(a: Any, b: Any) -> Any:
    """The solution ``x`` of ``a @ x = b``, for ``b`` a vector or a matrix (stacks broadcast).

    ``b`` is a vector when it is 1-d (NumPy 2; under NumPy 1 also when
    ``b.ndim == a.ndim - 1``), as in ``numpy.linalg.solve``.

    >>> solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, 1.0]))
    array([0.5 , 0.25])

    See Also: inv, lstsq
    """
    n, _ = square_shape("solve", a)
    bshape = shape_of(b)
    vector = len(bshape) == 1 or (not _NUMPY2 and len(bshape) == len(shape_of(a)) - 1)
    if not vector:
        return solve_p(a, b)
    x = solve_p(a, reshape_p(b, shape=(*bshape, 1)))
    return reshape_p(x, shape=shape_of(x)[:-1])


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = _NO_VALUE) -> Any:
    """The Moore-Penrose pseudo-inverse; its derivative holds the rank fixed.

    With ``hermitian=True`` only the symmetric part of ``a`` is read, and differentiated.

    >>> pinv(np.array([[2.0], [0.0]]))
    array([[0.5, 0. ]])

    See Also: inv, lstsq
    """
    matrix_shape("pinv", a)
    cutoff = {} if rcond is None else {"rcond": rcond}
    cutoff.update({} if rtol is _NO_VALUE else {"rtol": rtol})
    return pinv_p(sym_h(a) if hermitian else a, hermitian=hermitian, **cutoff)


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
    m, n = matrix_shape("lstsq", a)
    if len(shape_of(a)) != 2 or len(shape_of(b)) not in (1, 2):
        raise ValueError(f"fad.numpy.linalg.lstsq: a must be 2-d and b 1-d or 2-d, got shapes {shape_of(a)} "
                         f"and {shape_of(b)}")
    eps = float(np.finfo(np.result_type(dtype_of(a), dtype_of(b), np.float32)).eps)
    if rcond is None or isinstance(rcond, str):  # NumPy 1's rcond="warn" meant the old default, -1
        rcond = eps * max(m, n) if rcond is None else -1
    x = matmul(pinv(a, rcond=eps if rcond < 0 else rcond), b)
    s = svdvals(a)
    rank = np.sum(untraced(s) > (eps if rcond < 0 else rcond) * np.max(untraced(s), initial=0.0)).astype(np.int32)
    if rank == n and m > n:
        r = subtract(b, matmul(a, x))
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
    size, _ = square_shape("matrix_power", a)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"fad.numpy.linalg.matrix_power: the exponent must be an integer, got {n!r}") from None
    if n == 0:
        return np.broadcast_to(eye(size, a), shape_of(a)).copy()  # constant: no derivative
    if n < 0:
        a, n = inv(a), -n
    result, square = None, a
    while n:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
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

    >>> float(multi_dot([np.ones(2), np.eye(2), np.ones(2)]))
    2.0

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
        return matmul(product(i, split[i, j]), product(split[i, j] + 1, j))

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
    square_shape("cholesky", a)
    return mT(cholesky_p(mT(a))) if upper else cholesky_p(a)


def qr(a: Any, mode: str = "reduced") -> Any:
    """The QR decomposition ``a = Q R``; mode "reduced" (default) or "r", and "complete" when ``m <= n``.

    >>> qr(np.array([[3.0], [4.0]])).R
    array([[-5.]])

    See Also: cholesky, svd
    """
    m, n = matrix_shape("qr", a)
    if mode not in ("reduced", "r") and not (mode == "complete" and m <= n):
        if is_traced(a):
            raise NotImplementedError(
                f"fad.numpy.linalg.qr: mode={mode!r} has no derivative (a complete Q of a tall matrix is not "
                "unique, and 'raw' is LAPACK's storage); use mode='reduced'"
            )
        return np.linalg.qr(a, mode=mode)
    q, r = qr_p(a)
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
    square_shape("eigh", a)
    if UPLO not in ("L", "U"):
        raise ValueError(f"fad.numpy.linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    return EighResult(*eigh_p(a, UPLO=UPLO))


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
    square_shape("eig", a)
    return EigResult(*eig_p(a))


def eigvals(a: Any) -> Any:
    """Eigenvalues of a general square matrix (see :func:`eig` for the conventions).

    >>> np.real(eigvals(np.array([[2.0, 1.0], [0.0, 3.0]])))  # complex in NumPy 2.5 and later
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
    m, n = matrix_shape("svd", a)
    if compute_uv and full_matrices and m != n:
        if is_traced(a):
            raise NotImplementedError(
                "fad.numpy.linalg.svd: the full U and Vh of a non-square matrix are not unique, so they have no "
                "derivative; pass full_matrices=False"
            )
        return SVDResult(*np.linalg.svd(a, full_matrices=True, hermitian=hermitian))
    u, s, vh = svd_p(sym_h(a) if hermitian else a, hermitian=hermitian)
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
    """``sqrt(sum(|x|^2))`` with gradient 0, not NaN, where it is 0."""
    s = sum_p(real(x * conj(x)) if is_complex(x) else x * x, axis=axis, keepdims=keepdims)
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
        y = (max_p if order > 0 else min_p)(absolute(x), axis=axis, keepdims=True)
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
        extremum = max_p if order > 0 else min_p
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
    matrix_shape("matrix_norm", x)
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def cond(x: Any, p: Any = None) -> Any:
    """The condition number: ``s_max / s_min`` for ``p`` None or 2 (``-2``: its inverse), else ``|x|_p |x^-1|_p``.

    >>> float(cond(np.array([[2.0, 0.0], [0.0, 0.5]])))
    4.0

    See Also: norm, svdvals
    """
    matrix_shape("cond", x)
    if p is None or p in (2, -2):
        s = svdvals(x)
        big, small = getitem_p(s, index=(Ellipsis, 0)), getitem_p(s, index=(Ellipsis, -1))
        return big / small if p != -2 else small / big
    square_shape("cond", x)
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


matrix_rank = nondiff(np.linalg.matrix_rank)


# --------------------------------------------------------------------------------------
# NumPy 2's array-API names in numpy.linalg
# --------------------------------------------------------------------------------------


def matrix_transpose(x: Any, /) -> Any:
    """The transpose of the last two axes.

    >>> matrix_transpose(np.ones((1, 2))).shape
    (2, 1)
    """
    matrix_shape("matrix_transpose", x)
    return mT(x)


def outer(x1: Any, x2: Any, /) -> Any:
    """The outer product of two vectors.

    >>> outer(np.array([1.0, 2.0]), np.array([1.0, 10.0]))
    array([[ 1., 10.],
           [ 2., 20.]])
    """
    if len(shape_of(x1)) != 1 or len(shape_of(x2)) != 1:
        raise ValueError(f"fad.numpy.linalg.outer: expected two vectors, got shapes {shape_of(x1)} and {shape_of(x2)}")
    return col(x1) * row(x2)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """The dot products of the vectors along ``axis`` (broadcasting the others).

    >>> vecdot(np.ones((2, 3)), np.arange(3.0))
    array([3., 3.])
    """
    return sum_p(x1 * x2, axis=axis)


def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """The ``offset`` diagonal of each matrix of a stack.

    >>> diagonal(np.arange(4.0).reshape(2, 2))
    array([0., 3.])
    """
    m, n = matrix_shape("diagonal", x)
    i = np.arange(max(0, min(m + min(offset, 0), n - max(offset, 0))))
    return getitem_p(x, index=(Ellipsis, i - min(offset, 0), i + max(offset, 0)))


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """The sum of the ``offset`` diagonal of each matrix of a stack.

    >>> float(trace(np.eye(3)))
    3.0
    """
    y = sum_p(diagonal(x, offset=offset), axis=-1)
    return y if dtype is None else astype_p(y, dtype=np.dtype(dtype))


# Lists and tuples holding traced values enter as traced arrays (multi_dot takes a list of matrices).
for _name in __all__:
    if _name != "multi_dot":
        globals()[_name] = traced_lists_as_arrays(globals()[_name])
del _name


def __getattr__(name: str) -> Any:
    """Other names of ``numpy.linalg`` (``LinAlgError``, ...) are NumPy's own."""
    try:
        return getattr(np.linalg, name)
    except AttributeError:
        raise AttributeError(f"module 'fad.numpy.linalg' has no attribute {name!r}") from None

