"""Derivative checks: fad's derivatives against finite differences, and against each other.

Every check works on the leaves of the arguments (see :mod:`fad.tree`) and pairs a
cotangent with a tangent by the real part of their **bilinear** sum, over leaves,

    <a, b> = sum over leaves of Re(sum(a * b))        (no conjugate),

fad's complex convention, which is JAX's and autograd's (docs/complex.md). Under it the
VJP is the transpose of the JVP, ``<ybar, J v> = <vjp(ybar), v>``: for a holomorphic
``f`` the VJP is ``ybar * f'(z)``, never conjugated, and the gradient of a real ``f`` of
a complex ``z`` is ``df/dRe(z) - 1j * df/dIm(z)`` (``2 * conj(z)`` for ``|z|**2``). For
real values the pairing is the ordinary dot product.

Finite differences use the fourth-order central stencil

    J v ~ (8 (f(x + h v) - f(x - h v)) - (f(x + 2h v) - f(x - 2h v))) / (12 h)

with ``f`` evaluated in ``x``'s own dtype (``f`` may cast, so nothing is promoted) and the
differences taken in float64. Rounding ``x + h v`` to the dtype moves the point, so the
direction compared is the one actually taken, recomputed from the rounded points. Added
to the allowed error are the rounding error of ``f``'s values divided by ``h``, and the
truncation error, estimated as the distance to the second-order difference plus a test
for a kink. Where these are too large for finite differences to judge,
:class:`Undecided` (a ``ValueError``) says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

import fad
from fad.tree import TreeDef, flatten, is_leaf, unflatten

__all__ = [
    "Tolerance",
    "TOLERANCES",
    "check_grads",
    "check_vjp_linear",
    "check_jvp_vjp_agree",
    "check_composition",
    "check_hessian_symmetric",
    "Undecided",
]


class Tolerance(NamedTuple):
    """Finite-difference step and allowed errors for one precision."""

    eps: float  # finite-difference step, relative to max(1, |x|)
    rtol: float  # relative tolerance against finite differences
    atol: float  # absolute tolerance
    exact: float  # relative tolerance between two of fad's own derivatives


# By the lowest precision among a function's inputs and outputs (complex64 counts as float32).
TOLERANCES = MappingProxyType(
    {
        "float16": Tolerance(eps=3e-2, rtol=5e-2, atol=1e-2, exact=1e-2),
        "float32": Tolerance(eps=1e-3, rtol=2e-3, atol=1e-5, exact=1e-4),
        "float64": Tolerance(eps=1e-5, rtol=1e-5, atol=1e-8, exact=1e-9),
    }
)
TRUNCATION = 0.05  # largest estimated truncation error, relative to the difference, that is trusted
# The allowed error counts the truncation estimate this many times: across a kink inside the stencil the
# estimate can be a third of the true error (abs at x = 1e-141, where the stencil averages the two slopes).
TRUNCATION_SAFETY = 4.0
VALUE_ERROR = 4.0  # each value of f is taken to be off by this many eps of the lowest precision, times (1 + |value|)


# --------------------------------------------------------------------------------------
# Leaves: random values like a leaf, inner products, tolerances, readable paths
# --------------------------------------------------------------------------------------


def _wide(x: Any) -> np.ndarray:
    """``x`` in float64 (complex128 if complex): the precision of every comparison."""
    return np.asarray(x, np.complex128 if np.iscomplexobj(x) else np.float64)


def _like(x: Any, value: Any) -> Any:
    """``value`` with the type, dtype and shape of the leaf ``x``."""
    y = np.broadcast_to(np.asarray(value).astype(np.result_type(x)), np.shape(x)).copy()
    if isinstance(x, np.ndarray):
        return y
    return y[()] if isinstance(x, np.generic) else type(x)(y[()])


def _random_like(rng: np.random.Generator, x: Any) -> np.ndarray:
    """Random values of ``x``'s shape with modulus at most 1 (complex when ``x`` is), in float64."""
    uniform = partial(rng.uniform, -1.0, 1.0, np.shape(x))
    return (uniform() + 1j * uniform()) / np.sqrt(2) if np.iscomplexobj(x) else uniform()


