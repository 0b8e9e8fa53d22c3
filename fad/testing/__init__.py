"""Derivative checks and Hypothesis strategies for testing fad and code built on it.

``check_grads`` compares fad's derivatives with finite differences, to any order, in
reverse and forward mode. The ``check_*`` properties compare fad with itself and need
no finite differences. ``strategies`` draws inputs on a function's domain, shapes,
containers and cotangents; ``profile`` makes Hypothesis runs reproducible.
``check_rule`` runs every check a custom primitive record must pass, at Hypothesis-drawn
points with edge values. ``derivative_test`` turns "this function, on this domain" into a test that runs them
all, and ``counterexample`` returns the smallest arguments at which one fails.

Cotangents and tangents are paired by ``Re(sum(a * b))``, bilinear, with no conjugate:
fad's complex convention (JAX's and autograd's).

>>> import fad.numpy as np
>>> from hypothesis import settings
>>> positive = strategies.arrays(lo=0.0, open_lo=True)
>>> test_log = derivative_test(np.log, positive, settings=settings(max_examples=20, deadline=None))
>>> test_log()

See Also: fad.testing.strategies, fad.vjp, fad.jvp
"""

from fad.testing import strategies
from fad.testing._check import (
    TOLERANCES,
    Tolerance,
    Undecided,
    check_composition,
    check_grads,
    check_hessian_symmetric,
    check_jvp_vjp_agree,
    check_vjp_linear,
)
from fad.testing._check_rule import check_rule
from fad.testing._derivative_test import Counterexample, counterexample, derivative_test
from fad.testing.strategies import profile

__all__ = [
    "check_rule",
    "check_grads",
    "check_vjp_linear",
    "check_jvp_vjp_agree",
    "check_composition",
    "check_hessian_symmetric",
    "derivative_test",
    "counterexample",
    "Counterexample",
    "Undecided",
    "profile",
    "strategies",
    "Tolerance",
    "TOLERANCES",
]
