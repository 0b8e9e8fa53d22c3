"""Gradient-based optimizers with autograd's calling convention.

Each optimizer is a pure function ``opt(grad, x0, callback=None, num_iters=..., step_size=...,
...) -> x``: ``grad(x, i)`` returns the gradient at ``x`` on step ``i``, and
``callback(x, i, g)``, if given, is called on every step before the update. ``x0`` may be a
float, an array or any container of them (tuple, list, dict, namedtuple, dataclass); the
optimizer works on one flat vector (:func:`fad.tree.ravel`) and hands ``grad``, ``callback``
and the caller values of ``x0``'s structure, shapes and dtypes. The state (velocity, moment
estimates) lives in local variables of the one call, and the updates are written with
:mod:`fad.numpy`, so an optimizer run can itself be differentiated (with respect to ``x0`` or
to anything ``grad`` closes over).

>>> import fad
>>> import fad.numpy as np
>>> loss = lambda p: (p["a"] - 3.0) ** 2 + np.sum(p["b"] ** 2)
>>> p = adam(lambda p, i: fad.grad(loss)(p), {"a": 0.0, "b": np.ones(2)}, num_iters=500, step_size=0.1)
>>> round(p["a"], 3), bool(np.all(np.abs(p["b"]) < 1e-3))
(3.0, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fad.numpy as fnp
from fad.tree import ravel

__all__ = ["sgd", "momentum", "rmsprop", "adam"]


def _flat(grad: Callable, callback: Callable | None, x0: Any, who: str) -> tuple:
    """``x0`` as a vector, ``unravel``, and ``grad`` as a function of the vector and the step."""
    if not callable(grad):
        raise TypeError(f"fad.optimizers.{who}: grad must be a function grad(x, i), got {type(grad).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"fad.optimizers.{who}: callback must be a function callback(x, i, g) or None")
    x, unravel = ravel(x0)

    def flat_grad(x: Any, i: int) -> tuple:
        """The gradient at the vector ``x`` as a vector, calling ``callback`` on the way."""
        g = grad(unravel(x), i)
        g_flat = ravel(g)[0]
        if fnp.shape(g_flat) != fnp.shape(x):
            raise ValueError(
                f"fad.optimizers.{who}: grad(x, {i}) returned {fnp.size(g_flat)} numbers for {fnp.size(x)} "
                "parameters; it must return a gradient with the structure and shapes of x"
            )
        if callback is not None:
            callback(unravel(x), i, g)
        return g_flat

    return x, unravel, flat_grad


def sgd(
    grad: Callable,
    x0: Any,
    callback: Callable | None = None,
    num_iters: int = 200,
    step_size: float = 0.1,
    mass: float = 0.9,
) -> Any:
    """Stochastic gradient descent with an averaged velocity (autograd's ``sgd``).

    ``v = mass * v - (1 - mass) * g`` and ``x = x + step_size * v``; ``mass=0`` is plain
    gradient descent ``x = x - step_size * g``.

    >>> sgd(lambda x, i: 2 * (x - 1.0), 0.0, num_iters=100, step_size=0.5, mass=0.0)
    1.0

    See Also: momentum, rmsprop, adam
    """
    x, unravel, flat_grad = _flat(grad, callback, x0, "sgd")
    velocity = fnp.zeros_like(x)
    for i in range(num_iters):
        g = flat_grad(x, i)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return unravel(x)


def momentum(
    grad: Callable,
    x0: Any,
    callback: Callable | None = None,
    num_iters: int = 200,
    step_size: float = 0.01,
    mass: float = 0.9,
) -> Any:
    """Gradient descent with classical (heavy-ball) momentum.

    ``v = mass * v - step_size * g`` and ``x = x + v``: unlike :func:`sgd`, the velocity is a
    sum of past steps, not their average, so the effective step grows to ``step_size / (1 - mass)``.

    >>> round(momentum(lambda x, i: 2 * (x - 1.0), 0.0, num_iters=300, step_size=0.05), 6)
    1.0

    See Also: sgd, adam
    """
    x, unravel, flat_grad = _flat(grad, callback, x0, "momentum")
    velocity = fnp.zeros_like(x)
    for i in range(num_iters):
        g = flat_grad(x, i)
        velocity = mass * velocity - step_size * g
        x = x + velocity
    return unravel(x)


def rmsprop(
    grad: Callable,
    x0: Any,
    callback: Callable | None = None,
    num_iters: int = 100,
    step_size: float = 0.1,
    gamma: float = 0.9,
    eps: float = 1e-8,
) -> Any:
    """Root-mean-square propagation: each step divided by a running RMS of the gradient.

    ``s = gamma * s + (1 - gamma) * g**2`` (``s`` starts at one) and
    ``x = x - step_size * g / (sqrt(s) + eps)``.

    >>> abs(rmsprop(lambda x, i: 2 * (x - 1.0), 0.0, num_iters=300, step_size=0.01) - 1.0) < 0.02
    True

    See Also: adam, sgd
    """
    x, unravel, flat_grad = _flat(grad, callback, x0, "rmsprop")
    avg_sq_grad = fnp.ones_like(x)
    for i in range(num_iters):
        g = flat_grad(x, i)
        avg_sq_grad = gamma * avg_sq_grad + (1.0 - gamma) * g**2
        x = x - step_size * g / (fnp.sqrt(avg_sq_grad) + eps)
    return unravel(x)


def adam(
    grad: Callable,
    x0: Any,
    callback: Callable | None = None,
    num_iters: int = 100,
    step_size: float = 0.001,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
) -> Any:
    """Adam (Kingma and Ba, 2015): steps scaled by bias-corrected moment estimates.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``, and
    ``x = x - step_size * mhat / (sqrt(vhat) + eps)`` with ``mhat = m / (1 - b1**(i+1))``,
    ``vhat = v / (1 - b2**(i+1))``.

    >>> import numpy
    >>> x = adam(lambda x, i: 2 * (x - numpy.array([1.0, -2.0])), numpy.zeros(2), num_iters=1000, step_size=0.05)
    >>> numpy.round(x, 4)
    array([ 1., -2.])

    See Also: rmsprop, sgd, momentum
    """
    x, unravel, flat_grad = _flat(grad, callback, x0, "adam")
    m = fnp.zeros_like(x)
    v = fnp.zeros_like(x)
    for i in range(num_iters):
        g = flat_grad(x, i)
        m = b1 * m + (1.0 - b1) * g
        v = b2 * v + (1.0 - b2) * g**2
        m_hat = m / (1.0 - b1 ** (i + 1))
        v_hat = v / (1.0 - b2 ** (i + 1))
        x = x - step_size * m_hat / (fnp.sqrt(v_hat) + eps)
    return unravel(x)
