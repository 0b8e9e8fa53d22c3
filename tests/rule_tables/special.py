"""The rule table of fad.scipy.special (empty when SciPy, an optional dependency, is missing).

Each function is drawn on its domain, away from poles and kinks; binary functions get
broadcasting pairs, and the reductions get every kind of ``axis``.
"""

import numpy
from hypothesis import strategies as st

from fad.testing import strategies as fst

from .common import binary, unary

try:
    import fad.scipy.special as sp
except ImportError:  # no SciPy: nothing to check
    sp = None

FLOATS = fst.dtypes("float64", "float32")


@st.composite
def axes(draw, x):
    """An ``axis`` argument for ``x``: None, an int, or a tuple of distinct axes."""
    ndim = x.ndim
    if ndim == 0:
        return None
    axis = draw(st.none() | st.integers(-ndim, ndim - 1))
    if ndim >= 2 and draw(st.booleans()):
        axis = tuple(sorted(draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=ndim))))
    return axis


@st.composite
def logsumexps(draw, lo=-5.0, hi=5.0, dtypes=FLOATS):
    """``logsumexp`` with ``axis``, ``keepdims``, and a constant or traced positive ``b``."""
    sa, sb = draw(fst.broadcastable_shapes())
    dtype = draw(dtypes)
    a = draw(fst.arrays(sa, dtype, lo=lo, hi=hi))
    keepdims = draw(st.booleans())
    kind = draw(st.sampled_from(["none", "constant", "traced"]))
    if kind == "none":
        axis = draw(axes(a))
        return (lambda a: sp.logsumexp(a, axis=axis, keepdims=keepdims)), (a,)
    b = draw(fst.arrays(sb, dtype, lo=0.2, hi=2.0))
    axis = draw(axes(numpy.empty(numpy.broadcast_shapes(sa, sb))))
    if kind == "constant":
        return (lambda a: sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)), (a,)
    return (lambda a, b: sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)), (a, b)


@st.composite
def softmaxes(draw, f):
    x = draw(fst.arrays(fst.shapes(), fst.dtypes(), lo=-5.0, hi=5.0))
    axis = draw(axes(x))
    return (lambda x: f(x, axis=axis)), (x,)


@st.composite
def polygammas(draw):
    x = draw(fst.arrays(fst.shapes(), fst.dtypes(), lo=0.5, hi=5.0))
    n = draw(st.integers(0, 3) | st.just(numpy.array([0, 2]).reshape((2,) + (1,) * x.ndim)))  # n broadcasts x
    return (lambda x: sp.polygamma(n, x)), (x,)


@st.composite
def bessels(draw, f):
    """``f(v, x)`` for a constant order ``v`` (an int, a half-integer, or an array); ``x > 0`` for
    non-integer orders, and away from 0, where the scaled functions have a kink."""
    v = draw(st.sampled_from([0, 1, 2, -1, 2.5, "array"]))
    x = draw(fst.arrays(fst.shapes(), fst.dtypes(), lo=-4.0 if v in (0, 1, 2, -1) else 0.2, hi=4.0, avoid=(0.0,),
                        min_distance=0.2))  # fmt: skip
    v = numpy.array([0.0, 1.5]).reshape((2,) + (1,) * x.ndim) if v == "array" else v  # v broadcasts x
    return (lambda x: f(v, x)), (x,)


@st.composite
def multigammalns(draw):
    d = draw(st.integers(0, 3))
    a = draw(fst.arrays(fst.shapes(), fst.dtypes(), lo=0.5 * (d - 1) + 0.3, hi=6.0))
    return (lambda a: sp.multigammaln(a, d)), (a,)


@st.composite
def incomplete_gammas(draw, f):
    """``f(a, x)`` differentiated in ``x`` only (``a`` has no rule), a broadcasting pair."""
    sa, sx = draw(fst.broadcastable_shapes())
    dtype = draw(fst.dtypes())
    a, x = draw(fst.arrays(sa, dtype, lo=0.5, hi=4.0)), draw(fst.arrays(sx, dtype, lo=0.2, hi=6.0))
    return (lambda x: f(a, x)), (x,)


