"""Shape and construction functions (fad/numpy/_shapes.py): NumPy's values, dtypes and containers,
dispatch from plain NumPy, methods, the split primitive, and errors.

Derivatives to second order are checked by the rule table (tests/rule_tables/shapes.py);
these tests check what it does not: that every function gives NumPy's own result, plain
and traced, for the arguments NumPy accepts.
"""

import warnings

import numpy
import pytest
from numpy.lib.stride_tricks import as_strided

import fad
import fad.numpy as np
from fad.testing import check_grads

X = numpy.random.default_rng(0).standard_normal((2, 3, 4))


def assert_same(got, want):
    """``got`` is ``want``: the same container type, shapes, dtypes and values."""
    if isinstance(want, (list, tuple)):
        assert type(got) is type(want), (type(got), type(want))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
        return
    got = fad.core.untraced(got)
    assert numpy.shape(got) == numpy.shape(want) and numpy.result_type(got) == numpy.result_type(want), (
        numpy.shape(got), numpy.result_type(got), numpy.shape(want), numpy.result_type(want))  # fmt: skip
    tol = 1e-6 if numpy.result_type(want) == numpy.float32 else 1e-12  # rounding, relative to the largest value
    numpy.testing.assert_allclose(got, want, rtol=tol, atol=tol * numpy.max(numpy.abs(want), initial=1.0))


