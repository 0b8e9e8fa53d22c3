"""fad.numpy.linalg beyond the rule table: values against NumPy, closed forms, special
points (repeated eigenvalues, the norm at 0), dtypes, errors, and NumPy's dispatch."""

import numpy
import pytest

import fad
import fad.numpy as np
from fad.numpy import linalg as la
from fad.testing import check_grads

rng = numpy.random.default_rng(0)
NUMPY2 = numpy.lib.NumpyVersion(numpy.__version__) >= "2.0.0"


def orthogonal(n):
    return numpy.linalg.qr(rng.normal(size=(n, n)))[0]


def well_conditioned(n, values=(1.0, -2.0, 0.7, 1.5)):
    return orthogonal(n) * numpy.array(values[:n]) @ orthogonal(n).T


def spd(n):
    q = orthogonal(n)
    return q * numpy.array([0.5, 1.0, 2.0, 3.0][:n]) @ q.T


A, S = well_conditioned(3), spd(3)
TALL, WIDE = rng.normal(size=(4, 2)), rng.normal(size=(2, 4))


# --------------------------------------------------------------------------------------
# Values: NumPy's, in value, shape and dtype, traced or not
# --------------------------------------------------------------------------------------

VALUE_CASES = [
    ("det", (A,), {}),
    ("det", (rng.normal(size=(2, 3, 3)),), {}),
    ("slogdet", (A,), {}),
    ("inv", (rng.normal(size=(2, 3, 3)),), {}),
    ("solve", (A, rng.normal(size=3)), {}),
    ("solve", (A, rng.normal(size=(3, 2))), {}),
    ("solve", (rng.normal(size=(2, 3, 3)), rng.normal(size=(1, 3, 4))), {}),
    ("pinv", (TALL,), {}),
    ("pinv", (S,), {"hermitian": True}),
    ("pinv", (TALL,), {"rcond": 1e-3}),
    ("lstsq", (TALL, rng.normal(size=4)), {}),
    ("lstsq", (TALL, rng.normal(size=(4, 3))), {}),
    ("lstsq", (WIDE, rng.normal(size=2)), {}),
    ("lstsq", (numpy.ones((3, 2)), rng.normal(size=3)), {}),  # rank 1: no residuals
    ("matrix_power", (A, 0), {}),
    ("matrix_power", (A, 5), {}),
    ("matrix_power", (A, -2), {}),
    ("multi_dot", ([rng.normal(size=3), rng.normal(size=(3, 5)), rng.normal(size=(5, 2)), rng.normal(size=2)],), {}),
    ("multi_dot", ([rng.normal(size=(6, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 2))],), {}),
    ("cholesky", (S,), {}),
    ("qr", (TALL,), {}),
    ("qr", (WIDE,), {}),
    ("qr", (rng.normal(size=(2, 4, 3)),), {}),
    ("qr", (TALL,), {"mode": "r"}),
    ("qr", (WIDE,), {"mode": "complete"}),
    ("eigh", (S,), {}),
    ("eigh", (S,), {"UPLO": "U"}),
    ("eigvalsh", (S,), {}),
    ("eig", (rng.normal(size=(4, 4)),), {}),
    ("eigvals", (rng.normal(size=(2, 3, 3)),), {}),
    ("svd", (TALL,), {"full_matrices": False}),
    ("svd", (TALL,), {}),
    ("svd", (A,), {"compute_uv": False}),
    ("svd", (S,), {"hermitian": True}),
    ("norm", (rng.normal(size=(2, 3, 4)),), {}),
    ("norm", (rng.normal(size=(2, 3, 4)),), {"keepdims": True}),
    ("norm", (rng.normal(size=(2, 3, 4)),), {"axis": 1, "ord": 3}),
    ("norm", (rng.normal(size=5),), {"ord": 0}),
    ("norm", (numpy.zeros(0),), {}),
    ("cond", (A,), {}),
    ("cond", (A,), {"p": "fro"}),
    ("cond", (A,), {"p": -2}),
    ("matrix_rank", (numpy.ones((3, 3)),), {}),
]
VALUE_CASES += [("norm", (rng.normal(size=(3, 4)),), {"ord": o}) for o in [None, "fro", "nuc", 1, -1, 2, -2, numpy.inf,
                                                                           -numpy.inf]]
