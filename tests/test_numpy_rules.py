"""Every fad.numpy rule against finite differences and by the adjoint test, to second order.

One table lists each differentiable function with a Hypothesis strategy for its
arguments (shapes, broadcasting pairs and values on the function's domain);
one property test runs ``fad.testing.check_grads`` over the table, which checks
reverse mode by ``<ybar, J v> = <J^T ybar, v>`` against central differences and forward
mode against the same differences, for first and second derivatives.
"""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fad
import fad.numpy as np
from fad.testing import check_grads
from fad.testing import strategies as fst


def unary(f, dtype=None, **domain):
    """Arguments for an elementwise function: one array of any small shape (float64 or 32)."""
    return fst.arrays(fst.shapes(), dtype or fst.dtypes(), **domain).map(lambda x: (f, (x,)))


def binary(f, lo=-3.0, hi=3.0, lo2=None, hi2=None, dtype=None, **domain):
    """Arguments for a broadcasting binary function: a mutually broadcastable pair."""

    @st.composite
    def draw(draw_):
        s1, s2 = draw_(fst.broadcastable_shapes())
        d = draw_(dtype or fst.dtypes())
        x1 = draw_(fst.arrays(s1, d, lo=lo, hi=hi, **domain))
        x2 = draw_(fst.arrays(s2, d, lo=lo if lo2 is None else lo2, hi=hi if hi2 is None else hi2, **domain))
        return f, (x1, x2)

    return draw()


@st.composite
def apart(draw, f):
    """A broadcasting pair whose elements are never within 0.5 of each other (no ties)."""
    s1, s2 = draw(fst.broadcastable_shapes())
    grid = st.integers(-4, 4)
    x1 = draw(st.lists(grid, min_size=int(numpy.prod(s1)), max_size=int(numpy.prod(s1))))
    x2 = draw(st.lists(grid, min_size=int(numpy.prod(s2)), max_size=int(numpy.prod(s2))))
    return f, (numpy.reshape(x1, s1) + 0.25, numpy.reshape(x2, s2) - 0.25)


@st.composite
def reductions(draw, reduce):
    x = draw(fst.arrays(fst.shapes(min_dims=0)))
    ndim = x.ndim
    axis = draw(st.none() | (st.integers(-ndim, ndim - 1) if ndim else st.none()))
    if ndim >= 2 and draw(st.booleans()):
        axis = tuple(sorted(draw(st.sets(st.integers(0, ndim - 1), min_size=1, max_size=ndim))))
    keepdims = draw(st.booleans())
    return (lambda x: reduce(x, axis=axis, keepdims=keepdims)), (x,)


@st.composite
def reshapes(draw):
    x = draw(fst.arrays(fst.shapes(min_dims=1)))
    shapes = [(-1,), (x.size, 1), (1,) + x.shape, x.shape[::-1]]
    shape = draw(st.sampled_from(shapes))
    return (lambda x: np.reshape(x, shape)), (x,)


@st.composite
def transposes(draw):
    x = draw(fst.arrays(fst.shapes(min_dims=1)))
    axes = draw(st.none() | st.permutations(range(x.ndim)).map(tuple))
    return (lambda x: np.transpose(x, axes)), (x,)


@st.composite
def matmuls(draw, f=np.matmul):
    m, k, n, b = (draw(st.integers(1, 3)) for _ in range(4))
    case = draw(st.sampled_from(["vv", "mv", "vm", "mm", "batch", "broadcast"]))
    shapes = {
        "vv": ((k,), (k,)),
        "mv": ((m, k), (k,)),
        "vm": ((k,), (k, n)),
        "mm": ((m, k), (k, n)),
        "batch": ((b, m, k), (k, n)),
        "broadcast": ((2, 1, m, k), (b, k, n)),
    }[case]
    if f is np.dot and case in ("batch", "broadcast"):
        shapes = ((), (m, k))
    a, c = (draw(fst.arrays(s, lo=-2.0, hi=2.0)) for s in shapes)
    return f, (a, c)


@st.composite
def indexings(draw):
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3, min_side=2)))
    n = x.shape[0]
    index = draw(
        st.sampled_from(
            [
                0,
                -1,
                slice(None, None, 2),
                slice(1, None),
                (Ellipsis, 0),
                (slice(None), None),
                numpy.array([0, 0, n - 1, 0]),  # repeated indices accumulate
                [1, 0, 1],
                x > 0,  # boolean mask
                (numpy.array([0, 1]), ...),
            ]
        )
    )
    return (lambda x: x[index]), (x,)


@st.composite
def wheres(draw):
    sc, s1, s2 = draw(fst.broadcastable_shapes(n=3))
    cond = draw(st.lists(st.booleans(), min_size=int(numpy.prod(sc)), max_size=int(numpy.prod(sc))))
    cond = numpy.reshape(cond, sc)
    x1, x2 = draw(fst.arrays(s1)), draw(fst.arrays(s2))
    return (lambda a, b: np.where(cond, a, b)), (x1, x2)


