"""fad.scipy.special beyond the rule table: SciPy's values and dtypes, stability at large
inputs, special points, errors, and the import without SciPy."""

import subprocess
import sys

import numpy
import pytest

import fad
import fad.numpy as np

scipy_special = pytest.importorskip("scipy.special")
sp = pytest.importorskip("fad.scipy.special")

UNARY = {  # name: a point set on the function's domain
    "expit": [-30.0, -1.0, 0.0, 2.5, 30.0],
    "logit": [0.01, 0.3, 0.5, 0.99],
    "log_expit": [-50.0, -1.0, 0.0, 3.0, 50.0],
    "softplus": [-50.0, -1.0, 0.0, 3.0, 50.0],
    "erf": [-3.0, -0.5, 0.0, 1.0],
    "erfc": [-3.0, 0.0, 1.0, 5.0],
    "erfcx": [-2.0, 0.0, 1.0, 30.0],
    "erfinv": [-0.99, 0.0, 0.5],
    "erfcinv": [0.01, 1.0, 1.5],
    "ndtr": [-6.0, 0.0, 2.0],
    "ndtri": [0.001, 0.5, 0.9],
    "log_ndtr": [-40.0, -3.0, 0.0, 5.0],
    "gamma": [-1.5, 0.5, 3.0],
    "gammaln": [-1.5, 0.1, 1.0, 20.0],
    "digamma": [-1.5, 0.5, 4.0],
    "entr": [0.1, 0.5, 3.0],
    "i0": [-3.0, 0.0, 2.0],
    "i1": [-3.0, 0.0, 2.0],
    "i0e": [-3.0, 0.0, 20.0],
    "i1e": [-3.0, 0.0, 20.0],
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_values_and_dtypes_are_scipys(name, dtype):
    x = numpy.array(UNARY[name], dtype)
    want = numpy.logaddexp(0, x) if name == "softplus" else getattr(scipy_special, name)(x)
    got = getattr(sp, name)(x)
    assert got.dtype == want.dtype == dtype
    numpy.testing.assert_array_equal(got, want)
    g = fad.elementwise_grad(getattr(sp, name))(x)
    assert g.dtype == dtype and numpy.all(numpy.isfinite(g))


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_functions_scipy_computes_in_double_keep_the_dtype(dtype):
    x = numpy.array([1.5, 2.5], dtype)
    for got, want in [
        (sp.polygamma(2, x), scipy_special.polygamma(2, x)),
        (sp.multigammaln(x + 1, 3), scipy_special.multigammaln(x + 1, 3)),
        (sp.iv(2, x), scipy_special.iv(2, x)),
        (sp.ive(numpy.array([0, 1]), x), scipy_special.ive(numpy.array([0, 1]), x)),
    ]:
        assert got.dtype == dtype
        numpy.testing.assert_allclose(got, want, rtol=1e-6 if dtype == numpy.float32 else 1e-14)


# --------------------------------------------------------------------------------------
# logsumexp, softmax, log_softmax: SciPy's values, no overflow in values or gradients
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0, 1)}, {"b": numpy.array([1.0, 2.0, 0.5])},
     {"b": numpy.array([[1.0], [-3.0]]), "axis": 1, "return_sign": True}],
)  # fmt: skip
def test_logsumexp_agrees_with_scipy(kwargs):
    a = numpy.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
    want, got = scipy_special.logsumexp(a, **kwargs), sp.logsumexp(a, **kwargs)
    if kwargs.get("return_sign"):
        numpy.testing.assert_array_equal(got[1], want[1])
        want, got = want[0], got[0]
    assert numpy.shape(got) == numpy.shape(want)
    numpy.testing.assert_allclose(got, want, rtol=1e-14)