# Each case is ``f(m, x)`` with ``m`` the module (numpy or fad.numpy) and ``x`` the array.
CASES = {
    "reshape F": lambda m, x: m.reshape(x, (4, 6), order="F"),
    "reshape A of an F-ordered array": lambda m, x: m.reshape(m.transpose(x), (4, -1), order="A"),
    "ravel F": lambda m, x: m.ravel(x, "F"),
    "ravel K": lambda m, x: m.ravel(m.transpose(x, (2, 0, 1))[::-1, :, ::2], "K"),
    "squeeze": lambda m, x: m.squeeze(x[:, :1], 1),
    "expand_dims tuple": lambda m, x: m.expand_dims(x, (0, -1)),
    "atleast_3d several": lambda m, x: m.atleast_3d(x[0, 0], x[0], x[0, 0, 0]),
    "atleast_2d one": lambda m, x: m.atleast_2d(x[0, 0]),
    "moveaxis": lambda m, x: m.moveaxis(x, [0, 1], [-1, 0]),
    "rollaxis": lambda m, x: m.rollaxis(x, 2, 1),
    "rollaxis negative start": lambda m, x: m.rollaxis(x, 0, -1),
    "roll flat": lambda m, x: m.roll(x, 5),
    "roll axes": lambda m, x: m.roll(x, (1, -2, 7), (0, 2, 2)),
    "flip all": lambda m, x: m.flip(x),
    "flip two": lambda m, x: m.flip(x, (0, 2)),
    "flipud": lambda m, x: m.flipud(x),
    "fliplr": lambda m, x: m.fliplr(x),
    **{f"rot90 k={k}": (lambda k: lambda m, x: m.rot90(x, k, (2, 0)))(k) for k in range(-2, 6)},
    "repeat": lambda m, x: m.repeat(x, 2, 1),
    "repeat counts": lambda m, x: m.repeat(x, [1, 0, 3], 1),
    "repeat flat": lambda m, x: m.repeat(x, 2),
    "tile": lambda m, x: m.tile(x[0], (2, 1, 3)),
    "tile int": lambda m, x: m.tile(x, 2),
    "tile zero": lambda m, x: m.tile(x, (0, 1)),
    "split": lambda m, x: m.split(x, 2, 2),
    "split indices": lambda m, x: m.split(x, [3, 1, -1, 10], 2),
    "array_split": lambda m, x: m.array_split(x, 3, -1),
    "hsplit": lambda m, x: m.hsplit(x, [1]),
    "vsplit": lambda m, x: m.vsplit(x, 2),
    "dsplit": lambda m, x: m.dsplit(x, 4),
    "concatenate None": lambda m, x: m.concatenate([x, x[0]], None),
    "concatenate dtype": lambda m, x: m.concatenate([x, x], 1, dtype=numpy.float32),
    "stack dtype": lambda m, x: m.stack([x, x], -1, dtype=numpy.float32),
    "hstack 1-d": lambda m, x: m.hstack([x[0, 0], x[1, 1]]),
    "hstack": lambda m, x: m.hstack([x[0], x[1]]),
    "vstack": lambda m, x: m.vstack([x[0, 0], x[0]]),
    "dstack": lambda m, x: m.dstack([x[0], x[1], 2.0 * x[0]]),
    "column_stack": lambda m, x: m.column_stack([x[0, 0], x[0].T, 2.0 + x[1, 1]]),
    "append": lambda m, x: m.append(x, x[0]),
    "append axis": lambda m, x: m.append(x, x[:1], 0),
    "block": lambda m, x: m.block([[x[0], x[1, :, :1]], [x[0, :1, :], x[0, 0, 0]]]),
    "block 3 levels": lambda m, x: m.block([[[x[0, 0]], [x[1, 0]]]]),
    "block of one": lambda m, x: m.block(x[0]),
    **{f"pad {mode}": (lambda mode: lambda m, x: m.pad(x, ((1, 2), (0, 5), (3, 0)), mode))(mode)
       for mode in ["constant", "edge", "reflect", "symmetric", "wrap"]},  # fmt: skip
    **{f"pad {mode} odd": (lambda mode: lambda m, x: m.pad(x, ((1, 2), (0, 5), (3, 9)), mode, reflect_type="odd"))(mode)
       for mode in ["reflect", "symmetric"]},  # fmt: skip
    "pad values per axis": lambda m, x: m.pad(x, 2, constant_values=((1, 2), (3, 4), (5, 6))),
    "pad values per side": lambda m, x: m.pad(x, (1, 2), constant_values=(7, 8)),
    "pad reflect many times over": lambda m, x: m.pad(x[0, 0], (9, 11), "reflect"),
    "pad symmetric many times over": lambda m, x: m.pad(x[0, :2], (5, 3), "symmetric"),
    "pad wrap many times over": lambda m, x: m.pad(x[0, 0], (9, 11), "wrap"),
    "pad 0-d": lambda m, x: m.pad(x[0, 0, 0], 2),
    "diff": lambda m, x: m.diff(x),
    "diff n prepend append": lambda m, x: m.diff(x, 2, 1, prepend=0.5, append=x[:, :2]),
    "diff n too large": lambda m, x: m.diff(x, 5),
    "gradient": lambda m, x: m.gradient(x),
    "gradient spacing axes": lambda m, x: m.gradient(x, 0.5, axis=(0, 2)),
    "gradient coordinates": lambda m, x: m.gradient(x, [1.0, 1.5], numpy.array([0.0, 0.5, 2.0]), numpy.arange(4)),
    "gradient coordinates 2": lambda m, x: m.gradient(x[0], numpy.array([0.0, 0.5, 2.0]), [0, 1, 2, 5], edge_order=2),
    "gradient uneven 1-d": lambda m, x: m.gradient(x[0, 0], numpy.array([0.0, 0.5, 2.0, 2.1])),
    "gradient edge order 2": lambda m, x: m.gradient(x, 2.0, edge_order=2, axis=-1),
    "linspace": lambda m, x: m.linspace(x[0, 0], x[1, 1], 5, axis=1, retstep=True),
    "linspace scalar": lambda m, x: m.linspace(x[0, 0, 0], 2.0, 7, endpoint=False),
    "linspace one": lambda m, x: m.linspace(x[0, 0], x[0, 1], 1),
    "meshgrid": lambda m, x: m.meshgrid(x[0, 0], x[0, 1, :3], x[1]),
    "meshgrid ij sparse": lambda m, x: m.meshgrid(x[0, 0], x[0, 1, :3], indexing="ij", sparse=True),
    "full": lambda m, x: m.full((2, 3), x[0, 0, 0]),
    "full dtype": lambda m, x: m.full((2, 4), x[0, 0], dtype=numpy.float32),
    "array": lambda m, x: m.array([[x[0, 0, 0], 1.0], [2.0, x[0, 0, 1]]], ndmin=3),
    "array of rows": lambda m, x: m.array((x[0, 0], x[1, 1]), dtype=numpy.float32),
    "astype": lambda m, x: m.asarray(x, dtype=numpy.float32),
}


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
@pytest.mark.parametrize("name", sorted(CASES))
def test_numpys_values_dtypes_and_containers(name, dtype):
    f, x = CASES[name], X.astype(dtype)
    want = f(numpy, x)
    assert_same(f(np, x), want)  # on plain values
    assert_same(fad.pullback(lambda x: f(np, x), x)[0], want)  # on traced values


