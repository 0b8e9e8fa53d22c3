"""Hypothesis strategies for derivative tests: domains, shapes, arrays, containers, cotangents.

Values stay small (within [-10, 10] unless asked) and arrays stay small (sides up to 4),
so tests are fast and a shrunk failure reads easily. Nothing drawn is NaN, infinite or
subnormal, and points where a function is singular can be kept at a distance:

>>> minimal(floats(0.0, 10.0, open_lo=True), lambda x: x < 1)  # log's domain, shrunk
0.5

:func:`minimal` shows what a strategy shrinks to, the same under every Hypothesis
profile, so the examples here print the same in every run.

See Also: fad.testing.check_grads, hypothesis.extra.numpy
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import Phase, find, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fad.tree import flatten, unflatten

__all__ = [
    "floats",
    "arrays",
    "dtypes",
    "shapes",
    "broadcastable_shapes",
    "containers",
    "cotangent_like",
    "cotangents",
    "profile",
    "minimal",
]

Strategy = st.SearchStrategy


def _inward(lo: float, hi: float, width: int) -> tuple[float, float]:
    """The narrowest interval of ``width``-bit floats inside ``[lo, hi]``."""
    t = np.dtype(f"float{width}").type
    lo_w, hi_w = t(lo), t(hi)
    lo_w = lo_w if lo_w >= lo else np.nextafter(lo_w, t(np.inf))
    hi_w = hi_w if hi_w <= hi else np.nextafter(hi_w, t(-np.inf))
    return float(lo_w), float(hi_w)


def floats(
    lo: float = -10.0,
    hi: float = 10.0,
    *,
    open_lo: bool = False,
    open_hi: bool = False,
    avoid: Sequence[float] = (),
    min_distance: float = 0.1,
    width: int = 64,
) -> Strategy[float]:
    """Finite floats in ``[lo, hi]``, kept ``min_distance`` from open ends and from ``avoid``.

    An infinite end is replaced by one 10 beyond the other end (or by -10 and 10). An open
    end (``open_lo``, ``open_hi``) is a singular point, such as 0 for ``log``; ``avoid``
    lists singular points inside the domain, such as the poles of ``tan``. ``width`` is
    16, 32 or 64, for the float dtype the values must fit. One value in four is drawn from
    0 and the powers of two ``+-2**-k`` (k = 0 to 30) that lie in the domain: small
    arguments are where special cases and cancellations put bugs, and a kink at 0 must be
    avoided.

    >>> minimal(floats(avoid=(0.0,)), lambda x: abs(x) < 0.2)  # at least 0.1 from 0
    0.125
    >>> minimal(floats(), lambda x: 0 < abs(x) < 0.01)  # small arguments are drawn
    0.0078125

    See Also: arrays
    """
    lo = min(-10.0, hi - 10.0) if math.isinf(lo) else lo
    hi = max(10.0, lo + 10.0) if math.isinf(hi) else hi
    lo, hi = _inward(lo + (min_distance if open_lo else 0.0), hi - (min_distance if open_hi else 0.0), width)
    if lo > hi:
        raise ValueError(f"floats: the domain [{lo}, {hi}] is empty once open ends are kept {min_distance} away")
    far = lambda x: all(abs(x - p) >= min_distance for p in avoid)  # noqa: E731
    values = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=width)
    values = values.filter(far) if avoid else values
    # One draw in four is 0 or a power of two near it (1, -1, 0.5, ..., down to 2**-30), where
    # rules with a special case or a cancellation for small arguments go wrong. The list
    # starts with the values that the other draws shrink to, so shrinking ends the same.
    smallest = 14 if width == 16 else 30
    powers = [t * 2.0**-k for k in range(smallest + 1) for t in (1.0, -1.0)]
    near_zero = [x for x in [0.0, *powers] if lo <= x <= hi and far(x)]
    return st.one_of(values, values, values, st.sampled_from(near_zero)) if near_zero else values


def _elements(dtype: np.dtype, **domain: Any) -> Strategy:
    """Array elements of ``dtype`` on a domain: for complex, both parts lie in ``[lo, hi]``."""
    if dtype.kind not in "fc":
        raise TypeError(f"arrays: dtype {dtype} has no derivative; use a float or complex dtype")
    if dtype.kind == "f":
        return floats(**domain, width=8 * dtype.itemsize)
    avoid, distance = domain.pop("avoid", ()), domain.pop("min_distance", 0.1)
    part = floats(**domain, min_distance=distance, width=4 * dtype.itemsize)
    values = st.builds(complex, part, part)
    return values.filter(lambda z: all(abs(z - p) >= distance for p in avoid)) if avoid else values


def arrays(
    shape: tuple[int, ...] | Strategy[tuple[int, ...]] | None = None,
    dtype: Any = np.float64,
    **domain: Any,
) -> Strategy[np.ndarray]:
    """Arrays of ``shape`` (default: :func:`shapes`) and ``dtype`` (a dtype or a strategy).

    ``domain`` takes the keywords of :func:`floats` (``lo``, ``hi``, ``open_lo``,
    ``open_hi``, ``avoid``, ``min_distance``). For complex dtypes the real and imaginary
    parts each lie in ``[lo, hi]`` and ``avoid`` keeps ``|z - p| >= min_distance``.

    >>> minimal(arrays((2, 3), np.float32, lo=1.0), lambda a: True)
    array([[1., 1., 1.],
           [1., 1., 1.]], dtype=float32)

    See Also: floats, shapes, dtypes
    """
    if isinstance(dtype, st.SearchStrategy):
        return dtype.flatmap(lambda d: arrays(shape, d, **domain))
    shape = shapes() if shape is None else shape
    dtype = np.dtype(dtype)
    return hnp.arrays(dtype, shape, elements=_elements(dtype, **domain))


def dtypes(*names: str) -> Strategy[np.dtype]:
    """One of the dtypes ``names`` (default float64 and float32), shrinking to the first.

    >>> minimal(dtypes("float32", "complex64"), lambda d: d.kind == "c")
    dtype('complex64')

    See Also: arrays
    """
    return st.sampled_from([np.dtype(n) for n in names or ("float64", "float32")])


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> Strategy[tuple[int, ...]]:
    """Array shapes with ``min_dims..max_dims`` axes of length ``min_side..max_side``.

    >>> minimal(shapes(), lambda s: len(s) == 2)
    (1, 1)

    See Also: broadcastable_shapes, arrays
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcastable_shapes(
    n: int = 2, *, min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> Strategy[tuple[tuple[int, ...], ...]]:
    """``n`` shapes that broadcast together, such as ``((3, 1), (4,))``.

    >>> minimal(broadcastable_shapes(), lambda s: all(len(t) == 2 for t in s) and s[0] != s[1])
    ((1, 1), (2, 1))

    See Also: shapes
    """
    both = hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )
    return both.map(lambda b: b.input_shapes)


