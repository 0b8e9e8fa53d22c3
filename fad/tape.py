"""The tape as data: what differentiation records for one call, how it prints, and its folds.

``fad.tape(f)(*xs)`` returns a :class:`Tape`: one entry per primitive application in
evaluation order. Printing it shows the decomposition into elementary operations that
the note describes, e.g. its sigmoid as ``t1 = multiply(w, a)``, ``t2 = add(t1, b)``, ...
The tape can be folded backward (:meth:`Tape.cotangents`), shown as a table of values,
cotangents and the user's source lines (:meth:`Tape.table`), and written out as the
straight-line Python program that differentiation amounts to (:meth:`Tape.to_source`).
"""

from __future__ import annotations

import importlib
import math
import sys
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
import toolz

from fad.array import TracedArray
from fad.core import Primitive, Trace, Traced, backward, backward_step, untraced
from fad.nesting import run
from fad.rows import Entry

__all__ = ["Tape", "summary", "literal"]


def _describe(x: Any) -> str:
    x = untraced(x)
    if np.ndim(x) == 0:
        return repr(x.item() if hasattr(x, "item") else x)
    return f"array{np.shape(x)}"


def _outs(entry: Entry) -> tuple:
    return entry.out if isinstance(entry.out, tuple) else (entry.out,)


def _values(entry: Entry) -> tuple:
    return entry.value if isinstance(entry.out, tuple) else (entry.value,)


def summary(x: Any) -> str:
    """A short description of a value: the number, or shape, dtype, min and max (and how many are not finite).

    >>> summary(2.5), summary(np.array([1.0, np.nan, 3.0]))
    ('2.5', 'float64[3] in [1, 3], 1 nan')

    See Also: Tape.table
    """
    if x is None:
        return "0 (none)"
    x = untraced(x)
    a = np.asarray(x)
    if a.ndim == 0:
        return f"{a.item():.6g}" if a.dtype.kind in "fc" else repr(a.item())
    dims = ",".join(map(str, a.shape))
    text = f"{a.dtype}[{dims}]"
    if a.dtype.kind not in "fciu" or a.size == 0:
        return text
    values = a.real if a.dtype.kind == "c" else a
    finite = values[np.isfinite(values)]
    if finite.size:
        text += f" in [{finite.min():.4g}, {finite.max():.4g}]"
    bad = [f"{int(n)} {what}" for what, n in (("nan", np.isnan(a).sum()), ("inf", np.isinf(a).sum())) if n]
    return ", ".join([text, *bad])


# --------------------------------------------------------------------------------------
# Literals: values written as Python source that evaluates to the very same value
# --------------------------------------------------------------------------------------


def _float(v: float) -> str:
    if math.isnan(v):
        return "float('nan')"
    if math.isinf(v):
        return "float('inf')" if v > 0 else "-float('inf')"
    return repr(v)


def _scalar(v: Any) -> str:
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return repr(v)
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, complex):
        return f"complex({_float(v.real)}, {_float(v.imag)})"
    raise TypeError


def literal(x: Any) -> str:
    """Python source that evaluates (with ``numpy`` imported) to ``x``, bit for bit and of the same type.

    >>> literal(np.float32(0.1)), literal([1.0, float("inf")])
    ('numpy.float32(0.10000000149011612)', "[1.0, float('inf')]")

    See Also: Tape.to_source
    """
    if isinstance(x, np.ndarray):
        items = ", ".join(_scalar(v) for v in x.ravel().tolist())
        return f"numpy.array([{items}], dtype=numpy.{x.dtype.name}).reshape({x.shape!r})"
    if isinstance(x, np.generic):
        return f"numpy.{x.dtype.name}({_scalar(x.item())})"
    if isinstance(x, np.dtype):
        return f"numpy.dtype({x.name!r})"
    if isinstance(x, type) and issubclass(x, np.generic):
        return f"numpy.{x.__name__}"
    if isinstance(x, tuple):
        return "(" + "".join(literal(v) + ", " for v in x).rstrip(" ") + ")" if x else "()"
    if isinstance(x, list):
        return "[" + ", ".join(literal(v) for v in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in x.items()) + "}"
    if isinstance(x, slice):
        return f"slice({literal(x.start)}, {literal(x.stop)}, {literal(x.step)})"
    if x is Ellipsis:
        return "Ellipsis"
    try:
        return _scalar(x)
    except TypeError:
        raise TypeError(f"fad.Tape.to_source: cannot write the constant {x!r:.60} as Python source") from None


