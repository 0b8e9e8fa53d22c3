"""Nested grad against closed-form derivatives, to 4th order."""

import math

import pytest
from hypothesis import given

import fad
import fad.numpy as np
from fad.testing import strategies as fst


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivatives(x):
    s = 1 / (1 + math.exp(-x))
    d = s * (1 - s)
    return [s, d, d * (1 - 2 * s), d * (1 - 6 * s + 6 * s * s), d * (1 - 2 * s) * (1 - 12 * s + 12 * s * s)]


def tanh_derivatives(x):
    t = math.tanh(x)
    s = 1 - t * t
    return [t, s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]


CASES = {
    # name: (function, closed forms of f, f', f'', f''', f'''', domain)
    "tanh": (np.tanh, tanh_derivatives, {}),
    "sin": (np.sin, lambda x: [math.sin(x), math.cos(x), -math.sin(x), -math.cos(x), math.sin(x)], {}),
    "exp": (np.exp, lambda x: [math.exp(x)] * 5, {"lo": -5.0, "hi": 5.0}),
    "log": (np.log, lambda x: [math.log(x), 1 / x, -1 / x**2, 2 / x**3, -6 / x**4], {"lo": 0.0, "open_lo": True}),
    "sqrt": (
        np.sqrt,
        lambda x: [x**0.5, 0.5 * x**-0.5, -0.25 * x**-1.5, 0.375 * x**-2.5, -0.9375 * x**-3.5],
        {"lo": 0.0, "open_lo": True},
    ),
    "cube": (lambda x: x**3, lambda x: [x**3, 3 * x**2, 6 * x, 6.0, 0.0], {}),
    "reciprocal": (lambda x: 1 / x, lambda x: [1 / x, -1 / x**2, 2 / x**3, -6 / x**4, 24 / x**5], {"avoid": (0.0,)}),
    "sigmoid": (sigmoid, sigmoid_derivatives, {}),
}


def derivatives(f, n=4):
    fs = [f]
    for _ in range(n):
        fs.append(fad.grad(fs[-1]))
    return fs


@pytest.mark.parametrize("name", sorted(CASES))
def test_fourth_order(name):
    f, closed, domain = CASES[name]
    fs = derivatives(f)

    @given(fst.floats(**domain))
    def check(x):
        want = closed(x)
        for order, (d, w) in enumerate(zip(fs, want)):
            got = d(x)
            assert isinstance(got, float) or order == 0
            assert math.isclose(got, w, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, abs(w))), (name, order, x, got, w)

    check()
