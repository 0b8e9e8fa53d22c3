"""Gaussian-process regression: kernel hyperparameters fitted by maximising the marginal likelihood.

The negative log marginal likelihood of y ~ N(0, K + noise I), with a squared-exponential kernel,
minimised by scipy.optimize.minimize (L-BFGS-B) with jac=True and fad.value_and_grad.
"""

import numpy
import numpy.random as npr
import scipy.optimize

import fad
import fad.numpy as np


def make_data(n=30, seed=0):
    rng = npr.default_rng(seed)
    x = numpy.sort(rng.uniform(-3.0, 3.0, n))
    y = numpy.sin(1.5 * x) + 0.1 * rng.standard_normal(n)
    return x, y


def rbf_kernel(params, x1, x2):
    log_variance, log_lengthscale = params[0], params[1]
    sq_dists = (x1[:, None] - x2[None, :]) ** 2
    return np.exp(log_variance) * np.exp(-0.5 * sq_dists / np.exp(2 * log_lengthscale))


def negative_log_marginal_likelihood(params, x, y):
    noise = np.exp(params[2]) + 1e-6
    K = rbf_kernel(params, x, x) + noise * numpy.eye(len(x))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * np.dot(y, alpha) + np.sum(np.log(np.diag(L))) + 0.5 * len(x) * np.log(2 * np.pi)


def predict(params, x, y, x_new):
    noise = np.exp(params[2]) + 1e-6
    K = rbf_kernel(params, x, x) + noise * numpy.eye(len(x))
    return rbf_kernel(params, x_new, x) @ np.linalg.solve(K, y)


def test_gp_regression(check_gradient):
    x, y = make_data()
    objective = lambda params: negative_log_marginal_likelihood(params, x, y)  # noqa: E731
    params0 = numpy.array([1.0, 1.5, 0.0])  # log variance, log lengthscale, log noise

    check_gradient(objective, fad.grad(objective)(params0), params0)

    result = scipy.optimize.minimize(fad.value_and_grad(objective), params0, jac=True, method="L-BFGS-B")
    assert result.success
    assert result.fun < objective(params0) - 10.0
    assert 0.003 < numpy.exp(result.x[2]) < 0.03  # the noise variance found is near the true 0.01
    x_test = numpy.linspace(-2.5, 2.5, 7)
    assert numpy.max(numpy.abs(predict(result.x, x, y, x_test) - numpy.sin(1.5 * x_test))) < 0.2
