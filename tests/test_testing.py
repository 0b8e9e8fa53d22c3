"""fad.testing: derivative checks pass on right rules, name what is wrong in wrong ones.

The wrong rules below are primitives whose VJP is off in one known way; each check must
catch it and say where. The strategies are checked against the domains they promise.
"""

import math
from typing import NamedTuple

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fad
import fad.numpy as np
from fad.testing import (
    TOLERANCES,
    check_grads,
    check_hessian_symmetric,
    check_jvp_vjp_agree,
    check_vjp_linear,
    profile,
)
from fad.testing import strategies as fst
from fad.tree import flatten

# --------------------------------------------------------------------------------------
# Primitives with rules wrong in one known way
# --------------------------------------------------------------------------------------

wrong_sin = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * np.sin(x),), name="wrong_sin")
near_sin = fad.primitive(numpy.sin, lambda y, ybar, x: (1.001 * ybar * np.cos(x),), name="near_sin")
# right first derivative; the second is lost because cos(x) is taken as a constant
flat_sin = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * fad.stop_gradient(np.cos(x)),), name="flat_sin")
# right for x1, wrong for x2 (d(x1 * x2)/dx2 is x1)
wrong_mul = fad.primitive(numpy.multiply, (lambda y, ybar, a, b: ybar * b, lambda y, ybar, a, b: ybar * b), "wrong_mul")
# not linear in ybar
cubic_sin = fad.primitive(numpy.sin, lambda y, ybar, x: ((ybar + ybar**3) * np.cos(x),), name="cubic_sin")
# a first derivative whose derivative is not symmetric: d(abar)/db = 1 but d(bbar)/da = 2
skew_mul = fad.primitive(numpy.multiply, (lambda y, ybar, a, b: ybar * b, lambda y, ybar, a, b: 2 * ybar * a), "skew")


class Params(NamedTuple):
    w: numpy.ndarray
    b: float


# --------------------------------------------------------------------------------------
# check_grads: right rules pass
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32, numpy.float16])
def test_check_grads_passes_elementwise_functions_in_each_precision(dtype):
    x = numpy.array([0.3, -1.2, 2.0], dtype)
    for f in (np.sin, np.tanh, np.exp, lambda x: x * x * x, lambda x: 1 / (1 + x * x)):
        check_grads(f, x)


def test_check_grads_passes_python_floats_several_arguments_and_third_order():
    check_grads(lambda a, b: np.sin(a * b) + a / b, 0.7, 1.3, order=3)


def test_check_grads_passes_containers_in_and_out():
    params = {"w": numpy.arange(3.0), "layers": [(0.5, numpy.ones((2, 2)))]}

    def f(p):
        w, (a, m) = p["w"], p["layers"][0]
        return {"out": np.sum(np.sin(w) * a), "aux": (m @ m, np.exp(a))}

    check_grads(f, params)
    check_grads(lambda p: p.w * np.cos(p.b), Params(numpy.ones(2), 0.25))


def test_check_grads_passes_complex_linear_function():
    # under <a, b> = Re(vdot(a, b)) the VJP of z -> c * z is ybar -> conj(c) * ybar
    scale = fad.primitive(lambda z: (2 + 1j) * z, lambda y, ybar, z: (numpy.conj(2 + 1j) * ybar,), name="scale")
    check_grads(scale, numpy.array([0.5 + 0.25j, -1j]), modes=("rev",), order=1)
    transposed = fad.primitive(lambda z: (2 + 1j) * z, lambda y, ybar, z: ((2 + 1j) * ybar,), name="transposed")
    with pytest.raises(AssertionError, match="rev mode"):
        check_grads(transposed, numpy.array([0.5 + 0.25j, -1j]), modes=("rev",), order=1)


@given(fst.arrays(dtype=fst.dtypes(), lo=0.0, open_lo=True))
def test_check_grads_has_no_false_alarms_on_log(x):
    check_grads(np.log, x)


@given(fst.broadcastable_shapes().flatmap(lambda s: st.tuples(*(fst.arrays(t, lo=-3, hi=3) for t in s))))
def test_check_grads_has_no_false_alarms_on_broadcasting(xs):
    check_grads(lambda a, b: a * np.sin(b) - b, *xs)


@given(fst.containers(fst.arrays(dtype=fst.dtypes(), lo=-3.0, hi=3.0)))
def test_check_grads_has_no_false_alarms_on_containers(tree):
    check_grads(lambda t: [np.sum(np.tanh(leaf) * leaf) for leaf in flatten(t)[0]], tree)


