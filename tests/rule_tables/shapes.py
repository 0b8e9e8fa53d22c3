"""The rule table of shape and construction functions (fad/numpy/_shapes.py).

Each entry maps a public name (``name`` or ``name:variant``) to a Hypothesis strategy of
``(function, args)``. Shapes include empty axes and 0-d arrays where NumPy accepts them;
dtypes are float64 and float32. The names the base table already holds (``reshape``,
``ravel``, ``expand_dims``, ``astype``, ``concatenate``, ``stack``, ``array``, ``asarray``)
appear here only as variants for what the overrides add.
"""

import numpy
from hypothesis import strategies as st

import fad.numpy as np
from fad.testing import strategies as fst


def arrays(min_dims=0, max_dims=3, min_side=0, max_side=4, dtype=None, **domain):
    """Arrays of small shapes, empty axes included (``min_side=0``), float64 or float32."""
    shape = fst.shapes(min_dims, max_dims, min_side, max_side)
    return fst.arrays(shape, fst.dtypes() if dtype is None else dtype, **domain)


def unary(f, **shape):
    """``(f, (x,))`` for an array ``x`` drawn by :func:`arrays`."""
    return arrays(**shape).map(lambda x: (f, (x,)))


def axes_of(draw, ndim):
    """None, one axis (possibly negative) or a tuple of distinct axes of an ``ndim``-d array."""
    if ndim == 0:
        return None
    choice = draw(st.sampled_from(["none", "one", "several"]))
    if choice == "none":
        return None
    if choice == "one":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))


def with_shape(draw, shape, dtype=None):
    """An array of exactly ``shape``."""
    return draw(fst.arrays(shape, dtype or draw(fst.dtypes())))


# --------------------------------------------------------------------------------------
# Shape
# --------------------------------------------------------------------------------------


@st.composite
def squeezes(draw):
    x = draw(arrays(max_side=2))
    ones = [i for i, n in enumerate(x.shape) if n == 1]
    axis = draw(st.none() | st.lists(st.sampled_from(ones), unique=True).map(tuple)) if ones else None
    return (lambda x: np.squeeze(x, axis)), (x,)


@st.composite
def orders(draw, f):
    """``reshape``/``ravel`` in Fortran, "A" or memory order, of a transposed (F-ordered) intermediate."""
    x = draw(arrays(min_dims=1, min_side=1))
    order = draw(st.sampled_from(["F", "A", "K"] if f is np.ravel else ["F", "A"]))
    if f is np.ravel:
        return (lambda x: np.ravel(np.transpose(x), order)), (x,)
    shape = draw(st.sampled_from([(-1,), (x.size, 1), x.shape[::-1]]))
    return (lambda x: np.reshape(np.transpose(x), shape, order=order)), (x,)


@st.composite
def expand_dims_tuples(draw):
    x = draw(arrays())
    k = draw(st.integers(1, 2))
    axis = tuple(draw(st.lists(st.integers(-(x.ndim + k), x.ndim + k - 1), min_size=k, max_size=k).filter(
        lambda a: len({i % (x.ndim + k) for i in a}) == k)))  # fmt: skip
    return (lambda x: np.expand_dims(x, axis)), (x,)


@st.composite
def atleasts(draw, f):
    k = draw(st.integers(1, 3))
    xs = tuple(draw(arrays(max_dims=3)) for _ in range(k))
    return f, xs


# --------------------------------------------------------------------------------------
# The order of axes and elements
# --------------------------------------------------------------------------------------


@st.composite
def moveaxes(draw):
    x = draw(arrays(min_dims=1))
    k = draw(st.integers(1, x.ndim))
    source = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=k, max_size=k).filter(
        lambda a: len({i % x.ndim for i in a}) == k))  # fmt: skip
    destination = draw(st.permutations(range(x.ndim)))[:k]
    return (lambda x: np.moveaxis(x, source, destination)), (x,)


@st.composite
def rollaxes(draw):
    x = draw(arrays(min_dims=1))
    axis, start = draw(st.integers(-x.ndim, x.ndim - 1)), draw(st.integers(-x.ndim, x.ndim))
    return (lambda x: np.rollaxis(x, axis, start)), (x,)


