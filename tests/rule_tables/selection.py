"""The rule table of selection: indexing, gathering, sorting, diagonals, triangles, interpolation.

``getitem`` and ``where`` themselves are in ``base``; the entries here draw every kind of
index (``hypothesis.extra.numpy`` draws the basic and the integer-array ones). Sorting has
kinks where values tie, so ``sort`` and ``partition`` get well-separated values; ``interp``
has kinks at its knots, so its ``x`` are kept away from them.
"""

import numpy
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fad.numpy as np
from fad.testing import strategies as fst


@st.composite
def distinct(draw, shape):
    """An array of ``shape`` whose values are a shuffled grid with spacing 0.5: no ties."""
    grid = numpy.asarray(draw(st.permutations(range(size(shape)))), dtype=float)
    return ((grid - (size(shape) - 1) / 2) * 0.5 + 0.125).reshape(shape).astype(draw(fst.dtypes()))


def size(shape):
    return int(numpy.prod(shape))


def bools(shape):
    return hnp.arrays(bool, shape)


def integers(shape, lo, hi):
    """Integer arrays of ``shape`` with elements in ``[lo, hi]``."""
    return hnp.arrays(numpy.intp, shape, elements=st.integers(lo, hi))


def axes(ndim):
    """An axis of an ``ndim``-d array, negative or not."""
    return st.integers(-ndim, ndim - 1)


# --------------------------------------------------------------------------------------
# Indexing
# --------------------------------------------------------------------------------------


@st.composite
def basic_indexings(draw):
    """Integers, slices with steps (negative too), ``...`` and ``None``; 0-d arrays and empty results."""
    x = draw(fst.arrays(fst.shapes(min_dims=0, max_dims=3, min_side=0)))
    index = draw(hnp.basic_indices(x.shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    return (lambda x: x[index]), (x,)


@st.composite
def integer_array_indexings(draw):
    """Integer arrays of any shape, negative and repeated indices (which accumulate)."""
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3)))
    index = draw(hnp.integer_array_indices(x.shape, result_shape=fst.shapes(min_dims=0, max_dims=2, min_side=0)))
    return (lambda x: x[index]), (x,)


@st.composite
def mixed_indexings(draw):
    """Integer arrays among slices, integers and ``None``: adjacent and separated advanced indices."""
    shape = draw(fst.shapes(min_dims=2, max_dims=3, min_side=2))
    x = draw(fst.arrays(shape))
    broadcast = draw(fst.shapes(min_dims=1, max_dims=2, max_side=3))
    index = []
    for n in shape:
        kind = draw(st.sampled_from(["array", "slice", "int"]))
        if kind == "array":
            index.append(draw(integers(broadcast, -n, n - 1)))
        elif kind == "slice":
            index.append(slice(draw(st.integers(-n, n)), None, draw(st.sampled_from([1, 2, -1]))))
        else:
            index.append(draw(st.integers(-n, n - 1)))
    if draw(st.booleans()):
        index.insert(draw(st.integers(0, len(index))), None)
    index = tuple(index)
    return (lambda x: x[index]), (x,)


@st.composite
def mask_indexings(draw):
    """Boolean masks over all the axes, the leading ones or the last one; all-False ones too."""
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3)))
    kind = draw(st.sampled_from(["full", "leading", "last", "with-slice"] if x.ndim > 1 else ["full", "last"]))
    if kind == "full":
        index = draw(bools(x.shape))
    elif kind == "leading":
        index = draw(bools(x.shape[: draw(st.integers(1, x.ndim))]))
    elif kind == "last":
        index = (Ellipsis, draw(bools(x.shape[-1:])))
    else:
        index = (draw(bools(x.shape[:1])), slice(None, None, -1))
    return (lambda x: x[index]), (x,)


@st.composite
def list_indexings(draw):
    """Python lists as NumPy reads them: integer lists, boolean lists, the empty list, nested lists."""
    x = draw(fst.arrays(fst.shapes(min_dims=2, max_dims=2, min_side=2)))
    n = x.shape[0]
    lists = [[], [n - 1, 0, n - 1], [True] + [False] * (n - 1), [[0, 1], [1, -1]], (slice(None), []), ([0, 1], ...)]
    index = draw(st.sampled_from(lists))
    return (lambda x: x[index]), (x,)


# --------------------------------------------------------------------------------------
# Gathering and selecting
# --------------------------------------------------------------------------------------


@st.composite
def takes(draw, modes=False):
    """``take`` along every axis or of the flattened array; with ``modes``, indices out of range wrap or clip."""
    x = draw(fst.arrays(fst.shapes(min_dims=0, max_dims=3)))
    axis = draw(st.none() | axes(x.ndim)) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    reach = 2 * n if modes else n - 1
    shape = draw(fst.shapes(min_dims=0, max_dims=2, min_side=0))
    indices = draw(integers(shape, -reach, reach))
    if not modes:
        indices = numpy.clip(indices, -n, n - 1)
    mode = draw(st.sampled_from(["wrap", "clip"])) if modes else "raise"
    return (lambda x: np.take(x, indices, axis, mode=mode)), (x,)


