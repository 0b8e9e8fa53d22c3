"""Nesting: which of several running transforms is innermost, read off the call stack.

Transforms nest as calls do. ``grad(lambda x: x * grad(f)(x))`` starts the inner ``grad``
while the outer one is running, so the inner one's :func:`run` frame sits above the outer
one's on the Python call stack. When values traced by both meet in one primitive, the
trace whose :func:`run` frame stands higher is the innermost. No counter or shared state
is needed: each running trace holds its own frame, and only while it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["run", "innermost", "leaked", "running_traces", "Substitutes", "substituting", "user_line"]


def run(f: Callable[..., Any], trace: Any, args: tuple, kwargs: dict | None = None) -> Any:
    """Call ``f(*args, **kwargs)`` with ``trace`` running; this frame marks the trace on the stack."""
    trace.frame = sys._getframe()
    try:
        return f(*args, **kwargs) if kwargs else f(*args)
    finally:
        trace.running = False
        trace.frame = None  # the frame refers to the trace: let go of it, so no cycle outlives the call


def leaked(trace: Any, where: str) -> TypeError:
    """The error for a value traced by a transform that has already returned."""
    return TypeError(
        f"{where}: got a value traced by a fad.{trace.transform} call that has already "
        "returned (it leaked out of the differentiated function, e.g. through a list, a "
        "global or a closure). Return it from the function instead, or pass "
        "fad.stop_gradient(x) if it is meant as a constant."
    )


def innermost(traces: set, where: str) -> Any:
    """The innermost running trace among ``traces`` (values of several transforms met in ``where``)."""
    for trace in traces:
        if not trace.running:
            raise leaked(trace, where)
    found, *others = traces
    for trace in others:
        found = _inner(found, trace, where)
    return found


def _inner(a: Any, b: Any, where: str) -> Any:
    """Of two running traces, the one whose :func:`run` frame stands above the other's.

    Walk down from both frames a step at a time: the walk from the upper frame meets the
    lower one after as many steps as separate them, however deep the stack is below. The
    walk costs the distance between the two transforms, not the depth of the recursion
    they run in. Two frames on different threads' stacks never meet.
    """
    frame_a, frame_b = a.frame, b.frame
    x, y = frame_a, frame_b
    while x is not None or y is not None:
        if x is not None:
            x = x.f_back
            if x is frame_b:
                return a
        if y is not None:
            y = y.f_back
            if y is frame_a:
                return b
    raise TypeError(
        f"{where}: got values traced by fad transforms running on different threads; a traced "
        "value cannot cross to a transform of another thread. Pass fad.stop_gradient(x) instead."
    )


def running_traces() -> list:
    """The traces running on this thread, innermost first (one walk down the stack)."""
    traces, frame = [], sys._getframe(1)
    while frame is not None:
        if frame.f_code is run.__code__:
            traces.append(frame.f_locals["trace"])
        frame = frame.f_back
    return traces


class Substitutes:
    """What stands in for a trace's values while a checkpointed function runs (see ``fad.checkpoint``).

    ``values`` maps ``id(v)`` of a traced value ``v`` to the value that replaces it; ``free``
    collects the traced values met that have no replacement (they are then read as plain
    values); ``parent`` is the substitution in force before this one (checkpoints nest).
    """

    __slots__ = ("values", "free", "parent")

    def __init__(self, values: dict, free: list, parent: Substitutes | None) -> None:
        self.values = values
        self.free = free
        self.parent = parent


@contextmanager
def substituting(traces: list, values: dict) -> Iterator[list]:
    """While the block runs, the values of ``traces`` are replaced as ``values`` says; yields the free ones met."""
    free: list = []
    before = [trace.substitutes for trace in traces]
    for trace, parent in zip(traces, before):
        trace.substitutes = Substitutes(values, free, parent)
    try:
        yield free
    finally:
        for trace, parent in zip(traces, before):
            trace.substitutes = parent


_FAD = os.path.dirname(os.path.abspath(__file__)) + os.sep  # fad's own directory: frames there are not the user's
_DEMO = _FAD + "demo.py"  # except the demonstrations of `python -m fad`, which are user code built on fad


def user_line() -> str:
    """``file:line`` of the innermost frame outside fad: the user's line that is running."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_FAD) and frame.f_code.co_filename != _DEMO:
        frame = frame.f_back
    if frame is None:
        return "?"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"
