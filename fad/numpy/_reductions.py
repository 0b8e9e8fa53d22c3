"""Reductions: sums, products, extrema, moments, medians and cumulative sums and products.

A reduction ``y = r(x, axis)`` sends its cotangent back along the reduced axes: ``ybar``
is given its ``keepdims`` shape, broadcast to ``x``'s shape (:func:`_expand`), and weighted
by the partial derivatives ``dy/dx_i`` of the slice that ``x_i`` belongs to:

    sum      xbar_i = ybar                                   (the base rule, sum_p)
    prod     xbar_i = ybar * prod_{j != i} x_j               (= ybar * y / x_i when y != 0)
    max/min  xbar_i = ybar * [x_i == y] / #{j : x_j == y}    (ties share equally)
    median   xbar_i = ybar * (the same, for the middle element, or half of it for each
                              of the two middle elements of an even count)
    cumsum   xbar_i = sum_{k >= i} ybar_k                    (a reverse cumulative sum)
    cumprod  xbar_i = sum_{k >= i} ybar_k * y_k / x_i        (when no x_j is 0)

Zeros in ``prod`` and ``cumprod``: where no product is 0, the product of the others is
``y / x_i``, and the first-order VJP uses it. Where one is, and whenever the VJP is
itself differentiated (``x`` is traced), the rules use the division-free form instead:
products before ``i`` times products after ``i``, computed by a doubling scan of
multiplies, which is exact at one zero or several, to every order, and has no
``y / x_i**2`` terms to cancel when ``x_i`` is tiny.

mean, var, std, average, ptp, nansum, nanmean and trapezoid are compositions of these and
of the base rules, so they are differentiable to any order by construction.
"""

from __future__ import annotations

import builtins
import math
import operator
import warnings
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Primitive, Traced, primitive, untraced
from fad.numpy._rules import (
    _inverse,
    _reduced_shape,
    add,
    astype_p,
    broadcast_to_p,
    concatenate_p,
    getitem_p,
    multiply,
    reshape_p,
    sqrt,
    sum_p,
    transpose_p,
    where_p,
)
from fad.numpy._rules import dtype_of as _dtype_of
from fad.numpy._rules import no_out as _no_out
from fad.numpy._rules import shape_of as _shape_of
from fad.reverse import pullback

__all__ = [
    "sum", "mean", "prod", "var", "std", "max", "amax", "min", "amin", "ptp",
    "cumsum", "cumprod", "average", "nansum", "nanmean", "median", "trapezoid",
] + [alias for alias in ("trapz", "product", "cumproduct") if hasattr(np, alias)]  # fmt: skip
# trapz (NumPy < 2.4), product and cumproduct (NumPy < 2) are there when NumPy has them,
# so that numpy.trapz(traced) dispatches by name.

Axis = int | tuple[int, ...] | list[int] | None


# --------------------------------------------------------------------------------------
# Axes, counts and cotangents sent back along the reduced axes
# --------------------------------------------------------------------------------------


def _axes(axis: Any, ndim: int, who: str) -> tuple[int, ...] | None:
    """``axis`` (an int, a sequence of ints or None) as a sorted tuple in ``range(ndim)``."""
    if axis is None:
        return None
    normal = []
    for a in tuple(axis) if isinstance(axis, (tuple, list)) else (axis,):
        a = operator.index(untraced(a))
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim, f"fad.numpy.{who}")
        normal.append(a % ndim)
    if len(set(normal)) < len(normal):
        raise ValueError(f"fad.numpy.{who}: axis {axis!r} names an axis twice")
    return tuple(sorted(normal))


def _count(shape: tuple, axes: tuple | None) -> int:
    """The number of elements in each slice that the reduction over ``axes`` takes."""
    return math.prod(shape[i] for i in (range(len(shape)) if axes is None else axes))




def _as_dtype(a: Any, dtype: Any) -> Any:
    """``a`` converted to ``dtype`` (no conversion for None or the same dtype)."""
    if dtype is None or np.dtype(dtype) == _dtype_of(a):
        return a
    return astype_p(a, dtype=np.dtype(dtype))


def _constant(value: Any, like: Any) -> np.ndarray:
    """``value`` as a 0-d constant of ``like``'s dtype (so nothing is promoted)."""
    return np.asarray(value, dtype=_dtype_of(like))


def _float_like(value: Any, like: Any) -> np.ndarray:
    """``value`` (a count, NaN) in the float dtype of ``like`` (float64 for integers).

    A Python number would do under NumPy 2, but NumPy 1 promotes a float32 scalar to float64.
    """
    dtype = _dtype_of(like)
    return np.asarray(value, dtype if dtype.kind in "fc" else np.float64)


