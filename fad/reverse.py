"""Reverse mode on plain positional arguments: the pullback that rules can call.

A few derivative rules are easiest to state as the derivative of a short program
(``cumprod``'s is the pullback of a scan of products, ``odeint``'s an adjoint solve). They
live in the rule modules, below the public transforms, so they use this minimal pullback:
its arguments are arrays or numbers (no containers), its traced values are plain
:class:`~fad.core.Traced` values (no operators: the function is written with
``fad.numpy`` functions), and its output is a single array. The public transforms in
:mod:`fad.transforms` add containers, argument checks and cotangent casts on top of the
same three steps: trace, run, fold.

>>> import numpy
>>> from fad.core import primitive
>>> square = primitive(numpy.square, lambda y, ybar, x: (2 * x * ybar,))
>>> y, back = pullback(square, 3.0)
>>> float(y), back(1.0)
(9.0, (6.0,))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fad.core import Trace, Traced, backward
from fad.nesting import run

__all__ = ["pullback"]


def pullback(f: Callable[..., Any], *xs: Any, box: type = Traced) -> tuple[Any, Callable[[Any], tuple]]:
    """Run ``f(*xs)`` once on traced ``xs``; return ``(y, back)``, ``back(ybar)`` the cotangents.

    ``box`` is the class of the traced values (the transforms pass the array-like one).
    An input that does not reach the output gets ``None``.

    See Also: fad.transforms.pullback
    """
    trace = Trace("pullback", box=box)
    boxes = [trace.new_node(x) for x in xs]
    out = run(f, trace, tuple(boxes))
    node = out.node if isinstance(out, Traced) and out.owner is trace else None
    y = out.value if node is not None else out

    def back(ybar: Any) -> tuple:
        ybars = {} if node is None else backward(trace.entries, {node: ybar})
        return tuple(ybars.get(b.node) for b in boxes)

    return y, back
