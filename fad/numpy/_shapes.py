"""Shape and construction: reshaping, reordering, joining, splitting, padding and building arrays.

Every function here only moves, copies or linearly combines elements, so each is a short
composition of the primitives of :mod:`fad.numpy._rules` (``reshape``, ``transpose``,
``broadcast_to``, ``getitem``, ``concatenate``, ``stack``) and is differentiable to any
order without a rule of its own. Two are primitives:

- ``split``, with multiple results: its VJP concatenates the cotangents of the pieces,
  ``j(split)(ys, ybars, x) = (concatenate(ybars),)``, one pass instead of one
  zero-padded array per piece;
- ``astype``, whose VJP casts the cotangent back, ``j(astype)(y, ybar, x) = (astype(ybar, x.dtype),)``,
  taking the real part when a real value was cast to complex.

Functions that build an index or a shape read them from NumPy itself, applied to an
index array (``pad``, ``repeat``) or to a zero-strided placeholder of the input's shape
(``squeeze``, ``expand_dims``, ``atleast_2d``), so their edge cases are NumPy's own.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from functools import reduce
from types import MappingProxyType
from typing import Any, NoReturn

import numpy as np

from fad.core import Traced, primitive, untraced
from fad.numpy._rules import (
    astype_p,
    broadcast_to_p,
    concatenate_p,
    getitem_p,
    index_add_p,
    matmul,
    nondiff,
    reshape_p,
    shape_of,
    stack_p,
    transpose_p,
)
from fad.numpy._rules import dtype_of as _dtype_of

__all__ = [
    # shape
    "reshape", "ravel", "squeeze", "expand_dims", "atleast_1d", "atleast_2d", "atleast_3d",
    # order of axes and elements
    "moveaxis", "rollaxis", "roll", "flip", "flipud", "fliplr", "rot90",
    # repetition
    "repeat", "tile",
    # splitting
    "split", "array_split", "hsplit", "vsplit", "dsplit",
    # joining
    "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "append", "block",
    # padding and differences
    "pad", "diff", "gradient",
    # construction and conversion
    "array", "asarray", "full", "linspace", "meshgrid", "astype",
]  # fmt: skip

_NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"
_not_equal = nondiff(np.not_equal)


# --------------------------------------------------------------------------------------
# Helpers: placeholders, axes, and NumPy's sequence types
# --------------------------------------------------------------------------------------


def _ghost(shape: tuple) -> np.ndarray:
    """A read-only array of ``shape`` that takes no memory: NumPy's shape logic runs on it."""
    return np.broadcast_to(np.empty((), dtype=bool), shape)


def _traced(obj: Any) -> bool:
    """Whether ``obj`` is a traced value or a (nested) list or tuple holding one."""
    if isinstance(obj, Traced):
        return True
    return isinstance(obj, (list, tuple)) and any(_traced(o) for o in obj)


def _array(a: Any) -> Any:
    """``a`` itself when traced, else ``a`` as a NumPy array (lists of traced values stacked)."""
    if isinstance(a, Traced):
        return a
    return array(a) if _traced(a) else np.asarray(a)


def _axis(axis: Any, ndim: int) -> int:
    """``axis`` in ``range(ndim)``; NumPy's ``AxisError`` when it is out of bounds."""
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


