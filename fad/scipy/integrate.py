"""fad.scipy.integrate: ODE solutions differentiated by the adjoint method.

``odeint(func, y0, t, args)`` solves ``dy/dt = func(y, t, *args)`` with SciPy's own solver on
plain values, and is differentiable with respect to ``y0``, the times ``t`` and every traced
value in ``args``. Its derivative is not taken through the solver's steps: it solves the
*adjoint* system backward in time, from ``t[-1]`` to ``t[0]``, with the same solver and
tolerances. With ``a(t)`` the cotangent of ``y(t)`` and ``ybar_i`` the cotangent of the output
at ``t[i]``::

    dy/dt    =  f(y, t, p)                  (the solution, solved again backward)
    da/dt    = -a . df/dy                   a jumps by ybar_i at each t[i]
    dpbar/dt = -a . df/dp                   pbar(t[-1]) = 0, pbar(t[0]) is the cotangent of p

    tbar_i = ybar_i . f(y_i, t_i)  (i > 0)   tbar_0 = -(a(t_0) - ybar_0) . f(y_0, t_0)

``a . df/dy`` and ``a . df/dp`` are the VJP of the user's ``func``, got with
:func:`fad.pullback`; the backward solve is itself a call of :func:`odeint` written with fad's
functions, so it is differentiated in turn: second derivatives (``fad.hessian``, ``fad.hvp``,
``fad.jvp`` of a gradient) solve the adjoint of the adjoint system. Each call records one entry
on the tape: a :class:`fad.Primitive` built for that call, its forward function and VJP
partial applications of this module's functions to the problem's description.

``func`` must compute with fad's functions (or NumPy functions and operators on its
arguments, which dispatch to fad) and must reach every value being differentiated through its
arguments: a value it closes over is invisible to the adjoint solve, so odeint refuses it.
Needs SciPy: ``pip install 'fad[scipy]'``.

>>> import fad
>>> import fad.numpy as np
>>> from fad.scipy.integrate import odeint
>>> decay = lambda y, t, k: -k * y
>>> dy0 = fad.grad(lambda k: odeint(decay, np.array([1.0]), np.array([0.0, 1.0]), args=(k,))[-1, 0])(0.5)
>>> round(dy0, 6), round(float(-np.exp(-0.5)), 6)  # d/dk exp(-k) at t = 1
(-0.606531, -0.606531)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import numpy as np

try:
    import scipy.integrate as _si
except ImportError as error:  # SciPy is an optional dependency
    raise ImportError(
        "fad.scipy.integrate needs SciPy, an optional dependency of fad: pip install 'fad[scipy]'"
    ) from error

import fad.numpy as fnp
from fad import primitive, pullback
from fad.core import Traced, untraced
from fad.tree import flatten, unflatten

__all__ = ["odeint", "solve_ivp"]


class _Problem(NamedTuple):
    """What one call solves: the right-hand side and everything about it that is not traced.

    ``func(y, t, *args)`` with ``y`` of shape ``y_shape``; ``args`` is rebuilt from ``treedef``
    and ``constants`` (its leaves, ``None`` where a leaf is traced) with the traced leaves put
    back at ``positions``. ``solver(rhs, y0, t, problem, options)`` solves ``dy/dt = rhs(y, t)``
    on plain values and returns the solution at the times ``t``, one row each. ``who`` names the
    public function (and, for a backward solve, says so) in the record's name and in errors.
    """

    func: Callable
    who: str
    y_shape: tuple
    treedef: Any
    constants: tuple
    positions: tuple
    solver: Callable
    options: dict


# --------------------------------------------------------------------------------------
# The right-hand side, on plain or traced values
# --------------------------------------------------------------------------------------


def _rhs(problem: _Problem, y: Any, t: Any, params: tuple) -> Any:
    """``func(y, t, *args)`` for a flat ``y``, as a flat vector; ``params`` the traced leaves of args."""
    leaves = list(problem.constants)
    for i, p in zip(problem.positions, params):
        leaves[i] = p
    args = unflatten(problem.treedef, leaves)
    y = y if len(problem.y_shape) == 1 else fnp.reshape(y, problem.y_shape)
    dy = problem.func(y, t, *args)
    if isinstance(dy, (list, tuple)):  # SciPy lets func return a list of numbers
        dy = fnp.stack([fnp.reshape(d, ()) for d in dy]) if dy else np.zeros(0)
    if fnp.shape(dy) != problem.y_shape:
        raise ValueError(
            f"fad.scipy.integrate.{problem.who}: func returned shape {fnp.shape(dy)} for a state y of shape "
            f"{problem.y_shape}; dy/dt must have the shape of y"
        )
    return dy if len(problem.y_shape) == 1 else fnp.reshape(dy, (-1,))


def _plain_rhs(problem: _Problem, params: tuple, y: np.ndarray, t: float) -> np.ndarray:
    """The right-hand side that SciPy's solver calls, on plain values only."""
    dy = _rhs(problem, y, t, params)
    if isinstance(dy, Traced):
        raise TypeError(
            f"fad.scipy.integrate.{problem.who}: func returned a traced value when called on plain values, so "
            "it closes over a value being differentiated. Pass every such value through args=(...): "
            "func(y, t, *args) is differentiated with respect to its arguments only."
        )
    return np.asarray(dy, dtype=float)


