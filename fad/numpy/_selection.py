"""Selection: indexing, gathering, sorting, diagonals, triangles and interpolation.

(The functional updates, ``x.at[i].set(v)``, are in :mod:`fad.numpy._updates`.)

Every differentiable function here picks elements of its input, so its derivative sends
each output's cotangent back to the element it came from. All but one are compositions of
two primitives of the rule table that are each other's VJP (repeated indices accumulate)::

    y = getitem_p(x, index)             xbar = index_add_p(ybar, index, shape(x))
    y = index_add_p(x, index, shape)    xbar = getitem_p(ybar, index)

and of ``where_p`` for masks. The positions themselves (an ``argsort``, a mask, the indices
of a diagonal) are computed on the plain values and have no derivative. So ``sort(x)`` is
``x`` gathered by its stable ``argsort``: at ties the gradient follows NumPy's stable
order, the first of equal elements in ``x`` receiving the cotangent of the first position
they fill in ``sort(x)``. ``interp`` is a primitive of its own, so that its values are
NumPy's to the last bit.

The functions with no derivative by definition (``argmax``, ``argsort``, ``nonzero``,
``searchsorted``, ``unique``, ...) run on the plain values under any tracing.
"""

from __future__ import annotations

from functools import reduce
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from fad.core import Traced, primitive, untraced
from fad.numpy._base import (
    astype_p,
    concatenate_p,
    dtype_of,
    getitem_p,
    index_add_p,
    inverse_permutation,
    no_out,
    nondiff,
    normalize_axis,
    reshape_p,
    shape_of,
    sum_p,
    transpose_p,
    unbroadcast,
    where_p,
)

__all__ = [
    # indexing and gathering
    "getitem", "take", "take_along_axis", "compress", "extract", "where", "select",
    # sorting
    "sort", "partition",
    # diagonals and triangles
    "diag", "diagflat", "diagonal", "trace", "triu", "tril",
    # interpolation
    "interp",
    # no derivative, by definition
    "argmax", "argmin", "argsort", "argpartition", "nonzero", "flatnonzero", "argwhere",
    "searchsorted", "digitize", "unique", "count_nonzero",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Helpers: arguments as NumPy reads them, checked with errors that name the function
# --------------------------------------------------------------------------------------


def _array(a: Any) -> Any:
    """``a`` as an array: a traced value stays traced, anything else goes through ``numpy.asarray``."""
    return a if isinstance(a, Traced) else np.asarray(a)


def _integers(indices: Any, who: str) -> np.ndarray:
    """``indices`` as an integer array (``[]`` is an empty one, booleans count 0 and 1)."""
    indices = np.asarray(untraced(indices))
    if indices.size == 0 or indices.dtype.kind == "b":
        return indices.astype(np.intp)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"fad.numpy.{who}: indices must be integers, got an array of dtype {indices.dtype}")
    return indices


def index_part(i: Any) -> Any:
    """A list, tuple or traced value inside an index, as the integer or boolean array NumPy reads it."""
    if isinstance(i, (list, tuple, Traced)):
        i = np.asarray(untraced(i))
        return i.astype(np.intp) if i.size == 0 else i  # [] is an empty integer index, not a float one
    return i




def _no_order(order: Any, who: str) -> None:
    if order is not None:
        raise ValueError(
            f"fad.numpy.{who}: order= names the fields of a structured array, which has no "
            f"derivative; {who} a float array instead"
        )


def _flat(a: Any) -> Any:
    """``a`` flattened to one dimension."""
    return reshape_p(a, shape=(int(np.prod(shape_of(a))),))


def _along_axis(shape: tuple, indices: np.ndarray, axis: int) -> tuple:
    """The index that picks ``indices`` along ``axis`` and every position along the other axes."""
    n = len(shape)
    return tuple(
        indices if d == axis else np.arange(size).reshape((size,) + (1,) * (n - 1 - d)) for d, size in enumerate(shape)
    )