def containers(leaves: Strategy, *, max_leaves: int = 4) -> Strategy:
    """Nested tuples, lists and dicts (never empty) with leaves drawn from ``leaves``.

    >>> minimal(containers(floats()), lambda c: isinstance(c, dict))
    {'a': 0.0}

    See Also: cotangent_like, fad.tree.flatten
    """

    def nest(children: Strategy) -> Strategy:
        return st.one_of(
            st.lists(children, min_size=1, max_size=3).map(tuple),
            st.lists(children, min_size=1, max_size=3),
            st.dictionaries(st.sampled_from("abc"), children, min_size=1, max_size=3),
        )

    return nest(st.recursive(leaves, nest, max_leaves=max_leaves))


def _leaf_like(x: Any, **domain: Any) -> Strategy:
    """Values of the leaf ``x``'s type, dtype and shape (zeros for an integer or bool leaf)."""
    dtype = np.result_type(x)
    if not np.issubdtype(dtype, np.inexact):  # no derivative flows through it: zero
        return st.just(np.zeros_like(x) if isinstance(x, np.ndarray) else type(x)(0))
    values = arrays(np.shape(x), dtype, **domain)
    if isinstance(x, np.ndarray):
        return values
    return values.map(lambda a: a[()] if isinstance(x, np.generic) else type(x)(a[()]))


def cotangent_like(y: Any, **domain: Any) -> Strategy:
    """Values with ``y``'s structure, and each leaf's type, shape and dtype (a cotangent of ``y``).

    Containers (tuples, lists, dicts, namedtuples, dataclasses), complex and float16/32/64
    leaves, NumPy scalars and Python floats keep their kind; an integer or bool leaf, which
    no derivative flows through, gets zeros. ``domain`` takes the keywords of
    :func:`floats`. Also serves for tangents: ``cotangent_like(x)`` draws a direction for ``x``.

    >>> minimal(cotangent_like({"w": np.zeros(2, np.float32), "b": 0.0}), lambda c: True)
    {'w': array([0., 0.], dtype=float32), 'b': 0.0}

    See Also: cotangents, arrays
    """
    leaves, treedef = flatten(y)
    return st.tuples(*(_leaf_like(x, **domain) for x in leaves)).map(lambda ls: unflatten(treedef, list(ls)))


def cotangents(f: Callable, *args: Any, **domain: Any) -> Strategy:
    """Cotangents for the output of ``f(*args)``: ``cotangent_like(f(*args))``.

    >>> minimal(cotangents(lambda x: (x, 2 * x), np.ones(2)), lambda c: True)
    (array([0., 0.]), array([0., 0.]))

    See Also: cotangent_like
    """
    return cotangent_like(f(*args), **domain)


def profile(name: str = "fad-ci", max_examples: int = 50, **overrides: Any) -> settings:
    """Register and return a reproducible Hypothesis settings profile for derivative tests.

    Examples are derandomized (the same every run), have no deadline (second-order
    checks are slow) and failures print their reproduction blob. ``overrides`` are any
    other ``hypothesis.settings`` keywords. In a ``conftest.py``: ``profile()`` then
    ``settings.load_profile("fad-ci")``.

    >>> profile("fad-doc", max_examples=10).max_examples
    10

    See Also: hypothesis.settings.register_profile
    """
    options = dict(derandomize=True, max_examples=max_examples, deadline=None, print_blob=True)
    settings.register_profile(name, settings(**{**options, **overrides}))
    return settings.get_profile(name)


def minimal(strategy: Strategy, condition: Callable[[Any], bool] = lambda x: True, *, max_examples: int = 2000) -> Any:
    """The simplest value of ``strategy`` satisfying ``condition``: what a failure shrinks to.

    Like :func:`hypothesis.find`, but derandomized, without the example database and
    with Hypothesis's default settings rather than the active profile's, so the answer is
    the same in every run and under every profile: what a failing test would report,
    after shrinking. (Hypothesis also draws numbers that appear in the code a program has
    imported, so another program may start the search elsewhere; shrinking then ends at
    the same value whenever one value is simplest, as in the examples here.) Raises
    ``hypothesis.errors.NoSuchExample`` when no value among ``max_examples`` satisfies
    ``condition``.

    >>> minimal(arrays(dtype=np.float32), lambda a: a.size > 2 and a.sum() > 1)
    array([1., 1., 1.], dtype=float32)

    See Also: fad.testing.counterexample, hypothesis.find
    """
    options = settings(
        settings.get_profile("default"),
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),  # not explain: it only adds notes, slowly
    )
    return find(strategy, condition, settings=options)