# --------------------------------------------------------------------------------------
# The primitive's forward function and VJP
# --------------------------------------------------------------------------------------


def _solve(problem: _Problem, y0: np.ndarray, t: np.ndarray, *params: Any) -> np.ndarray:
    """The solution at the times ``t``, one row each (the forward function of the record)."""
    return problem.solver(partial(_plain_rhs, problem, params), y0, t, problem, problem.options)


def _augmented(problem: _Problem, n: int, state: Any, t: Any, *params: Any) -> Any:
    """The adjoint system's right-hand side: ``state`` is ``[y, a, pbar]``, flat."""
    y, a = state[:n], state[n : 2 * n]
    dy, back = pullback(lambda y, *params: _rhs(problem, y, t, params), y, *params)
    ybar, *pbars = back(a)
    return fnp.concatenate([dy, -ybar] + [-fnp.ravel(pbar) for pbar in pbars])


def _solve_vjp(problem: _Problem, ys: Any, ybar: Any, y0: Any, t: Any, *params: Any) -> tuple:
    """The cotangents of ``(y0, t, *params)``: the adjoint system solved backward, interval by interval."""
    n = fnp.size(y0)
    sizes = [fnp.size(p) for p in params]
    adjoint = partial(_augmented, problem, n)
    who = problem.who.split()[0] + " (adjoint)"  # the record's name on a tape, and in errors
    a = ybar[-1]
    pbar = fnp.zeros(sum(sizes))
    tbars = []
    for i in range(fnp.shape(t)[0] - 1, 0, -1):
        tbars.append(fnp.sum(ybar[i] * _rhs(problem, ys[i], t[i], params)))
        state = fnp.concatenate([ys[i], a, pbar])
        times = fnp.stack([t[i], t[i - 1]])
        state = _odeint(adjoint, state, times, params, who, problem.solver, problem.options)[-1]
        a, pbar = state[n : 2 * n] + ybar[i - 1], state[2 * n :]
    tbars.append(-fnp.sum((a - ybar[0]) * _rhs(problem, y0, t[0], params)))
    pbars = []
    start = 0
    for p, size in zip(params, sizes):
        pbars.append(fnp.reshape(pbar[start : start + size], fnp.shape(p)))
        start += size
    return (a, fnp.stack(tbars[::-1]), *pbars)


# --------------------------------------------------------------------------------------
# The solvers: SciPy's, on plain values
# --------------------------------------------------------------------------------------


def _lsoda(rhs: Callable, y0: np.ndarray, t: np.ndarray, problem: _Problem, options: dict) -> np.ndarray:
    """``scipy.integrate.odeint`` (LSODA), raising where SciPy would only print a warning."""
    if len(t) == 1:
        return np.asarray(y0, dtype=float)[None]
    options = {k: v for k, v in options.items() if k != "method"}
    ys, info = _si.odeint(rhs, y0, t, full_output=True, **options)
    if info["message"] != "Integration successful.":
        raise RuntimeError(
            f"fad.scipy.integrate.{problem.who}: scipy.integrate.odeint failed ({info['message']}). "
            "Raise mxstep, loosen rtol/atol, or check func for a blow-up."
        )
    return ys


