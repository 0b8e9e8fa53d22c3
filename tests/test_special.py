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


def test_no_derivative_in_the_shape_parameter_of_gammainc():
    with pytest.raises(NotImplementedError, match=r"gammainc has no derivative rule with respect to a"):
        fad.grad(lambda a: sp.gammainc(a, 1.5))(2.0)
    with pytest.raises(NotImplementedError, match=r"gammaincc has no derivative rule with respect to a"):
        fad.grad(lambda a: sp.gammaincc(a, 1.5))(2.0)


@pytest.mark.parametrize("f", [sp.polygamma, sp.iv, sp.ive])
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