@st.composite
def hubers(draw):
    """``huber(delta, r)`` with ``|r|`` at least 10% of ``delta`` away from its kinks at ``+-delta``."""
    sd, sr = draw(fst.broadcastable_shapes())
    dtype = draw(fst.dtypes())
    delta = draw(fst.arrays(sd, dtype, lo=0.5, hi=2.0))
    f = draw(fst.arrays(sr, dtype, lo=-1.5, hi=1.5))
    r = (delta * numpy.where(numpy.abs(f) < 0.75, f * 1.2, f + numpy.sign(f) * 0.35)).astype(dtype)
    return sp.huber, (delta, r)


TABLE = (
    {}
    if sp is None
    else {
        # logistic functions and softmax
        "scipy.special.logsumexp": logsumexps(),
        # float64 only: in float32 the rounding of 1000 is above the tolerance of the exact checks
        "scipy.special.logsumexp:large": logsumexps(lo=500.0, hi=1000.0, dtypes=fst.dtypes("float64")),
        "scipy.special.softmax": softmaxes(sp.softmax),
        "scipy.special.log_softmax": softmaxes(sp.log_softmax),
        "scipy.special.expit": unary(sp.expit, lo=-6.0, hi=6.0),
        "scipy.special.logit": unary(sp.logit, lo=0.05, hi=0.95),
        "scipy.special.log_expit": unary(sp.log_expit, lo=-10.0, hi=10.0),
        "scipy.special.softplus": unary(sp.softplus, lo=-10.0, hi=10.0),
        # error functions and the normal distribution
        "scipy.special.erf": unary(sp.erf, lo=-3.0, hi=3.0),
        "scipy.special.erfc": unary(sp.erfc, lo=-3.0, hi=3.0),
        "scipy.special.erfcx": unary(sp.erfcx, lo=-1.5, hi=5.0),
        "scipy.special.erfinv": unary(sp.erfinv, lo=-0.9, hi=0.9),
        "scipy.special.erfcinv": unary(sp.erfcinv, lo=0.1, hi=1.9),
        "scipy.special.ndtr": unary(sp.ndtr, lo=-5.0, hi=5.0),
        "scipy.special.ndtri": unary(sp.ndtri, lo=0.02, hi=0.98),
        "scipy.special.log_ndtr": unary(sp.log_ndtr, lo=-20.0, hi=5.0),
        # the gamma function and its relatives
        "scipy.special.gamma": unary(sp.gamma, lo=0.3, hi=4.0),
        "scipy.special.gamma:negative": unary(sp.gamma, lo=-0.8, hi=-0.2),
        "scipy.special.gammaln": unary(sp.gammaln, lo=0.2, hi=8.0),
        "scipy.special.digamma": unary(sp.digamma, lo=0.3, hi=6.0),
        "scipy.special.polygamma": polygammas(),
        "scipy.special.multigammaln": multigammalns(),
        "scipy.special.beta": binary(sp.beta, lo=0.3, hi=4.0),
        "scipy.special.betaln": binary(sp.betaln, lo=0.3, hi=4.0),
        "scipy.special.gammainc": incomplete_gammas(sp.gammainc),
        "scipy.special.gammaincc": incomplete_gammas(sp.gammaincc),
        # entropies and robust losses
        "scipy.special.xlogy": binary(sp.xlogy, lo=-3.0, hi=3.0, lo2=0.2, hi2=5.0),
        "scipy.special.xlog1py": binary(sp.xlog1py, lo=-3.0, hi=3.0, lo2=-0.8, hi2=4.0),
        "scipy.special.entr": unary(sp.entr, lo=0.1, hi=5.0),
        "scipy.special.rel_entr": binary(sp.rel_entr, lo=0.1, hi=5.0),
        "scipy.special.kl_div": binary(sp.kl_div, lo=0.1, hi=5.0),
        "scipy.special.huber": hubers(),
        "scipy.special.pseudo_huber": binary(sp.pseudo_huber, lo=0.5, hi=2.0, lo2=-3.0, hi2=3.0),
        # modified Bessel functions (the scaled ones have a kink at 0)
        "scipy.special.i0": unary(sp.i0, lo=-4.0, hi=4.0),
        "scipy.special.i1": unary(sp.i1, lo=-4.0, hi=4.0),
        "scipy.special.i0e": unary(sp.i0e, lo=-4.0, hi=4.0, avoid=(0.0,), min_distance=0.2),
        "scipy.special.i1e": unary(sp.i1e, lo=-4.0, hi=4.0, avoid=(0.0,), min_distance=0.2),
        "scipy.special.iv": bessels(sp.iv),
        "scipy.special.ive": bessels(sp.ive),
    }
)