@st.composite
def rolls(draw):
    x = draw(arrays())
    if x.ndim == 0 or draw(st.booleans()):
        shift, axis = draw(st.integers(-7, 7)), None
    else:
        axis = draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3))  # repeats add up
        shift = draw(st.lists(st.integers(-7, 7), min_size=len(axis), max_size=len(axis)))
    return (lambda x: np.roll(x, shift, axis)), (x,)


@st.composite
def flips(draw):
    x = draw(arrays())
    axis = axes_of(draw, x.ndim)
    return (lambda x: np.flip(x, axis)), (x,)


@st.composite
def rot90s(draw):
    x = draw(arrays(min_dims=2))
    k = draw(st.integers(-3, 5))
    axes = draw(st.permutations(range(x.ndim)))[:2]
    axes = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    return (lambda x: np.rot90(x, k, axes)), (x,)


# --------------------------------------------------------------------------------------
# Repetition
# --------------------------------------------------------------------------------------


@st.composite
def repeats(draw):
    x = draw(arrays())
    axis = None if x.ndim == 0 or draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.size if axis is None else x.shape[axis]
    counts = draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return (lambda x: np.repeat(x, counts, axis)), (x,)


@st.composite
def tiles(draw):
    x = draw(arrays(max_dims=2))
    reps = draw(st.integers(0, 3) | st.lists(st.integers(0, 2), min_size=1, max_size=3).map(tuple))
    return (lambda x: np.tile(x, reps)), (x,)


# --------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------


def cuts(draw, n, equal):
    """A number of sections (dividing ``n`` when ``equal``) or a list of cut indices (any order)."""
    if draw(st.booleans()):
        return draw(st.sampled_from([k for k in range(1, 5) if not equal or n % k == 0]))
    return draw(st.lists(st.integers(-n - 1, n + 1), max_size=3))


@st.composite
def splits(draw, f):
    min_dims = {np.hsplit: 1, np.vsplit: 2, np.dsplit: 3}.get(f, 1)
    x = draw(arrays(min_dims=min_dims))
    if f in (np.split, np.array_split):
        axis = draw(st.integers(-x.ndim, x.ndim - 1))
        ios = cuts(draw, x.shape[axis], f is np.split)
        return (lambda x: f(x, ios, axis)), (x,)
    axis = {np.hsplit: 1 if x.ndim > 1 else 0, np.vsplit: 0, np.dsplit: 2}[f]
    ios = cuts(draw, x.shape[axis], True)
    return (lambda x: f(x, ios)), (x,)


# --------------------------------------------------------------------------------------
# Joining
# --------------------------------------------------------------------------------------


# The axis (of the inputs as given) along which each function joins arrays of ndim 0, 1, 2, 3;
# None where it stacks them instead, so they must have one shape.
JOIN_AXIS = {
    np.hstack: (None, 0, 1, 1),
    np.vstack: (None, None, 0, 0),
    np.dstack: (None, None, None, 2),
    np.column_stack: (None, None, 1, 1),
}


@st.composite
def stacks(draw, f):
    """One to three arrays of one ndim that ``f`` (hstack, vstack, dstack, column_stack) joins."""
    ndim, dtype = draw(st.integers(0, 3)), draw(fst.dtypes())
    base, axis = list(draw(fst.shapes(ndim, ndim, 1, 3))), JOIN_AXIS[f][ndim]
    shapes = [tuple(draw(st.integers(0, 3)) if i == axis else n for i, n in enumerate(base))
              for _ in range(draw(st.integers(1, 3)))]  # fmt: skip
    xs = tuple(draw(fst.arrays(s, dtype)) for s in shapes)
    return (lambda *xs: f(list(xs))), xs


@st.composite
def appends(draw):
    x = draw(arrays())
    if x.ndim == 0 or draw(st.booleans()):
        values = draw(arrays(max_dims=2, dtype=x.dtype))
        return (lambda x, v: np.append(x, v)), (x, values)
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    shape = list(x.shape)
    shape[axis] = draw(st.integers(0, 2))
    values = with_shape(draw, tuple(shape), x.dtype)
    return (lambda x, v: np.append(x, v, axis)), (x, values)