def _inner(a: list, b: list) -> float:
    """``<a, b>`` over two lists of leaves: ``Re(sum(a * b))``, bilinear (no conjugate), in float64."""
    return sum(float(np.sum(_wide(ai) * _wide(bi)).real) for ai, bi in zip(a, b))


def _abs_inner(a: list, b: list) -> float:
    """``<|a|, |b|>``: the magnitude that rounding errors in ``<a, b>`` are relative to."""
    return sum(float(np.sum(np.abs(_wide(ai)) * np.abs(_wide(bi)))) for ai, bi in zip(a, b))


def _lowest_precision(leaves: list) -> np.dtype:
    """The real dtype of the lowest precision among ``leaves`` (complex64 counts as float32)."""
    inexact = [np.finfo(np.result_type(x)).dtype for x in leaves if np.issubdtype(np.result_type(x), np.inexact)]
    return max(inexact, key=lambda d: np.finfo(d).eps, default=np.dtype(np.float64))


def _tolerance(leaves: list, eps: float | None, rtol: float | None, atol: float | None) -> Tolerance:
    """The defaults for the lowest precision among ``leaves``, with the caller's overrides."""
    tol = TOLERANCES.get(_lowest_precision(leaves).name, TOLERANCES["float64"])
    return Tolerance(
        tol.eps if eps is None else eps,
        tol.rtol if rtol is None else rtol,
        tol.atol if atol is None else atol,
        tol.exact if rtol is None else max(tol.exact, rtol),
    )


def _leaf_paths(td: TreeDef, prefix: str = "") -> list[str]:
    """Readable paths of the leaves under ``td``, such as ``['w'][1]`` or ``.bias``."""
    if td.kind == "leaf":
        return [prefix]
    if td.kind in ("dict", "dataclass"):
        keys = [f"[{k!r}]" if td.kind == "dict" else f".{k}" for k in td.meta[1]]
    elif td.kind == "namedtuple":
        keys = [f".{name}" for name in td.meta._fields]
    else:
        keys = [f"[{i}]" for i in range(len(td.children))]
    return [p for key, child in zip(keys, td.children) for p in _leaf_paths(child, prefix + key)]


def _where_args(args: tuple) -> list[str]:
    """``argument i`` and the leaf's path, for every leaf of ``args``."""
    _, td = flatten(tuple(args))
    return [f"argument {i}" + (f" at {p}" if p else "") for i, c in enumerate(td.children) for p in _leaf_paths(c)]


def _inexact_leaves(args: tuple, who: str) -> list:
    """The leaves of ``args``; TypeError for one (an int, a bool) that has no derivative."""
    leaves = flatten(tuple(args))[0]
    for where, x in zip(_where_args(args), leaves):
        if not np.issubdtype(np.result_type(x), np.inexact):
            raise TypeError(
                f"{who}: {where} has dtype {np.result_type(x)}, which has no derivative; pass a "
                "float (1.0, not 1), or close over the argument: lambda x: f(x, n)"
            )
    return leaves


def _same_layout(what: str, got: Any, want: Any) -> None:
    """AssertionError unless ``got`` has ``want``'s structure and each leaf's shape and dtype."""
    (g_leaves, g_def), (w_leaves, w_def) = flatten(got), flatten(want)
    if g_def != w_def:
        raise AssertionError(f"{what} has structure {g_def}, expected {w_def}")
    for i, (g, w) in enumerate(zip(g_leaves, w_leaves)):
        if np.shape(g) != np.shape(w) or np.result_type(g) != np.result_type(w):
            raise AssertionError(
                f"{what}, leaf {i}: got shape {np.shape(g)} and dtype {np.result_type(g)}, "
                f"expected shape {np.shape(w)} and dtype {np.result_type(w)}"
            )


