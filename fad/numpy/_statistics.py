"""Statistics: weighted averages, moments, medians, and the trapezoidal rule.

Each is a composition of the reductions of :mod:`fad.numpy._reductions` (``sum``,
``mean``, ``median_p``) and of elementwise arithmetic, so each is differentiable to any
order without a rule of its own.
"""

from __future__ import annotations

import operator
import warnings
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Traced, untraced
from fad.numpy._base import (
    broadcast_to_p,
    dtype_of,
    getitem_p,
    no_out,
    reduced_shape,
    reshape_p,
    shape_of,
    sum_p,
    transpose_p,
    where_p,
)
from fad.numpy._elementwise import imag, real, sqrt
from fad.numpy._reductions import (
    Axis,
    _to_last,
    as_dtype,
    constant_like,
    count_where,
    float_like,
    masked,
    masked_mean,
    mean,
    median_p,
    reduction_axes,
    slice_count,
)

__all__ = ["average", "var", "std", "median", "quantile", "percentile", "nanquantile", "nanpercentile",
           "trapezoid"] + (["trapz"] if hasattr(np, "trapz") else [])
# trapz (NumPy < 2.4) is there when NumPy has it, so that numpy.trapz(traced) dispatches by name.


def average(a: Any, axis: Axis = None, weights: Any = None, returned: bool = False, *, keepdims: bool = False) -> Any:
    """Weighted average over ``axis``: ``sum(a * w) / sum(w)``, differentiable in ``a`` and ``w``.

    ``weights`` has ``a``'s shape, or the shape of the axes reduced (a 1-d array for an int
    ``axis``). With ``returned``, also the sum of the weights, broadcast to the result.

    >>> import fad
    >>> fad.grad(lambda w: average(np.array([1.0, 3.0]), weights=w))(np.array([1.0, 1.0]))
    array([-0.5,  0.5])

    See Also: mean
    """
    shape = shape_of(a)
    axes = reduction_axes(axis, len(shape), "average")
    if weights is None:
        y = mean(a, axes, keepdims=keepdims)
        total: Any = np.asarray(slice_count(shape, axes), dtype_of(y))
    else:
        w = _weights_like(weights, shape, axis, axes)
        total = sum_p(w, axis=axes, keepdims=keepdims)
        if np.any(untraced(total) == 0):
            raise ZeroDivisionError("fad.numpy.average: the weights sum to zero, so they cannot be normalized")
        y = sum_p(a * w, axis=axes, keepdims=keepdims) / total
    if not returned:
        return y
    return y, (total if shape_of(total) == shape_of(y) else broadcast_to_p(total, shape=shape_of(y)))


def _weights_like(w: Any, shape: tuple, axis: Any, axes: tuple | None) -> Any:
    """The weights given to :func:`average`, shaped to broadcast against ``a``."""
    w_shape = shape_of(w)
    if w_shape == shape:
        return w
    if axes is None:
        raise TypeError(
            f"fad.numpy.average: weights of shape {w_shape} differ from a's shape {shape}; "
            "give axis as well, or weights of a's shape"
        )
    given = (operator.index(axis) % len(shape),) if np.ndim(axis) == 0 else tuple(int(i) % len(shape) for i in axis)
    if w_shape != tuple(shape[i] for i in given):
        raise ValueError(
            f"fad.numpy.average: weights of shape {w_shape} do not match a's shape {shape} "
            f"along axis {axis!r}; they must have shape {tuple(shape[i] for i in given)} or {shape}"
        )
    w = transpose_p(w, axes=tuple(int(i) for i in np.argsort(given))) if len(given) > 1 else w
    return reshape_p(w, shape=tuple(n if i in given else 1 for i, n in enumerate(shape)))


# --------------------------------------------------------------------------------------
# Moments and order statistics
# --------------------------------------------------------------------------------------


