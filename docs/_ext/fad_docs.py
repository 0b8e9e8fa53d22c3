"""The docs' own Sphinx extension: the rule table generated from the primitives, and tape drawings.

``fad-rule-table`` walks :mod:`fad.numpy` (every module of the package, ``linalg`` and
``fft`` included) and :mod:`fad.scipy.special` (when SciPy is installed) for
:class:`fad.Primitive` records, and shows each one's name, its VJP in mathematical
notation (from :data:`MATH`, keyed by primitive name) and the code of its rule, taken from
the record itself with :func:`inspect.getsource`. A primitive that :data:`MATH` does not
know shows its code only, so new primitives never break the build.

:func:`draw_tape` draws a :class:`fad.Tape` as a graph with matplotlib, every node with
its stored value and its cotangent.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import pkgutil
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

import fad
import fad.numpy

# --------------------------------------------------------------------------------------
# The VJPs in mathematical notation, keyed by primitive name (y = f(x), ybar its cotangent)
# --------------------------------------------------------------------------------------

UNARY = {
    "negative": r"-\bar y",
    "exp": r"\bar y\, y",
    "log": r"\bar y / x",
    "sin": r"\bar y \cos x",
    "cos": r"-\bar y \sin x",
    "tanh": r"\bar y\,(1 - y^2)",
    "sqrt": r"\bar y / (2y)",
    "absolute": r"\bar y\, \operatorname{sign} x",
    "fabs": r"\bar y\, \operatorname{sign} x",
    "square": r"2 x \bar y",
    "reciprocal": r"-\bar y\, y^2",
    "cbrt": r"\bar y / (3 y^2)",
    "exp2": r"\bar y\, y \ln 2",
    "expm1": r"\bar y\,(y + 1)",
    "log2": r"\bar y / (x \ln 2)",
    "log10": r"\bar y / (x \ln 10)",
    "log1p": r"\bar y / (1 + x)",
    "tan": r"\bar y\,(1 + y^2)",
    "arcsin": r"\bar y / \sqrt{1 - x^2}",
    "arccos": r"-\bar y / \sqrt{1 - x^2}",
    "arctan": r"\bar y / (1 + x^2)",
    "sinh": r"\bar y \cosh x",
    "cosh": r"\bar y \sinh x",
    "arcsinh": r"\bar y / \sqrt{x^2 + 1}",
    "arccosh": r"\bar y / \sqrt{x^2 - 1}",
    "arctanh": r"\bar y / (1 - x^2)",
    "real": r"\operatorname{Re} \bar y",
    "imag": r"-i \operatorname{Re} \bar y",
    "conjugate": r"\overline{\bar y}",
    "sum": r"\bar y \text{ broadcast to the shape of } x",
    "broadcast_to": r"\bar y \text{ summed over the broadcast axes}",
    "reshape": r"\bar y \text{ reshaped to the shape of } x",
    "transpose": r"\bar y \text{ transposed by the inverse permutation}",
    "astype": r"\bar y \text{ cast to the dtype of } x",
    "getitem": r"\text{zeros like } x \text{ with } \bar y \text{ added at the index}",
    "index_add": r"\bar y[\text{index}]",
    "cumsum": r"\text{reversed cumulative sum of } \bar y",
    "prod": r"\bar y\, y / x \quad \text{(exact where } x = 0)",
    "max": r"\bar y \text{ shared equally among the maxima}",
    "min": r"\bar y \text{ shared equally among the minima}",
    "inv": r"-Y^T \bar Y Y^T",
    "det": r"\bar y\, y\, A^{-T}",
    "slogdet": r"\bar y_{\log|\det|}\, A^{-T}",
    "cholesky": r"\operatorname{sym}(L^{-T} \Phi(L^T \bar L) L^{-1})",
    "fft": r"\text{the FFT of } \bar y \text{, unnormalized}",
    "ifft": r"\text{the FFT of } \bar y / n",
    "expit": r"\bar y\, y\,(1 - y)",
    "log_expit": r"\bar y\, \sigma(-x)",
    "logit": r"\bar y / (x (1 - x))",
    "softplus": r"\bar y\, \sigma(x)",
    "erf": r"\bar y\, \tfrac{2}{\sqrt\pi} e^{-x^2}",
    "erfc": r"-\bar y\, \tfrac{2}{\sqrt\pi} e^{-x^2}",
    "erfinv": r"\bar y\, \tfrac{\sqrt\pi}{2} e^{y^2}",
    "ndtr": r"\bar y\, \varphi(x)",
    "gamma": r"\bar y\, y\, \psi(x)",
    "gammaln": r"\bar y\, \psi(x)",
    "digamma": r"\bar y\, \psi'(x)",
    "i0": r"\bar y\, I_1(x)",
}

BINARY = {
    "add": r"\bar y,\ \bar y",
    "subtract": r"\bar y,\ -\bar y",
    "multiply": r"\bar y x_2,\ \bar y x_1",
    "divide": r"\bar y / x_2,\ -\bar y\, y / x_2",
    "power": r"\bar y\, x_2 x_1^{x_2 - 1},\ \bar y\, y \log x_1",
    "maximum": r"\bar y\, [x_1 > x_2],\ \bar y\, [x_2 > x_1] \quad \text{(halves at ties)}",
    "minimum": r"\bar y\, [x_1 < x_2],\ \bar y\, [x_2 < x_1] \quad \text{(halves at ties)}",
    "logaddexp": r"\bar y\, e^{x_1 - y},\ \bar y\, e^{x_2 - y}",
    "logaddexp2": r"\bar y\, 2^{x_1 - y},\ \bar y\, 2^{x_2 - y}",
    "arctan2": r"\bar y\, x_2 / (x_1^2 + x_2^2),\ -\bar y\, x_1 / (x_1^2 + x_2^2)",
    "hypot": r"\bar y\, x_1 / y,\ \bar y\, x_2 / y",
    "matmul": r"\bar y B^T,\ A^T \bar y \quad \text{(for } A b \text{: } \operatorname{outer}(\bar y, b),\ A^T \bar y)",
    "solve": r"-\bar B X^T,\ \bar B = A^{-T} \bar Y \quad \text{for } X = A^{-1} B",
    "xlogy": r"\bar y \log x_2,\ \bar y\, x_1 / x_2",
    "beta": r"\bar y\, y\,(\psi(x_1) - \psi(x_1 + x_2)),\ \bar y\, y\,(\psi(x_2) - \psi(x_1 + x_2))",
    "betaln": r"\bar y\,(\psi(x_1) - \psi(x_1 + x_2)),\ \bar y\,(\psi(x_2) - \psi(x_1 + x_2))",
}


def math_of(name: str) -> str | None:
    """The VJP of the primitive called ``name`` in LaTeX, or None when it is not written down."""
    if name in UNARY:
        return r"\bar x = " + UNARY[name]
    if name in BINARY:
        return r"(\bar x_1, \bar x_2) = (" + BINARY[name] + ")"
    if name == "where":
        where = r"\operatorname{where}"
        return rf"(\bar c, \bar x_1, \bar x_2) = (-,\ {where}(c, \bar y, 0),\ {where}(c, 0, \bar y))"
    if name in ("concatenate", "stack"):
        return r"(\bar x_1, \ldots, \bar x_n) = \text{the pieces of } \bar y \text{ that came from each } x_i"
    return None


# --------------------------------------------------------------------------------------
# Finding the primitives, and the code of their rules
# --------------------------------------------------------------------------------------

FIRST_MODULES = (  # the layers of fad.numpy, lowest first: each record is defined in one of them
    "fad.numpy._base",
    "fad.numpy._elementwise",
    "fad.numpy._products",
    "fad.numpy._reductions",
    "fad.numpy._statistics",
    "fad.numpy._construction",
    "fad.numpy._shapes",
    "fad.numpy._joining",
    "fad.numpy._selection",
    "fad.numpy.linalg._rules",
    "fad.numpy.linalg._eig",
    "fad.numpy.linalg",
    "fad.numpy.fft",
)


def module_names() -> list[str]:
    """Every module of fad.numpy (the known ones first, in reading order), then fad.scipy.special."""
    found = sorted(m.name for m in pkgutil.walk_packages(fad.numpy.__path__, "fad.numpy."))
    names = [n for n in FIRST_MODULES if n in found] + [n for n in found if n not in FIRST_MODULES]
    names.append("fad.numpy")
    if importlib.util.find_spec("scipy") is not None:
        names.append("fad.scipy.special")
    return names


def primitives() -> Iterator[tuple[Any, list[tuple[str, fad.Primitive]]]]:
    """Each module with the primitives first found in it, in the order they are defined.

    A primitive is listed once, under the first module (in :func:`module_names` order)
    that holds it, which is where it is defined for the modules listed in reading order.
    """
    seen: set[int] = set()
    for name in module_names():
        module = importlib.import_module(name)
        found = []
        for attr, value in vars(module).items():
            if isinstance(value, fad.Primitive) and id(value) not in seen:
                seen.add(id(value))
                found.append((attr, value))
        if found:
            yield module, found


def unwrap(rule: Callable) -> Callable:
    """The rule as written in the table: through the per-input wrappers of ``fad.numpy._base.binary``."""
    while True:
        code = getattr(rule, "__code__", None)
        if code is not None and "rule" in code.co_freevars and rule.__closure__:
            rule = rule.__closure__[code.co_freevars.index("rule")].cell_contents
        elif hasattr(rule, "__wrapped__"):
            rule = rule.__wrapped__
        else:
            return rule


@functools.cache
def statements(path: str) -> tuple[list[str], list[ast.stmt]]:
    """The lines of a source file and all its statements, at every depth."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    return text.splitlines(), [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.stmt)]


