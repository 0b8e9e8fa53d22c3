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
import warnings
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Primitive, Traced, primitive, untraced
from fad.numpy._base import (
    astype_p,
    broadcast_to_p,
    concatenate_p,
    getitem_p,
    inverse_permutation,
    no_out,
    normalize_axis,
    reduced_shape,
    reshape_p,
    sum_p,
    transpose_p,
    where_p,
)
from fad.numpy._base import dtype_of as _dtype_of
from fad.numpy._base import shape_of as _shape_of
from fad.numpy._elementwise import add, multiply
from fad.reverse import pullback

__all__ = [
    "sum", "mean", "prod", "max", "amax", "min", "amin", "ptp", "cumsum", "cumprod", "nansum", "nanmean",
    "nanprod", "nanmax", "nanmin", "nancumsum", "nancumprod", "unwrap",
] + [alias for alias in ("product", "cumproduct") if hasattr(np, alias)]  # fmt: skip
# product and cumproduct (NumPy < 2) are there when NumPy has them, so that
# numpy.product(traced) dispatches by name.

Axis = int | tuple[int, ...] | list[int] | None


# --------------------------------------------------------------------------------------
# Axes, counts and cotangents sent back along the reduced axes
# --------------------------------------------------------------------------------------


def reduction_axes(axis: Any, ndim: int, who: str) -> tuple[int, ...] | None:
    """``axis`` (an int, a sequence of ints or None) as a sorted tuple in ``range(ndim)``."""
    if axis is None:
        return None
    axes = [normalize_axis(a, ndim, who) for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    if len(set(axes)) < len(axes):
        raise ValueError(f"fad.numpy.{who}: axis {axis!r} names an axis twice")
    return tuple(sorted(axes))


def slice_count(shape: tuple, axes: tuple | None) -> int:
    """The number of elements in each slice that the reduction over ``axes`` takes."""
    return math.prod(shape[i] for i in (range(len(shape)) if axes is None else axes))




def as_dtype(a: Any, dtype: Any) -> Any:
    """``a`` converted to ``dtype`` (no conversion for None or the same dtype)."""
    if dtype is None or np.dtype(dtype) == _dtype_of(a):
        return a
    return astype_p(a, dtype=np.dtype(dtype))


def constant_like(value: Any, like: Any) -> np.ndarray:
    """``value`` as a 0-d constant of ``like``'s dtype (so nothing is promoted)."""
    return np.asarray(value, dtype=_dtype_of(like))


def float_like(value: Any, like: Any) -> np.ndarray:
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
        initial = constant_like(initial, y)
    return combine(y, initial)


def masked(a: Any, where: Any, fill: float) -> Any:
    """``a`` with ``fill`` where the constant mask ``where`` is False (``a`` when None)."""
    if where is None:
        return a
    mask = np.broadcast_to(np.asarray(untraced(where), dtype=bool), _shape_of(a))
    return where_p(mask, a, constant_like(fill, a))


def _expand(v: Any, x: Any, axes: tuple | None) -> Any:
    """``v``, a reduction of ``x`` over ``axes``, broadcast back to ``x``'s shape."""
    shape = _shape_of(x)
    return broadcast_to_p(reshape_p(v, shape=reduced_shape(shape, axes)), shape=shape)


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
    return reshape_p(moved, shape=kept + (slice_count(shape, axes),))


def _from_last(v: Any, shape: tuple, axes: tuple | None) -> Any:
    """The inverse of :func:`_to_last`: ``v``'s rows put back along ``axes`` of ``shape``."""
    order = _order(len(shape), axes)
    v = reshape_p(v, shape=tuple(shape[i] for i in order))
    return v if order == tuple(range(len(shape))) else transpose_p(v, axes=inverse_permutation(order))


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
        x = multiply(x, _shifted(x, d))
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
    return multiply(before, after)


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
# NaN-ignoring reductions: the reduction of x with NaN replaced by its identity
# --------------------------------------------------------------------------------------


def _not_nan(a: Any) -> np.ndarray:
    return ~np.isnan(np.asarray(untraced(a)))


def nanprod(
    a: Any, axis: Axis = None, dtype: Any = None, out: None = None, keepdims: bool = False, initial: Any = None,
    where: Any = None,
) -> Any:
    """Product over ``axis`` treating NaN as one; a NaN element gets the gradient 0.

    >>> import fad
    >>> fad.grad(nanprod)(np.array([2.0, np.nan, 3.0]))
    array([3., 0., 2.])

    See Also: prod, nansum
    """
    no_out(out, "nanprod")
    return prod(masked(a, _not_nan(a), 1), axis, dtype, None, keepdims, initial, where)


def _nan_extreme(p: Primitive, who: str, a: Any, axis: Any, out: Any, keepdims: bool, initial: Any,
                 where: Any) -> Any:
    """``max``/``min`` of the elements that are not NaN; NaN (gradient 0) for a slice of only NaNs."""
    no_out(out, who)
    keep = _not_nan(a)
    if where is not None:
        keep = keep & np.asarray(untraced(where), dtype=bool)
    if initial is not None:
        return _extreme(p, who[3:], a, axis, None, keepdims, initial, keep)
    y = _extreme(p, who[3:], a, axis, None, keepdims, -np.inf if p is max_p else np.inf, keep)
    empty = ~np.any(keep, axis=reduction_axes(axis, len(_shape_of(a)), who), keepdims=keepdims)
    return where_p(empty, constant_like(np.nan, y), y) if empty.any() else y


def nanmax(
    a: Any, axis: Axis = None, out: None = None, keepdims: bool = False, initial: Any = None, where: Any = None
) -> Any:
    """Largest element over ``axis``, ignoring NaN; ties share the gradient, NaN elements get 0.

    A slice of only NaNs gives NaN (NumPy also warns).

    >>> import fad
    >>> fad.grad(nanmax)(np.array([1.0, np.nan, 3.0]))
    array([0., 0., 1.])

    See Also: max, nanmin
    """
    return _nan_extreme(max_p, "nanmax", a, axis, out, keepdims, initial, where)


def nanmin(
    a: Any, axis: Axis = None, out: None = None, keepdims: bool = False, initial: Any = None, where: Any = None
) -> Any:
    """Smallest element over ``axis``, ignoring NaN; ties share the gradient, NaN elements get 0.

    >>> import fad
    >>> fad.grad(nanmin)(np.array([1.0, np.nan, 3.0]))
    array([1., 0., 0.])

    See Also: min, nanmax
    """
    return _nan_extreme(min_p, "nanmin", a, axis, out, keepdims, initial, where)


def nancumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative sum along ``axis`` treating NaN as zero.

    >>> nancumsum(np.array([1.0, np.nan, 3.0]))
    array([1., 1., 4.])

    See Also: cumsum, nansum
    """
    no_out(out, "nancumsum")
    return cumsum(masked(a, _not_nan(a), 0), axis, dtype)


def nancumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative product along ``axis`` treating NaN as one.

    >>> nancumprod(np.array([2.0, np.nan, 3.0]))
    array([2., 2., 6.])

    See Also: cumprod, nanprod
    """
    no_out(out, "nancumprod")
    return cumprod(masked(a, _not_nan(a), 1), axis, dtype)


def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: Any = 2 * math.pi) -> Any:
    """``p`` with jumps larger than ``discont`` along ``axis`` undone by adding multiples of ``period``.

    The multiples are integers, constant near almost every ``p``: the derivative in ``p`` is
    1, and in a traced ``period`` it is the number of periods added. ``discont`` only
    decides where the jumps are, so it has derivative 0.

    >>> unwrap(np.array([0.0, 4.0, 1.0]))
    array([ 0.        , -2.28318531, -5.28318531])

    See Also: angle, cumsum
    """
    plain, period_value = np.asarray(untraced(p)), untraced(period)
    added = np.unwrap(plain, discont=untraced(discont), axis=axis, period=period_value) - plain
    if not isinstance(period, Traced):
        return p + constant_like(added, p) if np.issubdtype(_dtype_of(p), np.inexact) else p + added
    return p + constant_like(np.round(added / period_value), p) * period


