"""Tracing a call: the machinery that every transform shares.

:func:`trace_call` runs a function with some of its arguments traced (the forward pass,
recorded on a fresh :class:`~fad.core.Trace`), and returns its output with the pullback
``back(ybar)``, which folds the tape backward (:func:`fad.core.backward`) and casts each
cotangent back to its argument's structure, shape and dtype. The transforms of
:mod:`fad.transforms` are each a few lines on top of it. The checks here are what makes
a wrong input an error that names the transform, never a wrong number: arguments that
cannot be differentiated, outputs that are not numbers, cotangents of the wrong shape or
kind, and ndarray subclasses.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

import fad.numpy as fnp
from fad.array import TracedArray
from fad.core import Trace, Traced, backward, untraced
from fad.nesting import run
from fad.tree import LEAF, LEAF_TYPES, flatten, tree_map, unflatten

__all__ = [
    "TracedCall", "trace_call", "cast_like", "check_inputs", "check_outputs", "check_scalar", "check_subclasses",
    "differentiable", "dtype_of", "is_complex", "shape_of", "snapshot", "unbox",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Helpers: what may be traced, and cotangents cast back to their input's type
# --------------------------------------------------------------------------------------


def dtype_of(x: Any) -> np.dtype:
    return np.result_type(untraced(x))


def differentiable(x: Any) -> bool:
    """Whether a leaf is a float or complex value that a derivative can flow into."""
    if type(x) is float or type(x) is np.ndarray and x.dtype.kind in "fc":
        return True  # the common cases, decided at once
    return x is not None and np.issubdtype(dtype_of(x), np.inexact)


def check_inputs(leaves: list, who: str) -> None:
    for x in leaves:
        if x is None or type(x) is float or type(x) is np.ndarray and x.dtype.kind in "fc":
            continue  # nothing to check, or the common cases
        if isinstance(x, (str, bytes)) or not isinstance(untraced(x), (numbers.Number, np.ndarray, np.generic)):
            raise TypeError(
                f"fad.{who}: cannot differentiate with respect to a {type(untraced(x)).__name__}; "
                "inputs must be floats, NumPy arrays, or tuples/lists/dicts/dataclasses of them"
            )
        if not np.issubdtype(dtype_of(x), np.inexact):
            raise TypeError(
                f"fad.{who}: input of dtype {dtype_of(x)} has no derivative; pass a float input "
                f"instead (e.g. 1.0 rather than 1, or x.astype(float))"
            )


def check_subclasses(leaves: list, who: str) -> None:
    """Refuse ndarray subclasses at the door: their semantics (a mask, matrix products) would not be differentiated."""
    for x in leaves:
        if isinstance(x, np.ndarray) and type(x) is not np.ndarray:
            kind = f"{type(x).__module__}.{type(x).__name__}"
            raise TypeError(
                f"fad.{who}: an input is a {kind}, a subclass of numpy.ndarray whose semantics fad does not "
                "differentiate (a mask, matrix products). Pass a plain array: numpy.asarray(x), or for a masked "
                "array x.filled(value) with the mask applied by fad.numpy.where."
            )


def cast_like(xbar: Any, x: Any) -> Any:
    """``xbar`` with the type, dtype and shape of the input ``x`` it is the cotangent of.

    An array comes back as an ordinary writable array, never a read-only broadcast view.
    """
    if type(xbar) is np.ndarray and type(x) is np.ndarray and xbar.shape == x.shape and xbar.dtype == x.dtype:
        return xbar if xbar.flags.writeable else xbar.copy()  # the common case for arrays
    if type(x) is float and (type(xbar) is float or type(xbar) is np.float64):
        return float(xbar)  # and for Python floats
    if xbar is None:
        xbar = np.zeros_like(untraced(x))
    if np.shape(untraced(xbar)) != np.shape(untraced(x)):
        raise ValueError(
            f"fad: a derivative rule gave a cotangent of shape {np.shape(untraced(xbar))} for an input of "
            f"shape {np.shape(untraced(x))}. A VJP must return one cotangent of each input's shape; check "
            "custom primitives with fad.testing.check_grads, which names the rule."
        )
    if isinstance(xbar, Traced):
        return xbar if xbar.dtype == dtype_of(x) else fnp.astype(xbar, dtype_of(x))
    if isinstance(untraced(x), float) and not isinstance(untraced(x), np.floating):
        return float(np.real(xbar)) if not np.iscomplexobj(untraced(x)) else complex(xbar)
    if isinstance(untraced(x), complex):
        return complex(xbar)
    if isinstance(untraced(x), np.generic):
        return dtype_of(x).type(xbar)
    xbar = np.asarray(xbar).astype(dtype_of(x), copy=False)
    return xbar if xbar.flags.writeable else xbar.copy()


def unbox(y: Any, trace: Trace) -> Any:
    """The value of ``y`` as seen outside ``trace`` (outer transforms' boxes stay)."""
    return y.value if isinstance(y, Traced) and y.owner is trace else y


def is_complex(x: Any) -> bool:
    x = untraced(x)
    return type(x) is complex or getattr(getattr(x, "dtype", None), "kind", None) == "c"


def shape_of(x: Any) -> tuple:
    if type(x) is float:
        return ()
    x = untraced(x)
    shape = getattr(x, "shape", None)  # arrays and NumPy scalars; np.shape for the rest
    return np.shape(x) if shape is None else shape


def check_outputs(leaves: list, who: str) -> None:
    """Every leaf of an output must be a number or an array of numbers: never a silent zero gradient."""
    for y in leaves:
        if isinstance(y, Traced):
            continue
        kind = getattr(getattr(y, "dtype", None), "kind", None)
        if isinstance(y, bool) or kind == "b" or not (isinstance(y, numbers.Number) or kind in ("i", "u", "f", "c")):
            what = "None (did the function forget to return its value?)" if y is None else f"a {type(y).__name__}"
            if kind == "b":
                what = "an array of booleans"
            raise TypeError(
                f"fad.{who}: the function returned {what}, which has no derivative. It must return a "
                "number, an array of numbers, or a tuple/list/dict of them."
            )


def check_scalar(y: Any, who: str) -> None:
    y = untraced(y)
    if type(y) is float or type(y) is np.float64 or type(y) is np.float32:
        return  # the common cases
    shape = np.shape(y) if not isinstance(y, (tuple, list, dict)) else None
    if shape != ():
        what = f"shape {shape}" if shape is not None else f"a {type(y).__name__}"
        raise TypeError(
            f"fad.{who} needs a function with a scalar output, but it returned {what}. "
            "Use fad.jacobian for the full Jacobian, fad.elementwise_grad for the sum of its "
            "rows, or reduce the output first (e.g. .sum())."
        )
    if np.iscomplexobj(untraced(y)):
        raise TypeError(
            f"fad.{who} needs a real scalar output, got dtype {dtype_of(y)}; differentiate "
            "its real part, imaginary part or absolute value instead"
        )


def snapshot(x: np.ndarray) -> np.ndarray:
    """A copy of ``x`` with its memory layout kept: the same strides, negative or zero ones too.

    A function may read the layout (``ravel(x, order="K")`` does), so the copy must be
    indistinguishable from ``x`` but for its memory. A strided view is copied as the span
    of memory it covers, then viewed with the same strides.
    """
    if x.flags.c_contiguous or x.flags.f_contiguous or x.size == 0 or any(s % x.itemsize for s in x.strides):
        return x.copy(order="K")
    flips = tuple(slice(None, None, -1) if s < 0 else slice(None) for s in x.strides)
    corner = x[flips]  # every stride non-negative: the view starts at its lowest address
    span = sum(s * (n - 1) for s, n in zip(corner.strides, corner.shape)) // x.itemsize + 1
    memory = np.lib.stride_tricks.as_strided(corner, shape=(span,), strides=(x.itemsize,)).copy()
    copied = np.lib.stride_tricks.as_strided(memory, shape=corner.shape, strides=corner.strides, writeable=False)
    return copied[flips]


class TracedCall(NamedTuple):
    """What a traced call gives: the output, its pullback, the aux value, the trace, the output nodes.

    ``fold(seeds)`` is the pullback without the checks of the cotangent, for cotangents
    that the transform makes itself: ``seeds`` maps output nodes to their cotangents.
    """

    y: Any
    back: Callable[..., tuple]
    aux: Any
    trace: Trace
    y_nodes: tuple
    fold: Callable[..., tuple]


def trace_call(
    f: Callable,
    args: tuple,
    who: str,
    nums: tuple | None = None,
    kwargs: dict | None = None,
    has_aux: bool = False,
    keep_all: bool = False,
    check: bool = False,
    user: bool = True,
    lines: bool = False,
) -> TracedCall:
    """Run ``f(*args, **kwargs)`` with the arguments ``nums`` (all if None) traced.

    Returns the output and its pullback: ``back(ybar)`` folds the tape backward and gives
    one cotangent per traced argument, each with that argument's structure, shape and
    dtype. ``back(ybar, trace.entries.released())`` lets the tape go as it folds it, for
    callers that fold it only once. With ``check``, the traced arguments must be floats;
    ``user`` says that ``f`` is the user's function, whose output must hold only numbers.
    With ``lines`` the trace records the user's source line of each entry (for ``tape``).
    """
    trace = Trace(who, keep_all, TracedArray, lines)
    chosen = args if nums is None or nums == (0,) and len(args) == 1 else [args[i] for i in nums]
    if LEAF_TYPES.issuperset(map(type, chosen)):  # the common case: the arguments are leaves themselves
        leaves, treedef = chosen, None
    else:
        leaves, treedef = flatten(tuple(chosen))
        check_subclasses(leaves, who)
    if check:
        check_inputs(leaves, who)
    boxes = [trace.new_node(x) if type(x) is float or differentiable(x) else x for x in leaves]
    traced_args = boxes if treedef is None else unflatten(treedef, boxes)
    if chosen is not args:
        full = list(args)
        for i, x in zip(nums, traced_args):
            full[i] = x
        traced_args = full
    out = run(f, trace, tuple(traced_args), kwargs)
    if has_aux:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(
                f"fad.{who} with has_aux=True: the function must return a pair (value, aux), "
                f"got {type(out).__name__}"
            )
        out, aux = out
        aux = tree_map(lambda a: unbox(a, trace), aux)
    else:
        aux = None
    if isinstance(out, Traced) and out.owner is trace:  # the common case: one traced output
        y_leaves, y_def, y_nodes, y = [out], LEAF, (out.node,), out.value
    else:
        y_leaves, y_def = flatten(out)
        if user:
            check_outputs(y_leaves, who)
        y_nodes = tuple(y.node if isinstance(y, Traced) and y.owner is trace else None for y in y_leaves)
        y = unflatten(y_def, [unbox(v, trace) for v in y_leaves])

    def back(ybar: Any, entries: Any = None) -> tuple:
        ybar_leaves, ybar_def = ([ybar], LEAF) if type(ybar) in LEAF_TYPES else flatten(ybar)
        if ybar_def != y_def:
            raise ValueError(f"fad.{who}: the cotangent's structure {ybar_def} does not match the output's {y_def}")
        seeds: dict = {}
        for node, yb, yv in zip(y_nodes, ybar_leaves, y_leaves):
            if node is not None:
                if shape_of(yb) != shape_of(yv):
                    raise ValueError(
                        f"fad.{who}: cotangent of shape {shape_of(yb)} for an output of shape {shape_of(yv)}; "
                        "they must match"
                    )
                if type(yb) is not float and is_complex(yb) and not is_complex(yv):
                    raise TypeError(
                        f"fad.{who}: a complex cotangent (dtype {dtype_of(yb)}) for a real output (dtype "
                        f"{dtype_of(yv)}); the cotangent of a real output is real: pass its real part"
                    )
                seeds[node] = yb if node not in seeds else seeds[node] + yb
        return fold(seeds, entries)

    def fold(seeds: dict, entries: Any = None) -> tuple:
        """The cotangents of the traced arguments, from those of the output nodes (``seeds``)."""
        ybars = backward(trace.entries if entries is None else entries, seeds)
        xbars = [
            cast_like(ybars.get(b.node), x) if isinstance(b, Traced) else None  # None: not differentiable
            for b, x in zip(boxes, leaves)
        ]
        return tuple(xbars) if treedef is None else tuple(unflatten(treedef, xbars))

    return TracedCall(y, back, aux, trace, y_nodes, fold)
