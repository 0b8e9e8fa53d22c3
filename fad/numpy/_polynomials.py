"""Polynomials: evaluation by Horner's rule, and least-squares fits.

Both are compositions: ``polyval`` of products and sums, ``polyfit`` of
:func:`fad.numpy.linalg.lstsq` on the Vandermonde matrix of ``x``, so each is
differentiable in every array it takes (coefficients, points, data, weights).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Traced, untraced
from fad.numpy._base import dtype_of, reshape_p, shape_of, stack_p
from fad.numpy._construction import as_array
from fad.numpy._elementwise import sqrt
from fad.numpy._reductions import sum as _sum

__all__ = ["polyval", "polyfit"]

METHODS = MappingProxyType({})


def polyval(p: Any, x: Any) -> Any:
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, by Horner's rule.

    ``y = (...((p[0] x + p[1]) x + p[2]) ...) x + p[-1]``; differentiable in ``p`` and ``x``.

    >>> import fad
    >>> fad.grad(polyval, argnums=(0, 1))(np.array([1.0, 0.0, -1.0]), 3.0)  # x^2 - 1
    (array([9., 3., 1.]), 6.0)

    See Also: polyfit
    """
    p = as_array(p)
    if len(shape_of(p)) != 1:
        raise ValueError(f"fad.numpy.polyval: p must be a 1-d array of coefficients, got shape {shape_of(p)}")
    if not isinstance(x, Traced):
        x = np.asarray(x)
    y = x * 0 + p[0] if shape_of(p)[0] else x * 0
    for k in range(1, shape_of(p)[0]):
        y = y * x + p[k]
    return y


def polyfit(
    x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False, w: Any = None, cov: Any = False
) -> Any:
    """Least-squares polynomial fit of degree ``deg`` (coefficients highest power first).

    Solves ``V c = y`` in the least-squares sense, ``V`` the Vandermonde matrix of ``x``
    (rows weighted by ``w``), with its columns scaled to unit norm as NumPy does.
    Differentiable in ``x``, ``y`` and ``w`` (the fit must have full rank). ``full=True``
    also returns the residuals, rank, singular values and ``rcond``; ``cov`` is not
    supported on traced values.

    >>> polyfit(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]), 1).round(12)
    array([2., 1.])

    See Also: polyval, linalg.lstsq
    """
    from fad.numpy.linalg import lstsq  # loaded with the first fit, not with fad.numpy
    if cov is not False:
        if isinstance(x, Traced) or isinstance(y, Traced) or isinstance(w, Traced):
            raise NotImplementedError("fad.numpy.polyfit: cov= has no derivative rule; compute the covariance "
                                      "from the Vandermonde matrix with fad.numpy.linalg.inv")
        return np.polyfit(x, y, deg, rcond=rcond, full=full, w=w, cov=cov)
    deg = int(deg)
    if deg < 0:
        raise ValueError("fad.numpy.polyfit: expected deg >= 0")
    x, y = as_array(x), as_array(y)
    if len(shape_of(x)) != 1 or len(shape_of(y)) not in (1, 2) or shape_of(y)[0] != shape_of(x)[0]:
        raise TypeError(f"fad.numpy.polyfit: expected x 1-d and y 1-d or 2-d of the same length, got shapes "
                        f"{shape_of(x)} and {shape_of(y)}")
    dtype = np.result_type(dtype_of(x), dtype_of(y), float)
    x = x if dtype_of(x) == dtype else x * np.ones((), dtype)
    n = shape_of(x)[0]
    rcond = n * np.finfo(dtype).eps if rcond is None else rcond
    powers = [x * 0 + 1]  # x ** 0, x ** 1, ... by products (x ** k would overflow its derivative at tiny x)
    for _ in range(deg):
        powers.append(powers[-1] * x)
    lhs = stack_p(*powers[::-1], axis=1)  # the Vandermonde matrix, highest power first
    rhs = y
    if w is not None:
        w = as_array(w)
        lhs = lhs * reshape_p(w, shape=(n, 1))
        rhs = rhs * (w if len(shape_of(y)) == 1 else reshape_p(w, shape=(n, 1)))
    scale = sqrt(_sum(lhs * lhs, axis=0))
    scale = scale + (np.asarray(untraced(scale)) == 0)  # a zero column stays unscaled, as in NumPy
    c, residuals, rank, s, = lstsq(lhs / scale, rhs, rcond=rcond)
    c = (c.T / scale).T
    return (c, residuals, rank, s, rcond) if full else c
