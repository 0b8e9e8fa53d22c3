"""fad.explain: each mistake named with its primitive, source line, pattern and fix."""

import numpy
import pytest

import fad
import fad.numpy as np
import fad.scipy.special as sp


def line_of(f, offset):
    return f"{__file__}:{f.__code__.co_firstlineno + offset}"


# --------------------------------------------------------------------------------------
# Non-finite values in the forward pass
# --------------------------------------------------------------------------------------


def logistic_loss(x):
    return -np.log(sp.expit(x))


def test_log_of_sigmoid_that_underflowed():
    report = fad.explain(logistic_loss)(-800.0)
    assert not report.ok and report.kind == "forward"
    assert report.operation == "log(t1)" and report.line == line_of(logistic_loss, 1)
    assert "log at 0" in report.pattern and "log_expit" in report.fix
    assert "return -np.log(sp.expit(x))" in str(report)
    assert numpy.isfinite(fad.grad(lambda x: -sp.log_expit(x))(-800.0))  # the fix works


def softmax_first(x):
    e = np.exp(x)
    return (e / np.sum(e))[0]


def test_softmax_overflow():
    report = fad.explain(softmax_first)(numpy.array([1000.0, 1.0]))
    assert not report.ok and report.kind == "forward"
    assert report.operation == "exp(x)" and report.line == line_of(softmax_first, 1)
    assert "overflow in exp" in report.pattern and "max" in report.fix
    assert fad.explain(lambda x: sp.softmax(x)[0])(numpy.array([1000.0, 1.0])).ok


def test_division_by_zero():
    report = fad.explain(lambda x: np.sum(1.0 / (x - 1.0)))(numpy.array([1.0, 2.0]))
    assert report.kind == "forward" and report.pattern == "division by zero"


def test_zero_times_inf():
    report = fad.explain(lambda x: x * np.exp(1000.0 * x) * 0.0 + 0.0 * x)(1.0)
    assert report.kind == "forward" and "overflow in exp" in report.pattern
    with numpy.errstate(over="ignore"):
        big = np.exp(800.0)  # a constant: inf
    report = fad.explain(lambda x: x * big)(0.0)
    assert report.kind == "forward" and report.pattern.startswith("0 * inf is NaN")
    assert "came from outside f" in report.pattern
    report = fad.explain(lambda x, big: x * big)(0.0, numpy.inf)
    assert report.kind == "input" and "argument 1" in report.summary


def test_a_nan_input_passed_in_by_the_caller():
    report = fad.explain(np.sin)(numpy.array([0.5, numpy.nan]))
    assert not report.ok and report.kind == "input"
    assert "passed in by the caller" in report.summary and "1 nan" in report.summary


def test_a_nan_output_that_is_a_constant():
    data = numpy.array([numpy.nan, 1.0])
    report = fad.explain(lambda x: x * 0.0 + np.sum(data))(1.0)
    assert report.kind == "forward" and "came from outside f" in report.summary + (report.pattern or "")


# --------------------------------------------------------------------------------------
# Non-finite cotangents in the backward pass
# --------------------------------------------------------------------------------------


def masked_log(x):
    return np.sum(np.where(x > 0, np.log(x), 0.0))


def test_where_whose_unselected_branch_is_not_finite():
    report = fad.explain(masked_log)(numpy.array([0.0, 2.0]))
    assert not report.ok and report.kind == "backward"
    assert report.operation == "log(x)" and report.line == line_of(masked_log, 1)
    assert "unselected" in report.pattern
    assert "x_safe = np.where(x > 0, x, 1.0)" in report.fix
    assert "return np.sum(np.where(x > 0, np.log(x_safe), 0.0))" in report.fix


def masked_reciprocal_other_side(x):
    return np.where(x == 0, 0.0, 1.0 / x)


def test_where_fix_on_the_false_branch():
    report = fad.explain(masked_reciprocal_other_side)(0.0)
    assert report.kind == "backward" and report.operation == "divide(1.0, x)"
    assert "x_safe = np.where(x == 0, 1.0, x)" in report.fix and "1.0 / x_safe" in report.fix


def test_sqrt_and_arcsin_already_send_zero_for_a_zero_cotangent():
    assert fad.explain(lambda x: np.where(x <= 0, 0.0, np.sqrt(x)))(0.0).ok
    assert fad.explain(lambda x: np.where(x >= 1, 0.0, np.arcsin(x)))(1.0).ok


def distance(x, y):
    d = x - y
    return np.sqrt(np.sum(d * d))


