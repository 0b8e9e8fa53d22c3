"""The core of fad: primitives as records, tracing, the tape, and the backward fold.

A function is differentiated by running it on *traced* values. Every primitive applied
to a traced value appends one :class:`Entry` to the tape of the transform that traced it,
storing the value it computed (the forward pass). The backward pass is a fold over the
reversed tape that computes every node's cotangent exactly once, with each primitive's
vector-Jacobian product, written as the curried higher-order function of the note::

    j : (x -> y) -> (y, ybar, x) -> xbar        j(exp)(y, ybar, x) = y * ybar

The VJP contract, stated once: for a primitive ``f`` with ``y = f(x1, ..., xn)`` and a
cotangent ``ybar`` of ``y``, ``f.vjp(y, ybar, x1, ..., xn)`` returns the tuple
``(x1bar, ..., xnbar)`` with ``xibar = ybar . dy/dxi`` (``None`` for an input that has no
derivative). It is linear in ``ybar`` and written with fad's own functions, so it can be
differentiated again.

There is no module-level mutable state. Each transform invocation makes its own
:class:`Trace`; when traced values of several transforms meet, the innermost one is read
off the Python call stack (see :func:`innermost`), which is the dynamic nesting order.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, reduce
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "Primitive",
    "primitive",
    "Traced",
    "Trace",
    "Entry",
    "Tape",
    "untraced",
    "run",
    "backward",
]


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
    tuple and ``ybar`` is a tuple of the same length. ``unread`` lists the positions
    among ``(y, x1, ..., xn)`` (``0`` for ``y``) that the VJP never reads, so that a
    gradient's tape need not keep those values alive; :func:`primitive` finds them.

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
    no derivative); the tuple form lets the backward pass skip untraced inputs.

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
        raise TypeError(
            f"fad.primitive {name!r}: vjp must be a callable vjp(y, ybar, *xs) -> tuple "
            f"or a tuple of per-input rules, got {type(vjp).__name__}"
        )
    if multiple_results and 0 in unread:
        raise ValueError(f"fad.primitive {name!r}: y is read by the backward pass of a multiple-results primitive")
    joined = vjp if parts is None else _join_parts(parts)
    return Primitive(name, fwd, joined, parts, multiple_results, tuple(sorted(unread)))


# --------------------------------------------------------------------------------------
# Traced values and traces
# --------------------------------------------------------------------------------------


class Trace:
    """The recording made by one transform invocation: its tape and whether it runs.

    A trace is created by a transform, filled while the function runs, and closed when
    the function returns; it is never shared between invocations.

    The tape is kept compact: each row is one flat tuple ``(k, params, out, value,
    *inputs, *nodes)`` whose ``k`` numbers the primitive in ``primitives``, and
    :meth:`entry` reads a row as the :class:`Entry` it stands for. The reason is Python's
    cyclic garbage collector: after one collection it stops watching a plain tuple of
    plain values (numbers, arrays, None), so a tape of a million rows costs it nothing.
    A row holding the primitive record, or a tuple or dict inside it, would be watched
    for good, and every full collection would walk the whole tape again.

    A row keeps only the values that the primitive's VJP reads (see ``Primitive.unread``)
    and ``None`` for the others, so that a gradient holds no more memory than it needs;
    with ``keep_all`` (for :func:`fad.tape`) it keeps every input and value.
    """

    __slots__ = ("transform", "keep_all", "box", "rows", "primitives", "numbers", "size", "running", "_entries")

    def __init__(self, transform: str, keep_all: bool = False, box: type | None = None) -> None:
        self.transform = transform
        self.box = Traced if box is None else box
        self.keep_all = keep_all
        self.rows: list[tuple] = []
        self.primitives: list[Primitive] = []  # the primitives met, in order; rows refer to them by number
        self.numbers: dict[Primitive, int] = {}  # the inverse of `primitives`
        self.size = 0  # nodes numbered so far (inputs and primitive outputs)
        self.running = True
        self._entries: list[Entry] | None = None  # set by keep_entries

    def new_node(self, value: Any) -> Traced:
        box = self.box(value, self, self.size)
        self.size += 1
        return box

    def fields(self, row: tuple) -> tuple:
        """The fields of the :class:`Entry` that ``row`` records, as a plain tuple."""
        n = (len(row) - 4) >> 1  # the number of inputs
        return (self.primitives[row[0]], row[4 : 4 + n], row[1] or {}, row[4 + n :], row[2], row[3])

    def entry(self, row: tuple) -> Entry:
        """The tape entry that ``row`` records."""
        return _entry(self.fields(row))

    @property
    def entries(self) -> list[Entry]:
        """The tape as a list of :class:`Entry`, in evaluation order."""
        return self._entries if self._entries is not None else [self.entry(row) for row in self.rows]

    def keep_entries(self) -> None:
        """Read the closed tape's rows as entries once and keep them, for many folds to come."""
        self._entries = self.entries


