"""Nested transforms: perturbation confusion, higher order, and combinators composed."""

import math
import threading

import numpy
import pytest
from hypothesis import given

import fad
import fad.numpy as np
from fad.testing import strategies as fst


def test_siskind_pearlmutter():
    # d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1; confusing the two perturbations gives 2.
    assert fad.grad(lambda x: x * fad.grad(lambda y: x + y)(1.0))(1.0) == 1.0


@given(fst.floats(), fst.floats())
def test_reversediff_45(x, y):
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x, whatever y is.
    got = fad.grad(lambda x: x * fad.grad(lambda y: x * y)(y))(x)
    assert got == pytest.approx(2 * x, rel=1e-12, abs=1e-12)


@given(fst.floats())
def test_inner_function_ignores_its_argument(x):
    inner = []

    def outer(x):
        d = fad.grad(lambda y: x**2)(1.0)  # closes over x, does not depend on y
        inner.append(fad.stop_gradient(d))
        return x * d + x

    assert fad.grad(outer)(x) == 1.0
    assert inner == [0.0]


@given(fst.floats(lo=-2.0, hi=2.0))
def test_three_levels_closing_over_outer_variables(x):
    # g3 = d/dz (x y z) = x y; g2 = d/dy [y x g3] = 2 x^2 y; f = x g2(1) = 2 x^3; f' = 6 x^2
    def f(x):
        def g2(y):
            return y * x * fad.grad(lambda z: x * y * z)(1.0)

        return x * fad.grad(g2)(1.0)

    assert fad.grad(f)(x) == pytest.approx(6 * x**2, rel=1e-12, abs=1e-12)


@given(fst.floats(lo=-2.0, hi=2.0))
def test_four_levels_closing_over_outer_variables(x):
    # g4 = x y z; g3 = d/dz [z x y g4] = 2 x^2 y^2 z; g2 = d/dy [y x g3(1)] = 6 x^3 y^2
    # f = x g2(1) = 6 x^4, f' = 24 x^3
    def f(x):
        def g2(y):
            def g3(z):
                return z * x * y * fad.grad(lambda w: x * y * z * w)(1.0)

            return y * x * fad.grad(g3)(1.0)

        return x * fad.grad(g2)(1.0)

    assert fad.grad(f)(x) == pytest.approx(24 * x**3, rel=1e-12, abs=1e-12)


def test_fifth_derivative():
    f = np.sin
    for _ in range(5):
        f = fad.grad(f)
    assert f(0.7) == pytest.approx(math.cos(0.7), rel=1e-13)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


@given(fst.arrays((4,), lo=-2.0, hi=2.0))
def test_jacobian_of_grad_is_hessian(x):
    h = fad.hessian(rosenbrock)(x)
    assert h.shape == (4, 4)
    numpy.testing.assert_allclose(fad.jacobian(fad.grad(rosenbrock))(x), h, rtol=1e-12)
    numpy.testing.assert_allclose(h, h.T, rtol=1e-12)
    # against the closed form of the Rosenbrock Hessian
    want = numpy.zeros((4, 4))
    for i in range(3):
        want[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        want[i + 1, i + 1] += 200
        want[i, i + 1] = want[i + 1, i] = -400 * x[i]
    numpy.testing.assert_allclose(h, want, rtol=1e-10, atol=1e-9)


@given(fst.arrays((3,), lo=-2.0, hi=2.0), fst.arrays((3,)))
def test_hvp_is_hessian_times_v(x, v):
    numpy.testing.assert_allclose(fad.hvp(rosenbrock)(x, v), fad.hessian(rosenbrock)(x) @ v, rtol=1e-10, atol=1e-8)


def f_vector(x, a):
    return np.tanh(a @ x) * np.sum(x**2)


@given(fst.arrays((3,)), fst.arrays((3,)), fst.arrays((2,)))
def test_jvp_and_vjp_are_adjoint(x, v, ybar):
    a = numpy.arange(6.0).reshape(2, 3) / 6
    y, ydot = fad.jvp(lambda x: f_vector(x, a))((x,), (v,))
    (xbar,) = fad.vjp(lambda x: f_vector(x, a))(None, ybar, x)
    numpy.testing.assert_allclose(y, f_vector(x, a))
    assert numpy.dot(ybar, ydot) == pytest.approx(numpy.dot(xbar, v), rel=1e-10, abs=1e-10)
    numpy.testing.assert_allclose(ydot, fad.jacobian(lambda x: f_vector(x, a))(x) @ v, rtol=1e-10, atol=1e-12)


def test_combinators_compose():
    f = lambda x: np.sin(x) * x**2  # noqa: E731
    x = 0.8
    d1 = 2 * x * math.sin(x) + x**2 * math.cos(x)
    d2 = 2 * math.sin(x) + 4 * x * math.cos(x) - x**2 * math.sin(x)
    d3 = 6 * math.cos(x) - 6 * x * math.sin(x) - x**2 * math.cos(x)
    assert fad.grad(f)(x) == pytest.approx(d1, rel=1e-12)
    assert fad.grad(fad.grad(fad.grad(f)))(x) == pytest.approx(d3, rel=1e-12)
    assert fad.jvp(fad.grad(f))((x,), (1.0,))[1] == pytest.approx(d2, rel=1e-12)
    assert fad.vjp(lambda x: fad.jvp(f)((x,), (1.0,))[1])(None, 1.0, x)[0] == pytest.approx(d2, rel=1e-12)
    assert fad.grad(lambda x: fad.jvp(fad.grad(f))((x,), (1.0,))[1])(x) == pytest.approx(d3, rel=1e-12)
    assert fad.grad(lambda x: x * fad.grad(lambda y: x * y)(2.0))(x) == pytest.approx(2 * x)
    assert fad.elementwise_grad(fad.grad(f))(x) == pytest.approx(d2, rel=1e-12)
    assert fad.grad(fad.checkpoint(fad.grad(f)))(x) == pytest.approx(d2, rel=1e-12)
    assert fad.hvp(f)(x, 2.0) == pytest.approx(2 * d2, rel=1e-12)


def test_grad_of_pullback_inside():
    # a pullback taken inside a traced function is differentiable like any other code
    def f(x):
        y, back = fad.pullback(lambda t: np.sin(t) * x, x)
        return back(1.0)[0] * y

    x = 0.3
    # back(1) = x cos(x), y = x sin(x): d/dx [x^2 sin x cos x] = 2x sin cos + x^2 cos 2x
    want = 2 * x * math.sin(x) * math.cos(x) + x**2 * math.cos(2 * x)
    assert fad.grad(f)(x) == pytest.approx(want, rel=1e-12)


def test_sixteen_threads_each_exact():
    # Each thread differentiates its own nested function many times at once; with no
    # shared state, each result is exactly what the thread computes on its own.
    def third_derivative(k):
        f = lambda x: np.sin(k * x) * x  # noqa: E731
        return fad.grad(fad.grad(fad.grad(f)))

    def closure_nest(k):
        return lambda x: fad.grad(lambda x: x * fad.grad(lambda y: k * x * y)(1.0))(x)

    points = numpy.linspace(-1, 1, 7)
    expected = {k: [float(third_derivative(k)(x)) for x in points] for k in range(16)}
    results, errors = {}, []
    barrier = threading.Barrier(16)

    def work(k):
        try:
            barrier.wait()
            for _ in range(5):
                got = [float(third_derivative(k)(x)) for x in points]
                nested = [closure_nest(k)(x) for x in points]
                assert nested == [pytest.approx(2 * k * x) for x in points]
            results[k] = got
        except Exception as e:  # reported below
            errors.append((k, e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == expected
