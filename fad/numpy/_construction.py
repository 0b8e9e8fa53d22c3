"""Construction and conversion: arrays from nested lists, filled arrays, ranges, grids, ``astype``.

Each function keeps a traced argument traced: nested lists holding traced values are
stacked (``stack_p``), a traced fill value is broadcast (``broadcast_to_p``), and
``astype`` is the primitive ``astype_p`` of :mod:`fad.numpy._base`, whose VJP casts the
cotangent back, ``j(astype)(y, ybar, x) = (astype(ybar, x.dtype),)``, taking the real
part when a real value was cast to complex. The helpers that read NumPy's argument
conventions (sequences holding traced values, slices along an axis) are shared with the
shape modules above this one.
"""

from __future__ import annotations

import functools
import operator
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Primitive, Traced, untraced
from fad.numpy._base import (
    astype_p,
    broadcast_to_p,
    concatenate_p,
    dtype_of,
    getitem_p,
    nondiff,
    reshape_p,
    shape_of,
    stack_p,
    transpose_p,
)

__all__ = [
    "array", "asarray", "full", "linspace", "meshgrid", "astype",
    # no derivative, by definition
    "shape", "ndim", "size", "zeros_like", "ones_like", "empty_like", "full_like", "result_type",
]  # fmt: skip

_NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


# --------------------------------------------------------------------------------------
# Helpers: NumPy's sequence types, traced values inside lists, slices along an axis
# --------------------------------------------------------------------------------------


def any_traced(obj: Any) -> bool:
    """Whether ``obj`` is a traced value or a (nested) list or tuple holding one."""
    if isinstance(obj, Traced):
        return True
    return isinstance(obj, (list, tuple)) and any(any_traced(o) for o in obj)


def as_array(a: Any) -> Any:
    """``a`` itself when traced, else ``a`` as a NumPy array (lists of traced values stacked)."""
    if isinstance(a, Traced):
        return a
    return array(a) if any_traced(a) else np.asarray(a)


def traced_lists_as_arrays(f: Any) -> Any:
    """``f``, taking lists and tuples that hold traced values as the traced arrays they stand for.

    NumPy reads an array-like argument ``[x[0], x[1]]`` as an array; with traced leaves it
    cannot, so every positional or keyword argument that is such a list (a nested one too)
    is stacked into one traced array (:func:`array`) before ``f`` runs. Plain lists, tuples
    of axes and shapes, and everything else pass unchanged. ``fad.numpy`` applies it to its
    public functions where they enter, except those whose argument is a sequence of arrays
    (``concatenate``, ``stack``, ``block``, ...), which take their pieces one by one.
    """
    if not callable(f) or isinstance(f, Primitive) or getattr(f, "differentiable", True) is False:
        return f  # records see their own inputs; functions with no derivative read plain values anyway

    @functools.wraps(f)
    def taking_arrays(*args: Any, **kwargs: Any) -> Any:
        for a in args:
            if type(a) in (list, tuple) and any_traced(a):
                break
        else:
            if not any(type(v) in (list, tuple) and any_traced(v) for v in kwargs.values()):
                return f(*args, **kwargs)
        args = tuple(array(a) if type(a) in (list, tuple) and any_traced(a) else a for a in args)
        kwargs = {k: array(v) if type(v) in (list, tuple) and any_traced(v) else v for k, v in kwargs.items()}
        return f(*args, **kwargs)

    return taking_arrays


def as_sequence(items: Any) -> tuple | list:
    """A tuple, as NumPy 2 returns from ``atleast_1d``, ``meshgrid``, ``gradient``; a list before."""
    return tuple(items) if _NUMPY_2 else list(items)


def along(axis: int, index: Any) -> tuple:
    """The index that applies ``index`` to ``axis`` and takes every other axis whole."""
    return (slice(None),) * axis + (index,)