# --------------------------------------------------------------------------------------
# Extrema and medians: the gradient goes to the chosen elements, ties sharing it
# --------------------------------------------------------------------------------------


def _share(chosen: np.ndarray, axes: tuple | None) -> np.ndarray:
    """``chosen`` (a mask) divided by the number chosen in its slice: the shares of ties."""
    return chosen / np.maximum(np.sum(chosen, axis=axes, keepdims=True), 1)


def _extremum_xbar(y: Any, ybar: Any, x: Any, axis: Any = None, keepdims: bool = False, **options: Any) -> Any:
    """``ybar`` to the elements equal to the extremum ``y``, shared equally among ties."""
    chosen = untraced(x) == np.reshape(untraced(y), reduced_shape(_shape_of(x), axis))
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
                             (_median_xbar,), name="median", unread=(0,))
# cumsum and reverse_cumsum are each other's VJP, as sum and broadcast_to are
cumsum_p         = primitive(lambda x, axis=0: np.cumsum(x, axis=axis),
                             lambda y, ybar, x, axis=0: (reverse_cumsum_p(ybar, axis=axis),), name="cumsum",
                             unread=(0, 1))
reverse_cumsum_p = primitive(_reverse_cumsum,
                             lambda y, ybar, x, axis=0: (cumsum_p(ybar, axis=axis),), name="reverse_cumsum",
                             unread=(0, 1))
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
    no_out(out, "sum")
    x = masked(as_dtype(a, dtype), where, 0)
    y = sum_p(x, axis=reduction_axes(axis, len(_shape_of(x)), "sum"), keepdims=keepdims)
    return _with_initial(y, initial, add)


