"""The rule table of the products: matmul, dot, vdot, inner, outer, tensordot, einsum, kron, cross, vecdot.

Products are multilinear, so any values will do; they stay in [-2, 2]. The strategies
draw the shapes each function accepts: broadcasting batch axes, 1-d and 0-d operands,
empty axes, summed axes in any order, and random einsum subscripts (implicit and
explicit output, ellipses, diagonals, several operands).
"""

import numpy
from hypothesis import strategies as st

import fad.numpy as np
from fad.testing import strategies as fst

LETTERS = "abcd"


def values(shape, dtype):
    return fst.arrays(shape, dtype, lo=-2.0, hi=2.0)


def sides(min_side=1):
    return st.integers(min_side, 3)


@st.composite
def matmuls(draw):
    """matmul with broadcasting batch axes, and 1-d operands against batches."""
    d = draw(fst.dtypes())
    batch_a, batch_b = draw(fst.broadcastable_shapes(max_dims=2, max_side=3))
    m, k, n = draw(sides()), draw(sides(0)), draw(sides())
    case = draw(st.sampled_from(["mm", "vm", "mv"]))
    sa = (k,) if case == "vm" else (*batch_a, m, k)
    sb = (k,) if case == "mv" else (*batch_b, k, n)
    return np.matmul, (draw(values(sa, d)), draw(values(sb, d)))


@st.composite
def dots(draw):
    """dot of every rank NumPy accepts: scalars, vectors, matrices and N-d arrays."""
    d = draw(fst.dtypes())
    k = draw(sides())
    sa = draw(st.sampled_from([(), (k,), (2, k), (2, 1, k), (3, 2, k)]))
    sb = draw(st.sampled_from([(), (k,), (k, 2), (2, k, 3), (1, 2, k, 2)]))
    if sa == () and draw(st.booleans()):
        sb = draw(fst.shapes())
    return np.dot, (draw(values(sa, d)), draw(values(sb, d)))


@st.composite
def vdots(draw):
    """vdot of two arrays of one size, flattened from different shapes."""
    d = draw(fst.dtypes())
    sa = draw(fst.shapes(max_dims=3, min_side=1, max_side=3))
    size = int(numpy.prod(sa))
    sb = draw(st.sampled_from([(size,), (1, size), sa[::-1]]))
    return np.vdot, (draw(values(sa, d)), draw(values(sb, d)))


@st.composite
def inners(draw):
    d = draw(fst.dtypes())
    k = draw(sides(0))
    sa = draw(st.sampled_from([(), (k,), (2, k), (1, 2, k)]))
    sb = draw(st.sampled_from([(k,), (3, k), (2, 1, k)])) if sa else draw(fst.shapes())
    return np.inner, (draw(values(sa, d)), draw(values(sb, d)))


@st.composite
def pairs(draw, f, min_side=0):
    """Two arrays of any small shapes (0-d and empty included)."""
    d = draw(fst.dtypes())
    sa = draw(fst.shapes(max_dims=3, min_side=min_side, max_side=3))
    sb = draw(fst.shapes(max_dims=3, min_side=min_side, max_side=3))
    return f, (draw(values(sa, d)), draw(values(sb, d)))


@st.composite
def tensordots(draw, pairs_of_axes=False):
    """tensordot over the last ``axes`` of a and the first of b, or over any pairs of axes."""
    d = draw(fst.dtypes())
    summed = draw(st.lists(sides(), max_size=3))
    free_a = draw(st.lists(sides(), max_size=2))
    free_b = draw(st.lists(sides(), max_size=2))
    if not pairs_of_axes:
        a, b = draw(values((*free_a, *summed), d)), draw(values((*summed, *free_b), d))
        return (lambda a, b: np.tensordot(a, b, axes=len(summed))), (a, b)
    # put the summed axes anywhere in each operand, in any order, as positive or negative axes
    order_a = draw(st.permutations(range(len(free_a) + len(summed))))
    order_b = draw(st.permutations(range(len(free_b) + len(summed))))
    sa, sb = [0] * len(order_a), [0] * len(order_b)
    for position, n in zip(order_a, [*summed, *free_a]):
        sa[position] = n
    for position, n in zip(order_b, [*summed, *free_b]):
        sb[position] = n
    axes_a = [p - len(sa) * draw(st.booleans()) for p in order_a[: len(summed)]]
    axes_b = [p - len(sb) * draw(st.booleans()) for p in order_b[: len(summed)]]
    a, b = draw(values(tuple(sa), d)), draw(values(tuple(sb), d))
    return (lambda a, b: np.tensordot(a, b, axes=(axes_a, axes_b))), (a, b)


