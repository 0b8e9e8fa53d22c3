"""fad.scipy.linalg beyond the rule table: SciPy's values on drawn matrices, the triangle each
solver reads, the matrix functions' block-matrix rules, and errors."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fad

scipy_linalg = pytest.importorskip("scipy.linalg")
la = pytest.importorskip("fad.scipy.linalg")


@settings(max_examples=10)
@given(st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_values_are_scipys(n, seed):
    rng = numpy.random.default_rng(seed)
    a = rng.normal(size=(n, n)) + n * numpy.eye(n)
    c = rng.normal(size=(n, n))
    s = c @ c.T + numpy.eye(n)
    b = rng.normal(size=(n, 2))
    close = numpy.testing.assert_allclose
    for trans in (0, 1, "T"):
        for lower in (True, False):
            close(la.solve_triangular(a, b, trans=trans, lower=lower), scipy_linalg.solve_triangular(a, b, trans=trans,
                  lower=lower), rtol=1e-10)  # fmt: skip
    close(la.cholesky(s), scipy_linalg.cholesky(s), rtol=1e-12)
    close(la.cholesky(s, lower=True), scipy_linalg.cholesky(s, lower=True), rtol=1e-12)
    for lower in (True, False):
        close(la.cho_solve(la.cho_factor(s, lower=lower), b), scipy_linalg.cho_solve(scipy_linalg.cho_factor(s, lower),
              b), rtol=1e-10)  # fmt: skip
    lu, piv = la.lu_factor(a)
    want_lu, want_piv = scipy_linalg.lu_factor(a)
    close(lu, want_lu, rtol=1e-12)
    numpy.testing.assert_array_equal(piv, want_piv)
    for trans in (0, 1):
        close(la.lu_solve((lu, piv), b, trans=trans), scipy_linalg.lu_solve((want_lu, want_piv), b, trans=trans),
              rtol=1e-10)  # fmt: skip
    close(la.inv(a), scipy_linalg.inv(a), rtol=1e-10)
    close(la.det(a), scipy_linalg.det(a), rtol=1e-10)
    m = 0.3 * c + 2 * numpy.eye(n)
    close(la.expm(c), scipy_linalg.expm(c), rtol=1e-12)
    close(la.logm(m), scipy_linalg.logm(m), rtol=1e-10, atol=1e-14)
    close(la.sqrtm(m), scipy_linalg.sqrtm(m), rtol=1e-10)
    close(la.solve_sylvester(a, s, c), scipy_linalg.solve_sylvester(a, s, c), rtol=1e-9)
    close(la.solve_continuous_lyapunov(-s, c), scipy_linalg.solve_continuous_lyapunov(-s, c), rtol=1e-9)
    w, v = la.eigh(c + c.T, s)
    want_w, want_v = scipy_linalg.eigh(c + c.T, s)
    close(w, want_w, rtol=1e-10, atol=1e-12)
    close(numpy.abs(v), numpy.abs(want_v), rtol=1e-8, atol=1e-10)
    close(la.eigh(c + c.T, eigvals_only=True), scipy_linalg.eigh(c + c.T, eigvals_only=True), rtol=1e-10, atol=1e-12)
    close(la.block_diag(a, b[:, 0], 2.0), scipy_linalg.block_diag(a, b[:, 0], 2.0))
    ab = rng.normal(size=(4, n))
    ab[1] += 5.0
    close(la.solve_banded((2, 1), ab, b), scipy_linalg.solve_banded((2, 1), ab, b), rtol=1e-10)


def test_solvers_read_one_triangle_and_so_do_their_gradients():
    a = numpy.array([[2.0, 7.0], [1.0, 3.0]])  # the 7 is not read with lower=True
    b = numpy.array([1.0, 2.0])
    g = fad.grad(lambda a: la.solve_triangular(a, b, lower=True).sum())(a)
    assert g[0, 1] == 0.0
    g = fad.grad(lambda a: la.solve_triangular(a, b, lower=True, unit_diagonal=True).sum())(a)
    numpy.testing.assert_array_equal(numpy.diag(g), [0.0, 0.0])


def test_matrix_functions_are_inverse_to_each_other_to_second_order():
    rng = numpy.random.default_rng(1)
    a = 0.2 * rng.normal(size=(3, 3)) + numpy.eye(3)
    v = rng.normal(size=(3, 3))
    # logm(expm(a)) = a, so its Jacobian is the identity and its Hessian vanishes
    f = lambda a: la.logm(la.expm(a))  # noqa: E731
    _, jv = fad.jvp(f)((0.3 * a,), (v,))
    numpy.testing.assert_allclose(jv, v, rtol=1e-8, atol=1e-10)
    g = fad.grad(lambda a: numpy.sum(la.sqrtm(a) @ la.sqrtm(a) * v))(a)  # sqrtm(a)^2 = a
    numpy.testing.assert_allclose(g, v, rtol=1e-8, atol=1e-10)


def test_errors_say_what_to_do():
    with pytest.raises(ValueError, match=r"solve_triangular: expected a square matrix"):
        la.solve_triangular(numpy.ones((2, 3)), numpy.ones(2))
    with pytest.raises(ValueError, match=r"logm: the matrix has no real logm"):
        la.logm(-numpy.eye(2))
    with pytest.raises(NotImplementedError, match=r"eigh: \['subset_by_index'\] not supported"):
        la.eigh(numpy.eye(2), subset_by_index=[0, 0])
    with pytest.raises(ValueError, match=r"solve_banded: ab must have l \+ u \+ 1 = 3 rows"):
        la.solve_banded((1, 1), numpy.ones((2, 3)), numpy.ones(3))
    with pytest.raises(TypeError, match=r"expm: fad differentiates real matrices only"):
        la.expm(numpy.eye(2) * 1j)