VALUE_CASES += [("norm", (rng.normal(size=(2, 3, 4)),), {"ord": o, "axis": (2, 0), "keepdims": True})
                for o in ["fro", "nuc", 1, -1, 2, -2, numpy.inf, -numpy.inf]]
VALUE_CASES += [("norm", (rng.normal(size=(3, 4)),), {"ord": o, "axis": 0}) for o in [None, 1, 2, 0.5, numpy.inf, -1]]
if NUMPY2:  # NumPy 1 reads b as a stack of vectors when b.ndim == a.ndim - 1
    VALUE_CASES += [("solve", (rng.normal(size=(2, 3, 3)), rng.normal(size=(3, 4))), {}),
                    ("solve", (rng.normal(size=(2, 3, 3)), rng.normal(size=3)), {})]
else:
    VALUE_CASES += [("solve", (rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3))), {})]
if NUMPY2:  # the array-API names
    VALUE_CASES += [
        ("vector_norm", (rng.normal(size=(2, 3, 4)),), {"axis": (0, 2), "ord": 1, "keepdims": True}),
        ("vector_norm", (rng.normal(size=(2, 3)),), {}),
        ("matrix_norm", (rng.normal(size=(2, 3, 4)),), {"ord": "nuc"}),
        ("svdvals", (TALL,), {}),
        ("matrix_transpose", (rng.normal(size=(2, 3, 4)),), {}),
        ("outer", (rng.normal(size=2), rng.normal(size=3)), {}),
        ("vecdot", (rng.normal(size=(2, 3)), rng.normal(size=3)), {}),
        ("diagonal", (rng.normal(size=(2, 3, 4)),), {"offset": 1}),
        ("diagonal", (rng.normal(size=(3, 4)),), {"offset": -2}),
        ("trace", (rng.normal(size=(2, 3, 4)),), {"offset": -1}),
        ("matmul", (rng.normal(size=(2, 3)), rng.normal(size=(3, 4))), {}),
        ("cholesky", (S + 5 * numpy.tril(numpy.ones((3, 3)), -1),), {"upper": True}),  # reads the upper triangle
    ]


def leaves(y):
    return list(y) if isinstance(y, tuple) else [y]


def assert_same(got, want):
    assert len(leaves(got)) == len(leaves(want))
    for g, w in zip(leaves(got), leaves(want)):
        assert numpy.shape(g) == numpy.shape(w), (numpy.shape(g), numpy.shape(w))
        assert numpy.result_type(g) == numpy.result_type(w), (numpy.result_type(g), numpy.result_type(w))
        numpy.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, args, kwargs", VALUE_CASES, ids=lambda c: c if isinstance(c, str) else "")
def test_values_match_numpy(name, args, kwargs):
    assert_same(getattr(la, name)(*args, **kwargs), getattr(numpy.linalg, name)(*args, **kwargs))


@pytest.mark.parametrize("name, args, kwargs", VALUE_CASES, ids=lambda c: c if isinstance(c, str) else "")
def test_numpy_dispatches_to_fad_on_traced_values(name, args, kwargs):
    """``numpy.linalg.<name>(traced)`` runs fad's rule and gives NumPy's value."""
    first = args[0][0] if name == "multi_dot" else args[0]
    if name == "matrix_rank" or (name == "norm" and kwargs.get("ord") == 0):
        return  # no derivative: nothing is traced
    seen = []

    def f(x):
        call_args = ([x, *args[0][1:]],) if name == "multi_dot" else (x, *args[1:])
        y = getattr(numpy.linalg, name)(*call_args, **kwargs)
        seen.append(y)
        outs = [o for o in leaves(y) if isinstance(o, fad.core.Traced) and not numpy.iscomplexobj(fad.core.untraced(o))]
        return sum(np.sum(o) for o in outs)

    if name == "svd" and first.shape[-1] != first.shape[-2] and not set(kwargs) & {"full_matrices", "compute_uv"}:
        with pytest.raises(NotImplementedError, match="full_matrices=False"):
            fad.grad(f)(first)
        return
    fad.grad(f)(first)
    assert_same(tuple(fad.core.untraced(o) for o in leaves(seen[0])), tuple(leaves(getattr(numpy.linalg, name)(
        *args, **kwargs))))


