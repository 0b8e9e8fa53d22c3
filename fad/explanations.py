"""Why is my gradient NaN (or zero)? A gradient that explains itself.

``fad.explain(f, argnums=0)(*xs)`` runs ``f`` and its backward pass once, on a tape that
records the user's source line of every primitive application, and returns an
:class:`Explanation`. It names:

1. an input that is already NaN or infinite (the caller passed it in);
2. else the first non-finite value of the forward pass that the output's non-finite
   value comes from: the primitive, its source line, its inputs, the pattern (log at 0,
   overflow in exp, division by zero, ``0 * inf``, ...) and its fix;
3. else the first non-finite cotangent of the backward pass: the rule that made it from
   finite values, and the pattern (a ``where`` whose unselected branch is not finite, with
   the double-``where`` fix written on the user's own line; ``sqrt``, ``power``, ``log``
   at 0, ...);
4. else, for an input whose gradient is exactly zero, whether any path on the tape leads
   from it to the output, and the operation where its path ends (a comparison, a function
   with no derivative such as ``floor`` or ``argmax``, ``stop_gradient``).

:func:`masked_apply` is the per-call opt-in that avoids the ``where`` trap.
"""

from __future__ import annotations

import ast
import linecache
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

import fad.numpy as fnp
from fad.core import Traced, backward_step, untraced
from fad.nesting import user_line
from fad.numpy._base import nondiff
from fad.rows import Entry
from fad.tape import Tape, summary
from fad.transforms import _input_names, stop_gradient, tape
from fad.tree import flatten

__all__ = ["explain", "Explanation", "masked_apply"]


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """What :func:`explain` found: ``ok``, the kind of finding, the entry it points at, and the report.

    ``kind`` is ``"ok"``, ``"input"`` (a non-finite input from the caller), ``"forward"``
    (a non-finite value), ``"backward"`` (a non-finite cotangent) or ``"zero"`` (a gradient
    that is exactly zero with no derivative path). ``name`` is the entry's printed name on
    the tape (``t3``), ``line`` its source line, ``pattern`` the recognised mistake and
    ``fix`` what to write instead. ``str()`` is the readable report.
    """

    ok: bool
    kind: str
    summary: str
    name: str | None = None
    operation: str | None = None
    line: str = ""
    pattern: str | None = None
    fix: str | None = None
    details: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    gradient: Any = None
    tape: Tape | None = field(default=None, repr=False)

    def __str__(self) -> str:
        parts = [("ok: " if self.ok else "problem: ") + self.summary]
        if self.name is not None:
            parts.append(f"  at {self.name} = {self.operation}" + (f"  ({self.line})" if self.line else ""))
            source = _source(self.line)
            if source:
                parts.append(f"      {source}")
        parts += [f"  {d}" for d in self.details]
        if self.pattern:
            parts.append(f"  pattern: {self.pattern}")
        if self.fix:
            parts += ["  fix: " + self.fix.splitlines()[0], *(f"       {s}" for s in self.fix.splitlines()[1:])]
        parts += [f"  note: {n}" for n in self.notes]
        return "\n".join(parts)


def _source(line: str) -> str:
    """The text of the source line ``file:line``, stripped ('' if it cannot be read)."""
    path, _, number = line.rpartition(":")
    return linecache.getline(path, int(number)).strip() if number.isdigit() else ""


def _finite(x: Any) -> bool:
    x = untraced(x)
    if x is None or isinstance(x, (bool, int, str)):
        return True
    try:
        return bool(np.all(np.isfinite(np.asarray(x))))
    except TypeError:
        return True


# --------------------------------------------------------------------------------------
# Watching the forward pass: the calls that cut a derivative path
# --------------------------------------------------------------------------------------

_NONDIFF_CODE = nondiff(np.floor).__code__  # the one code object of every function with no derivative
_STOP_CODE = stop_gradient.__code__


