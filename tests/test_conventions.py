"""Conventions at kinks: the derivative fad gives at every special point, as docs/conventions.md states.

Each row of ROWS is one special point of one function: the callable computing fad's
derivative there and the value it must give, written as the table in
docs/conventions.md writes it. Each row is a test, and the table in the page is checked
against these rows both ways (every row of the page is here, every row here is in the
page, with the same value). The last tests run fad.testing.check_rule, with its edge
values (zeros, ties, tiny and huge magnitudes), over the records that have special points.
"""

import pathlib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy
import pytest

import fad
import fad.numpy as np
from fad.numpy._elementwise import clip_p
from fad.testing import check_rule
from fad.testing import strategies as fst

PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "conventions.md"

g = fad.grad


class Row(NamedTuple):
    function: str  # the first column of the page's table
    point: str  # the second column
    derivative: Callable[[], Any]  # fad's derivative there
    fad: str  # the third column: what fad gives, as printed by show()


def show(value: Any) -> str:
    """A derivative as the page prints it: numbers with up to 4 significant digits, tuples and arrays as lists."""
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    a = numpy.asarray(value)
    if a.ndim:
        return "[" + ", ".join(show(v) for v in a.ravel()) + "]"
    v = a.item()
    if isinstance(v, str):
        return v
    if isinstance(v, complex):
        return show(v.real) if v.imag == 0 else f"{v:.4g}"
    return "nan" if v != v else f"{v:.4g}".replace("inf", "inf")


def raises(f: Callable[[], Any]) -> Callable[[], Any]:
    def call() -> str:
        try:
            f()
        except Exception as error:
            return f"raises {type(error).__name__}"
        return "no error"

    return call


ROWS = [
    Row("abs", "x = 0", lambda: g(np.abs)(0.0), "0"),
    Row("maximum(x, y)", "x = y", lambda: g(np.maximum, argnums=(0, 1))(1.0, 1.0), "(0.5, 0.5)"),
    Row("minimum(x, y)", "x = y", lambda: g(np.minimum, argnums=(0, 1))(1.0, 1.0), "(0.5, 0.5)"),
    Row("fmax(x, y)", "x = y", lambda: g(np.fmax, argnums=(0, 1))(1.0, 1.0), "(0.5, 0.5)"),
    Row("maximum(x, 0) (relu)", "x = 0", lambda: g(lambda x: np.maximum(x, 0.0))(0.0), "0.5"),
    Row("max", "ties [1, 3, 3]", lambda: g(np.max)(numpy.array([1.0, 3.0, 3.0])), "[0, 0.5, 0.5]"),
    Row("min", "ties [1, 1, 3]", lambda: g(np.min)(numpy.array([1.0, 1.0, 3.0])), "[0.5, 0.5, 0]"),
    Row("median", "ties [1, 1, 1]", lambda: g(np.median)(numpy.ones(3)), "[0.3333, 0.3333, 0.3333]"),
    Row("clip(x, 0, 1)", "x = 0 (lower bound)", lambda: g(lambda x: np.clip(x, 0.0, 1.0))(0.0), "1"),
    Row("clip(x, 0, 1)", "x = 1 (upper bound)", lambda: g(lambda x: np.clip(x, 0.0, 1.0))(1.0), "1"),
    Row(
        "clip(x, lo, hi)",
        "x = lo = hi: (d/dx, d/dlo, d/dhi)",
        lambda: g(lambda x, lo, hi: np.clip(x, lo, hi), argnums=(0, 1, 2))(0.0, 0.0, 0.0),
        "(0, 0, 1)",
    ),
    Row("sort", "ties: sort([1, 1])[0]", lambda: g(lambda x: np.sort(x)[0])(numpy.ones(2)), "[1, 0]"),
    Row("sort", "ties: sort([1, 1])[1]", lambda: g(lambda x: np.sort(x)[1])(numpy.ones(2)), "[0, 1]"),
    Row(
        "partition",
        "ties: partition([1, 1], 0)[0]",
        lambda: g(lambda x: np.partition(x, 0)[0])(numpy.ones(2)),
        "[1, 0]",
    ),
    Row("sqrt", "x = 0", lambda: g(np.sqrt)(0.0), "inf"),
    Row("sqrt", "x = 0, zero cotangent", lambda: g(lambda x: np.sqrt(x) * 0.0)(0.0), "0"),
    Row("cbrt", "x = 0", lambda: g(np.cbrt)(0.0), "inf"),
    Row("x ** 0.5", "x = 0", lambda: g(lambda x: x**0.5)(0.0), "inf"),
    Row("x ** 2", "x = 0", lambda: g(lambda x: x**2)(0.0), "0"),
    Row("x ** 0", "x = 0", lambda: g(lambda x: x**0.0)(0.0), "0"),
    Row("x ** y", "x = 0, y = 0: (d/dx, d/dy)", lambda: g(lambda x, y: x**y, argnums=(0, 1))(0.0, 0.0), "(0, 0)"),
    Row("0 ** y", "y = 2: d/dy", lambda: g(lambda y: 0.0**y)(2.0), "0"),
    Row("linalg.norm", "x = 0", lambda: g(np.linalg.norm)(numpy.zeros(2)), "[0, 0]"),
    Row("std", "constant x", lambda: g(np.std)(numpy.ones(3)), "[0, 0, 0]"),
    Row("var", "constant x", lambda: g(np.var)(numpy.ones(3)), "[0, 0, 0]"),
    Row("log", "x = 0", lambda: g(np.log)(0.0), "inf"),
    Row("log", "x = 0, zero cotangent", lambda: g(lambda x: np.log(x) * 0.0)(0.0), "nan"),
    Row("log1p", "x = -1", lambda: g(np.log1p)(-1.0), "inf"),
    Row("1 / x", "x = 0", lambda: g(lambda x: 1.0 / x)(0.0), "-inf"),
    Row("arcsin", "x = 1", lambda: g(np.arcsin)(1.0), "inf"),
    Row("arccos", "x = 1", lambda: g(np.arccos)(1.0), "-inf"),
    Row("arctan2(y, x)", "(0, 0)", lambda: g(np.arctan2, argnums=(0, 1))(0.0, 0.0), "(0, -0)"),
    Row("hypot", "(0, 0)", lambda: g(np.hypot, argnums=(0, 1))(0.0, 0.0), "(0, 0)"),
    Row("logaddexp", "(-inf, -inf)", lambda: g(np.logaddexp, argnums=(0, 1))(-numpy.inf, -numpy.inf), "(nan, nan)"),
    Row("where(c, x, y)", "the unselected branch", lambda: g(lambda x: np.where(False, x, 2.0))(1.0), "0"),
    Row("sign, floor, round, comparisons", "everywhere", lambda: g(lambda x: np.floor(x) + np.sign(x))(1.5), "0"),
    Row("remainder(x, 1)", "x = 1 (the jump)", lambda: g(lambda x: np.remainder(x, 1.0))(1.0), "1"),
    Row(
        "linalg.det",
        "singular [[1, 2], [2, 4]]",
        lambda: g(np.linalg.det)(numpy.array([[1.0, 2.0], [2.0, 4.0]])),
        "[4, -2, -2, 1]",
    ),
    Row(
        "linalg.eigh",
        "degenerate (identity): eigenvalues",
        lambda: g(lambda a: np.sum(np.linalg.eigh(a)[0] ** 2))(numpy.eye(2)),
        "[2, 0, 0, 2]",
    ),
    Row(
        "linalg.eigh",
        "degenerate (identity): eigenvectors",
        lambda: g(lambda a: np.sum(np.linalg.eigh(a)[1][:, 0] ** 2 * numpy.array([1.0, 2.0])))(numpy.eye(2)),
        "[0, 0, 0, 0]",
    ),
]


