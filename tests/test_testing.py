"""fad.testing: derivative checks pass on right rules, name what is wrong in wrong ones.

The wrong rules below are primitives whose VJP is off in one known way; each check must
catch it and say where. The strategies are checked against the domains they promise.
"""

import contextlib
import dataclasses
import doctest
import io
import itertools
import math
import pathlib
import re
from typing import NamedTuple

import numpy
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import fad
import fad.numpy as np
from fad.testing import (
    TOLERANCES,
    Undecided,
    check_composition,
    check_grads,
    check_hessian_symmetric,
    check_jvp_vjp_agree,
    check_vjp_linear,
    counterexample,
    derivative_test,
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


def test_complex_values_are_paired_by_the_bilinear_sum_without_conjugate():
    # fad's convention (JAX's, autograd's): the VJP of z -> c * z is ybar -> c * ybar, not conj(c) * ybar
    scale = fad.primitive(lambda z: (2 + 1j) * z, lambda y, ybar, z: ((2 + 1j) * ybar,), name="scale")
    check_grads(scale, numpy.array([0.5 + 0.25j, -1j]))
    conjugated = fad.primitive(lambda z: (2 + 1j) * z, lambda y, ybar, z: ((2 - 1j) * ybar,), name="conjugated")
    with pytest.raises(AssertionError, match="rev mode"):
        check_grads(conjugated, numpy.array([0.5 + 0.25j, -1j]), modes=("rev",), order=1)
    # |z|**2 has the gradient 2 conj(z): Re(2 conj(z) * v) = 2 (x vx + y vy), its directional derivative
    z = 3.0 + 4.0j
    assert fad.grad(lambda z: np.abs(z) ** 2)(z) == 2 * numpy.conj(z)
    check_grads(lambda z: np.abs(z) ** 2, z)


COMPLEX_FUNCTIONS = {
    "multiply": (np.multiply, 2),
    "exp": (np.exp, 1),
    "abs**2": (lambda z: np.abs(z) ** 2, 1),
    "prod": (np.prod, 1),
    "real of a product": (lambda z, w: np.real(z * np.conj(w)), 2),
}


@pytest.mark.parametrize("name", COMPLEX_FUNCTIONS)
@pytest.mark.parametrize("dtype", [numpy.complex128, numpy.complex64])
def test_right_complex_rules_pass_every_check(name, dtype):
    f, arity = COMPLEX_FUNCTIONS[name]
    z = numpy.array([1 + 2j, 3 - 1j, 0.5j], dtype)
    args = (z, z[::-1] * 0.5)[:arity]
    check_grads(f, *args)
    check_vjp_linear(f, *args)
    check_jvp_vjp_agree(f, *args)
    check_composition(f, np.sin, *args)
    check_hessian_symmetric(lambda *zs: np.sum(np.real(f(*zs) * (1 - 2j))), *args)


def test_complex_inputs_of_real_functions_and_real_inputs_of_complex_ones():
    check_grads(lambda x: x * (1 + 2j), numpy.array([0.5, 2.0]))  # a real input gets Re of its cotangent
    check_grads(lambda z: {"re": np.real(z), "abs": np.abs(z)}, numpy.array([1 + 1j, -2 + 0.5j]))
    check_hessian_symmetric(lambda z: np.sum(np.abs(z) ** 2 * np.real(z)), numpy.array([1 + 2j, 3 - 1j]))


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
    with pytest.raises(Undecided, match="not finite"):
        check_grads(np.log, 1e-6)
    assert issubclass(Undecided, ValueError)
    with pytest.raises(Undecided, match="estimated error"):
        check_grads(np.log, numpy.float32(1e-3))
    check_grads(np.log, numpy.float32(1e-3), eps=1e-5)


def test_tolerances_table_covers_each_precision_and_is_immutable():
    assert set(TOLERANCES) == {"float16", "float32", "float64"}
    assert TOLERANCES["float64"].rtol < TOLERANCES["float32"].rtol < TOLERANCES["float16"].rtol
    with pytest.raises(TypeError):
        TOLERANCES["float64"] = TOLERANCES["float32"]


def test_rounding_in_a_lower_precision_than_the_outputs_is_allowed_for():
    # f computes in float32 and returns a float64 leaf (r * a's cotangent in a): the finite
    # differences' rounding is that of float32 (these seeds were false alarms when it was not)
    f = lambda r, a: np.array([r, r * a, [a] * len(r)], dtype=numpy.float32, ndmin=3)  # noqa: E731
    for seed in (157, 187, 333):
        check_grads(f, numpy.array([3.0, 0.0, 0.0], numpy.float32), 0.0, seed=seed)


def test_a_rule_returning_a_cotangent_of_the_wrong_shape_is_named():
    # fad's backward pass would reshape the (1,)-shaped cotangent of the 0-d b and go on
    unreduced = fad.primitive(numpy.add, (lambda y, ybar, x, b: ybar, lambda y, ybar, x, b: ybar), name="add")
    message = r"the rule of add returns a cotangent of shape \(1,\) for its input 1, of shape \(\)"
    with pytest.raises(AssertionError, match=r"check_grads\(add\): rev mode, order 1: " + message):
        check_grads(unreduced, numpy.ones(1), 0.5)
    with pytest.raises(AssertionError, match=r"check_vjp_linear\(<lambda>\): " + message):
        check_vjp_linear(lambda x, b: unreduced(x, b) * 2.0, numpy.ones(1), 0.5)  # inside f too


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


def test_composition_law_holds_for_right_rules_and_containers():
    x = numpy.array([0.3, -1.0, 2.0])
    check_composition(np.sin, lambda y: y * np.exp(y), x)
    check_composition(wrong_sin, np.tanh, x)  # the law holds for any rule: it checks fad's chaining
    f = lambda p: {"a": p["x"] * 2.0, "b": (np.sin(p["x"]), p["s"])}  # noqa: E731
    g = lambda y: np.sum(y["a"]) * y["b"][1] + y["b"][0]  # noqa: E731
    check_composition(f, g, {"x": x, "s": 2.0})
    check_composition(np.exp, np.abs, numpy.array([1 + 1j, 2 - 1j]), modes=("rev",))


def test_composition_law_fails_for_a_forward_function_with_hidden_state():
    calls = itertools.count(1)
    stateful = fad.primitive(lambda x: numpy.exp(x) * next(calls), lambda y, ybar, x: (ybar * y,), name="stateful")
    with pytest.raises(AssertionError, match=r"check_composition\(sin \. stateful\): reverse mode breaks"):
        check_composition(stateful, np.sin, numpy.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="modes"):
        check_composition(np.sin, np.sin, 1.0, modes=())


def test_asymmetric_hessian_fails_and_non_scalar_is_refused():
    with pytest.raises(AssertionError, match="the Hessian is not symmetric"):
        check_hessian_symmetric(skew_mul, 1.0, 2.0)
    with pytest.raises(TypeError, match="real scalar"):
        check_hessian_symmetric(np.sin, numpy.ones(2))


# --------------------------------------------------------------------------------------
# One-line derivative tests
# --------------------------------------------------------------------------------------

PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)  # derivative_test's: no explain phase
cube = fad.primitive(lambda x: x**3, lambda y, ybar, x: (3 * ybar * x**2,), name="cube")