def _with_initial(y: Any, initial: Any, combine: Any) -> Any:
    """``combine(y, initial)``, with a constant ``initial`` in ``y``'s dtype, as NumPy gives."""
    if initial is None:
        return y
    if not isinstance(initial, Traced) and np.issubdtype(_dtype_of(y), np.inexact):
        initial = _constant(initial, y)
    return combine(y, initial)


def _masked(a: Any, where: Any, fill: float) -> Any:
    """``a`` with ``fill`` where the constant mask ``where`` is False (``a`` when None)."""
    if where is None:
        return a
    mask = np.broadcast_to(np.asarray(untraced(where), dtype=bool), _shape_of(a))
    return where_p(mask, a, _constant(fill, a))


def _expand(v: Any, x: Any, axes: tuple | None) -> Any:
    """``v``, a reduction of ``x`` over ``axes``, broadcast back to ``x``'s shape."""
    shape = _shape_of(x)
    return broadcast_to_p(reshape_p(v, shape=_reduced_shape(shape, axes)), shape=shape)


def _order(ndim: int, axes: tuple | None) -> tuple[int, ...]:
    """The permutation that moves ``axes`` after the other axes."""
    axes = tuple(range(ndim)) if axes is None else axes
    return tuple(i for i in range(ndim) if i not in axes) + axes


def _to_last(x: Any, axes: tuple | None) -> Any:
    """``x`` with ``axes`` moved to the end and merged into one: the slices are its rows."""
    shape = _shape_of(x)
    order = _order(len(shape), axes)
    kept = tuple(shape[i] for i in order[: len(shape) - (len(shape) if axes is None else len(axes))])
    moved = x if order == tuple(range(len(shape))) else transpose_p(x, axes=order)
    return reshape_p(moved, shape=kept + (_count(shape, axes),))


def _from_last(v: Any, shape: tuple, axes: tuple | None) -> Any:
    """The inverse of :func:`_to_last`: ``v``'s rows put back along ``axes`` of ``shape``."""
    order = _order(len(shape), axes)
    v = reshape_p(v, shape=tuple(shape[i] for i in order))
    return v if order == tuple(range(len(shape))) else transpose_p(v, axes=_inverse(order))


def _divisible(y: Any, x: Any) -> bool:
    """Whether ``y / x_i`` may stand for the product of the elements other than ``x_i``.

    It may where every product in ``y`` is finite and nonzero (no ``x_i`` is 0), and ``x``
    is not traced: the VJP is then not differentiated with respect to ``x`` again, where
    ``d(y / x_i)/dx_i = 0`` would be computed as a difference of two large numbers.
    """
    y = untraced(y)
    return not isinstance(x, Traced) and bool(np.all(np.isfinite(y) & (y != 0)))


# --------------------------------------------------------------------------------------
# Products of the other elements, without division: exact at zeros, to any order
# --------------------------------------------------------------------------------------


def _shifted(x: Any, d: int) -> Any:
    """``x`` moved ``d <= n`` places along its last axis (of length ``n``), the first ``d`` set to 1."""
    shape = _shape_of(x)
    ones = np.ones(shape[:-1] + (d,), _dtype_of(x))
    return concatenate_p(ones, getitem_p(x, index=(Ellipsis, slice(0, shape[-1] - d))), axis=-1)


def _cumulative_products(x: Any) -> Any:
    """Products of ``x_0 .. x_k`` along the last axis, by doubling: ``log2(n)`` multiplies.

    After the step with shift ``d``, element ``k`` holds the product of ``x_{k-2d+1} .. x_k``
    (Hillis and Steele's scan). No division, so zeros are no special case.
    """
    n, d = _shape_of(x)[-1], 1
    while d < n:
        x = x * _shifted(x, d)
        d *= 2
    return x


def _flip(x: Any) -> Any:
    """``x`` reversed along its last axis."""
    return getitem_p(x, index=(Ellipsis, slice(None, None, -1)))


def _products_of_others(x: Any) -> Any:
    """``prod_{j != i} x_j`` along the last axis: products before ``i`` times products after."""
    if _shape_of(x)[-1] == 0:
        return x
    before = _shifted(_cumulative_products(x), 1)
    after = _flip(_shifted(_cumulative_products(_flip(x)), 1))
    return before * after


