"""Reductions beyond the rule table: zeros, ties, NaN, empty and 0-d arrays, dtypes, dispatch, errors.

The table (rule_tables/reductions.py) checks every reduction against finite differences
where it is smooth; here are the points where it is not, or where NumPy's semantics need
a closer look, each against a closed form or NumPy itself.
"""

import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fad
import fad.numpy as np
from fad.testing import check_grads
from fad.testing import strategies as fst

NAMES = ["sum", "mean", "prod", "var", "std", "max", "amax", "min", "amin", "ptp", "median",
         "nansum", "nanmean", "average", "cumsum", "cumprod"]  # fmt: skip
TRAPEZOID = "trapezoid" if hasattr(numpy, "trapezoid") else "trapz"


def others(x):
    """Closed form: the product of the other elements, by brute force."""
    return numpy.array([numpy.prod(numpy.delete(x, i)) for i in range(x.size)])


def others2(x):
    """Closed form: the Hessian of prod, the product of all elements but i and j (0 on the diagonal)."""
    n = x.size
    return numpy.array([[0.0 if i == j else numpy.prod(numpy.delete(x, [i, j])) for j in range(n)] for i in range(n)])


# --------------------------------------------------------------------------------------
# prod and cumprod with zeros, to second order
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x",
    [[2.0, 3.0, 5.0, 7.0], [2.0, 0.0, 5.0, 7.0], [0.0, 3.0, 0.0, 7.0], [0.0, 0.0, 0.0, 7.0], [0.0], [0.0, 0.0]],
    ids=["no zero", "one zero", "two zeros", "three zeros", "only a zero", "only zeros"],
)
def test_prod_with_zeros_first_and_second_order(x):
    x = numpy.array(x)
    numpy.testing.assert_allclose(fad.grad(np.prod)(x), others(x))
    numpy.testing.assert_allclose(fad.hessian(np.prod)(x), others2(x), atol=1e-12)
    numpy.testing.assert_allclose(fad.jvp(fad.grad(np.prod))((x,), (numpy.ones_like(x),))[1], others2(x).sum(1))
    check_grads(np.prod, x, order=3)


def test_prod_with_zeros_along_axes_and_keepdims():
    x = numpy.array([[[1.5, 0.0, 2.0], [-0.5, 1.25, 0.0]], [[0.0, 0.0, 0.75], [2.0, -1.5, 0.5]]])
    for axis in [0, 1, 2, -1, (0, 2), (1, 2), None]:
        want = numpy.zeros_like(x)  # d prod(slice) / dx_i: the slice's product with x_i set to 1
        for i in numpy.ndindex(x.shape):
            one = x.copy()
            one[i] = 1.0
            want[i] = numpy.broadcast_to(numpy.prod(one, axis=axis, keepdims=True), x.shape)[i]
        for keepdims in (False, True):
            f = lambda x: np.prod(x, axis=axis, keepdims=keepdims)  # noqa: E731
            numpy.testing.assert_allclose(fad.grad(lambda x: np.sum(f(x)))(x), want)
            check_grads(f, x)


def test_prod_of_tiny_and_huge_values_has_an_accurate_second_derivative():
    # d(y / x)/dx would be a difference of two numbers of size 1e24 here; the scan has none
    x = numpy.array([1e-12, 3.0])
    numpy.testing.assert_allclose(fad.hessian(np.prod)(x), [[0.0, 1.0], [1.0, 0.0]], atol=1e-15)
    assert fad.grad(fad.grad(np.prod))(numpy.array(1e-12)) == 0.0


