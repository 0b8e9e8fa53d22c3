"""Planted bugs: derivative rules wrong in one known way each, which fad.testing must catch.

Every bug is a user-defined ``fad.primitive`` whose VJP is wrong in the way its comment
says. For each one the tests assert that the Hypothesis-driven check catches it
(``fad.testing.counterexample``, which runs the checks of ``derivative_test`` and shrinks
the failure), which check catches it (mode, order, or exact property), that the shrunk
counterexample is small, and that the pytest test ``derivative_test`` returns fails with
the same message. The last tests run the right rules of fad.numpy through the same
checks, in float64 and float32, over hundreds of examples and seeds: no false alarms.
"""

import functools
import re
from typing import Any, NamedTuple

import numpy
import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st

import fad
import fad.numpy as np
import fad.scipy.special as special
from fad.testing import (
    check_grads,
    check_vjp_linear,
    counterexample,
    derivative_test,
)
from fad.testing import strategies as fst

# --------------------------------------------------------------------------------------
# The planted bugs
# --------------------------------------------------------------------------------------

# wrong sign: d sin(x) = cos(x), not -cos(x)
wrong_sign = fad.primitive(numpy.sin, lambda y, ybar, x: (-ybar * np.cos(x),), name="sin")

# off by a factor of 2: d x**2 = 2 x
half_square = fad.primitive(numpy.square, lambda y, ybar, x: (ybar * x,), name="square")

# transposed matrix: the cotangent of A in A @ B is ybar @ B.T; this rule returns its transpose,
# the wrong shape when A is not square, and the wrong values when it is (unless ybar @ B.T is symmetric)
transposed = fad.primitive(
    numpy.matmul, (lambda y, ybar, a, b: (ybar @ b.T).T, lambda y, ybar, a, b: a.T @ ybar), name="matmul"
)

# a missing sum over a broadcast axis: x + b with b broadcast to x's shape sends ybar to b
# unreduced; b's cotangent should be ybar summed over the axes b was broadcast along
unreduced = fad.primitive(numpy.add, (lambda y, ybar, x, b: ybar, lambda y, ybar, x, b: ybar), name="add")

# right at first order, wrong at second: sin's rule is right, but it uses a cos whose own rule
# has the wrong sign, so differentiating the VJP again (the second derivative) goes wrong
cos_wrong_rule = fad.primitive(numpy.cos, lambda y, ybar, x: (ybar * np.sin(x),), name="cos")
sin_of_wrong_cos = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * cos_wrong_rule(x),), name="sin")

# right at first order, refused at second: a VJP that takes x out of fad with numpy.asarray;
# on a traced x (differentiating the VJP again) fad raises TypeError rather than drop the derivative
sin_of_asarray = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * numpy.cos(numpy.asarray(x)),), name="sin")

# not a bug: plain numpy.cos on a traced x dispatches to fad.numpy.cos, so this VJP differentiates
sin_of_numpy_cos = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * numpy.cos(x),), name="sin")

# right in reverse mode, wrong in forward mode. fad's forward mode transposes the VJP: jvp(v) is the
# derivative of ybar -> <vjp(ybar), v> with respect to ybar, taken at ybar = 0. This VJP has the
# right value for every ybar, but it holds ybar constant (stop_gradient), so its derivative with
# respect to ybar is 0 and every JVP is 0. Reverse mode, to any order, never differentiates with
# respect to ybar and is right.
ybar_held_constant = fad.primitive(numpy.sin, lambda y, ybar, x: (fad.stop_gradient(ybar) * np.cos(x),), name="sin")

# right for fad.grad, wrong in forward mode: the VJP is not linear in ybar (ybar**2 is ybar at
# ybar = 1, the cotangent grad uses), and its derivative with respect to ybar at 0, which the
# transposition takes as the JVP, is 0
ybar_squared = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar**2 * np.cos(x),), name="sin")


# right except near zero: sinc(x) = sin(x) / x has derivative (cos x - sinc x) / x, which
# cancels near 0, so small arguments take the series -x/3 + x**3/30 - ...; its coefficient is wrong
def _sinc_vjp(y, ybar, x):
    small = np.abs(x) < 0.1
    safe = np.where(small, 1.0, x)
    return (ybar * np.where(small, -x / 6, (np.cos(safe) - np.sin(safe) / safe) / safe),)


sinc = fad.primitive(lambda x: numpy.sinc(x / numpy.pi), _sinc_vjp, name="sinc")


@st.composite
def factors(draw, square=False):
    """Two matrices that multiply: (n, k) and (k, m), square (n = k = m) if asked."""
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k, m = (n, n) if square else (k, m)
    return draw(fst.arrays((n, k), lo=-3.0, hi=3.0)), draw(fst.arrays((k, m), lo=-3.0, hi=3.0))