@st.composite
def einsum_cases(draw):
    """``(subscripts, operands)``: 1 to 3 operands of up to 3 indices each, repeats allowed,
    implicit or explicit output, an ellipsis over broadcasting axes, length-1 axes."""
    d = draw(fst.dtypes())
    size = dict(zip(LETTERS, draw(st.lists(sides(), min_size=4, max_size=4))))
    n = draw(st.integers(1, 3))
    terms = [draw(st.lists(st.sampled_from(LETTERS), max_size=3)) for _ in range(n)]
    used = sorted(set().union(*terms))
    ellipsis = draw(st.booleans())
    batches = draw(fst.broadcastable_shapes(n=n, max_dims=2, max_side=2)) if ellipsis else [()] * n
    shapes = []
    for term, batch in zip(terms, batches):
        # a letter may have length 1 in an operand (broadcast against the others)
        ones = {c for c in sorted(set(term)) if draw(st.booleans())}
        shapes.append((*batch, *(1 if c in ones else size[c] for c in term)))
    dots = "..." if ellipsis else ""
    inputs = ",".join(dots + "".join(t) for t in terms)
    if draw(st.booleans()):
        output = ""
    else:
        output = "->" + dots + "".join(draw(st.lists(st.sampled_from(used), unique=True)) if used else [])
    return inputs + output, tuple(draw(values(s, d)) for s in shapes)


def einsums():
    return einsum_cases().map(lambda case: ((lambda *xs: np.einsum(case[0], *xs)), case[1]))


@st.composite
def einsum_diagonals(draw):
    """Indices repeated within one operand: diagonals and traces."""
    d = draw(fst.dtypes())
    spec, shapes = draw(
        st.sampled_from(
            [
                ("ii->i", [(3, 3)]),
                ("ii", [(3, 3)]),
                ("ii->", [(2, 2)]),
                ("iij->j", [(2, 2, 3)]),
                ("iji->ij", [(2, 3, 2)]),
                ("...ii->...i", [(4, 2, 2)]),
                ("ii,i->i", [(3, 3), (3,)]),
                ("ij,jj->i", [(2, 3), (3, 3)]),
                ("iii->i", [(2, 2, 2)]),
            ]
        )
    )
    xs = tuple(draw(values(s, d)) for s in shapes)
    return (lambda *xs: np.einsum(spec, *xs)), xs


@st.composite
def einsum_interleaved(draw):
    """The interleaved form einsum(op0, sublist0, op1, sublist1, ..., [sublist_out])."""
    d = draw(fst.dtypes())
    a, b = draw(values((2, 3), d)), draw(values((4, 3, 2), d))
    out = draw(st.sampled_from([[..., 0], [0, ...], None]))
    if out is None:
        return (lambda a, b: np.einsum(a, [0, 1], b, [..., 1, 0])), (a, b)
    return (lambda a, b: np.einsum(a, [0, 1], b, [..., 1, 0], out)), (a, b)