def test_logsumexp_of_a_negative_sum_is_nan_as_in_scipy():
    assert numpy.isnan(sp.logsumexp(numpy.array([1.0, 2.0]), b=numpy.array([1.0, -2.0])))


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_logsumexp_softmax_and_log_softmax_do_not_overflow(dtype):
    x = numpy.array([1e4, 1e4 - 1.0, -1e4], dtype)
    y, g = fad.value_and_grad(sp.logsumexp)(x)
    assert y.dtype == g.dtype == dtype
    numpy.testing.assert_allclose(y, scipy_special.logsumexp(x.astype(float)), rtol=1e-6)
    numpy.testing.assert_allclose(g, scipy_special.softmax(x.astype(float)), rtol=1e-6, atol=1e-30)
    for f in (sp.softmax, sp.log_softmax):
        numpy.testing.assert_allclose(f(x), getattr(scipy_special, f.__name__)(x.astype(float)), rtol=1e-6)
        jacobian = fad.jacobian(f)(x)
        assert jacobian.dtype == dtype and numpy.all(numpy.isfinite(jacobian))
    hessian = fad.hessian(sp.logsumexp)(x)
    p = scipy_special.softmax(x.astype(float))
    numpy.testing.assert_allclose(hessian, numpy.diag(p) - numpy.outer(p, p), atol=1e-6)


def test_logsumexp_of_masked_entries():
    x = numpy.array([0.0, -numpy.inf, 1.0])
    g = fad.grad(sp.logsumexp)(x)
    numpy.testing.assert_allclose(g, scipy_special.softmax(x))
    assert sp.logsumexp(numpy.array([-numpy.inf, -numpy.inf])) == -numpy.inf


def test_logsumexp_gradient_in_b():
    a, b = numpy.array([0.5, 1.0, 2.0]), numpy.array([1.0, 2.0, 3.0])
    gb = fad.grad(lambda b: sp.logsumexp(a, b=b))(b)
    numpy.testing.assert_allclose(gb, numpy.exp(a) / numpy.sum(b * numpy.exp(a)))


def test_softmax_over_an_axis_sums_to_one_and_its_gradient_to_zero():
    x = numpy.arange(6.0).reshape(2, 3)
    numpy.testing.assert_allclose(np.sum(sp.softmax(x, axis=1), axis=1), [1.0, 1.0])
    numpy.testing.assert_allclose(fad.grad(lambda x: np.sum(sp.softmax(x, axis=1)))(x), 0.0, atol=1e-15)


# --------------------------------------------------------------------------------------
# Special points, tails and higher derivatives
# --------------------------------------------------------------------------------------


def test_derivatives_chain_through_the_polygamma_family():
    x = 2.5
    assert fad.grad(sp.gammaln)(x) == pytest.approx(scipy_special.digamma(x), rel=1e-14)
    assert fad.grad(fad.grad(sp.gammaln))(x) == pytest.approx(scipy_special.polygamma(1, x), rel=1e-14)
    assert fad.grad(fad.grad(sp.digamma))(x) == pytest.approx(scipy_special.polygamma(2, x), rel=1e-14)
    assert fad.grad(lambda x: sp.polygamma(2, x))(x) == pytest.approx(scipy_special.polygamma(3, x), rel=1e-14)
    assert fad.grad(sp.gamma)(x) == pytest.approx(scipy_special.gamma(x) * scipy_special.digamma(x), rel=1e-14)


def test_bessel_derivatives_at_zero_are_finite():
    assert fad.grad(sp.i1)(0.0) == 0.5
    assert fad.grad(fad.grad(sp.i1))(0.0) == 0.0
    assert fad.grad(sp.i1e)(0.0) == 0.5
    assert fad.grad(sp.i0e)(0.0) == 0.0  # the mean of the one-sided derivatives, -1 and 1
    assert fad.grad(fad.grad(fad.grad(sp.i0)))(0.0) == 0.0
    assert fad.grad(fad.grad(sp.i0))(0.0) == 0.5


@pytest.mark.parametrize("x", [1e-200, numpy.finfo(float).tiny])  # SciPy's iv(2, x) is NaN at the second
def test_bessel_derivatives_at_tiny_arguments_do_not_cancel(x):
    assert fad.grad(fad.grad(sp.i1))(x) == pytest.approx(0.0, abs=1e-150)
    assert fad.grad(fad.grad(sp.i0))(x) == 0.5
    assert fad.grad(fad.grad(lambda x: sp.iv(3, 1e-100 + x)))(x) == pytest.approx(1e-100 / 8, rel=1e-12)  # x / 8


