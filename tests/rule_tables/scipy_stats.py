"""The rule table of fad.scipy.stats (empty without SciPy): every method of every distribution,
differentiated in every continuous argument at once (x, loc, scale and the shape parameters).

One entry per distribution draws the method; ``x`` is drawn as ``loc + scale * z`` with ``z``
inside the support, away from its ends and kinks, so the finite differences stay inside.
"""

import numpy
from hypothesis import strategies as st

from fad.testing import strategies as fst

try:
    import fad.scipy.stats as stats
except ImportError:  # no SciPy: nothing to check
    stats = None

F64 = numpy.float64
CONTINUOUS_METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "entropy")
DISCRETE_METHODS = ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf", "entropy")


def small(lo, hi, shape):
    return fst.arrays(shape, F64, lo=lo, hi=hi)


@st.composite
def continuous(draw, name, z_range, shape_ranges=(), avoid=None):
    """``dist.method(x, *shapes, loc=loc, scale=scale)`` with all of its arguments traced."""
    dist = getattr(stats, name)
    method = draw(st.sampled_from(CONTINUOUS_METHODS))
    sx, sp = draw(fst.broadcastable_shapes(max_dims=2, max_side=3))
    loc = draw(small(-1.0, 1.0, sp))
    scale = draw(small(0.5, 2.0, sp))
    params = [draw(small(lo, hi, sp)) for lo, hi in shape_ranges]
    domain = {"avoid": (avoid,), "min_distance": 0.2} if avoid is not None else {}
    z = draw(fst.arrays(sx, F64, lo=z_range[0], hi=z_range[1], **domain))
    x = numpy.asarray(loc + scale * z)
    if method == "entropy":
        return (lambda loc, scale, *s: dist.entropy(*s, loc=loc, scale=scale)), (loc, scale, *params)
    return (lambda x, loc, scale, *s: getattr(dist, method)(x, *s, loc=loc, scale=scale)), (x, loc, scale, *params)


def seeded_continuous(name, z_range, shape_ranges=(), count=14):
    """Like :func:`continuous`, from ``count`` seeds (the method cycles with the seed): for the
    families whose cumulative functions go through the incomplete gamma and beta series,
    whose second-order checks are slow."""

    def build(seed):
        rng = numpy.random.default_rng(seed)
        dist, method = getattr(stats, name), CONTINUOUS_METHODS[seed % len(CONTINUOUS_METHODS)]
        sx, sp = [((), ()), ((2,), ()), ((), (2,)), ((2, 1), (3,))][seed % 4]
        loc, scale = rng.uniform(-1, 1, sp), rng.uniform(0.5, 2.0, sp)
        params = [rng.uniform(lo, hi, sp) for lo, hi in shape_ranges]
        x = numpy.asarray(loc + scale * rng.uniform(*z_range, sx))
        if method == "entropy":
            return (lambda loc, scale, *s: dist.entropy(*s, loc=loc, scale=scale)), (loc, scale, *params)
        return (lambda x, loc, scale, *s: getattr(dist, method)(x, *s, loc=loc, scale=scale)), (x, loc, scale,
                                                                                                 *params)  # fmt: skip

    return st.integers(0, count - 1).map(build)


@st.composite
def discrete(draw, name, shape_ranges, integer_n=False, k_range=(0, 6)):
    """``dist.method(k, *params)`` with constant integers ``k`` and traced parameters (binom's ``n`` is constant)."""
    dist = getattr(stats, name)
    method = draw(st.sampled_from(DISCRETE_METHODS))
    sk, sp = draw(fst.broadcastable_shapes(max_dims=2, max_side=3))
    k = numpy.asarray(draw(st.lists(st.integers(*k_range), min_size=int(numpy.prod(sk)), max_size=int(numpy.prod(sk)))),
                      dtype=F64).reshape(sk)  # fmt: skip
    params = [draw(small(lo, hi, sp)) for lo, hi in shape_ranges]
    if integer_n:  # binom: n an integer constant, at least k
        n = numpy.float64(k_range[1] + draw(st.integers(0, 3)))
        if method == "entropy":
            return (lambda p: dist.entropy(n, p)), tuple(params)
        return (lambda p: getattr(dist, method)(k, n, p)), tuple(params)
    if method == "entropy":
        return dist.entropy, tuple(params)
    return (lambda *s: getattr(dist, method)(k, *s)), tuple(params)


