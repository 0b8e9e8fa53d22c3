"""fad.scipy.integrate: odeint and solve_ivp against SciPy, finite differences and a differentiated RK4."""

import numpy
import pytest
import scipy.integrate

import fad
import fad.numpy as np
from fad.scipy.integrate import odeint, solve_ivp

TIGHT = {"rtol": 1e-11, "atol": 1e-11}


def pendulum(y, t, params, damping):
    """A driven, damped pendulum: every kind of argument (array state, dict, scalar, time)."""
    theta, omega = y[0], y[1]
    drive = params["amplitude"] * np.sin(params["frequency"] * t)
    return np.stack([omega, -np.sin(theta) - damping * omega + drive])


Y0 = numpy.array([0.3, -0.2])
T = numpy.array([0.0, 0.4, 1.1, 2.0])
PARAMS = {"amplitude": 0.5, "frequency": 1.3}
WEIGHTS = numpy.array([[0.0, 0.0], [1.0, -0.5], [0.3, 2.0], [-1.0, 0.7]])


def loss(y0, t, params, damping):
    return np.sum(WEIGHTS[: len(t)] * odeint(pendulum, y0, t, args=(params, damping), **TIGHT))


def central(f, x, h=1e-4):
    """Central differences of a scalar function of a float vector."""
    x = numpy.asarray(x, dtype=float)
    g = numpy.zeros_like(x)
    for i in range(x.size):
        e = numpy.zeros_like(x)
        e.flat[i] = h
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def rk4(func, y0, t, args, steps=200):
    """A fixed-step RK4 written with fad.numpy: differentiated straight through its steps."""
    ys = [y0]
    y = y0
    for i in range(len(t) - 1):
        h = (t[i + 1] - t[i]) / steps
        s = t[i]
        for _ in range(steps):
            k1 = func(y, s, *args)
            k2 = func(y + h / 2 * k1, s + h / 2, *args)
            k3 = func(y + h / 2 * k2, s + h / 2, *args)
            k4 = func(y + h * k3, s + h, *args)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            s = s + h
        ys.append(y)
    return np.stack(ys)


def test_values_are_scipys():
    ys = odeint(pendulum, Y0, T, args=(PARAMS, 0.1))
    want = scipy.integrate.odeint(lambda y, t: numpy.asarray(pendulum(y, t, PARAMS, 0.1)), Y0, T)
    numpy.testing.assert_allclose(ys, want, rtol=1e-12, atol=1e-12)
    assert odeint(lambda y, t: -y, 1.0, T).shape == (4, 1)  # a scalar y0, as SciPy
    assert odeint(lambda y, t: -y, numpy.ones((2, 3)), T).shape == (4, 2, 3)


def test_gradients_agree_with_finite_differences():
    g_y0, g_t, g_params, g_damping = fad.grad(loss, argnums=(0, 1, 2, 3))(Y0, T, PARAMS, 0.1)
    numpy.testing.assert_allclose(g_y0, central(lambda y0: loss(y0, T, PARAMS, 0.1), Y0), rtol=1e-5, atol=1e-7)
    numpy.testing.assert_allclose(g_t, central(lambda t: loss(Y0, t, PARAMS, 0.1), T), rtol=1e-5, atol=1e-7)
    fd_damping = central(lambda d: loss(Y0, T, PARAMS, d[0]), [0.1])[0]
    assert g_damping == pytest.approx(fd_damping, rel=1e-5)
    fd_amplitude = central(lambda a: loss(Y0, T, {"amplitude": a[0], "frequency": 1.3}, 0.1), [0.5])[0]
    fd_frequency = central(lambda w: loss(Y0, T, {"amplitude": 0.5, "frequency": w[0]}, 0.1), [1.3])[0]
    assert g_params["amplitude"] == pytest.approx(fd_amplitude, rel=1e-5)
    assert g_params["frequency"] == pytest.approx(fd_frequency, rel=1e-5)