def test_every_public_function_has_numpys_name():
    for name in la.__all__:
        assert hasattr(numpy.linalg, name) or name in ("vector_norm", "matrix_norm", "svdvals", "matrix_transpose",
                                                       "outer", "vecdot", "diagonal", "trace", "matmul"), name


def test_results_are_named_like_numpys():
    sign, logabsdet = la.slogdet(A)
    assert la.slogdet(A).logabsdet == logabsdet and la.eigh(S).eigenvectors.shape == (3, 3)
    assert la.svd(A).Vh.shape == la.qr(A).R.shape == (3, 3) and la.eig(A).eigenvalues.shape == (3,)
    x, residuals, rank, s = la.lstsq(TALL, numpy.ones(4))
    assert rank == 2 and residuals.shape == (1,)

    def f(a):
        result = la.slogdet(a)
        assert isinstance(result, la.SlogdetResult)
        return result.logabsdet + la.eigh(a).eigenvalues[0] + la.qr(a).R[0, 0]

    fad.grad(f)(S)


# --------------------------------------------------------------------------------------
# Closed forms, to second order
# --------------------------------------------------------------------------------------


def test_gradient_of_det_is_the_cofactor_matrix():
    numpy.testing.assert_allclose(fad.grad(la.det)(A), numpy.linalg.det(A) * numpy.linalg.inv(A).T)


def test_hessian_of_logdet():
    """d^2 log|det A| / dA_ij dA_kl = -inv(A)_li inv(A)_jk."""
    inv = numpy.linalg.inv(A)
    want = -numpy.einsum("li,jk->ijkl", inv, inv)
    numpy.testing.assert_allclose(fad.hessian(lambda a: la.slogdet(a)[1])(A), want, atol=1e-12)


def test_gradient_of_trace_of_inverse():
    """d tr(A^-1) / dA = -(A^-2)^T."""
    inv = numpy.linalg.inv(A)
    numpy.testing.assert_allclose(fad.grad(lambda a: np.sum(la.diagonal(la.inv(a))))(A), -(inv @ inv).T)


def test_eigenvalue_gradients_are_outer_products_of_eigenvectors():
    w, v = numpy.linalg.eigh(S)
    for k in range(3):
        numpy.testing.assert_allclose(fad.grad(lambda a, k=k: la.eigvalsh(a)[k])(S), numpy.outer(v[:, k], v[:, k]),
                                      atol=1e-12)


def test_singular_value_gradients_are_outer_products_of_singular_vectors():
    u, s, vh = numpy.linalg.svd(TALL, full_matrices=False)
    numpy.testing.assert_allclose(fad.grad(lambda a: la.norm(a, 2))(TALL), numpy.outer(u[:, 0], vh[0]), atol=1e-12)
    numpy.testing.assert_allclose(fad.grad(lambda a: la.norm(a, "nuc"))(TALL), u @ vh, atol=1e-12)


def test_solve_gradients():
    b = rng.normal(size=3)
    x = numpy.linalg.solve(A, b)
    ga, gb = fad.grad(lambda a, b: np.sum(la.solve(a, b)), argnums=(0, 1))(A, b)
    bbar = numpy.linalg.solve(A.T, numpy.ones(3))
    numpy.testing.assert_allclose(gb, bbar)
    numpy.testing.assert_allclose(ga, -numpy.outer(bbar, x))


@pytest.mark.parametrize("a", [TALL, WIDE, A, rng.normal(size=(2, 3, 5))], ids=["tall", "wide", "square", "batch"])
def test_raw_qr_factors(a):
    """Q and R themselves (not only sign-free products), where no pivot is near 0."""
    check_grads(la.qr, a)