def _runge_kutta(rhs: Callable, y0: np.ndarray, t: np.ndarray, problem: _Problem, options: dict) -> np.ndarray:
    """``scipy.integrate.solve_ivp`` with its explicit method ``options["method"]``, at the times ``t``."""
    if len(t) == 1:
        return np.asarray(y0, dtype=float)[None]
    result = _si.solve_ivp(lambda s, y: rhs(y, s), (t[0], t[-1]), np.asarray(y0, dtype=float), t_eval=t, **options)
    if not result.success:
        raise RuntimeError(
            f"fad.scipy.integrate.{problem.who}: scipy.integrate.solve_ivp failed ({result.message}). "
            "Loosen rtol/atol, or check fun for a blow-up."
        )
    return result.y.T


# --------------------------------------------------------------------------------------
# The public functions
# --------------------------------------------------------------------------------------


def _array(x: Any) -> Any:
    """``x`` as a float array, traced if it is or if it is a list holding traced numbers."""
    if isinstance(x, Traced):
        return x
    if isinstance(x, (list, tuple)) and any(isinstance(v, Traced) for v in flatten(x)[0]):
        return fnp.stack([_array(v) for v in x])
    return np.asarray(x, dtype=float)


def _odeint(func: Callable, y0: Any, t: Any, args: tuple, who: str, solver: Callable, options: dict) -> Any:
    """Solve with ``solver`` as one primitive application, differentiable in ``y0``, ``t`` and ``args``."""
    leaves, treedef = flatten(args)
    positions = tuple(i for i, x in enumerate(leaves) if isinstance(x, Traced))
    constants = tuple(None if i in positions else x for i, x in enumerate(leaves))
    params = tuple(leaves[i] for i in positions)
    y0, t = _array(y0), _array(t)
    y_shape = fnp.shape(y0) if fnp.ndim(y0) > 0 else (1,)
    if fnp.ndim(t) != 1 or fnp.shape(t)[0] == 0:
        raise ValueError(
            f"fad.scipy.integrate.{who}: the times must be a non-empty 1-D array, got shape {fnp.shape(t)}"
        )
    steps = np.diff(untraced(t))
    if not (np.all(steps > 0) or np.all(steps < 0)):
        raise ValueError(f"fad.scipy.integrate.{who}: the times must be strictly increasing or strictly decreasing")
    problem = _Problem(func, who, y_shape, treedef, constants, positions, solver, options)
    record = primitive(partial(_solve, problem), partial(_solve_vjp, problem), name=who)
    flat = y0 if fnp.ndim(y0) == 1 else fnp.reshape(y0, (-1,))
    ys = record(flat, t, *params)
    return ys if len(y_shape) == 1 else fnp.reshape(ys, fnp.shape(t) + y_shape)


def odeint(
    func: Callable,
    y0: Any,
    t: Any,
    args: Any = (),
    rtol: float | None = None,
    atol: float | None = None,
    mxstep: int = 0,
    h0: float = 0.0,
    hmax: float = 0.0,
    hmin: float = 0.0,
    tfirst: bool = False,
) -> Any:
    """Solve ``dy/dt = func(y, t, *args)`` at the times ``t``, differentiably (SciPy's ``odeint``).

    The result has one row per time: shape ``(len(t),) + y0.shape`` (``(len(t), 1)`` for a
    scalar ``y0``, as SciPy). It is differentiable with respect to ``y0``, ``t`` and every
    traced value in ``args``, to any order, by the adjoint method (see the module). ``args``
    is a tuple of extra arguments, each of which may be a container (a dict of arrays, say);
    anything else is taken as the one extra argument. ``rtol``, ``atol``, ``mxstep``, ``h0``,
    ``hmax`` and ``hmin`` go to ``scipy.integrate.odeint`` for the solution and for the
    backward solve alike; with ``tfirst`` the signature is ``func(t, y, *args)``. A failed
    solve raises ``RuntimeError`` (SciPy only prints a warning).

    >>> import fad
    >>> import fad.numpy as np
    >>> spring = lambda y, t, k: np.stack([y[1], -k * y[0]])
    >>> ys = odeint(spring, np.array([1.0, 0.0]), np.linspace(0.0, np.pi, 3), args=(1.0,))
    >>> np.round(ys[:, 0], 6)
    array([ 1.,  0., -1.])
    >>> g = fad.grad(lambda y0: odeint(spring, y0, np.array([0.0, np.pi / 2]), args=(1.0,))[-1, 0])
    >>> np.round(g(np.array([1.0, 0.0])), 6)  # y(pi/2) = y0[1]
    array([0., 1.])

    See Also: solve_ivp, fad.pullback
    """
    if tfirst:
        func = partial(_swapped, func)
    options = {"rtol": rtol, "atol": atol, "mxstep": mxstep, "h0": h0, "hmax": hmax, "hmin": hmin}
    return _odeint(func, y0, t, args if isinstance(args, tuple) else (args,), "odeint", _lsoda, options)