def test_cumprod_with_zeros_first_and_second_order():
    for x in ([2.0, 0.0, 5.0, 3.0], [0.0, 2.0, 0.0, 3.0], [2.0, 3.0, 5.0, 0.0], [0.0]):
        x = numpy.array(x)
        n = x.size
        jac = numpy.array([[numpy.prod(numpy.delete(x[: k + 1], i)) if i <= k else 0.0 for i in range(n)]
                           for k in range(n)])  # fmt: skip
        numpy.testing.assert_allclose(fad.jacobian(np.cumprod)(x), jac)
        hess = numpy.array([[[numpy.prod(numpy.delete(x[: k + 1], [i, j])) if i != j and max(i, j) <= k else 0.0
                              for j in range(n)] for i in range(n)] for k in range(n)])  # fmt: skip
        numpy.testing.assert_allclose(fad.jacobian(fad.jacobian(np.cumprod))(x), hess, atol=1e-12)
        check_grads(lambda x: np.cumprod(x), x, order=3)


def test_cumprod_with_zeros_along_an_axis():
    x = numpy.array([[1.0, 0.0, 2.0], [0.0, 3.0, 4.0], [5.0, 6.0, 0.0]])
    for axis in (0, 1, -1, None):
        check_grads(lambda x: np.cumprod(x, axis=axis), x, order=2)


# --------------------------------------------------------------------------------------
# Ties: max, min and median share the gradient equally
# --------------------------------------------------------------------------------------


def test_max_and_min_ties_share_the_gradient():
    x = numpy.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    numpy.testing.assert_array_equal(fad.grad(np.max)(x), [[0, 0.5, 0.5], [0, 0, 0]])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(np.max(x, axis=1)))(x), [[0, 0.5, 0.5], [1 / 3] * 3])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(np.min(x, axis=0)))(x), [[1, 0, 0], [0, 1, 1]])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(np.amin(x, axis=1, keepdims=True)))(x),
                                     [[1, 0, 0], [1 / 3] * 3])  # fmt: skip
    # forward mode: the tangent of the maximum is the mean of the tangents of the tied elements
    assert fad.jvp(np.max)((x,), (numpy.array([[0.0, 1.0, 3.0], [0.0, 0.0, 0.0]]),))[1] == 2.0


def test_max_with_initial_and_where():
    x = numpy.array([[1.0, 5.0, 3.0], [2.0, 0.0, 4.0]])
    where = numpy.array([True, False, True])
    assert np.max(x, initial=10.0) == 10.0
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.max(x, initial=10.0))(x), numpy.zeros((2, 3)))
    numpy.testing.assert_array_equal(np.max(x, axis=1, initial=-1.0, where=where), [3.0, 4.0])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(np.max(x, axis=1, initial=-1.0, where=where)))(x),
                                     [[0, 0, 1], [0, 0, 1]])  # fmt: skip
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.min(x, initial=1.0))(x), [[0, 0, 0], [0, 1, 0]])


def test_ptp_ties():
    numpy.testing.assert_array_equal(fad.grad(np.ptp)(numpy.array([1.0, 1.0, 3.0])), [-0.5, -0.5, 1.0])


@pytest.mark.parametrize(
    "x, want",
    [
        ([3.0, 1.0, 2.0], [0, 0, 1]),  # odd: the middle element
        ([4.0, 1.0, 3.0, 2.0], [0, 0, 0.5, 0.5]),  # even: half to each middle element
        ([2.0, 1.0, 2.0], [0.5, 0, 0.5]),  # a tie at the middle shares its part
        ([1.0, 2.0, 2.0, 2.0], [0, 1 / 3, 1 / 3, 1 / 3]),  # both middle elements tied with a third
        ([5.0, 5.0], [0.5, 0.5]),
        ([7.0], [1.0]),
    ],
)
def test_median_gradient(x, want):
    x = numpy.array(x)
    assert np.median(x) == numpy.median(x)
    numpy.testing.assert_allclose(fad.grad(np.median)(x), want)


