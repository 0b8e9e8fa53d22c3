"""Selection beyond the rule table: exact values and gradients, ties, knots, dtypes, errors, dispatch.

The rule table (``rule_tables/selection.py``) checks every derivative against finite
differences; these tests pin down what finite differences cannot see: that values are
NumPy's to the bit, that gradients at ties and knots are the documented ones, that
functions with no derivative give plain results, and the errors.
"""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fad
import fad.numpy as np
from fad.core import Traced
from fad.testing import check_grads
from fad.testing import strategies as fst

X = numpy.arange(1.0, 25.0).reshape(2, 3, 4) / 7


def index_grad(x, index):
    """The gradient of ``sum(x[index] * w)`` that NumPy's ``add.at`` gives: repeated indices accumulate."""
    w = numpy.arange(1.0, 1.0 + numpy.size(x[index])).reshape(numpy.shape(x[index]))
    want = numpy.zeros_like(x)
    numpy.add.at(want, index, w)
    return fad.grad(lambda x: np.sum(x[index] * w))(x), want


# --------------------------------------------------------------------------------------
# Indexing: every kind of index, against NumPy's own scatter-add
# --------------------------------------------------------------------------------------

INDICES = {
    "integer": 1,
    "negative": -1,
    "slice with step": numpy.s_[::2],
    "negative step": numpy.s_[:, ::-2, 1:-1],
    "ellipsis": numpy.s_[..., 1],
    "newaxis": numpy.s_[None, :, None],
    "ellipsis and newaxis": numpy.s_[..., None, 0],
    "empty slice": numpy.s_[:, 3:],
    "out-of-range slice": numpy.s_[5:100],
    "integer array": numpy.array([1, 0, 1]),
    "negative integer array": numpy.array([-1, -2, -1]),
    "2-d integer array": numpy.array([[0, 1], [1, 1]]),
    "empty integer array": numpy.array([], dtype=int),
    "list": [1, 0, 1],
    "empty list": [],
    "empty list among slices": numpy.s_[:, []],
    "nested list": [[0, 1], [1, 0]],
    "boolean list": [True, False],
    "tuple of lists": ([0, 1], [1, 2]),
    "full mask": X > 1,
    "leading mask": (X > 1)[:, :, 0],
    "mask among indices": numpy.s_[:, numpy.array([True, False, True]), 1],
    "adjacent advanced": numpy.s_[:, [0, 2], [1, 3]],
    "separated advanced": numpy.s_[[0, 1], :, [0, 3]],
    "advanced and slice": numpy.s_[:, [0, 2, 0], 1:3],
    "repeated": numpy.s_[[0, 0, 1, 0], [2, 2, 2, 1]],
    "scalar True": True,
    "scalar False": False,
    "numpy integer": numpy.int64(1),
    "0-d integer array": numpy.array(1),
}


@pytest.mark.parametrize("index", INDICES.values(), ids=INDICES.keys())
def test_getitem_gradient_is_numpy_scatter_add(index):
    got, want = index_grad(X, index)
    numpy.testing.assert_array_equal(got, want)
    check_grads(lambda x: x[index], X, order=1)


@pytest.mark.parametrize("index", [(), Ellipsis, None, (None, Ellipsis)])
def test_getitem_of_0d_arrays(index):
    got, want = index_grad(numpy.array(2.0), index)
    numpy.testing.assert_array_equal(got, want)


@given(st.data())
def test_getitem_basic_and_integer_array_indices_match_numpy(data):
    x = data.draw(fst.arrays(fst.shapes(min_dims=1, min_side=1), fst.dtypes()))
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True) | hnp.integer_array_indices(x.shape))
    got, want = index_grad(x, index)
    numpy.testing.assert_array_equal(fad.numpy.getitem(x, index), x[index])
    numpy.testing.assert_allclose(got, want, rtol=1e-6)
    assert got.dtype == x.dtype


def test_getitem_of_complex_arrays():
    z = X[0] + 1j * X[1]
    check_grads(lambda z: z[[0, 0, 2], 1:], z)


def test_indexing_by_positions_computed_from_traced_values():
    x = numpy.array([3.0, -1.0, 2.0])
    g = fad.grad(lambda x: x[np.argmax(x)] + x[np.argsort(x)][0] + x[x > 0].sum())(x)
    numpy.testing.assert_array_equal(g, [2.0, 1.0, 1.0])