def test_tails_keep_their_accuracy():
    # log_ndtr'(x) = phi(x) / Phi(x) ~ -x in the lower tail; expit'(x) = expit(x) expit(-x) underflows late
    assert fad.grad(sp.log_ndtr)(-40.0) == pytest.approx(40.02496884720726, rel=1e-13)
    assert fad.grad(sp.log_ndtr)(numpy.float32(-20.0)) == pytest.approx(20.04975306852785, rel=1e-6)
    assert fad.grad(sp.expit)(40.0) == pytest.approx(numpy.exp(-40.0), rel=1e-12)
    assert fad.grad(sp.log_expit)(-800.0) == 1.0
    assert fad.grad(sp.softplus)(800.0) == 1.0
    assert fad.grad(sp.logit)(1 - 1e-12) == pytest.approx(1 / (1e-12 * (1 - 1e-12)), rel=1e-4)


def test_xlogy_and_xlog1py_at_x_zero():
    # the functions are 0 along x = 0, so their derivative in y is 0 there, even at y = 0
    assert fad.grad(lambda y: sp.xlogy(0.0, y))(0.0) == 0.0
    assert fad.grad(lambda y: sp.xlogy(0.0, y))(2.0) == 0.0
    assert fad.grad(lambda y: sp.xlog1py(0.0, y))(-1.0) == 0.0
    assert fad.grad(sp.xlogy)(0.0, 2.0) == pytest.approx(numpy.log(2.0))
    assert fad.grad(fad.grad(sp.xlogy, argnums=1))(0.0, 2.0) == pytest.approx(0.5)  # d2/dx dy = 1/y
    assert fad.grad(sp.xlog1py)(0.0, 2.0) == pytest.approx(numpy.log1p(2.0))


def test_huber_derivatives():
    gd, gr = fad.grad(sp.huber, argnums=(0, 1))(1.0, 3.0)
    assert (gd, gr) == (2.0, 1.0)
    gd, gr = fad.grad(sp.huber, argnums=(0, 1))(1.0, -0.5)
    assert (gd, gr) == (0.0, -0.5)


def test_gammainc_is_differentiable_in_x():
    a, x = 2.5, 1.5
    want = x ** (a - 1) * numpy.exp(-x) / scipy_special.gamma(a)
    assert fad.grad(lambda x: sp.gammainc(a, x))(x) == pytest.approx(want, rel=1e-13)
    assert fad.grad(lambda x: sp.gammaincc(a, x))(x) == pytest.approx(-want, rel=1e-13)


def test_multigammaln_is_a_sum_of_gammaln():
    a = numpy.array([2.0, 3.5])
    numpy.testing.assert_allclose(sp.multigammaln(a, 3), scipy_special.multigammaln(a, 3), rtol=1e-14)
    want = sum(scipy_special.digamma(a - j / 2) for j in range(3))
    numpy.testing.assert_allclose(fad.elementwise_grad(lambda a: sp.multigammaln(a, 3))(a), want, rtol=1e-14)


def test_gammasgn_has_no_derivative_and_runs_on_traced_values():
    assert fad.grad(lambda x: sp.gammasgn(x) * x)(-1.5) == scipy_special.gammasgn(-1.5)
    assert getattr(sp.gammasgn, "differentiable", True) is False


def test_the_tape_shows_the_special_functions():
    tape = fad.tape(lambda x: sp.erf(x) + sp.gammaln(x))(1.5)
    assert [entry.primitive.name for entry in tape.entries] == ["erf", "gammaln", "add"]


# --------------------------------------------------------------------------------------
# Errors, and fad without SciPy
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("f", [sp.polygamma, sp.iv, sp.ive, sp.jn, sp.yn])
def test_the_order_must_be_a_constant(f):
    with pytest.raises(TypeError, match=rf"{f.__name__}: fad has no derivative with respect to the order"):
        fad.grad(lambda n: f(n, 1.5))(1.0)


