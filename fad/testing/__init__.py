"""Derivative checks and Hypothesis strategies for testing fad and code built on it.

``check_grads`` compares fad's derivatives with finite differences, to any order, in
reverse and forward mode. The ``check_*`` properties compare fad with itself and need
no finite differences. ``strategies`` draws inputs on a function's domain, shapes,
containers and cotangents; ``profile`` makes Hypothesis runs reproducible.

>>> import fad.numpy as np
>>> from hypothesis import given
>>> @given(strategies.arrays(lo=0.0, open_lo=True))
... def test_log(x):
...     check_grads(np.log, x)
>>> test_log()

See Also: fad.testing.strategies, fad.vjp, fad.jvp
"""

from fad.testing import strategies
from fad.testing._check import (
    TOLERANCES,
    Tolerance,
    check_grads,
    check_hessian_symmetric,
    check_jvp_vjp_agree,
    check_vjp_linear,
)
from fad.testing.strategies import profile

__all__ = [
    "check_grads",
    "check_vjp_linear",
    "check_jvp_vjp_agree",
    "check_hessian_symmetric",
    "profile",
    "strategies",
    "Tolerance",
    "TOLERANCES",
]