@pytest.mark.parametrize("name", ["roll axes", "pad reflect odd", "split indices", "gradient coordinates 2", "block"])
def test_float32_cotangents(name):
    x = X.astype(numpy.float32)
    y, back = fad.pullback(lambda x: CASES[name](np, x), x)
    (xbar,) = back(y)
    assert xbar.dtype == numpy.float32


# --------------------------------------------------------------------------------------
# Plain NumPy on traced values, and ndarray methods
# --------------------------------------------------------------------------------------

DISPATCHED = [
    lambda x: numpy.roll(x, 1, 0),
    lambda x: numpy.flip(x, 1),
    lambda x: numpy.rot90(x),
    lambda x: numpy.pad(x, 1, "edge"),
    lambda x: numpy.concatenate(numpy.split(x, 3, axis=1)[::-1], axis=1),
    lambda x: numpy.hstack([x, x]),
    lambda x: numpy.vstack([x, x]),
    lambda x: numpy.block([[x, x]]),
    lambda x: numpy.diff(x, axis=0, prepend=0.0),
    lambda x: numpy.gradient(x, axis=1),
    lambda x: numpy.tile(x, 2),
    lambda x: numpy.repeat(x, 2),
    lambda x: numpy.moveaxis(x, 0, 1),
    lambda x: numpy.atleast_3d(x),
    lambda x: numpy.append(x, x),
    lambda x: numpy.column_stack([x, x]),
    lambda x: numpy.squeeze(numpy.expand_dims(x, 0)),
    lambda x: numpy.reshape(x, (3, 2), order="F"),
    lambda x: numpy.ravel(x, order="F"),
    lambda x: numpy.linspace(x[0], x[1], 4),
    lambda x: numpy.meshgrid(x[0], x[1])[0],
]


@pytest.mark.parametrize("f", DISPATCHED)
def test_numpy_functions_on_traced_values_dispatch_to_fad(f):
    x = numpy.arange(6.0).reshape(2, 3)
    y, back = fad.pullback(f, x)
    numpy.testing.assert_allclose(y, f(x))
    check_grads(f, x, order=1)


@pytest.mark.skipif(not hasattr(numpy, "astype"), reason="numpy.astype is new in NumPy 2.1")
def test_numpy_astype_dispatches():
    assert fad.grad(lambda x: numpy.astype(x, numpy.float32).sum())(numpy.ones(2)).dtype == numpy.float64


def test_methods_of_traced_arrays():
    def f(x):
        return (
            x.reshape(3, 2, order="F").sum() * 1.0
            + (x.reshape((6,)) * numpy.arange(6.0)).sum()
            + (x.ravel("F") * numpy.arange(6.0)).sum()
            + (x.flatten() * numpy.arange(6.0)).sum()
            + x[None].squeeze(0).sum()
            + x.repeat(2, axis=0).sum()
            + x.astype(numpy.float32, casting="same_kind").sum()
        )

    x = numpy.arange(6.0).reshape(2, 3)
    want = 1.0 + 2 * numpy.arange(6.0).reshape(2, 3) + numpy.arange(6.0).reshape(3, 2).T + 1.0 + 2.0 + 1.0
    numpy.testing.assert_allclose(fad.grad(f)(x), want)


