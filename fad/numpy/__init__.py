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

import sys
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as _np

from fad.core import Traced, untraced
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
    nondiff,
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

_BASE_NAMES = (
    # elementwise
    "negative", "exp", "log", "sin", "cos", "tanh", "sqrt", "absolute", "abs",
    "add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum",
    # reductions, shape, products, selection, construction
    "transpose", "swapaxes", "broadcast_to",
    # no derivative, by definition
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "shape", "ndim", "size", "zeros_like", "ones_like", "empty_like", "full_like",
    "sign", "floor", "ceil", "round", "rint", "trunc",
    "isfinite", "isnan", "isinf", "logical_and", "logical_or", "logical_not",
    "result_type",
)  # fmt: skip

abs = absolute  # noqa: A001  (numpy's own alias)
true_divide = divide


# --------------------------------------------------------------------------------------
# Compositions of primitives, with NumPy's signatures
# --------------------------------------------------------------------------------------


def transpose(a: Any, axes: Any = None) -> Any:
    """Permute the axes of ``a`` (reverse them when ``axes`` is None)."""
    return transpose_p(a, axes=None if axes is None else tuple(axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """Interchange two axes of ``a``."""
    axes = list(range(len(shape_of(a))))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(a, axes)


def broadcast_to(array: Any, shape: Any) -> Any:
    """Broadcast ``array`` to ``shape``; the VJP sums the cotangent back."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return broadcast_to_p(array, shape=shape)


# --------------------------------------------------------------------------------------
# No derivative, by definition: run on the plain values under any tracing
# --------------------------------------------------------------------------------------


equal, not_equal = nondiff(_np.equal), nondiff(_np.not_equal)
less, less_equal = nondiff(_np.less), nondiff(_np.less_equal)
greater, greater_equal = nondiff(_np.greater), nondiff(_np.greater_equal)
shape, ndim, size = nondiff(_np.shape), nondiff(_np.ndim), nondiff(_np.size)
zeros_like, ones_like = nondiff(_np.zeros_like), nondiff(_np.ones_like)
empty_like, full_like = nondiff(_np.empty_like), nondiff(_np.full_like)
sign, floor, ceil = nondiff(_np.sign), nondiff(_np.floor), nondiff(_np.ceil)
round, rint, trunc = nondiff(_np.round), nondiff(_np.rint), nondiff(_np.trunc)  # noqa: A001
isfinite, isnan, isinf = nondiff(_np.isfinite), nondiff(_np.isnan), nondiff(_np.isinf)
result_type = nondiff(_np.result_type)
logical_and, logical_or = nondiff(_np.logical_and), nondiff(_np.logical_or)
logical_not = nondiff(_np.logical_not)


# --------------------------------------------------------------------------------------
# The ndarray methods of traced arrays, and NumPy's dispatch to fad
# --------------------------------------------------------------------------------------


_BASE_METHODS = MappingProxyType(
    {
        "swapaxes": swapaxes,
        "transpose": lambda x, *axes: transpose(x, (axes[0] if len(axes) == 1 else axes) if axes else None),
    }
)

def _own(name: str, namespace: Any = None) -> Callable | None:
    """The public function ``name`` of fad.numpy (or of one of its submodules), if any."""
    module = sys.modules[__name__] if namespace is None else namespace
    return getattr(module, name) if name in module.__all__ else None


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
    special = sys.modules.get("scipy.special")
    if f is None and special is not None and getattr(special, name, None) is ufunc:
        import fad.scipy.special  # scipy.special's ufuncs on traced values route to fad.scipy.special

        f = _own(name, fad.scipy.special)
        if f is None:
            raise NotImplementedError(f"scipy.special.{name} has no derivative rule in fad (called on a traced value)")
    if f is None:
        raise NotImplementedError(f"numpy.{name} has no derivative rule in fad (it was called on a traced value)")
    return f(*inputs)


def dispatch_function(func: Any, args: tuple, kwargs: dict) -> Any:
    """Route a NumPy function called on a traced value to ``fad.numpy``."""
    name = func.__name__
    module = getattr(func, "__module__", None) or "numpy"
    namespace = {"numpy.linalg": linalg, "numpy.fft": fft}.get(module)
    if namespace is None and (module == "numpy" or module.startswith(("numpy._core", "numpy.core", "numpy.lib"))):
        namespace = sys.modules[__name__]
    f = None if namespace is None else _own(name, namespace)
    if f is None:
        raise NotImplementedError(
            f"{module}.{name} has no derivative rule in fad (it was called on a traced value)"
        )
    return f(*args, **kwargs)


# --------------------------------------------------------------------------------------
# The rest of the namespace, one module per group of functions
# --------------------------------------------------------------------------------------

from fad.numpy import _elementwise, _products, _reductions, _selection, _shapes  # noqa: E402
from fad.numpy._elementwise import *  # noqa: E402, F403
from fad.numpy._products import *  # noqa: E402, F403
from fad.numpy._reductions import *  # noqa: E402, F403
from fad.numpy._selection import *  # noqa: E402, F403
from fad.numpy._shapes import *  # noqa: E402, F403

_GROUPS = (_elementwise, _reductions, _shapes, _selection, _products)
__all__ = sorted(set(_BASE_NAMES).union(*(group.__all__ for group in _GROUPS)))
METHODS = MappingProxyType({**_BASE_METHODS, **{k: v for group in _GROUPS for k, v in group.METHODS.items()}})

from fad.numpy import fft, linalg  # noqa: E402


def __getattr__(name: str) -> Any:
    """Every other NumPy name (constants, dtypes, constructors, submodules) is NumPy's."""
    try:
        return getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'fad.numpy' has no attribute {name!r}") from None
