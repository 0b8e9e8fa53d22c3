"""The combinators: every one is a pure function from functions to functions.

Each call of a transform makes a fresh :class:`~fad.core.Trace`, runs the function on
traced inputs (the forward pass, which stores every node's value on the trace's tape),
and folds the tape backward (:func:`fad.core.backward`). Nothing outlives the call but
the values it returns, so transforms nest to any depth and run concurrently.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from fad import numpy as fnp
from fad.core import Traced, Primitive, Tape, Trace, backward, untraced, primitive, run
from fad.numpy._rules import shape_of
from fad.tree import flatten, tree_map, unflatten

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
        if x is None:
            continue
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


def _cast_like(xbar: Any, x: Any) -> Any:
    """``xbar`` with the type, dtype and shape of the input ``x`` it is the cotangent of."""
    if type(xbar) is np.ndarray and type(x) is np.ndarray and xbar.shape == x.shape and xbar.dtype == x.dtype:
        return xbar  # already the input's kind of value: the common case for arrays
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
    return np.asarray(xbar).astype(_dtype(x), copy=False)


def _unbox(y: Any, trace: Trace) -> Any:
    """The value of ``y`` as seen outside ``trace`` (outer transforms' boxes stay)."""
    return y.value if isinstance(y, Traced) and y.owner is trace else y


# --------------------------------------------------------------------------------------
# pullback and vjp: the note's j, for any function
# --------------------------------------------------------------------------------------


class TracedCall(NamedTuple):
    """What a traced call gives: the output, its pullback, the aux value, the trace."""

    y: Any
    back: Callable[[Any], tuple]
    aux: Any
    trace: Trace
    y_nodes: tuple


def _trace_call(f: Callable, xs: tuple, who: str, has_aux: bool = False, keep_all: bool = False) -> TracedCall:
    """Run ``f(*xs)`` on traced inputs; return the output and its pullback ``back``.

    ``back(ybar)`` folds the tape backward and returns one cotangent per ``x``, each with
    that ``x``'s structure, shape and dtype. ``back(ybar, consume=True)`` releases the tape
    as it folds it, for callers that fold it only once.
    """
    trace = Trace(who, keep_all)
    leaves, treedef = flatten(xs)
    boxes = [trace.new_node(x) if _differentiable(x) else x for x in leaves]
    out = run(f, trace, tuple(unflatten(treedef, boxes)))
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
    y_leaves, y_def = flatten(out)
    y_nodes = [y.node if isinstance(y, Traced) and y.owner is trace else None for y in y_leaves]
    y = unflatten(y_def, [_unbox(v, trace) for v in y_leaves])

    def back(ybar: Any, consume: bool = False) -> tuple:
        ybar_leaves, ybar_def = flatten(ybar)
        if ybar_def != y_def:
            raise ValueError(
                f"fad.{who}: the cotangent's structure {ybar_def} does not match the output's {y_def}"
            )
        seeds: dict = {}
        for node, yb, yv in zip(y_nodes, ybar_leaves, y_leaves):
            if node is not None:
                if shape_of(yb) != shape_of(yv):
                    raise ValueError(
                        f"fad.{who}: cotangent of shape {np.shape(untraced(yb))} for an output "
                        f"of shape {np.shape(untraced(yv))}; they must match"
                    )
                seeds[node] = yb if node not in seeds else seeds[node] + yb
        ybars = backward(trace, seeds, consume)
        xbars = [
            _cast_like(ybars.get(b.node), x) if isinstance(b, Traced) else None  # None: not differentiable
            for b, x in zip(boxes, leaves)
        ]
        return tuple(unflatten(treedef, xbars))

    return TracedCall(y, back, aux, trace, tuple(y_nodes))


def pullback(f: Callable, *xs: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Run ``f`` at ``xs`` once; return ``(y, back)`` with ``back(ybar)`` the cotangents.

    ``back`` may be called many times, with different cotangents.

    >>> import fad.numpy as np
    >>> y, back = pullback(lambda a, b: a * b, 3.0, 4.0)
    >>> float(y), back(1.0), back(2.0)
    (12.0, (4.0, 3.0), (8.0, 6.0))

    See Also: vjp, grad
    """
    y, back = _trace_call(f, xs, "pullback")[:2]
    return y, back


def vjp(f: Callable) -> Callable[..., tuple]:
    """The note's ``j : (x -> y) -> (y, ybar, x) -> xbar``, curried.

    For a :class:`~fad.Primitive` this is the record's own closure; for any other function
    it traces ``f`` at ``xs`` and folds the tape backward (``y`` may then be ``None``).

    >>> import fad.numpy as np
    >>> vjp(np.exp)(1.0, 2.0, 0.0)
    (2.0,)
    >>> vjp(lambda x: x * x)(None, 1.0, 3.0)
    (6.0,)

    See Also: pullback, jvp
    """
    if isinstance(f, Primitive):
        return f.vjp
    _check_callable(f, "vjp")

    def f_vjp(y: Any, ybar: Any, *xs: Any) -> tuple:
        return _trace_call(f, xs, "vjp")[1](ybar)

    return f_vjp


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

    def f_jvp(primals: tuple, tangents: tuple) -> tuple:
        _check_tangents(primals, tangents)
        y, back = _trace_call(f, tuple(primals), "jvp")[:2]
        zeros = tree_map(lambda v: _cast_like(None, v), y)
        back_of_back = _trace_call(back, (zeros,), "jvp").back
        (ydot,) = back_of_back(tuple(tangents))
        return y, ydot

    return f_jvp


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


def _split_args(f: Callable, args: tuple, kwargs: dict, nums: tuple, who: str) -> tuple:
    """The arguments to differentiate, and ``f`` as a function of them alone."""
    for i in nums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"fad.{who}: argnums {i} is out of range for {len(args)} positional arguments")
    nums = tuple(i % len(args) for i in nums)

    def f_of(*chosen: Any) -> Any:
        full = list(args)
        for i, x in zip(nums, chosen):
            full[i] = x
        return f(*full, **kwargs)

    return f_of, tuple(args[i] for i in nums)


def _check_scalar(y: Any, who: str) -> None:
    shape = np.shape(untraced(y)) if not isinstance(y, (tuple, list, dict)) else None
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

    def f_value_and_grad(*args: Any, **kwargs: Any) -> tuple:
        f_of, chosen = _split_args(f, args, kwargs, nums, "grad")
        _check_inputs(flatten(chosen)[0], "grad")
        y, back, aux = _trace_call(f_of, chosen, "grad", has_aux)[:3]
        _check_scalar(y, "grad")
        gs = back(np.ones_like(untraced(y))[()] if not isinstance(y, Traced) else fnp.ones_like(y), consume=True)
        g = gs if isinstance(argnums, tuple) else gs[0]
        return ((y, aux), g) if has_aux else (y, g)

    return f_value_and_grad


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
    value_and_g = value_and_grad(f, argnums, has_aux)

    def f_grad(*args: Any, **kwargs: Any) -> Any:
        value, g = value_and_g(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return f_grad


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

    def f_elementwise_grad(*args: Any, **kwargs: Any) -> Any:
        f_of, chosen = _split_args(f, args, kwargs, nums, "elementwise_grad")
        _check_inputs(flatten(chosen)[0], "elementwise_grad")
        y, back = _trace_call(f_of, chosen, "elementwise_grad")[:2]
        gs = back(tree_map(_ones_like, y), consume=True)
        return gs if isinstance(argnums, tuple) else gs[0]

    return f_elementwise_grad


def _ones_like(y: Any) -> Any:
    return fnp.ones_like(y) if isinstance(y, Traced) else np.ones_like(untraced(y))[()]


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

    def f_jacobian(*args: Any, **kwargs: Any) -> Any:
        f_of, chosen = _split_args(f, args, kwargs, nums, "jacobian")
        _check_inputs(flatten(chosen)[0], "jacobian")
        y, back, _, trace = _trace_call(f_of, chosen, "jacobian")[:4]
        if not flatten(y)[1] == flatten(0.0)[1]:
            raise TypeError("fad.jacobian: the function must return a single array, not a container")
        trace.keep_entries()  # one fold per output element follows
        rows = [back(e) for e in _basis(y)]
        y_shape = np.shape(untraced(y))
        jacs = tuple(
            _stack_rows([r[k] for r in rows], y_shape, np.shape(untraced(x)), _dtype(x))
            for k, x in enumerate(chosen)
        )
        return jacs if isinstance(argnums, tuple) else jacs[0]

    return f_jacobian


def _stack_rows(rows: list, y_shape: tuple, x_shape: tuple, dtype: np.dtype) -> Any:
    if not rows:
        return np.zeros(y_shape + x_shape, dtype)
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


def hvp(f: Callable) -> Callable[[Any, Any], Any]:
    """Hessian-vector product ``hvp(f)(x, v) = H(x) v`` without forming the Hessian.

    It differentiates ``x -> <grad f(x), v>`` (reverse over reverse): about four times the
    cost of ``f``.

    >>> import fad.numpy as np
    >>> hvp(lambda x: x ** 3)(2.0, 1.0)
    12.0

    See Also: hessian, jvp
    """
    _check_callable(f, "hvp")
    df = grad(f)

    def f_hvp(x: Any, v: Any) -> Any:
        if flatten(x)[1] != flatten(v)[1]:
            raise TypeError("fad.hvp: v must have the structure of x")
        return grad(lambda x: _vdot(df(x), v))(x)

    return f_hvp


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

    The checkpointed call is one entry on the tape; the backward pass runs ``f`` again
    under ``vjp`` to get its cotangents. Memory for time.

    >>> import fad.numpy as np
    >>> grad(checkpoint(lambda x: np.sin(x) * x))(0.0)
    0.0

    See Also: vjp
    """
    _check_callable(f, "checkpoint")
    name = f"checkpoint({getattr(f, '__name__', 'f')})"

    def f_checkpointed(*args: Any) -> Any:
        leaves, treedef = flatten(args)
        out_def: list = []  # filled by the first forward call; read after it

        def fwd(*flat: Any) -> tuple:
            out_leaves, d = flatten(f(*unflatten(treedef, list(flat))))
            out_def[:] = [d]
            return tuple(out_leaves)

        def f_flat(*flat: Any) -> tuple:
            return fwd(*flat)

        def back(y: tuple, ybar: tuple, *flat: Any) -> tuple:
            return vjp(f_flat)(None, tuple(ybar), *flat)

        prim = primitive(fwd, back, name=name, multiple_results=True)
        out_leaves = prim(*leaves)
        return unflatten(out_def[0], list(out_leaves))

    return f_checkpointed


def _input_names(f: Callable, n: int) -> tuple[str, ...]:
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

    def f_tape(*xs: Any) -> Tape:
        leaves = flatten(xs)[0]
        traced = _trace_call(f, xs, "tape", keep_all=True)
        if len(leaves) == len(xs):
            names = _input_names(f, len(leaves))
        else:
            names = tuple(f"x{i + 1}" for i in range(len(leaves)))
        return Tape(names, tuple(traced.trace.entries), traced.y_nodes)

    return f_tape

