"""Strategies shared by the rule tables: arguments for each kind of function."""

import numpy
from hypothesis import strategies as st

import fad.numpy as np
from fad.testing import strategies as fst

__all__ = ["unary", "binary", "apart", "reductions", "reshapes", "transposes", "matmuls", "indexings", "wheres",
           "joins", "arrays_of_traced_scalars", "broadcasts", "astypes", "cases"]  # fmt: skip


def cases(f, args):
    """A strategy of the one case ``(f, args)``, for tables of fixed examples."""
    return st.just((f, args))


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
def arrays_of_traced_scalars(draw, make=np.array):
    a, b = draw(fst.floats()), draw(fst.floats())
    return (lambda a, b: make([[a, b * 2.0], [1.0, a * b]])), (a, b)


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