def test_median_along_axes_matches_numpy_and_nan_propagates():
    x = numpy.arange(24.0)[::-1].reshape(2, 3, 4) % 7
    for axis in (None, 0, 1, -1, (0, 2), [1, 2]):
        for keepdims in (False, True):
            numpy.testing.assert_array_equal(np.median(x, axis, keepdims=keepdims),
                                             numpy.median(x, axis, keepdims=keepdims))  # fmt: skip
    y = numpy.array([1.0, numpy.nan, 3.0])
    assert numpy.isnan(np.median(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert numpy.all(numpy.isfinite(fad.grad(np.median)(y)))


# --------------------------------------------------------------------------------------
# NaN-safe gradients: std where the variance is 0, nansum and nanmean
# --------------------------------------------------------------------------------------


def test_std_gradient_is_zero_where_the_variance_is_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numpy.testing.assert_array_equal(fad.grad(np.std)(numpy.full(3, 2.0)), numpy.zeros(3))
        numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(np.std(x, axis=1)))(numpy.ones((2, 1))), [[0], [0]])
        x = numpy.array([[1.0, 1.0], [1.0, 3.0]])
        numpy.testing.assert_allclose(fad.grad(lambda x: np.sum(np.std(x, axis=1)))(x), [[0, 0], [-0.5, 0.5]])
        numpy.testing.assert_array_equal(fad.hessian(np.std)(numpy.ones(1)), [[0.0]])
    assert np.std(numpy.full(3, 2.0)) == 0.0


def test_nansum_and_nanmean_give_nan_elements_a_zero_gradient():
    x = numpy.array([[1.0, numpy.nan, 3.0], [numpy.nan, numpy.nan, numpy.nan]])
    assert np.nansum(x) == 4.0
    numpy.testing.assert_array_equal(fad.grad(np.nansum)(x), [[1, 0, 1], [0, 0, 0]])
    numpy.testing.assert_array_equal(fad.grad(np.nanmean)(x), [[0.5, 0, 0.5], [0, 0, 0]])
    with pytest.warns(RuntimeWarning, match="empty slice"):
        y = np.nanmean(x, axis=1)
    numpy.testing.assert_array_equal(y, [2.0, numpy.nan])
    with pytest.warns(RuntimeWarning, match="empty slice"):
        g = fad.grad(lambda x: np.nanmean(x, axis=1)[0])(x)
    numpy.testing.assert_array_equal(g, [[0.5, 0, 0.5], [0, 0, 0]])


# --------------------------------------------------------------------------------------
# Empty and 0-d arrays, dtypes
# --------------------------------------------------------------------------------------


def test_empty_arrays():
    e = numpy.zeros((0, 3))
    assert np.sum(e) == 0.0 and np.prod(e) == 1.0 and np.nansum(e) == 0.0
    numpy.testing.assert_array_equal(np.sum(e, axis=0), numpy.zeros(3))
    numpy.testing.assert_array_equal(np.prod(e, axis=0), numpy.ones(3))
    assert np.cumsum(e).shape == (0,) and np.cumprod(e, axis=1).shape == (0, 3)
    for name in ("sum", "prod", "nansum", "cumsum", "cumprod"):
        for axis in (None, 0, 1):
            g = fad.grad(lambda x: np.sum(getattr(np, name)(x, axis=axis)))(e)
            assert g.shape == (0, 3) and g.dtype == e.dtype
    with pytest.warns(RuntimeWarning, match="fad.numpy.mean: mean of empty slice"):
        assert numpy.isnan(np.mean(e))
    assert np.mean(e, axis=1).shape == (0,)
    assert np.max(e, axis=1).shape == (0,) and np.max(e, initial=-1.0) == -1.0
    with pytest.raises(ValueError, match="zero-size"):
        np.max(e)
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        assert numpy.isinf(np.var(numpy.array([1.0, 2.0]), ddof=2))