def _compare(what: str, got: list, want: list, allowed: list, where: Sequence[str], names: tuple) -> None:
    """AssertionError at the worst element where ``|got - want| > allowed`` (NaN fails)."""
    worst = None
    for path, g, w, a in zip(where, got, want, allowed):
        shape, g, w, a = np.shape(g), np.ravel(_wide(g)), np.ravel(_wide(w)), np.ravel(np.broadcast_to(a, np.shape(g)))
        with np.errstate(invalid="ignore"):
            ratio = np.nan_to_num(np.abs(g - w) / np.maximum(a, np.finfo(np.float64).tiny), nan=np.inf)
        ratio[np.isinf(a)] = 0.0  # an infinite allowance: not judged at this element
        i = int(np.argmax(ratio)) if ratio.size else 0
        if ratio.size and ratio[i] > 1 and (worst is None or ratio[i] > worst[0]):
            index = f", index {tuple(int(j) for j in np.unravel_index(i, shape))}" if shape else ""
            worst = (ratio[i], path + index, g[i], w[i], a[i])
    if worst is not None:
        _, at, g, w, a = worst
        rel = abs(g - w) / abs(w) if w != 0 else np.inf
        raise AssertionError(
            f"{what}\n  at {at}: {names[0]} {g:.6g}, {names[1]} {w:.6g}\n"
            f"  abs error {abs(g - w):.3g}, rel error {rel:.3g}, allowed {a:.3g}"
        )


def _all_finite(leaves: list) -> bool:
    return all(np.all(np.isfinite(_wide(t))) for t in leaves)


def _undecided_unless_finite(who: str, *groups: list) -> None:
    """:class:`Undecided` if a derivative compared by an exact check is not finite: nothing to compare."""
    if not all(_all_finite(g) for g in groups):
        raise Undecided(
            f"{who}: a derivative is not finite at these arguments (a singular point, such as sqrt at 0), so "
            "the exact property cannot be judged there; check_grads decides whether the rule is right"
        )


def _name(f: Callable) -> str:
    return getattr(f, "__name__", None) or getattr(f, "name", None) or type(f).__name__


# --------------------------------------------------------------------------------------
# Finite differences along one leaf
# --------------------------------------------------------------------------------------


class Undecided(ValueError):
    """Finite differences cannot judge ``f`` at these arguments (not finite nearby, or too curved)."""


class Difference(NamedTuple):
    """A finite difference ``J d`` along the direction ``d``, with a bound on its error."""

    direction: np.ndarray  # the direction actually taken, in float64 or complex128
    jv: list  # per output leaf
    error: list  # per output leaf: rounding of f's values, plus the truncation estimate