@st.composite
def blocks(draw):
    """A 2 x 2 arrangement ``[[A, B], [C, D]]`` of blocks that fit, as 2-d or 3-d arrays."""
    dtype = draw(fst.dtypes())
    m1, m2, n1, n2 = (draw(st.integers(1, 3)) for _ in range(4))
    lead = draw(st.sampled_from([(), (2,)]))
    a, b, c, d = (draw(fst.arrays(lead + s, dtype)) for s in [(m1, n1), (m1, n2), (m2, n1), (m2, n2)])
    return (lambda a, b, c, d: np.block([[a, b], [c, d]])), (a, b, c, d)


@st.composite
def joins_with_dtype(draw, f):
    """``concatenate`` and ``stack`` converting float32 inputs to float64, or float64 to float32."""
    x = draw(arrays(min_dims=1, min_side=1, max_dims=2))
    y = draw(fst.arrays(x.shape, x.dtype))
    dtype = numpy.float64 if x.dtype == numpy.float32 else numpy.float32
    axis = None if f is np.concatenate and draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    return (lambda x, y: f([x, y], axis, dtype=dtype, casting="unsafe")), (x, y)


# --------------------------------------------------------------------------------------
# Padding and differences
# --------------------------------------------------------------------------------------


@st.composite
def pads(draw, traced_value=False):
    x = draw(arrays(min_side=1))
    mode = "constant" if traced_value else draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]))
    width = draw(st.sampled_from(["all", "sides", "axes"] if x.ndim else ["all", "sides"]))
    width = {
        "all": lambda: draw(st.integers(0, 5)),
        "sides": lambda: (draw(st.integers(0, 3)), draw(st.integers(0, 5))),
        "axes": lambda: tuple((draw(st.integers(0, 5)), draw(st.integers(0, 2))) for _ in range(x.ndim)),
    }[width]()
    options = {}
    if mode in ("reflect", "symmetric"):
        options["reflect_type"] = draw(st.sampled_from(["even", "odd"]))
    if mode == "constant" and not traced_value and draw(st.booleans()):
        options["constant_values"] = draw(st.floats(-3, 3))
    if traced_value:
        c = draw(fst.arrays(draw(st.sampled_from([(), (2,), (x.ndim, 2)])), x.dtype))
        return (lambda x, c: np.pad(x, width, constant_values=c)), (x, c)
    return (lambda x: np.pad(x, width, mode, **options)), (x,)


@st.composite
def diffs(draw, ends=False):
    x = draw(arrays(min_dims=1))
    n, axis = draw(st.integers(0, 3)), draw(st.integers(-x.ndim, x.ndim - 1))
    if not ends:
        return (lambda x: np.diff(x, n, axis)), (x,)
    shape = list(x.shape)
    shape[axis] = draw(st.integers(1, 2))
    p = draw(st.sampled_from([(), tuple(shape)]))
    before, after = draw(fst.arrays(p, x.dtype)), draw(fst.arrays(tuple(shape), x.dtype))
    return (lambda x, p, q: np.diff(x, n, axis, prepend=p, append=q)), (x, before, after)


@st.composite
def gradients(draw, coordinates=False):
    edge_order = draw(st.sampled_from([1, 2]))
    # in float32, the cancellations of the derivative in the coordinates are below finite differences' noise
    x = draw(arrays(1, 2, edge_order + 1, 3 if coordinates else 4, numpy.float64 if coordinates else None))
    axis = None if coordinates else axes_of(draw, x.ndim)
    if not coordinates:
        spacing = draw(st.sampled_from([(), (0.5,), (2.0,)]))
        return (lambda x: np.gradient(x, *spacing, axis=axis, edge_order=edge_order)), (x,)
    # coordinates at least 0.5 apart: the derivative in them stays within finite differences' reach
    n = x.shape[0]
    steps = draw(fst.arrays((n,), x.dtype, lo=0.5, hi=2.0))
    coords = numpy.cumsum(steps).astype(x.dtype)
    return (lambda x, t: np.gradient(x, t, axis=0, edge_order=edge_order)), (x, coords)


# --------------------------------------------------------------------------------------
# Construction
# --------------------------------------------------------------------------------------


@st.composite
def fulls(draw):
    value = draw(arrays(max_dims=1, min_side=1, max_side=1))
    shape = draw(fst.shapes(0, 2, 0, 3)) + value.shape
    return (lambda v: np.full(shape, v)), (value,)


