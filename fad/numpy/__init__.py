"""fad.numpy: NumPy, differentiable.

Use it as you would ``numpy``: ``import fad.numpy as np``. The functions with a
derivative rule are :mod:`fad.numpy._rules` primitives or short compositions of them;
functions that have no derivative by definition (comparisons, ``argmax``, ``floor``,
``shape``, ...) run on traced values and give plain results. Any other NumPy name is
NumPy's own: constants, dtypes and constructors work as usual, and a NumPy function
with no rule that meets a traced value raises ``NotImplementedError`` naming it.

>>> import fad
>>> import fad.numpy as np
>>> fad.grad(lambda x: np.sum(np.sin(x) * x))(np.array([0.0, 1.0]))
array([0.        , 1.38177329])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as _np

from fad.core import Box, bottom
from fad.numpy._rules import (
    absolute,
    add,
    astype_p,
    broadcast_to_p,
    concatenate_p,
    cos,
    divide,
    exp,
    getitem_p,
    log,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    reshape_p,
    shape_of,
    sin,
    sqrt,
    stack_p,
    subtract,
    sum_p,
    tanh,
    transpose_p,
    where_p,
)

__all__ = [
    # elementwise
    "negative", "exp", "log", "sin", "cos", "tanh", "sqrt", "absolute", "abs",
    "add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum",
    # reductions, shape, products, selection, construction
    "sum", "mean", "reshape", "ravel", "transpose", "swapaxes", "expand_dims", "broadcast_to",
    "astype", "dot", "matmul", "getitem", "where", "concatenate", "stack", "array", "asarray",
    # no derivative, by definition
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "shape", "ndim", "size", "zeros_like", "ones_like", "empty_like", "full_like",
    "sign", "floor", "ceil", "round", "rint", "trunc", "argmax", "argmin", "argsort",
    "isfinite", "isnan", "isinf", "nonzero", "logical_and", "logical_or", "logical_not",
    "result_type",
]  # fmt: skip

abs = absolute  # noqa: A001  (numpy's own alias)
true_divide = divide


# --------------------------------------------------------------------------------------
# Compositions of primitives, with NumPy's signatures
# --------------------------------------------------------------------------------------


def sum(a: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Sum of array elements over ``axis``; the VJP broadcasts ``ybar`` back."""
    axis = tuple(axis) if isinstance(axis, list) else axis
    return sum_p(a, axis=axis, keepdims=keepdims)