def var(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = None,
    mean: Any = None,
    correction: float | None = None,
) -> Any:
    """Variance over ``axis``: ``sum(|x - mean(x)|^2) / (n - ddof)``.

    ``mean``, when given, is the mean already computed with ``keepdims=True``;
    ``correction`` is NumPy 2's name for ``ddof``.

    >>> import fad
    >>> fad.grad(var)(np.array([1.0, 2.0, 6.0]))
    array([-1.33333333, -0.66666667,  2.        ])

    See Also: std, mean
    """
    no_out(out, "var")
    if correction is not None:
        if ddof != 0:
            raise ValueError("fad.numpy.var: give ddof or correction, not both")
        ddof = correction
    ddof = int(ddof) if float(ddof).is_integer() else float(ddof)  # a Python number: nothing is promoted
    x = as_dtype(a, dtype)
    axes = reduction_axes(axis, len(shape_of(x)), "var")
    d = x - (masked_mean(x, axes, True, where, None) if mean is None else mean)
    squares = d * d if not np.iscomplexobj(untraced(d)) else _abs2(d)
    total = sum_p(masked(squares, where, 0), axis=axes, keepdims=keepdims)
    count = np.maximum(count_where(x, axes, keepdims, where) - ddof, 0)
    if np.all(count > 0):
        return total / float_like(count, total)
    warnings.warn(f"fad.numpy.var: degrees of freedom <= 0 for a slice (ddof={ddof})", RuntimeWarning, stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / float_like(count, total)  # inf, or NaN for 0 / 0, as NumPy gives


def _abs2(d: Any) -> Any:
    """``|d|^2`` of a complex ``d``, as ``re(d)^2 + im(d)^2``."""
    re, im = real(d), imag(d)
    return re * re + im * im


def std(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = None,
    mean: Any = None,
    correction: float | None = None,
) -> Any:
    """Standard deviation over ``axis``: ``sqrt(var(x))``, with gradient 0 where it is 0.

    Where the variance is 0 (a slice of equal values, or of one value) the derivative of the
    square root is infinite; fad gives the gradient 0 there, the one for a single value,
    rather than NaN.

    >>> import fad
    >>> fad.grad(std)(np.array([1.0, 3.0]))
    array([-0.5,  0.5])
    >>> fad.grad(std)(np.array([2.0, 2.0]))
    array([0., 0.])

    See Also: var
    """
    v = var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
    zero = np.asarray(untraced(v) == 0)
    if not zero.any():
        return sqrt(v)
    return sqrt(where_p(zero, constant_like(1, v), v)) * (~zero).astype(dtype_of(v))  # 1 * 0 where var is 0


def median(a: Any, axis: Axis = None, out: None = None, overwrite_input: bool = False, keepdims: bool = False) -> Any:
    """Median over ``axis``: the middle element, or the mean of the two middle ones.

    The gradient goes to the middle element (1/2 to each of the two for an even count);
    elements tied with a middle element share its part equally, as for :func:`max`.
    ``overwrite_input`` is accepted and has no effect: fad never overwrites its inputs.

    >>> import fad
    >>> fad.grad(median)(np.array([4.0, 1.0, 3.0, 2.0]))
    array([0. , 0. , 0.5, 0.5])

    See Also: mean, max
    """
    no_out(out, "median")
    return median_p(a, axis=reduction_axes(axis, len(shape_of(a)), "median"), keepdims=keepdims)


# --------------------------------------------------------------------------------------
# Quantiles: the sorted elements at q (n - 1), interpolated
# --------------------------------------------------------------------------------------

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(a: Any, q: Any, axis: Any, keepdims: bool, method: str, who: str, skip_nan: bool) -> Any:
    """The ``q``-quantiles (``0 <= q <= 1``) of ``a`` over ``axis``, of its non-NaN elements if ``skip_nan``.

    Each slice is sorted by its ``argsort`` (computed on plain values, stable); the ``q``-th
    quantile lies at the position ``h = q (k - 1)`` among the ``k`` sorted elements, and
    "linear" takes ``x[lo] + (h - lo) (x[hi] - x[lo])``. The derivative goes to the two
    elements at ``lo`` and ``hi`` (to one of tied elements, by the stable order), and in a
    traced ``q`` it is ``(k - 1) (x[hi] - x[lo])``.
    """
    if method not in _METHODS:
        raise NotImplementedError(f"fad.numpy.{who}: method={method!r} has no derivative rule; use one of {_METHODS}")
    qs = np.asarray(untraced(q), dtype=float)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"fad.numpy.{who}: quantiles must be in the range [0, 1] (percentiles in [0, 100])")
    shape = shape_of(a)
    axes = reduction_axes(axis, len(shape), who)
    rows = _to_last(a, axes)
    kept, n = shape_of(rows)[:-1], shape_of(rows)[-1]
    r = int(np.prod(kept))
    rows = reshape_p(rows, shape=(r, n))
    plain = np.asarray(untraced(rows))
    order = np.argsort(plain, axis=-1, kind="stable")  # NaN sorts last
    count = (~np.isnan(plain)).sum(axis=-1) if skip_nan else np.full(r, n)
    h = qs[..., None] * np.maximum(count - 1, 0)  # (q..., r)
    lo = np.floor(h).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    if method == "nearest":
        lo = hi = np.around(h).astype(np.intp)  # NumPy's nearest rounds half to even
    elif method == "lower":
        hi = lo
    elif method == "midpoint":
        hi = np.where(h == lo, lo, hi)  # a position that is a whole number reads one element
    elif method == "higher":
        lo = hi = np.ceil(h).astype(np.intp)
    rows_index = np.arange(r)
    at_lo = getitem_p(rows, index=(rows_index, order[rows_index, np.minimum(lo, n - 1)]))
    at_hi = getitem_p(rows, index=(rows_index, order[rows_index, np.minimum(hi, n - 1)]))
    if method == "linear":
        if isinstance(q, Traced):  # h - lo, differentiable in q
            spacing = float_like(np.maximum(count - 1, 0), at_lo)
            frac = reshape_p(q, shape=(*qs.shape, 1)) * spacing - float_like(lo, at_lo)
        else:
            frac = float_like(h - lo, at_lo)
        y = at_lo + (at_hi - at_lo) * frac
    elif method == "midpoint":
        y = (at_lo + at_hi) * constant_like(0.5, at_lo)
    else:
        y = at_lo
    if skip_nan and np.any(count == 0):  # a slice of only NaNs
        y = where_p(np.broadcast_to(count == 0, shape_of(y)), constant_like(np.nan, y), y)
    out_shape = reduced_shape(shape, axes) if keepdims else kept
    return reshape_p(y, shape=(*qs.shape, *out_shape))