# --------------------------------------------------------------------------------------
# Where a primitive lives: the call that the program writes for it
# --------------------------------------------------------------------------------------

_NAMESPACES = ("fad.numpy", "fad.numpy.linalg", "fad.numpy.fft", "fad.scipy.special")


def _call(prim: Primitive) -> str:
    """The callable that computes ``prim``'s value, as source: one NumPy call where one does, else the record's fwd."""
    fwd = prim.fwd
    name = getattr(fwd, "__name__", None)
    for module, prefix in ((np, "numpy"), (np.linalg, "numpy.linalg"), (np.fft, "numpy.fft")):
        if name and getattr(module, name, None) is fwd:
            return f"{prefix}.{name}"
    if name and getattr(fwd, "__qualname__", "").startswith("operator_or.") and isinstance(getattr(np, name), np.ufunc):
        return f"numpy.{name}"  # the ufunc, computed with its Python operator on NumPy values: the same value
    homes = [m for m in _NAMESPACES if m in sys.modules] + sorted(m for m in sys.modules if m.startswith("fad."))
    homes += sorted(m for m in sys.modules if not m.startswith("fad"))
    for module_name in homes:
        for attr, value in list(getattr(sys.modules[module_name], "__dict__", {}).items()):
            if value is prim:
                return f"{module_name}.{attr}.fwd"
    raise TypeError(
        f"fad.Tape.to_source: the primitive {prim.name!r} is not bound to a name at the top level of a module, so "
        "the program cannot call it; define the record at module level (fad.checkpoint's records are local)"
    )


def _module_of(call: str) -> str:
    """The module to import for the call ``call`` (``numpy`` or the record's module)."""
    if call.startswith("numpy"):
        return "numpy"
    module = call.rsplit(".", 2)[0]
    importlib.import_module(module)
    return module