def _difference(f: Callable, args: tuple, k: int, v: np.ndarray, tol: Tolerance, who: str) -> Difference:
    """Fourth-order central difference of ``f`` at ``args``, along ``v`` in the ``k``-th leaf.

    The truncation error is estimated by the distance to the second-order difference,
    plus a test for a kink within the stencil: for a smooth ``f`` the second difference
    over ``2h`` is four times the one over ``h``, up to ``O(h**4)``, while across a kink
    (``abs`` at 0, or a derivative of it) they differ by about the jump in slope times
    ``h``, which the first estimate misses when the kink is symmetric. Where the estimate
    is as large as the difference itself, finite differences cannot judge.
    """
    leaves, td = flatten(tuple(args))
    x, eps = leaves[k], tol.eps
    step = eps * np.maximum(1.0, np.abs(_wide(x))) * v

    def at(t: float) -> tuple[np.ndarray, list]:
        xt = _like(x, _wide(x) + t * step)
        with np.errstate(all="ignore"):  # a step out of f's domain is reported below
            y = f(*unflatten(td, leaves[:k] + [xt] + leaves[k + 1 :]))
        return _wide(xt), [np.asarray(yi) for yi in flatten(y)[0]]

    (a1, f1), (b1, g1), (a2, f2), (b2, g2), (_, f0) = at(1.0), at(-1.0), at(2.0), at(-2.0), at(0.0)
    unreliable = f"{who}: finite differences cannot check f within {2 * eps:g} * max(1, |x|) of {_where_args(args)[k]}"
    advice = "move away from singularities, kinks and domain ends (see strategies.floats), or pass a smaller eps"
    if not all(np.all(np.isfinite(y)) for y in f1 + g1 + f2 + g2 + f0):
        raise Undecided(f"{unreliable}: f is not finite there; {advice}")
    direction = (4 * (a1 - b1) / (2 * eps) - (a2 - b2) / (4 * eps)) / 3  # the stencil applied to x itself
    # f may compute in the lowest precision among its inputs and outputs and cast the result up
    u = VALUE_ERROR * np.finfo(_lowest_precision(leaves + f1)).eps
    jv, noise, truncation = [], [], []
    for ys in zip(f1, g1, f2, g2, f0):
        p, q, r, s, o = map(_wide, ys)
        jv.append((8 * (p - q) - (r - s)) / (12 * eps))
        noise.append(u * (8 * (2 + np.abs(p) + np.abs(q)) + 2 + np.abs(r) + np.abs(s)) / (12 * eps))
        kink = np.abs((r - 2 * o + s) - 4 * (p - 2 * o + q)) / (12 * eps)  # 0 for a smooth f, up to O(h**4)
        kink_noise = u * (20 + 5 * (np.abs(p) + np.abs(q)) + np.abs(r) + np.abs(s) + 10 * np.abs(o)) / (12 * eps)
        truncation.append(np.abs(jv[-1] - (p - q) / (2 * eps)) + np.maximum(kink - kink_noise, 0.0))
    total = lambda leaves: sum(float(np.sum(t)) for t in leaves)  # noqa: E731
    if total(truncation) > TRUNCATION * total(map(np.abs, jv)) + total(noise) + tol.atol:
        raise Undecided(f"{unreliable}: the estimated error, {total(truncation):.3g}, is too large; {advice}")
    return Difference(direction, jv, [n + TRUNCATION_SAFETY * t for n, t in zip(noise, truncation)])


# --------------------------------------------------------------------------------------
# The rules on the tape: each cotangent has its input's shape
# --------------------------------------------------------------------------------------


def _check_rule_shapes(f: Callable, args: tuple, who: str) -> None:
    """AssertionError where a rule on ``f``'s tape returns a cotangent not shaped like its input.

    fad's backward pass adds and casts what the rules return, which can hide a cotangent
    of the wrong shape (a missing sum over broadcast axes, a transposed matrix) when its
    size happens to fit; so every rule is called here on its own, with a random ``ybar``.
    """
    rng = np.random.default_rng(0)  # its own: the checks' random draws stay as they were
    for entry in fad.tape(f)(*args).entries:
        prim, y, xs = entry.primitive, entry.value, entry.inputs
        ys = y if prim.multiple_results else (y,)
        if not all(np.issubdtype(np.result_type(t), np.inexact) for t in ys):
            continue
        ybar = [_like(t, _random_like(rng, t)) for t in ys]
        ybar = tuple(ybar) if prim.multiple_results else ybar[0]
        traced = [pos for pos, node in enumerate(entry.nodes) if node is not None]
        if prim.vjp_parts is None:
            xbars = prim.vjp(y, ybar, *xs, **entry.params)
        else:
            xbars = {pos: prim.vjp_parts[pos](y, ybar, *xs, **entry.params) for pos in traced}
        for pos in traced:
            xbar = xbars[pos]
            if xbar is not None and np.shape(xbar) != np.shape(xs[pos]):
                raise AssertionError(
                    f"{who}: the rule of {prim.name} returns a cotangent of shape {np.shape(xbar)} for its "
                    f"input {pos}, of shape {np.shape(xs[pos])}; a cotangent has its input's shape (sum it "
                    "over the axes the input was broadcast along, or transpose it back)"
                )


# --------------------------------------------------------------------------------------
# check_grads
# --------------------------------------------------------------------------------------


