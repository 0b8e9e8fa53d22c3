"""Every fad.numpy rule against finite differences and by the adjoint test, to second order.

One table lists each differentiable function with a Hypothesis strategy for its
arguments (shapes, broadcasting pairs and values on the function's domain);
one property test runs ``fad.testing.check_grads`` over the table, which checks
reverse mode by ``<ybar, J v> = <J^T ybar, v>`` against central differences and forward
mode against the same differences, for first and second derivatives.
"""

import importlib
import pkgutil

import numpy
import pytest
import rule_tables
from hypothesis import given

import fad
import fad.numpy as np
from fad.testing import check_grads
from fad.testing import strategies as fst

TABLE = {}
for _module in pkgutil.iter_modules(rule_tables.__path__):
    if _module.name != "common":
        _group = importlib.import_module(f"rule_tables.{_module.name}").TABLE
        assert not set(_group) & set(TABLE), f"rule_tables.{_module.name} repeats names"
        TABLE.update(_group)

NAMESPACES = {
    "": "fad.numpy",
    "linalg.": "fad.numpy.linalg",
    "fft.": "fad.numpy.fft",
    "scipy.special.": "fad.scipy.special",
    "scipy.integrate.": "fad.scipy.integrate",
    "scipy.stats.": "fad.scipy.stats",
    "scipy.linalg.": "fad.scipy.linalg",
    "scipy.signal.": "fad.scipy.signal",
}


def resolve(key):
    """The public function a table key names: ``"sin"``, ``"linalg.det"``, ``"power:variant"``."""
    name = key.split(":")[0]
    for prefix, module in sorted(NAMESPACES.items(), key=lambda kv: -len(kv[0])):
        if name.startswith(prefix):
            return getattr(importlib.import_module(module), name[len(prefix):])
    raise KeyError(key)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_rule_against_finite_differences(name):
    @given(TABLE[name])
    def check(case):
        f, args = case
        check_grads(f, *args, order=2, modes=("rev", "fwd"))

    check()


def public_functions():
    for prefix, module_name in NAMESPACES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # fad.scipy needs the optional SciPy
            continue
        for name in module.__all__:
            yield prefix + name, getattr(module, name)


def test_every_differentiable_function_is_in_the_table():
    tabled = {id(resolve(key)) for key in TABLE}
    missing = [
        name
        for name, f in public_functions()
        if callable(f) and getattr(f, "differentiable", True) and id(f) not in tabled
    ]
    assert not missing, f"public differentiable functions with no entry in the rule table: {missing}"


@given(fst.arrays(fst.shapes(min_dims=1)))
def test_no_derivative_functions_run_on_traced_values(x):
    def f(x):
        mask = (x > 0) & np.isfinite(x)
        k = np.argmax(x)
        assert np.shape(x) == x.shape and np.ndim(x) == x.ndim
        return np.sum(np.where(mask, x, 0.0)) + x.ravel()[k] * np.sign(x).sum()

    numpy.testing.assert_allclose(
        fad.grad(f)(x),
        (x > 0) + numpy.eye(x.size)[numpy.argmax(x)].reshape(x.shape) * numpy.sign(x).sum(),
    )


def test_numpy_functions_dispatch_to_fad():
    def f(x):
        return numpy.sum(numpy.sin(x) * numpy.exp(x) + numpy.ones(3) @ numpy.reshape(x, (3, 1)))

    x = numpy.array([0.1, 0.2, 0.3])
    want = numpy.cos(x) * numpy.exp(x) + numpy.sin(x) * numpy.exp(x) + 3.0  # the scalar is added 3 times
    numpy.testing.assert_allclose(fad.grad(f)(x), want)


def test_methods_of_traced_arrays():
    def f(x):
        return (x.T @ x).sum() + x.reshape(-1).dot(x.ravel()) + x.mean(axis=0).sum() + x.astype("float32").sum()

    x = numpy.arange(6.0).reshape(2, 3)
    numpy.testing.assert_allclose(fad.grad(f)(x), 2 * x.sum(axis=1, keepdims=True) * numpy.ones((2, 3)) + 2 * x + 1.5)


def test_getitem_repeated_indices_accumulate():
    g = fad.grad(lambda x: np.sum(x[numpy.array([0, 0, 2, 0])] * numpy.array([1.0, 2.0, 3.0, 4.0])))(numpy.zeros(3))
    numpy.testing.assert_array_equal(g, [7.0, 0.0, 3.0])


def test_maximum_shares_the_gradient_at_ties():
    gx, gy = fad.grad(lambda x, y: np.maximum(x, y), argnums=(0, 1))(1.0, 1.0)
    assert gx == gy == 0.5