def _divide_by_count(total: Any, count: Any, who: str | None) -> Any:
    """``total / count``; NaN where ``count`` is 0, with NumPy's warning (unless ``who`` is None)."""
    if count > 0 if type(count) is int else np.all(count > 0):
        return total / float_like(count, total)
    if who is not None:
        warnings.warn(f"fad.numpy.{who}: mean of empty slice", RuntimeWarning, stacklevel=3)
    if np.ndim(count) == 0:
        return total * float_like(np.nan, total)
    quotient = total / float_like(np.maximum(count, 1), total)
    return where_p(count == 0, float_like(np.nan, total), quotient)


def masked_mean(x: Any, axes: tuple | None, keepdims: bool, where: Any, who: str | None) -> Any:
    """The mean of ``x`` over ``axes`` (already normalized), of the elements ``where`` holds."""
    return _divide_by_count(sum_p(masked(x, where, 0), axis=axes, keepdims=keepdims),
                            count_where(x, axes, keepdims, where), who)  # fmt: skip


def count_where(x: Any, axes: tuple | None, keepdims: bool, where: Any) -> Any:
    """The number of elements of each slice of ``x`` that ``where`` keeps (all when None)."""
    if where is None:
        return slice_count(_shape_of(x), axes)
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
    no_out(out, "mean")
    x = as_dtype(a, dtype)
    half = dtype is None and _dtype_of(x) == np.float16
    y = masked_mean(astype_p(x, dtype=np.dtype(np.float32)) if half else x,
              reduction_axes(axis, len(_shape_of(x)), "mean"), keepdims, where, "mean")  # fmt: skip
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
    no_out(out, "nansum")
    return sum(masked(a, ~np.isnan(untraced(a)), 0), axis, dtype, None, keepdims, initial, where)


def nanmean(
    a: Any, axis: Axis = None, dtype: Any = None, out: None = None, keepdims: bool = False, *, where: Any = None
) -> Any:
    """Mean over ``axis`` of the elements that are not NaN (NaN for a slice of only NaNs).

    >>> float(nanmean(np.array([1.0, np.nan, 3.0])))
    2.0

    See Also: mean, nansum
    """
    no_out(out, "nanmean")
    x = as_dtype(a, dtype)
    keep = ~np.isnan(untraced(x))
    if where is not None:
        keep = keep & np.asarray(untraced(where), dtype=bool)
    return masked_mean(x, reduction_axes(axis, len(_shape_of(x)), "nanmean"), keepdims, keep, "nanmean")


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
    no_out(out, "prod")
    x = masked(as_dtype(a, dtype), where, 1)
    y = prod_p(x, axis=reduction_axes(axis, len(_shape_of(x)), "prod"), keepdims=keepdims)
    return _with_initial(y, initial, multiply)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative sum along ``axis`` (of the flattened array when None).

    >>> cumsum(np.array([1.0, 2.0, 3.0]))
    array([1., 3., 6.])

    See Also: sum, cumprod
    """
    no_out(out, "cumsum")
    x, axis = _along(as_dtype(a, dtype), axis, "cumsum")
    return cumsum_p(x, axis=axis)


def cumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative product along ``axis`` (of the flattened array when None); exact at zeros.

    >>> import fad
    >>> fad.grad(lambda x: sum(cumprod(x)))(np.array([2.0, 0.0, 5.0]))
    array([ 1., 12.,  0.])

    See Also: prod, cumsum
    """
    no_out(out, "cumprod")
    x, axis = _along(as_dtype(a, dtype), axis, "cumprod")
    return cumprod_p(x, axis=axis)


def _along(x: Any, axis: Any, who: str) -> tuple[Any, int]:
    """``x`` and ``axis`` for a cumulative function: flattened to axis 0 when None."""
    if axis is None:
        return reshape_p(x, shape=(int(np.prod(_shape_of(x))),)), 0
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"fad.numpy.{who}: axis must be an int or None, got {axis!r}")
    return x, reduction_axes(axis, len(_shape_of(x)), who)[0]


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
    no_out(out, who)
    if isinstance(initial, Traced):
        raise TypeError(
            f"fad.numpy.{who}: initial must be a constant, not a traced value; "
            f"use fad.numpy.{who}imum(fad.numpy.{who}(x), initial) to differentiate with respect to it"
        )
    mask = None if where is None else np.broadcast_to(np.asarray(untraced(where), dtype=bool), _shape_of(a))
    return p(a, axis=reduction_axes(axis, len(_shape_of(a)), who), keepdims=keepdims, initial=initial, where=mask)


def ptp(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False) -> Any:
    """Range of values (maximum minus minimum) over ``axis``.

    >>> import fad
    >>> fad.grad(ptp)(np.array([1.0, 4.0, 2.0]))
    array([-1.,  1.,  0.])

    See Also: max, min
    """
    no_out(out, "ptp")
    return max(a, axis, keepdims=keepdims) - min(a, axis, keepdims=keepdims)


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
        "max": max,
        "min": min,
        "ptp": ptp,
        "cumsum": cumsum,
        "cumprod": cumprod,
    }
)
