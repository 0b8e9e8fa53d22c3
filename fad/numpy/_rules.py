"""The rule table: every differentiable NumPy primitive, with its VJP.

The contract, once: ``vjp(y, ybar, *xs, **params) -> (x1bar, ..., xnbar)``, where ``y``
is the stored output, ``ybar`` its cotangent and ``xibar = ybar . dy/dxi``. Each rule is
written with the primitives of this table, so it can be differentiated again. Binary
rules are given one per input, so an untraced input costs nothing in the backward pass,
and :func:`binary` sums each cotangent back to its input's shape after broadcasting.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from fad.core import Primitive, Traced, primitive, untraced

__all__ = [
    "negative", "exp", "log", "sin", "cos", "tanh", "sqrt", "absolute",
    "add", "subtract", "multiply", "divide", "power", "maximum", "minimum",
    "sum_p", "broadcast_to_p", "reshape_p", "transpose_p", "astype_p",
    "matmul", "getitem_p", "index_add_p", "where_p", "concatenate_p", "stack_p",
    "unbroadcast", "shape_of", "dtype_of", "binary", "nondiff", "no_out",
]  # fmt: skip


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a plain or traced value."""
    if type(x) is float:
        return ()
    if isinstance(x, Traced):
        x = untraced(x)
    shape = getattr(x, "shape", None)  # arrays and NumPy scalars; np.shape for the rest
    return np.shape(x) if shape is None else shape


def dtype_of(x: Any) -> np.dtype:
    """The dtype of a plain or traced value."""
    return np.result_type(untraced(x))


def no_out(out: Any, who: str) -> None:
    """Refuse NumPy's ``out=`` argument of ``fad.numpy.<who>``: fad arrays are immutable."""
    if out is not None:
        raise TypeError(
            f"fad.numpy.{who}(..., out=) is not supported: fad arrays are immutable. "
            f"Assign the result instead: y = fad.numpy.{who}(...)"
        )


def nondiff(f: Callable) -> Callable:
    """``f`` run on the plain values under any tracing: a function with no derivative.

    Its result is a constant to every transform. The wrapper is marked
    ``differentiable = False`` so the tests know not to look for a rule.
    """

    @functools.wraps(f)
    def plain(*args: Any, **kwargs: Any) -> Any:
        return f(*map(untraced, args), **{k: untraced(v) for k, v in kwargs.items()})

    plain.__doc__ = f"``numpy.{f.__name__}`` on plain values: it has no derivative."
    plain.differentiable = False  # type: ignore[attr-defined]
    return plain


# --------------------------------------------------------------------------------------
# Broadcasting: a cotangent is summed back to the shape of its input
# --------------------------------------------------------------------------------------


def unbroadcast(xbar: Any, x: Any) -> Any:
    """Sum ``xbar`` over the axes along which ``x`` was broadcast, to ``x``'s shape."""
    shape, xbar_shape = shape_of(x), shape_of(xbar)
    if shape == xbar_shape:
        return xbar
    lead = len(xbar_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and xbar_shape[lead + i] != 1
    )
    return reshape_p(sum_p(xbar, axis=axes), shape=shape)


def operator_or(op: Callable, ufunc: Callable) -> Callable:
    """``ufunc``, computed with the Python operator ``op`` when an operand is a NumPy value.

    On NumPy arrays and scalars the operator is the ufunc, minus the ufunc call's overhead
    (large on scalars); on plain Python numbers or lists the ufunc itself runs, so that
    ``1.0 / 0.0`` gives ``inf`` as in NumPy.
    """

    def fwd(x1: Any, x2: Any) -> Any:
        if type(x1) is np.ndarray or type(x2) is np.ndarray or isinstance(x1, np.generic) or isinstance(x2, np.generic):
            return op(x1, x2)
        return ufunc(x1, x2)

    fwd.__name__ = ufunc.__name__
    return fwd


def binary(fwd: Callable, x1_rule: Callable, x2_rule: Callable, name: str | None = None) -> Primitive:
    """A broadcasting binary primitive from one rule per input, cotangents unbroadcast."""

    def part(rule: Callable, k: int) -> Callable:
        return lambda y, ybar, x1, x2: unbroadcast(rule(y, ybar, x1, x2), (x1, x2)[k])

    return primitive(fwd, (part(x1_rule, 0), part(x2_rule, 1)), name=name or fwd.__name__)


def _reduced_shape(shape: tuple, axis: Any) -> tuple:
    """``shape`` with the reduced axes kept as 1 (what ``keepdims=True`` gives)."""
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis) % max(len(shape), 1)
    return tuple(1 if i in set(int(a) for a in axes) else n for i, n in enumerate(shape))


def _positive_mask(ybar: Any, x1: Any, x2: Any) -> Any:
    """1 where ``x1 > x2``, 1/2 at ties (the gradient is shared), 0 elsewhere: a constant."""
    a, b = untraced(x1), untraced(x2)
    mask = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
    return mask.astype(dtype_of(ybar), copy=False)