@st.composite
def crosses(draw):
    """Cross products of 3- and 2-vectors along any axes, with broadcasting batch axes."""
    d = draw(fst.dtypes())
    na, nb = draw(st.sampled_from([(3, 3), (3, 3), (2, 3), (3, 2), (2, 2)]))
    batch_a, batch_b = draw(fst.broadcastable_shapes(max_dims=2, max_side=2))
    pa, pb = draw(st.integers(0, len(batch_a))), draw(st.integers(0, len(batch_b)))
    sa, sb = (*batch_a[:pa], na, *batch_a[pa:]), (*batch_b[:pb], nb, *batch_b[pb:])
    nc = len(numpy.broadcast_shapes(batch_a, batch_b)) + 1
    axisa, axisb = pa - len(sa) * draw(st.booleans()), pb - len(sb) * draw(st.booleans())
    axisc = draw(st.integers(-nc, nc - 1))
    a, b = draw(values(sa, d)), draw(values(sb, d))
    if draw(st.booleans()) and (batch_a, pa) == (batch_b, pb):
        return (lambda a, b: np.cross(a, b, axis=axisa)), (a, b)
    return (lambda a, b: np.cross(a, b, axisa=axisa, axisb=axisb, axisc=axisc)), (a, b)


@st.composite
def vecdots(draw):
    d = draw(fst.dtypes())
    batch_a, batch_b = draw(fst.broadcastable_shapes(max_dims=2, max_side=3))
    k = draw(sides())
    axis = draw(st.sampled_from([-1, 0])) if batch_a and len(batch_a) == len(batch_b) else -1
    sa, sb = (*batch_a, k), (*batch_b, k)
    a, b = draw(values(sa, d)), draw(values(sb, d))
    if axis == 0:
        a, b = numpy.moveaxis(a, -1, 0), numpy.moveaxis(b, -1, 0)
    return (lambda a, b: np.vecdot(a, b, axis=axis)), (a, b)


@st.composite
def matvecs(draw, f):
    d = draw(fst.dtypes())
    batch_m, batch_v = draw(fst.broadcastable_shapes(max_dims=2, max_side=3))
    m, k = draw(sides()), draw(sides())
    matrix, vector = draw(values((*batch_m, m, k), d)), draw(values((*batch_v, k), d))
    if f is np.vecmat:
        matrix = numpy.swapaxes(matrix, -1, -2)
        return f, (vector, matrix)
    return f, (matrix, vector)


@st.composite
def polyvals(draw):
    p = draw(fst.arrays(fst.shapes(1, 1, 1, 4), lo=-2.0, hi=2.0))
    x = draw(fst.arrays(fst.shapes(), p.dtype, lo=-1.5, hi=1.5))
    return np.polyval, (p, x)


@st.composite
def polyfits(draw):
    """Fits of degree 0 to 2 to 4 or 5 points over [-1, 1], weighted or not (a well-conditioned Vandermonde matrix)."""
    n = draw(st.integers(4, 5))
    deg = draw(st.integers(0, 2))
    jitter = draw(fst.arrays((n,), numpy.float64, lo=-0.1, hi=0.1))
    x = numpy.linspace(-1.0, 1.0, n) + jitter
    y = draw(fst.arrays(draw(st.sampled_from([(n,), (n, 2)])), numpy.float64))
    if draw(st.booleans()):
        w = draw(fst.arrays((n,), numpy.float64, lo=0.5, hi=2.0))
        return (lambda x, y, w: np.polyfit(x, y, deg, w=w)), (x, y, w)
    return (lambda x, y: np.polyfit(x, y, deg)), (x, y)


TABLE = {
    "polyval": polyvals(),
    "polyfit": polyfits(),
    "matmul:broadcast": matmuls(),
    "dot:nd": dots(),
    "vdot": vdots(),
    "inner": inners(),
    "outer": pairs(np.outer),
    "tensordot": tensordots(),
    "tensordot:pairs-of-axes": tensordots(pairs_of_axes=True),
    "einsum": einsums(),
    "einsum:diagonals": einsum_diagonals(),
    "einsum:interleaved": einsum_interleaved(),
    "kron": pairs(np.kron),
    "cross": crosses(),
    "vecdot": vecdots(),
    "matvec": matvecs(np.matvec),
    "vecmat": matvecs(np.vecmat),
}