def _axes(axis: Any, ndim: int, who: str) -> tuple[int, ...]:
    """An int or a sequence of ints as distinct axes in ``range(ndim)``."""
    axes = tuple(_axis(a, ndim) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(set(axes)) != len(axes):
        raise ValueError(f"fad.numpy.{who}: repeated axis in {axis!r}")
    return axes


def _sequence(items: Any) -> tuple | list:
    """A tuple, as NumPy 2 returns from ``atleast_1d``, ``meshgrid``, ``gradient``; a list before."""
    return tuple(items) if _NUMPY_2 else list(items)


def _along(axis: int, index: Any) -> tuple:
    """The index that applies ``index`` to ``axis`` and takes every other axis whole."""
    return (slice(None),) * axis + (index,)


def _slab(a: Any, axis: int, start: Any, stop: Any) -> Any:
    """``a[..., start:stop, ...]``: the slice ``start:stop`` along ``axis``."""
    return getitem_p(a, index=_along(axis, slice(start, stop)))


# --------------------------------------------------------------------------------------
# Shape: reshape and friends, each a reshape
# --------------------------------------------------------------------------------------


def _memory_order(a: Any) -> tuple[int, ...]:
    """The axes of ``a`` from slowest to fastest in memory: how ``ravel(a, order="K")`` reads.

    NumPy's iterator sorts the axes by the size of their strides (signs ignored), keeping
    the C order between axes whose order a zero stride leaves open; this is that
    insertion sort, run like NumPy's from the fastest axis.
    """
    value = np.asarray(untraced(a))
    order = list(range(value.ndim))[::-1]
    for i in range(1, len(order)):
        position, stride = i, abs(value.strides[order[i]])
        for j in range(i - 1, -1, -1):
            other = abs(value.strides[order[j]])
            if stride == 0 or other == 0:
                continue  # no order between these two: look further
            if stride >= other:
                break
            position = j
        order.insert(position, order.pop(i))
    return tuple(order[::-1])


def _fortran(a: Any, order: str, who: str) -> bool:
    """Whether ``order`` ("C", "F", "A") means Fortran order for ``a``."""
    if order not in ("C", "F", "A"):
        raise ValueError(f"fad.numpy.{who}: order must be 'C', 'F' or 'A', got {order!r}")
    return order == "F" or (order == "A" and bool(np.isfortran(np.asarray(untraced(a)))))


def reshape(a: Any, /, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None) -> Any:
    """``a`` with a new shape (one dimension may be -1), read and written in ``order``.

    Fortran order is C order on the reversed axes: ``reshape(a, s, "F") ==
    reshape(a.T, s[::-1]).T``.

    >>> import fad
    >>> fad.grad(lambda x: (reshape(x, (2, 2), order="F") * [[1.0, 2.0], [3.0, 4.0]]).sum())(np.zeros(4))
    array([1., 3., 2., 4.])

    See Also: ravel, squeeze, expand_dims
    """
    if shape is None:
        shape = newshape
    if shape is None:
        raise TypeError("fad.numpy.reshape: missing the new shape")
    a = _array(a)
    shape = np.reshape(_ghost(shape_of(a)), shape).shape  # NumPy's checks, and -1 resolved
    if not _fortran(a, order, "reshape"):
        return reshape_p(a, shape=shape)
    return transpose_p(reshape_p(transpose_p(a, axes=None), shape=shape[::-1]), axes=None)


def ravel(a: Any, order: str = "C") -> Any:
    """``a`` flattened to one dimension, read in ``order`` ("C", "F", "A" or "K": memory order).

    >>> ravel(np.arange(6.0).reshape(2, 3), order="F")
    array([0., 3., 1., 4., 2., 5.])

    See Also: reshape
    """
    a = _array(a)
    if order == "K":
        return reshape_p(transpose_p(a, axes=_memory_order(a)), shape=(-1,))
    return reshape(a, (-1,), order=order)


def squeeze(a: Any, axis: Any = None) -> Any:
    """``a`` without its length-1 axes (those in ``axis``, or all).

    >>> squeeze(np.zeros((1, 3, 1))).shape
    (3,)

    See Also: expand_dims, reshape
    """
    a = _array(a)
    return reshape_p(a, shape=np.squeeze(_ghost(shape_of(a)), axis=axis).shape)


def expand_dims(a: Any, axis: Any) -> Any:
    """``a`` with length-1 axes inserted at ``axis`` (an int or a tuple of ints).

    >>> expand_dims(np.zeros(3), (0, 2)).shape
    (1, 3, 1)

    See Also: squeeze, reshape
    """
    a = _array(a)
    axis = tuple(axis) if isinstance(axis, list) else axis
    return reshape_p(a, shape=np.expand_dims(_ghost(shape_of(a)), axis).shape)


def _atleast(numpy_atleast: Callable, arys: tuple) -> Any:
    """Each of ``arys`` reshaped as ``numpy_atleast`` reshapes it, in NumPy's container."""
    arys = tuple(_array(a) for a in arys)
    shaped = numpy_atleast(*(_ghost(shape_of(a)) for a in arys))
    if len(arys) == 1:
        return reshape_p(arys[0], shape=shaped.shape)
    return type(shaped)(reshape_p(a, shape=s.shape) for a, s in zip(arys, shaped))


def atleast_1d(*arys: Any) -> Any:
    """Each input viewed with at least one dimension.

    >>> atleast_1d(1.0)
    array([1.])

    See Also: atleast_2d, atleast_3d
    """
    return _atleast(np.atleast_1d, arys)


def atleast_2d(*arys: Any) -> Any:
    """Each input with at least two dimensions (length-1 axes prepended).

    >>> atleast_2d(np.zeros(3)).shape
    (1, 3)

    See Also: atleast_1d, atleast_3d
    """
    return _atleast(np.atleast_2d, arys)


def atleast_3d(*arys: Any) -> Any:
    """Each input with at least three dimensions: ``(N,)`` becomes ``(1, N, 1)``, ``(M, N)`` ``(M, N, 1)``.

    >>> atleast_3d(np.zeros((2, 3))).shape
    (2, 3, 1)

    See Also: atleast_1d, atleast_2d
    """
    return _atleast(np.atleast_3d, arys)


# --------------------------------------------------------------------------------------
# The order of axes and of elements: transposes and reversed slices
# --------------------------------------------------------------------------------------


def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    """``a`` with the axes ``source`` moved to positions ``destination``, the others in order.

    >>> moveaxis(np.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)

    See Also: rollaxis, transpose, swapaxes
    """
    a = _array(a)
    ndim = len(shape_of(a))
    source, destination = _axes(source, ndim, "moveaxis"), _axes(destination, ndim, "moveaxis")
    if len(source) != len(destination):
        raise ValueError("fad.numpy.moveaxis: source and destination must have the same number of elements")
    order = [i for i in range(ndim) if i not in source]
    for dst, src in sorted(zip(destination, source)):
        order.insert(dst, src)
    return transpose_p(a, axes=tuple(order))


def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """``a`` with ``axis`` moved to just before position ``start`` (NumPy's older ``moveaxis``).

    >>> rollaxis(np.zeros((2, 3, 4)), 2).shape
    (4, 2, 3)

    See Also: moveaxis
    """
    a = _array(a)
    ndim = len(shape_of(a))
    axis = _axis(axis, ndim)
    start = operator.index(start)
    start = start + ndim if start < 0 else start
    if not 0 <= start <= ndim:
        raise np.exceptions.AxisError(f"fad.numpy.rollaxis: start must be in [{-ndim}, {ndim}], got {start}")
    start = start - 1 if axis < start else start
    order = [i for i in range(ndim) if i != axis]
    order.insert(start, axis)
    return transpose_p(a, axes=tuple(order))


def roll(a: Any, shift: Any, axis: Any = None) -> Any:
    """``a`` with elements shifted cyclically by ``shift`` along ``axis`` (the flattened array if None).

    Along each axis the result is the last ``shift`` elements followed by the others.

    >>> roll(np.arange(5.0), 2)
    array([3., 4., 0., 1., 2.])

    See Also: rot90, flip
    """
    a = _array(a)
    shape = shape_of(a)
    if axis is None:
        return reshape_p(roll(reshape_p(a, shape=(-1,)), shift, 0), shape=shape)
    pairs = np.broadcast(shift, axis)
    if pairs.ndim > 1:
        raise ValueError("fad.numpy.roll: shift and axis must be scalars or 1-d sequences")
    total = dict.fromkeys(range(len(shape)), 0)
    for s, ax in pairs:
        total[_axis(ax, len(shape))] += int(s)
    for ax, s in total.items():
        n = shape[ax]
        if n > 0 and s % n:
            k = n - s % n  # the first k elements go to the end
            head, tail = _slab(a, ax, None, k), _slab(a, ax, k, None)
            a = concatenate_p(tail, head, axis=ax)
    return a


def flip(m: Any, axis: Any = None) -> Any:
    """``m`` with the order of elements reversed along ``axis`` (every axis if None).

    >>> flip(np.arange(4.0).reshape(2, 2), 1)
    array([[1., 0.],
           [3., 2.]])

    See Also: flipud, fliplr, rot90
    """
    m = _array(m)
    ndim = len(shape_of(m))
    axes = range(ndim) if axis is None else _axes(axis, ndim, "flip")
    if not axes:
        return m
    return getitem_p(m, index=tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim)))