def _power_x1(y: Any, ybar: Any, x1: Any, x2: Any) -> Any:
    """d(x1 ** x2)/dx1 = x2 * x1 ** (x2 - 1), taken as 0 where x1 == x2 == 0."""
    if isinstance(x2, (int, float)):  # a constant exponent, the common case
        if x2 == 0:
            return ybar * 0
        return ybar * x2 * (x1 if x2 == 2 else x1 ** (x2 - 1))  # x ** 2 needs no x ** 1 on the tape
    base = where_p((untraced(x1) == 0) & (untraced(x2) == 0), 1, x1)  # 0 ** -1 would give 0 * inf
    return ybar * x2 * base ** (x2 - 1)


def _power_x2(y: Any, ybar: Any, x1: Any, x2: Any) -> Any:
    """d(x1 ** x2)/dx2 = y * log(x1), taking log(0) as 0 (y is 0 there)."""
    return ybar * y * log(where_p(untraced(x1) == 0, 1, x1))


def _matmul_parts() -> tuple[Callable, Callable]:
    """The rules of ``y = A @ B``: ``Abar = ybar @ B^T`` and ``Bbar = A^T @ ybar``.

    A 1-d operand is a row (on the left) or a column (on the right), as in matmul; the
    batch axes of the cotangents are summed back to each operand's shape. For a matrix
    times a vector this is the note's ``(outer(ybar, b), A.T @ ybar)``.
    """

    def as_matrices(ybar: Any, a: Any, b: Any) -> tuple:
        a2 = reshape_p(a, shape=(1,) + shape_of(a)) if np.ndim(untraced(a)) == 1 else a
        b2 = reshape_p(b, shape=shape_of(b) + (1,)) if np.ndim(untraced(b)) == 1 else b
        yshape = shape_of(ybar)
        if np.ndim(untraced(a)) == 1:
            yshape = yshape[:-1] + (1,) + yshape[-1:] if np.ndim(untraced(b)) > 1 else yshape + (1,)
        if np.ndim(untraced(b)) == 1:
            yshape = yshape + (1,)
        return reshape_p(ybar, shape=yshape), a2, b2

    def mT(x: Any) -> Any:
        n = np.ndim(untraced(x))
        axes = tuple(range(n - 2)) + (n - 1, n - 2)
        return transpose_p(x, axes=axes)

    def a_rule(y: Any, ybar: Any, a: Any, b: Any) -> Any:
        ybar2, a2, b2 = as_matrices(ybar, a, b)
        return reshape_p(unbroadcast(matmul(ybar2, mT(b2)), a2), shape=shape_of(a))

    def b_rule(y: Any, ybar: Any, a: Any, b: Any) -> Any:
        ybar2, a2, b2 = as_matrices(ybar, a, b)
        return reshape_p(unbroadcast(matmul(mT(a2), ybar2), b2), shape=shape_of(b))

    return a_rule, b_rule