def source_of(rule: Callable) -> str:
    """The code that defines ``rule``: its ``def``, or for a lambda the statement it is written in."""
    try:
        if getattr(rule, "__name__", "") != "<lambda>":
            return textwrap.dedent(inspect.getsource(rule)).rstrip()
        lines, stmts = statements(inspect.getsourcefile(rule))
        line = rule.__code__.co_firstlineno
        around = [s for s in stmts if s.lineno <= line <= s.end_lineno]
        inner = min(around, key=lambda s: s.end_lineno - s.lineno)
        return textwrap.dedent("\n".join(lines[inner.lineno - 1 : inner.end_lineno])).rstrip()
    except (OSError, TypeError, ValueError):
        return f"# the source of {rule!r} is not available"


def rule_sources(record: fad.Primitive) -> list[str]:
    """The code of a primitive's VJP: of each per-input rule, or of the one closure (each code once)."""
    rules = record.vjp_parts if isinstance(record.vjp_parts, tuple) else (record.vjp,)  # einsum's: one rule per operand
    sources: list[str] = []
    for rule in rules:
        if rule is not None:
            source = source_of(unwrap(rule))
            if source not in sources:
                sources.append(source)
    return sources


# --------------------------------------------------------------------------------------
# The directive
# --------------------------------------------------------------------------------------