@st.composite
def joins(draw, join):
    ndim = draw(st.integers(1, 3))
    base = list(draw(fst.shapes(min_dims=ndim, max_dims=ndim)))
    axis = draw(st.integers(-ndim, ndim - 1))
    count = draw(st.integers(1, 3))
    shapes = []
    for _ in range(count):
        s = list(base)
        if join is np.concatenate:
            s[axis] = draw(st.integers(1, 3))
        shapes.append(tuple(s))
    xs = tuple(draw(fst.arrays(s)) for s in shapes)
    return (lambda *xs: join(list(xs), axis=axis)), xs


@st.composite
def arrays_of_traced_scalars(draw):
    a, b = draw(fst.floats()), draw(fst.floats())
    return (lambda a, b: np.array([[a, b * 2.0], [1.0, a * b]])), (a, b)


@st.composite
def broadcasts(draw):
    small, big = draw(fst.broadcastable_shapes())
    shape = numpy.broadcast_shapes(small, big)
    x = draw(fst.arrays(small))
    return (lambda x: np.broadcast_to(x, shape)), (x,)


@st.composite
def astypes(draw):
    x = draw(fst.arrays(dtype=numpy.float64, lo=-2.0, hi=2.0))
    return (lambda x: np.astype(x, numpy.float32) * numpy.float32(2.0)), (x,)


TABLE = {
    # elementwise, unary
    "negative": unary(np.negative),
    "exp": unary(np.exp, lo=-4.0, hi=4.0),
    "log": unary(np.log, lo=0.0, open_lo=True),
    "sin": unary(np.sin),
    "cos": unary(np.cos),
    "tanh": unary(np.tanh, lo=-3.0, hi=3.0),
    "sqrt": unary(np.sqrt, lo=0.0, open_lo=True, min_distance=0.2),
    "absolute": unary(np.absolute, avoid=(0.0,)),
    # binary, broadcasting
    "add": binary(np.add),
    "subtract": binary(np.subtract),
    "multiply": binary(np.multiply),
    "divide": binary(np.divide, lo2=0.5, hi2=3.0),
    "power": binary(np.power, lo=0.5, hi=2.0, lo2=-2.0, hi2=2.0),
    "power-integer-exponent": unary(lambda x: x**3, lo=-2.0, hi=2.0),
    "maximum": apart(np.maximum),
    "minimum": apart(np.minimum),
    # reductions and broadcasting
    "sum": reductions(np.sum),
    "mean": reductions(np.mean),
    "broadcast_to": broadcasts(),
    # shape
    "reshape": reshapes(),
    "transpose": transposes(),
    "swapaxes": fst.arrays(fst.shapes(min_dims=2)).map(lambda x: (lambda x: np.swapaxes(x, 0, -1), (x,))),
    "expand_dims": fst.arrays().map(lambda x: (lambda x: np.expand_dims(x, 0), (x,))),
    "ravel": fst.arrays().map(lambda x: (np.ravel, (x,))),
    "astype": astypes(),
    # products
    "matmul": matmuls(),
    "dot": matmuls(np.dot),
    # indexing and selection
    "getitem": indexings(),
    "where": wheres(),
    # construction
    "concatenate": joins(np.concatenate),
    "stack": joins(np.stack),
    "array": arrays_of_traced_scalars(),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_rule_against_finite_differences(name):
    @given(TABLE[name])
    def check(case):
        f, args = case
        check_grads(f, *args, order=2, modes=("rev", "fwd"))

    check()


DIFFERENTIABLE = [
    "negative", "exp", "log", "sin", "cos", "tanh", "sqrt", "absolute",
    "add", "subtract", "multiply", "divide", "power", "maximum", "minimum",
    "sum", "mean", "broadcast_to", "reshape", "transpose", "swapaxes", "expand_dims", "ravel",
    "astype", "matmul", "dot", "getitem", "where", "concatenate", "stack", "array",
]  # fmt: skip


def test_every_differentiable_function_is_in_the_table():
    no_derivative = {
        "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "shape", "ndim", "size",
        "zeros_like", "ones_like", "empty_like", "full_like", "sign", "floor", "ceil", "round", "rint",
        "trunc", "argmax", "argmin", "argsort", "isfinite", "isnan", "isinf", "nonzero", "logical_and",
        "logical_or", "logical_not", "result_type",
    }  # fmt: skip
    aliases = {"abs": "absolute", "true_divide": "divide", "asarray": "array"}
    public = set(np.__all__) - no_derivative
    assert {aliases.get(n, n) for n in public} == set(DIFFERENTIABLE)
    assert set(DIFFERENTIABLE) <= set(TABLE)


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
