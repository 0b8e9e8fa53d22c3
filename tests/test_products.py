"""Products beyond the rule table: values against NumPy, the cost of constant operands,
complex numbers (fad's convention, no conjugation in VJPs), dtypes, errors and dispatch."""

import warnings

import numpy
import pytest
from hypothesis import given
from rule_tables.products import einsum_cases

import fad
import fad.numpy as np
from fad.testing import check_grads

rng = numpy.random.default_rng(0)


def normal(*shape, dtype=numpy.float64):
    x = rng.normal(size=shape)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * rng.normal(size=shape)
    return x.astype(dtype)


# --------------------------------------------------------------------------------------
# Values: the same as NumPy's, in shape, dtype and value
# --------------------------------------------------------------------------------------


@given(einsum_cases())
def test_einsum_values_match_numpy(case):
    spec, xs = case
    want, got = numpy.einsum(spec, *xs), np.einsum(spec, *xs)
    assert numpy.shape(got) == numpy.shape(want) and numpy.result_type(got) == numpy.result_type(want)
    numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


VALUE_CASES = [
    ("dot", ((2, 3, 4), (5, 4, 6))),
    ("dot", ((2, 3, 4), (4,))),
    ("dot", ((4,), (2, 4, 3))),
    ("dot", ((), (2, 3))),
    ("dot", ((3,), (3,))),
    ("vdot", ((2, 3), (3, 2))),
    ("inner", ((2, 3), (4, 1, 3))),
    ("inner", ((), (2,))),
    ("outer", ((2, 3), (4,))),
    ("outer", ((), (0, 2))),
    ("tensordot", ((2, 3, 4), (3, 4, 5))),
    ("kron", ((2, 3), (4, 1, 2))),
    ("kron", ((2,), ())),
    ("kron", ((0, 2), (3, 1))),
    ("cross", ((4, 3), (3,))),
    ("cross", ((2,), (2,))),
    ("cross", ((2,), (3,))),
    ("cross", ((5, 3), (1, 5, 2))),
    ("matmul", ((2, 1, 3, 4), (5, 4, 2))),
    ("matmul", ((4,), (2, 4, 3))),
]


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
@pytest.mark.parametrize(("name", "shapes"), VALUE_CASES, ids=[f"{n}{s}" for n, s in VALUE_CASES])
def test_values_match_numpy(name, shapes, dtype):
    xs = [normal(*s, dtype=dtype) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy 2 deprecates cross of 2-vectors
        want = getattr(numpy, name)(*xs)
    got = getattr(np, name)(*xs)
    assert numpy.shape(got) == numpy.shape(want) and numpy.result_type(got) == numpy.result_type(want)
    numpy.testing.assert_allclose(got, want, rtol=1e-5)


def test_cross_and_tensordot_axes_match_numpy():
    a, b = normal(3, 4, 2), normal(2, 3)
    for kwargs in [dict(axisa=0, axisb=-1, axisc=1), dict(axisa=-3, axisb=1, axisc=0)]:
        numpy.testing.assert_allclose(np.cross(a, b, **kwargs), numpy.cross(a, b, **kwargs))
    x, y = normal(3, 2, 3), normal(2, 3)
    numpy.testing.assert_allclose(np.cross(x, y, axis=-1), numpy.cross(x, y, axis=-1))
    a, b = normal(2, 3, 4), normal(4, 2, 5)
    for axes in [([0, 2], [1, 0]), ([-1], [0]), (2, 0), 0]:
        numpy.testing.assert_allclose(np.tensordot(a, b, axes=axes), numpy.tensordot(a, b, axes=axes))


@pytest.mark.skipif(not hasattr(numpy, "matvec"), reason="numpy.matvec and vecmat are in NumPy 2.2 and later")
def test_vecdot_matvec_vecmat_match_numpy():
    m, v = normal(4, 2, 3, dtype=complex), normal(3, dtype=complex)
    numpy.testing.assert_allclose(np.matvec(m, v), numpy.matvec(m, v))
    numpy.testing.assert_allclose(np.vecmat(v, m.swapaxes(-1, -2)), numpy.vecmat(v, m.swapaxes(-1, -2)))
    numpy.testing.assert_allclose(np.vecdot(m, v), numpy.vecdot(m, v))
    numpy.testing.assert_allclose(np.vecdot(m, m, axis=0), numpy.vecdot(m, m, axis=0))


def test_lists_are_taken_as_arrays():
    numpy.testing.assert_array_equal(np.dot([1.0, 2.0], 3.0), [3.0, 6.0])
    numpy.testing.assert_array_equal(np.cross([1, 0, 0], [0, 1, 0]), [0, 0, 1])
    numpy.testing.assert_array_equal(np.kron([1, 2], [3, 4]), numpy.kron([1, 2], [3, 4]))
    numpy.testing.assert_array_equal(np.outer([1, 2], (3, 4)), numpy.outer([1, 2], (3, 4)))
    assert np.einsum("i,i", [1, 2], [3, 4]) == 11 and np.vdot([1, 2], [3, 4]) == 11
    numpy.testing.assert_allclose(fad.grad(lambda x: np.dot([1.0, 2.0], x))(numpy.ones(2)), [1.0, 2.0])


def test_einsum_subscripts_with_spaces_and_optimize():
    a, b, c = normal(2, 3), normal(3, 4), normal(4, 2)
    want = numpy.einsum("ij,jk,ki->", a, b, c)
    numpy.testing.assert_allclose(np.einsum(" ij , jk , ki -> ", a, b, c), want)
    path = numpy.einsum_path("ij,jk,ki->", a, b, c, optimize="optimal")[0]
    f = lambda a: np.einsum("ij,jk,ki->", a, b, c, optimize=path)  # noqa: E731
    numpy.testing.assert_allclose(f(a), want)
    numpy.testing.assert_allclose(fad.grad(f)(a), (b @ c).T)


# --------------------------------------------------------------------------------------
# A constant operand costs no cotangent
# --------------------------------------------------------------------------------------


def backward_tape(f, *xs):
    """The entries of the backward pass of ``f`` at ``xs`` (the VJP, itself traced)."""
    y, back = fad.pullback(f, *xs)
    return fad.tape(back)(numpy.ones_like(y)).entries


def test_einsum_with_a_constant_operand_computes_one_cotangent():
    X, W = normal(5, 3), normal(3, 2)
    (entry,) = backward_tape(lambda W: np.einsum("ij,jk", X, W), W)
    assert entry.primitive.name == "einsum" and entry.params["subscripts"] == "ik,ij->jk"
    assert len(backward_tape(lambda X, W: np.einsum("ij,jk", X, W), X, W)) == 2


X_CONST = normal(5, 3)


@pytest.mark.parametrize(
    "f",
    [
        lambda W: np.matmul(X_CONST, W),
        lambda W: np.dot(X_CONST, W),
        lambda W: np.tensordot(X_CONST, W, axes=1),
        lambda W: X_CONST @ W,
        lambda W: np.inner(X_CONST, W.T),
    ],
)
def test_matrix_products_with_a_constant_operand_compute_one_product(f):
    names = [e.primitive.name for e in backward_tape(f, normal(3, 2))]
    assert names.count("matmul") == 1, names



# --------------------------------------------------------------------------------------
# Complex numbers: VJPs without conjugation, <ybar, J v> = <vjp(ybar), v> with the
# bilinear pairing <a, b> = Re(sum(a * b)) (the convention of autograd and JAX)
# --------------------------------------------------------------------------------------


def pairing(a, b):
    return sum(float(numpy.sum(numpy.real(numpy.asarray(p) * numpy.asarray(q)))) for p, q in zip(a, b))


def leaves(y):
    return list(y) if isinstance(y, tuple) else [y]


def like(x):
    x = numpy.asarray(x)
    return normal(*x.shape, dtype=x.dtype)


def check_complex(f, *xs, order=2):
    """Check ``f``'s VJP and JVP against central differences (exact for multilinear ``f``)."""
    y = f(*xs)
    ybar = tuple(like(t) for t in leaves(y)) if isinstance(y, tuple) else like(y)
    xbars = fad.vjp(f)(y, ybar, *xs)
    for k, x in enumerate(xs):
        v, h = like(x), 1e-3
        shifted = [leaves(f(*xs[:k], x + s * h * v, *xs[k + 1 :])) for s in (1, -1)]
        jv = [(p - q) / (2 * h) for p, q in zip(*shifted)]
        assert numpy.result_type(xbars[k]) == numpy.result_type(x) and numpy.shape(xbars[k]) == numpy.shape(x)
        assert pairing([xbars[k]], [v]) == pytest.approx(pairing(leaves(ybar), jv), rel=1e-6, abs=1e-9)
        tangents = tuple(v if i == k else numpy.zeros_like(xi) for i, xi in enumerate(xs))
        ydot = fad.jvp(f)(tuple(xs), tangents)[1]
        for got, want in zip(leaves(ydot), jv):
            numpy.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    if order > 1:
        check_complex(lambda *xs: fad.vjp(f)(None, ybar, *xs), *xs, order=order - 1)


COMPLEX_CASES = [
    (np.matmul, [(2, 1, 3, 4), (5, 4, 2)]),
    (np.matmul, [(3,), (2, 3, 2)]),
    (np.dot, [(2, 3, 4), (5, 4, 2)]),
    (np.vdot, [(2, 3), (3, 2)]),
    (np.inner, [(2, 3), (4, 3)]),
    (np.outer, [(2,), (3,)]),
    (lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])), [(2, 3, 4), (4, 2)]),
    (lambda a, b: np.einsum("ii,ij->j", a, b), [(3, 3), (3, 2)]),
    (lambda a, b, c: np.einsum("...i,ij,j", a, b, c), [(2, 3), (3, 4), (4,)]),
    (np.kron, [(2, 2), (3,)]),
    (np.cross, [(4, 3), (3,)]),
    (np.vecdot, [(2, 3), (3,)]),
    (np.vecmat, [(2, 3), (3, 2)]),
    (np.matvec, [(2, 3), (3,)]),
]