# --------------------------------------------------------------------------------------
# check_grads: wrong rules fail, with a message that says where
# --------------------------------------------------------------------------------------


def test_wrong_first_derivative_fails_in_each_mode():
    with pytest.raises(AssertionError, match=r"check_grads\(wrong_sin\): rev mode, order 1") as rev:
        check_grads(wrong_sin, 0.5)
    message = str(rev.value)
    assert "argument 0" in message and "abs error" in message and "rel error" in message
    with pytest.raises(AssertionError, match="fwd mode, order 1"):
        check_grads(wrong_sin, 0.5, modes=("fwd",))


def test_wrong_second_derivative_fails_only_at_order_two():
    check_grads(flat_sin, 0.5, order=1)
    with pytest.raises(AssertionError, match=r"order 2 \(of the rev derivative\)"):
        check_grads(flat_sin, 0.5, order=2)
    with pytest.raises(AssertionError, match=r"order 2 \(of the fwd derivative\)"):
        check_grads(flat_sin, 0.5, order=2, modes=("fwd",))


def test_failure_names_the_argument_and_leaf_path_and_output_index():
    with pytest.raises(AssertionError, match=r"at argument 1: "):
        check_grads(wrong_mul, 0.5, 2.0, order=1)
    with pytest.raises(AssertionError, match=r"argument 0 at \['w'\]\[1\]"):
        check_grads(lambda p: wrong_sin(p["w"][1]) + p["w"][0], {"w": [1.0, 0.5]}, order=1, modes=("rev",))
    with pytest.raises(AssertionError, match=r"argument 0 at \.b"):
        check_grads(lambda p: p.w * wrong_sin(p.b), Params(numpy.ones(2), 0.25), order=1, modes=("rev",))
    with pytest.raises(AssertionError, match=r"at output\[1\], index \(0, 1\)"):
        x = numpy.array([[math.pi / 4, 1.5], [math.pi / 4, math.pi / 4]])  # where sin(x) == cos(x), wrong_sin is right
        check_grads(lambda x: (x, wrong_sin(x)), x, order=1, modes=("fwd",))


def test_small_errors_fail_by_default_and_pass_with_a_looser_rtol():
    with pytest.raises(AssertionError):
        check_grads(near_sin, 0.5)
    check_grads(near_sin, 0.5, rtol=1e-2)


def test_wrong_rule_fails_in_float32():
    with pytest.raises(AssertionError, match="rev mode"):
        check_grads(wrong_sin, numpy.array([0.5, 1.5], numpy.float32))


def test_runs_are_reproducible_and_seeded():
    def message(seed):
        with pytest.raises(AssertionError) as failure:
            check_grads(wrong_sin, numpy.array([0.5, 1.5]), seed=seed)
        return str(failure.value)

    assert message(0) == message(0)
    assert message(0) != message(1)


def test_bad_arguments_are_reported():
    with pytest.raises(TypeError, match="argument 1 has dtype int"):
        check_grads(lambda x, n: x * n, 1.0, 2)
    with pytest.raises(ValueError, match="modes"):
        check_grads(np.sin, 1.0, modes=("bwd",))
    with pytest.raises(ValueError, match="order"):
        check_grads(np.sin, 1.0, order=0)


def test_points_where_finite_differences_cannot_judge_are_reported():
    with pytest.raises(ValueError, match="not finite"):
        check_grads(np.log, 1e-6)
    with pytest.raises(ValueError, match="estimated error"):
        check_grads(np.log, numpy.float32(1e-3))
    check_grads(np.log, numpy.float32(1e-3), eps=1e-5)


def test_tolerances_table_covers_each_precision():
    assert set(TOLERANCES) == {"float16", "float32", "float64"}
    assert TOLERANCES["float64"].rtol < TOLERANCES["float32"].rtol < TOLERANCES["float16"].rtol


# --------------------------------------------------------------------------------------
# Exact properties
# --------------------------------------------------------------------------------------


def test_exact_properties_pass_on_right_rules():
    x, y = numpy.array([0.3, -1.0, 2.0]), numpy.array([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]])
    for check in (check_vjp_linear, check_jvp_vjp_agree):
        check(lambda a, b: np.sin(a) @ b, x, y)
        check(lambda p: {"s": p["a"] * p["b"]}, {"a": x, "b": 2.0})
    check_hessian_symmetric(lambda a, b: np.sum(np.sin(a @ b)), x, y)
    check_hessian_symmetric(lambda p: np.sum(p.w * p.w) * np.exp(p.b), Params(numpy.ones(2), 0.25))


