"""The rules the docs show are the rules that run.

Every ``literalinclude`` of a fad module in ``docs/*.md`` that names a primitive record
(``:start-at:``/``:start-after:`` on the line that binds it) or a rule (``:pyobject:`` of
a function that a record's VJP is made of) must show the record that the public
namespace uses: ``fad.numpy.<name>`` itself for a record that is the public function,
or a record that the public wrapper records on its tape for a ``<name>_p``. (Runs
without Sphinx: it reads the directives, not the built pages.)
"""

import importlib
import pathlib
import re

import numpy
import pytest

import fad
import fad.numpy
from fad.core import Primitive

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NAMESPACES = ("fad.numpy", "fad.numpy.linalg", "fad.numpy.fft", "fad.scipy.special")
BINDING = re.compile(r"^(\w+)\s*=\s*(primitive|binary|Primitive)\(")

A = numpy.array([[3.0, 1.0], [1.0, 2.0]])
B = numpy.array([1.0, -1.0])
# A record behind a public wrapper, and a call of the wrapper that records it.
WRAPPED = {
    "solve_p": lambda: (fad.numpy.linalg.solve, (A, B)),
    "sum_p": lambda: (fad.numpy.sum, (A,)),
}


def includes():
    """``(page, module name, option, value)`` for each literalinclude of a fad module."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for block in re.findall(r"```\{literalinclude\} ([^\n]+)\n(.*?)```", page.read_text(), re.S):
            path, options = block
            path = (page.parent / path.strip()).resolve()
            if ROOT / "fad" not in path.parents or path.suffix != ".py":
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            for option, value in re.findall(r"^:(pyobject|start-at|start-after): (.+)$", options, re.M):
                found.append((page.name, module, option, value.strip().strip('"')))
    return found


def rule_names(record):
    """The qualified names of the functions a record's VJP is made of (through ``binary``'s wrappers)."""
    parts = record.vjp_parts if isinstance(record.vjp_parts, tuple) else ()
    names = set()
    for rule in (record.vjp, *parts):
        while rule is not None:
            names.add(getattr(rule, "__qualname__", ""))
            rule = getattr(rule, "rule", None)
    return names


def records_shown(module_name, option, value):
    """The records (attribute name, record) of ``module_name`` that the include shows."""
    module = importlib.import_module(module_name)
    if option == "pyobject":
        obj = getattr(module, value, None)  # a missing object fails the docs build (tests/test_docs.py)
        if isinstance(obj, Primitive):
            return [(value, obj)]
        return [
            (attr, rec)
            for attr, rec in vars(module).items()
            if isinstance(rec, Primitive)
            and any(n == value or n.startswith(value + ".<locals>") for n in rule_names(rec))
        ]
    lines = pathlib.Path(module.__file__).read_text().splitlines()
    (line,) = [line for line in lines if value in line][:1] or [""]
    match = BINDING.match(line)
    return [(match.group(1), getattr(module, match.group(1)))] if match else []


def public_use(attr, record):
    """Fails unless the public namespace uses ``record`` (as itself, or behind its wrapper)."""
    namespaces = [importlib.import_module(n) for n in NAMESPACES if importlib.util.find_spec(n.split(".")[0])]
    if not attr.endswith("_p"):
        owners = [ns for ns in namespaces if attr in ns.__all__]
        assert owners, f"{attr} is in no public namespace's __all__"
        assert all(getattr(ns, attr) is record for ns in owners), f"the public {attr} is not the record the docs show"
        return
    assert attr in WRAPPED, f"tests/test_docs_rules.py: add a call of the public wrapper of {attr} to WRAPPED"
    f, xs = WRAPPED[attr]()
    used = {entry.primitive for entry in fad.tape(f)(*xs).entries}
    assert record in used, f"the public wrapper of {attr} does not run the record the docs show"


INCLUDES = includes()


def test_the_docs_include_rules():
    shown = {attr for _, module, option, value in INCLUDES for attr, _ in records_shown(module, option, value)}
    assert {"exp", "log", "add", "divide", "matmul", "solve_p"} <= shown, shown


@pytest.mark.parametrize("page, module, option, value", INCLUDES, ids=[f"{p}:{v}" for p, _, _, v in INCLUDES])
def test_each_included_rule_is_the_one_that_runs(page, module, option, value):
    for attr, record in records_shown(module, option, value):
        public_use(attr, record)