def flipud(m: Any) -> Any:
    """``m`` with its rows (axis 0) in reverse order.

    >>> flipud(np.arange(3.0))
    array([2., 1., 0.])

    See Also: flip, fliplr
    """
    m = _array(m)
    if len(shape_of(m)) < 1:
        raise ValueError("fad.numpy.flipud: input must be at least 1-d")
    return flip(m, 0)


def fliplr(m: Any) -> Any:
    """``m`` with its columns (axis 1) in reverse order.

    >>> fliplr(np.arange(4.0).reshape(2, 2))
    array([[1., 0.],
           [3., 2.]])

    See Also: flip, flipud
    """
    m = _array(m)
    if len(shape_of(m)) < 2:
        raise ValueError("fad.numpy.fliplr: input must be at least 2-d")
    return flip(m, 1)


def rot90(m: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    """``m`` rotated by ``k`` quarter turns in the plane of ``axes``, from the first axis toward the second.

    >>> rot90(np.arange(4.0).reshape(2, 2))
    array([[1., 3.],
           [0., 2.]])

    See Also: flip, transpose
    """
    m = _array(m)
    ndim = len(shape_of(m))
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError(f"fad.numpy.rot90: axes must hold 2 axes, got {axes!r}")
    if not all(-ndim <= ax < ndim for ax in axes):
        raise ValueError(f"fad.numpy.rot90: axes={axes} out of range for an array with {ndim} dimensions")
    first, second = (ax % ndim for ax in axes)
    if first == second:
        raise ValueError(f"fad.numpy.rot90: the two axes must be different, got {axes!r}")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, (first, second))
    order = list(range(ndim))
    order[first], order[second] = second, first
    if k == 1:
        return transpose_p(flip(m, second), axes=tuple(order))
    return flip(transpose_p(m, axes=tuple(order)), second)


# --------------------------------------------------------------------------------------
# Repetition: broadcasting along a new axis, then merging it (the VJP sums)
# --------------------------------------------------------------------------------------


def repeat(a: Any, repeats: Any, axis: Any = None) -> Any:
    """Each element of ``a`` repeated ``repeats`` times along ``axis`` (of the flattened array if None).

    With one count for all, element ``i`` is broadcast along a new axis of length
    ``repeats`` that is then merged into ``axis``; with one count per element it is an
    index ``[0, 0, 1, 2, 2, ...]`` along ``axis``, whose VJP sums the repeated entries.

    >>> repeat(np.array([1.0, 2.0]), [1, 2])
    array([1., 2., 2.])

    See Also: tile, broadcast_to
    """
    a = _array(a)
    if axis is None:
        a, axis = reshape_p(a, shape=(-1,)), 0
    shape = shape_of(a)
    axis = _axis(axis, len(shape))
    if np.size(repeats) != 1:
        return getitem_p(a, index=_along(axis, np.repeat(np.arange(shape[axis]), repeats)))
    count = len(np.repeat(0, repeats))  # NumPy's checks of the count
    spread = shape[: axis + 1] + (count,) + shape[axis + 1 :]
    widened = broadcast_to_p(reshape_p(a, shape=shape[: axis + 1] + (1,) + shape[axis + 1 :]), shape=spread)
    return reshape_p(widened, shape=shape[:axis] + (shape[axis] * count,) + shape[axis + 1 :])


def tile(A: Any, reps: Any) -> Any:  # noqa: N803  (numpy's name)
    """``A`` repeated ``reps[k]`` times along each axis ``k`` (shapes aligned at the right).

    Axis ``k`` of shape ``n`` is broadcast along a new axis of length ``reps[k]`` put
    in front of it, then the two are merged: element ``q * n + p`` is ``A[p]``.

    >>> tile(np.array([1.0, 2.0]), 2)
    array([1., 2., 1., 2.])

    See Also: repeat, broadcast_to
    """
    A = _array(A)  # noqa: N806
    reps = tuple(reps) if np.iterable(reps) else (reps,)
    reps = tuple(operator.index(r) for r in reps)
    if any(r < 0 for r in reps):
        raise ValueError(f"fad.numpy.tile: reps must be non-negative, got {reps}")
    shape = shape_of(A)
    d = max(len(shape), len(reps))
    shape, reps = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    interleaved = reshape_p(A, shape=tuple(x for n in shape for x in (1, n)))
    spread = broadcast_to_p(interleaved, shape=tuple(x for r, n in zip(reps, shape) for x in (r, n)))
    return reshape_p(spread, shape=tuple(r * n for r, n in zip(reps, shape)))


# --------------------------------------------------------------------------------------
# Splitting: one primitive with multiple results, whose VJP joins the cotangents
# --------------------------------------------------------------------------------------


def _pieces(x: Any, bounds: tuple = (), axis: int = 0) -> tuple:
    """The slices ``x[..., lo:hi, ...]`` along ``axis``, one per ``(lo, hi)`` in ``bounds``."""
    return tuple(x[_along(axis, slice(lo, hi))] for lo, hi in bounds)


def _join_pieces(ys: tuple, ybars: tuple, x: Any, bounds: tuple = (), axis: int = 0) -> tuple:
    """The VJP of ``split``: the pieces' cotangents joined back along ``axis``.

    When the pieces tile ``x`` in order (always, unless the split indices decrease) this is
    their concatenation; otherwise each cotangent is added at its piece's place.
    """
    ends = [lo for lo, _ in bounds] + [shape_of(x)[axis]]
    if ends[0] == 0 and all(hi == lo for (_, hi), lo in zip(bounds, ends[1:])):
        return (concatenate_p(*ybars, axis=axis),)
    shape = shape_of(x)
    parts = (index_add_p(yb, index=_along(axis, slice(lo, hi)), shape=shape) for yb, (lo, hi) in zip(ybars, bounds))
    return (reduce(operator.add, parts),)


split_p = primitive(_pieces, _join_pieces, name="split", multiple_results=True)