def test_rows_are_unique():
    keys = [(r.function, r.point) for r in ROWS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.function} at {r.point}")
def test_fad_gives_the_stated_derivative(row):
    with numpy.errstate(all="ignore"):
        assert show(row.derivative()) == row.fad


def page_rows() -> dict:
    """The page's table: (function, point) -> fad's column, from lines `| `function` | point | fad | ...`."""
    found = {}
    for line in PAGE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].startswith("`"):
            found[(cells[0].strip("`"), cells[1])] = cells[2].strip("`")
    return found


def test_the_page_states_every_row_as_the_code_gives_it():
    page = page_rows()
    code = {(r.function, r.point): r.fad for r in ROWS}
    assert sorted(set(code) - set(page)) == [], "rows missing from docs/conventions.md"
    assert sorted(set(page) - set(code)) == [], "rows of docs/conventions.md with no test"
    assert {k: page[k] for k in code} == code


# --------------------------------------------------------------------------------------
# check_rule over the records with special points, with edge values
# --------------------------------------------------------------------------------------

SPECIAL = {
    "sqrt": (np.sqrt, (fst.arrays(lo=0.0),), {}),
    "cbrt": (np.cbrt, (fst.arrays(),), {}),
    "absolute": (np.absolute, (fst.arrays(),), {}),
    "maximum": (np.maximum, (fst.floats(), fst.floats()), {}),
    "minimum": (np.minimum, (fst.floats(), fst.floats()), {}),
    "clip": (clip_p, (fst.floats(), fst.floats(-1.0, 0.0), fst.floats(0.0, 1.0)), {}),
    "power": (np.power, (fst.floats(0.0, 3.0), fst.floats(-2.0, 2.0)), {}),
    "log": (np.log, (fst.arrays(lo=0.0, open_lo=True),), {"analytic": True}),
    "log1p": (np.log1p, (fst.arrays(lo=-1.0, open_lo=True),), {"analytic": True}),
    "arcsin": (np.arcsin, (fst.arrays(lo=-1.0, hi=1.0),), {}),
    "arctan2": (np.arctan2, (fst.floats(), fst.floats()), {}),
    "hypot": (np.hypot, (fst.floats(), fst.floats()), {}),
    "divide": (np.divide, (fst.floats(), fst.floats(avoid=(0.0,))), {}),
}


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_check_rule_passes_the_records_with_special_points(name):
    prim, domains, options = SPECIAL[name]
    check_rule(prim, *domains, max_examples=12, **options)
