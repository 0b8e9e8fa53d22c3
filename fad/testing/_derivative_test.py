"""One-line derivative tests: "this function, on this domain" as a Hypothesis test.

:func:`derivative_test` returns a test function for pytest that draws arguments from one
strategy per argument and runs every check of :mod:`fad.testing` on them;
:func:`counterexample` runs the same checks and returns the smallest failing arguments
that Hypothesis shrinks to, for a test to inspect or a person to read.

The checks run at each drawn point, in this order (the first to fail is reported):

1. the exact properties, which need no finite differences: the VJP is linear in
   ``ybar`` (:func:`check_vjp_linear`); forward and reverse mode agree
   (:func:`check_jvp_vjp_agree`); the chain rule through ``y -> y * y`` after ``f``
   (:func:`check_composition`); and, for ``order >= 2``, the Hessian of the scalar
   ``x -> Re(sum(w * f(x)))``, for a fixed random ``w``, is symmetric
   (:func:`check_hessian_symmetric`);
2. :func:`check_grads` to ``order``, in ``modes``, against finite differences.

A point where nothing can be judged (:class:`Undecided`: ``f`` is not finite there, or
finite differences cannot judge) passes, recorded as a Hypothesis event ("undecided"):
a correct rule is never accused, and a domain that is mostly outside ``f``'s (``sqrt`` on
negative numbers) does not fail Hypothesis's health checks. Where a derivative is not
finite (``sqrt`` at 0), the exact properties pass the point to :func:`check_grads`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from hypothesis import Phase, event, given
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from fad import numpy as fnp
from fad.testing._check import (
    Undecided,
    _like,
    _name,
    _random_like,
    check_composition,
    check_grads,
    check_hessian_symmetric,
    check_jvp_vjp_agree,
    check_vjp_linear,
)
from fad.testing.strategies import minimal
from fad.tree import flatten, tree_map

__all__ = ["derivative_test", "counterexample", "Counterexample"]


class Counterexample(NamedTuple):
    """The smallest arguments found at which a check fails, and the failure it raised."""

    args: tuple
    error: BaseException


def _squares(y: Any) -> Any:
    """``y * y`` leaf by leaf: the outer function of the composition law."""
    return tree_map(lambda t: t * t, y)


def _pairing(f: Callable, args: tuple) -> Callable:
    """``x -> Re(sum(w * f(x)))`` over ``f``'s inexact output leaves, for a fixed random ``w``."""
    rng = np.random.default_rng(0)
    w = [_like(t, _random_like(rng, t)) for t in flatten(f(*args))[0]]

    def pairing(*xs: Any) -> Any:
        ys = flatten(f(*xs))[0]
        return sum(fnp.real(fnp.sum(wi * yi)) for wi, yi in zip(w, ys) if np.issubdtype(np.result_type(wi), np.inexact))

    pairing.__name__ = f"Re(sum(w * {_name(f)}))"
    return pairing


def _inexact(tree: Any) -> bool:
    leaves = flatten(tree)[0]
    return bool(leaves) and all(np.issubdtype(np.result_type(t), np.inexact) for t in leaves)


def _run_checks(f: Callable, args: tuple, order: int, modes: tuple, exact: bool, tolerances: dict) -> None:
    """Every check at ``args``; raises the first failure, or :class:`Undecided` at the end."""
    rtol, atol = tolerances["rtol"], tolerances["atol"]
    with np.errstate(all="ignore"):
        y = f(*args)
    if not all(np.all(np.isfinite(t)) for t in flatten(y)[0] if np.issubdtype(np.result_type(t), np.inexact)):
        raise Undecided(f"{_name(f)} is not finite at these arguments: there is no derivative to check")
    if exact:
        try:
            check_vjp_linear(f, *args, rtol=rtol, atol=atol)
            if set(modes) == {"rev", "fwd"}:
                check_jvp_vjp_agree(f, *args, rtol=rtol, atol=atol)
            if _inexact(y):
                check_composition(f, _squares, *args, modes=modes, rtol=rtol, atol=atol)
                if order >= 2:
                    check_hessian_symmetric(_pairing(f, args), *args, rtol=rtol, atol=atol)
        except Undecided:
            pass  # a derivative is not finite here: finite differences decide below whether it should be
    check_grads(f, *args, order=order, modes=modes, **tolerances)


def _as_strategy(domains: Sequence[Any], arguments: st.SearchStrategy | None) -> st.SearchStrategy:
    """One strategy for the tuple of arguments: each domain a strategy or a fixed value, or ``arguments``."""
    if arguments is not None:
        if domains:
            raise TypeError("pass one domain per argument, or arguments=, a strategy for the tuple of them; not both")
        return arguments.map(tuple)
    if not domains:
        raise TypeError("no domain: pass one strategy per argument of f, or arguments=, a strategy of tuples")
    return st.tuples(*(d if isinstance(d, st.SearchStrategy) else st.just(d) for d in domains))