@pytest.mark.parametrize("name", NAMES)
def test_zero_dimensional_arrays(name):
    for x in (numpy.float64(2.5), numpy.array(2.5), 2.5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = getattr(numpy, name)(x)
        numpy.testing.assert_array_equal(getattr(np, name)(x), want)
        g = fad.grad(lambda x: np.sum(getattr(np, name)(x)))(x)
        assert numpy.shape(g) == numpy.shape(x) and type(g) is type(x)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_float32_is_preserved(name, shape):
    x = (numpy.arange(numpy.prod(shape)).reshape(shape) % 4 + 1.5).astype(numpy.float32)[()]
    want = getattr(numpy, name)(x)
    y = getattr(np, name)(x)
    assert type(y) is type(want) and numpy.result_type(y) == numpy.float32
    numpy.testing.assert_array_equal(y, want)
    f = lambda x: np.sum(getattr(np, name)(x))  # noqa: E731
    assert numpy.result_type(fad.grad(f)(x)) == numpy.float32
    assert numpy.result_type(fad.hessian(f)(x)) == numpy.float32
    ys = fad.jvp(lambda x: getattr(np, name)(x))((x,), (x,))
    assert numpy.result_type(ys[0]) == numpy.result_type(ys[1]) == numpy.float32


def test_float32_options_and_other_dtypes():
    x = numpy.array([[1.0, 2.0], [3.0, 4.0]], numpy.float32)
    assert numpy.result_type(np.sum(x, initial=1.5)) == numpy.float32 == numpy.result_type(np.prod(x, initial=2.0))
    assert np.sum(x, dtype=numpy.float64).dtype == numpy.float64
    assert fad.grad(lambda x: np.sum(x, dtype=numpy.float64))(x).dtype == numpy.float32
    assert np.mean(numpy.arange(4)) == 1.5 and np.var(numpy.arange(4)) == numpy.var(numpy.arange(4))
    h = numpy.array([1.0, 2.0, 4.0], numpy.float16)
    assert np.mean(h).dtype == numpy.float16 and np.mean(h) == numpy.mean(h)
    assert numpy.result_type(np.average(x, axis=0, weights=numpy.float32([1, 3]))) == numpy.float32
    assert numpy.result_type(np.std(x, axis=1)) == numpy.float32
    assert numpy.result_type(np.nanmean(x, axis=1)) == numpy.float32
    assert numpy.result_type(getattr(np, TRAPEZOID)(x, dx=0.5)) == numpy.float32


# --------------------------------------------------------------------------------------
# Values and options against NumPy
# --------------------------------------------------------------------------------------


@st.composite
def arrays_and_axes(draw):
    x = draw(fst.arrays(fst.shapes(min_dims=1), fst.dtypes()))
    axis = draw(st.none() | st.integers(-x.ndim, x.ndim - 1) | st.just(tuple(range(x.ndim))))
    return x, axis, draw(st.booleans())


@given(arrays_and_axes(), st.sampled_from(["sum", "mean", "prod", "max", "min", "ptp", "median", "var", "std",
                                           "nansum", "nanmean"]))  # fmt: skip
def test_values_are_numpys(case, name):
    x, axis, keepdims = case
    want = getattr(numpy, name)(x, axis, keepdims=keepdims)
    got = getattr(np, name)(x, axis, keepdims=keepdims)
    traced = fad.jvp(lambda x: getattr(np, name)(x, axis, keepdims=keepdims))((x,), (x,))[0]
    for y in (got, traced):
        assert numpy.shape(y) == numpy.shape(want) and numpy.result_type(y) == numpy.result_type(want)
        numpy.testing.assert_allclose(y, want, rtol=1e-6 if x.dtype == numpy.float32 else 1e-14)


def test_options_match_numpy():
    x = numpy.arange(1.0, 13.0).reshape(3, 4) % 5 + 0.5
    where = numpy.array([True, False, True, True])
    cases = [
        ("sum", dict(axis=1, initial=2.0, where=where)), ("sum", dict(dtype=numpy.float32, keepdims=True)),
        ("prod", dict(axis=0, where=where, initial=3.0)), ("mean", dict(axis=1, where=where)),
        ("var", dict(axis=0, ddof=1)), ("var", dict(axis=1, where=where, keepdims=True)), ("std", dict(ddof=1)),
        ("nansum", dict(axis=0, keepdims=True)), ("nanmean", dict(axis=(0, 1))), ("average", dict(axis=1)),
        ("average", dict(axis=1, weights=numpy.array([1.0, 2.0, 3.0, 4.0]))),
        ("average", dict(weights=x, keepdims=True)), ("cumsum", dict(axis=0)), ("cumprod", dict(axis=-1)),
        ("cumsum", dict(dtype=numpy.float32)), ("max", dict(axis=(0, 1))), ("amin", dict(axis=-1, keepdims=True)),
        ("ptp", dict(axis=0)), (TRAPEZOID, dict(dx=0.5, axis=0)), (TRAPEZOID, dict(x=numpy.array([0.0, 1, 3, 4]))),
        (TRAPEZOID, dict(x=x * x, axis=0)),
    ]  # fmt: skip
    for name, kwargs in cases:
        want, got = getattr(numpy, name)(x, **kwargs), getattr(np, name)(x, **kwargs)
        assert numpy.shape(got) == numpy.shape(want) and numpy.result_type(got) == numpy.result_type(want), name
        numpy.testing.assert_allclose(got, want, rtol=1e-14, err_msg=f"{name}({kwargs})")
    if numpy.lib.NumpyVersion(numpy.__version__) >= "2.0.0":
        assert np.var(x, correction=1) == numpy.var(x, correction=1)
        m = numpy.mean(x, axis=1, keepdims=True)
        numpy.testing.assert_allclose(np.std(x, axis=1, mean=m), numpy.std(x, axis=1, mean=m))


def test_average_returned_and_weights_gradient():
    a = numpy.array([[1.0, 2.0], [3.0, 5.0]])
    w = numpy.array([1.0, 3.0])
    y, total = np.average(a, axis=1, weights=w, returned=True)
    want_y, want_total = numpy.average(a, axis=1, weights=w, returned=True)
    numpy.testing.assert_allclose(y, want_y)
    numpy.testing.assert_allclose(total, want_total)
    y, total = np.average(a, axis=0, returned=True)
    numpy.testing.assert_array_equal(total, [2.0, 2.0])
    # d/dw_j of sum_i a_ij w_j / sum_j w_j = (a_ij - average_i) / sum(w)
    numpy.testing.assert_allclose(fad.grad(lambda w: np.sum(np.average(a, axis=1, weights=w)))(w),
                                  ((a - want_y[:, None]) / w.sum()).sum(0))  # fmt: skip
    check_grads(lambda a, w: np.average(a, axis=1, weights=w, returned=True), a, w)


def test_trapezoid_is_differentiable_in_y_x_and_dx():
    y, x = numpy.array([1.0, 4.0, 9.0]), numpy.array([0.0, 1.0, 3.0])
    f = getattr(np, TRAPEZOID)
    numpy.testing.assert_allclose(fad.grad(lambda y: f(y, x))(y), [0.5, 1.5, 1.0])
    numpy.testing.assert_allclose(fad.grad(lambda x: f(y, x))(x), [-2.5, -4.0, 6.5])
    assert fad.grad(lambda dx: f(y, dx=dx))(2.0) == f(y)
    check_grads(lambda y, x, dx: f(y, x) + f(y, dx=dx), y, x, 0.5)


# --------------------------------------------------------------------------------------
# Methods of traced arrays, and NumPy's functions on traced values
# --------------------------------------------------------------------------------------


def test_methods_of_traced_arrays():
    x = numpy.array([[1.0, 4.0, 2.0], [3.0, 0.5, 6.0]])
    methods = ["sum", "mean", "prod", "var", "std", "max", "min", "cumsum", "cumprod", "ptp"]
    for name in methods:
        for kwargs in ({}, {"axis": 0}, {"axis": -1}):
            want = fad.grad(lambda x: np.sum(getattr(np, name)(x, **kwargs)))(x)
            got = fad.grad(lambda x: np.sum(getattr(x, name)(**kwargs)))(x)
            numpy.testing.assert_allclose(got, want, err_msg=name)
    g = fad.grad(lambda x: x.var(1, ddof=1).sum() + x.max(0, keepdims=True).sum() + x.std(axis=None, ddof=1))(x)
    check_grads(lambda x: x.var(1, ddof=1).sum() + x.max(0, keepdims=True).sum() + x.std(axis=None, ddof=1), x)
    assert g.shape == x.shape


def test_numpy_functions_dispatch_to_fad():
    x = numpy.array([[1.0, 4.0, 2.0], [3.0, 0.5, 6.0]])
    functions = [numpy.sum, numpy.mean, numpy.prod, numpy.var, numpy.std, numpy.max, numpy.amax, numpy.min,
                 numpy.amin, numpy.ptp, numpy.median, numpy.nansum, numpy.nanmean, numpy.average, numpy.cumsum,
                 numpy.cumprod]  # fmt: skip
    for f in functions:
        own = getattr(np, f.__name__)
        assert f.__name__ in np.__all__
        for args, kwargs in (((), {}), ((0,), {}), ((), {"axis": -1})):
            want = fad.grad(lambda x: np.sum(own(x, *args, **kwargs)))(x)
            got = fad.grad(lambda x: numpy.sum(f(x, *args, **kwargs)))(x)
            numpy.testing.assert_allclose(got, want, err_msg=f.__name__)
    f = getattr(numpy, TRAPEZOID)
    assert TRAPEZOID in np.__all__
    numpy.testing.assert_allclose(fad.grad(lambda x: f(x, dx=0.5, axis=0).sum())(x), numpy.full((2, 3), 0.25))
    assert fad.grad(lambda x: numpy.max(x, axis=1, keepdims=True).sum())(x)[1, 2] == 1.0
    assert fad.grad(lambda x: numpy.var(x, ddof=1))(x).shape == x.shape


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_errors_name_the_function_and_what_to_do():
    x = numpy.ones((2, 3))
    with pytest.raises(TypeError, match=r"fad.numpy.sum\(..., out=\).*immutable"):
        np.sum(x, out=numpy.zeros(3))
    with pytest.raises(TypeError, match="fad.numpy.max: initial must be a constant.*maximum"):
        fad.grad(lambda t: np.max(x, initial=t))(1.0)
    with pytest.raises(numpy.exceptions.AxisError, match="fad.numpy.prod"):
        np.prod(x, axis=2)
    with pytest.raises(ValueError, match="fad.numpy.mean: axis .* twice"):
        np.mean(x, axis=(1, -1))
    with pytest.raises(TypeError, match="fad.numpy.cumsum: axis must be an int"):
        np.cumsum(x, axis=(0, 1))
    with pytest.raises(ZeroDivisionError, match="fad.numpy.average: the weights sum to zero"):
        np.average(x, axis=1, weights=numpy.array([1.0, -1.0, 0.0]))
    with pytest.raises(ValueError, match=r"fad.numpy.average: weights of shape \(2,\).*\(3,\)"):
        np.average(x, axis=1, weights=numpy.ones(2))
    with pytest.raises(TypeError, match="fad.numpy.average: .*give axis"):
        np.average(x, weights=numpy.ones(3))
    with pytest.raises(ValueError, match="fad.numpy.var: give ddof or correction, not both"):
        np.var(x, ddof=1, correction=1)


def test_complex_inputs_agree_with_the_same_function_composed_by_hand():
    z = numpy.array([1 + 2j, 3 - 1j, 0.5j])
    for x in (z, z * numpy.array([1, 0, 1])):
        pairs = [
            (lambda z: np.real(np.prod(z)), lambda z: np.real(z[0] * z[1] * z[2])),
            (lambda z: np.imag(np.sum(np.cumprod(z))), lambda z: np.imag(z[0] + z[0] * z[1] + z[0] * z[1] * z[2])),
            (lambda z: np.var(z), lambda z: np.mean(np.real(z - np.mean(z)) ** 2 + np.imag(z - np.mean(z)) ** 2)),
        ]
        for f, by_hand in pairs:
            numpy.testing.assert_allclose(f(x), by_hand(x))
            numpy.testing.assert_allclose(fad.grad(f)(x), fad.grad(by_hand)(x), atol=1e-15)
            numpy.testing.assert_allclose(fad.hessian(f)(x), fad.hessian(by_hand)(x), atol=1e-15)
    assert np.std(z) == numpy.std(z) and np.var(z).dtype == numpy.float64