def test_astype_method_checks_casting():
    with pytest.raises(TypeError, match="cannot cast float64 to float32 under the rule 'safe'"):
        fad.grad(lambda x: x.astype(numpy.float32, casting="safe").sum())(numpy.ones(2))


# --------------------------------------------------------------------------------------
# split: a primitive with multiple results
# --------------------------------------------------------------------------------------


def test_split_is_one_primitive_whose_vjp_joins_the_pieces():
    tape = fad.tape(lambda x: np.split(x, 3))(numpy.arange(6.0))
    assert [entry.primitive.name for entry in tape.entries] == ["split"]
    assert str(tape).splitlines()[0].startswith("t1, t2, t3 = split(x")
    backward = fad.tape(lambda x: fad.vjp(lambda x: np.split(x, 3))(None, [x[:2], x[2:4], x[4:]], x)[0])
    assert "concatenate" in [entry.primitive.name for entry in backward(numpy.arange(6.0)).entries]


def test_split_cotangents_of_unused_and_overlapping_pieces():
    x = numpy.arange(5.0)
    # pieces [0:3], [3:1] (empty) and [1:5] overlap: their cotangents add up
    g = fad.grad(lambda x: np.sum(np.split(x, [3, 1])[0]) + 10 * np.sum(np.split(x, [3, 1])[2]))(x)
    numpy.testing.assert_array_equal(g, [1.0, 11.0, 11.0, 10.0, 10.0])
    g = fad.grad(lambda x: np.sum(np.array_split(x, 3)[1] ** 2))(x)  # the other pieces are unused
    numpy.testing.assert_array_equal(g, [0.0, 0.0, 4.0, 6.0, 0.0])


def test_split_in_forward_mode_and_nested():
    x = numpy.arange(6.0)
    y, ydot = fad.jvp(lambda x: np.split(x, [1, 4]))((x,), (numpy.ones(6),))
    assert_same(ydot, [numpy.ones(1), numpy.ones(3), numpy.ones(2)])
    h = fad.hessian(lambda x: np.sum(np.hsplit(x, 2)[0] * np.hsplit(x, 2)[1]))(x)
    numpy.testing.assert_array_equal(h, numpy.roll(numpy.eye(6), 3, axis=1))


# --------------------------------------------------------------------------------------
# Construction
# --------------------------------------------------------------------------------------


def test_linspace_in_traced_start_and_stop():
    jac = fad.jacobian(lambda ends: np.linspace(ends[0], ends[1], 5), argnums=0)(numpy.array([1.0, 3.0]))
    numpy.testing.assert_allclose(jac, numpy.stack([1 - numpy.linspace(0, 1, 5), numpy.linspace(0, 1, 5)], axis=1))
    stop = numpy.array([0.7], numpy.float32)
    y = fad.pullback(lambda a: np.linspace(a, stop, 3), numpy.array([0.1], numpy.float32))[0]
    assert y.dtype == numpy.float32 and y[-1] == stop  # the end is stop, exactly
    samples, step = np.linspace(0.0, 1.0, 5, retstep=True)
    assert step == 0.25 and samples.dtype == numpy.float64
    ints = fad.pullback(lambda a: np.linspace(a, 10.0, 4, dtype=int), 1.0)[0]  # no derivative: plain
    numpy.testing.assert_array_equal(ints, numpy.linspace(1.0, 10.0, 4, dtype=int))


def test_array_and_asarray_of_traced_values():
    def f(a, b):
        m = np.array([[a, b], (1.0, a * b)], ndmin=3)
        assert m.shape == (1, 2, 2)
        assert np.asarray(m) is m
        return np.sum(m * m) + np.sum(np.asarray([a, b], dtype=numpy.float32))

    ga, gb = fad.grad(f, argnums=(0, 1))(2.0, 3.0)
    assert (ga, gb) == pytest.approx((2 * 2.0 + 2 * 6.0 * 3.0 + 1, 2 * 3.0 + 2 * 6.0 * 2.0 + 1))


