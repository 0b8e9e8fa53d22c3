"""fad.tape: the tape as data, its backward fold, its table and the program it amounts to."""

import numpy
import pytest

import fad
import fad.numpy as np
import fad.scipy.special as sp


def sigmoid(w, a, b):
    return 1 / (1 + np.exp(-(w * a + b)))


def test_printing_is_the_note_decomposition():
    assert str(fad.tape(sigmoid)(0.5, 2.0, 0.1)).splitlines()[:2] == ["t1 = multiply(w, a)", "t2 = add(t1, b)"]


def test_cotangents_are_the_backward_fold_by_name():
    t = fad.tape(sigmoid)(0.5, 2.0, 0.1)
    xbar = t.cotangents()
    assert list(xbar) == ["w", "a", "b", "t1", "t2", "t3", "t4", "t5", "t6"]
    assert (xbar["w"], xbar["a"], xbar["b"]) == fad.grad(sigmoid, argnums=(0, 1, 2))(0.5, 2.0, 0.1)
    assert xbar["t6"] == 1.0 and xbar["t3"] == -xbar["t2"]
    assert t.cotangents(2.0)["w"] == 2 * xbar["w"]


def test_cotangents_of_an_unreached_node_are_zero():
    t = fad.tape(lambda x: np.sum(x) + 0 * np.sum(np.sin(x)))(numpy.ones(2))
    assert all(numpy.all(numpy.isfinite(v)) for v in t.cotangents().values())
    unused = fad.tape(lambda x, y: x * 2.0)(1.0, 3.0).cotangents()
    assert unused["y"] == 0.0


def test_cotangents_of_a_non_scalar_output_need_ybar():
    t = fad.tape(lambda x: x * 2.0)(numpy.ones(3))
    with pytest.raises(TypeError, match="ybar"):
        t.cotangents()
    numpy.testing.assert_array_equal(t.cotangents(numpy.arange(3.0))["x"], 2 * numpy.arange(3.0))


def test_table_has_values_cotangents_and_source_lines():
    table = fad.tape(sigmoid)(0.5, 2.0, 0.1).table().splitlines()
    assert table[0].split() == ["name", "operation", "value", "cotangent", "line"]
    row = next(r for r in table if r.startswith("t4"))
    assert "exp(t3)" in row and "0.332871" in row and "-0.56289" in row
    assert row.endswith(f"{__file__}:{sigmoid.__code__.co_firstlineno + 1}")
    with numpy.errstate(invalid="ignore"):
        assert "1 nan" in fad.tape(lambda x: np.sum(np.log(x)))(numpy.array([-1.0, 1.0])).table()


def test_source_lines_are_recorded_only_for_tape():
    from fad.core import Trace

    assert Trace("grad").lines is None
    assert len(fad.tape(sigmoid)(0.5, 2.0, 0.1).lines) == 6


def _same(a, b):
    a, b = numpy.asarray(a), numpy.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


FUNCTIONS = {
    "sigmoid": (sigmoid, (0.5, 2.0, 0.1)),
    "sin squared": (lambda x: np.sum(np.sin(x) ** 2), (numpy.linspace(0.1, 1, 4),)),
    "matmul": (lambda x, y: np.sum(x @ y), (numpy.arange(6.0).reshape(2, 3), numpy.full((3, 2), 0.3))),
    "reversed": (lambda x: np.sum(np.tanh(x) * x[::-1]), (numpy.linspace(-1, 1, 5),)),
    "max and mean": (lambda x: np.max(x) + np.mean(x**3), (numpy.array([1.0, 3.0, 2.0]),)),
    "norm": (lambda x: np.linalg.norm(x), (numpy.array([3.0, 4.0]),)),
    "leaky relu": (lambda x: np.sum(np.where(x > 0, x, 0.1 * x)), (numpy.array([1.0, -2.0]),)),
    "float32": (lambda x: np.sum(np.exp(x) * 0.1), (numpy.array([1.0, -2.0], numpy.float32),)),
    "inverse": (lambda x: np.sum(np.linalg.inv(x)), (numpy.array([[2.0, 1.0], [0.5, 3.0]]),)),
    "logsumexp": (lambda x: sp.logsumexp(x), (numpy.array([1.0, 2.0, 3.0]),)),
    "cumsum and sort": (lambda x: np.sum(np.cumsum(x) * np.sort(x)), (numpy.array([3.0, 1.0, 2.0]),)),
    "softmax": (lambda x: sp.softmax(x)[0], (numpy.array([0.3, -1.0, 2.0]),)),
    "x used twice": (lambda x: x * x * x, (1.7,)),
    "constant output part": (lambda x, y: x * 2.0 + np.sin(y) * 0.0, (1.5, 0.5)),
    "getitem": (lambda x: x[1] * x[0] + np.sum(x[numpy.array([0, 0, 2])]), (numpy.array([1.0, 2.0, 3.0]),)),
    "det and solve": (
        lambda a, b: np.linalg.det(a) + np.sum(np.linalg.solve(a, b)),
        (numpy.array([[2.0, 1.0], [0.5, 3.0]]), numpy.array([1.0, -1.0])),
    ),
    "nan gradient": (lambda x: np.sqrt(x), (0.0,)),
    "power": (lambda x: x**0.5 + x**3, (2.0,)),
    "std": (lambda x: np.std(x) + np.var(x), (numpy.array([1.0, 2.5, 4.0]),)),
    "concatenate": (lambda x: np.sum(np.concatenate([x, x * 2]) ** 2), (numpy.array([1.0, 2.0]),)),
    "eigh (multiple results)": (
        lambda a: np.sum(np.linalg.eigh(a)[0] ** 2) + np.sum(np.linalg.eigh(a)[1][:, 0] ** 2 * numpy.array([1.0, 2.0])),
        (numpy.array([[2.0, 0.5], [0.5, 1.0]]),),
    ),
    "complex": (lambda z: np.real(np.sum(z * z)), (numpy.array([1 + 2j, 0.5 - 1j]),)),
    "an integer argument": (lambda x, n: np.sum(x**n), (numpy.array([1.0, 2.0]), 3)),
    "cumprod (a rule that traces)": (lambda x: np.sum(np.cumprod(x)), (numpy.array([1.0, 2.0, 3.0]),)),
    "a dict": (lambda p: p["w"] * np.exp(p["b"]), ({"w": 2.0, "b": -1.0},)),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_to_source_reproduces_grad_bit_for_bit(name):
    f, xs = FUNCTIONS[name]
    source = fad.tape(f)(*xs).to_source()
    namespace: dict = {}
    with numpy.errstate(all="ignore"):
        exec(compile(source, f"<to_source {name}>", "exec"), namespace)
        nums = tuple(i for i, x in enumerate(xs) if not isinstance(x, int))
        want = fad.tree.flatten(fad.grad(f, argnums=nums)(*xs))[0]
    assert len(namespace["xbars"]) == len(want)
    for got, expected in zip(namespace["xbars"], want):
        assert type(got) is type(expected) and _same(got, expected), (got, expected)


def test_to_source_reads_as_numpy():
    source = fad.tape(lambda x: np.exp(np.sin(x)))(0.5).to_source()
    assert "t1 = numpy.sin(x)" in source and "t2 = numpy.exp(t1)" in source
    assert "# backward" in source and source.rstrip().endswith("xbars = (x_bar,)")


def test_to_source_refuses_a_local_primitive():
    with pytest.raises(TypeError, match="top level of a module"):
        fad.tape(fad.checkpoint(np.sin))(0.5).to_source()