def _watch(cuts: list, frame: Any, event: str, arg: Any) -> None:
    """A profile hook: note each call of a no-derivative function (or stop_gradient) on traced values."""
    if event != "call" or frame.f_code not in (_NONDIFF_CODE, _STOP_CODE):
        return
    local = frame.f_locals
    if frame.f_code is _STOP_CODE:
        name, args = "stop_gradient", flatten(local.get("x"))[0]
    else:
        name, args = (
            getattr(local.get("f"), "__name__", "?"),
            [*local.get("args", ()), *local.get("kwargs", {}).values()],
        )
    nodes = [a.node for a in args if isinstance(a, Traced) and a.owner.transform == "tape" and a.owner.running]
    if nodes:
        cuts.append((name, tuple(nodes), user_line()))


def _watched_tape(f: Callable, xs: tuple) -> tuple[Tape, list]:
    """``fad.tape(f)(*xs)``, and the calls of no-derivative functions on its traced values."""
    cuts: list = []
    before = sys.getprofile()
    sys.setprofile(partial(_watch, cuts))
    try:
        with np.errstate(all="ignore"):
            t = tape(f)(*xs)
    finally:
        sys.setprofile(before)
    return t, cuts


# --------------------------------------------------------------------------------------
# Patterns: what the culprit's primitive and inputs say about the mistake
# --------------------------------------------------------------------------------------

_LOGS = ("log", "log2", "log10", "log1p")


def _forward_pattern(name: str, xs: list, y: Any) -> tuple[str, str]:
    """The recognised mistake, and its fix, for a primitive whose value is not finite from finite inputs."""
    x0 = np.asarray(untraced(xs[0])) if xs else np.asarray(0.0)
    if name in _LOGS:
        if np.any(x0 == 0) or (name == "log1p" and np.any(x0 == -1)):
            return (
                f"{name} at 0 is -inf; often log of a probability that underflowed to 0, such as "
                "log(sigmoid(x)) for a large negative x",
                "compute the logarithm directly: fad.scipy.special.log_expit(x) (= -logaddexp(0, -x)) for "
                "log(sigmoid(x)), fad.scipy.special.log_softmax for log(softmax(x)), or log(x + tiny)",
            )
        return f"{name} of a negative number is NaN", "keep the argument positive (clip it, or take abs)"
    if name in ("exp", "expm1", "exp2", "power", "cosh", "sinh") and np.any(np.isinf(untraced(y))):
        return (
            f"overflow in {name}: float64 exp overflows above 709.78 (float32 above 88.7); typically "
            "softmax or logsumexp of large values",
            "subtract the maximum first: exp(x - max(x)) / sum(exp(x - max(x))), or use "
            "fad.scipy.special.softmax / logsumexp, which do",
        )
    if name in ("divide", "true_divide", "reciprocal", "arctanh"):
        return (
            "division by zero",
            "keep the denominator away from 0 (add a small epsilon), or mask it with masked_apply",
        )
    if name == "multiply":
        if any(np.any(np.isinf(untraced(x))) for x in xs) and any(np.any(untraced(x) == 0) for x in xs):
            return "0 * inf is NaN", "find where the infinite factor came from, or keep it finite"
        return f"{name} of non-finite values", "find where the non-finite factor came from"
    if name in ("sqrt", "arcsin", "arccos", "arccosh", "power"):
        return f"{name} outside its domain is NaN", "keep the argument inside the domain (clip it)"
    if name in ("subtract", "add"):
        return "inf - inf is NaN", "find where the infinite values came from"
    return f"{name} gives a non-finite value here", "keep its inputs inside its domain"


