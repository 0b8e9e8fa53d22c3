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

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

import fad.numpy as fnp
from fad.core import Primitive, Traced, untraced
from fad.tape import Tape
from fad.tracing import (
    TracedCall,
    cast_like,
    check_scalar,
    differentiable,
    dtype_of,
    shape_of,
    snapshot,
    trace_call,
)
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
    "tape",
]


# --------------------------------------------------------------------------------------
# pullback and vjp: the note's j, for any function
# --------------------------------------------------------------------------------------


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
    xs = tuple(tree_map(lambda x: snapshot(x) if type(x) is np.ndarray else x, xs))
    y, back = trace_call(f, xs, "pullback")[:2]
    return y, back


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
    return trace_call(f, xs, "vjp").back(ybar)


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
    y, back = trace_call(f, tuple(primals), "jvp")[:2]
    zeros = tree_map(lambda v: cast_like(None, v), y)
    back_of_back = trace_call(back, (zeros,), "jvp", user=False).back
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
    return trace_call(f, args, who, _positions(nums, args, who), kwargs, check=True)


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
    y, _, aux, trace, nodes, fold = trace_call(f, args, "grad", nums, kwargs, has_aux, check=True)
    check_scalar(y, "grad")  # so the output is one leaf: one node, or None for a constant
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
        blocks.append([_block(x, [row[i] for row in rows], shape_of(y_leaf)) for i, x in enumerate(chosen)])
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
            _stack_rows([r[j] for r in row_leaves], y_shape, shape_of(leaf), dtype_of(leaf))
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
        if shape_of(a) != shape_of(b):
            raise ValueError(f"fad.hvp: v has a leaf of shape {shape_of(b)} where x's has shape {shape_of(a)}")
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
    traced = trace_call(f, xs, "tape", keep_all=True, lines=True)
    if len(leaves) == len(xs):
        names = _input_names(f, len(leaves))
    else:
        names = tuple(f"x{i + 1}" for i in range(len(leaves)))
    kept = [(name, x) for name, x in zip(names, leaves) if type(x) is float or differentiable(x)]  # the traced ones
    return Tape(
        tuple(name for name, _ in kept),
        tuple(traced.trace.entries),
        traced.y_nodes,
        tuple(x for _, x in kept),
        tuple(traced.trace.lines),
        tuple(flatten(traced.y)[0]),
    )
