"""Module-level names: how a record is pickled by reference.

A :class:`~fad.core.Primitive` is immutable and defined once, at the top level of a module,
so a pickle or a copy of it is that same record: it is stored as the module and the name
it is bound to, and found again there when loaded.

>>> import pickle, fad.numpy as np
>>> pickle.loads(pickle.dumps(np.sin)) is np.sin
True
"""

from __future__ import annotations

import importlib
import pickle
import sys
from typing import Any

__all__ = ["attribute", "home"]


def attribute(module: str, name: str) -> Any:
    """The attribute ``name`` of the module ``module``, importing it if need be."""
    return getattr(importlib.import_module(module), name)


def home(obj: Any, what: str) -> tuple[str, str]:
    """The module and the name that ``obj`` is bound to at module level (fad's modules searched first)."""
    modules = sorted(list(sys.modules.items()), key=lambda item: not item[0].startswith("fad"))
    for module_name, module in modules:
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if value is obj:
                return module_name, name
    raise pickle.PicklingError(
        f"{what} is not bound to a name at the top level of a module, so it cannot be pickled by "
        "reference: define it at module level"
    )
