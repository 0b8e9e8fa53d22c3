"""fad.scipy.stats beyond the rule table: SciPy's values on drawn inputs (every method of every
distribution), the Hessian of the multivariate normal, the edges of the supports, and errors."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fad
from fad.testing import strategies as fst

scipy_stats = pytest.importorskip("scipy.stats")
stats = pytest.importorskip("fad.scipy.stats")

CONTINUOUS = {  # name: (the standardized support to draw from, the shape parameters' ranges)
    "norm": ((-6.0, 6.0), ()),
    "logistic": ((-30.0, 30.0), ()),
    "cauchy": ((-50.0, 50.0), ()),
    "laplace": ((-20.0, 20.0), ()),
    "expon": ((0.0, 30.0), ()),
    "gamma": ((0.01, 30.0), ((0.3, 20.0),)),
    "chi2": ((0.01, 40.0), ((0.5, 20.0),)),
    "beta": ((0.001, 0.999), ((0.3, 8.0), (0.3, 8.0))),
    "t": ((-20.0, 20.0), ((0.5, 30.0),)),
}
DISCRETE = {"poisson": ((0.1, 20.0),), "binom": ((0.05, 0.95),), "nbinom": ((0.3, 10.0), (0.05, 0.95)),
            "geom": ((0.05, 0.95),)}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
@settings(max_examples=10)
@given(data=st.data())
def test_continuous_values_are_scipys(name, data):
    (lo, hi), shape_ranges = CONTINUOUS[name]
    sx, sp = data.draw(fst.broadcastable_shapes(max_dims=2))
    z = data.draw(fst.arrays(sx, numpy.float64, lo=lo, hi=hi))
    loc = data.draw(fst.arrays(sp, numpy.float64, lo=-2.0, hi=2.0))
    scale = data.draw(fst.arrays(sp, numpy.float64, lo=0.2, hi=3.0))
    params = [data.draw(fst.arrays(sp, numpy.float64, lo=a, hi=b)) for a, b in shape_ranges]
    x = loc + scale * z
    for method in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"):
        got = getattr(getattr(stats, name), method)(x, *params, loc=loc, scale=scale)
        want = getattr(getattr(scipy_stats, name), method)(x, *params, loc=loc, scale=scale)
        # a log near 0 is compared absolutely: SciPy's log(cdf) there has a relative error of eps / |log|
        atol = 1e-14 if method.startswith("log") else 1e-300
        numpy.testing.assert_allclose(got, want, rtol=1e-8, atol=atol, err_msg=f"{name}.{method}")
    numpy.testing.assert_allclose(getattr(stats, name).entropy(*params, loc=loc, scale=scale),
                                  getattr(scipy_stats, name).entropy(*params, loc=loc, scale=scale), rtol=1e-10)


@pytest.mark.parametrize("name", sorted(DISCRETE))
@settings(max_examples=10)
@given(data=st.data())
def test_discrete_values_are_scipys(name, data):
    sk, sp = data.draw(fst.broadcastable_shapes(max_dims=2))
    k = numpy.asarray(data.draw(st.lists(st.integers(-1, 25), min_size=int(numpy.prod(sk)),
                                         max_size=int(numpy.prod(sk))))).reshape(sk)  # fmt: skip
    params = [data.draw(fst.arrays(sp, numpy.float64, lo=a, hi=b)) for a, b in DISCRETE[name]]
    if name == "binom":
        params = [numpy.float64(data.draw(st.integers(0, 20)))] + params
    for method in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"):
        got = getattr(getattr(stats, name), method)(k, *params)
        want = getattr(getattr(scipy_stats, name), method)(k, *params)
        # a log near 0 is compared absolutely: SciPy's log(cdf) there has a relative error of eps / |log|
        atol = 1e-14 if method.startswith("log") else 1e-300
        numpy.testing.assert_allclose(got, want, rtol=1e-8, atol=atol, err_msg=f"{name}.{method}")
    # SciPy stops its sum earlier for long tails (nbinom with small n and p): 1e-9 apart there, fad the closer
    numpy.testing.assert_allclose(getattr(stats, name).entropy(*params), getattr(scipy_stats, name).entropy(*params),
                                  rtol=1e-8, atol=1e-14)  # fmt: skip


@settings(max_examples=10)
@given(st.integers(1, 4), st.sampled_from([(), (3,), (2, 2)]), st.integers(0, 2**31 - 1))
def test_multivariate_normal_and_dirichlet_values_are_scipys(d, batch, seed):
    rng = numpy.random.default_rng(seed)
    c = rng.normal(size=(d, d))
    cov, mean = c @ c.T + 0.5 * numpy.eye(d), rng.normal(size=d)
    x = rng.normal(size=batch + (d,))
    mvn, ref = stats.multivariate_normal, scipy_stats.multivariate_normal
    numpy.testing.assert_allclose(mvn.logpdf(x, mean, cov), ref.logpdf(x, mean, cov), rtol=1e-10)
    numpy.testing.assert_allclose(mvn.pdf(x, mean, cov), ref.pdf(x, mean, cov), rtol=1e-10)
    numpy.testing.assert_allclose(mvn.entropy(mean, cov), ref.entropy(mean, cov), rtol=1e-12)
    numpy.testing.assert_allclose(mvn.logpdf(x, mean, 2.5), ref.logpdf(x, mean, 2.5), rtol=1e-10)
    numpy.testing.assert_allclose(mvn.logpdf(x, mean, numpy.diag(cov)), ref.logpdf(x, mean, numpy.diag(cov)),
                                  rtol=1e-10)  # fmt: skip
    alpha = rng.uniform(0.3, 5.0, d + 1)
    xs = rng.dirichlet(alpha, size=3).T
    want = scipy_stats.dirichlet.logpdf(xs, alpha)
    numpy.testing.assert_allclose(stats.dirichlet.logpdf(xs, alpha), want, rtol=1e-10)
    numpy.testing.assert_allclose(stats.dirichlet.entropy(alpha), scipy_stats.dirichlet.entropy(alpha), rtol=1e-10)


def test_multivariate_normal_one_dimensional_readings_are_scipys():
    mvn, ref = stats.multivariate_normal, scipy_stats.multivariate_normal
    for x, mean, cov in [(0.3, 0.1, 2.0), ([0.3, 0.5, -1.0], 0.1, 2.0), ([0.3, 0.5], [0.0, 1.0], [1.0, 2.0])]:
        numpy.testing.assert_allclose(mvn.logpdf(x, mean, cov), ref.logpdf(x, mean, cov), rtol=1e-12)
        assert numpy.shape(mvn.logpdf(x, mean, cov)) == numpy.shape(ref.logpdf(x, mean, cov))


def test_hvp_through_multivariate_normal_logpdf_in_x_mean_and_cov():
    rng = numpy.random.default_rng(0)
    d = 3
    c = rng.normal(size=(d, d))
    params = (rng.normal(size=(2, d)), rng.normal(size=d), c @ c.T + numpy.eye(d))

    def f(p):
        x, mean, cov = p
        return fad.numpy.sum(stats.multivariate_normal.logpdf(x, mean, (cov + cov.T) / 2))

    v = tuple(rng.normal(size=numpy.shape(p)) for p in params)
    got = fad.hvp(f)(params, v)
    h = 1e-5  # central differences of the gradient
    plus = fad.grad(f)(tuple(p + h * w for p, w in zip(params, v)))
    minus = fad.grad(f)(tuple(p - h * w for p, w in zip(params, v)))
    for g, a, b in zip(got, plus, minus):
        numpy.testing.assert_allclose(g, (a - b) / (2 * h), rtol=1e-6, atol=1e-8)
    fad.testing.check_grads(lambda x, m, cov: stats.multivariate_normal.logpdf(x, m, (cov + cov.T) / 2), *params)


def test_every_continuous_argument_is_differentiable():
    g = fad.grad(lambda x, a, loc, scale: stats.gamma.cdf(x, a, loc=loc, scale=scale), argnums=(0, 1, 2, 3))
    assert all(numpy.isfinite(v) and v != 0 for v in g(2.0, 1.5, 0.1, 1.3))
    g = fad.grad(lambda x, a, b: stats.beta.logcdf(x, a, b), argnums=(0, 1, 2))(0.3, 2.0, 3.0)
    h = 1e-6
    fd = (scipy_stats.beta.logcdf(0.3, 2.0 + h, 3.0) - scipy_stats.beta.logcdf(0.3, 2.0 - h, 3.0)) / (2 * h)
    assert g[1] == pytest.approx(fd, rel=1e-6)
    g = fad.grad(lambda df: stats.t.sf(1.5, df))(4.0)
    fd = (scipy_stats.t.sf(1.5, 4.0 + h) - scipy_stats.t.sf(1.5, 4.0 - h)) / (2 * h)
    assert g == pytest.approx(fd, rel=1e-6)


def test_outside_the_support_and_invalid_parameters_are_scipys_with_zero_derivative():
    x = numpy.array([-1.0, 0.5, 2.0])
    for method, want in [("logpdf", scipy_stats.beta.logpdf(x, 2.0, 3.0)), ("cdf", scipy_stats.beta.cdf(x, 2.0, 3.0)),
                         ("logsf", scipy_stats.beta.logsf(x, 2.0, 3.0))]:  # fmt: skip
        numpy.testing.assert_allclose(getattr(stats.beta, method)(x, 2.0, 3.0), want)
    g = fad.elementwise_grad(lambda x: stats.gamma.logpdf(x, 2.0))(numpy.array([-1.0, 1.0]))
    numpy.testing.assert_allclose(g, [0.0, 0.0])  # outside: 0; at x = 1: (a - 1) / x - 1 = 0
    assert numpy.isnan(stats.norm.logpdf(0.0, scale=-1.0)) and numpy.isnan(scipy_stats.norm.logpdf(0.0, scale=-1.0))
    assert stats.poisson.logpmf(2.5, 3.0) == -numpy.inf


def test_frozen_distributions_are_scipys():
    import copy

    x = numpy.array([0.3, 1.7])
    for frozen, want in [(stats.norm(1.0, 2.0), scipy_stats.norm(1.0, 2.0)),
                         (stats.gamma(2.0, scale=1.5), scipy_stats.gamma(2.0, scale=1.5)),
                         (stats.beta(a=2.0, b=3.0, scale=2.0), scipy_stats.beta(a=2.0, b=3.0, scale=2.0))]:  # fmt: skip
        for method in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"):
            numpy.testing.assert_allclose(getattr(frozen, method)(x), getattr(want, method)(x), rtol=1e-12)
        assert frozen.entropy() == pytest.approx(want.entropy(), rel=1e-12)
    numpy.testing.assert_allclose(stats.poisson(3.0).logpmf([1, 2]), scipy_stats.poisson(3.0).logpmf([1, 2]))
    assert copy.deepcopy(stats.norm(0.0, 1.0)).cdf(0.0) == 0.5
    assert fad.grad(lambda s: stats.norm(0.0, s).logpdf(1.0))(2.0) == pytest.approx(1 / 8 - 1 / 2)


def test_errors_say_what_to_do():
    with pytest.raises(NotImplementedError, match=r"multivariate_normal.logpdf: allow_singular=True is not supported"):
        stats.multivariate_normal.logpdf(numpy.zeros(2), None, numpy.eye(2), allow_singular=True)
    with pytest.raises(numpy.linalg.LinAlgError, match=r"cov is not positive definite"):
        stats.multivariate_normal.logpdf(numpy.zeros(2), None, numpy.zeros((2, 2)))
    with pytest.raises(TypeError, match=r"poisson.logpmf: k and loc are integers, with no derivative"):
        fad.grad(lambda k: stats.poisson.logpmf(k, 2.0))(1.0)
    with pytest.raises(TypeError, match=r"gamma.logpdf: missing shape parameter"):
        stats.gamma.logpdf(1.0)
    with pytest.raises(ValueError, match=r"dirichlet.logpdf: each x must lie in the open simplex"):
        stats.dirichlet.logpdf(numpy.array([0.5, 0.6]), numpy.ones(2))


def test_fad_does_not_import_scipy():
    import subprocess
    import sys

    script = "import sys, fad, fad.numpy; print(any(m.startswith(('scipy', 'fad.scipy.')) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip() \
        == "False"  # fmt: skip
