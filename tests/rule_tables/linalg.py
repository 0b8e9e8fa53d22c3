"""The rule table of fad.numpy.linalg: well-conditioned matrices, so finite differences are reliable.

Matrices are built from their spectrum: ``A = Q1 diag(s) Q2^T`` with random orthogonal
``Q1``, ``Q2`` (from a drawn seed) and values ``s`` drawn away from 0 (invertible, condition
at most 4), symmetric ``Q diag(w) Q^T`` with eigenvalues at least 0.5 apart (eigh),
positive ones (cholesky), singular values at least 0.3 apart (svd) and similarity
transforms of real or complex-pair blocks (eig). Functions of eigen- and singular vectors
are made independent of the vectors' signs (``V * V[:1]``) where NumPy does not fix them.
"""

import numpy
from hypothesis import assume
from hypothesis import strategies as st

import fad.core
import fad.numpy
from fad.numpy import linalg as la
from fad.numpy._elementwise import make_complex
from fad.testing import strategies as fst

from .common import cases

BATCHES = st.sampled_from([(), (), (2,), (1, 2), (0,)])


def _orthogonal(rng, batch, n, k=None):
    """Random matrices with ``k`` (default ``n``) orthonormal columns of length ``n``."""
    q = numpy.linalg.qr(rng.normal(size=(*batch, n, n)))[0]
    return q[..., : n if k is None else k]


def _sym(a):
    return (a + la.matrix_transpose(a)) / 2


@st.composite
def _seeded(draw):
    return numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))


@st.composite
def spectral(draw, kind="general", min_n=1, max_n=3, batch=None, dtype=None, shape=None):
    """A stack of matrices of a known spectrum: "general", "spd", "symmetric", "svd" or "eig"."""
    rng = draw(_seeded())
    batch = draw(BATCHES) if batch is None else batch
    dtype = draw(fst.dtypes() if dtype is None else dtype)
    if shape is None:
        n = draw(st.integers(min_n, max_n))
        m = n
    else:
        m, n = shape
    k = min(m, n)
    if kind == "general":  # invertible: |s| in [0.5, 2], any signs
        s = draw(st.lists(st.floats(0.5, 2.0) | st.floats(-2.0, -0.5), min_size=k, max_size=k))
        a = _orthogonal(rng, batch, m) * numpy.array(s) @ numpy.swapaxes(_orthogonal(rng, batch, n), -1, -2)
    elif kind in ("spd", "symmetric", "symmetric-invertible"):  # eigenvalues 0.5 apart
        grid = range(-6, 7) if kind == "symmetric" else range(1, 9)
        w = numpy.array(draw(st.lists(st.sampled_from(grid), min_size=n, max_size=n, unique=True))) * 0.5
        if kind == "symmetric-invertible":  # moduli distinct and nonzero: distinct singular values
            w = w * numpy.array(draw(st.lists(st.sampled_from([-1, 1]), min_size=n, max_size=n)))
        q = _orthogonal(rng, batch, n)
        a = q * w @ numpy.swapaxes(q, -1, -2)
    elif kind == "svd":  # singular values in [0.6, 2.4], 0.3 apart
        s = numpy.array(draw(st.lists(st.sampled_from(range(2, 9)), min_size=k, max_size=k, unique=True))) * 0.3
        a = _orthogonal(rng, batch, m, k) * s @ numpy.swapaxes(_orthogonal(rng, batch, n, k), -1, -2)
    else:  # "eig": X B X^-1, B real eigenvalues and 2x2 blocks a +- ib, all distinct
        # (no eigenvalue 0: at an exactly singular matrix LAPACK's order of the eigenvalues can jump)
        grid = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]
        values = draw(st.lists(st.sampled_from(grid), min_size=n, max_size=n, unique=True))
        b = numpy.diag(numpy.array(values, dtype=float) * 0.5)
        for i in range(0, n - 1, 2):
            if draw(st.booleans()):  # a complex pair in place of two real eigenvalues
                b[i : i + 2, i : i + 2] = [[b[i, i], -0.7], [0.7, b[i, i]]]
                b[i + 1, i + 1] = b[i, i]
        x = _orthogonal(rng, batch, n) * rng.uniform(1.0, 2.0, size=n) @ _orthogonal(rng, batch, n)
        a = x @ b @ numpy.linalg.inv(x)
    return numpy.asarray(a, dtype=dtype)