def test_raw_eigenvectors_of_a_complex_pair():
    """NumPy fixes the phase of complex eigenvectors: V itself is differentiable there."""
    b = numpy.array([[0.5, -1.0, 0.2], [1.0, 0.5, 0.1], [0.0, 0.3, -1.0]])
    w, v = numpy.linalg.eig(b)
    assert numpy.iscomplexobj(v) and len(set(numpy.round(w, 6))) == 3
    parts = lambda z: (np.real(z), np.imag(z))  # noqa: E731
    check_grads(lambda a: parts(la.eig(a).eigenvectors[:, :2]), b)


def test_eig_follows_the_complex_convention():
    """For a real function of eig the gradient is real; the VJP of a complex output is
    the transpose of the JVP under Re(sum(a * b)), as in autograd and JAX."""
    b = numpy.array([[0.5, -1.0, 0.2], [1.0, 0.5, 0.1], [0.0, 0.3, -1.0]])
    w = numpy.linalg.eig(b)[0]
    wbar = rng.normal(size=3) + 1j * rng.normal(size=3)
    v = rng.normal(size=(3, 3))
    (abar,) = fad.vjp(la.eigvals)(None, wbar, b)
    _, wdot = fad.jvp(la.eigvals)((b,), (v,))
    assert abar.dtype == numpy.float64 and numpy.iscomplexobj(w)
    numpy.testing.assert_allclose(numpy.sum(abar * v), numpy.sum(wbar * wdot).real)
    z = b + 0.5j * rng.normal(size=(3, 3))
    zdot = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    (zbar,) = fad.vjp(la.eigvals)(None, wbar, z)
    _, wdot = fad.jvp(la.eigvals)((z,), (zdot,))
    numpy.testing.assert_allclose(numpy.sum(zbar * zdot).real, numpy.sum(wbar * wdot).real)


def test_eig_with_complex_values_in_and_out():
    """check_grads pairs complex values by Re(sum(a * b)), fad's convention: eig's outputs as they are."""
    b = numpy.array([[0.5, -1.0, 0.2], [1.0, 0.5, 0.1], [0.0, 0.3, -1.0]])  # eigenvalues 0.5 +- 1j, -1
    for a in (b, b + 0.3j * b.T):
        check_grads(la.eigvals, a)
        check_grads(la.eig, a)  # NumPy's eigenvectors: unit norm, largest component real; no sign flip here


def test_eig_conventions_agree_with_fad_numpy_real_and_imag():
    """eig's rule takes complex values apart with fad.numpy's own real and imag (one record each)."""
    if "real" not in np.__all__ or "imag" not in np.__all__:
        pytest.skip("fad.numpy.real/imag are not defined")
    b = rng.normal(size=(3, 3))

    def f(a, real, imag):
        w = la.eigvals(a)
        return np.sum(real(w) ** 2 + 3.0 * imag(w) ** 3)

    from fad.numpy.linalg import _eig

    assert (_eig.real, _eig.imag) == (np.real, np.imag)
    numpy.testing.assert_allclose(fad.grad(f)(b, np.real, np.imag), fad.grad(f)(b, _eig.real, _eig.imag))


# --------------------------------------------------------------------------------------
# Special points: no NaN where a gradient exists
# --------------------------------------------------------------------------------------


def test_two_norm_has_gradient_zero_at_zero():
    for f in (la.norm, lambda x: la.norm(x, axis=-1), lambda x: la.norm(x, "fro"), la.vector_norm):
        g = fad.grad(lambda x, f=f: np.sum(f(x)))(numpy.zeros((2, 3)))
        assert numpy.all(g == 0.0)
    assert numpy.all(fad.hessian(la.norm)(numpy.zeros(3)) == 0.0)
    # and elsewhere the gradient is x / |x|, also where other rows are 0
    x = numpy.array([[3.0, 4.0], [0.0, 0.0]])
    numpy.testing.assert_allclose(fad.grad(lambda x: np.sum(la.norm(x, axis=1)))(x), [[0.6, 0.8], [0.0, 0.0]])