def test_errors_name_the_function():
    with pytest.raises(ValueError, match=r"multigammaln: needs d >= 0 and a > \(d - 1\) / 2"):
        sp.multigammaln(numpy.array([0.5, 2.0]), 3)
    with pytest.raises(TypeError, match=r"logsumexp supports real input only"):
        sp.logsumexp(numpy.array([1j]))


def test_fad_imports_without_scipy_and_fad_scipy_special_says_what_to_install():
    script = (
        "import sys; sys.modules['scipy'] = None\n"  # an import of scipy now fails, as if it were missing
        "import fad, fad.numpy, fad.numpy.fft, fad.scipy, fad.testing\n"
        "try:\n"
        "    import fad.scipy.special\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "pip install 'fad[scipy]'" in result.stdout, result.stdout + result.stderr


def test_scipy_special_ufuncs_on_traced_values_route_to_fad():
    import scipy.special

    assert fad.grad(lambda x: scipy.special.erf(x))(0.0) == pytest.approx(2 / numpy.sqrt(numpy.pi))
    assert fad.grad(lambda x: scipy.special.expit(x))(0.0) == pytest.approx(0.25)


# --------------------------------------------------------------------------------------
# The functions added for SciPy's breadth, and the derivatives at extreme arguments
# --------------------------------------------------------------------------------------


def test_new_functions_give_scipys_values():
    x = numpy.array([0.3, 1.7, 6.0])
    for got, want in [
        (sp.betainc(2.0, 3.5, x / 7), scipy_special.betainc(2.0, 3.5, x / 7)),
        (sp.rgamma(x - 2), scipy_special.rgamma(x - 2)),
        (sp.j0(x), scipy_special.j0(x)), (sp.j1(x), scipy_special.j1(x)),
        (sp.y0(x), scipy_special.y0(x)), (sp.y1(x), scipy_special.y1(x)),
        (sp.jn(3, x), scipy_special.jn(3, x)), (sp.yn(2, x), scipy_special.yn(2, x)),
        (sp.owens_t(x, 0.7), scipy_special.owens_t(x, 0.7)),
    ]:  # fmt: skip
        numpy.testing.assert_array_equal(got, want)


mpmath = pytest.importorskip("mpmath")


def _mp(f, *args, dps=60):
    with mpmath.workdps(dps):
        return float(f(*(mpmath.mpf(a) for a in args)))


def _at_dps(dps, f):
    with mpmath.workdps(dps):
        return +f()


def _d_gammainc_a(a, x):
    return mpmath.diff(lambda t: mpmath.gammainc(t, 0, x, regularized=True), a)


def _d_betainc(k):
    def d(a, b, x):
        f = lambda *v: mpmath.betainc(v[0], v[1], 0, v[2], regularized=True)  # noqa: E731
        return mpmath.diff(f, (a, b, x), tuple(int(i == k) for i in range(3)))

    return d


@pytest.mark.parametrize(("a", "b", "x"), [(2.0, 3.5, 0.2), (0.7, 1.3, 0.9), (5.0, 0.8, 0.97), (30.0, 40.0, 0.45)])
def test_betainc_derivatives_in_every_argument_agree_with_mpmath(a, b, x):
    got = fad.grad(sp.betainc, argnums=(0, 1, 2))(a, b, x)
    want = [_mp(_d_betainc(k), a, b, x, dps=30) for k in range(3)]
    numpy.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize(("a", "x"), [(0.5, 0.1), (2.3, 1.5), (2.3, 8.0), (10.0, 12.0), (0.8, 40.0)])
def test_gammainc_derivative_in_a_agrees_with_mpmath(a, x):
    want = _mp(_d_gammainc_a, a, x, dps=30)
    assert fad.grad(sp.gammainc)(a, x) == pytest.approx(want, rel=1e-9, abs=1e-14)
    assert fad.grad(sp.gammaincc)(a, x) == pytest.approx(-want, rel=1e-9, abs=1e-14)


def test_owens_t_and_rgamma_derivatives():
    h, a = 0.8, 1.7
    want = [_mp(lambda h, a: mpmath.diff(lambda t: mpmath.quad(
        lambda s: mpmath.exp(-t * t * (1 + s * s) / 2) / (1 + s * s), [0, a]) / (2 * mpmath.pi), h), h, a, dps=25),
        float(numpy.exp(-h * h * (1 + a * a) / 2) / (2 * numpy.pi * (1 + a * a)))]  # fmt: skip
    numpy.testing.assert_allclose(fad.grad(sp.owens_t, argnums=(0, 1))(h, a), want, rtol=1e-10)
    assert fad.grad(sp.rgamma)(-5.0) == -120.0  # the limit (-1)^n n! at a zero of 1/Gamma


# The derivatives at extreme arguments, against mpmath's (at 60 digits). Each row is
# (function, point, the derivative from mpmath); the tolerance is 1e-12 relative. Points
# where SciPy's own value is inaccurate (j0 at 1e10, whose argument reduction loses 7 digits)
# are left out: the rules are exact given the values.
EXTREMES = [
    (sp.i1e, 1e10, lambda x: mpmath.diff(lambda t: mpmath.besseli(1, t) * mpmath.exp(-t), x)),
    (sp.i1e, 1e15, lambda x: mpmath.diff(lambda t: mpmath.besseli(1, t) * mpmath.exp(-t), x)),
    (sp.i1e, -1e10, lambda x: mpmath.diff(lambda t: mpmath.besseli(1, t) * mpmath.exp(t), x)),
    (sp.i1e, 60.0, lambda x: mpmath.diff(lambda t: mpmath.besseli(1, t) * mpmath.exp(-t), x)),
    (sp.i1e, 45.0, lambda x: mpmath.diff(lambda t: mpmath.besseli(1, t) * mpmath.exp(-t), x)),
    (sp.i0e, 1e10, lambda x: mpmath.diff(lambda t: mpmath.besseli(0, t) * mpmath.exp(-t), x)),
    (sp.i0e, -1e15, lambda x: mpmath.diff(lambda t: mpmath.besseli(0, t) * mpmath.exp(t), x)),
    (sp.i0e, 50.0, lambda x: mpmath.diff(lambda t: mpmath.besseli(0, t) * mpmath.exp(-t), x)),
    (sp.i1, 1e-300, lambda x: mpmath.mpf(0.5)),
    (sp.i1, 700.0, lambda x: mpmath.besseli(0, x) - mpmath.besseli(1, x) / x),
    (sp.i0, 700.0, lambda x: mpmath.besseli(1, x)),
    (sp.erfcx, 1e5, lambda x: 2 * x * mpmath.exp(x * x) * mpmath.erfc(x) - 2 / mpmath.sqrt(mpmath.pi)),
    (sp.erfcx, 1e10, lambda x: 2 * x * mpmath.exp(x * x) * mpmath.erfc(x) - 2 / mpmath.sqrt(mpmath.pi)),
    (sp.erfcx, 1e150, lambda x: -1 / (mpmath.sqrt(mpmath.pi) * x * x)),
    (sp.erfcx, 31.0, lambda x: 2 * x * mpmath.exp(x * x) * mpmath.erfc(x) - 2 / mpmath.sqrt(mpmath.pi)),
    (sp.erfcx, -20.0, lambda x: 2 * x * mpmath.exp(x * x) * mpmath.erfc(x) - 2 / mpmath.sqrt(mpmath.pi)),
    (sp.log_ndtr, -1e5, lambda x: mpmath.npdf(x) / mpmath.ncdf(x)),
    (sp.log_ndtr, 30.0, lambda x: mpmath.npdf(x) / mpmath.ncdf(x)),
    (sp.ndtr, 30.0, lambda x: mpmath.npdf(x)),
    (sp.expit, 700.0, lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    (sp.log_expit, -700.0, lambda x: 1 / (1 + mpmath.exp(x))),
    (sp.softplus, 1e300, lambda x: 1 / (1 + mpmath.exp(-x))),
    (sp.gammaln, 1e100, lambda x: mpmath.digamma(x)),
    (sp.gammaln, 1e-300, lambda x: mpmath.digamma(x)),
    (sp.digamma, 1e-100, lambda x: mpmath.polygamma(1, x)),
    (sp.digamma, 1e100, lambda x: mpmath.polygamma(1, x)),
    (sp.rgamma, -30.0, lambda x: mpmath.diff(mpmath.rgamma, x)),
    (sp.rgamma, 150.0, lambda x: mpmath.diff(mpmath.rgamma, x)),
    (sp.j1, 1e-300, lambda x: mpmath.mpf(0.5)),
    (sp.jn, 1e-100, lambda x: 3 * x * x / 48),  # jn(3, x) ~ x^3 / 48
    (sp.y1, 1e-100, lambda x: mpmath.bessely(0, x) - mpmath.bessely(1, x) / x),
    (sp.entr, 1e300, lambda x: -mpmath.log(x) - 1),
    (sp.erfinv, 1 - 1e-15, lambda x: mpmath.sqrt(mpmath.pi) / 2 * mpmath.exp(mpmath.erfinv(x) ** 2)),
    (sp.ndtri, 1e-300, lambda x: _at_dps(400, lambda: 1 / mpmath.npdf(mpmath.sqrt(2) * mpmath.erfinv(2 * x - 1)))),
]


@pytest.mark.parametrize(("f", "x", "derivative"), EXTREMES, ids=lambda v: getattr(v, "name", None))
def test_derivatives_at_extreme_arguments_agree_with_mpmath(f, x, derivative):
    g = fad.grad(lambda x: f(3, x) if f is sp.jn else f(x))(x)
    want = _mp(derivative, x)
    assert g == pytest.approx(want, rel=1e-12, abs=0.0), (f, x, g, want)


def test_logsumexp_with_signed_b_and_return_sign_differentiates_in_a_and_b():
    a, b = numpy.array([0.5, 1.5, -0.3]), numpy.array([2.0, -0.5, 1.0])
    value, sign = sp.logsumexp(a, b=b, return_sign=True)
    want_value, want_sign = scipy_special.logsumexp(a, b=b, return_sign=True)
    assert value == pytest.approx(want_value, rel=1e-14) and sign == want_sign
    ga, gb = fad.grad(lambda a, b: sp.logsumexp(a, b=b, return_sign=True)[0], argnums=(0, 1))(a, b)
    s = numpy.sum(b * numpy.exp(a))  # d log|s| = ds / s
    numpy.testing.assert_allclose(ga, b * numpy.exp(a) / s, rtol=1e-13)
    numpy.testing.assert_allclose(gb, numpy.exp(a) / s, rtol=1e-13)
    fad.testing.check_grads(lambda a, b: sp.logsumexp(a, b=b, return_sign=True)[0], a, b)


def test_entropies_are_scipys_with_their_derivatives():
    x, y = numpy.array([0.2, 1.0, 3.0]), numpy.array([0.5, 2.0, 0.7])
    for f, d1, d2 in [
        ("rel_entr", numpy.log(x / y) + 1, -x / y),
        ("kl_div", numpy.log(x / y), 1 - x / y),
        ("xlog1py", numpy.log1p(y), x / (1 + y)),
    ]:
        numpy.testing.assert_array_equal(getattr(sp, f)(x, y), getattr(scipy_special, f)(x, y))
        g1, g2 = fad.elementwise_grad(getattr(sp, f), argnums=(0, 1))(x, y)
        numpy.testing.assert_allclose(g1, d1, rtol=1e-13)
        numpy.testing.assert_allclose(g2, d2, rtol=1e-13)
    numpy.testing.assert_allclose(fad.elementwise_grad(sp.entr)(x), -numpy.log(x) - 1, rtol=1e-13)