def _backward_pattern(name: str, xs: list, ybar: Any) -> tuple[str, str]:
    """The recognised mistake, and its fix, for a rule whose cotangent is not finite from finite values."""
    x0 = np.asarray(untraced(xs[0])) if xs else np.asarray(1.0)
    if name == "sqrt":
        return (
            "sqrt at 0: its derivative 1 / (2 sqrt(x)) is infinite there; typically the norm of a difference that "
            "can be zero, sqrt(sum(d ** 2))",
            "use fad.numpy.linalg.norm(d) (fad takes its derivative at 0 as 0), or sqrt(sum(d ** 2) + eps), or "
            "fad.masked_apply(d2 > 0, fad.numpy.sqrt, d2)",
        )
    if name == "power" and np.any(x0 == 0):
        return (
            "x ** p with p < 1 at x = 0: its derivative p * x ** (p - 1) is infinite there",
            "use fad.numpy.sqrt(x + eps) or (x + eps) ** p, or fad.masked_apply(x > 0, lambda x: x ** p, x)",
        )
    if name in _LOGS or name in ("divide", "reciprocal"):
        return (
            f"{name} at 0: its derivative is infinite there",
            "keep the argument away from 0 (x + eps), or mask it with masked_apply",
        )
    if name in ("arcsin", "arccos", "arctanh"):
        return f"{name} at +-1: its derivative is infinite there", "clip the argument to (-1 + eps, 1 - eps)"
    if name == "multiply":
        return "0 * inf is NaN in the chain rule: one factor's derivative is infinite", "find the infinite derivative"
    return f"the rule of {name} gives a non-finite cotangent here", "keep its inputs away from its singular points"


# --------------------------------------------------------------------------------------
# The where trap: rewriting the user's line with the double where
# --------------------------------------------------------------------------------------

_SAFE_AT_ZERO = ("arcsin", "arccos", "arctanh")  # 0.0 is inside their domain; 1.0 is for the others


