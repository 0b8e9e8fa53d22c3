"""The rule table of the special functions added for the SciPy breadth: the incomplete gamma and
beta functions in every argument (their shape-parameter rules are series), Bessel functions of
the first and second kind, rgamma and Owen's T (empty without SciPy)."""

import numpy
from hypothesis import strategies as st

from fad.testing import strategies as fst

from .common import binary, unary

try:
    import fad.scipy.special as sp
except ImportError:  # no SciPy: nothing to check
    sp = None



@st.composite
def incomplete_gammas(draw, f):
    """``f(a, x)`` in both arguments, a broadcasting pair."""
    sa, sx = draw(fst.broadcastable_shapes(max_dims=2, max_side=3))
    a, x = draw(fst.arrays(sa, numpy.float64, lo=0.5, hi=4.0)), draw(fst.arrays(sx, numpy.float64, lo=0.2, hi=6.0))
    return f, (a, x)


@st.composite
def betaincs(draw):
    """``betainc(a, b, x)`` in all three arguments, broadcasting."""
    sa, sb, sx = draw(fst.broadcastable_shapes(3, max_dims=2, max_side=3))
    a = draw(fst.arrays(sa, numpy.float64, lo=0.7, hi=4.0))
    b = draw(fst.arrays(sb, numpy.float64, lo=0.7, hi=4.0))
    x = draw(fst.arrays(sx, numpy.float64, lo=0.1, hi=0.9))
    return sp.betainc, (a, b, x)


@st.composite
def integer_orders(draw, f, lo):
    n = draw(st.integers(0, 3))
    x = draw(fst.arrays(fst.shapes(max_dims=2), fst.dtypes(), lo=lo, hi=8.0))
    return (lambda x: f(n, x)), (x,)


TABLE = (
    {}
    if sp is None
    else {
        "scipy.special.gammainc:a": incomplete_gammas(sp.gammainc),
        "scipy.special.gammaincc:a": incomplete_gammas(sp.gammaincc),
        "scipy.special.betainc": betaincs(),
        "scipy.special.rgamma": unary(sp.rgamma, lo=0.3, hi=5.0),
        "scipy.special.rgamma:negative": unary(sp.rgamma, lo=-0.8, hi=-0.2),
        "scipy.special.j0": unary(sp.j0, lo=-8.0, hi=8.0),
        "scipy.special.j1": unary(sp.j1, lo=-8.0, hi=8.0),
        "scipy.special.y0": unary(sp.y0, lo=0.5, hi=8.0),
        "scipy.special.y1": unary(sp.y1, lo=0.5, hi=8.0),
        "scipy.special.jn": integer_orders(sp.jn, -8.0),
        "scipy.special.yn": integer_orders(sp.yn, 0.8),
        "scipy.special.owens_t": binary(sp.owens_t, lo=-3.0, hi=3.0, lo2=-2.0, hi2=2.0),
    }
)
