"""Never a silently wrong number: values that could leave the trace, and inputs of the wrong kind.

Each test is one kind of case where fad used to give zeros or a stale derivative: it now
keeps the value traced, or refuses it with an error that says what to do.
"""

import copy
import pickle

import numpy
import pytest

import fad
import fad.numpy as np

X = numpy.array([0.5, 1.0, -0.3])


# --------------------------------------------------------------------------------------
# Copies and pickles
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy, lambda x: x.copy()], ids=["copy", "deepcopy", "method"])
def test_a_copy_of_a_traced_value_stays_traced(copier):
    got = fad.grad(lambda x: np.sum(np.sin(copier(x))))(X)
    numpy.testing.assert_array_equal(got, numpy.cos(X))


def test_deepcopy_of_a_container_of_parameters_keeps_the_derivative():
    def loss(params):
        params = copy.deepcopy(params)
        return np.sum(params["w"] ** 2) + params["b"] * 3.0

    got = fad.grad(loss)({"w": X, "b": 2.0})
    numpy.testing.assert_array_equal(got["w"], 2 * X)
    assert got["b"] == 3.0


def test_pickling_a_traced_value_is_refused():
    with pytest.raises(TypeError, match="cannot be pickled.*lose its derivative"):
        fad.grad(lambda x: np.sum(pickle.loads(pickle.dumps(x))))(X)


def test_primitives_pickle_by_reference():
    for record in (np.sin, np.matmul, np.exp):
        assert pickle.loads(pickle.dumps(record)) is record
        assert copy.deepcopy(record) is record


def module_level_loss(x):
    return np.sum(np.tanh(x) * x)


def test_results_of_the_transforms_pickle():
    for transform in (fad.grad, fad.value_and_grad, fad.hessian, fad.jacobian, fad.elementwise_grad):
        f = pickle.loads(pickle.dumps(transform(module_level_loss)))
        want = transform(module_level_loss)(X)
        got = f(X)
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            numpy.testing.assert_array_equal(g, w)
    g = pickle.loads(pickle.dumps(fad.hvp(module_level_loss)))
    numpy.testing.assert_array_equal(g(X, X), fad.hvp(module_level_loss)(X, X))


# --------------------------------------------------------------------------------------
# Outputs that are not numbers, and cotangents of the wrong kind
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f, named",
    [
        (lambda x: None, "None"),
        (lambda x: (v for v in [x]), "generator"),
        (lambda x: "x", "str"),
        (lambda x: True, "bool"),
        (lambda x: x > 0, "booleans"),
    ],
    ids=["None", "generator", "str", "bool", "boolean array"],
)
@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "jacobian", "pullback"])
def test_an_output_that_is_not_a_number_is_an_error(f, named, transform):
    call = {
        "grad": lambda: fad.grad(f)(1.0),
        "value_and_grad": lambda: fad.value_and_grad(f)(1.0),
        "jacobian": lambda: fad.jacobian(f)(1.0),
        "pullback": lambda: fad.pullback(f, 1.0),
    }[transform]
    with pytest.raises(TypeError, match=f"returned .*{named}"):
        call()


def test_a_complex_cotangent_for_a_real_output_is_an_error():
    _, back = fad.pullback(np.sin, X)
    with pytest.raises(TypeError, match="complex cotangent .*complex128.* real output .*float64"):
        back(X * (1 + 1j))
    with pytest.raises(TypeError, match="complex cotangent"):
        fad.vjp(lambda x: np.sin(x))(None, 1j, 0.5)


# --------------------------------------------------------------------------------------
# Inputs changed after the forward pass
# --------------------------------------------------------------------------------------


def test_pullback_gives_the_derivative_at_the_point_it_was_called_with():
    x = X.copy()
    _, back = fad.pullback(lambda x: np.sum(np.sin(x)), x)
    x[:] = 0.0  # the caller changes the input in place, then asks for the derivative
    numpy.testing.assert_array_equal(back(1.0)[0], numpy.cos(X))


def test_pullback_keeps_a_strided_input_as_it_was_laid_out():
    base = numpy.arange(24.0).reshape(4, 6)
    view = base[::-1, ::2]
    y, back = fad.pullback(lambda v: np.ravel(v, "K"), view)
    numpy.testing.assert_array_equal(y, numpy.ravel(view, "K"))
    base[:] = -1.0
    numpy.testing.assert_array_equal(back(numpy.ones(view.size))[0], numpy.ones(view.shape))


# --------------------------------------------------------------------------------------
# Gradients are ordinary arrays; methods and NumPy functions that would drop the trace
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduce", [np.sum, np.mean, lambda x: np.sum(np.broadcast_to(x, (4, 3)))])
def test_gradients_are_writable_arrays(reduce):
    g = fad.grad(reduce)(X)
    assert isinstance(g, numpy.ndarray) and g.flags.writeable
    g *= 2.0  # an ordinary array: no read-only broadcast view


def test_boolean_valued_numpy_functions_run_on_the_values():
    def f(x):
        close = numpy.allclose(x, X) and numpy.isclose(x, X).all() and numpy.array_equal(x, X)
        return np.sum(x * x) * (1.0 if close else 0.0)

    numpy.testing.assert_array_equal(fad.grad(f)(X), 2 * X)


def test_hvp_with_a_wrongly_shaped_v_names_hvp():
    with pytest.raises(ValueError, match=r"fad.hvp: v has a leaf of shape \(2,\)"):
        fad.hvp(lambda x: np.sum(x**3))(X, numpy.ones(2))
    with pytest.raises(TypeError, match="fad.hvp: v must have the structure of x"):
        fad.hvp(lambda p: np.sum(p["a"] ** 3))({"a": X}, X)


def test_a_closed_over_value_is_the_callers():
    # Only the inputs are copied: a closed-over array is read when the function runs.
    c = numpy.array([1.0, 2.0, 3.0])
    numpy.testing.assert_array_equal(fad.grad(lambda x: np.sum(x * c))(X), c)