def _diagonal_indices(n1: int, n2: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the ``offset``-th diagonal of an ``n1`` by ``n2`` matrix."""
    i = np.arange(max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0))))
    return i + max(-offset, 0), i + max(offset, 0)


# --------------------------------------------------------------------------------------
# Indexing and gathering: getitem_p with an index computed on plain values
# --------------------------------------------------------------------------------------


def getitem(x: Any, index: Any) -> Any:
    """``x[index]`` for every kind of index; repeated indices accumulate in the VJP.

    Basic indices (integers, slices with any step, ``...``, ``None``), integer arrays and
    lists, boolean masks and mixtures of them all mean what they mean in NumPy.

    >>> import fad
    >>> fad.grad(lambda x: getitem(x, [0, 0, 2]).sum())(np.zeros(3))
    array([2., 0., 1.])

    See Also: take, take_along_axis, compress
    """
    index = tuple(map(index_part, index)) if isinstance(index, tuple) else index_part(index)
    return getitem_p(x, index=index)


def take(a: Any, indices: Any, axis: int | None = None, out: None = None, mode: str = "raise") -> Any:
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened ``a`` when None).

    ``mode`` is NumPy's: ``"raise"`` (negative indices count from the end), ``"wrap"`` or
    ``"clip"``.

    >>> take(np.array([[1.0, 2.0], [3.0, 4.0]]), [1, 0], axis=1)
    array([[2., 1.],
           [4., 3.]])

    See Also: take_along_axis, getitem, compress
    """
    no_out(out, "take")
    a, indices = _array(a), _integers(indices, "take")
    if axis is None:
        a, axis = _flat(a), 0
    axis = normalize_axis(axis, len(shape_of(a)), "take")
    n = shape_of(a)[axis]
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"fad.numpy.take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    if mode != "raise" and indices.size:
        if n == 0:
            raise IndexError("fad.numpy.take: cannot take elements from an empty axis")
        indices = indices % n if mode == "wrap" else np.clip(indices, 0, n - 1)
    return getitem_p(a, index=(slice(None),) * axis + (indices,))


def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Any:
    """Elements of ``arr`` at ``indices`` along ``axis``, position by position along the others.

    ``indices`` has ``arr``'s number of dimensions (or is 1-d, with ``axis=None``, for
    the flattened ``arr``); the other axes broadcast.

    >>> x = np.array([[3.0, 1.0, 2.0]])
    >>> take_along_axis(x, argsort(x, axis=1), axis=1)
    array([[1., 2., 3.]])

    See Also: take, sort, argsort
    """
    arr, indices = _array(arr), _integers(indices, "take_along_axis")
    if axis is None:
        if indices.ndim != 1:
            raise ValueError(f"fad.numpy.take_along_axis: with axis=None, indices must be 1-d, got {indices.ndim}-d")
        arr, axis = _flat(arr), 0
    ndim = len(shape_of(arr))
    axis = normalize_axis(axis, ndim, "take_along_axis")
    if indices.ndim != ndim:
        raise ValueError(
            f"fad.numpy.take_along_axis: indices must have as many dimensions as arr, "
            f"got {indices.ndim} and {ndim}"
        )
    return getitem_p(arr, index=_along_axis(shape_of(arr), indices, axis))


def compress(condition: Any, a: Any, axis: int | None = None, out: None = None) -> Any:
    """The slices of ``a`` along ``axis`` (of the flattened ``a`` when None) where ``condition`` holds.

    >>> compress([True, False, True], np.array([1.0, 2.0, 3.0]))
    array([1., 3.])

    See Also: extract, take, where
    """
    no_out(out, "compress")
    condition = np.asarray(untraced(condition))
    if condition.ndim != 1:
        raise ValueError(f"fad.numpy.compress: condition must be a 1-d array, got shape {condition.shape}")
    return take(a, np.flatnonzero(condition), axis)


def extract(condition: Any, arr: Any) -> Any:
    """The elements of the flattened ``arr`` where the flattened ``condition`` holds.

    >>> extract(np.array([[True, False], [False, True]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([1., 4.])

    See Also: compress, where
    """
    return take(arr, np.flatnonzero(untraced(condition)))


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (no derivative in ``condition``).

    With ``condition`` alone it is ``nonzero(condition)``: plain indices, no derivative.

    >>> where(np.array([True, False]), np.array([1.0, 2.0]), 0.0)
    array([1., 0.])

    See Also: select, nonzero
    """
    if x is None and y is None:
        return np.where(untraced(condition))
    if x is None or y is None:
        raise ValueError("fad.numpy.where: give both x and y, or neither (for the indices where condition holds)")
    return where_p(np.asarray(untraced(condition)), x, y)


def _select_case(y: Any, case: tuple) -> Any:
    """One step of ``select``'s fold, from the last case to the first: ``case`` wins where it holds."""
    condition, choice = case
    return where_p(condition, choice, y)


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    """At each position, the choice of the first condition that holds there, else ``default``.

    ``select([c1, c2], [x1, x2], d)`` is ``where(c1, x1, where(c2, x2, d))``; every argument broadcasts.

    >>> x = np.array([-2.0, 0.5, 3.0])
    >>> select([x < 0, x < 1], [-x, x * 10], default=1.0)
    array([2., 5., 1.])

    See Also: where
    """
    conditions, choices = [np.asarray(untraced(c)) for c in condlist], list(choicelist)
    if len(conditions) != len(choices):
        raise ValueError(
            f"fad.numpy.select: condlist and choicelist must have the same length, got {len(conditions)} "
            f"and {len(choices)}"
        )
    if not conditions:
        raise ValueError("fad.numpy.select: condlist is empty; give at least one condition")
    for i, condition in enumerate(conditions):
        if condition.dtype != bool:
            raise TypeError(f"fad.numpy.select: condlist[{i}] has dtype {condition.dtype}; conditions must be boolean")
    return reduce(_select_case, reversed(list(zip(conditions, choices))), default)


# --------------------------------------------------------------------------------------
# Sorting: the input gathered by its (stable) argsort or argpartition
# --------------------------------------------------------------------------------------


def sort(a: Any, axis: int | None = -1, kind: str | None = None, order: None = None, *, stable: Any = None) -> Any:
    """``a`` sorted along ``axis`` (flattened when None); the gradient follows the permutation.

    ``sort(a)`` is ``take_along_axis(a, argsort(a, kind="stable"))``: whatever ``kind``, the
    values are NumPy's, and at ties the gradient follows the stable order (the first of
    equal elements in ``a`` gets the cotangent of the first of their places in the result).

    >>> import fad
    >>> fad.grad(lambda x: sort(x)[0])(np.array([2.0, 1.0, 1.0]))
    array([0., 1., 0.])

    See Also: argsort, partition, take_along_axis
    """
    _no_order(order, "sort")
    a = _array(a)
    if axis is None:
        a, axis = _flat(a), 0
    axis = normalize_axis(axis, len(shape_of(a)), "sort")
    return take_along_axis(a, np.argsort(untraced(a), axis=axis, kind="stable"), axis)


def partition(a: Any, kth: Any, axis: int | None = -1, kind: str = "introselect", order: None = None) -> Any:
    """``a`` rearranged so that its ``kth`` element is where sorting would put it; smaller ones before.

    ``partition(a, kth)`` is ``take_along_axis(a, argpartition(a, kth))``, NumPy's values exactly;
    the gradient follows that permutation (at ties, ``argpartition``'s arrangement of them).

    >>> float(partition(np.array([3.0, 1.0, 2.0]), 0)[0])
    1.0

    See Also: sort, argpartition
    """
    _no_order(order, "partition")
    a = _array(a)
    if axis is None:
        a, axis = _flat(a), 0
    axis = normalize_axis(axis, len(shape_of(a)), "partition")
    return take_along_axis(a, np.argpartition(untraced(a), untraced(kth), axis=axis, kind=kind), axis)


# --------------------------------------------------------------------------------------
# Diagonals and triangles
# --------------------------------------------------------------------------------------


def diag(v: Any, k: int = 0) -> Any:
    """The ``k``-th diagonal of a 2-d ``v``, or the square matrix with the 1-d ``v`` on it.

    Each is the other's VJP: building scatters ``v`` with ``index_add_p``, extracting gathers.

    >>> diag(np.array([1.0, 2.0]), k=1)
    array([[0., 1., 0.],
           [0., 0., 2.],
           [0., 0., 0.]])

    See Also: diagonal, diagflat, trace
    """
    v = _array(v)
    shape = shape_of(v)
    if len(shape) == 2:
        return diagonal(v, k)
    if len(shape) != 1:
        raise ValueError(
            f"fad.numpy.diag: v must be 1-d (to build a diagonal matrix) or 2-d (to extract a diagonal), "
            f"got shape {shape}"
        )
    n = shape[0] + abs(k)
    return index_add_p(v, index=_diagonal_indices(n, n, k), shape=(n, n))


def diagflat(v: Any, k: int = 0) -> Any:
    """The square matrix with the flattened ``v`` on its ``k``-th diagonal.

    >>> diagflat(np.array([[1.0, 2.0]]))
    array([[1., 0.],
           [0., 2.]])

    See Also: diag
    """
    return diag(_flat(_array(v)), k)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The ``offset``-th diagonals of the matrices of ``a`` on ``axis1``, ``axis2``, along a new last axis.

    >>> diagonal(np.arange(6.0).reshape(2, 3), offset=1)
    array([1., 5.])

    See Also: diag, trace
    """
    a = _array(a)
    shape = shape_of(a)
    ndim = len(shape)
    if ndim < 2:
        raise ValueError(f"fad.numpy.diagonal: a must have at least 2 dimensions, got shape {shape}")
    axis1, axis2 = normalize_axis(axis1, ndim, "diagonal"), normalize_axis(axis2, ndim, "diagonal")
    if axis1 == axis2:
        raise ValueError(f"fad.numpy.diagonal: axis1 and axis2 must be different axes, got {axis1} twice")
    axes = tuple(d for d in range(ndim) if d not in (axis1, axis2)) + (axis1, axis2)
    if axes != tuple(range(ndim)):
        a = transpose_p(a, axes=axes)
    return getitem_p(a, index=(Ellipsis, *_diagonal_indices(shape[axis1], shape[axis2], offset)))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: None = None) -> Any:
    """The sum of the ``offset``-th diagonal of the matrices of ``a`` on ``axis1``, ``axis2``.

    >>> float(trace(np.arange(4.0).reshape(2, 2)))
    3.0

    See Also: diagonal
    """
    no_out(out, "trace")
    y = sum_p(diagonal(a, offset, axis1, axis2), axis=-1)
    return y if dtype is None else astype_p(y, dtype=np.dtype(dtype))


def _triangle(m: Any, k: int, who: str) -> Any:
    """``m`` with zeros above its ``k``-th diagonal (``tril``) or below it (``triu``)."""
    m = _array(m)
    shape = shape_of(m)
    if len(shape) == 0:
        raise ValueError(f"fad.numpy.{who}: m must have at least one dimension, got a 0-d array")
    lower = np.tri(*shape[-2:], k=k if who == "tril" else k - 1, dtype=bool)
    return where_p(lower if who == "tril" else ~lower, m, np.zeros((), dtype_of(m)))


def tril(m: Any, k: int = 0) -> Any:
    """``m`` with the elements above its ``k``-th diagonal zeroed (last two axes; a 1-d ``m`` is a row).

    >>> tril(np.ones((2, 2)))
    array([[1., 0.],
           [1., 1.]])

    See Also: triu, diag
    """
    return _triangle(m, k, "tril")


def triu(m: Any, k: int = 0) -> Any:
    """``m`` with the elements below its ``k``-th diagonal zeroed (last two axes; a 1-d ``m`` is a row).

    >>> triu(np.ones((2, 2)))
    array([[1., 1.],
           [0., 1.]])

    See Also: tril, diag
    """
    return _triangle(m, k, "triu")


# --------------------------------------------------------------------------------------
# Interpolation: a primitive, with the derivative of the segment each x lies in
# --------------------------------------------------------------------------------------


class _Segments(NamedTuple):
    """Where each ``x`` lies among the knots ``xp``: plain constants, no derivative."""

    j: np.ndarray  # x is interpolated on the segment [xp[j], xp[j + 1]]
    below: np.ndarray  # x < xp[0]: y = left (fp[0] by default)
    above: np.ndarray  # x > xp[-1]: y = right (fp[-1] by default)
    inside: np.ndarray  # xp[0] <= x <= xp[-1]
    flat: np.ndarray  # the segment has zero width (a repeated knot)


def _segments(x: Any, xp: Any) -> _Segments:
    """The segment of every ``x``: the one ``searchsorted(side="right")`` finds, as NumPy does.

    At an interior knot that is the segment to its right, at ``xp[-1]`` the last one, and
    outside ``[xp[0], xp[-1]]`` the first or last (where ``y`` does not depend on ``x``).
    """
    x, xp = np.asarray(untraced(x)), np.asarray(untraced(xp))
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    below, above = x < xp[0], x > xp[-1]
    return _Segments(j, below, above, ~(below | above), xp[j + 1] == xp[j])


def _at_segments(v: Any, s: _Segments) -> tuple[Any, Any]:
    """``v[j]`` and ``v[j + 1] - v[j]``: ``v`` at the start of each ``x``'s segment, and its change over it."""
    v0 = getitem_p(v, index=s.j)
    return v0, getitem_p(v, index=s.j + 1) - v0


def _fraction(x: Any, x0: Any, dx: Any, s: _Segments) -> Any:
    """``t`` with ``y = (1 - t) fp[j] + t fp[j + 1]``: 0 below the knots, 1 above them and on a repeated one."""
    t = (x - x0) / where_p(s.flat, 1, dx)
    return where_p(s.inside & ~s.flat, t, (s.above | s.flat).astype(dtype_of(t)))


def _slope(df: Any, dx: Any, s: _Segments) -> Any:
    """``dy/dx`` inside the knots: the slope ``df / dx`` of each ``x``'s segment (0 outside, or on a repeated knot)."""
    return where_p(s.inside & ~s.flat, df / where_p(s.flat, 1, dx), 0)


def _real_only(fp: Any, wrt: str) -> None:
    if np.iscomplexobj(untraced(fp)):
        raise NotImplementedError(
            f"fad.numpy.interp: the derivative in {wrt} of an interpolation of complex fp is not "
            "supported; interpolate the real and imaginary parts separately"
        )


def _to_knots(ybar: Any, weights: Any, s: _Segments, n: int) -> Any:
    """``ybar * (1 - t)`` added to the knot ``j`` and ``ybar * t`` to ``j + 1`` of every ``x``."""
    w1 = ybar * weights
    return index_add_p(ybar - w1, index=s.j, shape=(n,)) + index_add_p(w1, index=s.j + 1, shape=(n,))


def _interp_x(y: Any, ybar: Any, x: Any, xp: Any, fp: Any, left: Any, right: Any, dtype: Any = None) -> Any:
    """``xbar = ybar * slope``: the segment's slope inside the knots, 0 outside."""
    _real_only(fp, "x")
    s = _segments(x, xp)
    return ybar * _slope(_at_segments(fp, s)[1], _at_segments(xp, s)[1], s)


def _interp_xp(y: Any, ybar: Any, x: Any, xp: Any, fp: Any, left: Any, right: Any, dtype: Any = None) -> Any:
    """``dy/dxp[j] = -slope (1 - t)`` and ``dy/dxp[j + 1] = -slope t`` inside the knots."""
    _real_only(fp, "xp")
    s = _segments(x, xp)
    x0, dx = _at_segments(xp, s)
    w = -ybar * _slope(_at_segments(fp, s)[1], dx, s)
    return _to_knots(w, _fraction(x, x0, dx, s), s, shape_of(xp)[0])


def _interp_fp(y: Any, ybar: Any, x: Any, xp: Any, fp: Any, left: Any, right: Any, dtype: Any = None) -> Any:
    """``dy/dfp[j] = 1 - t`` and ``dy/dfp[j + 1] = t``; outside the knots, 1 for the end used by default."""
    s = _segments(x, xp)
    keep = s.inside | (s.below & (left is None)) | (s.above & (right is None))
    return _to_knots(where_p(keep, ybar, 0), _fraction(x, *_at_segments(xp, s), s), s, shape_of(fp)[0])


def _interp_left(y: Any, ybar: Any, x: Any, xp: Any, fp: Any, left: Any, right: Any, dtype: Any = None) -> Any:
    return unbroadcast(sum_p(where_p(_segments(x, xp).below, ybar, 0)), left)


def _interp_right(y: Any, ybar: Any, x: Any, xp: Any, fp: Any, left: Any, right: Any, dtype: Any = None) -> Any:
    return unbroadcast(sum_p(where_p(_segments(x, xp).above, ybar, 0)), right)


# fmt: off
interp_p = primitive(
    lambda x, xp, fp, left, right, dtype=None: np.asarray(np.interp(x, xp, fp, left, right)).astype(dtype)[()],
    (_interp_x, _interp_xp, _interp_fp, _interp_left, _interp_right),
    name="interp")
# fmt: on


def _periodic(x: Any, xp: Any, fp: Any, period: Any) -> tuple:
    """``x``, ``xp``, ``fp`` of a periodic interpolation, as NumPy normalizes them.

    ``x`` and ``xp`` are taken modulo ``period`` (``x - period * floor(x / period)``, with
    derivative 1), the knots sorted, and one knot of the neighbouring periods added at
    each end.
    """
    period = abs(float(period))
    if period == 0:
        raise ValueError("fad.numpy.interp: period must be a non-zero value")

    def modulo(v: Any) -> Any:
        shift = period * np.floor(np.asarray(untraced(v), dtype=float) / period)
        return v - shift.astype(np.result_type(untraced(v), 0.0))

    x, xp = modulo(x), modulo(xp)
    order = np.argsort(untraced(xp), kind="stable")
    xp, fp = getitem_p(xp, index=order), getitem_p(fp, index=order)
    first, last = (slice(0, 1),), (slice(-1, None),)
    xp = concatenate_p(getitem_p(xp, index=last) - period, xp, getitem_p(xp, index=first) + period)
    fp = concatenate_p(getitem_p(fp, index=last), fp, getitem_p(fp, index=first))
    return x, xp, fp


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None) -> Any:
    """The piecewise-linear interpolant through the points ``(xp, fp)``, at ``x``.

    Differentiable in ``x``, ``xp``, ``fp``, ``left`` and ``right``. Between the knots
    ``dy/dx`` is the slope of the segment ``x`` lies in; at a knot, where ``y`` has a kink,
    it is the slope of the segment to the knot's right (of the last segment at
    ``xp[-1]``), the segment NumPy interpolates on; outside ``[xp[0], xp[-1]]`` it is 0.
    The result has the floating dtype of ``x``, ``xp`` and ``fp`` together (float32 stays
    float32, where ``numpy.interp`` always computes and returns float64).

    >>> import fad
    >>> xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    >>> fad.grad(lambda x: interp(x, xp, fp))(2.0)
    0.5

    See Also: searchsorted, where
    """
    x, xp, fp = _array(x), _array(xp), _array(fp)
    if len(shape_of(xp)) != 1 or len(shape_of(fp)) != 1:
        raise ValueError(f"fad.numpy.interp: xp and fp must be 1-d, got shapes {shape_of(xp)} and {shape_of(fp)}")
    if shape_of(xp) != shape_of(fp):
        raise ValueError(
            f"fad.numpy.interp: xp and fp must have the same length, got {shape_of(xp)[0]} and {shape_of(fp)[0]}"
        )
    if shape_of(xp)[0] == 0:
        raise ValueError("fad.numpy.interp: xp and fp are empty; give at least one point to interpolate")
    dtype = np.result_type(untraced(x), untraced(xp), untraced(fp), 0.0)
    if period is not None:
        (x, xp, fp), left, right = _periodic(x, xp, fp, period), None, None
    if shape_of(xp)[0] == 1:  # one point: a segment of zero width, so that every x has one
        xp, fp = concatenate_p(xp, xp), concatenate_p(fp, fp)
    return interp_p(x, xp, fp, left, right, dtype=dtype)