def _is_basic(index: Any) -> bool:
    """Whether ``index`` holds only ints, slices, None and Ellipsis: it names no element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _index_add(ybar: Any, index: Any = None, shape: tuple = ()) -> np.ndarray:
    """Zeros of ``shape`` with ``ybar`` added at ``index`` (repeated indices accumulate)."""
    x = np.zeros(shape, dtype=np.result_type(ybar))
    if _is_basic(index):
        x[index] = ybar  # a basic index repeats nothing, and assignment is far cheaper than add.at
    else:
        np.add.at(x, index, ybar)
    return x


def _cast(x: Any, dtype: Any = None) -> np.ndarray:
    """``x`` as an array of ``dtype``; complex to real keeps the real part (as NumPy, without its warning)."""
    x = np.asarray(x)
    dtype = np.dtype(dtype)
    return (x.real if x.dtype.kind == "c" and dtype.kind != "c" else x).astype(dtype)


def real_cotangent(xbar: Any, x: Any) -> Any:
    """``xbar`` as the cotangent of ``x``: its real part when ``x`` is real (JAX's convention)."""
    from fad.numpy._elementwise import _cotangent_for  # built on this module, so imported late

    return _cotangent_for(xbar, x)


def _split_along(ybar: Any, xs: tuple, axis: int) -> tuple:
    """The pieces of ``ybar`` that ``concatenate(xs, axis)`` took from each ``x``."""
    axis = axis % max(np.ndim(untraced(ybar)), 1)
    bounds = np.cumsum([0] + [shape_of(x)[axis] for x in xs])
    lead = (slice(None),) * axis
    pieces = (getitem_p(ybar, index=lead + (slice(lo, hi),)) for lo, hi in zip(bounds[:-1], bounds[1:]))
    return tuple(real_cotangent(piece, x) for piece, x in zip(pieces, xs))


def _unstack(ybar: Any, xs: tuple, axis: int) -> tuple:
    """The slices of ``ybar`` that ``stack`` took from each of its inputs ``xs``."""
    axis = axis % np.ndim(untraced(ybar))
    lead = (slice(None),) * axis
    return tuple(real_cotangent(getitem_p(ybar, index=lead + (i,)), x) for i, x in enumerate(xs))


def _inverse(axes: Any) -> Any:
    """The permutation that undoes ``transpose(x, axes)``."""
    return None if axes is None else tuple(int(i) for i in np.argsort([a % len(axes) for a in axes]))


# fmt: off
# --------------------------------------------------------------------------------------
# Elementwise, unary                          j(f)(y, ybar, x) = (xbar,)
# --------------------------------------------------------------------------------------
negative = primitive(np.negative, lambda y, ybar, x: (-ybar,))
exp      = primitive(np.exp,      lambda y, ybar, x: (y * ybar,))
log      = primitive(np.log,      lambda y, ybar, x: (ybar / x,))
sin      = primitive(np.sin,      lambda y, ybar, x: (ybar * cos(x),))
cos      = primitive(np.cos,      lambda y, ybar, x: (-ybar * sin(x),))
tanh     = primitive(np.tanh,     lambda y, ybar, x: (ybar * (1 - y * y),))
sqrt     = primitive(np.sqrt,     lambda y, ybar, x: (ybar / (2 * y),))
absolute = primitive(np.absolute, lambda y, ybar, x: (ybar * np.sign(untraced(x)),))

# --------------------------------------------------------------------------------------
# Binary, broadcasting                        j(f)(y, ybar, x1, x2) = (x1bar, x2bar)
# --------------------------------------------------------------------------------------
add      = binary(operator_or(operator.add, np.add),           lambda y, ybar, x1, x2: ybar,      lambda y, ybar, x1, x2: ybar)
subtract = binary(operator_or(operator.sub, np.subtract),      lambda y, ybar, x1, x2: ybar,      lambda y, ybar, x1, x2: -ybar)
multiply = binary(operator_or(operator.mul, np.multiply),      lambda y, ybar, x1, x2: ybar * x2, lambda y, ybar, x1, x2: ybar * x1)
divide   = binary(operator_or(operator.truediv, np.divide),    lambda y, ybar, x1, x2: ybar / x2, lambda y, ybar, x1, x2: -ybar * y / x2)
power    = binary(operator_or(operator.pow, np.power),         _power_x1,                         _power_x2)
maximum  = binary(np.maximum,                                lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x1, x2),
                                                             lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x2, x1))
minimum  = binary(np.minimum,                                lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x2, x1),
                                                             lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x1, x2))

# --------------------------------------------------------------------------------------
# Reductions and broadcasting (each is the other's VJP)
# --------------------------------------------------------------------------------------
sum_p = primitive(
    np.sum,
    lambda y, ybar, x, axis=None, keepdims=False: (
        broadcast_to_p(reshape_p(ybar, shape=_reduced_shape(shape_of(x), axis)), shape=shape_of(x)),),
    name="sum")
broadcast_to_p = primitive(
    np.broadcast_to, lambda y, ybar, x, shape=(): (unbroadcast(ybar, x),), name="broadcast_to")

# --------------------------------------------------------------------------------------
# Shape
# --------------------------------------------------------------------------------------
reshape_p   = primitive(lambda x, shape: np.reshape(x, shape),
                        lambda y, ybar, x, shape=(): (reshape_p(ybar, shape=shape_of(x)),),
                        name="reshape")
transpose_p = primitive(np.transpose, lambda y, ybar, x, axes=None: (transpose_p(ybar, axes=_inverse(axes)),),
                        name="transpose")
astype_p    = primitive(_cast,
                        lambda y, ybar, x, dtype=None: (astype_p(ybar, dtype=dtype_of(x)),), name="astype")

# --------------------------------------------------------------------------------------
# Linear algebra                              j(A @ b)(y, ybar, A, b) = (outer(ybar, b), A.T @ ybar)
# --------------------------------------------------------------------------------------
matmul = primitive(np.matmul, _matmul_parts())

# --------------------------------------------------------------------------------------
# Indexing and selection
# --------------------------------------------------------------------------------------
getitem_p   = primitive(lambda x, index=None: x[index],
                        lambda y, ybar, x, index=None: (index_add_p(ybar, index=index, shape=shape_of(x)),),
                        name="getitem")
index_add_p = primitive(_index_add,
                        lambda y, ybar, x, index=None, shape=(): (getitem_p(ybar, index=index),),
                        name="index_add")
where_p     = primitive(np.where, (None,
                                   lambda y, ybar, c, x1, x2: real_cotangent(unbroadcast(where_p(c, ybar, 0), x1), x1),
                                   lambda y, ybar, c, x1, x2: real_cotangent(unbroadcast(where_p(c, 0, ybar), x2), x2)),
                        name="where")
concatenate_p = primitive(lambda *xs, axis=0: np.concatenate(xs, axis=axis),
                          lambda y, ybar, *xs, axis=0: _split_along(ybar, xs, axis), name="concatenate")
stack_p       = primitive(lambda *xs, axis=0: np.stack(xs, axis=axis),
                          lambda y, ybar, *xs, axis=0: _unstack(ybar, xs, axis), name="stack")
# fmt: on