def test_vjp_that_is_not_linear_fails():
    with pytest.raises(AssertionError, match=r"check_vjp_linear\(cubic_sin\): the VJP is not linear"):
        check_vjp_linear(cubic_sin, numpy.array([0.5, 1.0]))
    with pytest.raises(AssertionError, match=r"check_jvp_vjp_agree\(cubic_sin\): rev and fwd modes disagree"):
        check_jvp_vjp_agree(cubic_sin, numpy.array([0.5, 1.0]))


def test_asymmetric_hessian_fails_and_non_scalar_is_refused():
    with pytest.raises(AssertionError, match="the Hessian is not symmetric"):
        check_hessian_symmetric(skew_mul, 1.0, 2.0)
    with pytest.raises(TypeError, match="real scalar"):
        check_hessian_symmetric(np.sin, numpy.ones(2))


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------


@given(fst.floats(0.0, 1.0, open_lo=True, avoid=(0.5,)))
def test_floats_keep_away_from_open_ends_and_avoided_points(x):
    assert isinstance(x, float) and 0.1 <= x <= 1.0 and abs(x - 0.5) >= 0.1


@given(fst.floats(-1.0, 1.0, open_hi=True, width=16), fst.floats(0.0, math.inf), fst.floats(-math.inf, math.inf))
def test_floats_fit_their_width_and_replace_infinite_ends(half, positive, any_float):
    assert float(numpy.float16(half)) == half and -1.0 <= half <= 0.9
    assert 0.0 <= positive <= 10.0 and -10.0 <= any_float <= 10.0


def test_floats_refuse_an_empty_domain():
    with pytest.raises(ValueError, match="empty"):
        fst.floats(0.0, 0.1, open_lo=True, open_hi=True)


@given(fst.arrays(dtype=fst.dtypes()))
def test_arrays_are_small_finite_and_of_the_drawn_dtype(x):
    assert x.dtype in (numpy.float32, numpy.float64)
    assert x.ndim <= 3 and all(1 <= n <= 4 for n in x.shape)
    assert numpy.all(numpy.isfinite(x)) and numpy.all(numpy.abs(x) <= 10)


@given(fst.arrays((3,), numpy.complex64, avoid=(0.0,)), fst.arrays((2, 2), numpy.float16, lo=-1.0, hi=1.0))
def test_arrays_of_complex_and_half_precision(z, h):
    assert z.dtype == numpy.complex64 and numpy.all(numpy.abs(z.astype(numpy.complex128)) >= 0.1)
    assert h.dtype == numpy.float16 and h.shape == (2, 2) and numpy.all(numpy.abs(h) <= 1)


@given(fst.broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    numpy.broadcast_shapes(*shapes)
    assert all(len(s) <= 3 and all(n <= 4 for n in s) for s in shapes)


@given(fst.containers(fst.floats()))
def test_containers_are_nonempty_nested_containers(tree):
    leaves, treedef = flatten(tree)
    assert treedef.kind != "leaf" and leaves and all(isinstance(x, float) for x in leaves)


@given(st.data(), fst.containers(fst.arrays(dtype=fst.dtypes("float32", "complex64"))))
def test_cotangent_like_matches_structure_shape_dtype_and_type(data, y):
    ybar = data.draw(fst.cotangent_like(y))
    (y_leaves, y_def), (c_leaves, c_def) = flatten(y), flatten(ybar)
    assert c_def == y_def
    assert [(type(c), c.shape, c.dtype) for c in c_leaves] == [(type(t), t.shape, t.dtype) for t in y_leaves]


@given(fst.cotangents(lambda x, s: {"y": x * s, "s": s}, numpy.ones((2, 3), numpy.float32), 2.0))
def test_cotangents_follow_the_output_of_f(ybar):
    assert ybar["y"].shape == (2, 3) and ybar["y"].dtype == numpy.float32 and isinstance(ybar["s"], float)


def test_profile_is_registered_and_derandomized():
    p = profile("fad-test", max_examples=7)
    assert p is settings.get_profile("fad-test")
    assert (p.derandomize, p.max_examples, p.deadline, p.print_blob) == (True, 7, None, True)

    def draws():
        seen = []

        @p
        @given(fst.floats())
        def record(x):
            seen.append(x)

        record()
        return seen

    first = draws()
    assert first == draws() and 0 < len(first) <= 7
