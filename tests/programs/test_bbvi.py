"""Black-box variational inference: a diagonal Gaussian fitted to a Bayesian logistic regression posterior.

The ELBO is estimated with the reparameterisation trick, z = mean + exp(log_std) * eps, and its
gradient follows the samples through the model; Adam maximises it.
"""

import numpy
import numpy.random as npr

import fad
import fad.numpy as np
from fad.optimizers import adam


def make_data(n=60, d=3, seed=1):
    rng = npr.default_rng(seed)
    X = rng.standard_normal((n, d))
    w_true = numpy.array([2.0, -1.0, 0.5])
    y = (rng.uniform(size=n) < 1 / (1 + numpy.exp(-X @ w_true))).astype(float)
    return X, y


def log_posterior(w, X, y):
    """Unnormalised log density, for a batch of weight vectors w (samples x d)."""
    logits = w @ X.T
    log_likelihood = np.sum(y * logits - np.logaddexp(0.0, logits), axis=1)
    log_prior = -0.5 * np.sum(w**2, axis=1)
    return log_likelihood + log_prior


def negative_elbo(params, eps, X, y):
    mean, log_std = params["mean"], params["log_std"]
    samples = mean + np.exp(log_std) * eps
    entropy = np.sum(log_std)
    return -(np.mean(log_posterior(samples, X, y)) + entropy)


def test_bbvi(check_gradient):
    X, y = make_data()
    d, num_samples = X.shape[1], 20
    params0 = {"mean": numpy.zeros(d), "log_std": -numpy.ones(d)}
    fixed_eps = npr.default_rng(123).standard_normal((200, d))  # for judging the fit

    def objective(params, i):
        eps = npr.default_rng(i).standard_normal((num_samples, d))
        return negative_elbo(params, eps, X, y)

    check_gradient(lambda p: objective(p, 0), fad.grad(objective)(params0, 0), params0)

    params = adam(fad.grad(objective), params0, num_iters=300, step_size=0.05)

    before = negative_elbo(params0, fixed_eps, X, y)
    after = negative_elbo(params, fixed_eps, X, y)
    assert after < before - 5.0
    assert numpy.all(numpy.sign(params["mean"]) == [1, -1, 1])  # the signs of the true weights
    assert numpy.all(numpy.exp(params["log_std"]) < 0.6)
