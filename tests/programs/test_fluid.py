"""A few steps of a fluid simulation differentiated through: shaping an initial state.

Advection-diffusion of a dye on a periodic 2-D grid by a fixed swirling velocity field, stepped
explicitly with finite differences written with fad.numpy.roll. The initial dye field is fitted
by L-BFGS so that after the simulation it matches a target pattern.
"""

import numpy
import scipy.optimize

import fad
import fad.numpy as np

SIZE, STEPS, DT, DIFFUSION = 16, 12, 0.1, 0.05


def velocity():
    x = numpy.linspace(0, 2 * numpy.pi, SIZE, endpoint=False)
    X, Y = numpy.meshgrid(x, x, indexing="ij")
    return numpy.sin(Y), numpy.cos(X)


def step(c, u, v):
    """One explicit step: central-difference advection and the five-point Laplacian, periodic."""
    dc_dx = (np.roll(c, -1, axis=0) - np.roll(c, 1, axis=0)) / 2
    dc_dy = (np.roll(c, -1, axis=1) - np.roll(c, 1, axis=1)) / 2
    laplacian = np.roll(c, 1, axis=0) + np.roll(c, -1, axis=0) + np.roll(c, 1, axis=1) + np.roll(c, -1, axis=1) - 4 * c
    return c + DT * (-(u * dc_dx + v * dc_dy) + DIFFUSION * laplacian)


def simulate(c):
    u, v = velocity()
    for _ in range(STEPS):
        c = step(c, u, v)
    return c


def target():
    x = numpy.arange(SIZE)
    X, Y = numpy.meshgrid(x, x, indexing="ij")
    return numpy.exp(-((X - 5.0) ** 2 + (Y - 10.0) ** 2) / 8.0)


def loss(flat_c):
    final = simulate(np.reshape(flat_c, (SIZE, SIZE)))
    return np.mean((final - target()) ** 2) + 1e-4 * np.mean(flat_c**2)


def test_fluid(check_gradient):
    c0 = numpy.zeros(SIZE * SIZE)
    check_gradient(loss, fad.grad(loss)(c0 + 0.1), c0 + 0.1)

    result = scipy.optimize.minimize(fad.value_and_grad(loss), c0, jac=True, method="L-BFGS-B", options={"maxiter": 60})
    assert result.fun < 0.05 * loss(c0)
