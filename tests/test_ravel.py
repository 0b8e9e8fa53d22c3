"""fad.tree.ravel: every leaf of a container as one vector, and back."""

import collections
import dataclasses

import numpy
import pytest

import fad
import fad.numpy as np
from fad.tree import ravel

Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass
class Layer:
    w: numpy.ndarray
    b: float


def test_round_trip_keeps_structure_shapes_and_dtypes():
    tree = {
        "layer": Layer(numpy.arange(6.0).reshape(2, 3), 0.5),
        "point": Point(numpy.float32(1.5), [numpy.ones(2, numpy.float32)]),
        "empty": (),
        "scalar": numpy.array(2.0),
    }
    v, unravel = ravel(tree)
    assert v.shape == (11,) and v.dtype == numpy.float64
    numpy.testing.assert_array_equal(v, [0, 1, 2, 3, 4, 5, 0.5, 1.5, 1, 1, 2])
    back = unravel(v)
    assert type(back["layer"]) is Layer and type(back["point"]) is Point and back["empty"] == ()
    assert back["layer"].w.shape == (2, 3) and type(back["layer"].b) is float
    assert back["point"].x.dtype == numpy.float32 and back["point"].y[0].dtype == numpy.float32
    assert back["scalar"].shape == ()
    numpy.testing.assert_array_equal(ravel(unravel(3 * v))[0], 3 * v)


def test_leaves_and_empty_trees():
    v, unravel = ravel(2.0)
    assert v.tolist() == [2.0] and unravel(numpy.array([5.0])) == 5.0
    v, unravel = ravel([])
    assert v.shape == (0,) and unravel(v) == []
    v, unravel = ravel(numpy.array([1 + 2j]))
    assert v.dtype == numpy.complex128


def test_unravel_checks_the_length():
    _, unravel = ravel((numpy.ones(2), 1.0))
    with pytest.raises(ValueError, match=r"ravel.*shape \(3,\).*\(4,\)"):
        unravel(numpy.ones(4))


def test_ravel_and_unravel_are_differentiable():
    params = {"w": numpy.array([[1.0, 2.0], [3.0, 4.0]]), "b": numpy.array([0.5, -0.5])}
    v, unravel = ravel(params)

    def loss(v):
        p = unravel(v)
        return np.sum(np.tanh(p["w"] @ p["b"]) ** 2)

    def loss_tree(p):
        return np.sum(np.tanh(p["w"] @ p["b"]) ** 2)

    numpy.testing.assert_allclose(fad.grad(loss)(v), ravel(fad.grad(loss_tree)(params))[0])
    numpy.testing.assert_allclose(fad.grad(lambda p: np.sum(ravel(p)[0] ** 3))(params)["w"], 3 * params["w"] ** 2)
