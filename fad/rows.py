"""The tape's entries, and how a trace stores them compactly.

An :class:`Entry` is one primitive application, ``value = primitive(*inputs, **params)``:
what the note's forward pass stores for each node. A trace keeps its entries in
:class:`Rows`, a list that reads like a list of entries (``len``, indexing, iteration,
``reversed``) but stores each one as a single flat tuple of plain values::

    (k, params, out, value, *inputs, *nodes)      k: the primitive's number in `primitives`

The reason is Python's cyclic garbage collector. After one collection it stops watching a
tuple that holds only numbers, arrays, strings and None; a tuple that holds the primitive
record, a dict or another tuple is watched for good, and every full collection walks it
again. A tape of a million entries stored as :class:`Entry` records would make every
collection walk a million records; stored as rows, it costs the collector nothing.

>>> rows = Rows()
>>> rows.append(Entry("exp", (0.0,), {}, (0,), 1, 1.0))
>>> rows[0]
Entry(primitive='exp', inputs=(0.0,), params={}, nodes=(0,), out=1, value=1.0)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, NamedTuple

__all__ = ["Entry", "Rows"]


class Entry(NamedTuple):
    """One primitive application on the tape: ``value = primitive(*inputs, **params)``.

    ``nodes`` holds the node number of each input traced at this level, and ``None`` for
    each input that is a constant here. ``out`` is the node number of the result (a tuple
    of them for a primitive with multiple results).
    """

    primitive: Any
    inputs: tuple
    params: dict
    nodes: tuple
    out: Any
    value: Any


_entry = partial(tuple.__new__, Entry)  # Entry(...) without the keyword-parsing constructor


class Rows:
    """The entries of one tape, stored as flat rows; reads like a list of :class:`Entry`."""

    __slots__ = ("rows", "primitives", "numbers")

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.primitives: list = []  # the primitives met, in order; rows refer to them by number
        self.numbers: dict = {}  # the inverse of `primitives`

    def append(self, entry: Entry) -> None:
        """Store ``entry`` as one row."""
        self.record(*entry)

    def record(self, prim: Any, inputs: Any, params: dict, nodes: Any, out: Any, value: Any) -> None:
        """Store the entry of these fields as one row; no parameters is None, not {} (the collector watches dicts)."""
        k = self.numbers.get(prim)
        if k is None:
            k = self.numbers[prim] = len(self.primitives)
            self.primitives.append(prim)
        self.rows.append((k, params or None, out, value, *inputs, *nodes))

    def decode(self, row: tuple) -> Entry:
        """The entry that ``row`` stores."""
        n = (len(row) - 4) >> 1  # the number of inputs: the row holds them and their nodes
        return _entry((self.primitives[row[0]], row[4 : 4 + n], row[1] or {}, row[4 + n :], row[2], row[3]))

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Entry:
        return self.decode(self.rows[i])

    def __iter__(self) -> Iterator[Entry]:
        return map(self.decode, self.rows)

    def __reversed__(self) -> Iterator[Entry]:
        return map(self.decode, reversed(self.rows))

    def released(self) -> Released:
        """These entries, each taken off the tape as a backward fold passes it (for one fold)."""
        return Released(self)


class Released:
    """A view of :class:`Rows` whose ``reversed`` pops each row as it is read.

    A gradient folds its tape once; popping the rows lets each stored value go as soon as
    the fold has passed the last entry that needs it, so the backward pass holds the
    frontier of live cotangents and the part of the tape not yet folded, never both whole.
    """

    __slots__ = ("store",)

    def __init__(self, store: Rows) -> None:
        self.store = store

    def __reversed__(self) -> Iterator[Entry]:
        rows, decode = self.store.rows, self.store.decode
        return (decode(rows.pop()) for _ in range(len(rows)))