@pytest.mark.parametrize(("f", "shapes"), COMPLEX_CASES)
@pytest.mark.parametrize("kinds", ["cc", "rc", "cr"])
def test_complex_follows_the_no_conjugation_convention(f, shapes, kinds):
    kinds = (kinds * 2)[: len(shapes)]
    xs = [normal(*s, dtype=complex if k == "c" else float) for s, k in zip(shapes, kinds)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a real operand gets a real cotangent: no ComplexWarning
        check_complex(f, *xs)


def test_complex_rules_are_those_of_autograd_and_jax():
    a, b, ybar = normal(3, dtype=complex), normal(3, dtype=complex), normal(3, dtype=complex)
    abar, bbar = fad.vjp(lambda a, b: np.einsum("i,i->i", a, b))(None, ybar, a, b)
    numpy.testing.assert_allclose(abar, ybar * b)  # j(a * b)(y, ybar, a, b) = (ybar * b, ybar * a)
    numpy.testing.assert_allclose(bbar, ybar * a)
    ybar = 0.5 - 2j
    abar, bbar = fad.vjp(np.vdot)(None, ybar, a, b)  # vdot(a, b) = sum(conj(a) * b)
    numpy.testing.assert_allclose(abar, numpy.conj(ybar * b))
    numpy.testing.assert_allclose(bbar, ybar * numpy.conj(a))


@pytest.mark.skipif("real" not in np.__all__, reason="fad.numpy.real comes with the elementwise functions")
def test_gradient_of_a_real_loss_of_complex_products():
    # vdot(z, z) = sum |z|^2; under the convention its gradient is 2 conj(z), as in JAX
    z = normal(3, dtype=complex)
    numpy.testing.assert_allclose(fad.grad(lambda z: np.real(np.vdot(z, z)))(z), 2 * numpy.conj(z))


# --------------------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------------------

FLOAT32_CASES = [
    (lambda a, b: np.einsum("ij,jk", a, b), (2, 3), (3, 4)),
    (np.matmul, (2, 3), (3,)),
    (np.dot, (2, 3, 4), (4, 2)),
    (np.vdot, (2, 3), (6,)),
    (np.inner, (2, 3), (3,)),
    (np.outer, (2,), (3,)),
    (np.tensordot, (2, 3, 4), (3, 4)),
    (np.kron, (2, 2), (2,)),
    (np.cross, (2, 3), (3,)),
    (np.vecdot, (2, 3), (3,)),
]


@pytest.mark.parametrize(("f", "sa", "sb"), FLOAT32_CASES)
def test_float32_in_gives_float32_values_and_cotangents(f, sa, sb):
    a, b = normal(*sa, dtype=numpy.float32), normal(*sb, dtype=numpy.float32)
    y, back = fad.pullback(f, a, b)
    assert numpy.result_type(y) == numpy.float32
    abar, bbar = back(numpy.ones_like(y))
    assert abar.dtype == bbar.dtype == numpy.float32
    # a float64 constant widens the value, as in NumPy, but not the float32 operand's cotangent
    (abar,) = fad.vjp(lambda a: f(a, b.astype(numpy.float64)))(None, numpy.ones(numpy.shape(y)), a)
    assert abar.dtype == numpy.float32


def test_einsum_rule_casts_the_cotangent_to_the_operand_dtype():
    a, c = normal(3, dtype=numpy.float32), normal(3)  # the cotangent is float64 inside the rule
    entries = backward_tape(lambda a: np.einsum("i,i->i", a, c), a)
    assert entries[-1].primitive.name == "astype" and numpy.result_type(entries[-1].value) == numpy.float32


# --------------------------------------------------------------------------------------
# Higher order, forward mode, empty arrays
# --------------------------------------------------------------------------------------


def test_hessian_of_an_einsum_quadratic_form():
    A, x = normal(3, 3), normal(3)
    H = fad.hessian(lambda x: np.einsum("i,ij,j", x, A, x))(x)
    numpy.testing.assert_allclose(H, A + A.T)


def test_third_derivative_through_a_trace():
    # d^3/dt^3 trace((t A)^3) = 6 trace(A^3)
    A = normal(3, 3)
    f = lambda t: np.einsum("ii", np.matmul(np.matmul(t * A, t * A), t * A))  # noqa: E731
    numpy.testing.assert_allclose(fad.grad(fad.grad(fad.grad(f)))(0.7), 6 * numpy.trace(A @ A @ A))


@pytest.mark.parametrize(
    "f", [lambda a: np.einsum("ij,jk", a, numpy.ones((0, 2))), lambda a: np.tensordot(a, numpy.ones((0, 2)), 1)]
)
def test_products_summing_over_empty_axes(f):
    a = normal(3, 0)
    assert f(a).shape == (3, 2)
    numpy.testing.assert_array_equal(fad.vjp(f)(None, numpy.ones((3, 2)), a)[0], numpy.zeros((3, 0)))


def test_matmul_broadcasts_batch_axes_both_ways():
    check_grads(np.matmul, normal(2, 1, 2, 3), normal(4, 3, 2))
    check_grads(np.matmul, normal(1, 2, 3), normal(3, 1, 3, 2))


# --------------------------------------------------------------------------------------
# Dispatch of plain NumPy functions, methods, functions with no derivative
# --------------------------------------------------------------------------------------

DISPATCHED = [
    lambda a, b: numpy.einsum("ij,jk->ik", a, b),
    lambda a, b: numpy.einsum(a, [0, 1], b, [1, 2]),
    lambda a, b: numpy.dot(a, b),
    lambda a, b: numpy.matmul(a, b),
    lambda a, b: numpy.tensordot(a, b, axes=1),
    lambda a, b: numpy.inner(a, b.T),
    lambda a, b: numpy.outer(a, b),
    lambda a, b: numpy.vdot(a, b.T),
    lambda a, b: numpy.kron(a, b),
    lambda a, b: numpy.cross(a, b.T),
    lambda a, b: a.dot(b),
    lambda a, b: a @ b,
]


@pytest.mark.parametrize("f", DISPATCHED)
def test_numpy_functions_dispatch_to_fad(f):
    a, b = normal(2, 3), normal(3, 2)
    y, back = fad.pullback(lambda a, b: np.sum(f(a, b) ** 2), a, b)
    numpy.testing.assert_allclose(y, numpy.sum(f(a, b) ** 2))
    check_grads(f, a, b, order=1, modes=("rev",))


@pytest.mark.skipif(not hasattr(numpy, "matvec"), reason="numpy.matvec and vecmat are in NumPy 2.2 and later")
@pytest.mark.parametrize("name", ["vecdot", "matvec", "vecmat"])
def test_numpy_vector_products_dispatch_to_fad(name):
    m, v = normal(2, 3), normal(3)
    args = (v, m.T) if name == "vecmat" else (m, v)
    f = lambda m: getattr(numpy, name)(*((v, m.T) if name == "vecmat" else (m, v)))  # noqa: E731
    numpy.testing.assert_allclose(f(m), getattr(numpy, name)(*args))
    check_grads(f, m, order=1, modes=("rev",))


def test_numpy_asarray_of_a_traced_value_is_an_error_not_a_constant():
    with pytest.raises(TypeError, match="lose its derivative"):
        fad.grad(lambda a: numpy.asarray(a).sum())(normal(2))


def test_dot_method_of_traced_arrays_takes_n_d_arrays():
    a, b = normal(2, 3, 4), normal(5, 4, 2)
    g = fad.grad(lambda a: a.dot(b).sum())(a)
    numpy.testing.assert_allclose(g, numpy.broadcast_to(b.sum(axis=(0, 2)), a.shape))


def test_einsum_path_has_no_derivative_and_runs_on_traced_values():
    a = normal(2, 3)

    def f(a):
        path, _ = numpy.einsum_path("ij,jk->ik", a, a.T)
        assert path[0] == "einsum_path"
        return np.einsum("ij,jk->ik", a, a.T, optimize=path).sum()

    numpy.testing.assert_allclose(fad.grad(f)(a), 2 * numpy.ones((2, 2)) @ a)


# --------------------------------------------------------------------------------------
# Errors name the function and say what to do
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: np.einsum("ij,jk", normal(2, 3)), ValueError, "einsum: subscripts 'ij,jk' name 2 operands, but 1"),
        (lambda: np.einsum("ijk", normal(2, 3)), ValueError, "einsum: operand 0 has 2 dimensions"),
        (lambda: np.einsum("i1", normal(2, 3)), ValueError, "einsum: invalid subscripts"),
        (lambda: np.einsum("...i->i", normal(2, 3)), ValueError, "einsum: subscripts '...i->i' broadcast axes under"),
        (lambda: np.einsum(normal(2), [99]), ValueError, "einsum: subscript 99 in a sublist must be an integer"),
        (lambda: np.einsum(), TypeError, "einsum: expected subscripts"),
        (lambda: np.einsum("i", normal(2), out=numpy.zeros(2)), TypeError, "einsum\\(..., out=\\)"),
        (lambda: np.dot(normal(2), normal(2), out=numpy.zeros(())), TypeError, "dot\\(..., out=\\)"),
        (lambda: np.einsum("i", normal(2), dtype=float), TypeError, "einsum: dtype not supported; cast the operands"),
        (lambda: np.tensordot(normal(2, 3), normal(3, 2)), ValueError, "tensordot: shapes \\(2, 3\\) and \\(3, 2\\)"),
        (lambda: np.dot(normal(2, 3), normal(2, 3)), ValueError, "dot: shapes \\(2, 3\\) and \\(2, 3\\) are not"),
        (lambda: np.dot(normal(2, 3, 4), normal(3)), ValueError, "dot: shapes"),
        (lambda: np.inner(normal(2, 3), normal(2)), ValueError, "inner: shapes"),
        (lambda: np.tensordot(normal(2), normal(2), axes=3), ValueError, "tensordot: axes=3"),
        (lambda: np.tensordot(normal(2), normal(2), axes="x"), TypeError, "tensordot: axes must be"),
        (lambda: np.tensordot(normal(2), normal(2), axes=([5], [0])), numpy.exceptions.AxisError, "tensordot"),
        (lambda: np.vdot(normal(2), normal(3)), ValueError, "vdot: a and b must have the same size"),
        (lambda: np.cross(normal(4), normal(3)), ValueError, "cross: incompatible dimensions"),
        (lambda: np.cross(normal(3), normal(3), axisc=2), numpy.exceptions.AxisError, "cross: axis 2"),
    ],
)
def test_errors_name_the_function(call, error, message):
    with pytest.raises(error, match="fad.numpy." + message):
        call()