def _forward(name: str, swap: bool = False) -> Callable[..., Any]:
    """An operator method of :class:`Traced` that calls ``fad.numpy.<name>``."""
    if swap:
        return lambda self, other: getattr(_fnp, name)(other, self)
    return lambda self, *args: getattr(_fnp, name)(self, *args)


class Traced:
    """A value traced by one transform: the ``value``, the ``owner`` trace, its ``node`` number.

    Traced arrays behave like ndarrays: every operator and method forwards to the
    :mod:`fad.numpy` function of the same meaning (``x.trace()`` is the matrix trace, as
    for an ndarray, which is why the trace is called the box's owner).
    """

    __slots__ = ("value", "owner", "node")
    __array_priority__ = 1000.0

    def __init__(self, value: Any, trace: Trace, node: int) -> None:
        self.value = value
        self.owner = trace
        self.node = node

    def __repr__(self) -> str:
        return f"Traced({self.value!r}, by={self.owner.transform})"

    # Conversions that would silently drop the derivative are errors.
    def _no_conversion(self, what: str) -> TypeError:
        return TypeError(
            f"{what} of a value traced by fad.{self.owner.transform} would lose its derivative. "
            "Keep computing with fad.numpy functions, or wrap the value in "
            "fad.stop_gradient(x) if you mean it as a constant."
        )

    def __float__(self) -> float:
        raise self._no_conversion("float()")

    def __int__(self) -> int:
        raise self._no_conversion("int()")

    def __complex__(self) -> complex:
        raise self._no_conversion("complex()")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise self._no_conversion("numpy.asarray()/numpy.array()")

    def __bool__(self) -> bool:
        return bool(untraced(self))  # control flow on values is fine; it has no derivative

    def _in_place(self, *args: Any) -> Any:
        raise TypeError(
            "fad: traced arrays are immutable, so item assignment and in-place operators "
            "(x[i] = v, x += v) are not supported. Build a new value instead: x = x + v, "
            "fad.numpy.where(mask, v, x), or fad.numpy.concatenate of the pieces."
        )

    __setitem__ = __delitem__ = _in_place
    __iadd__ = __isub__ = __imul__ = __itruediv__ = __ipow__ = __imatmul__ = _in_place
    __ifloordiv__ = __imod__ = _in_place

    # The array interface: each forwards to fad.numpy (bound at the end of this module).
    shape = property(lambda self: np.shape(untraced(self)))
    ndim = property(lambda self: np.ndim(untraced(self)))
    size = property(lambda self: np.size(untraced(self)))
    dtype = property(lambda self: np.result_type(untraced(self)))
    T = property(lambda self: _fnp.transpose(self))
    mT = property(lambda self: _fnp.swapaxes(self, -1, -2))
    real = property(lambda self: _fnp.real(self))
    imag = property(lambda self: _fnp.imag(self))

    def __len__(self) -> int:
        return len(untraced(self))

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index: Any) -> Any:
        return _fnp.getitem(self, index)

    __add__, __radd__ = _forward("add"), _forward("add", swap=True)
    __sub__, __rsub__ = _forward("subtract"), _forward("subtract", swap=True)
    __mul__, __rmul__ = _forward("multiply"), _forward("multiply", swap=True)
    __truediv__, __rtruediv__ = _forward("divide"), _forward("divide", swap=True)
    __pow__, __rpow__ = _forward("power"), _forward("power", swap=True)
    __matmul__, __rmatmul__ = _forward("matmul"), _forward("matmul", swap=True)
    __mod__, __rmod__ = _forward("remainder"), _forward("remainder", swap=True)
    __floordiv__, __rfloordiv__ = _forward("floor_divide"), _forward("floor_divide", swap=True)
    __neg__, __abs__ = _forward("negative"), _forward("abs")
    __eq__, __ne__ = _forward("equal"), _forward("not_equal")  # type: ignore[assignment]
    __lt__, __le__ = _forward("less"), _forward("less_equal")
    __gt__, __ge__ = _forward("greater"), _forward("greater_equal")

    def __pos__(self) -> Traced:
        return self

    __hash__ = None  # type: ignore[assignment]

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _fnp.dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _fnp.dispatch_function(func, args, kwargs)


def untraced(x: Any) -> Any:
    """The plain value under every level of tracing (no derivative flows through it)."""
    while isinstance(x, Traced):
        x = x.value
    return x


# --------------------------------------------------------------------------------------
# Nesting: which of several transforms is innermost, read off the call stack
# --------------------------------------------------------------------------------------