# pytest collects these as they stand: each is a Hypothesis test of every check
test_derivative_test_of_a_primitive = derivative_test(cube, fst.arrays(lo=-2.0, hi=2.0))
test_derivative_test_in_float32 = derivative_test(np.tanh, fst.arrays(dtype=numpy.float32))
test_derivative_test_of_complex_values = derivative_test(np.exp, fst.arrays(dtype=numpy.complex128, lo=-2.0, hi=2.0))
test_derivative_test_of_containers_and_fixed_arguments = derivative_test(
    lambda p, s: {"y": p["w"] * s, "z": (np.sin(p["b"]), p["w"].sum())},
    st.fixed_dictionaries({"w": fst.arrays((3,)), "b": fst.floats()}),
    2.0,
)
test_derivative_test_of_dependent_shapes = derivative_test(
    np.matmul,
    arguments=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(
        lambda s: st.tuples(fst.arrays(s[:2], lo=-3.0, hi=3.0), fst.arrays(s[1:], lo=-3.0, hi=3.0))
    ),
)

EXACT = settings(max_examples=20, derandomize=True, database=None, deadline=None, phases=PHASES)


def test_derivative_test_reports_the_check_and_the_shrunk_arguments():
    with pytest.raises(AssertionError, match=r"check_grads\(wrong_sin\): rev mode, order 1") as failure:
        derivative_test(wrong_sin, fst.arrays(), settings=EXACT)()
    report = "\n".join(failure.value.__notes__)
    # Hypothesis words it "Falsifying example:" up to 6.16x and "Failing test case:" after
    heading = r"(Falsifying example|Failing test case): test_derivatives_of_wrong_sin"
    assert re.search(heading + r"\(\n    args=\(array\(0\.\),\),\n\)", report)


