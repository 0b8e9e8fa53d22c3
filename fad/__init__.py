"""fad: functional reverse-mode automatic differentiation for NumPy code.

Every primitive is an immutable record pairing a forward function with its
vector-Jacobian product, the curried ``j : (x -> y) -> (y, ybar, x) -> xbar`` of the
note; every transform is a pure function that builds a tape and folds it backward.

>>> import fad
>>> import fad.numpy as np
>>> fad.grad(np.tanh)(0.0)
1.0
>>> fad.grad(fad.grad(lambda x: x ** 3))(2.0)
12.0
"""

from fad.checkpoint import checkpoint
from fad.core import Primitive, primitive
from fad.rows import Entry
from fad.tape import Tape
from fad.transforms import (
    elementwise_grad,
    grad,
    hessian,
    hvp,
    jacobian,
    jvp,
    pullback,
    stop_gradient,
    tape,
    value_and_grad,
    vjp,
)

__all__ = [
    "Primitive",
    "primitive",
    "Entry",
    "Tape",
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
    "checkpoint",
    "tape",
    "explain",
    "Explanation",
    "masked_apply",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``fad.explain``, ``fad.Explanation`` and ``fad.masked_apply``, from :mod:`fad.explanations` on first use.

    They are only needed when a gradient goes wrong, so ``import fad`` does not pay for them.
    """
    if name in ("explain", "Explanation", "masked_apply"):
        import fad.explanations

        return getattr(fad.explanations, name)
    raise AttributeError(f"module 'fad' has no attribute {name!r}")
