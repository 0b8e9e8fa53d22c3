"""A Gaussian mixture fitted by a Newton-type method: trust-region Newton-CG with Hessian-vector products.

The negative log likelihood of a two-component mixture in 2-D, in unconstrained parameters
(log-weights, means, log-scales), minimised by scipy.optimize.minimize(method="trust-ncg") with
the gradient from fad.grad and the Hessian-vector product from fad.hvp.
"""

import numpy
import numpy.random as npr
import scipy.optimize

import fad
import fad.numpy as np
from fad.scipy.special import logsumexp
from fad.tree import ravel


def make_data(seed=3):
    rng = npr.default_rng(seed)
    a = rng.standard_normal((120, 2)) * 0.5 + numpy.array([-2.0, 0.0])
    b = rng.standard_normal((80, 2)) * 0.8 + numpy.array([2.0, 1.0])
    return numpy.concatenate([a, b])


def log_likelihoods(params, data):
    """log p(x_n) for every data point under the mixture."""
    log_weights = params["logits"] - logsumexp(params["logits"])
    diffs = (data[:, None, :] - params["means"][None, :, :]) / np.exp(params["log_scales"])[None, :, :]
    log_normals = -0.5 * np.sum(diffs**2, axis=2) - np.sum(params["log_scales"], axis=1) - np.log(2 * np.pi)
    return logsumexp(log_weights + log_normals, axis=1)


def test_gmm_newton(check_gradient):
    data = make_data()
    params0 = {
        "logits": numpy.zeros(2),
        "means": numpy.array([[-1.0, 1.0], [1.0, -1.0]]),
        "log_scales": numpy.zeros((2, 2)),
    }
    x0, unravel = ravel(params0)

    def objective(x):
        return -np.mean(log_likelihoods(unravel(x), data))

    check_gradient(objective, fad.grad(objective)(x0), x0)
    # the Hessian-vector product agrees with central differences of the gradient
    v = npr.default_rng(0).standard_normal(x0.shape)
    h = 1e-5
    fd = (fad.grad(objective)(x0 + h * v) - fad.grad(objective)(x0 - h * v)) / (2 * h)
    numpy.testing.assert_allclose(fad.hvp(objective)(x0, v), fd, rtol=1e-5, atol=1e-8)

    result = scipy.optimize.minimize(
        objective, x0, jac=fad.grad(objective), hessp=fad.hvp(objective), method="trust-ncg", options={"gtol": 1e-6}
    )
    assert result.success
    assert result.fun < objective(x0) - 0.5
    fitted = unravel(result.x)
    means = fitted["means"][numpy.argsort(fitted["means"][:, 0])]
    numpy.testing.assert_allclose(means, [[-2.0, 0.0], [2.0, 1.0]], atol=0.3)