# --------------------------------------------------------------------------------------
# Values are NumPy's, bit for bit, and dtypes stay
# --------------------------------------------------------------------------------------

R = numpy.random.default_rng(0).standard_normal((3, 4, 5))
XP, FP = numpy.array([0.0, 1.0, 1.0, 2.5, 4.0]), numpy.array([1.0, -1.0, 2.0, 0.5, 3.0])
XS = numpy.concatenate([numpy.linspace(-1.0, 5.0, 25), XP])

CALLS = {
    "take": lambda m, a: m.take(a, [1, -1], axis=1),
    "take flat": lambda m, a: m.take(a, [[7, -2]]),
    "take wrap": lambda m, a: m.take(a, [[7, 100]], mode="wrap"),
    "take clip": lambda m, a: m.take(a, [-3, 100], axis=2, mode="clip"),
    "take_along_axis": lambda m, a: m.take_along_axis(a, numpy.argsort(R, axis=1), 1),
    "take_along_axis flat": lambda m, a: m.take_along_axis(a, numpy.array([0, 5, 5]), None),
    "compress": lambda m, a: m.compress([True, False, True], a, 0),
    "compress short": lambda m, a: m.compress([False, True], a, 2),
    "extract": lambda m, a: m.extract(R > 0, a),
    "where": lambda m, a: m.where(R > 0, a, 0.0),
    "select": lambda m, a: m.select([R > 0, R < -1], [a, 2 * a], 0),
    "sort": lambda m, a: m.sort(a),
    "sort axis 0": lambda m, a: m.sort(a, 0),
    "sort flat": lambda m, a: m.sort(a, None),
    "partition": lambda m, a: m.partition(a, 2, 1),
    "partition flat": lambda m, a: m.partition(a, [0, 30], None),
    "diag": lambda m, a: m.diag(a[0], 1),
    "diag of 1-d": lambda m, a: m.diag(a[0, 0], -2),
    "diagflat": lambda m, a: m.diagflat(a[0, :2], 1),
    "diagonal": lambda m, a: m.diagonal(a, 1, 2, 0),
    "trace": lambda m, a: m.trace(a, -1, -1, 1),
    "tril": lambda m, a: m.tril(a, -1),
    "triu": lambda m, a: m.triu(a, 2),
    "triu of 1-d": lambda m, a: m.triu(a[0, 0]),
}


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_values_are_numpys_and_dtypes_stay(call, dtype):
    a = R.astype(dtype)
    got, want = call(fad.numpy, a), call(numpy, a)
    assert numpy.asarray(got).dtype == numpy.asarray(want).dtype == dtype
    numpy.testing.assert_array_equal(got, want)
    g = fad.grad(lambda a: np.sum(call(fad.numpy, a)))(a)
    assert g.dtype == dtype and g.shape == a.shape


@pytest.mark.parametrize("kwargs", [{}, {"left": -7.0, "right": 9.0}, {"period": 3.0}], ids=["", "ends", "period"])
def test_interp_values_are_numpys(kwargs):
    numpy.testing.assert_array_equal(np.interp(XS, XP, FP, **kwargs), numpy.interp(XS, XP, FP, **kwargs))
    numpy.testing.assert_array_equal(np.interp(XS, [2.0], [3.0], **kwargs), numpy.interp(XS, [2.0], [3.0], **kwargs))
    numpy.testing.assert_array_equal(np.interp(XS, XP, FP + 2j, **kwargs), numpy.interp(XS, XP, FP + 2j, **kwargs))


def test_interp_keeps_float32_where_numpy_gives_float64():
    x, xp, fp = (a.astype(numpy.float32) for a in (XS, XP, FP))
    y = np.interp(x, xp, fp)
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y, numpy.interp(x, xp, fp).astype(numpy.float32))
    gs = fad.grad(lambda x, xp, fp: np.sum(np.interp(x, xp, fp)), argnums=(0, 1, 2))(x, xp, fp)
    assert [g.dtype for g in gs] == [numpy.float32] * 3
    assert np.interp(1.5, XP, FP) == numpy.interp(1.5, XP, FP)


