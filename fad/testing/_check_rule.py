"""check_rule: the one call that tests a custom primitive record.

``check_rule(prim, *domains)`` draws arguments from one Hypothesis strategy per positional
input of ``prim`` (with edge values mixed in: zeros, ties, tiny and huge magnitudes) and
runs, at each point where ``prim``'s value is finite, these checks in turn:

============================  ===================================================================
check                         what it asserts
============================  ===================================================================
``shapes and dtypes``         ``prim.vjp`` returns one cotangent per input, each with that
                              input's shape and dtype; the value keeps ``fwd``'s shape and dtype
``inputs not mutated``        neither ``fwd`` nor the VJP changes its arguments (nor ``ybar``)
``linearity in ybar``         ``vjp(a u + b w) = a vjp(u) + b vjp(w)``
``finite differences``        ``<vjp(ybar), v>`` against ``<ybar, J v>`` by finite differences
``forward mode``              the VJP transposed (fad's forward mode) against finite differences
                              and against the VJP
``complex step``              with ``analytic=True``: ``J v = Im(fwd(x + i h v)) / h`` to rounding
``second derivative``         the derivatives of the VJP itself, in both modes
============================  ===================================================================

A failure is an ``AssertionError`` naming the check, the argument and leaf, and the
counterexample that Hypothesis shrank to; a point where nothing can be judged passes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import fad
from fad.core import Primitive
from fad.testing._check import (
    Undecided,
    _inner,
    _like,
    _random_like,
    _tolerance,
    _where_args,
    check_grads,
    check_jvp_vjp_agree,
    check_vjp_linear,
)
from fad.testing.strategies import minimal
from fad.tree import flatten

__all__ = ["check_rule"]

EDGES = ("zero", "tie", "tiny", "huge")


def _edge(x: Any, kind: str) -> Any:
    """``x`` with an edge value: one element 0, two elements tied, or the whole scaled to a tiny or huge magnitude."""
    a = np.array(x, copy=True)
    if a.dtype.kind not in "fc":
        return x
    if kind == "zero":
        a.reshape(-1)[:1] = 0
    elif kind == "tie":
        a.reshape(-1)[-1:] = a.reshape(-1)[:1]
    else:
        a = a * (a.dtype.type(2.0**-40) if kind == "tiny" else a.dtype.type(2.0**20))
    return a if isinstance(x, np.ndarray) else type(x)(a[()]) if not isinstance(x, np.generic) else a[()]


def _with_edges(domain: Any) -> st.SearchStrategy:
    strategy = domain if isinstance(domain, st.SearchStrategy) else st.just(domain)
    edged = st.tuples(strategy, st.sampled_from(EDGES)).map(lambda pair: _edge(*pair))
    return st.one_of(strategy, edged)


def _snapshot(xs: Any) -> list:
    return [np.array(t, copy=True) for t in flatten(xs)[0]]


def _unchanged(before: list, xs: Any) -> bool:
    after = flatten(xs)[0]
    return len(before) == len(after) and all(
        np.shape(b) == np.shape(a) and np.asarray(b).tobytes() == np.asarray(a).tobytes() for b, a in zip(before, after)
    )


def _fail(check: str, who: str, detail: str) -> AssertionError:
    error = AssertionError(f"{who}: {check}: {detail}")
    error.check = check  # type: ignore[attr-defined]
    return error


def _check_layout(prim: Primitive, xs: tuple, params: dict, who: str, rng: np.random.Generator) -> None:
    """Shapes and dtypes of the value and of each cotangent; nothing mutated by fwd or the VJP."""
    before = _snapshot(xs)
    y = prim.fwd(*xs, **params)
    if not _unchanged(before, xs):
        raise _fail("inputs not mutated", who, "fwd changed its arguments in place; compute a new value instead")
    traced = fad.pullback(lambda *t: prim(*t, **params), *xs)[0]
    for got, want in zip(flatten(traced)[0], flatten(y)[0]):
        if np.shape(got) != np.shape(want) or np.result_type(got) != np.result_type(want):
            raise _fail(
                "shapes and dtypes",
                who,
                f"traced, the value has shape {np.shape(got)} and dtype "
                f"{np.result_type(got)}; fwd gives {np.shape(want)}, {np.result_type(want)}",
            )
    ys = y if prim.multiple_results else (y,)
    ybar = tuple(_like(t, _random_like(rng, t)) for t in ys)
    ybar = ybar if prim.multiple_results else ybar[0]
    y_before, ybar_before = _snapshot(ys), _snapshot(ybar)
    xbars = prim.vjp(y, ybar, *xs, **params)
    if not (_unchanged(before, xs) and _unchanged(y_before, ys) and _unchanged(ybar_before, ybar)):
        raise _fail("inputs not mutated", who, "the VJP changed y, ybar or an input in place")
    if not isinstance(xbars, (tuple, list)) or len(xbars) != len(xs):
        raise _fail("shapes and dtypes", who, f"the VJP must return a tuple of {len(xs)} cotangents, got {xbars!r:.80}")
    for where, x, xbar in zip(_where_args(xs), xs, xbars):
        if xbar is None or not np.issubdtype(np.result_type(x), np.inexact):
            continue
        if np.shape(xbar) != np.shape(x) or np.result_type(xbar) != np.result_type(x):
            raise _fail(
                "shapes and dtypes",
                who,
                f"at {where}: the cotangent has shape {np.shape(xbar)} and dtype {np.result_type(xbar)}, its input "
                f"shape {np.shape(x)} and dtype {np.result_type(x)} (sum over broadcast axes; cast it back)",
            )


def _check_complex_step(f: Callable, xs: tuple, who: str, rng: np.random.Generator) -> None:
    """``Im(f(x + i h v)) / h`` is ``J v`` to rounding for an analytic ``f``: compare with the VJP."""
    y = f(*xs)
    y_leaves = flatten(y)[0]
    ybar = [_like(t, _random_like(rng, t)) for t in y_leaves]
    xbars = flatten(fad.vjp(f)(y, ybar[0] if len(ybar) == 1 else tuple(ybar), *xs))[0]
    tol = _tolerance(list(xs) + y_leaves, None, None, None)
    for k, where in enumerate(_where_args(xs)):
        x = xs[k]
        if np.iscomplexobj(x):
            continue
        v = _random_like(rng, x)
        h = 1e-20 * max(1.0, float(np.max(np.abs(x), initial=0.0)))
        shifted = list(xs)
        shifted[k] = np.asarray(x, np.complex128) + 1j * h * v
        try:
            jv = [np.imag(t) / h for t in flatten(f(*shifted))[0]]
        except TypeError as error:
            raise _Misuse(
                f"{who}: analytic=True, but fwd does not take complex arguments ({error}); the complex step "
                "needs a fwd analytic in its inputs: leave analytic=False"
            ) from error
        want, got = _inner(ybar, jv), _inner([xbars[k]], [v])
        scale = sum(float(np.sum(np.abs(b) * np.abs(j))) for b, j in zip(ybar, jv)) + abs(got)
        if not abs(got - want) <= tol.atol + tol.exact * scale:  # the step's own error, O(h**2), is far below atol
            raise _fail(
                "complex step",
                who,
                f"at {where}: fad <vjp(ybar), v> = {got:.6g}, complex step <ybar, J v> = {want:.6g}",
            )


def check_rule(prim: Primitive, *domains: Any, **settings: Any) -> None:
    """Test a primitive record at Hypothesis-drawn points: every check a derivative rule must pass.

    ``domains`` are one strategy (or fixed value) per positional input. ``settings``:
    ``params`` (a dict of keyword parameters for the record), ``arguments`` (one strategy
    of tuples, for inputs whose shapes depend on each other), ``order`` (2), ``analytic``
    (False; True adds the complex-step check, for a ``fwd`` analytic in every input),
    ``edges`` (True: mix in zeros, ties, tiny and huge magnitudes), ``eps``, ``rtol``,
    ``atol``, and ``max_examples`` or ``settings`` (a ``hypothesis.settings``; its
    ``max_examples`` is used), default 50. Raises ``AssertionError`` naming the failing
    check, the argument and leaf, and the shrunk counterexample.

    >>> import numpy, fad
    >>> import fad.numpy as np
    >>> from fad.testing import strategies as fst
    >>> cube = fad.primitive(lambda x: x**3, lambda y, ybar, x: (3 * ybar * x**2,), name="cube")
    >>> check_rule(cube, fst.arrays(lo=-2.0, hi=2.0), analytic=True, max_examples=10)
    >>> half = fad.primitive(numpy.square, lambda y, ybar, x: (ybar * x,), name="square")  # 2 is missing
    >>> check_rule(half, fst.floats(), max_examples=10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: check_rule(square): finite differences fails at the shrunk counterexample (1.0,)
      check_grads(square): rev mode, order 1, disagrees with finite differences
      ...

    See Also: fad.testing.derivative_test, fad.testing.check_grads, fad.primitive
    """
    if not isinstance(prim, Primitive):
        raise TypeError(
            f"check_rule: expected a fad.Primitive record, got {type(prim).__name__}; "
            "for any function use fad.testing.derivative_test"
        )
    options = dict(settings)
    params = options.pop("params", None) or {}
    arguments = options.pop("arguments", None)
    order = options.pop("order", 2)
    analytic = options.pop("analytic", False)
    edges = options.pop("edges", True)
    tolerances = {k: options.pop(k, None) for k in ("eps", "rtol", "atol")}
    hypothesis_settings = options.pop("settings", None)
    max_examples = options.pop("max_examples", None)
    if options:
        raise TypeError(f"check_rule: unknown settings {sorted(options)}")
    if max_examples is None:
        max_examples = 50 if hypothesis_settings is None else hypothesis_settings.max_examples
    who = f"check_rule({prim.name})"
    if arguments is not None:
        strategy = arguments.map(tuple)
    elif domains:
        strategy = st.tuples(*(_with_edges(d) if edges else d for d in domains))
    else:
        raise TypeError(f"{who}: pass one domain (a Hypothesis strategy) per positional input, or arguments=")

    def f(*xs: Any) -> Any:
        return prim(*xs, **params)

    f.__name__ = prim.name

    def run(xs: tuple) -> None:
        """Every check at ``xs``, in order; raises the first failure as (check, error)."""
        rng = np.random.default_rng(0)
        with np.errstate(all="ignore"):
            try:
                y = prim.fwd(*xs, **params)
            except (ValueError, ArithmeticError):
                return  # outside fwd's domain: nothing to judge
        if not all(np.all(np.isfinite(t)) for t in flatten(y)[0] if np.issubdtype(np.result_type(t), np.inexact)):
            return
        checks = [
            ("shapes and dtypes", lambda: _check_layout(prim, xs, params, who, rng)),
            ("linearity in ybar", lambda: check_vjp_linear(f, *xs, rtol=tolerances["rtol"], atol=tolerances["atol"])),
            ("finite differences", lambda: check_grads(f, *xs, order=1, modes=("rev",), **tolerances)),
            ("forward mode", lambda: check_grads(f, *xs, order=1, modes=("fwd",), **tolerances)),
            ("forward mode", lambda: check_jvp_vjp_agree(f, *xs, rtol=tolerances["rtol"], atol=tolerances["atol"])),
        ]
        if analytic:
            checks.append(("complex step", lambda: _check_complex_step(f, xs, who, rng)))
        if order >= 2:
            checks.append(("second derivative", lambda: check_grads(f, *xs, order=order, **tolerances)))
        for check, run_check in checks:
            try:
                with np.errstate(all="ignore"):
                    run_check()
            except (Undecided, _Misuse) as error:
                if isinstance(error, _Misuse):
                    raise
                continue
            except Exception as error:  # an AssertionError, or a crash in the rule: this check fails
                raise _Failed(getattr(error, "check", check), error) from error

    def fails(xs: tuple) -> bool:
        try:
            run(copy.deepcopy(xs))
        except _Failed:
            return True
        except _Misuse:
            raise
        except Exception:  # a crash in a rule is a failure too
            return True
        return False

    try:
        found = minimal(strategy, fails, max_examples=max_examples)
    except NoSuchExample:
        return
    try:
        run(copy.deepcopy(found))
    except _Failed as failed:
        message = str(failed.error) if isinstance(failed.error, AssertionError) else repr(failed.error)
        detail = "\n  ".join(message.splitlines())
        raise AssertionError(
            f"{who}: {failed.check} fails at the shrunk counterexample {found!r}\n  {detail}"
        ) from failed.error
    except Exception as error:
        raise AssertionError(f"{who}: the rule raised {type(error).__name__}: {error} at {found!r}") from error


class _Misuse(TypeError):
    """check_rule was asked for a check that cannot apply to this record."""


class _Failed(Exception):
    """One check failed: its name and its error."""

    def __init__(self, check: str, error: BaseException) -> None:
        super().__init__(check)
        self.check, self.error = check, error
