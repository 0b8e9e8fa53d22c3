"""An ODE net: a neural network as the right-hand side of an ODE, trained through odeint.

Observations of a damped spiral are fitted by dy/dt = net(y; params); the loss compares the
solution of the learned ODE at the observation times with the data, and its gradient comes from
odeint's adjoint method.
"""

import numpy
import numpy.random as npr

import fad
import fad.numpy as np
from fad.optimizers import adam
from fad.scipy.integrate import odeint

TRUE_A = numpy.array([[-0.1, 2.0], [-2.0, -0.1]])


def true_dynamics(y, t):
    return y @ TRUE_A.T


def make_data():
    t = numpy.linspace(0.0, 2.0, 6)
    y0 = numpy.array([1.0, 0.0])
    return y0, t, odeint(true_dynamics, y0, t)


def net(y, t, params):
    hidden = np.tanh(y @ params["W1"] + params["b1"])
    return hidden @ params["W2"]


def loss(params, y0, t, observed):
    predicted = odeint(net, y0, t, args=(params,), rtol=1e-5, atol=1e-7)
    return np.mean((predicted - observed) ** 2)


def test_ode_net(check_gradient):
    y0, t, observed = make_data()
    rng = npr.default_rng(5)
    params0 = {"W1": 0.5 * rng.standard_normal((2, 8)), "b1": numpy.zeros(8), "W2": 0.5 * rng.standard_normal((8, 2))}
    objective = lambda params, i: loss(params, y0, t, observed)  # noqa: E731

    check_gradient(lambda p: loss(p, y0, t, observed), fad.grad(objective)(params0, 0), params0, rtol=1e-4)

    params = adam(fad.grad(objective), params0, num_iters=30, step_size=0.08)
    assert objective(params, 0) < 0.1 * objective(params0, 0)
