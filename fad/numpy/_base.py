"""The bottom layer of fad.numpy: shape and dtype helpers, and the structural primitives.

The contract, once: ``vjp(y, ybar, *xs, **params) -> (x1bar, ..., xnbar)``, where ``y``
is the stored output, ``ybar`` its cotangent and ``xibar = ybar . dy/dxi``. Each rule is
written with fad's own primitives, so it can be differentiated again. Binary rules are
given one per input, so an untraced input costs nothing in the backward pass, and
:func:`binary` sums each cotangent back to its input's shape after broadcasting and
casts it to its input's dtype (:func:`cotangent_for`).

``unread`` (see :func:`fad.core.primitive`) lists the positions among ``(y, x1, ..., xn)``
(0 for ``y``) that a rule never reads, so that a gradient's tape does not keep them
alive. It is declared, never inferred: a wrong declaration is a wrong gradient.

Names: a record that is itself a public function has the plain name (``exp``,
``matmul``); every other record carries the ``_p`` suffix: the record behind a public
wrapper with NumPy's signature (``sum_p`` behind ``fad.numpy.sum``), and the records that
only rules use (``index_add_p``, ``divide_or_zero_p``). ``Primitive.name`` is the name
NumPy gives the operation (``"sum"``), as the tape prints it.

The modules of fad.numpy import only modules below them, in this order (lowest first)::

    _base < _elementwise < _products < _reductions < _statistics < _construction < _shapes
          < _joining < _selection < linalg._rules < linalg._eig < linalg < fft
          < fad.numpy < fad.scipy.special
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from fad.core import Primitive, Traced, primitive, untraced

__all__ = [
    # shapes, dtypes, axes
    "shape_of", "dtype_of", "is_complex", "unbroadcast", "cotangent_for", "normalize_axis",
    "normalize_axes", "reduced_shape", "inverse_permutation", "matrix_transpose_p",
    # building blocks of the rule modules
    "no_out", "nondiff", "binary", "operator_or",
    # the structural primitives
    "sum_p", "broadcast_to_p", "reshape_p", "transpose_p", "astype_p",
    "getitem_p", "index_add_p", "where_p", "concatenate_p", "stack_p",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Shapes, dtypes and axes of plain or traced values
# --------------------------------------------------------------------------------------


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


def is_complex(x: Any) -> bool:
    """Whether ``x`` (plain or traced) has a complex dtype."""
    return np.issubdtype(dtype_of(x), np.complexfloating)


def normalize_axis(axis: Any, ndim: int, who: str | None = None) -> int:
    """``axis`` in ``range(ndim)``; NumPy's ``AxisError`` (naming ``fad.numpy.<who>``) when out of bounds."""
    axis = operator.index(untraced(axis))
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim, None if who is None else f"fad.numpy.{who}")
    return axis % ndim


def normalize_axes(axis: Any, ndim: int, who: str) -> tuple[int, ...]:
    """An int or a sequence of ints as distinct axes in ``range(ndim)``, in the order given."""
    axes = tuple(normalize_axis(a, ndim, who) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(set(axes)) != len(axes):
        raise ValueError(f"fad.numpy.{who}: repeated axis in {axis!r} (each axis may be named once)")
    return axes


def reduced_shape(shape: tuple, axis: Any) -> tuple:
    """``shape`` with the reduced axes kept as 1 (what ``keepdims=True`` gives)."""
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis) % max(len(shape), 1)
    return tuple(1 if i in set(int(a) for a in axes) else n for i, n in enumerate(shape))


def inverse_permutation(axes: Any) -> Any:
    """The permutation that undoes ``transpose(x, axes)``."""
    return None if axes is None else tuple(int(i) for i in np.argsort([a % len(axes) for a in axes]))


def matrix_transpose_p(x: Any) -> Any:
    """The transpose of the last two axes (of every matrix of a stack), with ``transpose_p``."""
    n = len(shape_of(x))
    return transpose_p(x, axes=(*range(n - 2), n - 1, n - 2))


# --------------------------------------------------------------------------------------
# Arguments that fad refuses, and functions with no derivative
# --------------------------------------------------------------------------------------


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
# Cotangents: summed back to the input's shape, cast to the input's dtype
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


def _plain_dtype(value: Any) -> np.dtype:
    """The dtype of a plain value, read off arrays and NumPy scalars without type promotion."""
    dtype = getattr(value, "dtype", None)
    return np.result_type(value) if dtype is None else dtype


def cotangent_for(xbar: Any, x: Any) -> Any:
    """``xbar`` as the cotangent of ``x``: in ``x``'s dtype, its real part for a real ``x``.

    That is JAX's and autograd's convention (``docs/complex.md``). ``astype_p`` from
    complex to real keeps the real part, and its VJP casts back: it is ``real`` here.
    """
    if xbar is None:
        return None
    dtype = getattr(xbar, "dtype", None)  # arrays and NumPy scalars have one
    if dtype is not None and type(xbar) is not Traced and dtype == getattr(x, "dtype", None):
        return xbar  # already in the input's dtype: the common case
    dtype, x_dtype = _plain_dtype(untraced(xbar)), _plain_dtype(untraced(x))
    return xbar if dtype == x_dtype else astype_p(xbar, dtype=x_dtype)


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


