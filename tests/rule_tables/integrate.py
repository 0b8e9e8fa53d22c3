"""The rule table of fad.scipy.integrate (empty when SciPy, an optional dependency, is missing).

An ODE solve is costly to check to second order (the second derivatives solve the adjoint of
the adjoint system, and the check makes many of them: some 5 s for this short interval), so the table holds
one fixed problem per solver rather than Hypothesis-drawn ones: a linear, time-forced scalar
equation, with tolerances tight enough for finite differences. tests/test_integrate.py checks
nonlinear systems, containers of parameters and second derivatives further.
"""

import numpy
from hypothesis import strategies as st

import fad.numpy as np

try:
    from fad.scipy.integrate import odeint, solve_ivp
except ImportError:  # no SciPy: nothing to check
    odeint = solve_ivp = None

TIGHT = {"rtol": 1e-10, "atol": 1e-10}


def forced(y, t, k):
    return -k * y + np.sin(t)


def odeints():
    def f(y0, t, k):
        return odeint(forced, y0, t, args=(k,), **TIGHT)

    return st.just((f, (numpy.array([0.8]), numpy.array([0.0, 0.3]), 1.3)))


def solve_ivps():
    def f(y0, t, k):
        return solve_ivp(lambda t, y, k: forced(y, t, k), (t[0], t[-1]), y0, "DOP853", t_eval=t, args=(k,), **TIGHT).y

    return st.just((f, (numpy.array([0.8]), numpy.array([0.0, 0.3]), 1.3)))


TABLE = {} if odeint is None else {"scipy.integrate.odeint": odeints(), "scipy.integrate.solve_ivp": solve_ivps()}