# --------------------------------------------------------------------------------------
# Ties, knots and repeated knots: the documented one-sided derivatives, never NaN
# --------------------------------------------------------------------------------------


def test_sort_gradient_at_ties_follows_the_stable_order():
    x, w = numpy.array([1.0, 0.0, 1.0, 0.0]), numpy.array([1.0, 2.0, 3.0, 4.0])
    # stable order: x[1], x[3], x[0], x[2] fill the places 0, 1, 2, 3
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(np.sort(x) * w))(x), [3.0, 1.0, 4.0, 2.0])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sort(x)[-1])(numpy.array([2.0, 2.0])), [0.0, 1.0])


def test_sort_and_partition_gradients_are_permutations():
    x = R.astype(numpy.float32)
    for f in (lambda x: np.sort(x, 1), lambda x: np.partition(x, 1, 0)):
        jac = fad.jacobian(lambda x: f(x).ravel())(x).reshape(x.size, x.size)
        numpy.testing.assert_array_equal(jac.sum(axis=0), 1.0)
        numpy.testing.assert_array_equal(jac.sum(axis=1), 1.0)


def test_sort_of_infinities_has_finite_gradients():
    x = numpy.array([numpy.inf, 1.0, -numpy.inf])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sort(x)[1])(x), [0.0, 1.0, 0.0])


XP3, FP3 = numpy.array([0.0, 1.0, 3.0]), numpy.array([0.0, 2.0, 3.0])  # slopes 2 and 0.5


@pytest.mark.parametrize(
    "x, dx, dfp",
    [
        (0.5, 2.0, [0.5, 0.5, 0.0]),
        (0.0, 2.0, [1.0, 0.0, 0.0]),  # the first knot: the first segment
        (1.0, 0.5, [0.0, 1.0, 0.0]),  # an interior knot: the segment to its right
        (3.0, 0.5, [0.0, 0.0, 1.0]),  # the last knot: the last segment
        (-1.0, 0.0, [1.0, 0.0, 0.0]),  # below: y = fp[0]
        (4.0, 0.0, [0.0, 0.0, 1.0]),  # above: y = fp[-1]
    ],
)
def test_interp_derivatives_at_and_between_knots(x, dx, dfp):
    gx, gxp, gfp = fad.grad(np.interp, argnums=(0, 1, 2))(x, XP3, FP3)
    assert gx == dx
    numpy.testing.assert_allclose(gfp, dfp)
    if XP3[0] < x < XP3[-1] and x not in XP3:  # the knots move the line: dy/dxp = -slope (1 - t), -slope t
        numpy.testing.assert_allclose(gxp, [-1.0, -1.0, 0.0])
    else:
        assert numpy.all(numpy.isfinite(gxp))


def test_interp_derivative_in_the_ends():
    f = lambda x, left, right: np.sum(np.interp(x, XP3, FP3, left, right))  # noqa: E731
    x = numpy.array([-2.0, -1.0, 0.5, 4.0])
    gx, gleft, gright = fad.grad(f, argnums=(0, 1, 2))(x, 5.0, 6.0)
    numpy.testing.assert_array_equal(gx, [0.0, 0.0, 2.0, 0.0])
    assert (gleft, gright) == (2.0, 1.0)
    gfp = fad.grad(lambda fp: np.sum(np.interp(x, XP3, fp, 5.0, 6.0)))(FP3)
    numpy.testing.assert_array_equal(gfp, [0.5, 0.5, 0.0])


@pytest.mark.parametrize("xp", [[0.0, 1.0, 1.0, 2.0], [0.0, 1.0, 2.0, 2.0], [0.0, 0.0, 1.0], [2.0]])
def test_interp_at_repeated_knots_has_finite_derivatives(xp):
    xp = numpy.array(xp)
    fp = numpy.arange(1.0, 1.0 + xp.size) ** 2
    x = numpy.concatenate([xp, [-1.0, 0.5, 1.5, 3.0]])
    for k in range(3):
        jac = fad.jacobian(np.interp, argnums=k)(x, xp, fp)
        assert numpy.all(numpy.isfinite(jac))
    hess = fad.hessian(lambda fp: np.sum(np.interp(x, xp, fp) ** 2))(fp)
    assert numpy.all(numpy.isfinite(hess))