def run(f: Callable[..., Any], trace: Trace, args: tuple) -> Any:
    """Call ``f(*args)`` with ``trace`` running; this frame marks the trace on the stack."""
    try:
        return f(*args)
    finally:
        trace.running = False


_RUN_CODE = run.__code__


def _leaked(trace: Trace, where: str) -> TypeError:
    return TypeError(
        f"{where}: got a value traced by a fad.{trace.transform} call that has already "
        "returned (it leaked out of the differentiated function, e.g. through a list, a "
        "global or a closure). Return it from the function instead, or pass "
        "fad.stop_gradient(x) if it is meant as a constant."
    )


def innermost(traces: set[Trace], where: str) -> Trace:
    """The innermost running trace among ``traces``.

    Transforms nest as calls do: a transform started inside another one runs in a frame
    above the other's :func:`run` frame. So the first :func:`run` frame met walking down
    from the top of this thread's stack belongs to the innermost transform. No counter
    or shared state is needed, and each thread sees only its own stack.
    """
    for trace in traces:
        if not trace.running:
            raise _leaked(trace, where)
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _RUN_CODE:
            trace = frame.f_locals["trace"]
            if trace in traces:
                return trace
        frame = frame.f_back
    raise TypeError(
        f"{where}: got values traced by fad transforms that are not running on this "
        "thread; a traced value cannot cross threads or outlive its transform."
    )


# --------------------------------------------------------------------------------------
# The forward pass: applying a primitive to traced values records one tape entry
# --------------------------------------------------------------------------------------


class Entry(NamedTuple):
    """One primitive application on the tape: ``value = primitive(*inputs, **params)``.

    ``nodes`` holds the node number of each input traced at this level, and ``None`` for
    each input that is a constant here. ``out`` is the node number of the result (a tuple
    of them for a primitive with multiple results).
    """

    primitive: Primitive
    inputs: tuple
    params: dict
    nodes: tuple[int | None, ...]
    out: Any
    value: Any


_entry = partial(tuple.__new__, Entry)  # Entry(...) without the keyword-parsing constructor


def bind(prim: Primitive, xs: tuple, params: dict) -> Any:
    """Apply ``prim`` to arguments some of which are traced, recording it on a tape.

    The innermost trace takes its own boxes apart; the primitive is applied to what is
    inside them (which may still be traced by outer transforms, so each active
    transform records one entry); the result is boxed again as a new node.
    """
    trace = None
    for x in xs:
        if isinstance(x, Traced):
            if trace is None:
                trace = x.owner
            elif x.owner is not trace:
                trace = innermost({b.owner for b in xs if isinstance(b, Traced)}, prim.name)
                break
    if not trace.running:
        raise _leaked(trace, prim.name)
    inputs = []  # the inputs as this trace sees them: its own boxes opened
    nodes = []  # the node number of each input, None for a constant at this level
    nested = False  # whether an outer transform traces some input too
    for x in xs:
        node = None
        if isinstance(x, Traced):
            if x.owner is trace:
                node = x.node
                x = x.value
            nested = nested or isinstance(x, Traced)
        inputs.append(x)
        nodes.append(node)
    # Apply the primitive; through `prim(...)`, outer transforms record it on their tapes.
    y = y_saved = prim(*inputs, **params) if nested else prim.fwd(*inputs, **params)
    if prim.multiple_results:
        boxes = tuple(trace.new_node(yi) for yi in y)
        out: Any = tuple(b.node for b in boxes)
        result: Any = boxes
    else:
        result = trace.new_node(y)
        out = result.node
    if prim.unread and not trace.keep_all:  # values the VJP never reads are not kept alive
        for i in prim.unread:
            if i == 0:
                y_saved = None
            elif i <= len(inputs):
                inputs[i - 1] = None
    k = trace.numbers.get(prim)
    if k is None:
        k = trace.numbers[prim] = len(trace.primitives)
        trace.primitives.append(prim)
    # Entry(prim, inputs, params, nodes, out, y) as a flat row (see Trace); no parameters is
    # None, not {}, since the collector keeps watching a tuple that holds a dict.
    trace.rows.append((k, params or None, out, y_saved, *inputs, *nodes))
    return result


# --------------------------------------------------------------------------------------
# The backward pass: a fold over the reversed tape
# --------------------------------------------------------------------------------------


def _zeros_like(y: Any) -> Any:
    return np.zeros_like(untraced(y))


def _take_cotangents(ybars: dict, outs: tuple, ys: tuple) -> tuple | None:
    """Remove and return the cotangents of several results (``None`` when none has one)."""
    parts = [ybars.pop(node, None) for node in outs]
    if all(part is None for part in parts):
        return None
    return tuple(_zeros_like(y) if p is None else p for p, y in zip(parts, ys))