def _unitary(rng, batch, n, k=None):
    """Random complex matrices with ``k`` (default ``n``) orthonormal columns of length ``n``."""
    q = numpy.linalg.qr(rng.normal(size=(*batch, n, n)) + 1j * rng.normal(size=(*batch, n, n)))[0]
    return q[..., : n if k is None else k]


@st.composite
def complex_spectral(draw, kind="general", min_n=1, max_n=3, shape=None):
    """Real and imaginary parts of complex matrices of a known spectrum (as :func:`spectral`)."""
    rng = draw(_seeded())
    batch = draw(BATCHES)
    m, n = shape if shape is not None else (draw(st.integers(min_n, max_n)),) * 2
    k = min(m, n)
    h = lambda q: numpy.conj(numpy.swapaxes(q, -1, -2))  # noqa: E731
    if kind == "general":  # |s| in [0.5, 2], any phases: invertible, condition at most 4
        s = numpy.array(draw(st.lists(st.floats(0.5, 2.0), min_size=k, max_size=k)))
        phases = numpy.exp(1j * rng.uniform(0, 6.3, size=k))
        a = _unitary(rng, batch, m, k) * (s * phases) @ h(_unitary(rng, batch, n, k))
    elif kind in ("hermitian", "hpd"):  # real eigenvalues 0.5 apart (positive for hpd)
        grid = range(-6, 7) if kind == "hermitian" else range(1, 9)
        w = numpy.array(draw(st.lists(st.sampled_from(grid), min_size=n, max_size=n, unique=True))) * 0.5
        q = _unitary(rng, batch, n)
        a = q * w @ h(q)
    else:  # "svd": singular values in [0.6, 2.4], 0.3 apart
        s = numpy.array(draw(st.lists(st.sampled_from(range(2, 9)), min_size=k, max_size=k, unique=True))) * 0.3
        a = _unitary(rng, batch, m, k) * s @ h(_unitary(rng, batch, n, k))
    return a.real.copy(), a.imag.copy()


def _complex(f):
    """``f`` of the complex matrix with parts ``re``, ``im``; complex outputs as their real and imaginary parts."""

    def of_parts(re, im, *rest):
        out = f(re + 1j * im, *rest)
        outs = out if isinstance(out, tuple) else (out,)
        return tuple(p for o in outs for p in _parts(o))

    return of_parts


def _hermitian(z):
    return (z + fad.numpy.conj(la.matrix_transpose(z))) / 2


def _gauge_free_complex_svd(z):
    u, s, vh = la.svd(z, full_matrices=False)
    return s, u * fad.numpy.conj(u[..., :1, :]), vh * fad.numpy.conj(vh[..., :, :1])


def _gauge_free_complex_eigh(z):
    w, v = la.eigh(_hermitian(z))
    return w, v * fad.numpy.conj(v[..., :1, :])


def _gauge_free_complex_qr(z):
    q, r = la.qr(z)
    return q, r


def _complex_case(f, kind="general", **kwargs):
    return complex_spectral(kind, **kwargs).map(lambda parts: (_complex(f), parts))


@st.composite
def _complex_solves(draw):
    re, im = draw(complex_spectral())
    b = draw(fst.arrays((*re.shape[:-1], 2), numpy.float64))  # b with a's batch axes: one reading in NumPy 1 and 2
    return _complex(lambda z, b: la.solve(z, b * (1 + 0.5j))), (re, im, b)


def _low_rank(rng, n, rank, batch):
    """``n x n`` matrices of rank at most ``rank`` (singular when ``rank < n``): ``det``'s gradient is finite there."""
    rank = min(rank, n)
    return rng.normal(size=(*batch, n, rank)) @ rng.normal(size=(*batch, rank, n))


def _unary(f, **kwargs):
    return spectral(**kwargs).map(lambda a: (f, (a,)))


@st.composite
def solves(draw):
    """``solve(a, b)``: b a vector, a matrix, or a stack, with broadcasting batch axes."""
    a = draw(spectral())
    n = a.shape[-1]
    case = draw(st.sampled_from(["vector", "matrix", "batch-b", "stacked-vector"]))
    shape = {
        "vector": (n,),
        "matrix": (*a.shape[:-1], draw(st.integers(1, 2))),
        "batch-b": (2, *a.shape[:-1], 1),
        "stacked-vector": (*a.shape[:-2], n, 1),
    }[case]
    b = draw(fst.arrays(shape, a.dtype, lo=-2.0, hi=2.0))
    return la.solve, (a, b)