def test_gradients_agree_with_a_differentiated_rk4():
    def through_rk4(y0, params, damping):
        return np.sum(WEIGHTS * rk4(pendulum, y0, T, (params, damping)))

    def adjoint(y0, params, damping):
        return loss(y0, T, params, damping)

    want = fad.grad(through_rk4, argnums=(0, 1, 2))(Y0, PARAMS, 0.1)
    got = fad.grad(adjoint, argnums=(0, 1, 2))(Y0, PARAMS, 0.1)
    numpy.testing.assert_allclose(got[0], want[0], rtol=1e-7)
    assert got[1]["amplitude"] == pytest.approx(want[1]["amplitude"], rel=1e-7)
    assert got[1]["frequency"] == pytest.approx(want[1]["frequency"], rel=1e-7)
    assert got[2] == pytest.approx(want[2], rel=1e-7)


def test_second_order():
    decay = lambda y, t, k: -k * y * y  # noqa: E731  y(t) = y0 / (1 + k y0 t)
    t = numpy.array([0.0, 0.5, 1.5])

    def f(y0, k):
        return np.sum(odeint(decay, y0, t, args=(k,), **TIGHT)[1:, 0] ** 2)

    def exact(y0, k):
        return sum((y0 / (1 + k * y0 * s)) ** 2 for s in t[1:])

    y0 = numpy.array([0.8])
    d2k = fad.grad(fad.grad(f, argnums=1), argnums=1)(y0, 0.7)
    fd = (exact(0.8, 0.7 + 1e-4) - 2 * exact(0.8, 0.7) + exact(0.8, 0.7 - 1e-4)) / 1e-8
    assert d2k == pytest.approx(fd, rel=1e-5)
    hessian = fad.hessian(lambda y0: f(y0, 0.7))(y0)
    fd = (exact(0.8 + 1e-4, 0.7) - 2 * exact(0.8, 0.7) + exact(0.8 - 1e-4, 0.7)) / 1e-8
    assert hessian[0, 0] == pytest.approx(fd, rel=1e-5)
    # a mixed second derivative, through the time too, and forward mode
    mixed = fad.grad(lambda k: fad.grad(lambda s: np.sum(odeint(decay, y0, s, args=(k,), **TIGHT)))(t)[2])(0.7)
    a = 0.7 * 0.8 * 1.5  # d/dk of dL/dt_2 = -k y(t_2)^2
    assert mixed == pytest.approx(-(0.8**2) * (1 - a) / (1 + a) ** 3, rel=1e-5)
    _, ydot = fad.jvp(lambda k: f(y0, k))((0.7,), (1.0,))
    assert ydot == pytest.approx(fad.grad(f, argnums=1)(y0, 0.7), rel=1e-7)


def test_one_tape_entry_and_constants_stay_constants():
    tape = fad.tape(lambda y0, k: odeint(lambda y, t, k, c: -k * y + c, y0, T, args=(k, 2.0)))(Y0, 0.5)
    assert [entry.primitive.name for entry in tape.entries] == ["odeint"]
    assert len(tape.entries[0].inputs) == 3  # y0, t and k: the constant 2.0 is no input


def test_args_forms_and_tfirst():
    grow = lambda y, t, p: p["rate"] * y  # noqa: E731
    g = fad.grad(lambda r: odeint(grow, numpy.ones(1), T, args={"rate": r})[-1, 0])(0.3)  # one argument, a dict
    assert g == pytest.approx(2.0 * numpy.exp(0.6), rel=1e-5)
    g = fad.grad(lambda r: odeint(lambda y, t, r: r * y, 1.0, T, args=r)[-1, 0])(numpy.array(0.3))  # an array
    assert g == pytest.approx(2.0 * numpy.exp(0.6), rel=1e-5)
    g = fad.grad(lambda r: odeint(lambda t, y, r: r * y, [1.0], T, args=(r,), tfirst=True)[-1, 0])(0.3)
    assert g == pytest.approx(2.0 * numpy.exp(0.6), rel=1e-5)
    g = fad.grad(lambda y0: np.sum(odeint(lambda y, t: [y[1], -y[0]], y0, T)))(Y0)  # func returns a list
    fd = central(lambda y0: numpy.sum(odeint(lambda y, t: [y[1], -y[0]], y0, T)), Y0)
    numpy.testing.assert_allclose(g, fd, rtol=1e-5)


