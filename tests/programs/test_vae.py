"""A small variational autoencoder on binary vectors drawn from a few prototypes.

Encoder and decoder are one-hidden-layer networks; the latent code is Gaussian and sampled with
the reparameterisation trick; the decoder gives Bernoulli logits. Adam maximises the ELBO.
"""

import numpy
import numpy.random as npr

import fad
import fad.numpy as np
from fad.optimizers import adam


def make_data(n=64, d=12, seed=2):
    rng = npr.default_rng(seed)
    prototypes = rng.uniform(size=(3, d)) < 0.5
    which = rng.integers(0, 3, n)
    flips = rng.uniform(size=(n, d)) < 0.05
    return numpy.logical_xor(prototypes[which], flips).astype(float)


def init_net(rng, sizes, scale=0.3):
    return [(scale * rng.standard_normal((m, n)), numpy.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def mlp(params, x):
    for W, b in params[:-1]:
        x = np.tanh(x @ W + b)
    W, b = params[-1]
    return x @ W + b


def bernoulli_log_likelihood(data, logits):
    return np.sum(data * logits - np.logaddexp(0.0, logits), axis=1)


def negative_elbo(params, data, eps):
    latent = eps.shape[1]
    encoded = mlp(params["encoder"], data)
    mean, log_std = encoded[:, :latent], encoded[:, latent:]
    z = mean + np.exp(log_std) * eps
    logits = mlp(params["decoder"], z)
    kl = 0.5 * np.sum(mean**2 + np.exp(2 * log_std) - 1.0 - 2 * log_std, axis=1)
    return -np.mean(bernoulli_log_likelihood(data, logits) - kl)


def test_vae(check_gradient):
    data = make_data()
    d, hidden, latent = data.shape[1], 16, 2
    rng = npr.default_rng(0)
    params0 = {"encoder": init_net(rng, [d, hidden, 2 * latent]), "decoder": init_net(rng, [latent, hidden, d])}
    fixed_eps = npr.default_rng(99).standard_normal((len(data), latent))

    def objective(params, i):
        batch = data[(i % 4) * 16 : (i % 4 + 1) * 16]
        eps = npr.default_rng(i).standard_normal((len(batch), latent))
        return negative_elbo(params, batch, eps)

    check_gradient(lambda p: objective(p, 0), fad.grad(objective)(params0, 0), params0)

    params = adam(fad.grad(objective), params0, num_iters=400, step_size=0.02)

    before = negative_elbo(params0, data, fixed_eps)
    after = negative_elbo(params, data, fixed_eps)
    assert after < 0.6 * before