@st.composite
def multivariate_normals(draw):
    """``logpdf``/``pdf`` in x, mean and a symmetric positive-definite cov (as its symmetric part), or ``entropy``."""
    d = draw(st.integers(1, 3))
    method = draw(st.sampled_from(("logpdf", "pdf", "entropy")))
    m = draw(st.sampled_from([(), (2,)]))
    x = draw(small(-2.0, 2.0, m + (d,)))
    mean = draw(small(-1.0, 1.0, (d,)))
    c = draw(small(-0.5, 0.5, (d, d)))
    cov = c @ c.T + numpy.eye(d)
    mvn = stats.multivariate_normal
    if method == "entropy":
        return (lambda cov: mvn.entropy(mean, (cov + cov.T) / 2)), (cov,)
    return (lambda x, mean, cov: getattr(mvn, method)(x, mean, (cov + cov.T) / 2)), (x, mean, cov)


@st.composite
def dirichlets(draw):
    """``logpdf`` at ``K - 1`` free components (the last is ``1 - sum``), or ``entropy``, in x and alpha."""
    k = draw(st.integers(2, 4))
    alpha = draw(small(0.5, 4.0, (k,)))
    if draw(st.booleans()):
        return stats.dirichlet.entropy, (alpha,)
    m = draw(st.integers(1, 2))
    w = draw(small(0.5, 1.5, (k, m))) + 0.37 * numpy.arange(k)[:, None]  # no point where the gradient is 0
    x = (w / w.sum(axis=0))[:-1]
    method = draw(st.sampled_from(("logpdf", "pdf")))
    return (lambda x, alpha: getattr(stats.dirichlet, method)(x, alpha)), (x, alpha)


TABLE = (
    {}
    if stats is None
    else {
        "scipy.stats.norm": continuous("norm", (-3.0, 3.0)),
        "scipy.stats.logistic": continuous("logistic", (-4.0, 4.0)),
        "scipy.stats.cauchy": continuous("cauchy", (-4.0, 4.0)),
        "scipy.stats.laplace": continuous("laplace", (-3.0, 3.0), avoid=0.0),
        "scipy.stats.expon": continuous("expon", (0.2, 4.0)),
        "scipy.stats.gamma": seeded_continuous("gamma", (0.3, 5.0), ((0.7, 4.0),)),
        "scipy.stats.chi2": seeded_continuous("chi2", (0.3, 6.0), ((1.5, 6.0),)),
        "scipy.stats.beta": seeded_continuous("beta", (0.15, 0.85), ((0.7, 4.0), (0.7, 4.0)), count=9),
        "scipy.stats.t": seeded_continuous("t", (0.2, 3.0), ((1.5, 8.0),)),
        "scipy.stats.t:negative": seeded_continuous("t", (-3.0, -0.2), ((1.5, 8.0),), count=7),
        "scipy.stats.poisson": discrete("poisson", ((0.5, 6.0),)),
        "scipy.stats.binom": discrete("binom", ((0.1, 0.9),), integer_n=True),
        "scipy.stats.nbinom": discrete("nbinom", ((0.7, 5.0), (0.15, 0.85))),
        "scipy.stats.geom": discrete("geom", ((0.1, 0.9),), k_range=(1, 6)),
        "scipy.stats.multivariate_normal": multivariate_normals(),
        "scipy.stats.dirichlet": dirichlets(),
    }
)
