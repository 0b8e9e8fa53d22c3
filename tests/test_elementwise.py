"""fad.numpy's elementwise functions: complex numbers, special points, dtypes, dispatch, methods.

The rule table (tests/rule_tables/elementwise.py) checks every derivative against finite
differences; these tests pin what it cannot: the complex convention (that of autograd
and JAX), the values fad gives where a derivative is infinite or a function has a kink,
dtypes, and that NumPy's own functions and ndarray methods reach fad's rules.
"""

import math
import pathlib
import re
import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fad
import fad.numpy as np
from fad.testing import check_grads
from fad.testing import strategies as fst

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_warnings():
    """No test here may warn: no division by zero, no invalid value, no complex cast."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --------------------------------------------------------------------------------------
# The complex convention: autograd's and JAX's
# --------------------------------------------------------------------------------------


def test_gradient_of_a_real_function_of_a_complex_number_is_df_dx_minus_i_df_dy():
    z = 3.0 + 4.0j
    assert fad.grad(lambda z: np.abs(z) ** 2)(z) == 6.0 - 8.0j  # 2 conj(z), as JAX and autograd give
    assert fad.grad(np.real)(z) == 1.0
    assert fad.grad(np.imag)(z) == -1.0j
    assert fad.grad(np.abs)(z) == pytest.approx((3.0 - 4.0j) / 5.0)
    assert fad.grad(np.angle)(1j) == pytest.approx(-1.0)  # d angle/dx = -y/|z|^2 = -1, d angle/dy = 0
    assert fad.grad(lambda z: np.real(np.conj(z) * z))(z) == 6.0 - 8.0j


def test_vjps_are_never_conjugated():
    c, z, ybar = 2.0 + 1.0j, numpy.array([0.5 - 1.0j, 1.5 + 0.25j]), numpy.array([1.0 - 2.0j, -0.5j])

    def vjp(f):
        return fad.pullback(f, z)[1](ybar)[0]

    assert numpy.allclose(vjp(lambda z: c * z), c * ybar)
    assert numpy.allclose(vjp(lambda z: z / c), ybar / c)
    assert numpy.allclose(vjp(np.conj), numpy.conj(ybar))
    holomorphic = {
        np.exp: numpy.exp, np.sin: lambda z: numpy.cos(z), np.log: lambda z: 1 / z,
        np.sqrt: lambda z: 0.5 / numpy.sqrt(z), np.tan: lambda z: 1 / numpy.cos(z) ** 2,
        np.arcsin: lambda z: 1 / numpy.sqrt(1 - z * z), np.arccosh: lambda z: 1 / numpy.sqrt(z * z - 1),
        np.reciprocal: lambda z: -1 / z**2, np.square: lambda z: 2 * z, np.expm1: numpy.exp,
    }  # fmt: skip
    for f, derivative in holomorphic.items():
        assert numpy.allclose(vjp(f), ybar * derivative(z)), f


def complex_functions():
    """Functions that take and give complex values, with a domain off their branch cuts."""
    right = {"lo": 0.3, "hi": 2.0}
    return st.sampled_from(
        [
            (np.exp, {}), (np.sin, {}), (np.cosh, {}), (np.square, {}), (np.sinc, {}), (np.conj, {}),
            (np.log, right), (np.sqrt, right), (np.log1p, right), (np.reciprocal, right), (np.arctanh, right),
            (np.arccosh, right), (lambda z: np.abs(z) * z, right), (lambda z: np.angle(z) + 1j * np.real(z), right),
        ]
    )  # fmt: skip


@given(complex_functions().flatmap(lambda fd: st.tuples(st.just(fd[0]), fst.arrays(dtype=numpy.complex128, **fd[1]))))
def test_complex_vjp_is_the_transpose_of_the_jvp_and_the_jvp_matches_finite_differences(case):
    f, z = case
    # forward mode does not depend on how cotangents are paired: check it directly
    check_grads(f, z, order=2, modes=("fwd",))
    # and the VJP is its transpose under <a, b> = Re(sum(a * b)), with no conjugate
    rng = numpy.random.default_rng(0)
    v = rng.normal(size=z.shape) + 1j * rng.normal(size=z.shape)
    y, back = fad.pullback(f, z)
    ybar = rng.normal(size=numpy.shape(y)) + 1j * rng.normal(size=numpy.shape(y))
    (zbar,) = back(ybar)
    ydot = fad.jvp(f)((z,), (v,))[1]
    assert numpy.sum(zbar * v).real == pytest.approx(numpy.sum(ybar * ydot).real, rel=1e-9, abs=1e-9)


def test_a_real_input_of_a_complex_operation_gets_a_real_cotangent():
    # the real input's cotangent is the real part: real(|z| * 1j) is 0 everywhere
    assert fad.grad(lambda z: np.real(np.abs(z) * 1j))(1.0 + 1.0j) == 0
    assert fad.grad(lambda x: np.real(np.exp(x * (1 + 2j))))(0.5) == pytest.approx(
        (numpy.exp(0.5 * (1 + 2j)) * (1 + 2j)).real
    )
    g = fad.grad(lambda x: np.abs(x * (1 + 2j)))(numpy.float32(1.0))
    assert type(g) is numpy.float32 and g == pytest.approx(math.sqrt(5))
    g = fad.grad(lambda x: np.sum(np.imag(np.add(x, numpy.array([1j, 2j])) ** 2)))(numpy.ones(2, numpy.float32))
    assert g.dtype == numpy.float32 and numpy.allclose(g, [2.0, 4.0])


def test_complex_dtypes_are_kept():
    z = numpy.array([1 + 1j, 2 - 1j], numpy.complex64)
    for f in (np.exp, np.sqrt, np.conj, np.sin, lambda z: z * z, lambda z: np.real(z) + 0j, lambda z: np.imag(z) * 1j):
        assert f(z).dtype == numpy.complex64
        assert fad.grad(lambda z: np.sum(np.abs(f(z))))(z).dtype == numpy.complex64
    assert np.real(z).dtype == np.abs(z).dtype == np.angle(z).dtype == numpy.float32


def test_box_real_and_imag():
    def f(z):
        return np.sum(z.real * 2.0 + z.imag * 3.0 + z.conj().imag + z.conjugate().real)

    assert numpy.allclose(fad.grad(f)(numpy.array([1 + 1j, 2.0 - 1j])), 3.0 - 2.0j)
    assert fad.grad(lambda x: x.real * x.imag + x.real)(2.0) == 1.0  # a real x has imaginary part 0


def test_the_complex_docs_run():
    text = (ROOT / "docs" / "complex.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/complex.md", "exec"), {})


# --------------------------------------------------------------------------------------
# Infinite derivatives, kinks and special points: no NaN, and documented values
# --------------------------------------------------------------------------------------


def test_infinite_derivatives_are_inf_and_zero_times_inf_is_zero():
    assert fad.grad(np.sqrt)(0.0) == math.inf
    assert fad.grad(np.cbrt)(0.0) == math.inf
    assert fad.grad(np.arcsin)(1.0) == math.inf and fad.grad(np.arccos)(1.0) == -math.inf
    assert fad.grad(np.arccosh)(1.0) == math.inf
    assert fad.grad(lambda x: x * np.sqrt(x))(0.0) == 0.0  # d(x^1.5)/dx = 0 at 0
    assert fad.grad(lambda x: np.where(x > 0, np.sqrt(x), 0.0))(0.0) == 0.0  # the masked branch gives no NaN
    assert fad.grad(lambda x: np.sum(x * np.cbrt(x) ** 2))(numpy.zeros(2)).tolist() == [0.0, 0.0]
    assert fad.jvp(np.sqrt)((numpy.array([0.0, 4.0]),), (numpy.array([0.0, 1.0]),))[1].tolist() == [0.0, 0.25]


def test_kinks_take_conventional_subgradients():
    assert fad.grad(np.abs)(0.0) == 0.0 and fad.grad(np.abs)(0j) == 0.0 and fad.grad(np.fabs)(0.0) == 0.0
    assert fad.grad(np.hypot, argnums=(0, 1))(0.0, 0.0) == (0.0, 0.0)
    assert fad.grad(np.arctan2, argnums=(0, 1))(0.0, 0.0) == (0.0, 0.0)
    assert fad.grad(np.angle)(0j) == 0.0
    assert fad.grad(np.fmax, argnums=(0, 1))(1.0, 1.0) == (0.5, 0.5)
    assert fad.grad(np.fmin, argnums=(0, 1))(1.0, 1.0) == (0.5, 0.5)


def test_clip_passes_the_cotangent_to_a_on_the_bounds_and_to_the_bound_taken_outside():
    clip3 = fad.grad(np.clip, argnums=(0, 1, 2))
    assert clip3(0.0, 0.0, 1.0) == (1.0, 0.0, 0.0)
    assert clip3(1.0, 0.0, 1.0) == (1.0, 0.0, 0.0)
    assert clip3(-1.0, 0.0, 1.0) == (0.0, 1.0, 0.0)
    assert clip3(2.0, 0.0, 1.0) == (0.0, 0.0, 1.0)
    assert clip3(0.5, 2.0, 1.0) == (0.0, 0.0, 1.0)  # a_min > a_max: numpy gives a_max
    x = numpy.array([-2.0, 0.0, 0.5, 3.0])
    assert fad.grad(lambda x: np.sum(np.clip(x, None, 0.5)))(x).tolist() == [1.0, 1.0, 1.0, 0.0]
    lo = numpy.zeros((2, 1))
    g = fad.grad(lambda lo: np.sum(np.clip(x, lo, 1.0)))(lo)
    assert g.shape == (2, 1) and g.tolist() == [[1.0], [1.0]]  # summed back to the bound's shape


def test_fmax_and_fmin_ignore_nan():
    x, y = numpy.array([1.0, numpy.nan, 2.0]), numpy.array([numpy.nan, 3.0, 1.0])
    gx, gy = fad.grad(lambda x, y: np.sum(np.fmax(x, y)), argnums=(0, 1))(x, y)
    assert gx.tolist() == [1.0, 0.0, 1.0] and gy.tolist() == [0.0, 1.0, 0.0]
    gx, gy = fad.grad(lambda x, y: np.sum(np.fmin(x, y)), argnums=(0, 1))(x, y)
    assert gx.tolist() == [1.0, 0.0, 0.0] and gy.tolist() == [0.0, 1.0, 1.0]


def test_nan_to_num_passes_finite_elements_only():
    x = numpy.array([1.0, numpy.nan, numpy.inf, -numpy.inf])
    y, back = fad.pullback(lambda x: np.nan_to_num(x, posinf=9.0), x)
    assert y.tolist() == [1.0, 0.0, 9.0, numpy.nan_to_num(-numpy.inf)]
    assert back(numpy.ones(4))[0].tolist() == [1.0, 0.0, 0.0, 0.0]
    z = numpy.array([complex(1, numpy.nan), complex(numpy.inf, 2)], numpy.complex64)
    y, back = fad.pullback(np.nan_to_num, z)
    assert y.dtype == numpy.complex64 and numpy.array_equal(y, numpy.nan_to_num(z))
    assert back(numpy.ones(2, numpy.complex64) * (1 + 1j))[0].tolist() == [1 + 0j, 1j]


def test_sinc_is_smooth_through_zero_to_any_order():
    d = fad.grad
    assert d(np.sinc)(0.0) == 0.0
    assert d(d(np.sinc))(0.0) == pytest.approx(-(math.pi**2) / 3)
    assert d(d(d(np.sinc)))(0.0) == 0.0
    assert d(d(d(d(np.sinc))))(0.0) == pytest.approx(math.pi**4 / 5)
    for n in range(1, 5):  # the series (|x| < 1/2) and the recurrence agree where they meet
        for dx in (1e-9, -1e-9):
            f = np.sinc
            for _ in range(n):
                f = fad.elementwise_grad(f)
            assert f(0.5 - dx) == pytest.approx(f(0.5 + dx), rel=1e-6)
    check_grads(np.sinc, numpy.array([0.0, 1e-4, 0.49, 0.51, 1.0, -2.5]), order=3)


def test_remainder_derivative_in_the_divisor_is_minus_the_floor_quotient():
    gx, gy = fad.grad(np.remainder, argnums=(0, 1))(7.5, 2.0)
    assert (gx, gy) == (1.0, -3.0)
    assert fad.grad(np.mod, argnums=1)(-7.5, 2.0) == 4.0  # floor(-3.75) = -4


# --------------------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------------------

UNARY = [
    "negative", "absolute", "fabs", "reciprocal", "square", "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2",
    "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
    "arctanh", "deg2rad", "rad2deg", "sinc", "nan_to_num", "real", "imag", "conj", "angle",
]  # fmt: skip
BINARY = ["add", "subtract", "multiply", "divide", "power", "fmax", "fmin", "logaddexp", "logaddexp2", "remainder",
          "arctan2", "hypot", "maximum", "minimum"]  # fmt: skip


@pytest.mark.parametrize("name", UNARY + BINARY + ["arccosh", "clip"])
@pytest.mark.parametrize("shape", [(), (3,)])
def test_float32_in_gives_float32_values_and_gradients(name, shape):
    f = getattr(np, name)
    if name in BINARY:
        f = lambda x, f=f: f(x, numpy.float32(0.75) * numpy.ones(shape, numpy.float32))  # noqa: E731
    elif name == "clip":
        f = lambda x: np.clip(x, 0.0, 1.0)  # noqa: E731
    x = numpy.full(shape, 1.25 if name == "arccosh" else 0.5, numpy.float32)
    assert numpy.asarray(f(x)).dtype == numpy.float32
    d = fad.elementwise_grad
    for g in (d(f), d(d(f))):
        assert numpy.asarray(g(x)).dtype == numpy.float32


def test_float_power_computes_in_double_precision_and_gives_float32_gradients():
    x = numpy.array([2.0, 3.0], numpy.float32)
    assert np.float_power(x, 2.0).dtype == numpy.float64
    g = fad.grad(lambda x: np.sum(np.float_power(x, 2.0)))(x)
    assert g.dtype == numpy.float32 and g.tolist() == [4.0, 6.0]
    assert np.float_power(x.astype(numpy.complex64), 2.0).dtype == numpy.complex128


# --------------------------------------------------------------------------------------
# NumPy's functions on traced values, and ndarray methods
# --------------------------------------------------------------------------------------

UFUNCS = [
    numpy.abs, numpy.absolute, numpy.fabs, numpy.reciprocal, numpy.square, numpy.sqrt, numpy.cbrt, numpy.exp2,
    numpy.expm1, numpy.log2, numpy.log10, numpy.log1p, numpy.tan, numpy.arcsin, numpy.arccos, numpy.arctan,
    numpy.sinh, numpy.cosh, numpy.arcsinh, numpy.arctanh, numpy.deg2rad, numpy.radians, numpy.rad2deg,
    numpy.degrees, numpy.conj, numpy.conjugate, numpy.negative, numpy.exp, numpy.log, numpy.sin, numpy.cos,
    numpy.tanh, numpy.real, numpy.imag, numpy.angle, numpy.sinc, numpy.nan_to_num,
]  # fmt: skip
BINARY_UFUNCS = [
    numpy.add, numpy.subtract, numpy.multiply, numpy.divide, numpy.true_divide, numpy.power, numpy.float_power,
    numpy.maximum, numpy.minimum, numpy.fmax, numpy.fmin, numpy.logaddexp, numpy.logaddexp2, numpy.remainder,
    numpy.mod, numpy.arctan2, numpy.hypot,
]  # fmt: skip
DISPATCHED = [(f, ()) for f in UFUNCS] + [(f, (numpy.array([0.5, 2.0]),)) for f in BINARY_UFUNCS]
DISPATCHED += [(numpy.clip, (0.0, 0.4)), (numpy.arccosh, ())]


@pytest.mark.parametrize("f, args", DISPATCHED, ids=lambda a: getattr(a, "__name__", ""))
def test_numpy_functions_on_traced_values_dispatch_to_fad(f, args):
    x = numpy.array([0.3, 0.6]) + (1.0 if f is numpy.arccosh else 0.0)
    same = getattr(np, f.__name__)  # numpy.abs is "absolute", numpy.mod "remainder", numpy.conj "conjugate"
    want = fad.grad(lambda x: np.sum(same(x, *args)))(x)
    assert numpy.allclose(fad.grad(lambda x: numpy.sum(f(x, *args)))(x), want)
    assert numpy.allclose(want, fad.jvp(lambda x: f(x, *args))((x,), (numpy.ones(2),))[1])


NO_DERIVATIVE = [
    (numpy.signbit, ()), (numpy.logical_xor, (True,)), (numpy.around, (1,)),
    (numpy.round, ()), (numpy.fix, ()), (numpy.iscomplex, ()), (numpy.isreal, ()), (numpy.floor_divide, (0.5,)),
    (numpy.floor, ()), (numpy.ceil, ()), (numpy.trunc, ()), (numpy.rint, ()), (numpy.sign, ()), (numpy.isnan, ()),
    (numpy.isinf, ()), (numpy.isfinite, ()), (numpy.greater, (0.0,)), (numpy.logical_not, ()),
]  # fmt: skip


@pytest.mark.parametrize("f, args", NO_DERIVATIVE, ids=lambda a: getattr(a, "__name__", ""))
def test_functions_with_no_derivative_run_on_traced_values(f, args):
    x = numpy.array([-1.26, 0.0, 2.5])

    def g(x):
        y = f(x, *args)
        assert not isinstance(y, fad.core.Traced)
        assert numpy.array_equal(y, f(numpy.array([-1.26, 0.0, 2.5]), *args))
        return np.sum(x * y)

    assert numpy.array_equal(fad.grad(g)(x), f(x, *args))
    assert getattr(np, f.__name__)(x, *args) is not None


def test_methods_of_traced_arrays():
    def f(x):
        return np.sum(x.clip(0.0, 1.0) + x.clip(min=0.5) + x.conj() + x.conjugate() + x.round(1) + abs(x) + -x)

    x = numpy.array([-0.5, 0.25, 0.75, 2.0])
    assert fad.grad(f)(x).tolist() == [0.0, 3.0, 4.0, 3.0]  # clip, clip, conj, conj, round 0, abs, -x


def test_clip_errors_name_the_function():
    with pytest.raises(TypeError, match=r"fad\.numpy\.clip.*out="):
        np.clip(numpy.ones(2), 0.0, 1.0, out=numpy.ones(2))
    with pytest.raises(TypeError, match=r"fad\.numpy\.clip.*once"):
        np.clip(numpy.ones(2), 0.0, 1.0, min=0.0)


@pytest.mark.parametrize(
    "p, first, second",
    [(0.5, numpy.inf, -numpy.inf), (1.5, 0.0, numpy.inf), (-1.0, -numpy.inf, numpy.inf), (0.0, 0.0, 0.0),
     (1.0, 1.0, 0.0), (2.0, 0.0, 2.0), (3, 0.0, 0.0), (2.5, 0.0, 0.0)],
)
def test_power_at_zero_gives_jax_values(p, first, second):
    """d/dx x ** p = p x ** (p - 1) at x = 0: infinite for p < 1 (as JAX), never an exception or NaN."""
    with numpy.errstate(divide="ignore"):  # the forward value 0 ** -1 warns in NumPy too
        assert fad.grad(lambda x: x**p)(0.0) == first
        assert fad.grad(lambda x: np.power(x, p))(numpy.float64(0.0)) == first
        assert fad.grad(fad.grad(lambda x: x**p))(0.0) == second
        assert fad.grad(lambda x, q: x**q)(0.0, float(p)) == first  # a traced exponent too


def test_heaviside_is_differentiable_in_its_value_at_zero_only():
    x = numpy.array([-1.0, 0.0, 2.0, 0.0])
    gx, gh = fad.grad(lambda x, h: np.sum(numpy.heaviside(x, h)), argnums=(0, 1))(x, 0.5)
    numpy.testing.assert_array_equal(gx, numpy.zeros(4))
    assert gh == 2.0