def test_repeated_values_give_finite_gradients_of_the_values():
    """At repeated eigen- or singular values F_ij = 1/(w_j - w_i) is taken as 0."""
    eye = numpy.eye(3)
    numpy.testing.assert_allclose(fad.grad(lambda a: np.sum(la.eigvalsh(a)))(eye), eye)
    numpy.testing.assert_allclose(fad.grad(lambda a: la.norm(a, "nuc"))(eye), eye)
    numpy.testing.assert_allclose(fad.grad(lambda a: np.sum(la.svdvals(a)))(2 * eye), eye)
    numpy.testing.assert_allclose(fad.grad(lambda a: np.real(np.sum(la.eigvals(a))))(eye), eye)


def test_max_norms_share_the_gradient_between_ties():
    x = numpy.array([1.0, -3.0, 3.0])
    numpy.testing.assert_allclose(fad.grad(lambda x: la.norm(x, numpy.inf))(x), [0.0, -0.5, 0.5])
    m = numpy.array([[1.0, 2.0], [2.0, 1.0]])  # equal column sums
    numpy.testing.assert_allclose(fad.grad(lambda x: la.norm(x, 1))(m), numpy.full((2, 2), 0.5))


def test_norm_zero_counts_and_has_no_derivative():
    x = numpy.array([0.0, 2.0, -1.0])
    assert fad.grad(lambda x: la.norm(x, 0) + np.sum(x))(x).tolist() == [1.0, 1.0, 1.0]


# --------------------------------------------------------------------------------------
# dtypes: float32 in, float32 values and gradients out
# --------------------------------------------------------------------------------------

FLOAT32_CASES = {
    "det": la.det,
    "slogdet": lambda a: la.slogdet(a)[1],
    "inv": lambda a: np.sum(la.inv(a)),
    "solve": lambda a: np.sum(la.solve(a, numpy.ones(3, numpy.float32))),
    "pinv": lambda a: np.sum(la.pinv(a)),
    "lstsq": lambda a: np.sum(la.lstsq(a, numpy.ones(3, numpy.float32))[0]),
    "matrix_power": lambda a: np.sum(la.matrix_power(a, -2)),
    "cholesky": lambda a: np.sum(la.cholesky(a)),
    "qr": lambda a: np.sum(la.qr(a).R),
    "eigh": lambda a: np.sum(la.eigh(a)[0]),
    "eig": lambda a: np.real(np.sum(la.eigvals(a))),
    "svd": lambda a: np.sum(la.svd(a)[1]),
    "norm": lambda a: la.norm(a) + la.norm(a, "nuc") + la.norm(a, 1) + la.norm(a[0], 3),
    "cond": la.cond,
}


@pytest.mark.parametrize("name", sorted(FLOAT32_CASES))
def test_float32_stays_float32(name):
    a = S.astype(numpy.float32)
    value, g = fad.value_and_grad(FLOAT32_CASES[name])(a)
    assert numpy.result_type(value) == numpy.float32 and g.dtype == numpy.float32, (value, g.dtype)
    want = fad.grad(FLOAT32_CASES[name])(S)
    numpy.testing.assert_allclose(g, want, rtol=1e-3, atol=1e-4)


# --------------------------------------------------------------------------------------
# Errors name the function and say what to do
# --------------------------------------------------------------------------------------


def test_complex_matrices_follow_the_convention_of_docs_complex():
    """Holomorphic functions (det, inv, solve) have the real rule, never conjugated; a real function
    of a complex matrix has the gradient df/dx - i df/dy."""
    z = A + 1j * numpy.eye(3)
    _, back = fad.pullback(la.det, z)
    numpy.testing.assert_allclose(back(1.0 + 0j)[0], numpy.linalg.det(z) * numpy.linalg.inv(z).T)
    _, back = fad.pullback(la.inv, z)
    ybar = numpy.ones((3, 3)) * (1 - 2j)
    y = numpy.linalg.inv(z)
    numpy.testing.assert_allclose(back(ybar)[0], -y.T @ ybar @ y.T)
    g = fad.grad(lambda z: la.norm(z) ** 2)(z)  # |z|^2 has gradient 2 conj(z)
    numpy.testing.assert_allclose(g, 2 * numpy.conj(z))
    g = fad.grad(lambda z: la.svd(z, compute_uv=False).sum())(z)  # the nuclear norm: conj(U Vh)
    u, _, vh = numpy.linalg.svd(z)
    numpy.testing.assert_allclose(g, numpy.conj(u @ vh), atol=1e-12)
    assert numpy.allclose(la.det(z), numpy.linalg.det(z))