def _operand(node: ast.AST, name: str) -> ast.AST | None:
    """The argument of the first application of ``name`` inside ``node`` (a call, ``**`` or ``/``)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and sub.args:
            func = sub.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == name or (name == "absolute" and called == "abs"):
                return sub.args[0]
        if isinstance(sub, ast.BinOp):
            if name == "power" and isinstance(sub.op, ast.Pow):
                return sub.left
            if name == "divide" and isinstance(sub.op, ast.Div):
                return sub.right
    return None


def _double_where(text: str, culprit: str, branch: int) -> str | None:
    """``text`` (a line with ``where(c, a, b)``) rewritten so the bad branch never sees unsafe values."""
    try:
        tree = ast.parse(text.strip())
    except SyntaxError:
        return None
    code = text.strip()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) != 3:
            continue
        func = node.func
        if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)) != "where":
            continue
        operand = _operand(node.args[branch], culprit)
        if operand is None:
            return None
        where = ast.get_source_segment(code, func)
        cond, x = ast.get_source_segment(code, node.args[0]), ast.get_source_segment(code, operand)
        safe = "0.0" if culprit in _SAFE_AT_ZERO else "1.0"
        picked = f"{x}, {safe}" if branch == 1 else f"{safe}, {x}"
        rewritten = code[: operand.col_offset] + "x_safe" + code[operand.end_col_offset :]
        return f"x_safe = {where}({cond}, {picked})\n{rewritten}"
    return None


def _where_trap(t: Tape, k: int, culprit_node: int) -> tuple[Entry, int, int] | None:
    """The ``where`` entry after entry ``k`` that drops the branch computed from ``culprit_node``."""
    below = {culprit_node}
    for j in range(k + 1, len(t.entries)):
        entry = t.entries[j]
        hit = [i for i, n in enumerate(entry.nodes) if n in below]
        if not hit:
            continue
        if entry.primitive.name == "where" and {1, 2} & set(hit):
            return entry, j, min({1, 2} & set(hit))
        below.update(entry.out if isinstance(entry.out, tuple) else (entry.out,))
    return None


# --------------------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------------------


def explain(f: Callable, argnums: int | tuple[int, ...] = 0) -> Callable[..., Explanation]:
    """Run ``f`` and its backward pass once and explain a NaN, infinite or exactly-zero gradient.

    >>> import fad, fad.numpy as np
    >>> report = fad.explain(lambda x: np.where(x > 0, np.log(x), 0.0))(0.0)
    >>> report.ok, report.kind, report.operation
    (False, 'backward', 'log(x)')
    >>> fad.explain(np.sin)(0.5).ok
    True

    See Also: fad.tape, Tape.table, masked_apply
    """
    if not callable(f):
        raise TypeError(f"fad.explain: expected a function, got {type(f).__name__}")
    return partial(_explain, f, argnums)


def _explain(f: Callable, argnums: Any, *xs: Any) -> Explanation:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    nums = tuple(i % len(xs) for i in nums)
    names = _input_names(f, len(xs))
    for i, x in enumerate(xs):
        for leaf in flatten(x)[0]:
            if not _finite(leaf):
                return Explanation(
                    False,
                    "input",
                    f"argument {i} ({names[i]}) is not finite as passed in by the caller: {summary(leaf)}",
                    notes=("the NaN or infinity is in the input itself, before any operation of f",),
                )
    t, cuts = _watched_tape(f, xs)
    with np.errstate(all="ignore"):
        return _diagnose(t, cuts, xs, nums, names)


def _diagnose(t: Tape, cuts: list, xs: tuple, nums: tuple, names: tuple) -> Explanation:
    y = t.output_values[0] if len(t.output_values) == 1 else None
    if len(t.output_values) != 1 or np.ndim(untraced(y)) != 0:
        got = f"shape {np.shape(untraced(y))}" if len(t.output_values) == 1 else f"{len(t.output_values)} values"
        raise TypeError(
            f"fad.explain needs a function with a scalar output, like fad.grad; it returned {got}. "
            "Reduce it first (e.g. .sum())"
        )
    if not _finite(y):
        return _forward(t)
    return _backward(t, cuts, _leaf_nodes(xs, nums), names)


def _leaf_nodes(xs: tuple, nums: tuple) -> list[tuple[str, int]]:
    """``(description, node)`` of each traced leaf of the arguments ``nums``, numbered as the tape numbers them."""
    found, node = [], 0
    for i, x in enumerate(xs):
        leaves = flatten(x)[0]
        for j, leaf in enumerate(leaves):
            if type(leaf) is float or np.issubdtype(np.result_type(untraced(leaf)), np.inexact):
                if i in nums:
                    found.append((f"argument {i}" + (f" leaf {j}" if len(leaves) > 1 else ""), node))
                node += 1
    return found


def _forward(t: Tape) -> Explanation:
    """The output is not finite: walk back along non-finite values to the entry that made the first one."""
    names, producer = t.names(), {}
    for k, entry in enumerate(t.entries):
        for n in entry.out if isinstance(entry.out, tuple) else (entry.out,):
            producer[n] = k
    node = t.outputs[0]
    if node is None:
        return Explanation(
            False,
            "forward",
            "the output is a constant that is not finite: it does not depend on the "
            "inputs, so it came in from outside f (a closed-over value passed in by the caller)",
            tape=t,
        )
    while node in producer:
        k = producer[node]
        entry = t.entries[k]
        bad = [n for n, x in zip(entry.nodes, entry.inputs) if n is not None and not _finite(x)]
        if bad:
            node = bad[0]
            continue
        details = [
            f"{_arg_name(names, n, i)} = {summary(x)}" for i, (x, n) in enumerate(zip(entry.inputs, entry.nodes))
        ]
        constants = [i for i, (x, n) in enumerate(zip(entry.inputs, entry.nodes)) if n is None and not _finite(x)]
        pattern, fix = _forward_pattern(entry.primitive.name, list(entry.inputs), entry.value)
        if constants:
            what = f"argument {constants[0]} of {entry.primitive.name} is a constant that is not finite"
            what += f" ({summary(entry.inputs[constants[0]])}): it came from outside f"
            pattern = f"{pattern}; {what}" if pattern.startswith("0 * inf") else what
            fix = "check the closed-over values and the data passed in by the caller"
        name = names[node]
        return Explanation(
            False,
            "forward",
            f"the output is {summary(t.output_values[0])}; the first non-finite value it comes from is {name}, "
            f"{summary(entry.value)}",
            name,
            t.operation(entry, names),
            _line(t, k),
            pattern,
            fix,
            tuple(details),
            tape=t,
        )
    return Explanation(False, "forward", f"the input {names[node]} is not finite", tape=t)


def _arg_name(names: dict, node: int | None, i: int) -> str:
    return f"argument {i} ({names[node]})" if node is not None else f"argument {i} (a constant)"


def _line(t: Tape, k: int) -> str:
    return t.lines[k] if k < len(t.lines) else ""


def _backward(t: Tape, cuts: list, inputs: list, arg_names: tuple) -> Explanation:
    """The output is finite: fold backward, watching for the first non-finite cotangent."""
    names = t.names()
    store = t._seeds(None, "explain")
    culprit = None
    zeroed: list = []  # entries whose rule sent an exactly zero cotangent to a traced input
    for k in range(len(t.entries) - 1, -1, -1):
        entry = t.entries[k]
        outs = entry.out if isinstance(entry.out, tuple) else (entry.out,)
        ybar = [store.get(n) for n in outs]
        before = {n: store.get(n) for n in entry.nodes if n is not None}
        store = backward_step(store, entry)
        if all(y is None for y in ybar):
            continue
        for i, n in enumerate(entry.nodes):
            if n is None or n not in store:
                continue
            if culprit is None and not _finite(store[n]) and _finite(before[n]):
                culprit = (k, entry, i, ybar)
            if not np.any(untraced(store[n])) and any(y is not None and np.any(untraced(y)) for y in ybar):
                zeroed.append((k, entry, i))
    gradients = {node: store.get(node) for _, node in inputs}
    if culprit is not None:
        return _nonfinite_cotangent(t, culprit, names, gradients)
    return _zeros(t, cuts, inputs, gradients, zeroed, names)


def _nonfinite_cotangent(t: Tape, culprit: tuple, names: dict, gradients: dict) -> Explanation:
    k, entry, i, ybar = culprit
    name = entry.primitive.name
    details = [f"{_arg_name(names, n, j)} = {summary(x)}" for j, (x, n) in enumerate(zip(entry.inputs, entry.nodes))]
    details.append(f"its output's cotangent = {summary(ybar[0] if len(ybar) == 1 else ybar)}")
    trap = None
    out = entry.out if not isinstance(entry.out, tuple) else entry.out[0]
    if all(y is not None and not np.all(untraced(y)) for y in ybar) or any(
        y is not None and np.any(np.asarray(untraced(y)) == 0) for y in ybar
    ):
        trap = _where_trap(t, k, out)
    if trap is not None:
        where, j, branch = trap
        unselected = "false" if branch == 2 else "true"
        pattern = (
            f"a where whose {unselected}-side branch is not differentiable where it is not selected: where sends an "
            f"exact 0 cotangent to the unselected entries, and the rule of {name} turns 0 into NaN there "
            f"(0 / 0 or 0 * inf), so the gradient is NaN although the value is fine"
        )
        line = _line(t, j)
        rewritten = _double_where(_source(line), name, branch)
        fix = (
            "apply the branch only to safe values (the double where):\n"
            + (rewritten if rewritten else "x_safe = where(c, x, 1.0); where(c, f(x_safe), other)")
            + "\nor fad.masked_apply(c, f, x, otherwise=other)"
        )
        details.append(f"the where at {names[where.out]} = {t.operation(where, names)} ({line}) drops it")
    else:
        pattern, fix = _backward_pattern(name, list(entry.inputs), ybar[0])
    bad = [summary(g) for g in gradients.values() if g is not None and not _finite(g)]
    return Explanation(
        False,
        "backward",
        f"the value is finite but the gradient is not ({', '.join(bad) or 'non-finite'}); the first non-finite "
        f"cotangent is made by the rule of {names[out]}, for its argument {i}",
        names[out],
        t.operation(entry, names),
        _line(t, k),
        pattern,
        fix,
        tuple(details),
        gradient=tuple(gradients.values()),
        tape=t,
    )


def _descendants(t: Tape, node: int) -> tuple[set, list]:
    """The nodes computed from ``node``, and the entries that read them."""
    below, readers = {node}, []
    for k, entry in enumerate(t.entries):
        if any(n in below for n in entry.nodes):
            readers.append(k)
            below.update(entry.out if isinstance(entry.out, tuple) else (entry.out,))
    return below, readers


def _zeros(t: Tape, cuts: list, inputs: list, gradients: dict, zeroed: list, names: dict) -> Explanation:
    """Gradients are finite: explain each input whose gradient is exactly zero."""
    notes, problem = [], None
    for what, node in inputs:
        g = gradients.get(node)
        if g is not None and np.any(untraced(g)):
            continue
        below, readers = _descendants(t, node)
        label = f"{what} ({names[node]})"
        if g is None:  # no path from the input to the output
            cut = next((c for c in cuts if set(c[1]) & below), None)
            if cut is not None:
                if cut[0] == "stop_gradient":
                    why, fix = (
                        "stop_gradient makes its argument a constant",
                        "remove stop_gradient where the derivative should flow",
                    )
                else:
                    why = (
                        f"{cut[0]} has no derivative: its result is a constant to every transform (a comparison, "
                        "rounding, or an index such as argmax)"
                    )
                    fix = (
                        "use a differentiable formulation (a smooth surrogate such as sigmoid(k * x) for a step, "
                        "softmax weights for argmax), or differentiate with respect to another input"
                    )
                problem = problem or Explanation(
                    False,
                    "zero",
                    f"the gradient of {label} is exactly zero: no path on the tape leads from it to the output; the "
                    f"last operation on its path is {cut[0]}",
                    None,
                    None,
                    cut[2],
                    why,
                    fix,
                    details=(f"{cut[0]} called at {cut[2]}: {_source(cut[2])}",),
                    tape=t,
                )
            elif readers:
                last = t.entries[readers[-1]]
                problem = problem or Explanation(
                    False,
                    "zero",
                    f"the gradient of {label} is exactly zero: the operations computed from it never reach the output",
                    names[last.out if not isinstance(last.out, tuple) else last.out[0]],
                    t.operation(last, names),
                    _line(t, readers[-1]),
                    "the result computed from this input is not used in the output",
                    "check that the output uses the value you meant",
                    tape=t,
                )
            else:
                problem = problem or Explanation(
                    False,
                    "zero",
                    f"the gradient of {label} is exactly zero: no operation of fad reads it, so it reaches the output "
                    "(if at all) as a constant: through stop_gradient, numpy.asarray or float() of a copy, plain NumPy "
                    "on a value not computed from it, or not at all",
                    pattern="the input is unused or enters only as a constant",
                    fix="compute with fad.numpy functions on the argument itself",
                    tape=t,
                )
        else:
            on_path = [z for z in zeroed if z[1].nodes[z[2]] in below]
            if on_path:
                k, entry, _ = on_path[-1]
                notes.append(
                    f"the gradient of {label} is exactly zero here, through a real derivative path: the rule of "
                    f"{t.operation(entry, names)} ({_line(t, k)}) sends it an exact zero at this point "
                    "(a flat region, a tie, a clipped or unselected value)"
                )
            else:
                notes.append(f"the gradient of {label} is exactly zero here (a stationary point)")
    if problem is not None:
        return replace(problem, notes=tuple(notes), gradient=tuple(gradients.values()))
    return Explanation(
        True,
        "ok",
        "the value and the gradient are finite" + ("" if notes else ", and no gradient is exactly zero"),
        notes=tuple(notes),
        gradient=tuple(gradients.values()),
        tape=t,
    )


# --------------------------------------------------------------------------------------
# The opt-in for the where trap, per call
# --------------------------------------------------------------------------------------


def masked_apply(cond: Any, f: Callable, x: Any, *, otherwise: Any = 0.0, safe: Any = 0.5) -> Any:
    """``where(cond, f(x), otherwise)`` whose derivative is exactly zero, never NaN, where ``cond`` is False.

    ``f`` is applied only to the selected entries: the others get ``safe``, a value inside
    ``f``'s domain (0.5 suits log, sqrt, 1/x, powers and arcsin), so the rule of ``f`` never
    sees the unselected values and cannot turn their zero cotangent into NaN::

        where(cond, f(where(cond, x, safe)), otherwise)          (the double where)

    >>> import fad, fad.numpy as np
    >>> fad.grad(lambda x: masked_apply(x > 0, np.log, x))(0.0)
    0.0
    >>> import numpy
    >>> with numpy.errstate(all="ignore"):  # the trap: 0 cotangent, log's rule 0 / 0
    ...     print(fad.grad(lambda x: np.where(x > 0, np.log(x), 0.0))(0.0))
    nan

    See Also: fad.explain, fad.numpy.where
    """
    return fnp.where(cond, f(fnp.where(cond, x, safe)), otherwise)
