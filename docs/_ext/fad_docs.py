"""The docs' own Sphinx extension: the rule table, generated from the primitives.

``fad-rule-table`` walks :mod:`fad.numpy` (every module of the package, ``linalg`` and
``fft`` included) and :mod:`fad.scipy.special` (when SciPy is installed) for
:class:`fad.Primitive` records, and shows each one's name, its VJP in mathematical
notation (from :data:`MATH`, keyed by primitive name) and the code of its rule, taken from
the record itself with :func:`inspect.getsource`. A primitive that :data:`MATH` does not
know shows its code only, so new primitives never break the build. Each entry also says
which public functions run the record (``fad.numpy.exp``, ...), and the code is wrapped
to the width of the page (:func:`wrap_source`), so that nothing scrolls sideways.

The picture of a tape on the page "From the note to the code" is drawn by
:func:`fad.demo.draw_tape`, which readers can run themselves.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import pkgutil
import re
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


WIDTH = 84  # characters of code that fit the page's column without scrolling


def _split_top_level(text: str) -> list[str]:
    """``text`` split at the commas that are not inside brackets, strings or a lambda's parameters."""
    parts, depth, quote, start, parameters = [], 0, "", 0, False
    for i, char in enumerate(text):
        if depth == 0 and re.match(r"\blambda\b", text[i:]) and (i == 0 or not text[i - 1].isalnum()):
            parameters = True
        if quote:
            quote = "" if char == quote and text[i - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == ":" and depth == 0:
            parameters = False
        elif char == "," and depth == 0 and not parameters:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _layout(text: str, indent: str, width: int) -> list[str]:
    """One expression or statement, one line if it fits, else its outermost call (or bracket) one argument a line."""
    if len(indent) + len(text) <= width:
        return [indent + text]
    opening = next((i for i, char in enumerate(text) if char in "([" and _closes_at_end(text, i)), None)
    if opening is None:
        return [indent + text]  # nothing to break: the page wraps it (_static/fad_docs.css)
    closing = {"(": ")", "[": "]"}[text[opening]]
    head, inner = text[: opening + 1], text[opening + 1 : text.rindex(closing)]
    tail = text[text.rindex(closing) :]
    lines = [indent + head]
    for argument in _split_top_level(inner):
        laid = _layout(argument, indent + "    ", width - 1)
        lines.extend([*laid[:-1], laid[-1] + ","])
    return [*lines, indent + tail]


def _closes_at_end(text: str, opening: int) -> bool:
    """Whether the bracket at ``opening`` is closed by the last bracket of ``text`` (a trailing comma aside)."""
    depth, quote = 0, ""
    for i in range(opening, len(text)):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return text[i + 1 :].strip() in ("", ",")
    return False


def wrap_source(source: str, width: int = WIDTH) -> str:
    """The code of a rule, re-laid to ``width`` columns, so that the page needs no sideways scrolling.

    The rule tables align their columns for reading side by side in the source; on the
    page each rule is shown alone. A statement with a line longer than ``width`` (and no
    comment to keep in place) is joined, its alignment spaces dropped, and laid out again
    one argument of its outermost call per line, recursively, checked to parse to the same
    code. A ``def`` keeps its lines; the page's style wraps any that are still too long.

    >>> print(wrap_source("exp        = primitive(np.exp,        lambda y, ybar, x: (y * ybar,), unread=(1,))", 40))
    exp = primitive(
        np.exp,
        lambda y, ybar, x: (y * ybar,),
        unread=(1,),
    )
    """
    lines = source.splitlines()
    if all(len(line) <= width for line in lines) or source.lstrip().startswith(("def ", "@")) or "#" in source:
        return source
    joined = re.sub(r"\s+", " ", " ".join(line.strip() for line in lines)).replace("( ", "(").replace(" )", ")")
    laid = "\n".join(_layout(joined, "", width))
    try:
        same = ast.dump(ast.parse(laid)) == ast.dump(ast.parse(textwrap.dedent(source)))
    except SyntaxError:
        same = False
    return laid if same else source


PUBLIC_MODULES = ("fad.numpy", "fad.numpy.linalg", "fad.numpy.fft", "fad.scipy.special")


def public_names(record: fad.Primitive) -> tuple[list[str], list[str]]:
    """Who runs this record: the public names that are it, and the public functions of its name that apply it.

    ``fad.numpy.exp`` is the record ``exp`` itself; ``fad.numpy.sum`` is a function that
    normalizes its ``axis`` and then applies the record ``sum_p``.
    """
    same, wrappers = [], []
    for module_name in PUBLIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # fad.scipy.special without SciPy
            continue
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if value is record:
                same.append(f"{module_name}.{name}")
            elif name == record.name and callable(value) and not isinstance(value, fad.Primitive):
                wrappers.append(f"{module_name}.{name}")
    return same, wrappers


def _who_runs(record: fad.Primitive, where: str) -> nodes.paragraph:
    """The paragraph of an entry that says which public function runs the record."""
    same, wrappers = public_names(record)
    if same:
        text, names, after = "Runs as ", same, "."
    elif wrappers:
        text, names, after = "Applied by ", wrappers, ", which prepares the arguments (axes, shapes) first."
    else:
        text, names, after = "Not public: ", [where], " is applied inside other functions and rules."
    paragraph = nodes.paragraph("", text)
    for i, name in enumerate(names):
        paragraph += nodes.literal(name, name)
        paragraph += nodes.Text(", " if i < len(names) - 1 else after)
    return paragraph


def inline_rest(text: str) -> list[nodes.Node]:
    """A docstring summary as text and code nodes: ``x`` and roles such as :func:`x` shown as code, not raw reST."""
    text = re.sub(r":[\w:]+:`~?([^`]+)`", r"``\1``", text)
    pieces = text.split("``")
    return [nodes.literal(piece, piece) if i % 2 else nodes.Text(piece) for i, piece in enumerate(pieces) if piece]



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
            section += nodes.paragraph("", "", *inline_rest(summary))
            for attr, record in found:
                total += 1
                ident = nodes.make_id(f"rule {module.__name__} {attr}")
                entry = _section(record.name, ident)
                entry += _who_runs(record, f"{module.__name__}.{attr}")
                latex = math_of(record.name)
                if latex is not None:
                    paragraph = nodes.paragraph()
                    paragraph += nodes.math(latex, latex)
                    entry += paragraph
                for source in rule_sources(record):
                    code = wrap_source(source)
                    entry += nodes.literal_block(code, code, language="python", classes=["fad-rule"])
                section += entry
            sections.append(section)
        count = f"{total} primitives, generated from the records when these pages were built."
        return [nodes.paragraph(count, count), *sections]


# --------------------------------------------------------------------------------------
# "See Also" in docstrings, as links
# --------------------------------------------------------------------------------------


def _resolve(name: str, module_name: str) -> str | None:
    """The full dotted name that ``name`` means in a docstring of ``module_name``, or None if none exists."""
    name = name.strip().rstrip(".").removesuffix("()")
    for candidate in (f"{module_name}.{name}", f"fad.{name}", name):
        parts = candidate.split(".")
        for split in range(len(parts), 0, -1):
            try:
                value = importlib.import_module(".".join(parts[:split]))
            except ImportError:
                continue
            try:
                for attr in parts[split:]:
                    value = getattr(value, attr)
            except AttributeError:
                break
            return candidate
    return None


def see_also_links(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """``autodoc-process-docstring``: turn the names of a "See Also:" line into cross-references.

    fad's docstrings end with ``See Also: vjp, grad`` (toolz's style), which is plain text
    to Sphinx. Each name that resolves (in the object's module, then in ``fad``, then as
    written) becomes a ``:py:obj:`` reference, a link wherever the target is documented;
    the others are shown as code.
    """
    module_name = getattr(obj, "__module__", None) or name.rpartition(".")[0]
    public_module = name.rpartition(".")[0] if what != "module" else name
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("See Also:"):
            continue
        indent = line[: len(line) - len(stripped)]
        names = [n for n in stripped.removeprefix("See Also:").split(",") if n.strip()]
        refs = []
        for item in names:
            target = _resolve(item, public_module) or _resolve(item, module_name)
            refs.append(f":py:obj:`~{target}`" if target else f"``{item.strip()}``")
        lines[i] = f"{indent}**See Also:** " + ", ".join(refs)


def setup(app: Any) -> dict:
    app.add_directive("fad-rule-table", RuleTable)
    app.connect("autodoc-process-docstring", see_also_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