def test_full_and_meshgrid_on_plain_values_are_numpys():
    assert_same(np.full((2, 2), 1.5), numpy.full((2, 2), 1.5))
    assert_same(np.meshgrid([1.0], [2.0, 3.0]), numpy.meshgrid([1.0], [2.0, 3.0]))
    np.full((2, 2), 1.5)[0, 0] = 2.0  # writable, as NumPy's
    np.meshgrid([1.0], [2.0])[0][0, 0] = 2.0


def test_full_of_a_traced_value_sums_the_cotangent():
    assert fad.grad(lambda v: np.sum(np.full((2, 3), v) * numpy.arange(6.0).reshape(2, 3)))(1.0) == 15.0


def test_astype_between_real_and_complex():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning from casting a complex cotangent back
        g = fad.grad(lambda x: np.sum(np.astype(np.astype(x, numpy.complex128) * 2.0, numpy.float64)))(numpy.ones(2))
        numpy.testing.assert_array_equal(g, [2.0, 2.0])
        z = numpy.array([1.0 + 2.0j])
        assert fad.grad(lambda z: np.sum(np.astype(z, numpy.float64)))(z).dtype == numpy.complex128
    assert np.astype(X, numpy.float64, copy=False) is X


# --------------------------------------------------------------------------------------
# Memory order and padding
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_ravel_in_memory_order_reads_as_numpy(seed):
    rng = numpy.random.default_rng(seed)
    ndim = int(rng.integers(1, 5))
    shape = tuple(int(n) for n in rng.integers(1, 4, ndim))
    base = numpy.arange(float(numpy.prod(shape) * 2**ndim)).reshape([2 * n for n in shape])
    view = base[tuple(slice(None, n * s, s) for n, s in zip(shape, rng.integers(1, 3, ndim)))]
    view = view[tuple(slice(None, None, -1) if f else slice(None) for f in rng.integers(0, 2, ndim))]
    view = view.transpose(rng.permutation(ndim))
    if seed % 3 == 0:  # a broadcast (zero-stride) axis
        view = as_strided(view, strides=(0,) + view.strides[1:])
    assert_same(np.ravel(view, "K"), numpy.ravel(view, "K"))
    assert_same(fad.pullback(lambda v: np.ravel(v, "K"), view)[0], numpy.ravel(view, "K"))


def test_pad_with_a_traced_constant_and_corners():
    # later axes fill the corners, as NumPy pads axis by axis
    x = numpy.zeros((1, 1))
    values = numpy.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.pad(x, 1, constant_values=values)
    numpy.testing.assert_array_equal(y, numpy.pad(x, 1, constant_values=values))
    g = fad.grad(lambda c: np.sum(np.pad(x, 1, constant_values=c)), argnums=0)(values)
    numpy.testing.assert_array_equal(g, [[1.0, 1.0], [3.0, 3.0]])  # axis 0's rows are 1 wide, axis 1's 3 tall


def test_pad_cotangents_sum_the_copies():
    g = fad.grad(lambda x: np.sum(np.pad(x, (2, 3), "edge")))(numpy.arange(3.0))
    numpy.testing.assert_array_equal(g, [3.0, 1.0, 4.0])
    for mode in ["wrap", "reflect", "symmetric"]:
        g = fad.grad(lambda x: np.sum(np.pad(x, 4, mode)))(numpy.arange(3.0))
        numpy.testing.assert_array_equal(g, numpy.bincount(numpy.pad(numpy.arange(3), 4, mode)))


# --------------------------------------------------------------------------------------
# Errors: the function, and what to do
# --------------------------------------------------------------------------------------