@st.composite
def rectangular(draw, kind="svd", batch=None, dtype=None):
    m, n = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return draw(spectral(kind, batch=batch, dtype=dtype, shape=(m, n)))


def _gauge_free_svd(full_matrices=False, hermitian=False):
    def f(a):
        u, s, vh = la.svd(_sym(a) if hermitian else a, full_matrices=full_matrices, hermitian=hermitian)
        return s, u * u[..., :1, :], vh * vh[..., :, :1]

    return f


def _parts(z):
    """Real and imaginary parts, with fad.numpy's primitives (the adjoints of each other)."""
    if numpy.iscomplexobj(fad.core.untraced(z)):
        return fad.numpy.real(z), fad.numpy.imag(z)
    return z, numpy.zeros(z.shape, z.dtype)


def _eig_of_complex(z):
    """eig of the complex matrices whose real and imaginary parts ``z`` stacks on its last axis.

    Inputs and outputs are real, so the check does not depend on how complex cotangents are
    paired; it checks eig's rule through the rules for building complex numbers that eig's uses.
    """
    return _gauge_free_eig(make_complex(z[..., 0], z[..., 1], dtype=numpy.dtype(complex)))


def _gauge_free_eig(a):
    """The parts of the eigenvalues and of ``v * conj(v[0])``: free of each eigenvector's phase (or sign)."""
    w, v = la.eig(a)
    (w_re, w_im), (v_re, v_im) = _parts(w), _parts(v)
    r0, i0 = v_re[..., :1, :], v_im[..., :1, :]
    return w_re, w_im, v_re * r0 + v_im * i0, v_im * r0 - v_re * i0


def _gauge_free_eigh(uplo):
    def f(a):
        w, v = la.eigh(_sym(a), UPLO=uplo)
        return w, v * v[..., :1, :]

    return f


def _gauge_free_qr(a, mode):
    """``Q`` and ``R`` with row ``i`` of ``R`` and column ``i`` of ``Q`` times ``R_ii``: free of their signs.

    Householder QR makes ``R_ii`` the opposite sign of a pivot, which flips as the pivot
    crosses 0: ``Q`` and ``R`` jump there, these products do not.
    """
    if mode == "r":
        r = la.qr(a, mode="r")
        return r * la.diagonal(r)[..., :, None]
    q, r = la.qr(a)
    d = la.diagonal(r)
    return q * d[..., None, :], r * d[..., :, None]


@st.composite
def qrs(draw, mode="reduced"):
    """A tall matrix of full column rank, or a wide one whose leading square block is invertible."""
    a = draw(rectangular())
    m, n = a.shape[-2:]
    if m < n:
        a[..., :m] = draw(spectral(batch=a.shape[:-2], dtype=st.just(a.dtype), shape=(m, m)))
    return (lambda a: _gauge_free_qr(a, mode)), (a,)


@st.composite
def lstsqs(draw):
    a = draw(rectangular(batch=()))
    m, n = a.shape
    assume(m >= n)  # full column rank: a unique least-squares solution
    b = draw(fst.arrays(draw(st.sampled_from([(m,), (m, 2)])), a.dtype, lo=-2.0, hi=2.0))
    return (lambda a, b: la.lstsq(a, b)[:2]), (a, b)


@st.composite
def matrix_powers(draw):
    a = draw(spectral())
    n = draw(st.integers(-3, 4))
    return (lambda a: la.matrix_power(a, n)), (a,)


@st.composite
def multi_dots(draw):
    count = draw(st.integers(2, 3))
    dims = draw(st.lists(st.integers(1, 4), min_size=count + 1, max_size=count + 1))
    shapes = [(dims[i], dims[i + 1]) for i in range(count)]
    if draw(st.booleans()):
        shapes[0] = shapes[0][1:]
    if draw(st.booleans()):
        shapes[-1] = shapes[-1][:1]
    dtype = draw(fst.dtypes())
    arrays = tuple(draw(fst.arrays(s, dtype, lo=-2.0, hi=2.0)) for s in shapes)
    return (lambda *xs: la.multi_dot(list(xs))), arrays