def binary(
    fwd: Callable, x1_rule: Callable, x2_rule: Callable, name: str | None = None, *, unread: tuple[int, ...] = ()
) -> Primitive:
    """A broadcasting binary primitive from one rule per input.

    Each rule's cotangent is summed back to its input's shape (:func:`unbroadcast`) and
    cast to its input's dtype (:func:`cotangent_for`). The wrappers read both inputs (for
    their shapes and dtypes), so only ``y`` (position 0) may be declared ``unread``.
    """
    if set(unread) - {0}:
        raise ValueError(f"fad.numpy binary {name or fwd.__name__!r}: only y (0) may be unread; the inputs are read")

    def part(rule: Callable, k: int) -> Callable:
        def xbar(y: Any, ybar: Any, x1: Any, x2: Any) -> Any:
            x = (x1, x2)[k]
            return cotangent_for(unbroadcast(rule(y, ybar, x1, x2), x), x)

        xbar.rule = rule  # type: ignore[attr-defined]  # the rule as written, for the docs
        return xbar

    return primitive(fwd, (part(x1_rule, 0), part(x2_rule, 1)), name=name or fwd.__name__, unread=unread)


# --------------------------------------------------------------------------------------
# Helpers of the structural rules
# --------------------------------------------------------------------------------------


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


def _split_along(ybar: Any, xs: tuple, axis: int) -> tuple:
    """The pieces of ``ybar`` that ``concatenate(xs, axis)`` took from each ``x``."""
    axis = axis % max(np.ndim(untraced(ybar)), 1)
    bounds = np.cumsum([0] + [shape_of(x)[axis] for x in xs])
    lead = (slice(None),) * axis
    pieces = (getitem_p(ybar, index=lead + (slice(lo, hi),)) for lo, hi in zip(bounds[:-1], bounds[1:]))
    return tuple(cotangent_for(piece, x) for piece, x in zip(pieces, xs))


def _unstack(ybar: Any, xs: tuple, axis: int) -> tuple:
    """The slices of ``ybar`` that ``stack`` took from each of its inputs ``xs``."""
    axis = axis % np.ndim(untraced(ybar))
    lead = (slice(None),) * axis
    return tuple(cotangent_for(getitem_p(ybar, index=lead + (i,)), x) for i, x in enumerate(xs))


# fmt: off
# --------------------------------------------------------------------------------------
# Reductions and broadcasting (each is the other's VJP)
# --------------------------------------------------------------------------------------
sum_p = primitive(
    np.sum,
    lambda y, ybar, x, axis=None, keepdims=False: (
        broadcast_to_p(reshape_p(ybar, shape=reduced_shape(shape_of(x), axis)), shape=shape_of(x)),),
    name="sum", unread=(0,))
broadcast_to_p = primitive(
    np.broadcast_to, lambda y, ybar, x, shape=(): (unbroadcast(ybar, x),), name="broadcast_to", unread=(0,))

# --------------------------------------------------------------------------------------
# Shape and dtype
# --------------------------------------------------------------------------------------
reshape_p   = primitive(lambda x, shape: np.reshape(x, shape),
                        lambda y, ybar, x, shape=(): (reshape_p(ybar, shape=shape_of(x)),),
                        name="reshape", unread=(0,))
transpose_p = primitive(np.transpose,
                        lambda y, ybar, x, axes=None: (transpose_p(ybar, axes=inverse_permutation(axes)),),
                        name="transpose", unread=(0, 1))
astype_p    = primitive(_cast,
                        lambda y, ybar, x, dtype=None: (astype_p(ybar, dtype=dtype_of(x)),),
                        name="astype", unread=(0,))

# --------------------------------------------------------------------------------------
# Indexing, selection, joining
# --------------------------------------------------------------------------------------
getitem_p   = primitive(lambda x, index=None: x[index],
                        lambda y, ybar, x, index=None: (index_add_p(ybar, index=index, shape=shape_of(x)),),
                        name="getitem", unread=(0,))
index_add_p = primitive(_index_add,
                        lambda y, ybar, x, index=None, shape=(): (getitem_p(ybar, index=index),),
                        name="index_add", unread=(0, 1))
where_p     = primitive(np.where, (None,
                                   lambda y, ybar, c, x1, x2: cotangent_for(unbroadcast(where_p(c, ybar, 0), x1), x1),
                                   lambda y, ybar, c, x1, x2: cotangent_for(unbroadcast(where_p(c, 0, ybar), x2), x2)),
                        name="where", unread=(0,))
concatenate_p = primitive(lambda *xs, axis=0: np.concatenate(xs, axis=axis),
                          lambda y, ybar, *xs, axis=0: _split_along(ybar, xs, axis), name="concatenate", unread=(0,))
stack_p       = primitive(lambda *xs, axis=0: np.stack(xs, axis=axis),
                          lambda y, ybar, *xs, axis=0: _unstack(ybar, xs, axis), name="stack", unread=(0,))
# fmt: on
