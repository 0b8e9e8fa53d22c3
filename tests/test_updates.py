"""Functional updates (``x.at[i]``), NumPy's in-place functions refused on traced values, ufunc
methods on traced values, and lists holding traced values as arguments."""

import numpy
import pytest

import fad
import fad.numpy as np
from fad.testing import check_grads

X = numpy.array([1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize(
    "how, numpy_update",
    [("add", numpy.add.at), ("multiply", numpy.multiply.at), ("min", numpy.minimum.at), ("max", numpy.maximum.at)],
)
def test_updates_match_numpy_ufunc_at(how, numpy_update):
    index, v = numpy.array([0, 2, 0, 3]), numpy.array([2.5, -1.0, 0.5, 9.0])
    want = X.copy()
    numpy_update(want, index, v)
    numpy.testing.assert_array_equal(getattr(np.at(X)[index], how)(v), want)
    traced = fad.jvp(lambda x: getattr(x.at[index], how)(v))((X,), (numpy.zeros(4),))[0]
    numpy.testing.assert_array_equal(traced, want)


def test_set_with_repeated_indices_keeps_the_last_value_and_its_derivative():
    index, v = numpy.array([0, 2, 0]), numpy.array([5.0, 6.0, 7.0])
    want = X.copy()
    want[index] = v
    numpy.testing.assert_array_equal(np.at(X)[index].set(v), want)
    gx, gv = fad.grad(lambda x, v: (x.at[index].set(v) ** 2).sum(), argnums=(0, 1))(X, v)
    numpy.testing.assert_array_equal(gx, [0.0, 4.0, 0.0, 8.0])
    numpy.testing.assert_array_equal(gv, [0.0, 12.0, 14.0])  # the first 0 was overwritten: no derivative


def test_add_with_repeated_indices_accumulates():
    g = fad.grad(lambda v: (np.at(numpy.zeros(3))[[0, 0, 2]].add(v) ** 2).sum())(numpy.array([1.0, 2.0, 3.0]))
    numpy.testing.assert_array_equal(g, [6.0, 6.0, 6.0])  # x[0] = 3 receives both


def test_updates_with_boolean_and_basic_indices_to_second_order():
    x = numpy.arange(6.0).reshape(2, 3) + 0.5
    for index in (x > 2, (slice(None), 1), (Ellipsis, numpy.array([0, 0]))):
        check_grads(lambda x, v: np.at(x)[index].multiply(v) + np.at(x)[index].set(v * v), x, numpy.float64(1.5))


def test_updates_leave_the_input_unchanged_and_refuse_traced_indices():
    x = X.copy()
    np.at(x)[0].set(10.0)
    numpy.testing.assert_array_equal(x, X)
    with pytest.raises(TypeError, match=r"index i is traced"):
        fad.grad(lambda x: x.at[x.astype(int)].set(0.0).sum())(X)


@pytest.mark.parametrize(
    "call, hint",
    [
        (lambda x: numpy.add.at(x, [0], 1.0), r"x\.at\[i\]\.add\(v\)"),
        (lambda x: numpy.maximum.at(x, [0], 1.0), r"x\.at\[i\]\.max\(v\)"),
        (lambda x: numpy.put(x, [0], 1.0), r"x\.at\[indices\]\.set\(values\)"),
        (lambda x: numpy.put_along_axis(x, numpy.array([0]), 1.0, 0), r"x\.at\[index\]\.set"),
        (lambda x: numpy.place(x, x > 1, 0.0), r"where\(mask, values, x\)"),
        (lambda x: numpy.putmask(x, x > 1, 0.0), r"where\(mask, values, x\)"),
        (lambda x: numpy.copyto(x, 0.0), r"copyto"),
        (lambda x: x.put([0], 1.0), r"x\.at\[indices\]\.set\(values\)"),
        (lambda x: x.fill(1.0), r"full_like"),
    ],
)
def test_numpy_in_place_functions_on_traced_values_raise_naming_the_functional_update(call, hint):
    with pytest.raises(TypeError, match=hint):
        fad.grad(lambda x: (call(x), x.sum())[1])(X)


def test_numpy_in_place_functions_still_work_on_plain_arrays():
    x = X.copy()
    np.put(x, [0], 9.0)
    assert x[0] == 9.0


@pytest.mark.parametrize("ufunc", [numpy.add, numpy.multiply, numpy.maximum, numpy.subtract, numpy.hypot])
def test_ufunc_methods_on_traced_values(ufunc):
    x = numpy.linspace(0.6, 1.6, 6).reshape(2, 3)
    b = x[0] + 0.05  # no ties with x
    for f in (lambda x: ufunc.reduce(x), lambda x: ufunc.reduce(x, axis=1, keepdims=True),
              lambda x: ufunc.accumulate(x, axis=1), lambda x: ufunc.outer(x, b)):
        numpy.testing.assert_allclose(fad.jvp(f)((x,), (x,))[0], f(x))
        check_grads(f, x)


def test_ufunc_methods_without_a_derivative_name_the_method():
    with pytest.raises(NotImplementedError, match=r"numpy\.equal\.reduce"):
        fad.grad(lambda x: numpy.equal.reduce(x).sum())(X)


@pytest.mark.parametrize(
    "f, want",
    [
        (lambda x: np.mean([x[0], x[1]]), [0.5, 0.5, 0.0, 0.0]),
        (lambda x: np.sum((x[0], x[1] * 2.0)), [1.0, 2.0, 0.0, 0.0]),
        (lambda x: np.max([x[0], x[3]]), [0.0, 0.0, 0.0, 1.0]),
        (lambda x: np.dot([x[0], x[1]], [1.0, 3.0]), [1.0, 3.0, 0.0, 0.0]),
        (lambda x: np.asarray([x[2], 1.0]).sum(), [0.0, 0.0, 1.0, 0.0]),
        (lambda x: np.stack([x[0], x[2]]).sum(), [1.0, 0.0, 1.0, 0.0]),
        (lambda x: np.linalg.norm([x[2], x[3]]), [0.0, 0.0, 0.6, 0.8]),
        (lambda x: np.linalg.det([[x[0], x[1]], [1.0, x[3]]]), [4.0, -1.0, 0.0, 1.0]),
        (lambda x: np.polyval([x[0], 0.0, 1.0], 2.0), [4.0, 0.0, 0.0, 0.0]),
        (lambda x: np.var([[x[0], 0.0], [x[0], 0.0]]), [0.5, 0.0, 0.0, 0.0]),
        (lambda x: np.abs(np.fft.fft([x[0], x[1]])).sum(), [0.0, 2.0, 0.0, 0.0]),
        (lambda x: np.where([True, False], [x[0], x[1]], 0.0).sum(), [1.0, 0.0, 0.0, 0.0]),
    ],
)
def test_lists_holding_traced_values_are_arrays(f, want):
    numpy.testing.assert_allclose(fad.grad(f)(numpy.array([1.0, 2.0, 3.0, 4.0])), want, atol=1e-12)


def test_unique_shares_the_cotangent_among_equal_elements():
    v = numpy.array([3.0, 1.0, 3.0, 2.0, 3.0])
    numpy.testing.assert_allclose(fad.grad(lambda v: (np.unique(v) ** 2).sum())(v), [2.0, 2.0, 2.0, 4.0, 2.0])
    values, counts = np.unique(v, return_counts=True)
    numpy.testing.assert_array_equal(values, [1.0, 2.0, 3.0])
    numpy.testing.assert_array_equal(counts, [1, 1, 3])


def test_float_arguments_are_differentiable():
    x = numpy.array([1.0, numpy.nan, numpy.inf, -numpy.inf, numpy.nan])
    grads = fad.grad(lambda n, p, m: np.nan_to_num(x, nan=n, posinf=p, neginf=m).sum(), argnums=(0, 1, 2))
    assert grads(0.5, 2.0, 3.0) == (2.0, 1.0, 1.0)
    assert fad.grad(lambda h: np.heaviside(numpy.array([0.0, 1.0, 0.0]), h).sum())(0.5) == 2.0
    assert fad.grad(lambda v: np.full_like(numpy.zeros((2, 2)), v).sum())(1.0) == 4.0
    assert fad.grad(lambda v: np.full((3,), v).sum())(1.0) == 3.0
    assert fad.grad(lambda q: np.quantile(numpy.array([1.0, 5.0]), q))(0.5) == 4.0
    assert fad.grad(lambda p: np.unwrap(numpy.array([0.0, 5.0]), period=p).sum())(6.0) == -1.0