ERRORS = [
    (lambda x: np.split(x, 4), ValueError, "split: 3 elements do not split into 4 equal sections; use.*array_split"),
    (lambda x: np.array_split(x, 0), ValueError, "array_split: the number of sections must be larger than 0"),
    (lambda x: np.hsplit(x[0], 1), ValueError, "hsplit only works on arrays of 1 or more dimensions"),
    (lambda x: np.vsplit(x, 1), ValueError, "vsplit only works on arrays of 2 or more"),
    (lambda x: np.dsplit(x, 1), ValueError, "dsplit only works on arrays of 3 or more"),
    (lambda x: np.pad(x, 1, "median"), NotImplementedError, "pad: mode 'median' has no derivative rule.*constant"),
    (lambda x: np.pad(x, 1, "bogus"), ValueError, "pad: mode 'bogus' is not supported"),
    (lambda x: np.pad(x, 1, "edge", constant_values=1), ValueError, "unsupported keyword arguments for mode 'edge'"),
    (lambda x: np.pad(x, 1.5), TypeError, "pad_width must be of integral type"),
    (lambda x: np.pad(x, -1), ValueError, "pad_width cannot be negative"),
    (lambda x: np.pad(x[:0], 1, "edge"), ValueError, "can't extend the empty axis 0 in mode 'edge'"),
    (lambda x: np.concatenate([x, x], out=numpy.empty(6)), TypeError, "concatenate.*out=.*immutable"),
    (lambda x: np.stack([x, x], out=numpy.empty((2, 3))), TypeError, "stack.*out=.*immutable"),
    (lambda x: np.concatenate([x, x], dtype=int, casting="safe"), TypeError, "cannot cast float64 to int64"),
    (lambda x: np.moveaxis(x, [0], [0, 0]), ValueError, "moveaxis: repeated axis"),
    (lambda x: np.moveaxis(x, 1, 0), numpy.exceptions.AxisError, "axis 1 is out of bounds"),
    (lambda x: np.rollaxis(x, 0, 3), numpy.exceptions.AxisError, "rollaxis: start must be in"),
    (lambda x: np.rot90(x), ValueError, "rot90: axes=.*out of range"),
    (lambda x: np.rot90(x[None], axes=(0, -2)), ValueError, "rot90: the two axes must be different"),
    (lambda x: np.fliplr(x), ValueError, "fliplr: input must be at least 2-d"),
    (lambda x: np.flip(x, (0, 0)), ValueError, "flip: repeated axis"),
    (lambda x: np.roll(x, [[1]], [[0]]), ValueError, "roll: shift and axis must be scalars or 1-d"),
    (lambda x: np.tile(x, -1), ValueError, "tile: reps must be non-negative"),
    (lambda x: np.diff(x, -1), ValueError, "diff: order must be non-negative"),
    (lambda x: np.diff(x[0]), ValueError, "diff requires input that is at least one dimensional"),
    (lambda x: np.gradient(x[:1]), ValueError, "gradient: axis 0 has 1 elements.*edge_order"),
    (lambda x: np.gradient(x, edge_order=3), ValueError, "gradient: edge_order must be 1 or 2"),
    (lambda x: np.gradient(x, 1.0, 2.0), TypeError, "gradient: give one spacing for all axes or one per axis"),
    (lambda x: np.gradient(x, [[1.0]]), ValueError, "distances must be either scalars or 1d"),
    (lambda x: np.gradient(x, [1.0, 2.0]), ValueError, "distances must match the length"),
    (lambda x: np.block(([x],)), TypeError, r"block: arrays is a tuple; only lists"),
    (lambda x: np.block([[x], x]), ValueError, r"block: the lists in arrays are nested to different depths"),
    (lambda x: np.block([[x], []]), ValueError, r"block: arrays\[1\] cannot be an empty list"),
    (lambda x: np.reshape(x, 3, order="K"), ValueError, "reshape: order must be 'C', 'F' or 'A'"),
    (lambda x: np.linspace(x[0], x[1], -1), ValueError, "linspace: number of samples, -1, must be non-negative"),
    (lambda x: np.meshgrid(x, indexing="xx"), ValueError, "meshgrid: indexing must be 'xy' or 'ij'"),
    (lambda x: np.astype(x, float, device="gpu"), ValueError, "astype: device must be 'cpu'"),
]


@pytest.mark.parametrize("f, error, message", ERRORS)
def test_errors_name_the_function(f, error, message):
    with pytest.raises(error, match=message):
        fad.grad(lambda x: np.sum(f(x)))(numpy.arange(3.0))
