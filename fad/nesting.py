"""Nesting: which of several running transforms is innermost, read off the call stack.

Transforms nest as calls do. ``grad(lambda x: x * grad(f)(x))`` starts the inner ``grad``
while the outer one is running, so the inner one's :func:`run` frame sits above the outer
one's on the Python call stack. When values traced by both meet in one primitive, the
first :func:`run` frame met walking down from the top of the stack names the innermost
trace. No counter or shared state is needed, and each thread sees only its own stack.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["run", "innermost", "leaked"]


def run(f: Callable[..., Any], trace: Any, args: tuple, kwargs: dict | None = None) -> Any:
    """Call ``f(*args, **kwargs)`` with ``trace`` running; this frame marks the trace on the stack."""
    try:
        return f(*args, **kwargs) if kwargs else f(*args)
    finally:
        trace.running = False


_RUN_CODE = run.__code__


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
