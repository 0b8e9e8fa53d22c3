"""Traced arrays: the ndarray interface of a traced value.

The core's :class:`~fad.core.Traced` knows nothing of NumPy's interface. The transforms
trace with :class:`TracedArray` instead, which behaves like an ndarray: every operator,
property and method forwards to the :mod:`fad.numpy` function of the same meaning, and
plain NumPy functions called on it (``numpy.sin(x)``, ``numpy.sum(x)``) are routed to
:mod:`fad.numpy` through NumPy's ``__array_ufunc__`` and ``__array_function__`` protocols.

>>> import fad
>>> fad.grad(lambda x: (x * x).sum())(2.0)
4.0
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np

import fad.numpy as fnp
from fad.core import Traced, untraced
from fad.tree import tree_map

__all__ = ["TracedArray", "dispatch_ufunc", "dispatch_function"]


def _operator(f: Callable, swap: bool = False) -> Callable:
    """The operator method ``x.__op__(other)`` that computes ``f(x, other)`` (``f(other, x)`` if ``swap``)."""
    if swap:
        return lambda self, other: f(other, self)
    return lambda self, *args: f(self, *args)


def _in_place(self: Any, *args: Any) -> Any:
    raise TypeError(
        "fad: traced arrays are immutable, so item assignment (x[i] = v, del x[i]) is not supported. "
        "Build a new value instead: x = x.at[i].set(v), or fad.numpy.where(mask, v, x)."
    )


class TracedArray(Traced):
    """A traced value that behaves like an ndarray (``x.trace()`` is the matrix trace, as for one)."""

    __slots__ = ()
    __array_priority__ = 1000.0

    __setitem__ = __delitem__ = _in_place

    shape = property(lambda self: np.shape(untraced(self)))
    ndim = property(lambda self: np.ndim(untraced(self)))
    size = property(lambda self: np.size(untraced(self)))
    dtype = property(lambda self: np.result_type(untraced(self)))
    T = property(lambda self: fnp.transpose(self))
    mT = property(lambda self: fnp.swapaxes(self, -1, -2))
    real = property(lambda self: fnp.real(self))
    imag = property(lambda self: fnp.imag(self))
    at = property(lambda self: fnp.at(self), doc="Functional updates ``x.at[i].set(v)``: see fad.numpy.at.")

    def __len__(self) -> int:
        return len(untraced(self))

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index: Any) -> Any:
        return fnp.getitem(self, index)

    __add__, __radd__ = _operator(fnp.add), _operator(fnp.add, swap=True)
    __sub__, __rsub__ = _operator(fnp.subtract), _operator(fnp.subtract, swap=True)
    __mul__, __rmul__ = _operator(fnp.multiply), _operator(fnp.multiply, swap=True)
    __truediv__, __rtruediv__ = _operator(fnp.divide), _operator(fnp.divide, swap=True)
    __pow__, __rpow__ = _operator(fnp.power), _operator(fnp.power, swap=True)
    __matmul__, __rmatmul__ = _operator(fnp.matmul), _operator(fnp.matmul, swap=True)
    __mod__, __rmod__ = _operator(fnp.remainder), _operator(fnp.remainder, swap=True)
    __floordiv__, __rfloordiv__ = _operator(fnp.floor_divide), _operator(fnp.floor_divide, swap=True)
    __neg__, __abs__ = _operator(fnp.negative), _operator(fnp.abs)
    __eq__, __ne__ = _operator(fnp.equal), _operator(fnp.not_equal)  # type: ignore[assignment]
    __lt__, __le__ = _operator(fnp.less), _operator(fnp.less_equal)
    __gt__, __ge__ = _operator(fnp.greater), _operator(fnp.greater_equal)
    __hash__ = None  # type: ignore[assignment]

    def __pos__(self) -> TracedArray:
        return self

    def copy(self, order: str = "K") -> TracedArray:
        return self  # immutable: a copy is the value itself, still traced

    def item(self, *args: Any) -> Any:
        raise self._no_conversion("x.item()")

    def tolist(self) -> Any:
        raise self._no_conversion("x.tolist()")

    def fill(self, value: Any) -> None:
        raise TypeError(
            "x.fill(v) on a traced array: fad arrays are immutable. Build a new value instead: "
            "fad.numpy.full_like(x, v), or x * 0 + v to keep the derivative of v."
        )

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return dispatch_function(func, args, kwargs)


def _method(f: Callable) -> Callable:
    """The ndarray method ``x.name(...)`` of a traced array, computing ``f(x, ...)``."""
    return lambda self, *args, **kwargs: f(self, *args, **kwargs)


# The methods are attributes of the class, not found by a __getattr__ hook: a hook would
# slow down every attribute access of every traced value (x.value, x.owner) on the hot path.
for _name, _f in fnp.METHODS.items():
    setattr(TracedArray, _name, _method(_f))
del _name, _f


# --------------------------------------------------------------------------------------
# NumPy's protocols: plain NumPy functions called on traced values run fad.numpy's
# --------------------------------------------------------------------------------------


def _own(name: str, namespace: ModuleType) -> Callable | None:
    """The public function ``name`` of a fad namespace, if it has one."""
    return getattr(namespace, name) if name in namespace.__all__ else None


_AT_METHODS = MappingProxyType(
    {"add": "add", "multiply": "multiply", "minimum": "min", "maximum": "max", "fmin": "min", "fmax": "max"}
)


def _ufunc_at(name: str) -> TypeError:
    """``numpy.<ufunc>.at`` on a traced value: it changes its array in place, so it is refused."""
    method = _AT_METHODS.get(name, "set")
    hint = f"x = x.at[i].{method}(v)" if name in _AT_METHODS else f"x = x.at[i].set(fad.numpy.{name}(x[i], v))"
    return TypeError(
        f"numpy.{name}.at changes its array in place, and traced arrays are immutable: code written for NumPy "
        f"ignores its return value, so a functional version would leave x unchanged. Use {hint} "
        "(fad.numpy.at(x)[i] for a plain x)"
    )


def _ufunc_reduce(f: Callable, name: str, x: Any, axis: Any = 0, dtype: Any = None, keepdims: bool = False,
                  **options: Any) -> Any:
    """``numpy.<ufunc>.reduce``: the named reduction for add, multiply, maximum, minimum; else a fold of ``f``."""
    if dtype is not None or options.get("out") is not None or "where" in options:
        raise TypeError(f"numpy.{name}.reduce on a traced value: dtype=, out= and where= are not supported")
    initial = options.pop("initial", None)
    options.pop("out", None)
    if options:
        raise TypeError(f"numpy.{name}.reduce on a traced value: keyword arguments {sorted(options)} are not supported")
    x = fnp.asarray(x)
    reductions = {"add": fnp.sum, "multiply": fnp.prod, "maximum": fnp.max, "minimum": fnp.min}
    if name in reductions:
        kwargs = {} if initial is None else {"initial": initial}
        return reductions[name](x, axis=axis, keepdims=keepdims, **kwargs)
    if axis is None:
        x, axis = fnp.ravel(x), 0
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"numpy.{name}.reduce on a traced value: axis must be an integer or None, got {axis!r}")
    moved = fnp.moveaxis(x, axis, 0)
    y = initial if initial is not None else moved[0]
    for piece in moved[0 if initial is not None else 1:]:
        y = f(y, piece)
    return fnp.expand_dims(y, axis) if keepdims else y


def _ufunc_accumulate(f: Callable, name: str, x: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
    """``numpy.<ufunc>.accumulate``: cumsum and cumprod for add and multiply; else running values of ``f``."""
    if dtype is not None or out is not None:
        raise TypeError(f"numpy.{name}.accumulate on a traced value: dtype= and out= are not supported")
    x = fnp.asarray(x)
    if name in ("add", "multiply"):
        return (fnp.cumsum if name == "add" else fnp.cumprod)(x, axis=axis)
    moved = fnp.moveaxis(x, axis, 0)
    running = [moved[0]]
    for piece in moved[1:]:
        running.append(f(running[-1], piece))
    return fnp.moveaxis(fnp.stack(running), 0, axis)


def _ufunc_outer(f: Callable, name: str, a: Any, b: Any, **kwargs: Any) -> Any:
    """``numpy.<ufunc>.outer(a, b)``: ``f(a[..., None, ...], b)``, shape ``a.shape + b.shape``."""
    if kwargs:
        raise TypeError(f"numpy.{name}.outer on a traced value: keyword arguments {sorted(kwargs)} are not supported")
    a = fnp.asarray(a)
    return f(fnp.reshape(a, fnp.shape(a) + (1,) * fnp.ndim(b)), b)


def dispatch_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    """Route ``numpy.<ufunc>`` (or a ``scipy.special`` ufunc) called on a traced value to fad.

    The methods ``reduce``, ``accumulate`` and ``outer`` of a differentiable ufunc are built
    from it; ``at`` changes its array in place and is refused, naming ``x.at[i]``.
    """
    name = ufunc.__name__
    if method == "at":
        raise _ufunc_at(name)
    if method not in ("__call__", "reduce", "accumulate", "outer"):
        raise NotImplementedError(f"numpy.{name}.{method} has no derivative rule in fad")
    if method == "__call__" and (kwargs.get("out") is not None or "where" in kwargs):
        raise TypeError(
            f"numpy.{name}(..., out=/where=) cannot be used on traced values: fad arrays are "
            "immutable. Assign the result instead, and use fad.numpy.where for masks."
        )
    f = _own(name, fnp)
    special = sys.modules.get("scipy.special")
    if f is None and special is not None and getattr(special, name, None) is ufunc:
        import fad.scipy.special  # scipy.special's ufuncs on traced values route to fad.scipy.special

        f = _own(name, fad.scipy.special)
        if f is None:
            raise NotImplementedError(f"scipy.special.{name} has no derivative rule in fad (called on a traced value)")
    if f is None or getattr(f, "differentiable", True) is False and method != "__call__":
        raise NotImplementedError(f"numpy.{name}{'' if method == '__call__' else '.' + method} has no derivative "
                                  "rule in fad (it was called on a traced value)")
    if method == "reduce":
        return _ufunc_reduce(f, name, *inputs, **kwargs)
    if method == "accumulate":
        return _ufunc_accumulate(f, name, *inputs, **kwargs)
    if method == "outer":
        return _ufunc_outer(f, name, *inputs, **kwargs)
    kwargs.pop("out", None)
    if kwargs:
        raise TypeError(f"numpy.{name} on a traced value: keyword arguments {sorted(kwargs)} are not supported")
    return f(*inputs)


# NumPy functions whose result is a boolean: no derivative, by definition. On traced values
# they run on the plain values, like fad.numpy's comparisons.
_BOOLEAN_VALUED = frozenset({"allclose", "isclose", "array_equal", "array_equiv", "iscomplexobj", "isrealobj"})


def dispatch_function(func: Any, args: tuple, kwargs: dict) -> Any:
    """Route a NumPy function called on a traced value to ``fad.numpy``."""
    name = func.__name__
    if name in _BOOLEAN_VALUED and getattr(np, name, None) is func:
        plain = tree_map(untraced, (args, kwargs))
        return func(*plain[0], **plain[1])
    module = getattr(func, "__module__", None) or "numpy"
    namespace = None
    if module == "numpy.linalg":
        import fad.numpy.linalg as namespace
    elif module == "numpy.fft":
        import fad.numpy.fft as namespace
    elif module == "numpy" or module.startswith(("numpy._core", "numpy.core", "numpy.lib")):
        namespace = fnp
    f = None if namespace is None else _own(name, namespace)
    if f is None:
        raise NotImplementedError(f"{module}.{name} has no derivative rule in fad (it was called on a traced value)")
    return f(*args, **kwargs)
