"""The rule table of reductions: sums, products, extrema, moments, medians, cumulative ones.

``sum`` and ``mean`` themselves are in ``base``; the entries here test their NumPy options.
Extrema, medians and the standard deviation have kinks where values tie, so their arrays
hold well-separated values; ``prod`` and ``cumprod`` are polynomials, so they are also
tested with one zero and several zeros in a slice.
"""

import numpy
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fad.numpy as np
from fad.testing import strategies as fst


@st.composite
def reduced(draw, min_side=1, lo=-3.0, hi=3.0, distinct=False):
    """An array of 0 to 3 dimensions, an axis (None, an int, a tuple) and keepdims.

    With ``distinct``, the values are a shuffled grid with spacing 0.5: no two are close.
    """
    shape = draw(fst.shapes(min_dims=0, min_side=min_side))
    dtype = draw(fst.dtypes())
    if distinct:
        size = int(numpy.prod(shape))
        grid = numpy.asarray(draw(st.permutations(range(size))), dtype=float)
        x = ((grid - (size - 1) / 2) * 0.5 + 0.125).reshape(shape).astype(dtype)
    else:
        x = draw(fst.arrays(shape, dtype, lo=lo, hi=hi))
    ndim = x.ndim
    axis = draw(st.none() | (st.integers(-ndim, ndim - 1) if ndim else st.none()))
    if ndim >= 2 and draw(st.booleans()):
        axes = st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda a: a % ndim)
        axis = tuple(draw(axes))
    return x, axis, draw(st.booleans())


