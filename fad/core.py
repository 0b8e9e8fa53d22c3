"""The core of fad: primitives as records, tracing, and the backward fold.

A function is differentiated by running it on *traced* values. Every primitive applied
to a traced value appends one entry to the tape of the transform that traced it, storing
the value it computed (the forward pass). The backward pass is a fold over the reversed
tape that computes every node's cotangent exactly once, with each primitive's
vector-Jacobian product, written as the curried higher-order function of the note
("Automatic differentiation", 2018)::

    j : (x -> y) -> (y, ybar, x) -> xbar        j(exp)(y, ybar, x) = y * ybar

The VJP contract, stated once: for a primitive ``f`` with ``y = f(x1, ..., xn)`` and a
cotangent ``ybar`` of ``y``, ``f.vjp(y, ybar, x1, ..., xn)`` returns the tuple
``(x1bar, ..., xnbar)`` with ``xibar = ybar . dy/dxi`` (``None`` for an input that has no
derivative). It is linear in ``ybar`` and written with fad's functions, so it differentiates again.

This module knows nothing of NumPy's interface: a :class:`Traced` value has no operators;
the transforms hand each trace the class of its values (:class:`fad.array.TracedArray`).
No module-level mutable state: each transform call makes its own :class:`Trace`, and
:func:`fad.nesting.innermost` reads the nesting of several off the stack.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np

from fad.names import attribute, home
from fad.nesting import innermost, leaked, user_line
from fad.rows import Entry, Rows

__all__ = ["Primitive", "primitive", "Traced", "untraced", "substituted", "Trace", "bind", "backward_step", "backward"]


# --------------------------------------------------------------------------------------
# Primitives: immutable records pairing a forward function with its curried VJP
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Primitive:
    """An elementary operation: a forward function and its vector-Jacobian product.

    ``fwd(*xs, **params) -> y`` computes the value; ``vjp(y, ybar, *xs, **params)``
    returns one cotangent per positional input. ``params`` are keyword arguments that
    are not differentiated (an axis, a shape, an index). ``vjp_parts``, when present,
    holds one rule per input so that the backward pass computes only the cotangents of
    inputs that are traced. With ``multiple_results`` the forward function returns a
    tuple and ``ybar`` is a tuple of the same length. ``unread`` declares the positions among
    ``(y, x1, ..., xn)`` (``0`` for ``y``) that the VJP never reads: a gradient's tape keeps
    None there. Never guessed; a test checks every declaration.

    >>> import numpy
    >>> exp = primitive(numpy.exp, lambda y, ybar, x: (y * ybar,), name="exp")
    >>> float(exp(0.0))
    1.0
    >>> exp.vjp(1.0, 2.0, 0.0)
    (2.0,)
    """

    name: str
    fwd: Callable[..., Any]
    vjp: Callable[..., tuple]
    vjp_parts: tuple[Callable[..., Any] | None, ...] | None = None
    multiple_results: bool = False
    unread: tuple[int, ...] = ()

    def __call__(self, *xs: Any, **params: Any) -> Any:
        for x in xs:
            if isinstance(x, Traced):
                return bind(self, xs, params)
        # untraced: the plain function, nothing recorded (without an empty ** when there are no params)
        return self.fwd(*xs, **params) if params else self.fwd(*xs)

    def __repr__(self) -> str:
        return f"<fad primitive {self.name}>"

    def __reduce__(self) -> tuple:
        """Pickled (and copied) by reference: the record is the module-level name it is bound to."""
        return attribute, home(self, f"fad primitive {self.name!r}")


def _join_parts(parts: tuple) -> Callable[..., tuple]:
    """The VJP ``(y, ybar, *xs) -> (x1bar, ..., xnbar)`` made of one rule per input."""

    def vjp(y: Any, ybar: Any, *xs: Any, **params: Any) -> tuple:
        return tuple(None if part is None else part(y, ybar, *xs, **params) for part in parts)

    return vjp


def primitive(
    fwd: Callable[..., Any],
    vjp: Callable[..., tuple] | tuple,
    name: str | None = None,
    *,
    multiple_results: bool = False,
    unread: tuple[int, ...] = (),
) -> Primitive:
    """Build a :class:`Primitive` from a forward function and its VJP.

    ``vjp`` is either the curried closure ``vjp(y, ybar, *xs) -> tuple`` or a tuple of
    rules, one per input, each ``(y, ybar, *xs) -> xbar`` (``None`` for an input with
    no derivative); the tuple form lets the backward pass skip untraced inputs. ``unread``:
    see :class:`Primitive`.

    >>> import numpy
    >>> square = primitive(numpy.square, lambda y, ybar, x: (2 * x * ybar,))
    >>> square.name, float(square(3.0))
    ('square', 9.0)

    See Also: Primitive, fad.vjp
    """
    if not callable(fwd):
        raise TypeError(f"fad.primitive: fwd must be callable, got {type(fwd).__name__}")
    if name is None:
        name = getattr(fwd, "__name__", None) or "primitive"
    parts = vjp if isinstance(vjp, tuple) else None
    if parts is not None and not all(part is None or callable(part) for part in parts):
        raise TypeError(f"fad.primitive {name!r}: every rule in the vjp tuple must be callable or None")
    if parts is None and not callable(vjp):
        what = type(vjp).__name__
        raise TypeError(f"fad.primitive {name!r}: vjp must be a callable or a tuple of per-input rules, got {what}")
    if not all(isinstance(i, int) and 0 <= i for i in unread):
        raise TypeError(f"fad.primitive {name!r}: unread must hold positions among (y, x1, ..., xn), 0 for y")
    if multiple_results and 0 in unread:
        raise ValueError(f"fad.primitive {name!r}: y is read by the backward pass of a multiple-results primitive")
    joined = vjp if parts is None else _join_parts(parts)
    return Primitive(name, fwd, joined, parts, multiple_results, tuple(sorted(unread)))


# --------------------------------------------------------------------------------------
# Traced values and traces
# --------------------------------------------------------------------------------------


class Traced:
    """A value traced by one transform: the ``value``, the ``owner`` trace, its ``node`` number.

    The value may itself be traced by an outer transform; :func:`untraced` finds the plain one.
    """

    __slots__ = ("value", "owner", "node")

    def __init__(self, value: Any, trace: Trace, node: int) -> None:
        self.value = value
        self.owner = trace
        self.node = node

    def __repr__(self) -> str:
        return f"Traced({self.value!r}, by=fad.{self.owner.transform})"

    def _no_conversion(self, what: str) -> TypeError:
        return TypeError(
            f"{what} of a value traced by fad.{self.owner.transform} would lose its derivative. "
            "Keep computing with fad.numpy functions (fad.numpy.array([...]) for a list), or wrap the "
            "value in fad.stop_gradient(x) if you mean it as a constant."
        )

    # Conversions that would silently drop the derivative are errors.
    def __float__(self) -> float:
        raise self._no_conversion("float()")

    def __int__(self) -> int:
        raise self._no_conversion("int()")

    def __complex__(self) -> complex:
        raise self._no_conversion("complex()")

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise self._no_conversion("numpy.asarray()/numpy.array()")

    def __bool__(self) -> bool:
        return bool(untraced(self))  # control flow on values is fine; it has no derivative

    # A traced value is immutable, so a copy of it is the value itself: it stays traced.
    def __copy__(self, memo: Any = None) -> Traced:
        return self

    __deepcopy__ = __copy__

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError(
            f"a value traced by fad.{self.owner.transform} cannot be pickled: the copy would lose its "
            "derivative. Pickle the transform's result, or fad.stop_gradient(x) for the plain value."
        )

    __hash__ = None  # type: ignore[assignment]


def untraced(x: Any) -> Any:
    """The plain value under every level of tracing (no derivative flows through it)."""
    while isinstance(x, Traced):
        x = x.value
    return x


def substituted(x: Any) -> Any:
    """``x`` with the levels of tracing that a checkpoint substitutes replaced (see fad.nesting.Substitutes)."""
    while isinstance(x, Traced) and x.owner.substitutes is not None:
        s = x.owner.substitutes
        while s is not None and id(x) not in s.values:
            s = s.parent
        if s is not None:
            return s.values[id(x)]
        x.owner.substitutes.free.append(x)  # a traced value the checkpointed function uses: read its value
        x = x.value
    return x


class Trace:
    """The recording made by one transform call: its tape, and whether it runs; never shared.

    ``entries`` is the tape (:class:`fad.rows.Rows`, a list of entries stored compactly). A
    gradient's trace keeps ``None`` for the values a VJP never reads (``Primitive.unread``);
    with ``keep_all`` (for :func:`fad.tape`) it keeps every value.
    """

    __slots__ = ("transform", "keep_all", "box", "entries", "nodes", "running", "frame", "substitutes", "lines")

    def __init__(self, transform: str, keep_all: bool = False, box: type | None = None, lines: bool = False) -> None:
        self.transform = transform
        self.keep_all = keep_all
        self.box = Traced if box is None else box  # the class of the values it traces
        self.entries = Rows()
        self.nodes = itertools.count()  # node numbers; next() is atomic, so threads may record too
        self.running = True
        self.frame = None  # while the traced function runs, the frame of fad.nesting.run
        self.substitutes = None  # while a checkpointed function runs: what replaces this trace's values
        self.lines = [] if lines else None  # for fad.tape and fad.explain: each entry's user source line

    def new_node(self, value: Any) -> Traced:
        """``value`` traced by this trace, as a new node."""
        return self.box(value, self, next(self.nodes))


# --------------------------------------------------------------------------------------
# The forward pass: applying a primitive to traced values records one tape entry
# --------------------------------------------------------------------------------------


def bind(prim: Primitive, xs: tuple, params: dict) -> Any:
    """Apply ``prim`` to arguments some of which are traced, recording it on a tape.

    The innermost trace opens its own boxes; the primitive is applied to what is inside them
    (maybe traced by outer transforms: each records one entry); the result is a new node.
    """
    trace = None
    for x in xs:
        if isinstance(x, Traced):
            if trace is None:
                trace = x.owner
            elif x.owner is not trace:
                if any(isinstance(b, Traced) and b.owner.substitutes is not None for b in xs):
                    return prim(*map(substituted, xs), **params)
                trace = innermost({b.owner for b in xs if isinstance(b, Traced)}, prim.name)
                break
    if trace.substitutes is not None:  # a checkpointed function runs: this trace's values are replaced
        return prim(*map(substituted, xs), **params)
    if not trace.running:
        raise leaked(trace, prim.name)
    inputs = list(xs)  # the inputs as this trace sees them: its own boxes opened
    nodes = [None] * len(xs)  # the node number of each input, None for a constant at this level
    nested = False  # whether an outer transform traces some input too
    for i, x in enumerate(xs):
        if isinstance(x, Traced):
            if x.owner is trace:
                nodes[i] = x.node
                inputs[i] = x = x.value
            nested = nested or isinstance(x, Traced)
    # Apply the primitive; through `prim(...)`, outer transforms record it on their tapes.
    y = y_kept = prim(*inputs, **params) if nested else prim.fwd(*inputs, **params)
    if prim.multiple_results:
        result: Any = tuple(trace.new_node(yi) for yi in y)
        out: Any = tuple(b.node for b in result)
    else:
        result = trace.new_node(y)
        out = result.node
    if prim.unread and not trace.keep_all:  # values the VJP never reads are not kept alive
        for i in prim.unread:
            if i == 0:
                y_kept = None
            elif i <= len(inputs):
                inputs[i - 1] = None
    trace.entries.record(prim, inputs, params, nodes, out, y_kept)  # Entry(prim, inputs, ...), stored as a row
    if trace.lines is not None:  # for fad.tape and fad.explain only
        trace.lines.append(user_line())
    return result


# --------------------------------------------------------------------------------------
# The backward pass: a fold over the reversed tape
# --------------------------------------------------------------------------------------


def _take_cotangents(ybars: dict, outs: tuple, ys: tuple) -> tuple | None:
    """Remove and return the cotangents of several results (``None`` when none has one)."""
    parts = [ybars.pop(node, None) for node in outs]
    if all(p is None for p in parts):
        return None
    return tuple(np.zeros_like(untraced(y)) if p is None else p for p, y in zip(parts, ys))


def backward_step(ybars: dict, entry: Entry) -> dict:
    """One step of the backward fold: send the cotangent of ``entry``'s output to its inputs.

    ``ybars`` maps node numbers to cotangents; a node that is missing has cotangent zero.
    """
    prim, xs, params, nodes, out, y = entry
    # 1. Take the output's cotangent out of the store: no later step reads it again.
    ybar = _take_cotangents(ybars, out, y) if prim.multiple_results else ybars.pop(out, None)
    # 2. A node that does not reach the output has no cotangent: it costs nothing.
    if ybar is None:
        return ybars
    # 3. The note's j(f)(y, ybar, x): one cotangent per input of the primitive.
    try:
        if prim.vjp_parts is None:
            xbars = prim.vjp(y, ybar, *xs, **params)
        else:  # one rule per input: only the rules of traced inputs run
            xbars = [None if n is None else rule(y, ybar, *xs, **params) for rule, n in zip(prim.vjp_parts, nodes)]
    except Exception as e:
        if hasattr(e, "add_note"):  # Python 3.11: say which rule raised, whatever it raised
            e.add_note(f"fad: raised by the VJP of the primitive {prim.name!r}")
        raise
    if prim.vjp_parts is None:
        if not isinstance(xbars, (tuple, list)) or len(xbars) != len(xs):
            raise TypeError(
                f"fad: the VJP of {prim.name} must return a tuple of {len(xs)} cotangents, one per "
                f"positional input (None for an input with no derivative); it returned {xbars!r:.80}"
            )
    # 4. Add each input's cotangent to its node's (a value used twice gets both).
    for node, xbar in zip(nodes, xbars):
        if node is not None and xbar is not None:
            before = ybars.get(node)
            ybars[node] = xbar if before is None else before + xbar
    return ybars


def backward(entries: Iterable[Entry], ybars: dict) -> dict:
    """The backward pass: fold the reversed tape from the output cotangents ``ybars``.

    Returns the store of cotangents, by node number. ``entries`` is a trace's tape, or
    ``trace.entries.released()`` to let each entry go as the fold passes it.
    """
    return reduce(backward_step, reversed(entries), ybars)