def test_norm_of_a_difference_that_is_zero():
    report = fad.explain(distance)(numpy.ones(2), numpy.ones(2))
    assert report.kind == "backward" and report.operation == "sqrt(t3)"
    assert report.line == line_of(distance, 2) and "sqrt at 0" in report.pattern and "norm" in report.fix
    assert fad.explain(lambda x, y: np.linalg.norm(x - y))(numpy.ones(2), numpy.ones(2)).ok


def root(x):
    return x**0.5


def test_square_root_as_a_power_at_zero():
    report = fad.explain(root)(0.0)
    assert report.kind == "backward" and report.operation == "power(x, 0.5)"
    assert report.line == line_of(root, 1) and "x ** p with p < 1" in report.pattern


def test_arcsin_at_one():
    report = fad.explain(np.arcsin)(1.0)
    assert report.kind == "backward" and "arcsin at +-1" in report.pattern


# --------------------------------------------------------------------------------------
# Gradients that are exactly zero
# --------------------------------------------------------------------------------------


def step(x):
    return np.floor(x) * 2.0


@pytest.mark.parametrize(
    "f, cut",
    [
        (step, "floor"),
        (lambda x: numpy.array([1.0, 2.0])[np.argmax(x)], "argmax"),
        (lambda x: (x > 0) * 1.0, "greater"),
        (lambda x: fad.stop_gradient(x) * 3.0, "stop_gradient"),
        (lambda x: np.sum(numpy.asarray(fad.stop_gradient(x)) ** 2), "stop_gradient"),
    ],
)
def test_no_path_and_the_operation_that_cuts_it(f, cut):
    report = fad.explain(f)(numpy.array(1.5))
    assert not report.ok and report.kind == "zero"
    assert "no path on the tape" in report.summary and report.summary.endswith(f"is {cut}")


def test_step_names_its_source_line():
    report = fad.explain(step)(1.5)
    assert report.line == line_of(step, 1) and "no derivative" in report.pattern


def test_an_unused_input():
    report = fad.explain(lambda x, y: y * 2.0, argnums=(0, 1))(1.0, 2.0)
    assert report.kind == "zero" and "argument 0" in report.summary and "no operation of fad reads it" in report.summary


def test_a_dead_end():
    report = fad.explain(lambda x, y: (np.sin(x), y * 2.0)[1])(1.0, 2.0)
    assert report.kind == "zero" and "never reach the output" in report.summary


def test_a_real_zero_derivative_is_ok_with_a_note():
    report = fad.explain(lambda x: np.maximum(x, 0.0))(-1.0)
    assert report.ok and "maximum(x, 0.0)" in report.notes[0]
    assert fad.explain(lambda x: x * x)(0.0).ok


def test_a_fine_gradient():
    report = fad.explain(lambda x: np.sum(np.sin(x) * x))(numpy.array([0.5, 1.0]))
    assert report.ok and report.kind == "ok" and str(report).startswith("ok:")


def test_explain_needs_a_scalar_output():
    with pytest.raises(TypeError, match="scalar output"):
        fad.explain(np.sin)(numpy.ones(2))


def test_explain_does_not_leave_a_profile_hook():
    import sys

    fad.explain(step)(1.5)
    assert sys.getprofile() is None


# --------------------------------------------------------------------------------------
# masked_apply: the per-call opt-in for the where trap
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f, edge, inside",
    [
        (np.log, 0.0, 2.0),
        (np.sqrt, 0.0, 2.0),
        (lambda x: 1.0 / x, 0.0, 2.0),
        (lambda x: x**0.5, 0.0, 2.0),
        (lambda x: x**-1.5, 0.0, 2.0),
        (np.arcsin, 1.0, 0.25),
    ],
)
def test_masked_apply_gives_zero_not_nan_at_the_edge(f, edge, inside):
    x = numpy.array([edge, inside])
    selected = x != edge

    def plain(x):
        return np.sum(np.where(selected, f(x), 0.0))

    def safe(x):
        return np.sum(fad.masked_apply(selected, f, x))

    with numpy.errstate(all="ignore"):
        trap = fad.grad(plain)(x)
        assert safe(x) == plain(x)
    if f in (np.sqrt, np.arcsin):  # their rules already give 0 for a zero cotangent (docs/conventions.md)
        assert trap[0] == 0.0
    else:
        assert numpy.isnan(trap[0]) or numpy.isinf(trap[0])
    g = fad.grad(safe)(x)
    assert g[0] == 0.0 and g[1] == fad.grad(lambda t: np.sum(f(t)))(x[1:])[0]
    assert fad.explain(safe)(x).ok