@st.composite
def takes_along_axis(draw):
    """Indices of the array's dimensions (size 1 where they broadcast), along an axis or the flat array."""
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3)))
    if draw(st.booleans()):
        k = draw(st.integers(0, 5))
        indices = draw(integers((k,), -x.size, x.size - 1))
        return (lambda x: np.take_along_axis(x, indices, axis=None)), (x,)
    axis = draw(axes(x.ndim))
    shape = [draw(st.sampled_from([1, n])) for n in x.shape]
    shape[axis] = draw(st.integers(0, 4))
    n = x.shape[axis]
    indices = draw(integers(tuple(shape), -n, n - 1))
    return (lambda x: np.take_along_axis(x, indices, axis)), (x,)


@st.composite
def compresses(draw):
    """A condition no longer than the axis (a shorter one drops the rest), or of the flat array."""
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3)))
    axis = draw(st.none() | axes(x.ndim))
    n = x.size if axis is None else x.shape[axis]
    condition = draw(st.lists(st.booleans(), min_size=0, max_size=n))
    return (lambda x: np.compress(condition, x, axis)), (x,)


@st.composite
def extracts(draw):
    x = draw(fst.arrays(fst.shapes(min_dims=0, max_dims=3)))
    condition = draw(bools(x.shape))
    return (lambda x: np.extract(condition, x)), (x,)


@st.composite
def selects(draw):
    """One to three conditions and choices, and a default, all broadcasting together."""
    count = draw(st.integers(1, 3))
    shapes = draw(fst.broadcastable_shapes(n=2 * count + 1))
    dtype = draw(fst.dtypes())
    conditions = [draw(bools(s)) for s in shapes[:count]]
    args = tuple(draw(fst.arrays(s, dtype)) for s in shapes[count:])
    return (lambda *args: np.select(conditions, args[:-1], args[-1])), args


@st.composite
def wheres_with_a_constant(draw):
    x = draw(fst.arrays(fst.shapes()))
    condition = draw(bools(draw(st.sampled_from([x.shape, x.shape[1:], ()]))))
    return (lambda x: np.where(condition, 0.0, x) * np.where(condition, x, 2)), (x,)


# --------------------------------------------------------------------------------------
# Sorting
# --------------------------------------------------------------------------------------


@st.composite
def sorts(draw, flat=False):
    x = draw(distinct(draw(fst.shapes(min_dims=0 if flat else 1, max_dims=3))))
    axis = None if flat else draw(axes(x.ndim))
    return (lambda x: np.sort(x, axis)), (x,)


@st.composite
def partitions(draw):
    x = draw(distinct(draw(fst.shapes(min_dims=1, max_dims=3))))
    axis = draw(st.none() | axes(x.ndim))
    n = x.size if axis is None else x.shape[axis]
    kth = draw(st.integers(-n, n - 1) | st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True))
    return (lambda x: np.partition(x, kth, axis)), (x,)


# --------------------------------------------------------------------------------------
# Diagonals and triangles
# --------------------------------------------------------------------------------------


@st.composite
def diags(draw, ndim):
    x = draw(fst.arrays(fst.shapes(min_dims=ndim, max_dims=ndim, min_side=0 if ndim == 1 else 1)))
    k = draw(st.integers(-3, 3))
    return (lambda x: np.diag(x, k)), (x,)


@st.composite
def diagonals(draw, f):
    x = draw(fst.arrays(fst.shapes(min_dims=2, max_dims=4, max_side=3)))
    axis1, axis2 = draw(st.lists(axes(x.ndim), min_size=2, max_size=2, unique_by=lambda a: a % x.ndim))
    offset = draw(st.integers(-3, 3))
    return (lambda x: f(x, offset, axis1, axis2)), (x,)


@st.composite
def triangles(draw, f):
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3)))
    k = draw(st.integers(-2, 2))
    return (lambda x: f(x, k)), (x,)


# --------------------------------------------------------------------------------------
# Interpolation: x kept at least 0.1 from every knot (where the interpolant has kinks)
# --------------------------------------------------------------------------------------


@st.composite
def knots(draw, dtype):
    """Increasing knots with gaps in [0.5, 2], and values at them."""
    n = draw(st.integers(1, 5))
    gaps = draw(fst.arrays((n - 1,), numpy.float64, lo=0.5, hi=2.0))
    xp = (draw(fst.floats(-3.0, 3.0)) + numpy.concatenate([[0.0], numpy.cumsum(gaps)])).astype(dtype)
    return xp, draw(fst.arrays((n,), dtype, lo=-3.0, hi=3.0))