broadcast_pairs = fst.broadcastable_shapes().flatmap(lambda shapes: st.tuples(*map(fst.arrays, shapes)))


class Planted(NamedTuple):
    f: fad.Primitive
    domains: tuple  # one strategy per argument, or
    arguments: Any  # one strategy for the tuple of arguments
    options: dict  # for counterexample and derivative_test
    caught_by: str  # the start of the failure's message: which check, mode, order
    small: int  # the shrunk counterexample has at most this many numbers


PLANTED = {
    "wrong sign": Planted(
        wrong_sign, (fst.arrays(),), None, {}, r"check_grads\(sin\): rev mode, order 1, disagrees", 1
    ),
    "off by a factor of 2": Planted(
        half_square, (fst.arrays(),), None, {}, r"check_grads\(square\): rev mode, order 1, disagrees", 1
    ),
    "transposed matrix, non-square": Planted(
        transposed, (), factors(), {}, r"check_vjp_linear\(matmul\): the rule of matmul returns a cotangent of shape", 4
    ),
    "transposed matrix, square": Planted(
        transposed, (), factors(square=True), {}, r"check_hessian_symmetric\(.*matmul.*\): the Hessian is not symm", 8
    ),
    "transposed matrix, square, finite differences only": Planted(
        transposed, (), factors(square=True), {"exact": False}, r"check_grads\(matmul\): rev mode, order 1", 8
    ),
    "missing sum over a broadcast axis": Planted(
        unreduced, (), broadcast_pairs, {}, r"check_vjp_linear\(add\): the rule of add returns a cotangent of shape", 2
    ),
    "wrong at second order": Planted(
        sin_of_wrong_cos, (fst.arrays(),), None, {}, r"check_grads\(sin\): rev mode, order 2 \(of the rev deriv", 1
    ),
    "not differentiable at second order": Planted(
        sin_of_asarray, (fst.arrays(),), None, {}, r"numpy.asarray\(\)/numpy.array\(\) of a value traced", 1
    ),
    "forward mode wrong (ybar held constant)": Planted(
        ybar_held_constant, (fst.arrays(),), None, {}, r"check_jvp_vjp_agree\(sin\): rev and fwd modes disagree", 1
    ),
    "forward mode wrong (not linear in ybar)": Planted(
        ybar_squared, (fst.arrays(),), None, {}, r"check_vjp_linear\(sin\): the VJP is not linear in ybar", 1
    ),
    "wrong near zero": Planted(
        sinc, (fst.arrays(),), None, {}, r"check_grads\(sinc\): rev mode, order 1, disagrees", 1
    ),
}


@functools.cache
def found(name):
    """The counterexample to the planted bug ``name`` (cached: several tests read it)."""
    bug = PLANTED[name]
    return counterexample(bug.f, *bug.domains, arguments=bug.arguments, **bug.options)


def numbers(args):
    return [float(v) for a in args for v in numpy.ravel(a)]


def squeezed(text):
    return " ".join(text.split())


PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)
# the settings of the fad-ci profile, fixed here so that the reports compared below do not
# depend on the profile a run loads; the explain phase is left out, as derivative_test does
CI = settings(max_examples=30, derandomize=True, deadline=None, database=None, phases=PHASES)


# --------------------------------------------------------------------------------------
# Each bug is caught, by the expected check, with a small counterexample
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PLANTED)
def test_planted_bug_is_caught_with_a_small_counterexample(name):
    bug, failure = PLANTED[name], found(name)
    assert failure is not None, f"{name}: not caught"
    assert re.match(bug.caught_by, str(failure.error)), f"{name}: caught by {failure.error}"
    values = numbers(failure.args)
    assert len(values) <= bug.small, f"{name}: counterexample {failure.args!r} is not small"
    # readable values: few binary digits, no larger than the domain's simplest points
    assert all(abs(v) <= 1 and v * 64 == int(v * 64) for v in values), f"{name}: {failure.args!r}"