def _swapped(func: Callable, y: Any, t: Any, *args: Any) -> Any:
    return func(t, y, *args)


class OdeResult(NamedTuple):
    """What :func:`solve_ivp` returns: the times ``t``, the solution ``y`` (one column per time), the status."""

    t: Any
    y: Any
    success: bool
    message: str


_EXPLICIT = ("RK45", "RK23", "DOP853")


def solve_ivp(
    fun: Callable,
    t_span: Any,
    y0: Any,
    method: str = "RK45",
    t_eval: Any = None,
    args: Any = None,
    rtol: float = 1e-3,
    atol: float = 1e-6,
    **options: Any,
) -> OdeResult:
    """Solve ``dy/dt = fun(t, y, *args)`` with an explicit Runge-Kutta method, differentiably.

    SciPy's ``solve_ivp`` with ``method`` one of ``"RK45"``, ``"RK23"``, ``"DOP853"``. The result's
    ``y`` has one column per time (shape ``(len(y0), len(t))``, as SciPy) and is differentiable
    with respect to ``y0``, ``t_eval`` and every traced value in ``args`` by the adjoint method,
    solved backward with the same method and tolerances. Without ``t_eval`` the solution is given
    at ``t_span``'s two ends (SciPy would give its own steps), and ``t`` is ``t_span``, which is then
    differentiable too. ``t_eval`` must start at ``t_span[0]``. Further options (``max_step``,
    ``first_step``) go to SciPy.

    >>> import fad
    >>> import fad.numpy as np
    >>> decay = lambda t, y, k: -k * y
    >>> result = solve_ivp(decay, (0.0, 1.0), np.array([1.0]), args=(2.0,), rtol=1e-10, atol=1e-10)
    >>> round(float(result.y[0, -1]), 8), round(float(np.exp(-2.0)), 8)
    (0.13533528, 0.13533528)
    >>> end = lambda k: solve_ivp(decay, (0.0, 1.0), np.array([1.0]), args=(k,), rtol=1e-10, atol=1e-10).y[0, -1]
    >>> round(fad.grad(end)(2.0), 6), round(float(-np.exp(-2.0)), 6)
    (-0.135335, -0.135335)

    See Also: odeint
    """
    if method not in _EXPLICIT:
        raise ValueError(
            f"fad.scipy.integrate.solve_ivp: method {method!r} is not supported; use one of the explicit "
            f"methods {_EXPLICIT}, or odeint (LSODA) for a stiff problem"
        )
    for unsupported in ("events", "dense_output", "vectorized", "jac"):
        if options.get(unsupported):
            raise TypeError(
                f"fad.scipy.integrate.solve_ivp: {unsupported}= is not supported by the differentiable solve"
            )
        options.pop(unsupported, None)
    if args is None:
        args = ()
    t0, t1 = t_span
    t = _array([t0, t1] if t_eval is None else t_eval)
    if t_eval is not None and float(untraced(t[0])) != float(untraced(t0)):
        raise ValueError("fad.scipy.integrate.solve_ivp: t_eval must start at t_span[0] for the differentiable solve")
    options = dict(options, method=method, rtol=rtol, atol=atol)
    y = _odeint(
        partial(_swapped, fun), y0, t, args if isinstance(args, tuple) else (args,), "solve_ivp", _runge_kutta, options
    )
    return OdeResult(t, fnp.transpose(y), True, "The solver successfully reached the end of the integration interval.")