def test_derivative_test_runs_the_orders_modes_and_properties_asked_for():
    derivative_test(flat_sin, fst.arrays(), order=1, settings=EXACT)()
    with pytest.raises(AssertionError, match=r"order 2 \(of the rev derivative\)"):
        derivative_test(flat_sin, fst.arrays(), settings=EXACT)()
    derivative_test(cubic_sin, fst.floats(), modes=("rev",), exact=False, order=1, settings=EXACT)  # not run
    with pytest.raises(AssertionError, match=r"check_vjp_linear\(cubic_sin\)"):
        derivative_test(cubic_sin, fst.floats(), settings=EXACT)()


def test_derivative_test_passes_over_points_finite_differences_cannot_judge():
    with pytest.raises(Undecided):
        check_grads(np.log, 1e-7)  # log is not defined a step below
    derivative_test(np.log, fst.floats(1e-7, 1.0), settings=EXACT)()  # so such points are drawn again


def test_derivative_test_and_counterexample_refuse_bad_arguments():
    for make in (derivative_test, counterexample):
        with pytest.raises(TypeError, match="no domain"):
            make(np.sin)
        with pytest.raises(TypeError, match="not both"):
            make(np.sin, fst.floats(), arguments=st.tuples(fst.floats()))
        with pytest.raises(ValueError, match="modes"):
            make(np.sin, fst.floats(), modes=("bwd",))
        with pytest.raises(ValueError, match="order"):
            make(np.sin, fst.floats(), order=0)


def test_counterexample_is_none_for_right_rules_and_small_for_wrong_ones():
    assert counterexample(cube, fst.arrays(lo=-2.0, hi=2.0), max_examples=30) is None
    found = counterexample(wrong_mul, fst.floats(), fst.floats(), order=1)
    assert found.args == (0.0, 1.0)  # wrong for x2 only, where x1 != x2
    assert isinstance(found.error, AssertionError) and "at argument 1" in str(found.error)


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


@dataclasses.dataclass
class Layer:
    w: numpy.ndarray
    b: complex


@given(st.data())
def test_cotangent_like_covers_every_kind_of_leaf_and_container(data):
    y = {
        "params": Params(numpy.ones((2, 1), numpy.float16), 1.5),
        "layer": Layer(numpy.ones(2, numpy.complex64), 1 + 2j),
        "scalars": [numpy.float32(1.0), numpy.complex128(1j), numpy.array(2.0)],
        "count": (numpy.arange(3), 4),  # integers: no derivative flows, zero cotangents
    }
    ybar = data.draw(fst.cotangent_like(y))
    assert flatten(ybar)[1] == flatten(y)[1]
    assert isinstance(ybar["params"], Params) and isinstance(ybar["layer"], Layer)
    for c, t in zip(flatten(ybar)[0], flatten(y)[0]):
        assert (type(c), numpy.shape(c), numpy.result_type(c)) == (type(t), numpy.shape(t), numpy.result_type(t))
    assert numpy.all(ybar["count"][0] == 0) and ybar["count"][1] == 0