# --------------------------------------------------------------------------------------
# No derivative, by definition: run on the plain values under any tracing
# --------------------------------------------------------------------------------------


argmax, argmin = nondiff(np.argmax), nondiff(np.argmin)
argsort, argpartition = nondiff(np.argsort), nondiff(np.argpartition)
nonzero, flatnonzero, argwhere = nondiff(np.nonzero), nondiff(np.flatnonzero), nondiff(np.argwhere)
searchsorted, digitize = nondiff(np.searchsorted), nondiff(np.digitize)
count_nonzero = nondiff(np.count_nonzero)


def unique(
    ar: Any, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False,
    axis: int | None = None, *, equal_nan: bool = True,
) -> Any:
    """The sorted unique elements (or subarrays along ``axis``); the values are differentiable.

    Each unique value stands for a group of equal elements, and its cotangent is shared
    equally among them: ``grad(lambda v: sum(unique(v) ** 2))(v)`` is ``2 v`` at an
    element that occurs once, and ``2 v / k`` at each of ``k`` equal ones (the derivative
    of the mean of the group, which is the value). The indices, inverse and counts are
    integers, as in NumPy.

    >>> import fad
    >>> fad.grad(lambda v: (unique(v) ** 2).sum())(np.array([3.0, 1.0, 3.0]))
    array([3., 2., 3.])

    See Also: sort, nonzero
    """
    plain = np.asarray(untraced(ar))
    flags = {"return_index": return_index, "return_inverse": return_inverse, "return_counts": return_counts}
    result = np.unique(plain, axis=axis, equal_nan=equal_nan, **flags)
    if not isinstance(ar, Traced):
        return result
    values = result[0] if any(flags.values()) else result
    _, inverse, counts = np.unique(plain, return_inverse=True, return_counts=True, axis=axis, equal_nan=equal_nan)
    inverse = inverse.reshape(-1)
    if axis is None:
        rows, shape = _flat(ar), (len(counts),)
    else:
        axis = normalize_axis(axis, plain.ndim, "unique")
        moved = np.moveaxis(values, axis, 0).shape
        order = (axis, *(i for i in range(plain.ndim) if i != axis))
        rows = reshape_p(transpose_p(ar, axes=order), shape=(plain.shape[axis], -1))
        shape = (len(counts), int(np.prod(moved[1:])))
    share = (1.0 / counts[inverse]).astype(dtype_of(ar).type(0).real.dtype)
    share = share if axis is None else share[:, None]
    group_mean = index_add_p(rows * share, index=inverse, shape=shape)  # the mean of each group of equal elements
    # the values exactly as NumPy gives them, with the derivative of the group means
    traced = np.reshape(values if axis is None else np.moveaxis(values, axis, 0), shape) + (
        group_mean - np.asarray(untraced(group_mean)))
    if axis is not None:
        traced = transpose_p(reshape_p(traced, shape=moved), axes=inverse_permutation(order))
    return (traced, *result[1:]) if any(flags.values()) else traced


