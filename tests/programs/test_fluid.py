"""A few steps of a fluid simulation differentiated through: choosing the initial flow.

A dye is carried by a 2-D velocity field on a periodic grid; the velocity advects itself (a
viscous Burgers flow) and the dye, and both diffuse. Everything is stepped explicitly with
central differences written with fad.numpy.roll. The initial velocity field is fitted by L-BFGS
so that the dye, after the simulation, lands on a target spot.
"""

import numpy
import scipy.optimize

import fad
import fad.numpy as np

SIZE, STEPS, DT, VISCOSITY, DIFFUSION = 16, 15, 0.2, 0.1, 0.05


def grid():
    x = numpy.arange(SIZE)
    return numpy.meshgrid(x, x, indexing="ij")


def blob(cx, cy, width=2.0):
    X, Y = grid()
    return numpy.exp(-((X - cx) ** 2 + (Y - cy) ** 2) / (2 * width**2))


def ddx(f):
    return (np.roll(f, -1, axis=0) - np.roll(f, 1, axis=0)) / 2


def ddy(f):
    return (np.roll(f, -1, axis=1) - np.roll(f, 1, axis=1)) / 2


def laplacian(f):
    return np.roll(f, 1, axis=0) + np.roll(f, -1, axis=0) + np.roll(f, 1, axis=1) + np.roll(f, -1, axis=1) - 4 * f


def step(u, v, c):
    """One explicit step of self-advection with viscosity, and of the dye's advection-diffusion."""
    u_next = u + DT * (-(u * ddx(u) + v * ddy(u)) + VISCOSITY * laplacian(u))
    v_next = v + DT * (-(u * ddx(v) + v * ddy(v)) + VISCOSITY * laplacian(v))
    c_next = c + DT * (-(u * ddx(c) + v * ddy(c)) + DIFFUSION * laplacian(c))
    return u_next, v_next, c_next


def simulate(u, v, c):
    for _ in range(STEPS):
        u, v, c = step(u, v, c)
    return c


def velocity(params):
    """The initial velocity, at most 1 cell per unit time: the explicit steps stay stable."""
    return np.reshape(np.tanh(params), (2, SIZE, SIZE))


def loss(params):
    u, v = velocity(params)
    final = simulate(u, v, blob(6.0, 6.0))
    return np.sum((final - blob(9.0, 10.0)) ** 2) + 1e-3 * np.sum(params**2)


def test_fluid(check_gradient):
    velocity0 = numpy.zeros(2 * SIZE * SIZE)
    start = velocity0 + 0.1 * numpy.random.default_rng(0).standard_normal(velocity0.shape)
    check_gradient(loss, fad.grad(loss)(start), start)

    iterations = []
    result = scipy.optimize.minimize(
        fad.value_and_grad(loss),
        velocity0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 15},
        callback=lambda x: iterations.append(1),
    )
    assert len(iterations) > 5  # a nonlinear problem: the flow is found step by step
    assert result.fun < 0.3 * loss(velocity0)
    final = simulate(*velocity(result.x), blob(6.0, 6.0))
    X, Y = grid()
    centre = numpy.array([numpy.sum(X * final), numpy.sum(Y * final)]) / numpy.sum(final)
    assert numpy.linalg.norm(centre - [9.0, 10.0]) < 2.5  # from 5 cells away, the dye has come half the way
