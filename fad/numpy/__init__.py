"""fad.numpy: NumPy, differentiable.

Use it as you would ``numpy``: ``import fad.numpy as np``. The functions with a
derivative rule are primitives or short compositions of them; functions that have
no derivative by definition (comparisons, ``argmax``, ``floor``, ``shape``, ...) run on
traced values and give plain results. Any other NumPy name is
NumPy's own: constants, dtypes and constructors work as usual, and a NumPy function
with no rule that meets a traced value raises ``NotImplementedError`` naming it.

>>> import fad
>>> import fad.numpy as np
>>> fad.grad(lambda x: np.sum(np.sin(x) * x))(np.array([0.0, 1.0]))
array([0.        , 1.38177329])

The modules below this namespace, lowest first (each imports only modules before it)::

    _base < _elementwise < _products < _reductions < _statistics < _construction < _shapes
          < _joining < _selection < _updates, _signal < linalg._rules < linalg._eig < linalg
          < fft < _polynomials < fad.numpy

``linalg`` and ``fft`` are loaded on first use (``fad.numpy.linalg``), or by importing them.
"""

from __future__ import annotations

import importlib
from types import MappingProxyType
from typing import Any

import numpy as _np

from fad.numpy import (
    _construction,
    _elementwise,
    _joining,
    _polynomials,
    _products,
    _reductions,
    _selection,
    _shapes,
    _signal,
    _statistics,
    _updates,
)
from fad.numpy._construction import *  # noqa: F403
from fad.numpy._elementwise import *  # noqa: F403
from fad.numpy._joining import *  # noqa: F403
from fad.numpy._polynomials import *  # noqa: F403
from fad.numpy._products import *  # noqa: F403
from fad.numpy._reductions import *  # noqa: F403
from fad.numpy._selection import *  # noqa: F403
from fad.numpy._shapes import *  # noqa: F403
from fad.numpy._signal import *  # noqa: F403
from fad.numpy._statistics import *  # noqa: F403
from fad.numpy._updates import *  # noqa: F403

_GROUPS = (_elementwise, _products, _reductions, _statistics, _construction, _shapes, _joining, _selection,
           _updates, _signal, _polynomials)
_SUBMODULES = ("linalg", "fft")  # loaded on first attribute access

__all__ = sorted(set().union(*(group.__all__ for group in _GROUPS)))

# Lists and tuples holding traced values enter every function as traced arrays (one helper,
# applied here where arguments enter), except where an argument is a sequence of arrays.
_SEQUENCES_OF_ARRAYS = frozenset({"concatenate", "stack", "vstack", "hstack", "dstack", "column_stack", "row_stack",
                                  "block", "select", "einsum", "einsum_path", "meshgrid", "broadcast_arrays",
                                  "array", "asarray"})


def _taking_arrays(names: list[str]) -> dict:
    """Each function of ``names`` wrapped once (an alias such as ``amax`` stays the same function as ``max``)."""
    wrapped: dict = {}
    return {name: wrapped.setdefault(id(globals()[name]), _construction.traced_lists_as_arrays(globals()[name]))
            for name in names if name not in _SEQUENCES_OF_ARRAYS}


globals().update(_taking_arrays(__all__))
METHODS = MappingProxyType({k: v for group in _GROUPS for k, v in group.METHODS.items()})
"""The ndarray methods of traced arrays: name -> function of the array and the method's arguments."""


def __getattr__(name: str) -> Any:
    """``linalg`` and ``fft``, imported on first use; every other NumPy name is NumPy's own."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    try:
        return getattr(_np, name)
    except AttributeError:
        raise AttributeError(f"module 'fad.numpy' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
