"""Each primitive is defined once: no two distinct records under ``fad`` share a name.

Every module under ``fad`` is imported and every :class:`fad.core.Primitive` bound at its
module level collected; an alias (the same record under two names, or re-exported by
another module) is fine, two records with one ``Primitive.name`` are not: the public
namespace would export one while the internals use the other.
"""

import importlib
import pkgutil
from collections import defaultdict

import fad
from fad.core import Primitive

OPTIONAL = ("scipy",)  # modules that need an optional dependency are skipped without it


def modules():
    """Every module under ``fad``, imported (a module needing a missing optional package is skipped)."""
    found = [fad]
    for info in pkgutil.walk_packages(fad.__path__, "fad."):
        if info.name == "fad.__main__":
            continue
        try:
            found.append(importlib.import_module(info.name))
        except ModuleNotFoundError as error:
            if error.name not in OPTIONAL:
                raise
    return found


def records():
    """``{Primitive.name: {id: (record, where)}}`` over every module-level binding under ``fad``."""
    by_name = defaultdict(dict)
    for module in modules():
        for attr, value in vars(module).items():
            if isinstance(value, Primitive):
                by_name[value.name].setdefault(id(value), (value, f"{module.__name__}.{attr}"))
    return by_name


def test_the_walk_finds_the_rule_modules():
    names = {module.__name__ for module in modules()}
    assert {"fad.numpy._base", "fad.numpy._elementwise", "fad.numpy.linalg._rules", "fad.numpy.fft"} <= names


def test_every_primitive_is_defined_once():
    twice = {
        name: sorted(where for _, where in found.values()) for name, found in records().items() if len(found) > 1
    }
    assert not twice, f"distinct records share a name (define each primitive once, import it elsewhere): {twice}"


def test_einsum_is_one_record():
    (record,) = [value for value, _ in records()["einsum"].values()]
    assert record is fad.numpy._products.einsum_p