def mean(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Arithmetic mean over ``axis``: the sum divided by the number of elements summed."""
    shape = shape_of(a)
    axes = range(len(shape)) if axis is None else _np.atleast_1d(axis)
    count = int(_np.prod([shape[int(i)] for i in axes]))
    return sum(a, axis=axis, keepdims=keepdims) / count


def reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None) -> Any:
    """Give ``a`` a new shape (one dimension may be -1)."""
    shape = newshape if shape is None else shape
    if order != "C":
        raise NotImplementedError("fad.numpy.reshape supports order='C' only")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return reshape_p(a, shape=_np.empty(shape_of(a), dtype=bool).reshape(shape).shape)


def ravel(a: Any) -> Any:
    """``a`` flattened to one dimension."""
    return reshape(a, (-1,))


def transpose(a: Any, axes: Any = None) -> Any:
    """Permute the axes of ``a`` (reverse them when ``axes`` is None)."""
    return transpose_p(a, axes=None if axes is None else tuple(axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """Interchange two axes of ``a``."""
    axes = list(range(len(shape_of(a))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(a, axes)


def expand_dims(a: Any, axis: int) -> Any:
    """Insert a length-1 axis at ``axis``."""
    return reshape(a, _np.expand_dims(_np.empty(shape_of(a), dtype=bool), axis).shape)


def broadcast_to(array: Any, shape: Any) -> Any:
    """Broadcast ``array`` to ``shape``; the VJP sums the cotangent back."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return broadcast_to_p(array, shape=shape)


def astype(x: Any, dtype: Any) -> Any:
    """``x`` converted to ``dtype``; the cotangent is converted back."""
    return astype_p(x, dtype=_np.dtype(dtype))


def dot(a: Any, b: Any) -> Any:
    """Dot product: a product of scalars, a matrix product for 1-d and 2-d arrays."""
    if _np.ndim(bottom(a)) == 0 or _np.ndim(bottom(b)) == 0:
        return multiply(a, b)
    if _np.ndim(bottom(a)) <= 2 and _np.ndim(bottom(b)) <= 2:
        return matmul(a, b)
    raise NotImplementedError(
        "fad.numpy.dot of arrays with more than 2 dimensions is not supported yet; "
        "use fad.numpy.matmul (which broadcasts batch axes)"
    )


def getitem(x: Any, index: Any) -> Any:
    """``x[index]`` for every kind of index; repeated indices accumulate in the VJP."""
    if isinstance(index, list):  # numpy reads a list as an integer array index
        index = _np.asarray(index)
    elif isinstance(index, tuple):
        index = tuple(_np.asarray(bottom(i)) if isinstance(i, (list, Box)) else i for i in index)
    elif isinstance(index, Box):
        index = _np.asarray(bottom(index))
    return getitem_p(x, index=index)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """Elements of ``x`` where ``condition`` holds, else of ``y`` (no derivative in ``condition``)."""
    if x is None and y is None:
        return _np.where(bottom(condition))
    return where_p(_np.asarray(bottom(condition)), x, y)


def concatenate(arrays: Any, axis: int | None = 0) -> Any:
    """Join arrays along an existing axis (flattening them first when ``axis`` is None)."""
    arrays = tuple(arrays)
    if axis is None:
        return concatenate_p(*[ravel(a) for a in arrays], axis=0)
    return concatenate_p(*arrays, axis=axis)


def stack(arrays: Any, axis: int = 0) -> Any:
    """Join arrays along a new axis."""
    return stack_p(*tuple(arrays), axis=axis)


def _has_box(obj: Any) -> bool:
    if isinstance(obj, Box):
        return True
    return isinstance(obj, (list, tuple)) and any(_has_box(o) for o in obj)


def _stack_nested(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        return stack([_stack_nested(o) for o in obj])
    return obj


def array(obj: Any, dtype: Any = None, **kwargs: Any) -> Any:
    """An array from (nested lists of) numbers, arrays or traced values.

    >>> array([[1.0, 2.0]]).shape
    (1, 2)
    """
    if not _has_box(obj):
        return _np.array(obj, dtype=dtype, **kwargs)
    out = _stack_nested(obj)
    return out if dtype is None else astype(out, dtype)


def asarray(a: Any, dtype: Any = None) -> Any:
    """``a`` as an array; traced values stay traced."""
    if isinstance(a, Box):
        return a if dtype is None else astype(a, dtype)
    return array(a, dtype=dtype) if _has_box(a) else _np.asarray(a, dtype=dtype)


# --------------------------------------------------------------------------------------
# No derivative, by definition: run on the plain values under any tracing
# --------------------------------------------------------------------------------------


def _nondiff(f: Callable) -> Callable:
    @functools.wraps(f)
    def plain(*args: Any, **kwargs: Any) -> Any:
        return f(*map(bottom, args), **{k: bottom(v) for k, v in kwargs.items()})

    plain.__doc__ = f"``numpy.{f.__name__}`` on plain values: it has no derivative."
    return plain


equal, not_equal = _nondiff(_np.equal), _nondiff(_np.not_equal)
less, less_equal = _nondiff(_np.less), _nondiff(_np.less_equal)
greater, greater_equal = _nondiff(_np.greater), _nondiff(_np.greater_equal)
shape, ndim, size = _nondiff(_np.shape), _nondiff(_np.ndim), _nondiff(_np.size)
zeros_like, ones_like = _nondiff(_np.zeros_like), _nondiff(_np.ones_like)
empty_like, full_like = _nondiff(_np.empty_like), _nondiff(_np.full_like)
sign, floor, ceil = _nondiff(_np.sign), _nondiff(_np.floor), _nondiff(_np.ceil)
round, rint, trunc = _nondiff(_np.round), _nondiff(_np.rint), _nondiff(_np.trunc)  # noqa: A001
argmax, argmin, argsort = _nondiff(_np.argmax), _nondiff(_np.argmin), _nondiff(_np.argsort)
isfinite, isnan, isinf = _nondiff(_np.isfinite), _nondiff(_np.isnan), _nondiff(_np.isinf)
nonzero, result_type = _nondiff(_np.nonzero), _nondiff(_np.result_type)
logical_and, logical_or = _nondiff(_np.logical_and), _nondiff(_np.logical_or)
logical_not = _nondiff(_np.logical_not)


# --------------------------------------------------------------------------------------
# The ndarray methods of traced arrays, and NumPy's dispatch to fad
# --------------------------------------------------------------------------------------


def _shape_args(args: tuple) -> Any:
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` mean the same."""
    return args[0] if len(args) == 1 else args


METHODS = MappingProxyType(
    {
        "sum": sum,
        "mean": mean,
        "dot": dot,
        "astype": astype,
        "swapaxes": swapaxes,
        "ravel": ravel,
        "flatten": ravel,
        "reshape": lambda x, *shape, **kw: reshape(x, _shape_args(shape) if shape else None, **kw),
        "transpose": lambda x, *axes: transpose(x, _shape_args(axes) if axes else None),
    }
)

_PUBLIC = frozenset(__all__)


def _own(name: str) -> Callable | None:
    return globals()[name] if name in _PUBLIC else None


def dispatch_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Route ``numpy.<ufunc>`` called on a traced value to ``fad.numpy``."""
    name = ufunc.__name__
    if method != "__call__":
        raise NotImplementedError(
            f"numpy.{name}.{method} has no derivative rule in fad; "
            f"use fad.numpy functions (e.g. fad.numpy.sum for numpy.add.reduce)"
        )
    if kwargs.get("out") is not None or "where" in kwargs:
        raise TypeError(
            f"numpy.{name}(..., out=/where=) cannot be used on traced values: fad arrays are "
            "immutable. Assign the result instead, and use fad.numpy.where for masks."
        )
    kwargs.pop("out", None)
    if kwargs:
        raise TypeError(f"numpy.{name} on a traced value: keyword arguments {sorted(kwargs)} are not supported")
    f = _own(name)
    if f is None:
        raise NotImplementedError(f"numpy.{name} has no derivative rule in fad (it was called on a traced value)")
    return f(*inputs)


def dispatch_function(func: Any, args: tuple, kwargs: dict) -> Any:
    """Route a NumPy function called on a traced value to ``fad.numpy``."""
    name = func.__name__
    module = getattr(func, "__module__", "numpy") or "numpy"
    f = _own(name) if module == "numpy" or module.startswith("numpy._core") or module.startswith("numpy.core") else None
    if f is None:
        raise NotImplementedError(
            f"{module}.{name} has no derivative rule in fad (it was called on a traced value)"
        )
    return f(*args, **kwargs)


def __getattr__(name: str) -> Any:
    """Every other NumPy name (constants, dtypes, constructors, submodules) is NumPy's."""
    try:
        return getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'fad.numpy' has no attribute {name!r}") from None
