"""Shape: reshaping, reordering, repeating and splitting arrays.

Every function here only moves or copies elements, so each is a short composition of
the structural primitives of :mod:`fad.numpy._base` (``reshape_p``, ``transpose_p``,
``broadcast_to_p``, ``getitem_p``) and is differentiable to any order without a rule of
its own. One is a primitive: ``split``, with multiple results, whose VJP concatenates
the cotangents of the pieces, ``j(split)(ys, ybars, x) = (concatenate(ybars),)``, one
pass instead of one zero-padded array per piece.

Functions that build an index or a shape read them from NumPy itself, applied to an
index array (``repeat``) or to a zero-strided placeholder of the input's shape
(``squeeze``, ``expand_dims``, ``atleast_2d``), so their edge cases are NumPy's own.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import primitive, untraced
from fad.numpy._base import (
    broadcast_to_p,
    concatenate_p,
    getitem_p,
    index_add_p,
    normalize_axes,
    normalize_axis,
    reshape_p,
    shape_of,
    transpose_p,
)
from fad.numpy._construction import along, as_array, slab

__all__ = [
    # shape
    "transpose", "swapaxes", "broadcast_to",
    "reshape", "ravel", "squeeze", "expand_dims", "atleast_1d", "atleast_2d", "atleast_3d",
    # order of axes and elements
    "moveaxis", "rollaxis", "roll", "flip", "flipud", "fliplr", "rot90",
    # repetition
    "repeat", "tile",
    # splitting
    "split", "array_split", "hsplit", "vsplit", "dsplit",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _ghost(shape: tuple) -> np.ndarray:
    """A read-only array of ``shape`` that takes no memory: NumPy's shape logic runs on it."""
    return np.broadcast_to(np.empty((), dtype=bool), shape)


# --------------------------------------------------------------------------------------
# Shape: reshape and friends, each a reshape
# --------------------------------------------------------------------------------------