def _checked(order: int, modes: Sequence[str]) -> tuple[int, tuple]:
    modes = tuple(modes)
    if not modes or set(modes) - {"rev", "fwd"}:
        raise ValueError(f"modes must be a non-empty subset of ('rev', 'fwd'), got {modes!r}")
    if order < 1:
        raise ValueError(f"order must be at least 1, got {order!r}")
    return order, modes


def derivative_test(
    f: Callable,
    *domains: Any,
    arguments: st.SearchStrategy[tuple] | None = None,
    order: int = 2,
    modes: Sequence[str] = ("rev", "fwd"),
    exact: bool = True,
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    settings: Settings | None = None,
    max_examples: int | None = None,
) -> Callable[[], None]:
    """A Hypothesis test of ``f``'s derivatives, with one domain per argument of ``f``.

    Each of ``domains`` is a strategy (see :mod:`fad.testing.strategies`) or a fixed
    value; arguments whose shapes depend on each other (the two factors of a matrix
    product, a broadcasting pair) come instead from ``arguments``, one strategy of tuples.
    The returned function takes no arguments: assign it to a ``test_`` name in a
    test module and pytest runs it. At each drawn point it runs the exact properties
    (unless ``exact=False``) and :func:`check_grads` with ``order``, ``modes``, ``eps``,
    ``rtol`` and ``atol``; Hypothesis shrinks a failure to small arguments and reports
    them with the check's message. ``settings`` default to the active profile with no
    deadline (second-order checks are slow) and without the explain phase;
    ``max_examples`` overrides theirs (as in :func:`counterexample`).

    >>> import fad
    >>> from hypothesis import settings
    >>> from fad.testing import strategies as fst
    >>> cube = fad.primitive(lambda x: x**3, lambda y, ybar, x: (3 * ybar * x**2,), name="cube")
    >>> test_cube = derivative_test(cube, fst.arrays(lo=-2.0, hi=2.0), settings=settings(max_examples=5, deadline=None))
    >>> test_cube()

    See Also: counterexample, check_grads, fad.testing.strategies
    """
    order, modes = _checked(order, modes)
    tolerances = {"eps": eps, "rtol": rtol, "atol": atol}

    def test(args: tuple) -> None:
        try:
            _run_checks(f, args, order, modes, exact, tolerances)
        except Undecided:
            event("undecided")  # nothing can be judged here: never accuse the rule

    test.__name__ = test.__qualname__ = "test_derivatives_of_" + (re.sub(r"\W+", "_", _name(f)).strip("_") or "f")
    test = given(args=_as_strategy(domains, arguments))(test)
    if settings is None:  # no deadline, and no explain phase: it is slow and points into fad.testing
        settings = Settings(deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))
    if max_examples is not None:
        settings = Settings(settings, max_examples=max_examples)
    return settings(test)


def counterexample(
    f: Callable,
    *domains: Any,
    arguments: st.SearchStrategy[tuple] | None = None,
    order: int = 2,
    modes: Sequence[str] = ("rev", "fwd"),
    exact: bool = True,
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> Counterexample | None:
    """The smallest arguments on ``domains`` at which :func:`derivative_test` fails, or None.

    Takes the domains of :func:`derivative_test`, runs the same checks at up to
    ``max_examples`` points (default 200, or ``settings.max_examples`` when ``settings`` is
    given, as :func:`derivative_test` takes them) and shrinks the first failure, deterministically and whatever
    the active Hypothesis profile (see :func:`fad.testing.strategies.minimal`). Any
    exception but :class:`Undecided` is a failure: a rule that crashes is caught too.

    >>> import numpy
    >>> import fad
    >>> from fad.testing import strategies as fst
    >>> twice = fad.primitive(numpy.square, lambda y, ybar, x: (ybar * x,), name="square")  # 2 is missing
    >>> found = counterexample(twice, fst.floats(), order=1)
    >>> found.args
    (1.0,)
    >>> print(str(found.error).splitlines()[0])
    check_grads(square): rev mode, order 1, disagrees with finite differences

    See Also: derivative_test, fad.testing.strategies.minimal
    """
    order, modes = _checked(order, modes)
    tolerances = {"eps": eps, "rtol": rtol, "atol": atol}

    def error_at(args: tuple) -> BaseException | None:
        try:
            _run_checks(f, args, order, modes, exact, tolerances)
        except Undecided:
            return None
        except Exception as error:  # a crash in a rule is a failure too
            return error
        return None

    fails = lambda args: error_at(args) is not None  # noqa: E731
    if max_examples is None:
        max_examples = 200 if settings is None else settings.max_examples
    try:
        found = minimal(_as_strategy(domains, arguments), fails, max_examples=max_examples)
    except NoSuchExample:
        return None
    return Counterexample(found, error_at(found))