def _bounds(n: int, indices_or_sections: Any, equal: bool, who: str) -> tuple:
    """NumPy's division of ``range(n)`` into pieces, as ``(lo, hi)`` pairs with ``lo <= hi``."""
    if np.ndim(indices_or_sections) == 0:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"fad.numpy.{who}: the number of sections must be larger than 0, got {sections}")
        if equal and n % sections:
            raise ValueError(
                f"fad.numpy.{who}: {n} elements do not split into {sections} equal sections; "
                "use fad.numpy.array_split for unequal ones"
            )
        size, extra = divmod(n, sections)
        points = np.cumsum([0] + [size + 1] * extra + [size] * (sections - extra)).tolist()
    else:
        points = [0, *(operator.index(i) for i in indices_or_sections), n]
    pieces = (range(n)[slice(lo, hi)] for lo, hi in zip(points[:-1], points[1:]))
    return tuple((r.start, r.start + len(r)) for r in pieces)


def _split(ary: Any, indices_or_sections: Any, axis: Any, equal: bool, who: str) -> list:
    ary = _array(ary)
    shape = shape_of(ary)
    axis = _axis(axis, len(shape))
    return list(split_p(ary, bounds=_bounds(shape[axis], indices_or_sections, equal, who), axis=axis))


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """A list of sub-arrays of ``ary``: ``N`` equal sections, or cut at the given indices.

    >>> [p.tolist() for p in split(np.arange(6.0), [2, 3])]
    [[0.0, 1.0], [2.0], [3.0, 4.0, 5.0]]

    See Also: array_split, hsplit, vsplit, dsplit, concatenate
    """
    return _split(ary, indices_or_sections, axis, True, "split")


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Like ``split``, but ``N`` sections need not be equal: the first ``len % N`` get one more.

    >>> [len(p) for p in array_split(np.arange(7.0), 3)]
    [3, 2, 2]

    See Also: split
    """
    return _split(ary, indices_or_sections, axis, False, "array_split")


def hsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along the columns: axis 1, or axis 0 of a 1-d array.

    >>> [p.shape for p in hsplit(np.zeros((2, 4)), 2)]
    [(2, 2), (2, 2)]

    See Also: split, vsplit, dsplit
    """
    ndim = len(shape_of(ary))
    if ndim == 0:
        raise ValueError("fad.numpy.hsplit only works on arrays of 1 or more dimensions")
    return _split(ary, indices_or_sections, 1 if ndim > 1 else 0, True, "hsplit")


def vsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along the rows (axis 0) of an array of 2 or more dimensions.

    >>> [p.shape for p in vsplit(np.zeros((4, 2)), 2)]
    [(2, 2), (2, 2)]

    See Also: split, hsplit, dsplit
    """
    if len(shape_of(ary)) < 2:
        raise ValueError("fad.numpy.vsplit only works on arrays of 2 or more dimensions")
    return _split(ary, indices_or_sections, 0, True, "vsplit")


def dsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along the depth (axis 2) of an array of 3 or more dimensions.

    >>> [p.shape for p in dsplit(np.zeros((1, 1, 4)), 2)]
    [(1, 1, 2), (1, 1, 2)]

    See Also: split, hsplit, vsplit
    """
    if len(shape_of(ary)) < 3:
        raise ValueError("fad.numpy.dsplit only works on arrays of 3 or more dimensions")
    return _split(ary, indices_or_sections, 2, True, "dsplit")


# --------------------------------------------------------------------------------------
# Joining: concatenate and stack, with NumPy's dtype and casting
# --------------------------------------------------------------------------------------


def _cast_all(arrays: tuple, dtype: Any, casting: str, who: str) -> tuple:
    """``arrays`` converted to ``dtype`` (when given) under the ``casting`` rule."""
    if dtype is None:
        return arrays
    dtype, arrays = np.dtype(dtype), tuple(_array(a) for a in arrays)
    for a in arrays:
        if not np.can_cast(_dtype_of(a), dtype, casting=casting):
            raise TypeError(f"fad.numpy.{who}: cannot cast {_dtype_of(a)} to {dtype} under the rule {casting!r}")
    return tuple(astype(a, dtype) for a in arrays)


def _no_out(out: Any, who: str) -> NoReturn:
    raise TypeError(
        f"fad.numpy.{who}(..., out=...) cannot write into an array when a value is traced: fad "
        "arrays are immutable. Use the returned array instead."
    )