@st.composite
def apart_values(draw, shape, dtype=None):
    """Nonzero values whose magnitudes are distinct (at least 0.2 apart): no kinks, no ties."""
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else shape
    size = int(numpy.prod(shape))
    magnitudes = draw(st.permutations(range(size))) if size else []
    signs = draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=size, max_size=size))
    x = (0.5 + 0.2 * numpy.array(magnitudes, dtype=float)) * numpy.array(signs)
    return x.reshape(shape).astype(draw(fst.dtypes() if dtype is None else dtype))


@st.composite
def vector_norms(draw):
    x = draw(apart_values(fst.shapes(min_dims=1)))
    order = draw(st.sampled_from([None, 2, 1, 3, 0.5, -1.5, numpy.inf, -numpy.inf, 0]))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    keepdims = draw(st.booleans())
    if x.ndim == 1 and draw(st.booleans()):
        axis = None
    return (lambda x: la.norm(x, order, axis=axis, keepdims=keepdims)), (x,)


@st.composite
def matrix_norms(draw):
    order = draw(st.sampled_from([None, "fro", "nuc", 1, -1, 2, -2, numpy.inf, -numpy.inf]))
    if order in ("nuc", 2, -2):
        x = draw(rectangular(batch=draw(st.sampled_from([(), (2,)]))))
    else:
        x = draw(apart_values(fst.shapes(min_dims=2, max_dims=3)))
        if order in (1, -1, numpy.inf, -numpy.inf):  # the maximised sums must be distinct
            for sums in (numpy.abs(x).sum(axis=-2), numpy.abs(x).sum(axis=-1)):
                gaps = numpy.diff(numpy.sort(sums, axis=-1), axis=-1)
                assume(gaps.size == 0 or gaps.min() > 0.05 * sums.max())
    axes = draw(st.sampled_from([(-2, -1), (-1, -2)] + ([(0, 2), (2, 0)] if x.ndim == 3 else [])))
    keepdims = draw(st.booleans())
    if x.ndim == 2 and draw(st.booleans()):
        return (lambda x: la.norm(x, order)), (x,)
    return (lambda x: la.norm(x, order, axis=axes, keepdims=keepdims)), (x,)


@st.composite
def vector_norms_api(draw):
    x = draw(apart_values(fst.shapes(min_dims=0)))
    order = draw(st.sampled_from([2, 1, numpy.inf, 3]))
    axis = draw(st.none() | (st.integers(-x.ndim, x.ndim - 1) if x.ndim else st.none()))
    if x.ndim >= 2 and draw(st.booleans()):
        axis = (0, x.ndim - 1)
    keepdims = draw(st.booleans())
    return (lambda x: la.vector_norm(x, axis=axis, keepdims=keepdims, ord=order)), (x,)


@st.composite
def conds(draw):
    p = draw(st.sampled_from([None, 2, -2, "fro", 1, numpy.inf]))
    a = draw(spectral("svd", max_n=3) if p in (None, 2, -2) else apart_values(st.sampled_from([(2, 2), (3, 3)])))
    if p in (1, numpy.inf):  # the maximised sums of a and of its inverse must be distinct
        assume(numpy.linalg.cond(a) < 10)
        for m in (a, numpy.linalg.inv(a)):
            for sums in (numpy.abs(m).sum(axis=0), numpy.abs(m).sum(axis=1)):
                assume(numpy.diff(numpy.sort(sums)).min() > 0.05 * sums.max())
    return (lambda a: la.cond(a, p)), (a,)


@st.composite
def vecdots(draw):
    s1, s2 = draw(fst.broadcastable_shapes(min_dims=1))
    s1, s2 = s1[:-1] + (3,), s2[:-1] + (3,)
    dtype = draw(fst.dtypes())
    return la.vecdot, (draw(fst.arrays(s1, dtype)), draw(fst.arrays(s2, dtype)))


@st.composite
def diagonals(draw, f):
    x = draw(fst.arrays(fst.shapes(min_dims=2)))
    offset = draw(st.integers(-2, 2))
    return (lambda x: f(x, offset=offset)), (x,)