def slices(x, axis):
    """The axes reduced by ``axis``, as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(x.ndim))
    return tuple(a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))


def kept_first(x, axis, mask):
    """``mask`` with the first element of every slice cleared: no slice is masked whole."""
    first = numpy.ones(x.shape, bool)
    for a in slices(x, axis):
        first &= numpy.expand_dims(numpy.arange(x.shape[a]) == 0, tuple(i for i in range(x.ndim) if i != a))
    return mask & ~first


@st.composite
def masks(draw, x):
    return numpy.reshape(draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)), x.shape).astype(bool)


@st.composite
def sums_with_options(draw):
    x, axis, keepdims = draw(reduced())
    where = draw(st.none() | masks(x))
    dtype = draw(st.sampled_from([None, numpy.float64]))
    initial = draw(st.none() | st.just(1.5))
    return (lambda x: np.sum(x, axis, dtype, None, keepdims, initial, where)), (x,)


@st.composite
def means_with_options(draw):
    x, axis, keepdims = draw(reduced())
    where = ~kept_first(x, axis, ~draw(masks(x)))  # every slice keeps an element
    dtype = draw(st.sampled_from([None, numpy.float64]))
    return (lambda x: np.mean(x, axis, dtype, keepdims=keepdims, where=where)), (x,)


@st.composite
def products(draw, zeros=False):
    x, axis, keepdims = draw(reduced(min_side=0, lo=-2.0, hi=2.0))
    if zeros and x.size:
        flat = x.ravel()  # one zero, or several, at drawn places
        flat[draw(st.lists(st.integers(0, x.size - 1), min_size=1, max_size=3))] = 0.0
        x = flat.reshape(x.shape)
    return (lambda x: np.prod(x, axis, keepdims=keepdims)), (x,)


@st.composite
def cumulative(draw, f, zeros=False):
    x = draw(fst.arrays(fst.shapes(min_dims=0, min_side=0), fst.dtypes(), lo=-2.0, hi=2.0))
    axis = draw(st.none() | (st.integers(-x.ndim, x.ndim - 1) if x.ndim else st.none()))
    if zeros and x.size:
        flat = x.ravel()
        flat[draw(st.lists(st.integers(0, x.size - 1), min_size=1, max_size=3))] = 0.0
        x = flat.reshape(x.shape)
    return (lambda x: f(x, axis)), (x,)


@st.composite
def extrema(draw, f):
    x, axis, keepdims = draw(reduced(distinct=True))
    return (lambda x: f(x, axis, keepdims=keepdims)), (x,)


@st.composite
def moments(draw, f, distinct=False):
    x, axis, keepdims = draw(reduced(distinct=distinct))
    n = int(numpy.prod([x.shape[a] for a in slices(x, axis)]))
    ddof = draw(st.sampled_from([0, 1] if n > 1 else [0]))
    return (lambda x: f(x, axis, ddof=ddof, keepdims=keepdims)), (x,)


@st.composite
def averages(draw, weighted=True):
    x, axis, keepdims = draw(reduced())
    if not weighted:
        return (lambda x: np.average(x, axis, returned=True, keepdims=keepdims)), (x,)
    if axis is not None and draw(st.booleans()):  # weights along the reduced axes only
        shape = tuple(x.shape[a] for a in (axis if isinstance(axis, tuple) else (axis,)))
    else:
        shape = x.shape
    w = draw(fst.arrays(shape, x.dtype, lo=0.5, hi=2.0))
    if not keepdims and axis is not None and shape != x.shape:
        return (lambda x, w: np.average(x, axis, w)), (x, w)
    return (lambda x, w: np.average(x, axis, w, returned=True, keepdims=keepdims)), (x, w)


@st.composite
def nan_reductions(draw, f):
    x, axis, keepdims = draw(reduced())
    nan = kept_first(x, axis, draw(masks(x)))  # NaN at drawn places, never a whole slice
    return (lambda x: f(np.where(nan, numpy.nan, x), axis, keepdims=keepdims)), (x,)


@st.composite
def nan_extrema(draw, f):
    """``nanmax``/``nanmin`` on well-separated values with NaN at drawn places (never a whole slice)."""
    x, axis, keepdims = draw(reduced(distinct=True))
    nan = kept_first(x, axis, draw(masks(x)))
    return (lambda x: f(np.where(nan, numpy.nan, x), axis, keepdims=keepdims)), (x,)


@st.composite
def nan_cumulative(draw, f):
    f_, (x,) = draw(cumulative(f))
    nan = draw(masks(x))
    return (lambda x: f_(np.where(nan, numpy.nan, x))), (x,)


@st.composite
def quantiles(draw, f, scale=1.0, nan=False, traced_q=False):
    """Quantiles over an axis of well-separated values, ``q`` drawn off the positions of elements."""
    x, axis, keepdims = draw(reduced(distinct=True))
    method = draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    if traced_q:
        method = "linear"
    q = numpy.asarray(draw(st.lists(st.sampled_from([0.13, 0.37, 0.61, 0.87]), min_size=1, max_size=2))) * scale
    q = q if draw(st.booleans()) else q[0]
    mask = kept_first(x, axis, draw(masks(x))) if nan else numpy.zeros(x.shape, bool)
    if traced_q:
        return (lambda x, q: f(np.where(mask, numpy.nan, x), q, axis, keepdims=keepdims)), (x, q)
    return (lambda x: f(np.where(mask, numpy.nan, x), q, axis, method=method, keepdims=keepdims)), (x,)


@st.composite
def unwraps(draw, traced_period=False):
    """Phases with jumps well away from half a period, so the added multiples are locally constant."""
    x = draw(fst.arrays(fst.shapes(min_dims=1), numpy.float64, lo=-0.4, hi=0.4))
    jumps = draw(hnp.arrays(numpy.int8, x.shape, elements=st.sampled_from([-1, 0, 1, 2])))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    x = x + jumps * 2.0  # jumps of 2 per step, period 3: each is unwrapped by one period
    if traced_period:
        return (lambda x, period: np.unwrap(x, axis=axis, period=period)), (x, numpy.float64(3.0))
    return (lambda x: np.unwrap(x, axis=axis)), (x,)


@st.composite
def trapezoids(draw, spacing="dx"):
    y = draw(fst.arrays(fst.shapes(min_dims=1), fst.dtypes()))
    axis = draw(st.integers(-y.ndim, y.ndim - 1))
    if spacing == "dx":
        dx = draw(fst.arrays((), y.dtype, lo=0.5, hi=2.0))
        return (lambda y, dx: np.trapezoid(y, dx=dx, axis=axis)), (y, dx)
    shape = draw(st.sampled_from([(y.shape[axis],), y.shape]))
    x = draw(fst.arrays(shape, y.dtype))
    return (lambda y, x: np.trapezoid(y, x, axis=axis)), (y, x)


TABLE = {
    # sums and means (plain sum and mean are in base)
    "sum:dtype-initial-where": sums_with_options(),
    "mean:dtype-where": means_with_options(),
    "nansum": nan_reductions(np.nansum),
    "nanmean": nan_reductions(np.nanmean),
    "average": averages(weighted=False),
    "average:weights": averages(),
    # products, with zeros
    "prod": products(),
    "prod:zeros": products(zeros=True),
    "cumsum": cumulative(np.cumsum),
    "cumprod": cumulative(np.cumprod),
    "cumprod:zeros": cumulative(np.cumprod, zeros=True),
    # extrema and order statistics, on well-separated values
    "max": extrema(np.max),
    "min": extrema(np.min),
    "ptp": extrema(np.ptp),
    "median": extrema(np.median),
    # moments
    "var": moments(np.var),
    "std": moments(np.std, distinct=True),
    # NaN-ignoring ones
    "nanprod": nan_reductions(np.nanprod),
    "nanmax": nan_extrema(np.nanmax),
    "nanmin": nan_extrema(np.nanmin),
    "nancumsum": nan_cumulative(np.nancumsum),
    "nancumprod": nan_cumulative(np.nancumprod),
    # quantiles
    "quantile": quantiles(np.quantile),
    "quantile:traced-q": quantiles(np.quantile, traced_q=True),
    "percentile": quantiles(np.percentile, scale=100.0),
    "nanquantile": quantiles(np.nanquantile, nan=True),
    "nanpercentile": quantiles(np.nanpercentile, scale=100.0, nan=True, traced_q=True),
    # phases
    "unwrap": unwraps(),
    "unwrap:traced-period": unwraps(traced_period=True),
    # integration
    "trapezoid": trapezoids(),
    "trapezoid:x": trapezoids("x"),
}