def backward_step(ybars: dict, entry: Entry) -> dict:
    """One step of the backward fold: send the cotangent of ``entry``'s output to its inputs.

    ``ybars`` maps node numbers to cotangents; a missing node has cotangent zero. The
    entry may also be a plain tuple of an :class:`Entry`'s fields (see ``Trace.fields``).
    """
    prim, xs, params, nodes, out, y = entry
    # 1. Take the output's cotangent out of the store: no later step reads it again.
    ybar = _take_cotangents(ybars, out, y) if prim.multiple_results else ybars.pop(out, None)
    # 2. A node that does not reach the output has no cotangent: it costs nothing.
    if ybar is None:
        return ybars
    # 3. The note's j(f)(y, ybar, x): one cotangent per input of the primitive.
    if prim.vjp_parts is None:
        xbars = prim.vjp(y, ybar, *xs, **params)
        if not isinstance(xbars, (tuple, list)) or len(xbars) != len(xs):
            raise TypeError(
                f"fad: the VJP of {prim.name} must return a tuple of {len(xs)} cotangents, one per "
                f"positional input (None for an input with no derivative); it returned {xbars!r:.80}"
            )
    else:  # only the rules of traced inputs run
        xbars = [None if node is None else rule(y, ybar, *xs, **params) for rule, node in zip(prim.vjp_parts, nodes)]
    # 4. Add each input's cotangent to its node's (a value used twice gets both).
    for node, xbar in zip(nodes, xbars):
        if node is not None and xbar is not None:
            before = ybars.get(node)
            ybars[node] = xbar if before is None else before + xbar
    return ybars


def backward(trace: Trace, ybars: dict, consume: bool = False) -> dict:
    """Fold ``trace``'s tape backward from the output cotangents ``ybars``; returns the store.

    With ``consume``, each row is taken off the tape as the fold passes it, so the
    values it stored are released as soon as no later step needs them (for a gradient,
    which folds the tape once).
    """
    if not consume:  # the entries kept for many folds (see Trace.keep_entries), or rows read as they come
        steps = reversed(trace._entries) if trace._entries is not None else map(trace.fields, reversed(trace.rows))
        return reduce(backward_step, steps, ybars)
    rows = trace.rows
    return reduce(backward_step, map(trace.fields, (rows.pop() for _ in range(len(rows)))), ybars)


# --------------------------------------------------------------------------------------
# The tape as data
# --------------------------------------------------------------------------------------


def _describe(x: Any) -> str:
    x = untraced(x)
    if np.ndim(x) == 0:
        return repr(x.item() if hasattr(x, "item") else x)
    return f"array{np.shape(x)}"


@dataclass(frozen=True)
class Tape:
    """The tape of one traced call, as immutable data.

    ``input_names`` names the traced inputs (nodes ``0 .. n-1``), ``entries`` holds one
    :class:`Entry` per primitive application in evaluation order, and ``outputs`` the
    node numbers of the traced outputs (``None`` for an output that is a constant).
    Printing it shows the decomposition into elementary operations.
    """

    input_names: tuple[str, ...]
    entries: tuple[Entry, ...]
    outputs: tuple[int | None, ...]

    def names(self) -> dict[int, str]:
        """The name of every node: the inputs' names, then ``t1``, ``t2``, ..."""
        names = dict(enumerate(self.input_names))
        count = 0
        for entry in self.entries:
            for node in entry.out if isinstance(entry.out, tuple) else (entry.out,):
                count += 1
                names[node] = f"t{count}"
        return names

    def __len__(self) -> int:
        return len(self.entries)

    def __str__(self) -> str:
        names = self.names()
        lines = []
        for entry in self.entries:
            args = [_describe(x) if node is None else names[node] for x, node in zip(entry.inputs, entry.nodes)]
            args += [f"{k}={v!r}" for k, v in entry.params.items()]
            outs = entry.out if isinstance(entry.out, tuple) else (entry.out,)
            lines.append(f"{', '.join(names[n] for n in outs)} = {entry.primitive.name}({', '.join(args)})")
        shown = ", ".join("<constant>" if n is None else names[n] for n in self.outputs)
        return "\n".join([*lines, f"output: {shown}"])


from fad import numpy as _fnp  # noqa: E402  (the array interface of Traced; imports this module)


def _method(name: str) -> Callable[..., Any]:
    """The ndarray method ``x.<name>(...)`` of a traced array: ``fad.numpy.METHODS[name](x, ...)``."""

    def method(self: Traced, *args: Any, **kwargs: Any) -> Any:
        return _fnp.METHODS[name](self, *args, **kwargs)

    method.__name__ = name
    return method


# The methods are attributes of the class, not found by a __getattr__ hook: a hook would
# slow down every attribute access of every box (x.value, x.owner) on the hot path.
for _name in _fnp.METHODS:
    setattr(Traced, _name, _method(_name))
del _name