@given(fst.cotangents(lambda x, s: {"y": x * s, "s": s}, numpy.ones((2, 3), numpy.float32), 2.0))
def test_cotangents_follow_the_output_of_f(ybar):
    assert ybar["y"].shape == (2, 3) and ybar["y"].dtype == numpy.float32 and isinstance(ybar["s"], float)


def test_floats_draw_small_powers_of_two_where_the_domain_has_them():
    tiny = {t * 2.0**-k for k in range(10, 31) for t in (1, -1)}
    assert abs(fst.minimal(fst.floats(), lambda x: x in tiny)) in tiny
    assert fst.minimal(fst.floats(0.0, 1.0), lambda x: x in tiny) > 0
    assert abs(fst.minimal(fst.floats(width=16), lambda x: x in tiny)) >= 2.0**-14  # float16's normal range
    for domain in ({"avoid": (0.0,)}, {"lo": 0.0, "open_lo": True}, {"lo": 1.0}):
        with pytest.raises(NoSuchExample):
            fst.minimal(fst.floats(**domain), lambda x: abs(x) < 0.1, max_examples=300)


def test_minimal_is_the_same_under_every_profile():
    find = lambda: fst.minimal(fst.broadcastable_shapes(), lambda s: len(s[0]) == 2 and s[0] != s[1])  # noqa: E731
    before, first = settings.get_current_profile_name(), find()
    profile("fad-test-shallow", max_examples=3, derandomize=False, phases=(Phase.generate,))
    try:
        settings.load_profile("fad-test-shallow")
        assert find() == first
    finally:
        settings.load_profile(before)


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


# --------------------------------------------------------------------------------------
# The "Testing your derivatives" page: its examples run, and print what it shows
# --------------------------------------------------------------------------------------

PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "testing.md"
BLOCK = re.compile(r"^```\{(testsetup|testcode|testoutput)\}\n(.*?)^```$", re.M | re.S)


def blocks(text):
    """The page's Sphinx doctest blocks in order: (kind, options, code or output)."""
    for kind, body in BLOCK.findall(text):
        lines = body.splitlines(keepends=True)
        options = [line.strip() for line in lines if line.startswith(":")]
        lines = lines[len(options) :]
        if options and lines and not lines[0].strip():
            lines = lines[1:]
        yield kind, " ".join(options), "".join(lines)


def test_docs_page_examples_run_and_print_what_the_page_shows():
    found = list(blocks(PAGE.read_text()))
    assert sum(kind == "testcode" for kind, _, _ in found) >= 8
    namespace, printed, profile_before = {"__name__": "docs_testing"}, None, settings.get_current_profile_name()
    try:
        for i, (kind, options, body) in enumerate(found):
            if kind == "testoutput":
                flags = doctest.ELLIPSIS if "+ELLIPSIS" in options else 0
                assert printed is not None, f"block {i}: an output with no code before it"
                assert doctest.OutputChecker().check_output(body, printed, flags), (
                    f"block {i} of docs/testing.md printed:\n{printed}\nbut the page shows:\n{body}"
                )
                printed = None
                continue
            with contextlib.redirect_stdout(io.StringIO()) as out:
                exec(compile(body, f"docs/testing.md, block {i}", "exec"), namespace)  # noqa: S102
            printed = out.getvalue()
    finally:
        settings.load_profile(profile_before)  # the page loads its own profiles


# --------------------------------------------------------------------------------------
# The testing layer never accuses a correct rule (issue 12, item 12)
# --------------------------------------------------------------------------------------


def test_linearity_is_not_judged_where_the_vjp_is_infinite():
    with pytest.raises(Undecided, match="not finite"):
        check_vjp_linear(np.sqrt, numpy.array(0.0))
    check_vjp_linear(np.sqrt, numpy.array([0.0, 1.0])[1:])


def test_derivative_test_of_sqrt_on_the_whole_line_passes():
    derivative_test(np.sqrt, fst.arrays(), settings=settings(max_examples=30, deadline=None))()
    derivative_test(np.sqrt, fst.floats(0.0, 4.0), max_examples=20)()


