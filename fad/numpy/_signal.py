"""Convolution: one primitive, the full N-d convolution, and NumPy's ``convolve`` and ``correlate`` on it.

``y = a * v`` (the full convolution, ``y[n] = sum_k a[n - k] v[k]``, shape ``a.shape + v.shape - 1``)
is bilinear, and its VJP in each factor is a correlation with the other, which is a full
convolution with the other reversed, cut to the factor's shape::

    abar = (ybar * flip(v))[v.shape - 1 : v.shape - 1 + a.shape]
    vbar = (ybar * flip(a))[a.shape - 1 : a.shape - 1 + v.shape]

Both are written with the primitive itself and slicing, so they differentiate again.
Complex inputs follow fad's convention (holomorphic: no conjugate in the rule). The other
modes (``same``, ``valid``) and the correlations are slices and reversals of the full
convolution. ``fad.scipy.signal`` builds SciPy's N-d and 2-d functions on the same record.

>>> import fad
>>> import fad.numpy as np
>>> fad.grad(lambda a: np.convolve(a, np.array([1.0, 2.0])).sum())(np.array([1.0, 1.0]))
array([3., 3.])
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Traced, primitive, untraced
from fad.numpy._base import shape_of
from fad.numpy._elementwise import conj

__all__ = ["convolve", "correlate"]

METHODS = MappingProxyType({})  # no ndarray method convolves


def _convolve_full(a: Any, v: Any) -> np.ndarray:
    """The full convolution of two arrays of one ``ndim``: NumPy's for vectors, shifted sums otherwise."""
    a, v = np.asarray(a), np.asarray(v)
    if a.ndim == 1:
        return np.convolve(a, v)
    if v.size > a.size:  # loop over the smaller factor (convolution commutes)
        a, v = v, a
    shape = tuple(n + m - 1 for n, m in zip(a.shape, v.shape))
    y = np.zeros(shape, np.result_type(a, v))
    for k in np.ndindex(*v.shape):
        y[tuple(slice(i, i + n) for i, n in zip(k, a.shape))] += v[k] * a
    return y


def _flip(x: Any) -> Any:
    """``x`` reversed along every axis."""
    return x[(slice(None, None, -1),) * len(shape_of(x))]


def _cut(x: Any, start: tuple, shape: tuple) -> Any:
    """``x[start : start + shape]``, axis by axis."""
    return x[tuple(slice(s, s + n) for s, n in zip(start, shape))]


def _factor_bar(ybar: Any, other: Any, x: Any) -> Any:
    """The cotangent of one factor ``x``: the full convolution of ``ybar`` with the other reversed, cut to ``x``."""
    start = tuple(n - 1 for n in shape_of(other))
    return _cut(convolve_full_p(ybar, _flip(other)), start, shape_of(x))


# fmt: off
convolve_full_p = primitive(_convolve_full, (lambda y, ybar, a, v: _factor_bar(ybar, v, a),
                                             lambda y, ybar, a, v: _factor_bar(ybar, a, v)),
                            name="convolve_full")
# fmt: on


def _vector(x: Any, who: str, name: str) -> Any:
    x = x if isinstance(x, Traced) else np.asarray(x)
    if len(shape_of(x)) != 1 or shape_of(x)[0] == 0:
        raise ValueError(f"fad.numpy.{who}: {name} must be a non-empty 1-d array, got shape {shape_of(x)}")
    return x


def _numpy_mode(y: Any, n: int, m: int, mode: str, who: str) -> Any:
    """NumPy's ``same`` (length ``max(n, m)``) and ``valid`` (``max - min + 1``) cuts of a full result."""
    if mode == "full":
        return y
    if mode == "same":
        start = (min(n, m) - 1) // 2
        return y[start : start + max(n, m)]
    if mode == "valid":
        return y[min(n, m) - 1 : max(n, m)]
    raise ValueError(f"fad.numpy.{who}: mode must be 'full', 'same' or 'valid', got {mode!r}")


def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """The discrete convolution of two vectors, ``(a * v)[n] = sum_k a[n - k] v[k]``; NumPy's modes.

    ``mode`` is ``"full"`` (length ``n + m - 1``), ``"same"`` (length ``max(n, m)``, centered)
    or ``"valid"`` (length ``max(n, m) - min(n, m) + 1``). Differentiable in both vectors.

    >>> import fad.numpy as np
    >>> convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([0. , 1. , 2.5, 4. , 1.5])

    See Also: correlate, fad.scipy.signal.convolve
    """
    a, v = _vector(a, "convolve", "a"), _vector(v, "convolve", "v")
    return _numpy_mode(convolve_full_p(a, v), shape_of(a)[0], shape_of(v)[0], mode, "convolve")


def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """The cross-correlation of two vectors, ``c[k] = sum_n a[n + k] conj(v[n])``; NumPy's modes (``valid`` first).

    It is the convolution of ``a`` with ``conj(v)`` reversed.

    >>> import fad.numpy as np
    >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([3.5])

    See Also: convolve
    """
    a, v = _vector(a, "correlate", "a"), _vector(v, "correlate", "v")
    n, m = shape_of(a)[0], shape_of(v)[0]
    v = conj(v) if np.iscomplexobj(untraced(v)) else v
    if m > n:  # NumPy swaps and reverses; the cut of the full result is then taken from the other end
        y = convolve_full_p(a, _flip(v))
        full = n + m - 1
        if mode == "same":
            start = full - (n - 1) // 2 - m
            return y[start : start + m]
        if mode == "valid":
            return y[n - 1 : m]
        return _numpy_mode(y, n, m, mode, "correlate")
    return _numpy_mode(convolve_full_p(a, _flip(v)), n, m, mode, "correlate")