def _section(title: str, ident: str) -> nodes.section:
    section = nodes.section(ids=[ident], names=[ident])
    section += nodes.title(title, title)
    return section


class RuleTable(SphinxDirective):
    """``fad-rule-table``: every primitive's name, VJP in math, and code, one section per module."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        sections = []
        total = 0
        for module, found in primitives():
            section = _section(module.__name__, nodes.make_id(f"rules {module.__name__}"))
            summary = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
            section += nodes.paragraph(summary, summary)
            for attr, record in found:
                total += 1
                ident = nodes.make_id(f"rule {module.__name__} {attr}")
                title = record.name if attr in (record.name, record.name + "_p") else f"{record.name} ({attr})"
                entry = _section(title, ident)
                latex = math_of(record.name)
                if latex is not None:
                    paragraph = nodes.paragraph()
                    paragraph += nodes.math(latex, latex)
                    entry += paragraph
                for source in rule_sources(record):
                    block = nodes.literal_block(source, source, language="python")
                    entry += block
                section += entry
            sections.append(section)
        count = f"{total} primitives, generated from the records when these pages were built."
        return [nodes.paragraph(count, count), *sections]


# --------------------------------------------------------------------------------------
# Drawing a tape
# --------------------------------------------------------------------------------------


BOX = {"operation": ("#fdf2d0", "#b7791f"), "input": ("#dbe9f6", "#2b6cb0"), "constant": ("#eeeeee", "#888888")}


def draw_tape(tape: fad.Tape, ybar: Any = 1.0) -> Any:
    """Draw the tape of a function of scalars as a graph, left to right, each node with its value and cotangent.

    The operations run along the bottom row, in tape order; an input or a constant sits
    above the operation that first uses it. The cotangents are those of the backward fold
    from ``ybar`` (:func:`fad.demo.cotangents`). Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    from fad.demo import cotangents

    names, lines = tape.names(), str(tape).splitlines()
    bars = dict(cotangents(tape, ybar))
    column: dict[Any, int] = {}  # node -> column; operations first
    for entry in tape.entries:
        column[entry.out] = 1 + max((column.get(node, 0) for node in entry.nodes if node is not None), default=0)
    boxes: dict[Any, tuple[float, float, float, float]] = {}  # key -> centre x, y, half width, half height
    labels: dict[Any, tuple[str, str]] = {}
    stacked: dict[int, int] = {}  # how many leaves each column holds

    def leaf(key: Any, col: int, text: str, kind: str) -> None:
        stacked[col] = stacked.get(col, 0) + 1
        width = 0.25 if kind == "constant" else 0.75
        boxes[key] = (1.8 * col, 1.1 * stacked[col], width, 0.22 if kind == "constant" else 0.36)
        labels[key] = (text, kind)

    edges = []
    for k, entry in enumerate(tape.entries):
        boxes[entry.out] = (1.8 * column[entry.out], 0.0, 0.8, 0.42)
        name = names[entry.out]
        labels[entry.out] = (f"{lines[k]}\nvalue {entry.value:.4g}\ncotangent {bars.get(name, 0.0):.4g}", "operation")
        for position, (x, node) in enumerate(zip(entry.inputs, entry.nodes)):
            if node is not None and node in boxes:
                edges.append((node, entry.out))
            elif node is not None:  # an input of the function, first used here
                text = f"{names[node]} = {x:.4g}\ncotangent {bars.get(names[node], 0.0):.4g}"
                leaf(node, column[entry.out] - 1, text, "input")
                edges.append((node, entry.out))
            else:
                leaf(("constant", k, position), column[entry.out] - 1, f"{x}", "constant")
                edges.append((("constant", k, position), entry.out))
    left = min(x - w for x, _, w, _ in boxes.values()) - 0.1
    right = max(x + w for x, _, w, _ in boxes.values()) + 0.1
    bottom, top = -0.55, max(y + h for _, y, _, h in boxes.values()) + 0.1
    fig = plt.figure(figsize=(right - left, top - bottom))
    ax = fig.add_axes((0, 0, 1, 1))
    for key, (x, y, w, h) in boxes.items():
        text, kind = labels[key]
        face, edge = BOX[kind]
        ax.add_patch(
            FancyBboxPatch((x - w, y - h), 2 * w, 2 * h, boxstyle="round,pad=0,rounding_size=0.08", fc=face, ec=edge)
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=8, family="monospace")
    for source, target in edges:
        ax.annotate(
            "",
            xy=_edge(boxes[target], boxes[source]),
            xytext=_edge(boxes[source], boxes[target]),
            arrowprops=dict(arrowstyle="-|>", color="#555555", shrinkA=0, shrinkB=0),
        )
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.axis("off")
    return fig


def _edge(box: tuple[float, float, float, float], towards: tuple[float, float, float, float]) -> tuple[float, float]:
    """Where the line from the centre of ``box`` to the centre of ``towards`` leaves ``box``."""
    (x, y, w, h), (tx, ty, _, _) = box, towards
    dx, dy = tx - x, ty - y
    t = min(w / abs(dx) if dx else float("inf"), h / abs(dy) if dy else float("inf"))
    return x + t * dx, y + t * dy


def setup(app: Any) -> dict:
    app.add_directive("fad-rule-table", RuleTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
