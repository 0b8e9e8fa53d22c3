"""The rule table of fad.scipy.linalg (empty without SciPy): well-conditioned matrices of sizes 1 to 3.

A function that reads one triangle of a symmetric matrix is given the symmetric part of
its argument, so that the finite differences move the matrix it reads.
"""

import numpy
from hypothesis import strategies as st

from fad.testing import strategies as fst

try:
    import fad.scipy.linalg as la
except ImportError:  # no SciPy: nothing to check
    la = None

F64 = numpy.float64


def sym(a):
    return (a + a.T) / 2


@st.composite
def matrix(draw, n, shift=0.0, lo=-1.0, hi=1.0):
    """An ``n x n`` matrix with entries in ``[lo, hi]`` plus ``shift`` times the identity."""
    return draw(fst.arrays((n, n), F64, lo=lo, hi=hi)) + shift * numpy.eye(n)


@st.composite
def spd(draw, n):
    c = draw(matrix(n, lo=-0.5, hi=0.5))
    return c @ c.T + numpy.eye(n)


@st.composite
def rhs(draw, n):
    """A right-hand side: a vector or a matrix of 1-2 columns."""
    shape = draw(st.sampled_from([(n,), (n, 1), (n, 2)]))
    return draw(fst.arrays(shape, F64))


def seeded(build, count=6):
    """A small finite strategy: ``build(rng, seed)`` for ``count`` seeds (Hypothesis runs each once).

    For the functions whose second-order check is slow (factorizations and matrix
    functions, whose rules call them again on larger matrices), a few seeded cases keep
    the suite fast; the seed also cycles the size and the options.
    """
    return st.integers(0, count - 1).map(lambda seed: build(numpy.random.default_rng(seed), seed))


def rng_spd(rng, n):
    c = rng.uniform(-0.5, 0.5, (n, n))
    return c @ c.T + numpy.eye(n)


def rng_rhs(rng, n, seed):
    return rng.uniform(-1, 1, [(n,), (n, 1), (n, 2)][seed % 3])


def cholesky_case(rng, seed):
    n = 1 + seed % 3
    return (lambda a: la.cholesky(sym(a), lower=bool(seed % 2))), (rng_spd(rng, n),)


def cho_factor_case(rng, seed):
    n = 1 + seed % 3
    return (lambda a: la.cho_factor(sym(a), lower=bool(seed % 2))[0]), (rng_spd(rng, n),)


def cho_solve_case(rng, seed):
    n = 1 + seed % 3
    return (lambda a, b: la.cho_solve(la.cho_factor(sym(a), lower=bool(seed % 2)), b)), (rng_spd(rng, n),
                                                                                          rng_rhs(rng, n, seed))


def lu_factor_case(rng, seed):
    n = 1 + seed % 3
    return (lambda a: la.lu_factor(a)[0]), (rng.uniform(-1, 1, (n, n)) + 2.5 * numpy.eye(n)[::-1 if seed % 2 else 1],)


def lu_solve_case(rng, seed):
    n = 1 + seed % 3
    a = rng.uniform(-1, 1, (n, n)) + 2.5 * numpy.eye(n)[::-1 if seed % 2 else 1]  # pivoting when reversed
    return (lambda a, b: la.lu_solve(la.lu_factor(a), b, trans=seed % 2)), (a, rng_rhs(rng, n, seed))


def eigh_case(rng, seed):
    """Eigenvalues of ``a`` (symmetric) in the metric ``b``, and the b-orthonormal eigenvectors up to sign."""
    n = 1 + seed % 2
    a = rng.uniform(-1, 1, (n, n)) + numpy.diag(numpy.arange(n) * 2.0)  # distinct eigenvalues
    b, lower = rng_spd(rng, n), bool(seed % 3)
    if seed % 2:
        return (lambda a, b: la.eigh(sym(a), sym(b), lower=lower, eigvals_only=True)), (a, b)
    return (lambda a, b: la.eigh(sym(a), sym(b), lower=lower)[1] ** 2), (a, b)


def matrix_function_case(f, max_n=3):
    """``f`` at a matrix with eigenvalues near 1.5 (none on the negative real axis, for logm and sqrtm)."""
    return lambda rng, seed: (f, (rng.uniform(-0.4, 0.4, (1 + seed % max_n,) * 2) + 1.5 * numpy.eye(1 + seed % max_n),))


@st.composite
def square(draw, f, shift=0.0, lo=-1.0, hi=1.0, max_n=3):
    n = draw(st.integers(1, max_n))
    return f, (draw(matrix(n, shift, lo, hi)),)


def sylvester_case(rng, seed):
    n, m = 1 + seed % 3, 1 + seed // 3 % 3
    a, b = rng.uniform(-1, 1, (n, n)) + 3 * numpy.eye(n), rng.uniform(-1, 1, (m, m)) + 2 * numpy.eye(m)
    return la.solve_sylvester, (a, b, rng.uniform(-1, 1, (n, m)))


def lyapunov_case(rng, seed):
    n = 1 + seed % 3
    return la.solve_continuous_lyapunov, (rng.uniform(-1, 1, (n, n)) - 3 * numpy.eye(n), rng.uniform(-1, 1, (n, n)))


@st.composite
def bandeds(draw):
    n, lo, up = draw(st.integers(1, 4)), draw(st.integers(0, 2)), draw(st.integers(0, 2))
    ab = draw(fst.arrays((lo + up + 1, n), F64, lo=-0.5, hi=0.5))
    ab[up] += 3.0  # a dominant diagonal
    b = draw(rhs(n))
    return (lambda ab, b: la.solve_banded((lo, up), ab, b)), (ab, b)


@st.composite
def block_diags(draw):
    shapes = draw(st.lists(st.sampled_from([(), (2,), (1, 1), (2, 3), (3, 1)]), min_size=1, max_size=3))
    arrs = tuple(draw(fst.arrays(s, F64)) for s in shapes)
    return la.block_diag, arrs


def triangular_case(rng, seed):
    n = 1 + seed % 3
    lower, unit, trans = bool(seed % 2), bool(seed // 2 % 2), [0, 1, "T"][seed // 4 % 3]
    a, b = rng.uniform(-1, 1, (n, n)) + 3 * numpy.eye(n), rng_rhs(rng, n, seed // 3)
    return (lambda a, b: la.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)), (a, b)



TABLE = (
    {}
    if la is None
    else {
        "scipy.linalg.solve_triangular": seeded(triangular_case, 12),
        "scipy.linalg.cholesky": seeded(cholesky_case),
        "scipy.linalg.cho_factor": seeded(cho_factor_case),
        "scipy.linalg.cho_solve": seeded(cho_solve_case, 4),
        "scipy.linalg.lu_factor": seeded(lu_factor_case, 4),
        "scipy.linalg.lu_solve": seeded(lu_solve_case, 4),
        "scipy.linalg.inv": square(la.inv, shift=3.0),
        "scipy.linalg.det": square(la.det, shift=2.0),
        "scipy.linalg.eigh": seeded(eigh_case, 3),
        "scipy.linalg.expm": seeded(matrix_function_case(la.expm)),
        "scipy.linalg.logm": seeded(matrix_function_case(la.logm, max_n=2), 2),
        "scipy.linalg.sqrtm": seeded(matrix_function_case(la.sqrtm)),
        "scipy.linalg.solve_sylvester": seeded(sylvester_case, 9),
        "scipy.linalg.solve_continuous_lyapunov": seeded(lyapunov_case, 6),
        "scipy.linalg.solve_banded": bandeds(),
        "scipy.linalg.block_diag": block_diags(),
    }
)
