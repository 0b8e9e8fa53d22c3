"""Joining, padding and differences: arrays built from pieces of others.

Each function is a composition of ``concatenate_p``, ``stack_p`` and ``getitem_p``
(:mod:`fad.numpy._base`), whose VJPs cut the cotangent back into the inputs' pieces, and
of the shape functions of :mod:`fad.numpy._shapes`; each is differentiable to any order
without a rule of its own. ``pad`` reads its index along each axis from NumPy itself,
so its edge cases are NumPy's own.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from fad.core import Traced, untraced
from fad.numpy._base import (
    broadcast_to_p,
    concatenate_p,
    dtype_of,
    getitem_p,
    no_out,
    nondiff,
    normalize_axes,
    normalize_axis,
    reshape_p,
    shape_of,
    stack_p,
)
from fad.numpy._construction import along, any_traced, as_array, as_sequence, astype, slab
from fad.numpy._products import matmul
from fad.numpy._shapes import atleast_1d, atleast_2d, atleast_3d, moveaxis

__all__ = [
    # joining
    "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "append", "block",
    # padding and differences
    "pad", "diff", "gradient",
    # index tricks
    "r_", "c_",
]  # fmt: skip

_not_equal = nondiff(np.not_equal)


# --------------------------------------------------------------------------------------
# Joining: concatenate and stack, with NumPy's dtype and casting
# --------------------------------------------------------------------------------------


def _cast_all(arrays: tuple, dtype: Any, casting: str, who: str) -> tuple:
    """``arrays`` converted to ``dtype`` (when given) under the ``casting`` rule."""
    if dtype is None:
        return arrays
    dtype, arrays = np.dtype(dtype), tuple(as_array(a) for a in arrays)
    for a in arrays:
        if not np.can_cast(dtype_of(a), dtype, casting=casting):
            raise TypeError(f"fad.numpy.{who}: cannot cast {dtype_of(a)} to {dtype} under the rule {casting!r}")
    return tuple(astype(a, dtype) for a in arrays)


def concatenate(arrays: Any, axis: Any = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """Join arrays along an existing axis (flattening them first when ``axis`` is None).

    The VJP cuts the cotangent back into the inputs' pieces.

    >>> concatenate([np.zeros(2), np.ones(1)])
    array([0., 0., 1.])

    See Also: stack, hstack, vstack, split
    """
    arrays = tuple(arrays)
    if out is not None:
        if any_traced(arrays):
            no_out(out, "concatenate")
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
        if any_traced(arrays):
            no_out(out, "stack")
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
        a = as_array(a)
        ndim = len(shape_of(a))
        columns.append(reshape_p(a, shape=(-1, 1)) if ndim < 2 else a)
    return concatenate(columns, 1)


def append(arr: Any, values: Any, axis: Any = None) -> Any:
    """``arr`` with ``values`` joined at its end along ``axis`` (both flattened if None).

    >>> append(np.zeros(2), [[1.0]])
    array([0., 0., 1.])

    See Also: concatenate
    """
    arr, values = as_array(arr), as_array(values)
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
            obj = as_array(obj)
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
            widths[normalize_axis(ax, ndim)] = (w, w) if np.ndim(w) == 0 else tuple(w)
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
    dtype = dtype_of(array)
    pairs = _pairs(as_array(values), len(widths))

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
            return broadcast_to_p(slab(a, axis, start, start + 1), shape=shape)
        stop = start + step * len(index)
        return getitem_p(a, index=along(axis, slice(start, stop if stop >= 0 else None, step)))
    return getitem_p(a, index=along(axis, index))


def _pad_linear(array: Any, ax: int, before: int, after: int, mode: str, **kwargs: Any) -> Any:
    """``array`` padded along ``ax`` by a linear map of each line, as ``numpy.pad`` pads.

    The middle is ``array`` itself; the ends are read off NumPy's padding of each line's
    positions. Most modes copy elements: the ends are an index, ``numpy.pad(arange(n))``.
    An odd reflection combines them (``2 * edge - mirror``): the ends are then rows of the
    matrix ``numpy.pad(eye(n))``, applied by a product.
    """
    n, dtype = shape_of(array)[ax], dtype_of(array)
    if kwargs.get("reflect_type", "even") != "odd":
        index = np.pad(np.arange(n), (before, after), mode=mode, **kwargs)
        ends = [_take(array, ax, index[:before]), _take(array, ax, index[before + n :])]
    else:
        real = np.finfo(dtype).dtype if dtype.kind in "fc" else np.dtype(np.float64)
        rows = np.pad(np.eye(n, dtype=real), ((before, after), (0, 0)), mode=mode, **kwargs)
        lines = moveaxis(array, ax, -1)
        ends = [moveaxis(matmul(lines, m.T), -1, ax) for m in (rows[:before], rows[before + n :])]
        ends = [end if dtype_of(end) == dtype else astype(end, dtype) for end in ends]
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
    array = as_array(array)
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
    a = as_array(a)
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"fad.numpy.diff: order must be non-negative but got {n!r}")
    shape = shape_of(a)
    if not shape:
        raise ValueError("fad.numpy.diff requires input that is at least one dimensional")
    axis = normalize_axis(axis, len(shape))

    def end(values: Any) -> list:
        """``prepend`` or ``append`` as a list of one slab (a scalar fills one); none if None."""
        if values is None:
            return []
        values = as_array(values)
        return [values if shape_of(values) else broadcast_to_p(values, shape=shape[:axis] + (1,) + shape[axis + 1 :])]

    if prepend is not None or append is not None:
        a = concatenate_p(*end(prepend), a, *end(append), axis=axis)
    step = _not_equal if dtype_of(a) == np.bool_ else operator.sub
    for _ in range(n):
        a = step(slab(a, axis, 1, None), slab(a, axis, None, -1))
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
        d = as_array(d)
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
        return slab(f, axis, start, stop)

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
    f = as_array(f)
    shape = shape_of(f)
    axes = tuple(range(len(shape))) if axis is None else normalize_axes(axis, len(shape), "gradient")
    if edge_order not in (1, 2):
        raise ValueError(f"fad.numpy.gradient: edge_order must be 1 or 2, got {edge_order!r}")
    otype = dtype_of(f)
    if otype.kind not in "fc":
        otype = np.dtype(np.float64)
        f = astype(f, otype)
    spacings = _spacings(varargs, axes, shape, np.finfo(otype).dtype)
    outs = [_gradient_along(f, ax, dx, edge_order) for ax, dx in zip(axes, spacings)]
    outs = [out if dtype_of(out) == otype else astype(out, otype) for out in outs]
    return outs[0] if len(axes) == 1 else as_sequence(outs)




# --------------------------------------------------------------------------------------
# Index tricks: r_ and c_, with traced pieces
# --------------------------------------------------------------------------------------


class _Concatenator(NamedTuple):
    """``r_[...]`` or ``c_[...]``: the pieces of an index joined into one array (NumPy's own without traced pieces).

    ``r_`` joins the pieces as 1-d arrays (at least) along the first axis; ``c_`` makes 1-d
    pieces columns (and scalars 1 x 1) and joins along the last. Slices stand for ranges,
    as in NumPy. The string directives (``r_['0,2', ...]``) are NumPy's only for plain
    pieces.
    """

    name: str

    def __getitem__(self, key: Any) -> Any:
        key = key if isinstance(key, tuple) else (key,)
        if not any_traced(key):
            return getattr(np, self.name)[key]
        if any(isinstance(k, str) for k in key):
            raise NotImplementedError(f"fad.numpy.{self.name}: string directives with traced pieces are not "
                                      "supported; reshape the pieces and use fad.numpy.concatenate")
        pieces = [np.r_[k] if isinstance(k, slice) else as_array(k) for k in key]
        if self.name == "r_":
            return concatenate([atleast_1d(p) for p in pieces], axis=0)
        columns = [reshape_p(p, shape=(*shape_of(p), 1)) if len(shape_of(p)) == 1 else atleast_2d(p) for p in pieces]
        return concatenate(columns, axis=-1)


r_ = _Concatenator("r_")
"""``numpy.r_``: pieces joined along the first axis; traced pieces stay traced.

>>> import fad
>>> fad.grad(lambda x: r_[x, 2.0 * x, 0.0:2.0].sum())(1.0)
3.0
"""
c_ = _Concatenator("c_")
"""``numpy.c_``: 1-d pieces joined as columns; traced pieces stay traced."""


METHODS = MappingProxyType({})  # no ndarray method joins or pads