def _prod_xbar(y: Any, ybar: Any, x: Any, axis: tuple | None = None, keepdims: bool = False) -> Any:
    """``ybar`` times the product of the other elements of ``x_i``'s slice."""
    if _divisible(y, x):
        return _expand(ybar, x, axis) * _expand(y, x, axis) / x
    others = _from_last(_products_of_others(_to_last(x, axis)), _shape_of(x), axis)
    return _expand(ybar, x, axis) * others


def _cumprod_xbar(y: Any, ybar: Any, x: Any, axis: int = 0) -> Any:
    """``xbar_i = sum_{k >= i} ybar_k * prod_{j <= k, j != i} x_j``.

    Without zeros that is ``reverse_cumsum(ybar * y) / x``. Otherwise (see :func:`_divisible`)
    it is the VJP of the division-free scan :func:`_cumulative_products`, which fad traces
    for the purpose: exact at zeros, to any order.
    """
    if _divisible(y, x):
        return reverse_cumsum_p(ybar * y, axis=axis) / x

    shape = _shape_of(x)
    _, back = pullback(lambda x: _from_last(_cumulative_products(_to_last(x, (axis,))), shape, (axis,)), x)
    return back(ybar)[0]


# --------------------------------------------------------------------------------------
# Extrema and medians: the gradient goes to the chosen elements, ties sharing it
# --------------------------------------------------------------------------------------


def _share(chosen: np.ndarray, axes: tuple | None) -> np.ndarray:
    """``chosen`` (a mask) divided by the number chosen in its slice: the shares of ties."""
    return chosen / np.maximum(np.sum(chosen, axis=axes, keepdims=True), 1)


def _extremum_xbar(y: Any, ybar: Any, x: Any, axis: Any = None, keepdims: bool = False, **options: Any) -> Any:
    """``ybar`` to the elements equal to the extremum ``y``, shared equally among ties."""
    chosen = untraced(x) == np.reshape(untraced(y), _reduced_shape(_shape_of(x), axis))
    if options.get("where") is not None:
        chosen = chosen & options["where"]
    return _expand(ybar, x, axis) * _share(chosen, axis).astype(_dtype_of(ybar))


def _extremum(reduce: Any, name: str) -> Primitive:
    """A max-like primitive; ``initial`` and ``where`` go to NumPy only when given."""

    def fwd(x: Any, axis: Any = None, keepdims: bool = False, **options: Any) -> Any:
        return reduce(x, axis=axis, keepdims=keepdims, **{k: v for k, v in options.items() if v is not None})

    return primitive(fwd, (_extremum_xbar,), name=name)


