"""Inputs and outputs in containers; gradients come back in the input's structure and dtype."""

import dataclasses
from typing import NamedTuple

import numpy
import pytest
from hypothesis import given

import fad
import fad.numpy as np
from fad.testing import strategies as fst
from fad.tree import flatten, unflatten


class Params(NamedTuple):
    w: numpy.ndarray
    b: float


@dataclasses.dataclass
class Layer:
    w: numpy.ndarray
    b: numpy.ndarray


def test_every_container_kind():
    x = {
        "tuple": (1.0, 2.0),
        "list": [3.0],
        "named": Params(numpy.array([1.0, 2.0]), 0.5),
        "data": Layer(numpy.ones((2, 2)), numpy.zeros(2)),
        "nested": [{"a": (4.0,)}],
    }

    def loss(p):
        total = p["tuple"][0] * p["tuple"][1] + p["list"][0] ** 2
        total = total + np.sum(p["named"].w) * p["named"].b
        total = total + np.sum(p["data"].w @ p["data"].b + 1.0)
        return total + p["nested"][0]["a"][0]

    g = fad.grad(loss)(x)
    assert g["tuple"] == (2.0, 1.0) and g["list"] == [6.0]
    assert isinstance(g["named"], Params) and g["named"].b == 3.0
    numpy.testing.assert_array_equal(g["named"].w, [0.5, 0.5])
    assert isinstance(g["data"], Layer)
    numpy.testing.assert_array_equal(g["data"].w, numpy.zeros((2, 2)))
    numpy.testing.assert_array_equal(g["data"].b, [2.0, 2.0])
    assert g["nested"] == [{"a": (1.0,)}]


@given(fst.containers(fst.arrays(lo=-2.0, hi=2.0)))
def test_gradient_has_the_structure_shape_and_dtype_of_the_input(tree):
    leaves, treedef = flatten(tree)

    def f(t):
        return sum(np.sum(np.sin(x)) for x in flatten(t)[0])

    g = fad.grad(f)(tree)
    g_leaves, g_def = flatten(g)
    assert g_def == treedef
    for x, gx in zip(leaves, g_leaves):
        assert gx.shape == x.shape and gx.dtype == x.dtype
        numpy.testing.assert_allclose(gx, numpy.cos(x))
    assert unflatten(treedef, g_leaves) is not None


@pytest.mark.parametrize("dtype", [numpy.float16, numpy.float32, numpy.float64, numpy.complex64, numpy.complex128])
def test_dtype_is_preserved(dtype):
    x = numpy.ones(3, dtype)
    if numpy.issubdtype(dtype, numpy.complexfloating):
        g = fad.elementwise_grad(lambda x: x * 2.0)(x)
    else:
        g = fad.grad(lambda x: np.sum(np.tanh(x) * 0.5))(x)
    assert g.dtype == dtype and g.shape == x.shape


def test_scalar_types_are_preserved():
    assert type(fad.grad(lambda x: x * 3.0)(2.0)) is float
    g32 = fad.grad(lambda x: x * 3.0)(numpy.float32(2.0))
    assert type(g32) is numpy.float32 and g32 == 3.0
    g0d = fad.grad(lambda x: x * 3.0)(numpy.array(2.0))
    assert isinstance(g0d, numpy.ndarray) and g0d.shape == () and g0d == 3.0


def test_float32_in_float32_out_of_mixed_arithmetic():
    w = numpy.ones((3, 2), numpy.float32)
    x = numpy.ones(3)  # float64 data
    g = fad.grad(lambda w: np.sum(np.tanh(x @ w)))(w)
    assert g.dtype == numpy.float32


def test_argnums_tuple_and_has_aux():
    f = lambda x, y: (x * y**2, {"note": "aux"})  # noqa: E731
    (gx, gy), aux = fad.grad(f, argnums=(0, 1), has_aux=True)(2.0, 3.0)
    assert (gx, gy) == (9.0, 12.0) and aux == {"note": "aux"}
    (value, aux), gy = fad.value_and_grad(f, argnums=1, has_aux=True)(2.0, 3.0)
    assert value == 18.0 and gy == 12.0
    assert fad.grad(lambda x, y: x * y, argnums=-1)(2.0, 3.0) == 2.0


def test_aux_does_not_leak_traced_values():
    g, aux = fad.grad(lambda x: (x * x, x * 2.0), has_aux=True)(3.0)
    assert aux == 6.0 and not isinstance(aux, fad.core.Traced)


def test_container_output_pullback_and_jvp():
    f = lambda x: {"s": np.sin(x), "pair": (x * 2.0, x**2)}  # noqa: E731
    x = numpy.array([0.0, 1.0])
    y, back = fad.pullback(f, x)
    ybar = {"s": numpy.ones(2), "pair": (numpy.ones(2), numpy.zeros(2))}
    (xbar,) = back(ybar)
    numpy.testing.assert_allclose(xbar, numpy.cos(x) + 2.0)
    _, ydot = fad.jvp(f)((x,), (numpy.ones(2),))
    numpy.testing.assert_allclose(ydot["pair"][1], 2 * x)
    with pytest.raises(ValueError, match="structure"):
        back({"s": numpy.ones(2)})


def test_constant_and_integer_outputs():
    assert fad.grad(lambda x: 1.0)(2.0) == 0.0
    y, back = fad.pullback(lambda x: (x * 2.0, 3), 1.0)
    assert back((1.0, 0)) == (2.0,)
    assert fad.jacobian(lambda x: np.sum(x) * 0 + 1.0)(numpy.ones(2)).shape == (2,)


def test_jacobian_and_hessian_of_containers_leaf_by_leaf():
    # The output's structure outside, the input's inside; each leaf out.shape + in.shape (as JAX).
    x = {"a": numpy.array([1.0, 2.0]), "b": 3.0}
    J = fad.jacobian(lambda p: {"u": p["a"] * p["b"], "v": np.sum(p["a"])})(x)
    numpy.testing.assert_array_equal(J["u"]["a"], 3.0 * numpy.eye(2))
    numpy.testing.assert_array_equal(J["u"]["b"], [1.0, 2.0])
    numpy.testing.assert_array_equal(J["v"]["a"], [1.0, 1.0])
    assert numpy.shape(J["v"]["b"]) == () and J["v"]["b"] == 0.0
    H = fad.hessian(lambda p: np.sum(p["a"] ** 2) * p["b"])(x)
    numpy.testing.assert_array_equal(H["a"]["a"], 6.0 * numpy.eye(2))
    numpy.testing.assert_array_equal(H["a"]["b"], [2.0, 4.0])
    numpy.testing.assert_array_equal(H["b"]["a"], [2.0, 4.0])
    J2 = fad.jacobian(lambda a, b: (a * b[0], b[1] * 2.0), argnums=(0, 1))(1.5, [2.0, numpy.ones(2)])
    assert J2[0][0] == 2.0 and J2[1][0][0] == 1.5 and numpy.shape(J2[1][1][1]) == (2, 2)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("subclass", ["masked", "matrix"])
def test_ndarray_subclasses_are_refused_at_the_door(subclass):
    x = numpy.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]) if subclass == "masked" else numpy.matrix([[1.0, 2.0]])
    with pytest.raises(TypeError, match="subclass of numpy.ndarray"):
        fad.grad(lambda x: np.mean(x))(x)
