"""The combinators: every one is a pure function from functions to functions.

Each call of a transform makes a fresh :class:`~fad.core.Trace`, runs the function on
traced inputs (the forward pass, which stores every node's value on the trace's tape),
and folds the tape backward (:func:`fad.core.backward`). Nothing outlives the call but
the values it returns, so transforms nest to any depth and run concurrently.

The combinators are built from one another: ``grad`` is the second half of
``value_and_grad``, ``hessian`` is ``jacobian`` of ``grad``, ``jvp`` is the VJP of a VJP
and ``hvp`` the gradient of an inner product with a gradient.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import toolz

import fad.numpy as fnp
from fad.array import TracedArray
from fad.core import Primitive, Trace, Traced, backward, primitive, untraced
from fad.nesting import run, running_traces, substituting
from fad.tape import Tape
from fad.tree import LEAF, LEAF_TYPES, flatten, tree_map, unflatten

__all__ = [
    "vjp",
    "pullback",
    "jvp",
    "grad",
    "value_and_grad",
    "elementwise_grad",
    "jacobian",
    "hessian",
    "hvp",
    "stop_gradient",
    "checkpoint",
    "tape",
]


# --------------------------------------------------------------------------------------
# Helpers: what may be traced, and cotangents cast back to their input's type
# --------------------------------------------------------------------------------------


def _dtype(x: Any) -> np.dtype:
    return np.result_type(untraced(x))


def _differentiable(x: Any) -> bool:
    """Whether a leaf is a float or complex value that a derivative can flow into."""
    if type(x) is float or type(x) is np.ndarray and x.dtype.kind in "fc":
        return True  # the common cases, decided at once
    return x is not None and np.issubdtype(_dtype(x), np.inexact)


def _check_inputs(leaves: list, who: str) -> None:
    for x in leaves:
        if x is None or type(x) is float or type(x) is np.ndarray and x.dtype.kind in "fc":
            continue  # nothing to check, or the common cases
        if isinstance(x, (str, bytes)) or not isinstance(untraced(x), (numbers.Number, np.ndarray, np.generic)):
            raise TypeError(
                f"fad.{who}: cannot differentiate with respect to a {type(untraced(x)).__name__}; "
                "inputs must be floats, NumPy arrays, or tuples/lists/dicts/dataclasses of them"
            )
        if not np.issubdtype(_dtype(x), np.inexact):
            raise TypeError(
                f"fad.{who}: input of dtype {_dtype(x)} has no derivative; pass a float input "
                f"instead (e.g. 1.0 rather than 1, or x.astype(float))"
            )


def _check_subclasses(leaves: list, who: str) -> None:
    """Refuse ndarray subclasses at the door: their semantics (a mask, matrix products) would not be differentiated."""
    for x in leaves:
        if isinstance(x, np.ndarray) and type(x) is not np.ndarray:
            kind = f"{type(x).__module__}.{type(x).__name__}"
            raise TypeError(
                f"fad.{who}: an input is a {kind}, a subclass of numpy.ndarray whose semantics fad does not "
                "differentiate (a mask, matrix products). Pass a plain array: numpy.asarray(x), or for a masked "
                "array x.filled(value) with the mask applied by fad.numpy.where."
            )


def _cast_like(xbar: Any, x: Any) -> Any:
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
        return xbar if xbar.dtype == _dtype(x) else fnp.astype(xbar, _dtype(x))
    if isinstance(untraced(x), float) and not isinstance(untraced(x), np.floating):
        return float(np.real(xbar)) if not np.iscomplexobj(untraced(x)) else complex(xbar)
    if isinstance(untraced(x), complex):
        return complex(xbar)
    if isinstance(untraced(x), np.generic):
        return _dtype(x).type(xbar)
    xbar = np.asarray(xbar).astype(_dtype(x), copy=False)
    return xbar if xbar.flags.writeable else xbar.copy()


def _unbox(y: Any, trace: Trace) -> Any:
    """The value of ``y`` as seen outside ``trace`` (outer transforms' boxes stay)."""
    return y.value if isinstance(y, Traced) and y.owner is trace else y


def _is_complex(x: Any) -> bool:
    x = untraced(x)
    return type(x) is complex or getattr(getattr(x, "dtype", None), "kind", None) == "c"


def _shape(x: Any) -> tuple:
    if type(x) is float:
        return ()
    x = untraced(x)
    shape = getattr(x, "shape", None)  # arrays and NumPy scalars; np.shape for the rest
    return np.shape(x) if shape is None else shape


# --------------------------------------------------------------------------------------
# pullback and vjp: the note's j, for any function
# --------------------------------------------------------------------------------------


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


def _trace_call(
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
        _check_subclasses(leaves, who)
    if check:
        _check_inputs(leaves, who)
    boxes = [trace.new_node(x) if type(x) is float or _differentiable(x) else x for x in leaves]
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
        aux = tree_map(lambda a: _unbox(a, trace), aux)
    else:
        aux = None
    if isinstance(out, Traced) and out.owner is trace:  # the common case: one traced output
        y_leaves, y_def, y_nodes, y = [out], LEAF, (out.node,), out.value
    else:
        y_leaves, y_def = flatten(out)
        if user:
            _check_outputs(y_leaves, who)
        y_nodes = tuple(y.node if isinstance(y, Traced) and y.owner is trace else None for y in y_leaves)
        y = unflatten(y_def, [_unbox(v, trace) for v in y_leaves])

    def back(ybar: Any, entries: Any = None) -> tuple:
        ybar_leaves, ybar_def = ([ybar], LEAF) if type(ybar) in LEAF_TYPES else flatten(ybar)
        if ybar_def != y_def:
            raise ValueError(f"fad.{who}: the cotangent's structure {ybar_def} does not match the output's {y_def}")
        seeds: dict = {}
        for node, yb, yv in zip(y_nodes, ybar_leaves, y_leaves):
            if node is not None:
                if _shape(yb) != _shape(yv):
                    raise ValueError(
                        f"fad.{who}: cotangent of shape {_shape(yb)} for an output of shape {_shape(yv)}; "
                        "they must match"
                    )
                if type(yb) is not float and _is_complex(yb) and not _is_complex(yv):
                    raise TypeError(
                        f"fad.{who}: a complex cotangent (dtype {_dtype(yb)}) for a real output (dtype "
                        f"{_dtype(yv)}); the cotangent of a real output is real: pass its real part"
                    )
                seeds[node] = yb if node not in seeds else seeds[node] + yb
        return fold(seeds, entries)

    def fold(seeds: dict, entries: Any = None) -> tuple:
        """The cotangents of the traced arguments, from those of the output nodes (``seeds``)."""
        ybars = backward(trace.entries if entries is None else entries, seeds)
        xbars = [
            _cast_like(ybars.get(b.node), x) if isinstance(b, Traced) else None  # None: not differentiable
            for b, x in zip(boxes, leaves)
        ]
        return tuple(xbars) if treedef is None else tuple(unflatten(treedef, xbars))

    return TracedCall(y, back, aux, trace, y_nodes, fold)


def pullback(f: Callable, *xs: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Run ``f`` at ``xs`` once; return ``(y, back)`` with ``back(ybar)`` the cotangents.

    ``back`` may be called many times, with different cotangents.

    >>> import fad.numpy as np
    >>> y, back = pullback(lambda a, b: a * b, 3.0, 4.0)
    >>> float(y), back(1.0), back(2.0)
    (12.0, (4.0, 3.0), (8.0, 6.0))

    See Also: vjp, grad
    """
    _check_callable(f, "pullback")
    # `back` may run long after this call: it must see the inputs as they are now, even if
    # the caller changes an input array in place meanwhile.
    xs = tuple(tree_map(lambda x: _snapshot(x) if type(x) is np.ndarray else x, xs))
    y, back = _trace_call(f, xs, "pullback")[:2]
    return y, back


def _snapshot(x: np.ndarray) -> np.ndarray:
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


def vjp(f: Callable, *args: Any) -> Any:
    """The note's ``j : (x -> y) -> (y, ybar, x) -> xbar``, curried.

    ``vjp(f)(y, ybar, *xs)`` and ``vjp(f, y, ybar, *xs)`` are the same call. For a
    :class:`~fad.Primitive`, ``vjp(f)`` is the record's own closure; for any other function
    it traces ``f`` at ``xs`` and folds the tape backward (``y`` may then be ``None``).

    >>> import fad.numpy as np
    >>> vjp(np.exp)(1.0, 2.0, 0.0)
    (2.0,)
    >>> vjp(lambda x: x * x)(None, 1.0, 3.0)
    (6.0,)
    >>> vjp(lambda x: x * x, None, 1.0, 3.0)
    (6.0,)

    See Also: pullback, jvp
    """
    if args:
        return vjp(f)(*args)
    if isinstance(f, Primitive):
        return f.vjp
    _check_callable(f, "vjp")
    return partial(_traced_vjp, f)


def _traced_vjp(f: Callable, y: Any, ybar: Any, *xs: Any) -> tuple:
    """``j(f)(y, ybar, *xs)`` of a function that is not a primitive: trace it, fold its tape."""
    return _trace_call(f, xs, "vjp").back(ybar)


def _check_callable(f: Any, who: str) -> None:
    if not callable(f):
        raise TypeError(f"fad.{who}: expected a function, got {type(f).__name__}")


# --------------------------------------------------------------------------------------
# jvp: forward mode by transposing the VJP
# --------------------------------------------------------------------------------------


def _check_tangents(primals: Any, tangents: Any) -> None:
    for name, v in (("primals", primals), ("tangents", tangents)):
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"fad.jvp: {name} must be a tuple, got {type(v).__name__}")
    if len(primals) != len(tangents):
        raise TypeError(f"fad.jvp: {len(primals)} primals but {len(tangents)} tangents")
    p_leaves, p_def = flatten(tuple(primals))
    t_leaves, t_def = flatten(tuple(tangents))
    if p_def != t_def:
        raise TypeError("fad.jvp: the tangents' structure does not match the primals'")
    for i, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        if np.shape(untraced(p)) != np.shape(untraced(t)):
            raise ValueError(
                f"fad.jvp: tangent {i} has shape {np.shape(untraced(t))} but its primal has "
                f"shape {np.shape(untraced(p))}"
            )


def jvp(f: Callable) -> Callable[[tuple, tuple], tuple]:
    """Forward mode: ``jvp(f)(primals, tangents) -> (y, ydot)`` with ``ydot = J v``.

    The VJP ``ybar -> J^T ybar`` is linear in ``ybar``, so its own VJP, taken with respect
    to ``ybar`` and applied to the tangents ``v``, is ``(J^T)^T v = J v``. So forward mode
    comes from the reverse-mode rules: every primitive whose VJP is differentiable has a
    JVP. It costs one forward pass and two backward passes.

    >>> import fad.numpy as np
    >>> y, ydot = jvp(np.sin)((0.0,), (2.0,))
    >>> float(y), float(ydot)
    (0.0, 2.0)

    See Also: vjp, hvp
    """
    _check_callable(f, "jvp")
    return partial(_jvp, f)


def _jvp(f: Callable, primals: tuple, tangents: tuple) -> tuple:
    """``(f(*primals), J tangents)``: the VJP of the VJP, applied to the tangents."""
    _check_tangents(primals, tangents)
    y, back = _trace_call(f, tuple(primals), "jvp")[:2]
    zeros = tree_map(lambda v: _cast_like(None, v), y)
    back_of_back = _trace_call(back, (zeros,), "jvp", user=False).back
    (ydot,) = back_of_back(tuple(tangents))
    return y, ydot


# --------------------------------------------------------------------------------------
# grad and friends
# --------------------------------------------------------------------------------------


def _argnums(argnums: Any, who: str) -> tuple[int, ...]:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums or not all(isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"fad.{who}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    if len(set(nums)) != len(nums):
        raise ValueError(f"fad.{who}: argnums {argnums!r} repeats an argument")
    return nums


def _positions(nums: tuple, args: tuple, who: str) -> tuple[int, ...]:
    """``argnums`` as non-negative positions among ``args``."""
    n = len(args)
    if nums == (0,) and n:
        return nums  # the common case
    for i in nums:
        if not -n <= i < n:
            raise ValueError(f"fad.{who}: argnums {i} is out of range for {n} positional arguments")
    return tuple(i % n for i in nums)


def _trace_arguments(f: Callable, args: tuple, kwargs: dict, nums: tuple, who: str) -> TracedCall:
    """Check the arguments ``nums`` of ``f`` and trace the call with them traced."""
    return _trace_call(f, args, who, _positions(nums, args, who), kwargs, check=True)


def _check_outputs(leaves: list, who: str) -> None:
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


def _check_scalar(y: Any, who: str) -> None:
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
            f"fad.{who} needs a real scalar output, got dtype {_dtype(y)}; differentiate "
            "its real part, imaginary part or absolute value instead"
        )


def value_and_grad(f: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """``(value, gradient)`` of a scalar-output ``f``; with ``has_aux``, ``((value, aux), g)``.

    >>> import fad.numpy as np
    >>> y, g = value_and_grad(lambda x: x ** 2)(3.0)
    >>> float(y), g
    (9.0, 6.0)

    See Also: grad
    """
    _check_callable(f, "value_and_grad")
    nums = _argnums(argnums, "value_and_grad")

    return partial(_value_and_grad, f, nums, isinstance(argnums, tuple), has_aux)


def _value_and_grad(f: Callable, nums: tuple, many: bool, has_aux: bool, *args: Any, **kwargs: Any) -> tuple:
    y, aux, g = _value_aux_and_grad(f, args, kwargs, nums, has_aux)
    g = g if many else g[0]
    return ((y, aux), g) if has_aux else (y, g)


def _value_aux_and_grad(f: Callable, args: tuple, kwargs: dict, nums: tuple, has_aux: bool) -> tuple:
    """``f``'s value, its aux value, and the gradients of the arguments ``nums`` (a tuple)."""
    nums = _positions(nums, args, "grad")
    y, _, aux, trace, nodes, fold = _trace_call(f, args, "grad", nums, kwargs, has_aux, check=True)
    _check_scalar(y, "grad")  # so the output is one leaf: one node, or None for a constant
    return y, aux, fold({} if nodes[0] is None else {nodes[0]: _one(y)}, trace.entries.released())


def _one(y: Any) -> Any:
    """The cotangent 1 of a scalar output, in its dtype (a constant even if ``y`` is traced)."""
    y = untraced(y)
    if type(y) is float:
        return 1.0
    dtype = getattr(y, "dtype", None)
    return np.ones_like(y)[()] if dtype is None else dtype.type(1)


def grad(f: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """The gradient of a scalar-output ``f`` with respect to argument ``argnums``.

    ``argnums`` may be a tuple, giving a tuple of gradients. With ``has_aux``, ``f``
    returns ``(value, aux)`` and the result is ``(gradient, aux)``.

    >>> import fad.numpy as np
    >>> grad(np.tanh)(0.0)
    1.0
    >>> grad(grad(np.sin))(0.0)
    -0.0

    See Also: value_and_grad, elementwise_grad, jacobian
    """
    _check_callable(f, "grad")
    nums = _argnums(argnums, "grad")

    return partial(_grad, f, nums, isinstance(argnums, tuple), has_aux)


def _grad(f: Callable, nums: tuple, many: bool, has_aux: bool, *args: Any, **kwargs: Any) -> Any:
    _, aux, g = _value_aux_and_grad(f, args, kwargs, nums, has_aux)
    g = g if many else g[0]
    return (g, aux) if has_aux else g


def elementwise_grad(f: Callable, argnums: int | tuple[int, ...] = 0) -> Callable:
    """The VJP of ``f`` with a cotangent of ones: the sum of the Jacobian's rows.

    For an elementwise ``f`` this is the derivative at every element.

    >>> import numpy
    >>> import fad.numpy as np
    >>> elementwise_grad(np.sin)(numpy.zeros(3))
    array([1., 1., 1.])

    See Also: grad, jacobian
    """
    _check_callable(f, "elementwise_grad")
    nums = _argnums(argnums, "elementwise_grad")

    return partial(_elementwise_grad, f, nums, isinstance(argnums, tuple))


def _elementwise_grad(f: Callable, nums: tuple, many: bool, *args: Any, **kwargs: Any) -> Any:
    y, back, _, trace = _trace_arguments(f, args, kwargs, nums, "elementwise_grad")[:4]
    gs = back(tree_map(_ones_like, y), trace.entries.released())
    return gs if many else gs[0]


def _ones_like(y: Any) -> Any:
    return np.ones_like(untraced(y))[()]


def _basis(y: Any) -> list:
    """The cotangents ``e_0, e_1, ...`` of the output's elements, in C order."""
    y = untraced(y)
    eye = np.eye(np.size(y), dtype=np.result_type(y))
    return [row.reshape(np.shape(y)) for row in eye]


def jacobian(f: Callable, argnums: int | tuple[int, ...] = 0) -> Callable:
    """The Jacobian of ``f``, of shape ``out.shape + in.shape`` (one VJP per output element).

    >>> import numpy
    >>> import fad.numpy as np
    >>> jacobian(lambda x: 2.0 * x)(numpy.ones(2))
    array([[2., 0.],
           [0., 2.]])

    See Also: hessian, jvp
    """
    _check_callable(f, "jacobian")
    nums = _argnums(argnums, "jacobian")

    return partial(_jacobian, f, nums, isinstance(argnums, tuple))


def _jacobian(f: Callable, nums: tuple, many: bool, *args: Any, **kwargs: Any) -> Any:
    y, back, _, trace = _trace_arguments(f, args, kwargs, nums, "jacobian")[:4]
    chosen = [args[i] for i in _positions(nums, args, "jacobian")]
    y_leaves, y_def = flatten(y)
    zeros = [np.zeros_like(untraced(v)) for v in y_leaves]
    entries = list(trace.entries)  # decoded once: one fold per output element follows
    blocks = []  # blocks[k][i]: the Jacobian of output leaf k with respect to argument i
    for k, y_leaf in enumerate(y_leaves):
        rows = [back(unflatten(y_def, [*zeros[:k], e, *zeros[k + 1 :]]), entries) for e in _basis(y_leaf)]
        blocks.append([_block(x, [row[i] for row in rows], _shape(y_leaf)) for i, x in enumerate(chosen)])
    # the output's structure outside, each argument's inside (as JAX)
    jacs = tuple(unflatten(y_def, [block[i] for block in blocks]) for i in range(len(chosen)))
    return jacs if many else jacs[0]


def _block(x: Any, rows: list, y_shape: tuple) -> Any:
    """The Jacobian of one output leaf with respect to ``x``: ``x``'s structure, ``y_shape + leaf.shape`` leaves."""
    x_leaves, x_def = flatten(x)
    row_leaves = [flatten(row)[0] for row in rows]
    return unflatten(
        x_def,
        [
            _stack_rows([r[j] for r in row_leaves], y_shape, _shape(leaf), _dtype(leaf))
            for j, leaf in enumerate(x_leaves)
        ],
    )


def _stack_rows(rows: list, y_shape: tuple, x_shape: tuple, dtype: np.dtype) -> Any:
    if not rows or all(r is None for r in rows):
        return np.zeros(y_shape + x_shape, dtype)
    rows = [np.zeros(x_shape, dtype) if r is None else r for r in rows]
    if any(isinstance(r, Traced) for r in rows):
        return fnp.reshape(fnp.stack(rows), y_shape + x_shape)
    return np.stack([np.asarray(r) for r in rows]).reshape(y_shape + x_shape)


def hessian(f: Callable, argnums: int = 0) -> Callable:
    """The Hessian of a scalar-output ``f``: ``jacobian(grad(f))``, shape ``in.shape + in.shape``.

    >>> import numpy
    >>> import fad.numpy as np
    >>> hessian(lambda x: np.sum(x ** 3))(numpy.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])

    See Also: jacobian, hvp
    """
    if isinstance(argnums, tuple):
        raise TypeError("fad.hessian: argnums must be a single int; use jacobian(grad(f, argnums)) for blocks")
    return jacobian(grad(f, argnums), argnums)


def _vdot(a: Any, b: Any) -> Any:
    """The inner product of two values of the same structure, summed over their leaves."""
    terms = [fnp.sum(x * y) for x, y in zip(flatten(a)[0], flatten(b)[0])]
    return sum(terms[1:], terms[0]) if terms else 0.0


def hvp(f: Callable, *args: Any) -> Any:
    """Hessian-vector product ``hvp(f)(x, v) = H(x) v`` without forming the Hessian.

    It differentiates ``x -> <grad f(x), v>`` (reverse over reverse): about four times the
    cost of ``f``, whatever the size of ``x``. Curried like :func:`vjp`: ``hvp(f)(x, v)``
    and ``hvp(f, x, v)`` are the same call.

    ``x`` may be a container (tuple, list, dict, namedtuple, dataclass) of arrays; ``v``
    must then have the same structure and each leaf the shape of ``x``'s, and the result
    has that structure too: ``H v`` with ``H`` the Hessian over all the leaves together.

    ``f`` is differentiated in its one argument ``x``. Data that ``f`` also needs (a batch,
    targets, a fixed parameter) are not arguments of ``hvp``: close over them, as
    ``hvp(lambda x: loss(x, data))(x, v)``, or bind them with :func:`functools.partial`
    when ``x`` is not the first argument. ``scipy.optimize.minimize``'s ``hessp(x, p,
    *args)`` is then ``lambda x, p, *args: hvp(lambda x: f(x, *args))(x, p)``.

    >>> import numpy
    >>> import fad.numpy as np
    >>> hvp(lambda x: x ** 3)(2.0, 1.0)
    12.0
    >>> hvp(lambda p: p["a"] ** 2 * p["b"])({"a": 1.0, "b": 3.0}, {"a": 1.0, "b": 0.0})
    {'a': 6.0, 'b': 2.0}
    >>> data = numpy.array([1.0, 2.0])
    >>> hvp(lambda w: np.sum((w * data) ** 2))(numpy.zeros(2), numpy.ones(2))
    array([2., 8.])

    See Also: hessian, jvp
    """
    _check_callable(f, "hvp")
    f_hvp = partial(_hvp, grad(f))
    return f_hvp(*args) if args else f_hvp


def _hvp(df: Callable, x: Any, v: Any) -> Any:
    """``H(x) v`` as the gradient of ``<df(x), v>``, ``df`` the gradient of ``f``."""
    (x_leaves, x_def), (v_leaves, v_def) = flatten(x), flatten(v)
    if x_def != v_def:
        raise TypeError(f"fad.hvp: v must have the structure of x; got {v_def} for {x_def}")
    for a, b in zip(x_leaves, v_leaves):
        if _shape(a) != _shape(b):
            raise ValueError(f"fad.hvp: v has a leaf of shape {_shape(b)} where x's has shape {_shape(a)}")
    return grad(lambda x: _vdot(df(x), v))(x)


# --------------------------------------------------------------------------------------
# stop_gradient, checkpoint, tape
# --------------------------------------------------------------------------------------


def stop_gradient(x: Any) -> Any:
    """``x`` as a constant: the identity, with derivative zero at every nesting level.

    >>> grad(lambda x: x * stop_gradient(x))(3.0)
    3.0

    See Also: grad
    """
    return tree_map(untraced, x)


def checkpoint(f: Callable) -> Callable:
    """``f`` with the same values and derivatives, keeping none of its intermediates.

    The checkpointed call is one entry on the tape, whose inputs are the traced values that
    ``f`` uses: its traced arguments (positional or keyword) and the traced values it closes
    over. The backward pass runs ``f`` again under ``vjp`` to get their cotangents: memory
    for time. ``f`` must compute the same function when run again; randomness drawn inside
    it would be drawn anew (pass the random numbers in as an argument instead).

    >>> import fad.numpy as np
    >>> grad(checkpoint(lambda x: np.sin(x) * x))(0.0)
    0.0
    >>> grad(lambda x: checkpoint(lambda y: x * y)(x))(2.0)  # x is closed over, and an argument
    4.0

    See Also: vjp
    """
    _check_callable(f, "checkpoint")
    return partial(_checkpointed, f, f"checkpoint({getattr(f, '__name__', 'f')})")


def _checkpointed(f: Callable, name: str, *args: Any, **kwargs: Any) -> Any:
    traces = running_traces()
    if not traces:
        return f(*args, **kwargs)  # nothing is traced: the plain call
    # 1. Run f once on the plain values, recording nothing (every running trace's values are
    #    substituted by their values), and collect the traced values it reads: its inputs.
    with substituting(traces, {}) as met:
        out = f(*args, **kwargs)
    free = list(toolz.unique(met, key=id))
    out_leaves, out_def = flatten(out)
    if not free:
        return out  # f read no traced value: its result is a constant
    plain = [untraced(v) for v in free]

    # 2. One primitive over them. Its forward function gives the values just computed (or
    #    computes f again for other inputs); its VJP runs f again under vjp, the traced
    #    values replaced by the VJP's inputs in the traces that have finished.
    def fwd(*values: Any) -> tuple:
        if all(v is p for v, p in zip(values, plain)):
            return tuple(out_leaves)
        return _run_substituted(f, args, kwargs, traces, free, *values)

    def back(y: tuple, ybar: tuple, *values: Any) -> tuple:
        finished = [t for t in traces if not t.running]
        return vjp(partial(_run_substituted, f, args, kwargs, finished, free))(None, tuple(ybar), *values)

    prim = primitive(fwd, back, name=name, multiple_results=True)
    return unflatten(out_def, list(prim(*free)))


def _run_substituted(f: Callable, args: tuple, kwargs: dict, traces: list, free: list, *values: Any) -> tuple:
    """The leaves of ``f(*args, **kwargs)``, each traced value of ``free`` replaced by one of ``values``."""
    with substituting(traces, {id(v): value for v, value in zip(free, values)}):
        return tuple(flatten(f(*args, **kwargs))[0])


def _input_names(f: Callable, n: int) -> tuple[str, ...]:
    import inspect  # only fad.tape needs it: not at import

    try:
        params = [
            p.name
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    return tuple(params[i] if i < len(params) else f"x{i + 1}" for i in range(n))


def tape(f: Callable) -> Callable[..., Tape]:
    """The tape that differentiation builds for ``f(*xs)``, as immutable data.

    >>> import fad.numpy as np
    >>> print(tape(lambda w, a, b: 1 / (1 + np.exp(-(w * a + b))))(0.5, 2.0, 0.1))
    t1 = multiply(w, a)
    t2 = add(t1, b)
    t3 = negative(t2)
    t4 = exp(t3)
    t5 = add(1, t4)
    t6 = divide(1, t5)
    output: t6

    See Also: vjp
    """
    _check_callable(f, "tape")

    return partial(_tape, f)


def _tape(f: Callable, *xs: Any) -> Tape:
    leaves = flatten(xs)[0]
    traced = _trace_call(f, xs, "tape", keep_all=True, lines=True)
    if len(leaves) == len(xs):
        names = _input_names(f, len(leaves))
    else:
        names = tuple(f"x{i + 1}" for i in range(len(leaves)))
    kept = [(name, x) for name, x in zip(names, leaves) if type(x) is float or _differentiable(x)]  # the traced ones
    return Tape(
        tuple(name for name, _ in kept),
        tuple(traced.trace.entries),
        traced.y_nodes,
        tuple(x for _, x in kept),
        tuple(traced.trace.lines),
        tuple(flatten(traced.y)[0]),
    )