def _median_weights(x: np.ndarray, axes: tuple | None) -> np.ndarray:
    """``dy/dx`` of the median: 1 at the middle element, 1/2 at each of two, ties sharing."""
    if x.size == 0:
        return np.zeros(x.shape)
    rows = _to_last(x, axes)  # one slice per row
    middle = {(rows.shape[-1] - 1) // 2, rows.shape[-1] // 2}  # one index for an odd count, two for even
    ordered = np.partition(rows, sorted(middle), axis=-1)
    weights = builtins.sum(_share(rows == ordered[..., [k]], (-1,)) for k in middle) / len(middle)
    return _from_last(weights, x.shape, axes)


def _median_xbar(y: Any, ybar: Any, x: Any, axis: tuple | None = None, keepdims: bool = False) -> Any:
    """``ybar`` to the middle element(s) of each slice, with the weights of :func:`_median_weights`."""
    return _expand(ybar, x, axis) * _median_weights(np.asarray(untraced(x)), axis).astype(_dtype_of(ybar))


def _reverse_cumsum(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """``sum_{k >= i} x_k`` along ``axis``."""
    return np.flip(np.cumsum(np.flip(x, axis), axis), axis)


# fmt: off
# --------------------------------------------------------------------------------------
# The primitives                              j(r)(y, ybar, x, axis) = (xbar,)
# --------------------------------------------------------------------------------------
prod_p           = primitive(lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims),
                             (_prod_xbar,), name="prod")
max_p            = _extremum(np.max, "max")
min_p            = _extremum(np.min, "min")
median_p         = primitive(lambda x, axis=None, keepdims=False: np.median(x, axis=axis, keepdims=keepdims),
                             (_median_xbar,), name="median")
# cumsum and reverse_cumsum are each other's VJP, as sum and broadcast_to are
cumsum_p         = primitive(lambda x, axis=0: np.cumsum(x, axis=axis),
                             lambda y, ybar, x, axis=0: (reverse_cumsum_p(ybar, axis=axis),), name="cumsum")
reverse_cumsum_p = primitive(_reverse_cumsum,
                             lambda y, ybar, x, axis=0: (cumsum_p(ybar, axis=axis),), name="reverse_cumsum")
cumprod_p        = primitive(lambda x, axis=0: np.cumprod(x, axis=axis), (_cumprod_xbar,), name="cumprod")
# fmt: on


# --------------------------------------------------------------------------------------
# Sums and means
# --------------------------------------------------------------------------------------


def sum(  # noqa: A001
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """Sum of the elements over ``axis`` (all by default); the VJP broadcasts ``ybar`` back.

    >>> import fad
    >>> fad.grad(lambda x: sum(x * x))(np.array([1.0, 2.0]))
    array([2., 4.])

    See Also: mean, nansum, cumsum
    """
    _no_out(out, "sum")
    x = _masked(_as_dtype(a, dtype), where, 0)
    y = sum_p(x, axis=_axes(axis, len(_shape_of(x)), "sum"), keepdims=keepdims)
    return _with_initial(y, initial, add)


def _divide_by_count(total: Any, count: Any, who: str | None) -> Any:
    """``total / count``; NaN where ``count`` is 0, with NumPy's warning (unless ``who`` is None)."""
    if count > 0 if type(count) is int else np.all(count > 0):
        return total / _float_like(count, total)
    if who is not None:
        warnings.warn(f"fad.numpy.{who}: mean of empty slice", RuntimeWarning, stacklevel=3)
    if np.ndim(count) == 0:
        return total * _float_like(np.nan, total)
    quotient = total / _float_like(np.maximum(count, 1), total)
    return where_p(count == 0, _float_like(np.nan, total), quotient)


def _mean(x: Any, axes: tuple | None, keepdims: bool, where: Any, who: str | None) -> Any:
    """The mean of ``x`` over ``axes`` (already normalized), of the elements ``where`` holds."""
    return _divide_by_count(sum_p(_masked(x, where, 0), axis=axes, keepdims=keepdims),
                            _count_where(x, axes, keepdims, where), who)  # fmt: skip


def _count_where(x: Any, axes: tuple | None, keepdims: bool, where: Any) -> Any:
    """The number of elements of each slice of ``x`` that ``where`` keeps (all when None)."""
    if where is None:
        return _count(_shape_of(x), axes)
    mask = np.broadcast_to(np.asarray(untraced(where), dtype=bool), _shape_of(x))
    return np.sum(mask, axis=axes, keepdims=keepdims)


def mean(
    a: Any, axis: Axis = None, dtype: Any = None, out: None = None, keepdims: bool = False, *, where: Any = None
) -> Any:
    """Arithmetic mean over ``axis``: the sum divided by the number of elements summed.

    float16 is accumulated in float32, as NumPy does; the mean of no elements is NaN.

    >>> import fad
    >>> fad.grad(lambda x: mean(x))(np.array([1.0, 2.0, 3.0, 4.0]))
    array([0.25, 0.25, 0.25, 0.25])

    See Also: average, nanmean, sum
    """
    _no_out(out, "mean")
    x = _as_dtype(a, dtype)
    half = dtype is None and _dtype_of(x) == np.float16
    y = _mean(astype_p(x, dtype=np.dtype(np.float32)) if half else x,
              _axes(axis, len(_shape_of(x)), "mean"), keepdims, where, "mean")  # fmt: skip
    return astype_p(y, dtype=np.dtype(np.float16)) if half else y


def nansum(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """Sum over ``axis`` treating NaN as zero; a NaN element gets the gradient 0.

    (An operation applied before may still make it NaN: the VJP of ``x * x`` at a NaN is
    ``2 * nan * 0``, which is NaN.)

    >>> import fad
    >>> fad.grad(nansum)(np.array([1.0, np.nan, 3.0]))
    array([1., 0., 1.])

    See Also: sum, nanmean
    """
    _no_out(out, "nansum")
    return sum(_masked(a, ~np.isnan(untraced(a)), 0), axis, dtype, None, keepdims, initial, where)


def nanmean(
    a: Any, axis: Axis = None, dtype: Any = None, out: None = None, keepdims: bool = False, *, where: Any = None
) -> Any:
    """Mean over ``axis`` of the elements that are not NaN (NaN for a slice of only NaNs).

    >>> float(nanmean(np.array([1.0, np.nan, 3.0])))
    2.0

    See Also: mean, nansum
    """
    _no_out(out, "nanmean")
    x = _as_dtype(a, dtype)
    keep = ~np.isnan(untraced(x))
    if where is not None:
        keep = keep & np.asarray(untraced(where), dtype=bool)
    return _mean(x, _axes(axis, len(_shape_of(x)), "nanmean"), keepdims, keep, "nanmean")


def average(a: Any, axis: Axis = None, weights: Any = None, returned: bool = False, *, keepdims: bool = False) -> Any:
    """Weighted average over ``axis``: ``sum(a * w) / sum(w)``, differentiable in ``a`` and ``w``.

    ``weights`` has ``a``'s shape, or the shape of the axes reduced (a 1-d array for an int
    ``axis``). With ``returned``, also the sum of the weights, broadcast to the result.

    >>> import fad
    >>> fad.grad(lambda w: average(np.array([1.0, 3.0]), weights=w))(np.array([1.0, 1.0]))
    array([-0.5,  0.5])

    See Also: mean
    """
    shape = _shape_of(a)
    axes = _axes(axis, len(shape), "average")
    if weights is None:
        y = mean(a, axes, keepdims=keepdims)
        total: Any = np.asarray(_count(shape, axes), _dtype_of(y))
    else:
        w = _weights_like(weights, shape, axis, axes)
        total = sum_p(w, axis=axes, keepdims=keepdims)
        if np.any(untraced(total) == 0):
            raise ZeroDivisionError("fad.numpy.average: the weights sum to zero, so they cannot be normalized")
        y = sum_p(a * w, axis=axes, keepdims=keepdims) / total
    if not returned:
        return y
    return y, (total if _shape_of(total) == _shape_of(y) else broadcast_to_p(total, shape=_shape_of(y)))


def _weights_like(w: Any, shape: tuple, axis: Any, axes: tuple | None) -> Any:
    """The weights given to :func:`average`, shaped to broadcast against ``a``."""
    w_shape = _shape_of(w)
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
# Products
# --------------------------------------------------------------------------------------


def prod(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """Product of the elements over ``axis``; exact gradients with one zero or several.

    >>> import fad
    >>> fad.grad(prod)(np.array([2.0, 0.0, 5.0]))
    array([ 0., 10.,  0.])

    See Also: cumprod, sum
    """
    _no_out(out, "prod")
    x = _masked(_as_dtype(a, dtype), where, 1)
    y = prod_p(x, axis=_axes(axis, len(_shape_of(x)), "prod"), keepdims=keepdims)
    return _with_initial(y, initial, multiply)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative sum along ``axis`` (of the flattened array when None).

    >>> cumsum(np.array([1.0, 2.0, 3.0]))
    array([1., 3., 6.])

    See Also: sum, cumprod
    """
    _no_out(out, "cumsum")
    x, axis = _along(_as_dtype(a, dtype), axis, "cumsum")
    return cumsum_p(x, axis=axis)


def cumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative product along ``axis`` (of the flattened array when None); exact at zeros.

    >>> import fad
    >>> fad.grad(lambda x: sum(cumprod(x)))(np.array([2.0, 0.0, 5.0]))
    array([ 1., 12.,  0.])

    See Also: prod, cumsum
    """
    _no_out(out, "cumprod")
    x, axis = _along(_as_dtype(a, dtype), axis, "cumprod")
    return cumprod_p(x, axis=axis)


def _along(x: Any, axis: Any, who: str) -> tuple[Any, int]:
    """``x`` and ``axis`` for a cumulative function: flattened to axis 0 when None."""
    if axis is None:
        return reshape_p(x, shape=(int(np.prod(_shape_of(x))),)), 0
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"fad.numpy.{who}: axis must be an int or None, got {axis!r}")
    return x, _axes(axis, len(_shape_of(x)), who)[0]


# --------------------------------------------------------------------------------------
# Extrema
# --------------------------------------------------------------------------------------


def max(  # noqa: A001
    a: Any, axis: Axis = None, out: None = None, keepdims: bool = False, initial: Any = None, where: Any = None
) -> Any:
    """Largest element over ``axis``; elements tied for it share the gradient equally.

    >>> import fad
    >>> fad.grad(max)(np.array([1.0, 3.0, 3.0]))
    array([0. , 0.5, 0.5])

    See Also: min, ptp, maximum
    """
    return _extreme(max_p, "max", a, axis, out, keepdims, initial, where)


def min(  # noqa: A001
    a: Any, axis: Axis = None, out: None = None, keepdims: bool = False, initial: Any = None, where: Any = None
) -> Any:
    """Smallest element over ``axis``; elements tied for it share the gradient equally.

    >>> import fad
    >>> fad.grad(min)(np.array([1.0, 3.0, 1.0]))
    array([0.5, 0. , 0.5])

    See Also: max, ptp, minimum
    """
    return _extreme(min_p, "min", a, axis, out, keepdims, initial, where)


amax = max  # NumPy's own aliases
amin = min


def _extreme(p: Primitive, who: str, a: Any, axis: Any, out: Any, keepdims: bool, initial: Any, where: Any) -> Any:
    _no_out(out, who)
    if isinstance(initial, Traced):
        raise TypeError(
            f"fad.numpy.{who}: initial must be a constant, not a traced value; "
            f"use fad.numpy.{who}imum(fad.numpy.{who}(x), initial) to differentiate with respect to it"
        )
    mask = None if where is None else np.broadcast_to(np.asarray(untraced(where), dtype=bool), _shape_of(a))
    return p(a, axis=_axes(axis, len(_shape_of(a)), who), keepdims=keepdims, initial=initial, where=mask)


def ptp(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False) -> Any:
    """Range of values (maximum minus minimum) over ``axis``.

    >>> import fad
    >>> fad.grad(ptp)(np.array([1.0, 4.0, 2.0]))
    array([-1.,  1.,  0.])

    See Also: max, min
    """
    _no_out(out, "ptp")
    return max(a, axis, keepdims=keepdims) - min(a, axis, keepdims=keepdims)


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
    _no_out(out, "var")
    if correction is not None:
        if ddof != 0:
            raise ValueError("fad.numpy.var: give ddof or correction, not both")
        ddof = correction
    ddof = int(ddof) if float(ddof).is_integer() else float(ddof)  # a Python number: nothing is promoted
    x = _as_dtype(a, dtype)
    axes = _axes(axis, len(_shape_of(x)), "var")
    d = x - (_mean(x, axes, True, where, None) if mean is None else mean)
    squares = d * d if not np.iscomplexobj(untraced(d)) else _abs2(d)
    total = sum_p(_masked(squares, where, 0), axis=axes, keepdims=keepdims)
    count = np.maximum(_count_where(x, axes, keepdims, where) - ddof, 0)
    if np.all(count > 0):
        return total / _float_like(count, total)
    warnings.warn(f"fad.numpy.var: degrees of freedom <= 0 for a slice (ddof={ddof})", RuntimeWarning, stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / _float_like(count, total)  # inf, or NaN for 0 / 0, as NumPy gives


def _abs2(d: Any) -> Any:
    """``|d|^2`` of a complex ``d``, as ``re(d)^2 + im(d)^2`` with fad.numpy's real and imag."""
    from fad import numpy as fnp

    re, im = fnp.real(d), fnp.imag(d)
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
    return sqrt(where_p(zero, _constant(1, v), v)) * (~zero).astype(_dtype_of(v))  # 1 * 0 where var is 0


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
    _no_out(out, "median")
    return median_p(a, axis=_axes(axis, len(_shape_of(a)), "median"), keepdims=keepdims)


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
    shape = _shape_of(y)
    axis = _axes(axis, len(shape), "trapezoid")[0]
    lead = (slice(None),) * axis
    upper, lower = lead + (slice(1, None),), lead + (slice(None, -1),)
    if x is None:
        d = dx
    elif len(_shape_of(x)) == 1:
        d = getitem_p(x, index=(slice(1, None),)) - getitem_p(x, index=(slice(None, -1),))
        d = reshape_p(d, shape=tuple(_shape_of(d)[0] if i == axis else 1 for i in range(len(shape))))
    else:
        d = getitem_p(x, index=upper) - getitem_p(x, index=lower)
    return sum_p(d * (getitem_p(y, index=upper) + getitem_p(y, index=lower)) / 2.0, axis=axis)


if hasattr(np, "trapz"):
    trapz = trapezoid  # NumPy's name before 2.0
if hasattr(np, "product"):
    product, cumproduct = prod, cumprod  # NumPy's deprecated aliases, before 2.0


# --------------------------------------------------------------------------------------
# ndarray methods
# --------------------------------------------------------------------------------------

METHODS = MappingProxyType(
    {
        "sum": sum,
        "mean": mean,
        "prod": prod,
        "var": var,
        "std": std,
        "max": max,
        "min": min,
        "ptp": ptp,
        "cumsum": cumsum,
        "cumprod": cumprod,
    }
)