def test_interp_of_complex_fp():
    zp = FP3 + 1j * FP3[::-1]
    check_grads(lambda fp: np.interp(numpy.array([0.5, 2.0]), XP3, fp), zp)
    _, back = fad.pullback(lambda x: np.interp(x, XP3, zp), 0.5)
    with pytest.raises(NotImplementedError, match="interp.*complex fp"):
        back(1.0 + 0.0j)


# --------------------------------------------------------------------------------------
# No derivative, by definition: plain results on traced values
# --------------------------------------------------------------------------------------

NONDIFF = {
    "argmax": lambda m, x: m.argmax(x, axis=1),
    "argmin": lambda m, x: m.argmin(x),
    "argsort": lambda m, x: m.argsort(x, axis=0),
    "argpartition": lambda m, x: m.argpartition(x, 1, axis=1),
    "nonzero": lambda m, x: m.nonzero(x > 0),
    "flatnonzero": lambda m, x: m.flatnonzero(x > 0),
    "argwhere": lambda m, x: m.argwhere(x > 0),
    "searchsorted": lambda m, x: m.searchsorted(m.sort(x[0]), x[1]),
    "digitize": lambda m, x: m.digitize(x, [-1.0, 0.0, 1.0]),
    "unique": lambda m, x: m.unique(m.floor(x), return_counts=True),
    "count_nonzero": lambda m, x: m.count_nonzero(x > 0, axis=0),
    "where with the condition alone": lambda m, x: m.where(x > 0),
}


@pytest.mark.parametrize("call", NONDIFF.values(), ids=NONDIFF.keys())
def test_functions_with_no_derivative_give_plain_results(call):
    x = R[0]
    seen = []

    def f(x):
        got = call(fad.numpy, x)
        seen.append(got)
        return np.sum(x)

    fad.grad(f)(x)
    got, want = seen[0], call(numpy, x)
    leaves = got if isinstance(got, tuple) else (got,)
    assert not any(isinstance(leaf, Traced) for leaf in leaves)
    for g, w in zip(leaves, want if isinstance(want, tuple) else (want,)):
        numpy.testing.assert_array_equal(g, w)


def test_functions_with_no_derivative_are_marked():
    for name in ("argmax", "argmin", "argsort", "argpartition", "nonzero", "flatnonzero", "argwhere",
                 "searchsorted", "digitize", "count_nonzero"):  # fmt: skip
        assert getattr(np, name).differentiable is False, name


# --------------------------------------------------------------------------------------
# NumPy's functions and ndarray methods on traced values
# --------------------------------------------------------------------------------------


def test_numpy_functions_dispatch_to_fad():
    x = R[0]

    def f(x):
        parts = [
            numpy.sort(x, axis=0)[0],
            numpy.partition(x, 1)[:, 0],
            numpy.take(x, [0, 0]),
            numpy.take_along_axis(x, numpy.argsort(x, axis=1), axis=1)[:, -1],
            numpy.compress([True, False, True], x, axis=0).ravel(),
            numpy.extract(x > 0, x),
            numpy.where(x > 0, x, 0.0).ravel(),
            numpy.select([x > 0], [x]).ravel(),
            numpy.diag(x),
            numpy.diagonal(x, 1),
            numpy.trace(x)[None],
            numpy.tril(x).ravel(),
            numpy.triu(x).ravel(),
            numpy.diagflat(x[0]).ravel(),
            numpy.interp(x[0], [-5.0, 5.0], [0.0, 1.0]),
        ]
        idx = numpy.argmax(x) + numpy.argmin(x) + numpy.count_nonzero(x > 0) + len(numpy.unique(x))
        assert not isinstance(idx, Traced)
        return np.sum(np.concatenate(parts))

    check_grads(f, x, order=1)
    fad.grad(f)(x)