# --------------------------------------------------------------------------------------
# The tape
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tape:
    """The tape of one traced call, as immutable data.

    ``input_names`` names the traced inputs (nodes ``0 .. n-1``), ``entries`` holds one
    :class:`Entry` per primitive application in evaluation order, and ``outputs`` the
    node numbers of the traced outputs (``None`` for an output that is a constant).
    ``inputs`` holds the inputs' values and ``lines`` the user's source line (``file:line``)
    of each entry. Printing it shows the decomposition into elementary operations.
    """

    input_names: tuple[str, ...]
    entries: tuple[Entry, ...]
    outputs: tuple[int | None, ...]
    inputs: tuple = ()
    lines: tuple[str, ...] = ()
    output_values: tuple = ()

    def names(self) -> dict[int, str]:
        """The name of every node: the inputs' names, then ``t1``, ``t2``, ..."""
        outs = toolz.concat(map(_outs, self.entries))
        return {**dict(enumerate(self.input_names)), **{node: f"t{k}" for k, node in enumerate(outs, 1)}}

    def values(self) -> dict[int, Any]:
        """The value of every node, by node number."""
        found = dict(enumerate(self.inputs))
        for entry in self.entries:
            found.update(zip(_outs(entry), _values(entry)))
        return found

    def __len__(self) -> int:
        return len(self.entries)

    def operation(self, entry: Entry, names: dict | None = None) -> str:
        """``entry`` as ``name(arguments, params)``, its inputs by their printed names."""
        names = self.names() if names is None else names
        args = [_describe(x) if node is None else names[node] for x, node in zip(entry.inputs, entry.nodes)]
        args += [f"{k}={v!r}" for k, v in entry.params.items()]
        return f"{entry.primitive.name}({', '.join(args)})"

    def __str__(self) -> str:
        names = self.names()
        lines = [f"{', '.join(names[n] for n in _outs(e))} = {self.operation(e, names)}" for e in self.entries]
        shown = ", ".join("<constant>" if n is None else names[n] for n in self.outputs)
        return "\n".join([*lines, f"output: {shown}"])

    # ----------------------------------------------------------------------------------
    # The backward fold over this tape
    # ----------------------------------------------------------------------------------

    def _seeds(self, ybar: Any, who: str) -> dict:
        """The output cotangents by node: ``ybar`` (one per output), or 1 for a scalar output."""
        outputs = [n for n in self.outputs]
        if ybar is None:
            if len(outputs) != 1 or np.ndim(self.output_values[0]) != 0 or np.iscomplexobj(self.output_values[0]):
                raise TypeError(
                    f"fad.Tape.{who}: ybar=None means 1 for a real scalar output, but the output is "
                    f"{summary(self.output_values[0]) if len(outputs) == 1 else f'{len(outputs)} values'}; "
                    "pass ybar, a cotangent shaped like the output"
                )
            y = untraced(self.output_values[0])
            ybars: tuple = (1.0 if type(y) is float else np.result_type(y).type(1),)
        else:
            ybars = tuple(ybar) if len(outputs) > 1 else (ybar,)
        seeds: dict = {}
        for node, yb in zip(outputs, ybars):
            if node is not None:
                seeds[node] = yb if node not in seeds else seeds[node] + yb
        return seeds

    def fold(self, ybar: Any = None) -> dict:
        """The cotangent of every node that the backward fold reaches, by node number (no entry: none reached it)."""
        seen: dict = {}

        def step(ybars: dict, entry: Entry) -> dict:
            seen.update((n, ybars[n]) for n in _outs(entry) if n in ybars)  # read before the step takes it
            return backward_step(ybars, entry)

        rest = reduce(step, reversed(self.entries), self._seeds(ybar, "cotangents"))
        return {**seen, **rest}

    def cotangents(self, ybar: Any = None) -> dict[str, Any]:
        """The cotangent of every node, by its printed name (``x``, ``t1``, ...); zeros where none arrives.

        ``ybar`` is the output's cotangent (a tuple for several outputs); None means 1 for a
        real scalar output.

        >>> import fad, fad.numpy as np
        >>> t = fad.tape(lambda x: np.sin(x) * x)(0.0)
        >>> {name: float(v) for name, v in t.cotangents().items()}
        {'x': 0.0, 't1': 0.0, 't2': 1.0}

        See Also: Tape.table, fad.grad
        """
        store = self.fold(ybar)
        values = self.values()
        names = self.names()
        return {name: store[n] if n in store else _zeros(values[n]) for n, name in sorted(names.items())}

    def table(self, ybar: Any = None) -> str:
        """The tape as a table: per node its name, operation, value, cotangent and the user's source line.

        >>> import fad, fad.numpy as np
        >>> print(fad.tape(lambda x: np.log(x) * 2.0)(1.0).table())  # doctest: +ELLIPSIS
        name  operation           value  cotangent  line
        x     input               1      2
        t1    log(x)              0      2          <doctest ...>:1
        t2    multiply(t1, 2.0)   0      1          <doctest ...>:1

        See Also: Tape.cotangents, fad.explain
        """
        store = self.fold(ybar)
        names, values = self.names(), self.values()
        rows = [("name", "operation", "value", "cotangent", "line")]
        for i, name in enumerate(self.input_names):
            rows.append((name, "input", summary(values[i]), _cotangent(store, i), ""))
        for k, entry in enumerate(self.entries):
            line = self.lines[k] if k < len(self.lines) else ""
            outs = _outs(entry)
            for j, (n, v) in enumerate(zip(outs, _values(entry))):
                operation = self.operation(entry, names) + (f"[{j}]" if len(outs) > 1 else "")
                rows.append((names[n], operation, summary(v), _cotangent(store, n), line))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        return "\n".join(
            ("  ".join(cell.ljust(w) for cell, w in zip(r[:4], widths)) + "  " + r[4]).rstrip() for r in rows
        )

    # ----------------------------------------------------------------------------------
    # The program that differentiation amounts to
    # ----------------------------------------------------------------------------------

    def backward_tape(self, ybar: Any = None) -> tuple[Trace, dict, list]:
        """The backward fold over this tape, itself traced: its trace, the boxes of the nodes, the seeds' boxes.

        Every node's value is boxed as a node of a new trace, and so is each output's
        cotangent; folding the tape over the boxes records each VJP's own operations.
        """
        seeds = self._seeds(ybar, "to_source")
        trace = Trace("tape", keep_all=True, box=TracedArray)
        values = self.values()
        boxes = {n: trace.new_node(values[n]) for n in sorted(values)}
        seed_boxes = {n: trace.new_node(v) for n, v in seeds.items()}

        def traced_entry(entry: Entry) -> Entry:
            xs = tuple(x if node is None else boxes[node] for x, node in zip(entry.inputs, entry.nodes))
            outs = tuple(boxes[n] for n in _outs(entry))
            return entry._replace(inputs=xs, value=outs if isinstance(entry.out, tuple) else outs[0])

        entries = [traced_entry(e) for e in self.entries]
        store = run(lambda: backward(entries, dict(seed_boxes)), trace, ())
        return trace, boxes, [seed_boxes, store]

    def to_source(self) -> str:
        """The straight-line Python program that the gradient amounts to here: forward, then backward.

        Each line is one primitive application, a NumPy call where one NumPy call computes
        it and the record's own ``fwd`` otherwise; the backward lines are the operations the
        VJPs perform, recorded as they fold this tape. Executing the program leaves the
        gradients, bit for bit those of ``fad.grad(f, argnums=all)(*xs)``, in ``xbars``.

        >>> import fad, fad.numpy as np
        >>> print(fad.tape(lambda x: np.sin(x) * x)(0.5).to_source())
        import numpy
        <BLANKLINE>
        # forward
        x = 0.5
        t1 = numpy.sin(x)
        t2 = numpy.multiply(t1, x)
        <BLANKLINE>
        # backward
        t2_bar = numpy.float64(1.0)
        b1 = numpy.multiply(t2_bar, x)
        b2 = numpy.multiply(t2_bar, t1)
        b3 = numpy.cos(x)
        b4 = numpy.multiply(b1, b3)
        b5 = numpy.add(b2, b4)
        x_bar = float(b5)
        xbars = (x_bar,)

        See Also: Tape.cotangents, fad.grad
        """
        names = self.names()
        lines = ["# forward"]
        for name, x in zip(self.input_names, self.inputs):
            lines.append(f"{name} = {literal(untraced(x))}")
        modules = {"numpy"}
        for entry in self.entries:
            lines.append(
                f"{', '.join(names[n] for n in _outs(entry))}{',' if isinstance(entry.out, tuple) else ''}"
                f" = {_application(entry, names, modules)}"
            )
        trace, boxes, (seed_boxes, store) = self.backward_tape()
        back_names = {box.node: names[n] for n, box in boxes.items()}
        lines += ["", "# backward"]
        for n, box in seed_boxes.items():
            back_names[box.node] = f"{names[n]}_bar"
            lines.append(f"{names[n]}_bar = {literal(untraced(box))}")
        k = 0
        for entry in trace.entries:
            for n in _outs(entry):
                k += 1
                back_names[n] = f"b{k}"
            lines.append(
                f"{', '.join(back_names[n] for n in _outs(entry))}{',' if isinstance(entry.out, tuple) else ''}"
                f" = {_application(entry, back_names, modules)}"
            )
        for i, (name, x) in enumerate(zip(self.input_names, self.inputs)):
            xbar = store.get(i)
            lines.append(f"{name}_bar = {_cast_source(xbar, x, back_names)}")
        lines.append(f"xbars = ({''.join(f'{name}_bar, ' for name in self.input_names).rstrip(' ')})")
        imports = [f"import {m}" for m in sorted(modules)]
        return "\n".join([*imports, "", *lines])


