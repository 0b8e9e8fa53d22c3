"""A small convolutional network that tells horizontal bars from vertical bars.

The 2-D convolution is written with fad.numpy: the image's k x k patches are stacked along a last
axis and contracted with the filters by einsum. Convolution, tanh, mean-pooling, a logistic output.
"""

import numpy
import numpy.random as npr

import fad
import fad.numpy as np
from fad.optimizers import adam


def make_data(n=40, size=8, seed=6):
    rng = npr.default_rng(seed)
    images = 0.1 * rng.standard_normal((n, size, size))
    labels = numpy.arange(n) % 2  # 1: a horizontal bar, 0: a vertical bar
    for i in range(n):
        row = rng.integers(1, size - 1)
        if labels[i]:
            images[i, row, :] += 1.0
        else:
            images[i, :, row] += 1.0
    return images, labels.astype(float)


def conv2d(images, filters):
    """'valid' cross-correlation: images (n, H, W), filters (k, k, channels) -> (n, H-k+1, W-k+1, channels)."""
    k = filters.shape[0]
    n, height, width = images.shape
    rows, cols = height - k + 1, width - k + 1
    patches = np.stack([images[:, i : i + rows, j : j + cols] for i in range(k) for j in range(k)], axis=-1)
    return np.einsum("nhwp,pc->nhwc", patches, np.reshape(filters, (k * k, -1)))


def logits(params, images):
    features = np.tanh(conv2d(images, params["filters"]) + params["bias"])
    pooled = np.mean(features, axis=(1, 2))
    return pooled @ params["w"] + params["b"]


def loss(params, images, labels):
    z = logits(params, images)
    return np.mean(np.logaddexp(0.0, z) - labels * z)


def test_conv_net(check_gradient):
    images, labels = make_data()
    rng = npr.default_rng(0)
    params0 = {"filters": 0.3 * rng.standard_normal((3, 3, 4)), "bias": numpy.zeros(4), "w": numpy.zeros(4), "b": 0.0}
    params0["w"] = 0.1 * rng.standard_normal(4)
    objective = lambda params, i: loss(params, images, labels)  # noqa: E731

    check_gradient(lambda p: objective(p, 0), fad.grad(objective)(params0, 0), params0)

    params = adam(fad.grad(objective), params0, num_iters=150, step_size=0.05)
    assert objective(params, 0) < 0.5 * objective(params0, 0)
    accuracy = numpy.mean((logits(params, images) > 0) == (labels == 1))
    assert accuracy > 0.9