@st.composite
def linspaces(draw):
    (s1, s2) = draw(fst.broadcastable_shapes(max_dims=2))
    dtype = draw(fst.dtypes())
    start, stop = draw(fst.arrays(s1, dtype)), draw(fst.arrays(s2, dtype))
    num, endpoint = draw(st.integers(0, 5)), draw(st.booleans())
    ndim = 1 + len(numpy.broadcast_shapes(s1, s2))
    axis = draw(st.integers(-ndim, ndim - 1))
    return (lambda a, b: np.linspace(a, b, num, endpoint, axis=axis)), (start, stop)


@st.composite
def meshgrids(draw):
    k = draw(st.integers(1, 3))
    dtype = draw(fst.dtypes())
    xs = tuple(draw(fst.arrays(fst.shapes(1, 1, 0, 3), dtype)) for _ in range(k))
    indexing, sparse = draw(st.sampled_from(["xy", "ij"])), draw(st.booleans())
    return (lambda *xs: np.meshgrid(*xs, indexing=indexing, sparse=sparse)), xs


@st.composite
def nested_arrays(draw):
    """``array`` of traced rows and scalars, with ``ndmin`` and ``dtype``."""
    row = draw(arrays(min_dims=1, max_dims=1, min_side=1))
    a = draw(fst.floats())
    ndmin, dtype = draw(st.integers(0, 4)), draw(st.sampled_from([None, numpy.float64, numpy.float32]))
    return (lambda r, a: np.array([r, r * a, [a] * len(r)], dtype=dtype, ndmin=ndmin)), (row, a)


@st.composite
def complex_casts(draw):
    x = draw(arrays())
    if draw(st.booleans()):
        return (lambda x: np.astype(x, numpy.complex128) + 1j), (x,)
    z = draw(arrays(dtype=fst.dtypes("complex128", "complex64")))
    return (lambda z: np.astype(z, numpy.float64)), (z,)


TABLE = {
    # shape
    "reshape:order": orders(np.reshape),
    "ravel:order": orders(np.ravel),
    "squeeze": squeezes(),
    "expand_dims:tuple": expand_dims_tuples(),
    "atleast_1d": atleasts(np.atleast_1d),
    "atleast_2d": atleasts(np.atleast_2d),
    "atleast_3d": atleasts(np.atleast_3d),
    # the order of axes and elements
    "moveaxis": moveaxes(),
    "rollaxis": rollaxes(),
    "roll": rolls(),
    "flip": flips(),
    "flipud": unary(np.flipud, min_dims=1),
    "fliplr": unary(np.fliplr, min_dims=2),
    "rot90": rot90s(),
    # repetition
    "repeat": repeats(),
    "tile": tiles(),
    # splitting
    "split": splits(np.split),
    "array_split": splits(np.array_split),
    "hsplit": splits(np.hsplit),
    "vsplit": splits(np.vsplit),
    "dsplit": splits(np.dsplit),
    # joining
    "concatenate:dtype": joins_with_dtype(np.concatenate),
    "stack:dtype": joins_with_dtype(np.stack),
    "hstack": stacks(np.hstack),
    "vstack": stacks(np.vstack),
    "dstack": stacks(np.dstack),
    "column_stack": stacks(np.column_stack),
    "append": appends(),
    "block": blocks(),
    # padding and differences
    "pad": pads(),
    "pad:traced-constant": pads(traced_value=True),
    "diff": diffs(),
    "diff:prepend-append": diffs(ends=True),
    "gradient": gradients(),
    "gradient:coordinates": gradients(coordinates=True),
    # construction and conversion
    "array:ndmin-dtype": nested_arrays(),
    "full": fulls(),
    "full_like": arrays(max_dims=1, min_side=1, max_side=1).map(
        lambda v: (lambda v: np.full_like(numpy.zeros((2, 1)), v), (v,))),
    "r_": st.tuples(arrays(max_dims=1), fst.floats()).map(
        lambda xs: (lambda x, a: np.r_[x, a, 2.0 * a, 0.0:2.0], xs)),
    "c_": arrays(min_dims=1, max_dims=1).map(
        lambda x: (lambda x: np.c_[x, 2.0 * x, numpy.ones((x.shape[0], 2))], (x,))),
    "linspace": linspaces(),
    "meshgrid": meshgrids(),
    "astype:complex": complex_casts(),
}