def quantile(
    a: Any, q: Any, axis: Axis = None, out: None = None, overwrite_input: bool = False, method: str = "linear",
    keepdims: bool = False, *, weights: Any = None,
) -> Any:
    """The ``q``-th quantiles over ``axis`` (``q`` in [0, 1], a number or an array, may be traced).

    Methods "linear" (default), "lower", "higher", "midpoint" and "nearest". The gradient
    goes to the one or two sorted elements the quantile is read from (elements tied with
    them: to the first in NumPy's stable order); ``overwrite_input`` has no effect.

    >>> import fad
    >>> fad.grad(lambda x: quantile(x, 0.25))(np.array([4.0, 1.0, 3.0, 2.0]))
    array([0.  , 0.25, 0.  , 0.75])

    See Also: percentile, nanquantile, median
    """
    no_out(out, "quantile")
    _no_weights(weights, "quantile")
    return _quantile(a, q, axis, keepdims, method, "quantile", skip_nan=False)


def percentile(
    a: Any, q: Any, axis: Axis = None, out: None = None, overwrite_input: bool = False, method: str = "linear",
    keepdims: bool = False, *, weights: Any = None,
) -> Any:
    """The ``q``-th percentiles over ``axis`` (``q`` in [0, 100]): ``quantile(a, q / 100)``.

    >>> float(percentile(np.array([1.0, 2.0, 3.0]), 50))
    2.0

    See Also: quantile, nanpercentile
    """
    no_out(out, "percentile")
    _no_weights(weights, "percentile")
    return _quantile(a, _hundredths(q), axis, keepdims, method, "percentile", skip_nan=False)