TABLE = {
    # inverses, determinants, linear systems
    "linalg.inv": _unary(la.inv, min_n=0),
    "linalg.det": _unary(la.det, min_n=0),
    "linalg.slogdet": _unary(la.slogdet, min_n=0),
    "linalg.det:complex": _complex_case(lambda z: (la.det(z), la.inv(z), la.slogdet(z)[1])),
    "linalg.solve:complex": _complex_solves(),
    "linalg.cholesky:complex": _complex_case(lambda z: la.cholesky(_hermitian(z)), "hpd"),
    "linalg.eigh:complex": _complex_case(_gauge_free_complex_eigh, "hermitian"),
    "linalg.svd:complex": st.integers(1, 3).flatmap(
        lambda m: st.integers(1, 3).flatmap(lambda n: _complex_case(
            lambda z: (*_gauge_free_complex_svd(z), la.norm(z, axis=(-2, -1)), la.norm(z, "nuc", axis=(-2, -1))),
            "svd", shape=(m, n)))),
    "linalg.qr:complex": st.integers(1, 3).flatmap(
        lambda m: _complex_case(_gauge_free_complex_qr, "general", shape=(m, m))),
    "linalg.pinv:complex": _complex_case(la.pinv, "svd", shape=(3, 2)),
    "linalg.det:singular": st.tuples(_seeded(), st.integers(1, 4), st.integers(0, 3), BATCHES).map(
        lambda c: (la.det, (_low_rank(*c),))),
    "linalg.solve": solves(),
    "linalg.pinv": rectangular().map(lambda a: (la.pinv, (a,))),
    "linalg.pinv:hermitian": _unary(lambda a: la.pinv(a, hermitian=True), kind="symmetric-invertible"),
    "linalg.lstsq": lstsqs(),
    "linalg.matrix_power": matrix_powers(),
    "linalg.multi_dot": multi_dots(),
    # decompositions
    "linalg.cholesky": _unary(lambda a: la.cholesky(_sym(a)), kind="spd", min_n=0),
    "linalg.cholesky:upper": _unary(lambda a: la.cholesky(_sym(a), upper=True), kind="spd"),
    "linalg.qr": qrs(),
    "linalg.qr:r": qrs("r"),
    "linalg.eigh": _unary(_gauge_free_eigh("L"), kind="symmetric", min_n=0),
    "linalg.eigh:upper": _unary(_gauge_free_eigh("U"), kind="symmetric"),
    "linalg.eigvalsh": _unary(lambda a: la.eigvalsh(_sym(a)), kind="symmetric"),
    "linalg.eig": _unary(_gauge_free_eig, kind="eig", dtype=fst.dtypes("float64"), max_n=4),
    "linalg.eig:complex": st.tuples(spectral("eig", dtype=fst.dtypes("float64")), _seeded()).map(
        lambda ar: (_eig_of_complex, (numpy.stack([ar[0], 0.3 * ar[1].normal(size=ar[0].shape)], axis=-1),))
    ),
    "linalg.eigvals": _unary(lambda a: _parts(la.eigvals(a)), kind="eig", dtype=fst.dtypes("float64")),
    "linalg.svd": rectangular().map(lambda a: (_gauge_free_svd(), (a,))),
    "linalg.svd:square-full": _unary(_gauge_free_svd(full_matrices=True), kind="svd"),
    "linalg.svd:hermitian": _unary(_gauge_free_svd(hermitian=True), kind="symmetric-invertible"),
    "linalg.svdvals": rectangular().map(lambda a: (la.svdvals, (a,))),
    # norms
    "linalg.norm": vector_norms(),
    "linalg.norm:matrix": matrix_norms(),
    "linalg.norm:all-elements": apart_values(fst.shapes(min_dims=0)).map(lambda x: (la.norm, (x,))),
    "linalg.vector_norm": vector_norms_api(),
    "linalg.matrix_norm": rectangular().map(lambda a: (lambda a: la.matrix_norm(a, ord="nuc"), (a,))),
    "linalg.cond": conds(),
    # NumPy 2's array-API names
    "linalg.matmul": cases(la.matmul, (numpy.arange(6.0).reshape(2, 3), numpy.ones((2, 3, 1)))),
    "linalg.matrix_transpose": fst.arrays(fst.shapes(min_dims=2)).map(lambda x: (la.matrix_transpose, (x,))),
    "linalg.outer": st.tuples(fst.arrays(fst.shapes(1, 1)), fst.arrays(fst.shapes(1, 1))).map(
        lambda xs: (la.outer, xs)
    ),
    "linalg.vecdot": vecdots(),
    "linalg.diagonal": diagonals(la.diagonal),
    "linalg.trace": diagonals(la.trace),
}