def test_errors():
    with pytest.raises(TypeError, match="closes over.*args="):
        fad.grad(lambda k: odeint(lambda y, t: -k * y, numpy.ones(1), T)[-1, 0])(0.5)
    with pytest.raises(ValueError, match="shape of y"):
        odeint(lambda y, t: numpy.ones(3), numpy.ones(2), T)
    with pytest.raises(ValueError, match="increasing"):
        odeint(lambda y, t: -y, numpy.ones(2), [0.0, 1.0, 0.5])
    with pytest.raises(RuntimeError, match="odeint failed.*mxstep"), pytest.warns(scipy.integrate.ODEintWarning):
        odeint(lambda y, t: 50 * numpy.cos(50 * t) * numpy.ones(1), numpy.ones(1), [0.0, 10.0], mxstep=3)
    with pytest.raises(ValueError, match="explicit"):
        solve_ivp(lambda t, y: -y, (0.0, 1.0), numpy.ones(1), method="BDF")


@pytest.mark.parametrize("method", ["RK45", "DOP853"])
def test_solve_ivp(method):
    def f(y0, t_eval, params, damping):
        result = solve_ivp(
            lambda t, y, p, d: pendulum(y, t, p, d),
            (t_eval[0], t_eval[-1]),
            y0,
            method=method,
            t_eval=t_eval,
            args=(params, damping),
            **TIGHT,
        )
        return np.sum(WEIGHTS.T * result.y)

    assert f(Y0, T, PARAMS, 0.1) == pytest.approx(float(loss(Y0, T, PARAMS, 0.1)), rel=1e-8)
    g_y0, g_t, _, g_damping = fad.grad(f, argnums=(0, 1, 2, 3))(Y0, T, PARAMS, 0.1)
    numpy.testing.assert_allclose(g_y0, central(lambda y0: f(y0, T, PARAMS, 0.1), Y0), rtol=1e-5, atol=1e-7)
    numpy.testing.assert_allclose(g_t, central(lambda t: f(Y0, t, PARAMS, 0.1), T), rtol=1e-5, atol=1e-7)
    assert g_damping == pytest.approx(central(lambda d: f(Y0, T, PARAMS, d[0]), [0.1])[0], rel=1e-5)


def test_hessian_vector_product_of_a_nonlinear_system():
    def f(y0):
        return loss(y0, T[:3], PARAMS, 0.1)

    def through_rk4(y0):
        return np.sum(WEIGHTS[:3] * rk4(pendulum, y0, T[:3], (PARAMS, 0.1), steps=60))

    v = numpy.array([0.6, -0.8])
    h = 1e-4
    fd = (fad.grad(f)(Y0 + h * v) - fad.grad(f)(Y0 - h * v)) / (2 * h)
    got = fad.hvp(f)(Y0, v)
    numpy.testing.assert_allclose(got, fd, rtol=1e-4, atol=1e-6)  # the gradients' own error, over 2h
    numpy.testing.assert_allclose(got, fad.hvp(through_rk4)(Y0, v), rtol=1e-6, atol=1e-9)


def test_lists_holding_traced_numbers():
    def f(a, b):
        return odeint(lambda y, t: -y, [a, 1.0], [0.0, b])[-1, 0]

    ga, gb = fad.grad(f, argnums=(0, 1))(2.0, 0.5)
    assert ga == pytest.approx(numpy.exp(-0.5), rel=1e-6) and gb == pytest.approx(-2.0 * numpy.exp(-0.5), rel=1e-6)
    g = fad.grad(lambda b: solve_ivp(lambda t, y: -y, (0.0, b), [1.0], rtol=1e-10, atol=1e-10).y[0, -1])(0.5)
    assert g == pytest.approx(-numpy.exp(-0.5), rel=1e-6)