def _zeros(value: Any) -> Any:
    value = untraced(value)
    return 0.0 if type(value) is float else np.zeros_like(value)[()]


def _cotangent(store: dict, node: int) -> str:
    return summary(store[node]) if node in store else "0 (no path)"


def _application(entry: Entry, names: dict, modules: set) -> str:
    """``entry`` as a call in the program: its inputs by name, its constants and params as literals."""
    call = _call(entry.primitive)
    modules.add(_module_of(call))
    args = [literal(untraced(x)) if node is None else names[node] for x, node in zip(entry.inputs, entry.nodes)]
    args += [f"{k}={literal(v)}" for k, v in entry.params.items()]
    return f"{call}({', '.join(args)})"


def _cast_source(xbar: Any, x: Any, names: dict) -> str:
    """The cotangent ``xbar`` cast to the type and dtype of its input ``x``, as ``fad.grad`` returns it."""
    x = untraced(x)
    if xbar is None:
        return literal(_zeros(x) if type(x) is not np.ndarray else np.zeros_like(x))
    text = names[xbar.node] if isinstance(xbar, Traced) else literal(untraced(xbar))
    value = untraced(xbar)
    if type(x) is float:
        return f"float({text})" if type(value) is not float else text
    dtype = np.result_type(x)
    if type(x) is np.ndarray:
        if type(value) is np.ndarray and value.dtype == dtype:
            return text
        return f"numpy.asarray({text}).astype(numpy.{dtype.name})"
    if np.result_type(value) != dtype or not isinstance(value, np.generic):
        return f"numpy.{dtype.name}({text})"
    return text
