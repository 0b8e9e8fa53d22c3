"""``fad.checkpoint``: a call that keeps none of its intermediates on the tape.

The checkpointed call is one primitive whose inputs are the traced values the function
reads, its arguments and what it closes over alike (see "Checkpointing" in
``docs/design.md``); its VJP runs the function again under :func:`fad.vjp`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import toolz

from fad.core import primitive, untraced
from fad.nesting import running_traces, substituting
from fad.transforms import vjp
from fad.tree import flatten, unflatten

__all__ = ["checkpoint"]


def checkpoint(f: Callable) -> Callable:
    """``f`` with the same values and derivatives, keeping none of its intermediates.

    The checkpointed call is one entry on the tape, whose inputs are the traced values that
    ``f`` uses: its traced arguments (positional or keyword) and the traced values it closes
    over. The backward pass runs ``f`` again under ``vjp`` to get their cotangents: memory
    for time. ``f`` must compute the same function when run again; randomness drawn inside
    it would be drawn anew (pass the random numbers in as an argument instead).

    >>> import fad
    >>> import fad.numpy as np
    >>> fad.grad(checkpoint(lambda x: np.sin(x) * x))(0.0)
    0.0
    >>> fad.grad(lambda x: checkpoint(lambda y: x * y)(x))(2.0)  # x is closed over, and an argument
    4.0

    See Also: vjp
    """
    if not callable(f):
        raise TypeError(f"fad.checkpoint: expected a function, got {type(f).__name__}")
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