def test_shrunk_counterexamples_point_at_the_bug():
    # the sign is wrong everywhere: the simplest point, 0
    assert numbers(found("wrong sign").args) == [0.0]
    # a lost factor shows where the derivative is not 0: the simplest point but 0
    assert numbers(found("off by a factor of 2").args) in ([1.0], [0.5], [-0.5])
    # the transposed cotangent of a (1, 2) by (2, 1) product has the shape (2, 1)
    a, b = found("transposed matrix, non-square").args
    assert (a.shape, b.shape) == ((1, 2), (2, 1))
    assert "shape (2, 1) for its input 0, of shape (1, 2)" in str(found("transposed matrix, non-square").error)
    # the square case needs 2 x 2 factors: a 1 x 1 matrix is its own transpose
    a, b = found("transposed matrix, square, finite differences only").args
    assert a.shape == b.shape == (2, 2)
    # the missing sum: a 0-d argument broadcast to the other's shape (1,)
    x, b = found("missing sum over a broadcast axis").args
    assert {x.shape, b.shape} == {(1,), ()}
    # the second derivative of sin is wrong where sin is not 0
    assert numbers(found("wrong at second order").args) in ([1.0], [0.5], [-0.5])
    # only the small-argument branch is wrong: 0 < |x| < 0.1 (x = 0 itself is right)
    (x,) = found("wrong near zero").args
    assert 0 < abs(float(x)) < 0.1


@pytest.mark.parametrize("name", PLANTED)
def test_derivative_test_fails_with_the_same_message_and_counterexample(name):
    bug, failure = PLANTED[name], found(name)
    test = derivative_test(bug.f, *bug.domains, arguments=bug.arguments, settings=CI, **bug.options)
    with pytest.raises(Exception) as raised:  # noqa: B017 - the bug's own exception, checked below
        test()
    # Hypothesis reports one failure, or a group when it found distinct ones (different checks)
    errors = getattr(raised.value, "exceptions", (raised.value,))
    assert any(re.match(bug.caught_by, str(error)) for error in errors)
    reports = [squeezed("\n".join(getattr(error, "__notes__", []))) for error in errors]
    # Hypothesis words it "Falsifying example:" up to 6.16x and "Failing test case:" after
    heading = re.compile(rf"(Falsifying example|Failing test case): test_derivatives_of_{bug.f.name}\(")
    assert all(heading.search(report) for report in reports)
    assert any(f"args={squeezed(repr(failure.args))}" in report for report in reports)


# --------------------------------------------------------------------------------------
# ... and only where it is wrong: each bug's right half passes
# --------------------------------------------------------------------------------------

SEARCH = 40  # examples, where the bugs above are found within the first few


def test_a_rule_wrong_at_second_order_passes_at_first_order():
    assert counterexample(sin_of_wrong_cos, fst.arrays(), order=1, max_examples=SEARCH) is None
    assert counterexample(sin_of_asarray, fst.arrays(), order=1, max_examples=SEARCH) is None
    # plain numpy on a traced value dispatches to fad.numpy: a rule written so differentiates
    assert counterexample(sin_of_numpy_cos, fst.arrays(), order=3, max_examples=SEARCH) is None


def test_a_rule_wrong_in_forward_mode_is_right_in_reverse_mode():
    # ybar held constant: the right values, linear in ybar, right in reverse mode to second order
    assert counterexample(ybar_held_constant, fst.arrays(), modes=("rev",), max_examples=SEARCH) is None
    check_vjp_linear(ybar_held_constant, numpy.array([0.5, -1.0]))
    with pytest.raises(AssertionError, match=r"fwd mode, order 1"):
        check_grads(ybar_held_constant, numpy.array([0.5, -1.0]), modes=("fwd",))
    # ybar squared: fad.grad, which uses ybar = 1, is right; the JVP is 0
    x = numpy.linspace(-3.0, 3.0, 7)
    assert numpy.allclose(fad.elementwise_grad(ybar_squared)(x), numpy.cos(x))
    assert numpy.all(fad.jvp(ybar_squared)((x,), (numpy.ones(7),))[1] == 0)


def test_a_rule_wrong_near_zero_passes_away_from_zero():
    assert counterexample(sinc, fst.arrays(avoid=(0.0,)), max_examples=SEARCH) is None  # |x| >= 0.1


def test_a_transposed_rule_is_right_where_transposing_changes_nothing():
    one_row = st.integers(1, 3).flatmap(lambda m: st.tuples(fst.arrays((1, 1)), fst.arrays((1, m))))
    assert counterexample(transposed, arguments=one_row, max_examples=SEARCH) is None  # so counterexamples are 2 x 2


# --------------------------------------------------------------------------------------
# No false alarms: right rules pass, over many examples and seeds, in float64 and float32
# --------------------------------------------------------------------------------------


def unary(f, **domain):
    return f, lambda dtype: (fst.arrays(dtype=dtype, **domain),), None


def binary(f, first=None, second=None):
    def arguments(dtype):
        shapes = fst.broadcastable_shapes()
        return shapes.flatmap(
            lambda s: st.tuples(fst.arrays(s[0], dtype, **(first or {})), fst.arrays(s[1], dtype, **(second or {})))
        )

    return f, lambda dtype: (), arguments


