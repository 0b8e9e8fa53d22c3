"""The tape as data: what differentiation records for one call, and how it prints.

``fad.tape(f)(*xs)`` returns a :class:`Tape`: one entry per primitive application in
evaluation order. Printing it shows the decomposition into elementary operations that
the note describes, e.g. its sigmoid as ``t1 = multiply(w, a)``, ``t2 = add(t1, b)``, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import toolz

from fad.core import untraced
from fad.rows import Entry

__all__ = ["Tape"]


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
        outs = toolz.concat(e.out if isinstance(e.out, tuple) else (e.out,) for e in self.entries)
        return {**dict(enumerate(self.input_names)), **{node: f"t{k}" for k, node in enumerate(outs, 1)}}

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