def check_grads(
    f: Callable,
    *args: Any,
    order: int = 2,
    modes: Sequence[str] = ("rev", "fwd"),
    eps: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """Check ``f``'s derivatives at ``args`` against finite differences, up to ``order``.

    For each argument leaf, with a random direction ``v`` (nonzero in that leaf only) and
    a random output cotangent ``ybar``:

    - ``"rev"``: ``<vjp(ybar), v>`` against ``<ybar, J v>`` by finite differences;
    - ``"fwd"``: ``jvp(f)(args, v)`` against ``J v`` by finite differences, elementwise;
    - both: ``<vjp(ybar), v>`` against ``<ybar, jvp(v)>``, to a tight tolerance.

    The cotangents and tangents must also have the structure, shapes and dtypes of the
    arguments and outputs, and in reverse mode every rule on ``f``'s tape must return
    cotangents shaped like its inputs (fad's backward pass would cast a wrong shape
    whose size fits). Pairings are bilinear: ``<a, b> = Re(sum(a * b))``, fad's complex
    convention. With ``order > 1`` the derivative functions
    ``x -> pullback(f, *x)[1](ybar)`` and ``x -> jvp(f)(x, v)[1]`` are checked the same
    way, to ``order - 1``. ``eps`` (relative to ``max(1, |x|)``), ``rtol`` and ``atol``
    default by the lowest precision among inputs and outputs (``TOLERANCES``); random
    values come from ``numpy.random.default_rng(seed)``, so a run is reproducible.
    Raises ``AssertionError`` naming the mode, order, argument, leaf, errors and index,
    and :class:`Undecided`, a ``ValueError``, where finite differences cannot judge
    (``f`` not finite near ``args``, too curved there for the step ``eps``, or kinked).

    >>> import fad.numpy as np
    >>> check_grads(np.sin, 0.5)
    >>> check_grads(lambda p: p["w"] * np.exp(p["b"]), {"w": np.ones(3), "b": -1.0})
    >>> import numpy
    >>> bad_sin = fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * np.sin(x),), name="sin")
    >>> check_grads(bad_sin, 0.5)
    Traceback (most recent call last):
    AssertionError: check_grads(sin): rev mode, order 1, disagrees with finite differences
      at argument 0: fad <vjp(ybar), v> = -0.0604659, finite differences <ybar, J v> = -0.110682
      abs error 0.0502, rel error 0.454, allowed 1.12e-06

    See Also: check_jvp_vjp_agree, check_vjp_linear, fad.testing.strategies
    """
    if not modes or set(modes) - {"rev", "fwd"}:
        raise ValueError(f"check_grads: modes must be a non-empty subset of ('rev', 'fwd'), got {tuple(modes)!r}")
    if order < 1:
        raise ValueError(f"check_grads: order must be at least 1, got {order!r}")
    _inexact_leaves(args, "check_grads")
    rng = np.random.default_rng(seed)
    _check_grads(f, args, order, tuple(modes), (eps, rtol, atol), rng, f"check_grads({_name(f)})", ())


def _vjp_at(f: Callable, ybar: Any, *xs: Any) -> tuple:
    """The reverse-mode derivative function ``x -> vjp of f at x, applied to ybar``."""
    return fad.pullback(f, *xs)[1](ybar)


def _jvp_at(f: Callable, v: tuple, *xs: Any) -> Any:
    """The forward-mode derivative function ``x -> jvp of f at x, along v``."""
    return fad.jvp(f)(xs, v)[1]


def _check_grads(
    f: Callable, args: tuple, order: int, modes: tuple, given: tuple, rng: np.random.Generator, who: str, outer: tuple
) -> None:
    """Check the first derivatives of ``f``, then recurse on its derivative functions."""
    ybar = _check_first_order(f, args, modes, given, rng, who, outer)
    if order > 1:
        for mode in modes:
            if mode == "rev":
                df = partial(_vjp_at, f, ybar)
            else:
                x_leaves, x_def = flatten(tuple(args))
                df = partial(_jvp_at, f, tuple(unflatten(x_def, [_like(x, _random_like(rng, x)) for x in x_leaves])))
            _check_grads(df, args, order - 1, modes, given, rng, who, (mode, *outer))


def _check_first_order(
    f: Callable, args: tuple, modes: tuple, given: tuple, rng: np.random.Generator, who: str, outer: tuple
) -> Any:
    """Check ``f``'s first derivatives at ``args``, leaf by leaf; return the ``ybar`` used."""
    y, back = fad.pullback(f, *args)
    (x_leaves, x_def), (y_leaves, y_def) = flatten(tuple(args)), flatten(y)
    tol = _tolerance(x_leaves + y_leaves, *given)
    ybar = [_like(t, _random_like(rng, t)) for t in y_leaves]
    order = f"order {len(outer) + 1}" + (f" (of the {'-of-'.join(outer)} derivative)" if outer else "")
    y_where = [f"output{p}" for p in _leaf_paths(y_def)]
    if "rev" in modes:
        _check_rule_shapes(f, args, f"{who}: rev mode, {order}")
        xbar = back(unflatten(y_def, ybar))
        _same_layout(f"{who}: rev mode, {order}: the cotangent", xbar, tuple(args))
        xbar = flatten(xbar)[0]
    for k, where in enumerate(_where_args(args)):
        fd = _difference(f, args, k, _random_like(rng, x_leaves[k]), tol, f"{who}, {order}")
        if "rev" in modes:
            rev = _inner([xbar[k]], [fd.direction])
            allowed = tol.atol + tol.rtol * _abs_inner(ybar, fd.jv) + _abs_inner(ybar, fd.error)
            what = f"{who}: rev mode, {order}, disagrees with finite differences"
            names = ("fad <vjp(ybar), v> =", "finite differences <ybar, J v> =")
            _compare(what, [rev], [_inner(ybar, fd.jv)], [allowed], [where], names)
        if "fwd" in modes:
            v = unflatten(x_def, [_like(x, fd.direction if i == k else 0.0) for i, x in enumerate(x_leaves)])
            ydot = fad.jvp(f)(tuple(args), tuple(v))[1]
            _same_layout(f"{who}: fwd mode, {order}: the tangent", ydot, y)
            ydot = flatten(ydot)[0]
            allowed = [tol.atol + tol.rtol * np.abs(jv) + error for jv, error in zip(fd.jv, fd.error)]
            what = f"{who}: fwd mode, {order}, disagrees with finite differences along {where}"
            _compare(what, ydot, fd.jv, allowed, y_where, ("fad jvp", "finite differences"))
        if "rev" in modes and "fwd" in modes:
            scale = _abs_inner([xbar[k]], [fd.direction]) + _abs_inner(ybar, ydot)
            what = f"{who}: rev and fwd modes disagree, {order}"
            names = ("<vjp(ybar), v> =", "<ybar, jvp(v)> =")
            _compare(what, [rev], [_inner(ybar, ydot)], [tol.atol + tol.exact * scale], [where], names)
    return unflatten(y_def, ybar)


# --------------------------------------------------------------------------------------
# Exact properties: no finite differences, fad against itself
# --------------------------------------------------------------------------------------


class _Setup(NamedTuple):
    """What every exact check starts from: the arguments' leaves, one pullback, tolerances."""

    x_leaves: list
    x_def: TreeDef
    y: Any
    back: Callable
    tol: Tolerance
    rng: np.random.Generator

    def draw(self, leaves: list) -> list:
        """Random values like each of ``leaves``."""
        return [_like(t, _random_like(self.rng, t)) for t in leaves]


def _setup(f: Callable, args: tuple, rtol: float | None, atol: float | None, seed: int, who: str) -> _Setup:
    x_leaves = _inexact_leaves(args, who)
    y, back = fad.pullback(f, *args)
    tol = _tolerance(x_leaves + flatten(y)[0], None, rtol, atol)
    return _Setup(x_leaves, flatten(tuple(args))[1], y, back, tol, np.random.default_rng(seed))


def check_vjp_linear(
    f: Callable, *args: Any, rtol: float | None = None, atol: float | None = None, seed: int = 0
) -> None:
    """Check that ``ybar -> vjp(f)(ybar)`` at ``args`` is linear (over the reals).

    ``vjp(a ybar1 + b ybar2) == a vjp(ybar1) + b vjp(ybar2)`` for random ``ybar1``,
    ``ybar2`` and fixed real ``a``, ``b``. Tolerances default to ``TOLERANCES[...].exact``.

    >>> import fad.numpy as np
    >>> check_vjp_linear(lambda x: np.sin(x) * x, np.arange(3.0))

    See Also: check_grads, check_jvp_vjp_agree
    """
    s = _setup(f, args, rtol, atol, seed, "check_vjp_linear")
    y_leaves, y_def = flatten(s.y)
    u, w = s.draw(y_leaves), s.draw(y_leaves)
    a, b = 0.75, -1.5  # exact in every float type
    mixed = [_like(t, a * _wide(ui) + b * _wide(wi)) for t, ui, wi in zip(y_leaves, u, w)]
    _check_rule_shapes(f, args, f"check_vjp_linear({_name(f)})")
    xbars = [s.back(unflatten(y_def, c)) for c in (u, w, mixed)]
    _same_layout(f"check_vjp_linear({_name(f)}): the cotangent", xbars[0], tuple(args))
    xu, xw, xm = (flatten(xbar)[0] for xbar in xbars)
    with np.errstate(invalid="ignore"):
        want = [a * _wide(p) + b * _wide(q) for p, q in zip(xu, xw)]
        allowed = [s.tol.atol + s.tol.exact * (abs(a * _wide(p)) + abs(b * _wide(q))) for p, q in zip(xu, xw)]
    # where vjp(u) or vjp(w) is not finite (sqrt at 0), linearity cannot be judged: inf - inf is NaN
    allowed = [np.where(np.isfinite(_wide(p)) & np.isfinite(_wide(q)), al, np.inf) for p, q, al in zip(xu, xw, allowed)]
    what = f"check_vjp_linear({_name(f)}): the VJP is not linear in ybar"
    _compare(what, xm, want, allowed, _where_args(args), ("vjp(a u + b w) =", "a vjp(u) + b vjp(w) ="))
    _undecided_unless_finite(f"check_vjp_linear({_name(f)})", xu, xw)


def check_jvp_vjp_agree(
    f: Callable, *args: Any, rtol: float | None = None, atol: float | None = None, seed: int = 0
) -> None:
    """Check ``<ybar, jvp(f)(args, v)> == <vjp(f)(ybar), v>`` for random ``v`` and ``ybar``.

    >>> import fad.numpy as np
    >>> check_jvp_vjp_agree(lambda a, b: a @ b, np.eye(2), np.ones(2))

    See Also: check_grads, check_vjp_linear
    """
    s = _setup(f, args, rtol, atol, seed, "check_jvp_vjp_agree")
    y_leaves, y_def = flatten(s.y)
    v, ybar = s.draw(s.x_leaves), s.draw(y_leaves)
    xbar = flatten(s.back(unflatten(y_def, ybar)))[0]
    ydot = flatten(fad.jvp(f)(tuple(args), tuple(unflatten(s.x_def, v)))[1])[0]
    _undecided_unless_finite(f"check_jvp_vjp_agree({_name(f)})", xbar, ydot)
    allowed = s.tol.atol + s.tol.exact * (_abs_inner(xbar, v) + _abs_inner(ybar, ydot))
    what = f"check_jvp_vjp_agree({_name(f)}): rev and fwd modes disagree"
    names = ("<vjp(ybar), v> =", "<ybar, jvp(v)> =")
    _compare(what, [_inner(xbar, v)], [_inner(ybar, ydot)], [allowed], ["all arguments"], names)


def check_composition(
    f: Callable,
    g: Callable,
    *args: Any,
    modes: Sequence[str] = ("rev", "fwd"),
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """Check the chain rule through fad: the derivatives of ``g . f`` are those of ``g`` then ``f``.

    With ``y = f(*args)``, ``z = g(y)``, a random cotangent ``zbar`` and a random tangent ``v``::

        vjp(g . f)(z, zbar, *args) == vjp(f)(y, vjp(g)(z, zbar, y)[0], *args)
        jvp(g . f)(args, v)        == jvp(g)((y,), (jvp(f)(args, v),))

    The left sides are what fad computes by tracing ``g(f(x))`` and folding one tape; the
    right sides chain the two derivatives by hand. They differ when a rule depends on more
    than its arguments (a ``fwd`` that is not pure, a VJP that mutates ``ybar`` or keeps
    state), or when a hand-written differentiation scheme mishandles the chain rule.
    ``g`` takes ``f``'s output (any structure) as its one argument; ``modes`` says which
    of the two laws to check.

    >>> import fad.numpy as np
    >>> check_composition(np.sin, lambda y: y * np.exp(y), np.array([0.5, 1.0]))

    See Also: check_grads, check_jvp_vjp_agree, fad.vjp
    """
    who = f"check_composition({_name(g)} . {_name(f)})"

    def g_of_f(*xs: Any) -> Any:
        return g(f(*xs))

    if not modes or set(modes) - {"rev", "fwd"}:
        raise ValueError(f"{who}: modes must be a non-empty subset of ('rev', 'fwd'), got {tuple(modes)!r}")
    s = _setup(g_of_f, args, rtol, atol, seed, who)
    y = f(*args)
    z_leaves, z_def = flatten(s.y)
    zbar, v = unflatten(z_def, s.draw(z_leaves)), tuple(unflatten(s.x_def, s.draw(s.x_leaves)))
    if "rev" in modes:
        direct = flatten(fad.vjp(g_of_f)(s.y, zbar, *args))[0]
        (ybar,) = fad.vjp(g)(s.y, zbar, y)
        chained = flatten(fad.vjp(f)(y, ybar, *args))[0]
        _undecided_unless_finite(who, direct, chained)
        allowed = [s.tol.atol + s.tol.exact * (abs(_wide(p)) + abs(_wide(q))) for p, q in zip(direct, chained)]
        names = ("vjp(g . f) =", "vjp(f) of vjp(g) =")
        _compare(f"{who}: reverse mode breaks the chain rule", direct, chained, allowed, _where_args(args), names)
    if "fwd" not in modes:
        return
    direct = flatten(fad.jvp(g_of_f)(tuple(args), v)[1])[0]
    chained = flatten(fad.jvp(g)((y,), (fad.jvp(f)(tuple(args), v)[1],))[1])[0]
    _undecided_unless_finite(who, direct, chained)
    allowed = [s.tol.atol + s.tol.exact * (abs(_wide(p)) + abs(_wide(q))) for p, q in zip(direct, chained)]
    where = [f"output{p}" for p in _leaf_paths(z_def)]
    names = ("jvp(g . f) =", "jvp(g) of jvp(f) =")
    _compare(f"{who}: forward mode breaks the chain rule", direct, chained, allowed, where, names)


def check_hessian_symmetric(
    f: Callable, *args: Any, rtol: float | None = None, atol: float | None = None, seed: int = 0
) -> None:
    """Check ``<u, H v> == <v, H u>`` for a real scalar ``f``, with ``H v`` forward-over-reverse.

    >>> import fad.numpy as np
    >>> check_hessian_symmetric(lambda x, y: np.sum(np.sin(x) * y**2), np.ones(3), 2.0)

    See Also: check_grads, fad.hvp
    """
    s = _setup(f, args, rtol, atol, seed, "check_hessian_symmetric")
    if not is_leaf(s.y) or np.size(s.y) != 1 or np.iscomplexobj(s.y):
        raise TypeError(f"check_hessian_symmetric({_name(f)}): f must return a real scalar, got {s.y!r}")
    gradient = partial(_vjp_at, f, _like(s.y, 1.0))

    def hvp(t: list) -> list:
        return flatten(fad.jvp(gradient)(tuple(args), tuple(unflatten(s.x_def, t)))[1])[0]

    u, v = s.draw(s.x_leaves), s.draw(s.x_leaves)
    hu, hv = hvp(u), hvp(v)
    _undecided_unless_finite(f"check_hessian_symmetric({_name(f)})", hu, hv)
    allowed = s.tol.atol + s.tol.exact * (_abs_inner(u, hv) + _abs_inner(v, hu))
    what = f"check_hessian_symmetric({_name(f)}): the Hessian is not symmetric"
    _compare(what, [_inner(u, hv)], [_inner(v, hu)], [allowed], ["all arguments"], ("<u, H v> =", "<v, H u> ="))