def matrices(f, shapes):
    return f, lambda dtype: tuple(fst.arrays(s, dtype, lo=-3.0, hi=3.0) for s in shapes), None


RIGHT_RULES = {
    "sin": unary(np.sin),
    "cos": unary(np.cos),
    "tanh": unary(np.tanh),
    "exp": unary(np.exp, lo=-5.0, hi=5.0),
    "log": unary(np.log, lo=0.0, open_lo=True),
    "sqrt": unary(np.sqrt, lo=0.0, open_lo=True),
    "arctan": unary(np.arctan),
    "log1p": unary(np.log1p, lo=-1.0, open_lo=True),
    "expm1": unary(np.expm1, lo=-5.0, hi=5.0),
    "reciprocal": unary(np.reciprocal, avoid=(0.0,)),
    "abs": unary(np.abs, avoid=(0.0,)),
    "square": unary(np.square),
    "sinc": unary(np.sinc, lo=-3.0, hi=3.0),
    "expit": unary(special.expit),
    "erf": unary(special.erf, lo=-3.0, hi=3.0),
    "sum": unary(lambda x: np.sum(x, axis=0) if numpy.ndim(x) else np.sum(x)),
    "mean": unary(np.mean),
    "prod": unary(np.prod, lo=-2.0, hi=2.0),
    "cumsum": unary(np.cumsum),
    "logsumexp": unary(special.logsumexp),
    "var": unary(np.var, lo=-3.0, hi=3.0),
    "multiply": binary(np.multiply),
    "add": binary(np.add),
    "divide": binary(np.divide, second={"avoid": (0.0,)}),
    "power": binary(np.power, first={"lo": 0.0, "open_lo": True, "hi": 3.0}, second={"lo": -2.0, "hi": 2.0}),
    "hypot": binary(np.hypot, first={"lo": 0.5, "hi": 3.0}),
    "matmul": matrices(np.matmul, [(2, 3), (3, 2)]),
    "outer": matrices(np.outer, [(3,), (2,)]),
    "dot": matrices(np.dot, [(3,), (3,)]),
}
EXAMPLES = 8  # per rule and dtype: 29 rules, 232 examples per dtype, each with every check


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_right_rules_raise_no_false_alarms(dtype):
    drawn = []
    for f, domains, arguments in RIGHT_RULES.values():
        examples = st.tuples(*domains(dtype)) if arguments is None else arguments(dtype)
        examples = examples.map(lambda args: drawn.append(args) or args)
        derivative_test(f, arguments=examples, settings=settings(CI, max_examples=EXAMPLES))()
    assert len(drawn) >= 200


@pytest.mark.parametrize("dtype", [numpy.float64, numpy.float32])
def test_right_rules_raise_no_false_alarms_over_many_seeds(dtype):
    rng = numpy.random.default_rng(7)
    x = rng.uniform(0.2, 2.0, (3, 2)).astype(dtype)
    w = rng.uniform(-2.0, 2.0, (2,)).astype(dtype)
    model = lambda x, w: np.sum(np.tanh(x @ w) * np.log(x[:, 0]) + np.exp(-x[:, 1] * w[0]))  # noqa: E731
    for seed in range(100):  # 100 seeds: random directions and cotangents at each order
        check_grads(model, x, w, seed=seed)
        check_grads(lambda x: np.sqrt(x) / (1 + x**2), x, seed=seed, order=1)


# --------------------------------------------------------------------------------------
# check_rule catches every planted bug, naming the check
# --------------------------------------------------------------------------------------

CHECK_RULE_CATCHES = {
    "wrong sign": "finite differences",
    "off by a factor of 2": "finite differences",
    "transposed matrix, non-square": "shapes and dtypes",
    "transposed matrix, square": "finite differences",
    "missing sum over a broadcast axis": "shapes and dtypes",
    "wrong at second order": "second derivative",
    "not differentiable at second order": "second derivative",
    "forward mode wrong (ybar held constant)": "forward mode",
    "forward mode wrong (not linear in ybar)": "linearity in ybar",
    "wrong near zero": "finite differences",
}


@pytest.mark.parametrize("name", CHECK_RULE_CATCHES)
def test_check_rule_catches_the_planted_bug(name):
    from fad.testing import check_rule

    bug = PLANTED[name]
    with pytest.raises(AssertionError) as caught:
        check_rule(bug.f, *bug.domains, arguments=bug.arguments, max_examples=30)
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"check_rule({bug.f.name}): {CHECK_RULE_CATCHES[name]} fails at the shrunk"), first