def test_ndarray_methods_of_traced_arrays():
    x = R[0]

    def f(x):
        assert x.argmax() == numpy.argmax(R[0]) and x.argmin(axis=0).shape == (5,)
        assert x.argsort().shape == x.shape and x.argpartition(1).shape == x.shape
        assert len(x.nonzero()) == 2 and x[0].searchsorted(0.0) == numpy.searchsorted(R[0, 0], 0.0)
        return x.take([0, 3]).sum() + x.diagonal(1).sum() + x.trace(-1) + x.compress([True, False], axis=1).sum()

    g = fad.grad(f)(x)
    want = numpy.zeros_like(x)
    want.flat[[0, 3]] += 1
    want[[0, 1, 2, 3], [1, 2, 3, 4]] += 1
    want[[1, 2, 3], [0, 1, 2]] += 1
    want[:, 0] += 1
    numpy.testing.assert_array_equal(g, want)


@pytest.mark.parametrize("method, function", [("sort", "fad.numpy.sort"), ("partition", "fad.numpy.partition")])
def test_in_place_sorting_methods_say_how_to_sort(method, function):
    with pytest.raises(TypeError, match=rf"immutable.*x\.{method}\(\).*{function}"):
        fad.grad(lambda x: getattr(x, method)(0) or x.sum())(R[0])


# --------------------------------------------------------------------------------------
# Errors name the function and what to do
# --------------------------------------------------------------------------------------

ERRORS = {
    "take mode": (lambda x: np.take(x, [0], mode="nearest"), ValueError, "take: mode must be"),
    "take float indices": (lambda x: np.take(x, [0.5]), TypeError, "take: indices must be integers"),
    "take axis": (lambda x: np.take(x, [0], axis=2), numpy.exceptions.AxisError, "fad.numpy.take"),
    "take out": (lambda x: np.take(x, [0], out=numpy.empty(1)), TypeError, "take.*immutable"),
    "take from an empty axis": (lambda x: np.take(x[:, :0], [1], axis=1, mode="wrap"), IndexError, "take: cannot"),
    "take_along_axis dims": (lambda x: np.take_along_axis(x, numpy.array([0]), 0), ValueError, "as many dimensions"),
    "take_along_axis flat": (lambda x: np.take_along_axis(x, numpy.zeros((1, 1), int), None), ValueError, "1-d"),
    "compress 2-d": (lambda x: np.compress(x > 0, x), ValueError, "compress: condition must be a 1-d"),
    "where with x alone": (lambda x: np.where(x > 0, x), ValueError, "where: give both x and y"),
    "select lengths": (lambda x: np.select([x > 0], [x, x]), ValueError, "select: condlist and choicelist"),
    "select empty": (lambda x: np.select([], []), ValueError, "select: condlist is empty"),
    "select not boolean": (lambda x: np.select([numpy.ones(3)], [x]), TypeError, r"select: condlist\[0\]"),
    "sort order": (lambda x: np.sort(x, order="a"), ValueError, "sort: order= names the fields"),
    "sort 0-d": (lambda x: np.sort(x[0, 0]), numpy.exceptions.AxisError, "fad.numpy.sort"),
    "diag 3-d": (lambda x: np.diag(x[None]), ValueError, "diag: v must be 1-d"),
    "diagonal 1-d": (lambda x: np.diagonal(x[0]), ValueError, "diagonal: a must have at least 2"),
    "diagonal same axes": (lambda x: np.diagonal(x, 0, 1, -1), ValueError, "axis1 and axis2 must be different"),
    "trace out": (lambda x: np.trace(x, out=numpy.empty(())), TypeError, "trace.*immutable"),
    "tril 0-d": (lambda x: np.tril(x[0, 0]), ValueError, "tril: m must have at least one"),
    "interp 2-d": (lambda x: np.interp(x, x, x), ValueError, "interp: xp and fp must be 1-d"),
    "interp lengths": (lambda x: np.interp(x, x[0], x[0, :2]), ValueError, "interp: xp and fp must have the same"),
    "interp empty": (lambda x: np.interp(x, x[0, :0], x[0, :0]), ValueError, "interp: xp and fp are empty"),
    "interp period": (lambda x: np.interp(x, x[0], x[0], period=0), ValueError, "interp: period must be"),
}


@pytest.mark.parametrize("call, error, message", ERRORS.values(), ids=ERRORS.keys())
def test_errors_name_the_function(call, error, message):
    x = R[0, :2, :3]
    with pytest.raises(error, match=message):
        call(x)
    with pytest.raises(error, match=message):
        fad.grad(lambda x: np.sum(call(x)))(x)