def nanquantile(
    a: Any, q: Any, axis: Axis = None, out: None = None, overwrite_input: bool = False, method: str = "linear",
    keepdims: bool = False, *, weights: Any = None,
) -> Any:
    """The ``q``-th quantiles over ``axis`` of the elements that are not NaN (NaN for an all-NaN slice).

    >>> float(nanquantile(np.array([1.0, np.nan, 3.0]), 0.5))
    2.0

    See Also: quantile, nanpercentile
    """
    no_out(out, "nanquantile")
    _no_weights(weights, "nanquantile")
    return _quantile(a, q, axis, keepdims, method, "nanquantile", skip_nan=True)


def nanpercentile(
    a: Any, q: Any, axis: Axis = None, out: None = None, overwrite_input: bool = False, method: str = "linear",
    keepdims: bool = False, *, weights: Any = None,
) -> Any:
    """The ``q``-th percentiles over ``axis`` of the elements that are not NaN.

    >>> float(nanpercentile(np.array([1.0, np.nan, 3.0]), 50))
    2.0

    See Also: percentile, nanquantile
    """
    no_out(out, "nanpercentile")
    _no_weights(weights, "nanpercentile")
    return _quantile(a, _hundredths(q), axis, keepdims, method, "nanpercentile", skip_nan=True)


def _hundredths(q: Any) -> Any:
    return q / 100.0 if isinstance(q, Traced) else np.asarray(q, dtype=float) / 100.0


def _no_weights(weights: Any, who: str) -> None:
    if weights is not None:
        raise NotImplementedError(f"fad.numpy.{who}: weights= (NumPy 2's weighted quantiles) is not supported; "
                                  "sort and interpolate the weighted cumulative sum instead")


# --------------------------------------------------------------------------------------
# Integration
# --------------------------------------------------------------------------------------


def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """Integral of ``y`` over ``x`` (or spacing ``dx``) along ``axis`` by the trapezoidal rule.

    ``sum(d * (y[1:] + y[:-1]) / 2)`` with ``d = diff(x)``: differentiable in ``y``, ``x``
    and ``dx``.

    >>> import fad
    >>> fad.grad(lambda x: trapezoid(np.array([1.0, 1.0, 1.0]), x))(np.array([0.0, 1.0, 3.0]))
    array([-1.,  0.,  1.])

    See Also: sum, cumsum
    """
    y, x = (v if v is None or isinstance(v, Traced) else np.asarray(v) for v in (y, x))
    shape = shape_of(y)
    axis = reduction_axes(axis, len(shape), "trapezoid")[0]
    lead = (slice(None),) * axis
    upper, lower = lead + (slice(1, None),), lead + (slice(None, -1),)
    if x is None:
        d = dx
    elif len(shape_of(x)) == 1:
        d = getitem_p(x, index=(slice(1, None),)) - getitem_p(x, index=(slice(None, -1),))
        d = reshape_p(d, shape=tuple(shape_of(d)[0] if i == axis else 1 for i in range(len(shape))))
    else:
        d = getitem_p(x, index=upper) - getitem_p(x, index=lower)
    return sum_p(d * (getitem_p(y, index=upper) + getitem_p(y, index=lower)) / 2.0, axis=axis)


if hasattr(np, "trapz"):
    trapz = trapezoid  # NumPy's name before 2.0


METHODS = MappingProxyType({"var": var, "std": std})