# --------------------------------------------------------------------------------------
# The ndarray methods of traced arrays
# --------------------------------------------------------------------------------------


def _in_place(name: str, instead: str) -> Any:
    """The method ``x.<name>``, which changes ``x`` in place: a TypeError naming the alternative."""

    def method(x: Any, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"fad: traced arrays are immutable, so x.{name}(), which changes x in place, is not "
            f"supported. Use the function, which returns a new array: x = {instead}"
        )

    return method


def _compress_method(a: Any, condition: Any, axis: int | None = None, out: None = None) -> Any:
    """``a.compress(condition, axis)``: the method takes the array first."""
    return compress(condition, a, axis, out)


METHODS = MappingProxyType(
    {
        "take": take,
        "compress": _compress_method,
        "diagonal": diagonal,
        "trace": trace,
        "sort": _in_place("sort", "fad.numpy.sort(x, axis)"),
        "partition": _in_place("partition", "fad.numpy.partition(x, kth, axis)"),
        "argmax": argmax,
        "argmin": argmin,
        "argsort": argsort,
        "argpartition": argpartition,
        "nonzero": nonzero,
        "searchsorted": searchsorted,
        "put": _in_place("put", "x.at[indices].set(values)"),
        "itemset": _in_place("itemset", "x.at[index].set(value)"),
    }
)
