"""A recurrent network trained to predict the next value of noisy sine waves.

The hidden state is updated in a Python loop and the loss accumulated with `+=`, as in autograd:
on a traced value `loss += ...` rebinds `loss` to a new traced value.
"""

import numpy
import numpy.random as npr

import fad
import fad.numpy as np
from fad.optimizers import adam


def make_data(num_sequences=8, length=20, seed=4):
    rng = npr.default_rng(seed)
    phases = rng.uniform(0, 2 * numpy.pi, num_sequences)
    t = numpy.arange(length) * 0.4
    return numpy.sin(t[None, :] + phases[:, None]) + 0.02 * rng.standard_normal((num_sequences, length))


def init_params(rng, hidden=10, scale=0.3):
    return {
        "W_in": scale * rng.standard_normal((1, hidden)),
        "W_hh": scale * rng.standard_normal((hidden, hidden)),
        "b": numpy.zeros(hidden),
        "W_out": scale * rng.standard_normal((hidden, 1)),
        "b_out": 0.0,
    }


def rnn_loss(params, sequences):
    num_sequences, length = sequences.shape
    h = np.zeros((num_sequences, params["b"].shape[0]))
    loss = 0.0
    for t in range(length - 1):
        x = sequences[:, t : t + 1]
        h = np.tanh(x @ params["W_in"] + h @ params["W_hh"] + params["b"])
        prediction = h @ params["W_out"] + params["b_out"]
        loss += np.mean((prediction[:, 0] - sequences[:, t + 1]) ** 2)
    loss /= length - 1
    return loss


def test_rnn(check_gradient):
    sequences = make_data()
    params0 = init_params(npr.default_rng(0))
    objective = lambda params, i: rnn_loss(params, sequences)  # noqa: E731

    check_gradient(lambda p: objective(p, 0), fad.grad(objective)(params0, 0), params0)

    losses = []
    params = adam(
        fad.grad(objective), params0, num_iters=150, step_size=0.02, callback=lambda p, i, g: losses.append(i)
    )
    assert len(losses) == 150
    assert objective(params, 0) < 0.1 * objective(params0, 0)