def test_a_kink_inside_the_stencil_is_not_an_accusation():
    check_grads(np.abs, numpy.array([1.0, 1.0, 1e-141, 1.0]), order=1)
    with pytest.raises(Undecided):
        check_grads(np.abs, numpy.array([1.0, 1e-141]), order=1)


def test_a_nan_rule_is_still_caught_where_the_exact_checks_cannot_judge():
    nan_sin = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * numpy.nan,), name="nan_sin")
    found = counterexample(nan_sin, fst.floats(), order=1, max_examples=20)
    assert found is not None and "disagrees with finite differences" in str(found.error)


def test_settings_and_max_examples_mean_the_same():
    wrong = fad.primitive(numpy.square, lambda y, ybar, x: (ybar * x,), name="square")
    by_settings = counterexample(wrong, fst.floats(), order=1, settings=settings(max_examples=30))
    by_count = counterexample(wrong, fst.floats(), order=1, max_examples=30)
    assert by_settings.args == by_count.args
    with pytest.raises(AssertionError, match="square"):
        derivative_test(wrong, fst.floats(), order=1, max_examples=10)()


# --------------------------------------------------------------------------------------
# check_rule: the one call that tests a primitive record
# --------------------------------------------------------------------------------------


def _first_line(prim, *domains, **options):
    from fad.testing import check_rule

    with pytest.raises(AssertionError) as caught:
        check_rule(prim, *domains, max_examples=20, **options)
    return str(caught.value).splitlines()[0]


def test_check_rule_passes_right_rules_with_edge_values():
    from fad.testing import check_rule

    check_rule(np.sin, fst.arrays(), analytic=True, max_examples=15)
    check_rule(np.log, fst.arrays(lo=0.0, open_lo=True), analytic=True, max_examples=15)
    check_rule(np.maximum, fst.floats(), fst.floats(), settings=settings(max_examples=15))


def test_check_rule_catches_a_vjp_that_mutates_ybar():
    def vjp(y, ybar, x):
        ybar *= 2.0
        return (ybar * numpy.cos(x) / 2.0,)

    mutating = fad.primitive(numpy.sin, vjp, name="mutating_sin")
    assert _first_line(mutating, fst.arrays((3,))).startswith("check_rule(mutating_sin): inputs not mutated fails")


def test_check_rule_catches_a_cotangent_of_the_wrong_dtype():
    wide = fad.primitive(numpy.sin, lambda y, ybar, x: ((ybar * np.cos(x)).astype(numpy.float64),), name="wide_sin")
    assert _first_line(wide, fst.arrays(dtype=numpy.float32)).startswith("check_rule(wide_sin): shapes and dtypes")


def test_check_rule_complex_step_catches_a_small_error():
    slightly = fad.primitive(numpy.exp, lambda y, ybar, x: (ybar * y * (1 + 1e-7),), name="slightly_exp")
    assert _first_line(slightly, fst.arrays(), analytic=True).startswith("check_rule(slightly_exp): complex step")


def test_check_rule_names_the_argument_and_the_shrunk_counterexample():
    wrong = fad.primitive(numpy.multiply, (lambda y, ybar, a, b: ybar * b, lambda y, ybar, a, b: ybar), name="mul")
    from fad.testing import check_rule

    with pytest.raises(AssertionError) as caught:
        check_rule(wrong, fst.floats(), fst.floats(), max_examples=30)
    text = str(caught.value)
    assert "finite differences fails at the shrunk counterexample" in text and "at argument 1" in text


def test_check_rule_refuses_what_it_cannot_check():
    from fad.testing import check_rule

    with pytest.raises(TypeError, match="fad.Primitive"):
        check_rule(lambda x: x, fst.floats())
    with pytest.raises(TypeError, match="unknown settings"):
        check_rule(np.sin, fst.floats(), max_example=3)
    with pytest.raises(TypeError, match="complex"):
        softplus = fad.primitive(lambda x: numpy.logaddexp(0.0, x), lambda y, ybar, x: (ybar * np.exp(x - y),))
        check_rule(softplus, fst.floats(), analytic=True, max_examples=5)
