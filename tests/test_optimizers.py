"""fad.optimizers: autograd's calling convention, containers in and out, and the updates' arithmetic."""

import numpy
import pytest

import fad
import fad.numpy as np
from fad.optimizers import adam, momentum, rmsprop, sgd

TARGET = {"w": numpy.array([[1.0, -2.0], [0.5, 3.0]]), "b": (0.25, numpy.array([-1.0]))}


def quadratic(p):
    return np.sum((p["w"] - TARGET["w"]) ** 2) + (p["b"][0] - 0.25) ** 2 + np.sum((p["b"][1] + 1.0) ** 2)


START = {"w": numpy.zeros((2, 2)), "b": (0.0, numpy.zeros(1))}


@pytest.mark.parametrize(
    "optimizer, settings",
    [
        (sgd, {"num_iters": 300, "step_size": 0.5}),
        (momentum, {"num_iters": 300, "step_size": 0.05}),
        (rmsprop, {"num_iters": 400, "step_size": 0.02}),
        (adam, {"num_iters": 400, "step_size": 0.05}),
    ],
)
def test_minimizes_a_quadratic_over_a_container(optimizer, settings):
    seen = []

    def callback(x, i, g):
        seen.append(i)
        assert type(x) is dict and type(x["b"]) is tuple and type(x["b"][0]) is float
        assert g["w"].shape == (2, 2)

    p = optimizer(lambda p, i: fad.grad(quadratic)(p), START, callback=callback, **settings)
    assert seen == list(range(settings["num_iters"]))
    assert type(p["b"][0]) is float and p["w"].shape == (2, 2)
    assert quadratic(p) < 1e-3
    assert START["w"].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # x0 untouched


def test_updates_are_the_published_ones():
    grads = [numpy.array([1.0, -2.0]), numpy.array([0.5, 0.5]), numpy.array([-1.0, 3.0])]
    grad = lambda x, i: grads[i]  # noqa: E731
    x0 = numpy.array([0.1, 0.2])

    x, m, v = x0, 0.0, 0.0
    for i, g in enumerate(grads):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        x = x - 0.01 * (m / (1 - 0.9 ** (i + 1))) / (numpy.sqrt(v / (1 - 0.999 ** (i + 1))) + 1e-8)
    numpy.testing.assert_allclose(adam(grad, x0, num_iters=3, step_size=0.01), x)

    x, vel = x0, 0.0
    for g in grads:
        vel = 0.8 * vel - 0.2 * g
        x = x + 0.1 * vel
    numpy.testing.assert_allclose(sgd(grad, x0, num_iters=3, step_size=0.1, mass=0.8), x)

    x, vel = x0, 0.0
    for g in grads:
        vel = 0.8 * vel - 0.1 * g
        x = x + vel
    numpy.testing.assert_allclose(momentum(grad, x0, num_iters=3, step_size=0.1, mass=0.8), x)

    x, s = x0, 1.0
    for g in grads:
        s = 0.9 * s + 0.1 * g**2
        x = x - 0.1 * g / (numpy.sqrt(s) + 1e-8)
    numpy.testing.assert_allclose(rmsprop(grad, x0, num_iters=3, step_size=0.1), x)


def test_differentiable_through_the_optimizer():
    # the final loss after a few steps, as a function of the step size (hyperparameter gradient)
    def final(step_size):
        x = sgd(lambda x, i: 2 * x, numpy.array([1.0, -1.0]), num_iters=5, step_size=step_size, mass=0.0)
        return np.sum(x**2)

    h = 1e-6
    assert fad.grad(final)(0.1) == pytest.approx((final(0.1 + h) - final(0.1 - h)) / (2 * h), rel=1e-6)


def test_errors():
    with pytest.raises(ValueError, match=r"adam.*3 numbers for 2 parameters"):
        adam(lambda x, i: numpy.ones(3), numpy.zeros(2))
    with pytest.raises(TypeError, match="sgd.*grad"):
        sgd(None, numpy.zeros(2))