def concatenate(arrays: Any, axis: Any = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join arrays along an existing axis (flattening them first when ``axis`` is None).

    The VJP cuts the cotangent back into the inputs' pieces.

    >>> concatenate([np.zeros(2), np.ones(1)])
    array([0., 0., 1.])

    See Also: stack, hstack, vstack, split
    """
    arrays = tuple(arrays)
    if out is not None:
        if _traced(arrays):
            _no_out(out, "concatenate")
        return np.concatenate(arrays, axis, out=out, dtype=dtype, casting=casting)
    arrays = _cast_all(arrays, dtype, casting, "concatenate")
    if axis is None:
        return concatenate_p(*(reshape_p(a, shape=(-1,)) for a in arrays), axis=0)
    return concatenate_p(*arrays, axis=axis)


def stack(arrays: Any, axis: int = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join arrays of one shape along a new axis.

    >>> stack([np.zeros(2), np.ones(2)], axis=1)
    array([[0., 1.],
           [0., 1.]])

    See Also: concatenate, hstack, vstack
    """
    arrays = tuple(arrays)
    if out is not None:
        if _traced(arrays):
            _no_out(out, "stack")
        return np.stack(arrays, axis, out=out, dtype=dtype, casting=casting)
    return stack_p(*_cast_all(arrays, dtype, casting, "stack"), axis=axis)


def hstack(tup: Sequence, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join arrays along the columns: axis 1, or axis 0 for 1-d arrays.

    >>> hstack([np.zeros(2), np.ones(1)])
    array([0., 0., 1.])

    See Also: vstack, concatenate
    """
    arrays = [atleast_1d(a) for a in tup]
    axis = 0 if arrays and len(shape_of(arrays[0])) == 1 else 1
    return concatenate(arrays, axis, dtype=dtype, casting=casting)


def vstack(tup: Sequence, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join arrays along the rows (axis 0), 1-d arrays as rows.

    >>> vstack([np.zeros(2), np.ones(2)]).shape
    (2, 2)

    See Also: hstack, dstack, concatenate
    """
    return concatenate([atleast_2d(a) for a in tup], 0, dtype=dtype, casting=casting)


def dstack(tup: Sequence) -> Any:
    """Join arrays along the depth (axis 2), after making each at least 3-d.

    >>> dstack([np.zeros((2, 2)), np.ones((2, 2))]).shape
    (2, 2, 2)

    See Also: hstack, vstack, concatenate
    """
    return concatenate([atleast_3d(a) for a in tup], 2)


def column_stack(tup: Sequence) -> Any:
    """Join 1-d arrays as columns (and 2-d arrays as they are) into a 2-d array.

    >>> column_stack([np.zeros(2), np.ones(2)])
    array([[0., 1.],
           [0., 1.]])

    See Also: hstack, stack
    """
    columns = []
    for a in tup:
        a = _array(a)
        ndim = len(shape_of(a))
        columns.append(reshape_p(a, shape=(-1, 1)) if ndim < 2 else a)
    return concatenate(columns, 1)


def append(arr: Any, values: Any, axis: Any = None) -> Any:
    """``arr`` with ``values`` joined at its end along ``axis`` (both flattened if None).

    >>> append(np.zeros(2), [[1.0]])
    array([0., 0., 1.])

    See Also: concatenate
    """
    arr, values = _array(arr), _array(values)
    if axis is None:
        return concatenate((reshape_p(arr, shape=(-1,)), reshape_p(values, shape=(-1,))), 0)
    return concatenate((arr, values), axis)


def _block_depth(arrays: Any, index: tuple = ()) -> tuple[int, int]:
    """The nesting depth of the lists in ``arrays`` and the largest ``ndim`` of its leaves.

    Raises as NumPy does for a tuple, an empty list or leaves at different depths.
    """
    where = "arrays" + "".join(f"[{i}]" for i in index)
    if isinstance(arrays, tuple):
        raise TypeError(f"fad.numpy.block: {where} is a tuple; only lists can be used to arrange blocks")
    if not isinstance(arrays, list):
        return 0, len(shape_of(arrays))
    if not arrays:
        raise ValueError(f"fad.numpy.block: {where} cannot be an empty list")
    depths = [_block_depth(a, index + (i,)) for i, a in enumerate(arrays)]
    if len({d for d, _ in depths}) > 1:
        raise ValueError(f"fad.numpy.block: the lists in {where} are nested to different depths")
    return depths[0][0] + 1, max(n for _, n in depths)


def block(arrays: Any) -> Any:
    """An array assembled from nested lists of blocks: the innermost lists join along the last axis.

    >>> block([[np.eye(2), np.zeros((2, 1))], [np.ones((1, 2)), np.ones((1, 1))]])
    array([[1., 0., 0.],
           [0., 1., 0.],
           [1., 1., 1.]])

    See Also: concatenate, stack
    """
    depth, leaf_ndim = _block_depth(arrays)
    ndim = max(depth, leaf_ndim)

    def assemble(obj: Any, level: int) -> Any:
        if level == depth:  # a block: length-1 axes in front, up to ndim
            obj = _array(obj)
            shape = shape_of(obj)
            return reshape_p(obj, shape=(1,) * (ndim - len(shape)) + shape)
        return concatenate_p(*(assemble(o, level + 1) for o in obj), axis=level - depth)

    return assemble(arrays, 0)


# --------------------------------------------------------------------------------------
# Padding: constant blocks joined on, or an index along each axis
# --------------------------------------------------------------------------------------

_PAD_KEYWORDS = MappingProxyType(
    {"constant": ("constant_values",), "empty": (), "edge": (), "wrap": (),
     "reflect": ("reflect_type",), "symmetric": ("reflect_type",)}
)  # fmt: skip
_PAD_WITHOUT_RULE = ("linear_ramp", "maximum", "mean", "median", "minimum")


def _pairs(x: Any, ndim: int) -> Any:
    """``x`` broadcast to ``(ndim, 2)``: a ``(before, after)`` pair per axis, read as ``numpy.pad`` does."""
    shape = shape_of(x)
    if len(shape) < 3 and math.prod(shape) == 1:
        x = reshape_p(x, shape=(1, 1))
    elif len(shape) < 3 and math.prod(shape) == 2 and shape != (2, 1):
        x = reshape_p(x, shape=(1, 2))
    return broadcast_to_p(x, shape=(ndim, 2))


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    """``pad_width`` as one ``(before, after)`` pair of non-negative ints per axis."""
    if isinstance(pad_width, dict):  # {axis: width or (before, after)}, as NumPy 2.3 reads it
        widths = [(0, 0)] * ndim
        for ax, w in pad_width.items():
            widths[_axis(ax, ndim)] = (w, w) if np.ndim(w) == 0 else tuple(w)
        pad_width = widths
    pad_width = np.asarray(pad_width)
    if pad_width.dtype.kind not in "iu":
        raise TypeError(f"fad.numpy.pad: pad_width must be of integral type, got {pad_width.dtype}")
    widths = np.asarray(_pairs(pad_width, ndim)).tolist()
    if any(w < 0 for pair in widths for w in pair):
        raise ValueError(f"fad.numpy.pad: pad_width cannot be negative, got {pad_width.tolist()}")
    return [(int(b), int(a)) for b, a in widths]


def _pad_constant(array: Any, widths: list, values: Any) -> Any:
    """``array`` with blocks of ``values`` joined on, axis by axis (so later axes fill the corners)."""
    dtype = _dtype_of(array)
    pairs = _pairs(_array(values), len(widths))

    def block(ax: int, side: int, width: int) -> Any:
        """The block of ``width`` filled with the value for ``side`` (0 before, 1 after) of ``ax``."""
        value, shape = getitem_p(pairs, index=(ax, side)), shape_of(array)
        shape = shape[:ax] + (width,) + shape[ax + 1 :]
        if isinstance(value, Traced):  # a traced fill value: its cotangent is the sum over the block
            return broadcast_to_p(astype(value, dtype), shape=shape)
        return np.full(shape, value, dtype=dtype)

    for ax, (before, after) in enumerate(widths):
        if before or after:
            ends = [block(ax, side, width) if width else None for side, width in enumerate((before, after))]
            array = concatenate_p(*(x for x in (ends[0], array, ends[1]) if x is not None), axis=ax)
    return array


def _take(a: Any, axis: int, index: np.ndarray) -> Any:
    """``a[..., index, ...]`` for an index array along ``axis``, as the cheapest equivalent.

    An index that repeats one element is a broadcast slab (its VJP a sum), one that steps
    evenly is a slice; only other indices are taken as they are (their VJP accumulates
    repeated entries).
    """
    steps = np.unique(np.diff(index))
    if len(index) == 1 or len(steps) == 1:
        start, step = int(index[0]), int(steps[0]) if len(index) > 1 else 1
        if step == 0:
            shape = shape_of(a)[:axis] + (len(index),) + shape_of(a)[axis + 1 :]
            return broadcast_to_p(_slab(a, axis, start, start + 1), shape=shape)
        stop = start + step * len(index)
        return getitem_p(a, index=_along(axis, slice(start, stop if stop >= 0 else None, step)))
    return getitem_p(a, index=_along(axis, index))


def _pad_linear(array: Any, ax: int, before: int, after: int, mode: str, **kwargs: Any) -> Any:
    """``array`` padded along ``ax`` by a linear map of each line, as ``numpy.pad`` pads.

    The middle is ``array`` itself; the ends are read off NumPy's padding of each line's
    positions. Most modes copy elements: the ends are an index, ``numpy.pad(arange(n))``.
    An odd reflection combines them (``2 * edge - mirror``): the ends are then rows of the
    matrix ``numpy.pad(eye(n))``, applied by a product.
    """
    n, dtype = shape_of(array)[ax], _dtype_of(array)
    if kwargs.get("reflect_type", "even") != "odd":
        index = np.pad(np.arange(n), (before, after), mode=mode, **kwargs)
        ends = [_take(array, ax, index[:before]), _take(array, ax, index[before + n :])]
    else:
        real = np.finfo(dtype).dtype if dtype.kind in "fc" else np.dtype(np.float64)
        rows = np.pad(np.eye(n, dtype=real), ((before, after), (0, 0)), mode=mode, **kwargs)
        lines = moveaxis(array, ax, -1)
        ends = [moveaxis(matmul(lines, m.T), -1, ax) for m in (rows[:before], rows[before + n :])]
        ends = [end if _dtype_of(end) == dtype else astype(end, dtype) for end in ends]
    return concatenate_p(*([ends[0]] if before else []), array, *([ends[1]] if after else []), axis=ax)


def pad(array: Any, pad_width: Any, mode: Any = "constant", **kwargs: Any) -> Any:
    """``array`` padded by ``pad_width`` on each side of each axis.

    Modes: ``"constant"`` (``constant_values``, which may be traced), ``"edge"``,
    ``"reflect"`` and ``"symmetric"`` (``reflect_type`` ``"even"`` or ``"odd"``),
    ``"wrap"`` and ``"empty"`` (filled with zeros here). Each axis is padded in turn with
    a linear map of its lines, so the VJP sums each padded element back to its sources.

    >>> pad(np.array([1.0, 2.0, 3.0]), (2, 1), mode="reflect")
    array([3., 2., 1., 2., 3., 2.])

    See Also: concatenate, tile
    """
    array = _array(array)
    shape = shape_of(array)
    widths = _pad_widths(pad_width, len(shape))
    if callable(mode) or mode in _PAD_WITHOUT_RULE:
        raise NotImplementedError(
            f"fad.numpy.pad: mode {getattr(mode, '__name__', mode)!r} has no derivative rule in fad; "
            f"use one of {', '.join(_PAD_KEYWORDS)}"
        )
    if mode not in _PAD_KEYWORDS:
        raise ValueError(f"fad.numpy.pad: mode {mode!r} is not supported; use one of {', '.join(_PAD_KEYWORDS)}")
    unknown = set(kwargs) - set(_PAD_KEYWORDS[mode])
    if unknown:
        raise ValueError(f"fad.numpy.pad: unsupported keyword arguments for mode {mode!r}: {sorted(unknown)}")
    if mode in ("constant", "empty"):
        return _pad_constant(array, widths, kwargs.get("constant_values", 0))
    for ax, (before, after) in enumerate(widths):
        if shape[ax] == 0 and (before or after):
            raise ValueError(f"fad.numpy.pad: can't extend the empty axis {ax} in mode {mode!r}; only 'constant' can")
        if before or after:
            array = _pad_linear(array, ax, before, after, mode, **kwargs)
    return array


# --------------------------------------------------------------------------------------
# Differences
# --------------------------------------------------------------------------------------


def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """The ``n``-th forward difference ``a[i + 1] - a[i]`` along ``axis``, after joining ``prepend`` and ``append``.

    >>> diff(np.array([1.0, 4.0, 9.0, 16.0]), n=2)
    array([2., 2.])

    See Also: gradient, cumsum
    """
    a = _array(a)
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"fad.numpy.diff: order must be non-negative but got {n!r}")
    shape = shape_of(a)
    if not shape:
        raise ValueError("fad.numpy.diff requires input that is at least one dimensional")
    axis = _axis(axis, len(shape))

    def end(values: Any) -> list:
        """``prepend`` or ``append`` as a list of one slab (a scalar fills one); none if None."""
        if values is None:
            return []
        values = _array(values)
        return [values if shape_of(values) else broadcast_to_p(values, shape=shape[:axis] + (1,) + shape[axis + 1 :])]

    if prepend is not None or append is not None:
        a = concatenate_p(*end(prepend), a, *end(append), axis=axis)
    step = _not_equal if _dtype_of(a) == np.bool_ else operator.sub
    for _ in range(n):
        a = step(_slab(a, axis, 1, None), _slab(a, axis, None, -1))
    return a


def _spacings(varargs: tuple, axes: tuple, shape: tuple, real: np.dtype) -> list:
    """One spacing per axis of ``gradient``: a scalar step, or the differences of coordinates.

    Constant coordinates with equal steps become that step, as in NumPy; constants are
    given ``real`` precision so that float32 stays float32. Traced coordinates always
    give their differences, so that the derivative with respect to each one is right.
    """
    if not varargs:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(untraced(varargs[0])) == 0:
        varargs = varargs * len(axes)
    if len(varargs) != len(axes):
        raise TypeError(
            f"fad.numpy.gradient: give one spacing for all axes or one per axis; got {len(varargs)} for {len(axes)}"
        )
    spacings = []
    for ax, d in zip(axes, varargs):
        d = _array(d)
        ndim = len(shape_of(d))
        if ndim > 1:
            raise ValueError("fad.numpy.gradient: distances must be either scalars or 1d")
        if ndim == 1 and shape_of(d)[0] != shape[ax]:
            raise ValueError("fad.numpy.gradient: when 1d, distances must match the length of the corresponding axis")
        if ndim == 1 and shape[ax] >= 2 and not isinstance(d, Traced):
            d = np.diff(d.astype(np.float64) if d.dtype.kind in "iub" else d)
            d = d[0] if np.all(d == d[0]) else d.astype(real)
        elif ndim == 1 and shape[ax] >= 2:
            d = diff(d)
        spacings.append(d.item() if isinstance(d, (np.ndarray, np.generic)) and d.ndim == 0 else d)
    return spacings


def _gradient_along(f: Any, axis: int, dx: Any, edge_order: int) -> Any:
    """NumPy's second-order central differences along ``axis``, one-sided at the two ends.

    With steps ``h1`` before and ``h2`` after a sample, the interior is
    ``a f[i-1] + b f[i] + c f[i+1]`` with ``a = -h2 / (h1 (h1 + h2))``,
    ``b = (h2 - h1) / (h1 h2)``, ``c = h1 / (h2 (h1 + h2))``: ``(f[i+1] - f[i-1]) / 2h`` for
    a uniform step ``h``. The ends use two points (``edge_order=1``) or three.
    """
    n = shape_of(f)[axis]
    if n < edge_order + 1:
        raise ValueError(
            f"fad.numpy.gradient: axis {axis} has {n} elements, too few for a numerical gradient; "
            f"at least edge_order + 1 = {edge_order + 1} are required"
        )

    def x(start: Any, stop: Any) -> Any:
        return _slab(f, axis, start, stop)

    uniform = np.ndim(untraced(dx)) == 0
    if uniform:
        interior = (x(2, None) - x(None, -2)) / (2.0 * dx)
    else:
        along = (-1,) + (1,) * (len(shape_of(f)) - axis - 1)  # the coefficients broadcast along axis
        h1, h2 = reshape_p(dx[:-1], shape=along), reshape_p(dx[1:], shape=along)
        a, b, c = -h2 / (h1 * (h1 + h2)), (h2 - h1) / (h1 * h2), h1 / (h2 * (h1 + h2))
        interior = a * x(None, -2) + b * x(1, -1) + c * x(2, None)
    if edge_order == 1:
        first = (x(1, 2) - x(0, 1)) / (dx if uniform else dx[0])
        last = (x(-1, None) - x(-2, -1)) / (dx if uniform else dx[-1])
    elif uniform:
        first = -1.5 / dx * x(0, 1) + 2.0 / dx * x(1, 2) - 0.5 / dx * x(2, 3)
        last = 0.5 / dx * x(-3, -2) - 2.0 / dx * x(-2, -1) + 1.5 / dx * x(-1, None)
    else:
        h1, h2 = dx[0], dx[1]
        a, b, c = -(2.0 * h1 + h2) / (h1 * (h1 + h2)), (h1 + h2) / (h1 * h2), -h1 / (h2 * (h1 + h2))
        first = a * x(0, 1) + b * x(1, 2) + c * x(2, 3)
        h1, h2 = dx[-2], dx[-1]
        a, b, c = h2 / (h1 * (h1 + h2)), -(h2 + h1) / (h1 * h2), (2.0 * h2 + h1) / (h2 * (h1 + h2))
        last = a * x(-3, -2) + b * x(-2, -1) + c * x(-1, None)
    return concatenate_p(first, interior, last, axis=axis)


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """The gradient of sampled ``f``: central differences inside, one-sided differences at the ends.

    With spacing ``h`` the interior is ``(f[i + 1] - f[i - 1]) / (2 h)``; ``varargs`` gives
    one spacing for all axes, or one per axis (a scalar, or the coordinates of the
    samples, which may be traced); ``edge_order`` (1 or 2) is the accuracy at the ends.
    Returns one array per axis (just the array for one axis), in ``f``'s dtype.

    >>> gradient(np.array([1.0, 2.0, 4.0, 7.0]))
    array([1. , 1.5, 2.5, 3. ])

    See Also: diff
    """
    f = _array(f)
    shape = shape_of(f)
    axes = tuple(range(len(shape))) if axis is None else _axes(axis, len(shape), "gradient")
    if edge_order not in (1, 2):
        raise ValueError(f"fad.numpy.gradient: edge_order must be 1 or 2, got {edge_order!r}")
    otype = _dtype_of(f)
    if otype.kind not in "fc":
        otype = np.dtype(np.float64)
        f = astype(f, otype)
    spacings = _spacings(varargs, axes, shape, np.finfo(otype).dtype)
    outs = [_gradient_along(f, ax, dx, edge_order) for ax, dx in zip(axes, spacings)]
    outs = [out if _dtype_of(out) == otype else astype(out, otype) for out in outs]
    return outs[0] if len(axes) == 1 else _sequence(outs)


# --------------------------------------------------------------------------------------
# Construction: arrays from nested lists, filled arrays, ranges and grids
# --------------------------------------------------------------------------------------


def _stack_nested(obj: Any) -> Any:
    """Nested lists and tuples of values (some traced) stacked into one array."""
    if isinstance(obj, (list, tuple)):
        return stack_p(*(_stack_nested(o) for o in obj), axis=0)
    return obj


def array(
    object: Any,  # noqa: A002  (numpy's name)
    dtype: Any = None,
    *,
    copy: Any = True,
    order: str = "K",
    subok: bool = False,
    ndmin: int = 0,
    like: Any = None,
) -> Any:
    """An array from (nested lists of) numbers, arrays or traced values; traced values stay traced.

    >>> import fad
    >>> fad.grad(lambda x: array([[x, 2.0 * x], [1.0, x * x]]).sum())(3.0)
    9.0

    See Also: asarray, stack
    """
    if not _traced(object):
        options = {} if like is None else {"like": like}
        return np.array(object, dtype=dtype, copy=copy, order=order, subok=subok, ndmin=ndmin, **options)
    out = _stack_nested(object)
    if dtype is not None:
        out = astype(out, dtype)
    shape = shape_of(out)
    return reshape_p(out, shape=(1,) * (ndmin - len(shape)) + shape) if ndmin > len(shape) else out


def asarray(a: Any, dtype: Any = None, order: Any = None, **kwargs: Any) -> Any:
    """``a`` as an array: a traced value stays itself (converted to ``dtype`` if given).

    >>> asarray([1.0, 2.0])
    array([1., 2.])

    See Also: array
    """
    if not _traced(a):
        return np.asarray(a, dtype=dtype, order=order, **{k: v for k, v in kwargs.items() if v is not None})
    a = a if isinstance(a, Traced) else _stack_nested(a)
    return a if dtype is None or np.dtype(dtype) == _dtype_of(a) else astype(a, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **kwargs: Any) -> Any:
    """An array of ``shape`` filled with ``fill_value``; a traced fill value gets the sum of the cotangent.

    >>> full(2, 3.0)
    array([3., 3.])

    See Also: broadcast_to
    """
    if not _traced(fill_value):
        return np.full(shape, fill_value, dtype=dtype, order=order, **kwargs)
    fill_value = _array(fill_value)
    if dtype is not None and np.dtype(dtype) != _dtype_of(fill_value):
        fill_value = astype(fill_value, dtype)
    return broadcast_to_p(fill_value, shape=(shape,) if np.ndim(shape) == 0 else tuple(shape))


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
    **kwargs: Any,
) -> Any:
    """``num`` evenly spaced samples from ``start`` to ``stop``, which may be traced (arrays too).

    Sample ``i`` is ``start + i * step`` with ``step = (stop - start) / (num - 1)``
    (``/ num`` without the endpoint), and the last one is ``stop`` itself.

    >>> import fad
    >>> fad.jacobian(lambda stop: linspace(0.0, stop, 3))(1.0)
    array([0. , 0.5, 1. ])

    See Also: full, meshgrid
    """
    integer = dtype is not None and np.issubdtype(np.dtype(dtype), np.integer)
    if not _traced((start, stop)) or integer:  # integer samples have no derivative
        return np.linspace(untraced(start), untraced(stop), num, endpoint, retstep, dtype, axis, **kwargs)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"fad.numpy.linspace: number of samples, {num}, must be non-negative")
    start, stop = (array(x) if isinstance(x, (list, tuple)) else x for x in (start, stop))
    dt = np.linspace(untraced(start), untraced(stop), 0).dtype  # NumPy's, Python floats being weak
    start, stop = (x if isinstance(x, Traced) and _dtype_of(x) == dt else astype(x, dt) for x in (start, stop))
    delta = stop - start
    shape = shape_of(delta)
    i = np.arange(num, dtype=dt).reshape((-1,) + (1,) * len(shape))
    div = num - 1 if endpoint else num
    step: Any = np.nan
    if div > 0:
        step = delta / div
        y = i / div * delta if np.any(untraced(step) == 0) else i * step  # a step too small to be a number
    else:
        y = i * delta
    y = y + start
    if endpoint and num > 1:  # the last sample is stop exactly
        last = reshape_p(broadcast_to_p(stop, shape=shape), shape=(1,) + shape)
        y = concatenate_p(_slab(y, 0, None, -1), last, axis=0)
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if dtype is not None and np.dtype(dtype) != dt:
        y = astype(y, dtype)
    return (y, step) if retstep else y