def slab(a: Any, axis: int, start: Any, stop: Any) -> Any:
    """``a[..., start:stop, ...]``: the slice ``start:stop`` along ``axis``."""
    return getitem_p(a, index=along(axis, slice(start, stop)))


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
    if not any_traced(object):
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
    if not any_traced(a):
        return np.asarray(a, dtype=dtype, order=order, **{k: v for k, v in kwargs.items() if v is not None})
    a = a if isinstance(a, Traced) else _stack_nested(a)
    return a if dtype is None or np.dtype(dtype) == dtype_of(a) else astype(a, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **kwargs: Any) -> Any:
    """An array of ``shape`` filled with ``fill_value``; a traced fill value gets the sum of the cotangent.

    >>> full(2, 3.0)
    array([3., 3.])

    See Also: broadcast_to
    """
    if not any_traced(fill_value):
        return np.full(shape, fill_value, dtype=dtype, order=order, **kwargs)
    fill_value = as_array(fill_value)
    if dtype is not None and np.dtype(dtype) != dtype_of(fill_value):
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
    if not any_traced((start, stop)) or integer:  # integer samples have no derivative
        return np.linspace(untraced(start), untraced(stop), num, endpoint, retstep, dtype, axis, **kwargs)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"fad.numpy.linspace: number of samples, {num}, must be non-negative")
    start, stop = (array(x) if isinstance(x, (list, tuple)) else x for x in (start, stop))
    dt = np.linspace(untraced(start), untraced(stop), 0).dtype  # NumPy's, Python floats being weak
    start, stop = (x if isinstance(x, Traced) and dtype_of(x) == dt else astype(x, dt) for x in (start, stop))
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
        y = concatenate_p(slab(y, 0, None, -1), last, axis=0)
    if axis != 0:  # move the samples' axis 0 to axis
        order = list(range(1, len(shape_of(y))))
        order.insert(axis % len(shape_of(y)), 0)
        y = transpose_p(y, axes=tuple(order))
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
    if not any_traced(xi):
        return np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing)
    if indexing not in ("xy", "ij"):
        raise ValueError(f"fad.numpy.meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    ndim = len(xi)
    axes = [1, 0, *range(2, ndim)] if indexing == "xy" and ndim > 1 else list(range(ndim))
    out = [reshape_p(as_array(x), shape=tuple(-1 if k == ax else 1 for k in range(ndim))) for x, ax in zip(xi, axes)]
    if sparse:
        return as_sequence(out) if copy else out
    shape = np.broadcast_shapes(*map(shape_of, out))
    return as_sequence(broadcast_to_p(x, shape=shape) for x in out)


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
    x = as_array(x)
    dtype = np.dtype(dtype)
    if not copy and dtype == dtype_of(x):
        return x
    return astype_p(x, dtype=dtype)



# --------------------------------------------------------------------------------------
# No derivative, by definition: run on the plain values under any tracing
# --------------------------------------------------------------------------------------

shape, ndim, size = nondiff(np.shape), nondiff(np.ndim), nondiff(np.size)
zeros_like, ones_like = nondiff(np.zeros_like), nondiff(np.ones_like)
empty_like = nondiff(np.empty_like)


def full_like(
    a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True, shape: Any = None, **kwargs: Any
) -> Any:
    """An array of ``a``'s shape and dtype filled with ``fill_value``; a traced fill value gets the summed cotangent.

    ``a`` gives only the shape and dtype: the result does not depend on its values.

    >>> import fad
    >>> fad.grad(lambda v: full_like(np.zeros(3), v).sum())(2.0)
    3.0

    See Also: full, zeros_like
    """
    if not any_traced(fill_value):
        return np.full_like(untraced(a), fill_value, dtype=dtype, order=order, subok=subok, shape=shape, **kwargs)
    shape = shape_of(a) if shape is None else shape
    return full(shape, fill_value, dtype=dtype_of(a) if dtype is None else dtype)
result_type = nondiff(np.result_type)


# --------------------------------------------------------------------------------------
# The ndarray methods
# --------------------------------------------------------------------------------------


def _astype_method(
    x: Any, dtype: Any, order: str = "K", casting: str = "unsafe", subok: bool = True, copy: bool = True
) -> Any:
    """``x.astype(dtype)``, with NumPy's casting check."""
    if not np.can_cast(dtype_of(x), dtype, casting=casting):
        raise TypeError(f"astype: cannot cast {dtype_of(x)} to {np.dtype(dtype)} under the rule {casting!r}")
    return astype(x, dtype, copy=copy)


METHODS = MappingProxyType({"astype": _astype_method})