def off_knots(x, xp):
    """``x`` moved 0.25 to the right where it is within 0.1 of a knot (gaps are at least 0.5)."""
    near = numpy.min(numpy.abs(numpy.subtract.outer(x, xp)), axis=-1) < 0.1
    return numpy.where(near, x + 0.25, x).astype(x.dtype)


@st.composite
def interps(draw, ends=False, periodic=False):
    dtype = draw(fst.dtypes())
    xp, fp = draw(knots(dtype))
    x = draw(fst.arrays(fst.shapes(min_dims=0, max_dims=2), dtype, lo=float(xp[0]) - 1.5, hi=float(xp[-1]) + 1.5))
    if periodic:
        period = float(xp[-1] - xp[0]) + draw(st.sampled_from([0.5, 1.0]))  # no two knots meet modulo the period
        x = draw(fst.arrays(x.shape[:1], dtype, lo=-10.0, hi=10.0))
        wrapped = xp % period
        knots_near = numpy.concatenate([wrapped - period, wrapped, wrapped + period])
        x = off_knots(x - period * numpy.floor(x / period), knots_near)
        x = (x + period * draw(st.integers(-1, 1))).astype(dtype)
        return (lambda x, xp, fp: np.interp(x, xp, fp, period=period)), (x, xp, fp)
    x = off_knots(x, xp)
    if ends:  # the derivatives in xp and fp are those of the plain case
        ends = tuple(draw(fst.floats(-3.0, 3.0)) for _ in range(2))
        return (lambda x, left, right: np.interp(x, xp, fp, left, right)), (x, *ends)
    return np.interp, (x, xp, fp)


@st.composite
def updates(draw, hows):
    """``at(x)[index].<how>(v)`` with an index of each kind; ``v`` drawn apart from ``x`` (no ties in min/max)."""
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=3, min_side=2), numpy.float64))
    n = x.shape[0]
    x = numpy.round(x * 2) / 2 + 0.125  # on a grid: values of v (off it) never tie with x
    index = draw(st.sampled_from([0, -1, slice(None, None, 2), (Ellipsis, 0), numpy.array([0, 0, n - 1, 0]),
                                  [1, 0, 1], x > 0, (numpy.array([0, 1]), ...)]))
    shape = numpy.empty(x.shape)[index].shape
    v_shape = draw(st.sampled_from([shape, shape[1:] if shape else shape, ()]))
    v = numpy.round(draw(fst.arrays(v_shape, numpy.float64)) * 2) / 2 + 0.375
    if "multiply" in hows:  # a product over repeated indices: keep the values moderate
        v = numpy.clip(v, -1.5, 1.5)
    # distinct, so no ties at a repeated index (after the clip, which would make ties), and
    # at least 0.025 from every value of x's grid
    v = v + 0.1 * numpy.arange(v.size).reshape(v.shape) / max(v.size, 1)
    return (lambda x, v: tuple(getattr(np.at(x)[index], how)(v) for how in hows)), (x, v)


@st.composite
def uniques(draw, axis=None):
    """``unique`` of distinct values (a repeated one would change the output's shape under differences)."""
    if axis is None:
        shape = draw(fst.shapes(min_dims=1))
        size = int(numpy.prod(shape))
        x = numpy.asarray(draw(st.permutations(range(size))), float).reshape(shape) * 0.5 - 1.0
        return np.unique, (x,)
    x = draw(fst.arrays(fst.shapes(min_dims=2, max_dims=2, min_side=1), numpy.float64))
    x = x + numpy.arange(x.shape[0])[:, None] * 7.0  # rows distinct and ordered by their first element
    return (lambda x: np.unique(x, axis=0)), (x,)


TABLE = {
    # functional updates
    "at:set-add": updates(("set", "add")),
    "at:multiply-min-max": updates(("multiply", "min", "max")),
    "unique": uniques(),
    "unique:axis": uniques(axis=0),
    # indexing
    "getitem:basic": basic_indexings(),
    "getitem:integer-arrays": integer_array_indexings(),
    "getitem:mixed": mixed_indexings(),
    "getitem:masks": mask_indexings(),
    "getitem:lists": list_indexings(),
    # gathering and selecting
    "take": takes(),
    "take:wrap-clip": takes(modes=True),
    "take_along_axis": takes_along_axis(),
    "compress": compresses(),
    "extract": extracts(),
    "select": selects(),
    "where:constant-branches": wheres_with_a_constant(),
    # sorting
    "sort": sorts(),
    "sort:flattened": sorts(flat=True),
    "partition": partitions(),
    # diagonals and triangles
    "diag": diags(1),
    "diag:extract": diags(2),
    "diagflat": fst.arrays(fst.shapes(max_dims=2)).map(lambda x: (lambda x: np.diagflat(x, -1), (x,))),
    "diagonal": diagonals(np.diagonal),
    "trace": diagonals(np.trace),
    "triu": triangles(np.triu),
    "tril": triangles(np.tril),
    # interpolation
    "interp": interps(),
    "interp:left-right": interps(ends=True),
    "interp:period": interps(periodic=True),
}