def test_svd_full_matrices_of_a_traced_rectangle():
    with pytest.raises(NotImplementedError, match=r"linalg\.svd.*full_matrices=False"):
        fad.grad(lambda a: np.sum(la.svd(a)[0]))(TALL)
    fad.grad(lambda a: np.sum(la.svd(a)[0]))(A)  # square: full and reduced are the same


def test_qr_modes_without_derivative():
    with pytest.raises(NotImplementedError, match=r"linalg\.qr: mode='complete'.*mode='reduced'"):
        fad.grad(lambda a: np.sum(la.qr(a, mode="complete")[0]))(TALL)
    with pytest.raises(NotImplementedError, match=r"mode='raw'"):
        fad.grad(lambda a: np.sum(la.qr(a, mode="raw")[0]))(TALL)


def test_shape_and_argument_errors():
    with pytest.raises(ValueError, match=r"linalg\.det: expected a square matrix.*\(2, 3\)"):
        la.det(numpy.ones((2, 3)))
    with pytest.raises(ValueError, match=r"linalg\.inv: expected a square"):
        la.inv(numpy.ones(3))
    with pytest.raises(TypeError, match=r"matrix_power: the exponent must be an integer"):
        la.matrix_power(A, 1.5)
    with pytest.raises(TypeError, match=r"multi_dot: out="):
        la.multi_dot([A, A], out=numpy.empty((3, 3)))
    with pytest.raises(ValueError, match=r"multi_dot: expecting at least two"):
        la.multi_dot([A])
    with pytest.raises(ValueError, match=r"eigh: UPLO must be"):
        la.eigh(S, UPLO="X")
    with pytest.raises(ValueError, match=r"norm: invalid norm order 'fro' for vectors"):
        la.norm(numpy.ones(3), "fro")
    with pytest.raises(ValueError, match=r"norm: invalid norm order 3 for matrices"):
        la.norm(A, 3)
    with pytest.raises(ValueError, match=r"norm: with ord=1 and axis=None, x must be 1-d or 2-d"):
        la.norm(numpy.ones((2, 2, 2)), 1)


def test_other_numpy_linalg_names_are_numpys():
    assert la.LinAlgError is numpy.linalg.LinAlgError
    with pytest.raises(AttributeError, match="fad.numpy.linalg"):
        la.no_such_function  # noqa: B018


def test_tape_shows_one_entry_per_decomposition():
    assert str(fad.tape(la.det)(A)).splitlines()[0] == "t1 = det(a)"
    assert [e.primitive.name for e in fad.tape(lambda a: la.svd(a)[1])(A).entries] == ["svd"]


def test_gradient_of_det_at_singular_matrices_is_the_cofactor_matrix():
    singular = numpy.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    want = numpy.array([[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]])  # cofactors, by hand
    numpy.testing.assert_allclose(fad.grad(la.det)(singular), want, atol=1e-12)
    batch = numpy.stack([singular, A, numpy.zeros((3, 3))])  # one singular matrix does not spoil the others
    g = fad.elementwise_grad(la.det)(batch)
    numpy.testing.assert_allclose(g[1], numpy.linalg.det(A) * numpy.linalg.inv(A).T)
    numpy.testing.assert_allclose(g[[0, 2]], [want, numpy.zeros((3, 3))], atol=1e-12)
    # second order: the Hessian of det at 0 of a 2 x 2 matrix (det = ad - bc)
    numpy.testing.assert_allclose(fad.hessian(la.det)(numpy.zeros((2, 2))).reshape(4, 4)[[0, 1, 2, 3], [3, 2, 1, 0]],
                                  [1.0, -1.0, -1.0, 1.0])
    check_grads(la.det, singular)