def meshgrid(*xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> Any:
    """Coordinate arrays from coordinate vectors: each vector along its own axis, broadcast to the grid.

    ``indexing="xy"`` (Cartesian) swaps the first two axes; ``"ij"`` (matrix) does not.

    >>> [x.shape for x in meshgrid(np.zeros(2), np.zeros(3))]
    [(3, 2), (3, 2)]

    See Also: broadcast_to, linspace
    """
    if not _traced(xi):
        return np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing)
    if indexing not in ("xy", "ij"):
        raise ValueError(f"fad.numpy.meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    ndim = len(xi)
    axes = [1, 0, *range(2, ndim)] if indexing == "xy" and ndim > 1 else list(range(ndim))
    out = [reshape_p(_array(x), shape=tuple(-1 if k == ax else 1 for k in range(ndim))) for x, ax in zip(xi, axes)]
    if sparse:
        return _sequence(out) if copy else out
    shape = np.broadcast_shapes(*map(shape_of, out))
    return _sequence(broadcast_to_p(x, shape=shape) for x in out)


# --------------------------------------------------------------------------------------
# Conversion: the astype primitive
# --------------------------------------------------------------------------------------


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    """``x`` converted to ``dtype``; the cotangent is converted back to ``x``'s dtype.

    >>> astype(np.array([1.5, 2.5]), np.float32)
    array([1.5, 2.5], dtype=float32)

    See Also: asarray
    """
    if device not in (None, "cpu"):
        raise ValueError(f"fad.numpy.astype: device must be 'cpu' or None, got {device!r}")
    x = _array(x)
    dtype = np.dtype(dtype)
    if not copy and dtype == _dtype_of(x):
        return x
    return astype_p(x, dtype=dtype)


# --------------------------------------------------------------------------------------
# The ndarray methods
# --------------------------------------------------------------------------------------


def _reshape_method(a: Any, *shape: Any, order: str = "C", copy: Any = None) -> Any:
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))``."""
    return reshape(a, shape[0] if len(shape) == 1 else shape, order=order)


def _astype_method(
    x: Any, dtype: Any, order: str = "K", casting: str = "unsafe", subok: bool = True, copy: bool = True
) -> Any:
    """``x.astype(dtype)``, with NumPy's casting check."""
    if not np.can_cast(_dtype_of(x), dtype, casting=casting):
        raise TypeError(f"astype: cannot cast {_dtype_of(x)} to {np.dtype(dtype)} under the rule {casting!r}")
    return astype(x, dtype, copy=copy)


METHODS = MappingProxyType(
    {
        "reshape": _reshape_method,
        "ravel": ravel,
        "flatten": ravel,
        "squeeze": squeeze,
        "repeat": repeat,
        "astype": _astype_method,
    }
)
