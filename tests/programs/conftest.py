"""Shared by the example programs: the gradient check at the starting point."""

import numpy
import pytest

from fad.tree import ravel


def agrees_with_central_differences(f, g, x, directions=3, h=1e-5, rtol=1e-5, atol=1e-8, seed=0):
    """Assert that the gradient ``g`` of the scalar ``f`` at ``x`` (any container) matches central differences.

    Compares the directional derivative <g, v> with (f(x + h v) - f(x - h v)) / 2h along a few random
    unit directions v (all coordinates at once, as a full finite-difference gradient would cost one
    pair of evaluations per parameter).
    """
    vector, unravel = ravel(x)
    g_vector = ravel(g)[0]
    assert g_vector.shape == vector.shape, "the gradient must have the parameters' structure"
    rng = numpy.random.default_rng(seed)
    for _ in range(directions):
        v = rng.standard_normal(vector.shape)
        v /= numpy.linalg.norm(v)
        fd = (f(unravel(vector + h * v)) - f(unravel(vector - h * v))) / (2 * h)
        assert float(g_vector @ v) == pytest.approx(float(fd), rel=rtol, abs=atol)


@pytest.fixture
def check_gradient():
    return agrees_with_central_differences
