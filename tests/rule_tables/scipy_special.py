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


def betaincs(count=12):
    """``betainc(a, b, x)`` in all three arguments, broadcasting, from ``count`` seeds (its
    shape-parameter rules are series, whose second-order checks are slow)."""

    def build(seed):
        rng = numpy.random.default_rng(seed)
        sa, sb, sx = [((), (), ()), ((2,), (), ()), ((), (2, 1), (3,)), ((1,), (2,), ())][seed % 4]
        return sp.betainc, (rng.uniform(0.7, 4.0, sa), rng.uniform(0.7, 4.0, sb), rng.uniform(0.1, 0.9, sx))

    return st.integers(0, count - 1).map(build)


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