def transpose(a: Any, axes: Any = None) -> Any:
    """Permute the axes of ``a`` (reverse them when ``axes`` is None).

    >>> transpose(np.zeros((2, 3))).shape
    (3, 2)

    See Also: swapaxes, moveaxis
    """
    return transpose_p(a, axes=None if axes is None else tuple(axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """Interchange two axes of ``a``.

    >>> swapaxes(np.zeros((2, 3, 4)), 0, 2).shape
    (4, 3, 2)

    See Also: transpose, moveaxis
    """
    axes = list(range(len(shape_of(a))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(a, axes)


def broadcast_to(array: Any, shape: Any) -> Any:
    """Broadcast ``array`` to ``shape``; the VJP sums the cotangent back.

    >>> broadcast_to(np.array([1.0, 2.0]), (2, 2))
    array([[1., 2.],
           [1., 2.]])

    See Also: reshape
    """
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return broadcast_to_p(array, shape=shape)


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
    a = as_array(a)
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
    a = as_array(a)
    if order == "K":
        return reshape_p(transpose_p(a, axes=_memory_order(a)), shape=(-1,))
    return reshape(a, (-1,), order=order)


def squeeze(a: Any, axis: Any = None) -> Any:
    """``a`` without its length-1 axes (those in ``axis``, or all).

    >>> squeeze(np.zeros((1, 3, 1))).shape
    (3,)

    See Also: expand_dims, reshape
    """
    a = as_array(a)
    return reshape_p(a, shape=np.squeeze(_ghost(shape_of(a)), axis=axis).shape)


def expand_dims(a: Any, axis: Any) -> Any:
    """``a`` with length-1 axes inserted at ``axis`` (an int or a tuple of ints).

    >>> expand_dims(np.zeros(3), (0, 2)).shape
    (1, 3, 1)

    See Also: squeeze, reshape
    """
    a = as_array(a)
    axis = tuple(axis) if isinstance(axis, list) else axis
    return reshape_p(a, shape=np.expand_dims(_ghost(shape_of(a)), axis).shape)


def _atleast(numpy_atleast: Callable, arys: tuple) -> Any:
    """Each of ``arys`` reshaped as ``numpy_atleast`` reshapes it, in NumPy's container."""
    arys = tuple(as_array(a) for a in arys)
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
    a = as_array(a)
    ndim = len(shape_of(a))
    source, destination = normalize_axes(source, ndim, "moveaxis"), normalize_axes(destination, ndim, "moveaxis")
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
    a = as_array(a)
    ndim = len(shape_of(a))
    axis = normalize_axis(axis, ndim)
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
    a = as_array(a)
    shape = shape_of(a)
    if axis is None:
        return reshape_p(roll(reshape_p(a, shape=(-1,)), shift, 0), shape=shape)
    pairs = np.broadcast(shift, axis)
    if pairs.ndim > 1:
        raise ValueError("fad.numpy.roll: shift and axis must be scalars or 1-d sequences")
    total = dict.fromkeys(range(len(shape)), 0)
    for s, ax in pairs:
        total[normalize_axis(ax, len(shape))] += int(s)
    for ax, s in total.items():
        n = shape[ax]
        if n > 0 and s % n:
            k = n - s % n  # the first k elements go to the end
            head, tail = slab(a, ax, None, k), slab(a, ax, k, None)
            a = concatenate_p(tail, head, axis=ax)
    return a


def flip(m: Any, axis: Any = None) -> Any:
    """``m`` with the order of elements reversed along ``axis`` (every axis if None).

    >>> flip(np.arange(4.0).reshape(2, 2), 1)
    array([[1., 0.],
           [3., 2.]])

    See Also: flipud, fliplr, rot90
    """
    m = as_array(m)
    ndim = len(shape_of(m))
    axes = range(ndim) if axis is None else normalize_axes(axis, ndim, "flip")
    if not axes:
        return m
    return getitem_p(m, index=tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim)))


def flipud(m: Any) -> Any:
    """``m`` with its rows (axis 0) in reverse order.

    >>> flipud(np.arange(3.0))
    array([2., 1., 0.])

    See Also: flip, fliplr
    """
    m = as_array(m)
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
    m = as_array(m)
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
    m = as_array(m)
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
    a = as_array(a)
    if axis is None:
        a, axis = reshape_p(a, shape=(-1,)), 0
    shape = shape_of(a)
    axis = normalize_axis(axis, len(shape))
    if np.size(repeats) != 1:
        return getitem_p(a, index=along(axis, np.repeat(np.arange(shape[axis]), repeats)))
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
    A = as_array(A)  # noqa: N806
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
    return tuple(x[along(axis, slice(lo, hi))] for lo, hi in bounds)


def _join_pieces(ys: tuple, ybars: tuple, x: Any, bounds: tuple = (), axis: int = 0) -> tuple:
    """The VJP of ``split``: the pieces' cotangents joined back along ``axis``.

    When the pieces tile ``x`` in order (always, unless the split indices decrease) this is
    their concatenation; otherwise each cotangent is added at its piece's place.
    """
    ends = [lo for lo, _ in bounds] + [shape_of(x)[axis]]
    if ends[0] == 0 and all(hi == lo for (_, hi), lo in zip(bounds, ends[1:])):
        return (concatenate_p(*ybars, axis=axis),)
    shape = shape_of(x)
    parts = (index_add_p(yb, index=along(axis, slice(lo, hi)), shape=shape) for yb, (lo, hi) in zip(ybars, bounds))
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
    ary = as_array(ary)
    shape = shape_of(ary)
    axis = normalize_axis(axis, len(shape))
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
# The ndarray methods
# --------------------------------------------------------------------------------------


def _reshape_method(a: Any, *shape: Any, order: str = "C", copy: Any = None) -> Any:
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))``."""
    return reshape(a, shape[0] if len(shape) == 1 else shape, order=order)


METHODS = MappingProxyType(
    {
        "swapaxes": swapaxes,
        "transpose": lambda x, *axes: transpose(x, (axes[0] if len(axes) == 1 else axes) if axes else None),
        "reshape": _reshape_method,
        "ravel": ravel,
        "flatten": ravel,
        "squeeze": squeeze,
        "repeat": repeat,
    }
)
