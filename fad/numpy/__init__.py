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
          < _joining < _selection < linalg._rules < linalg._eig < linalg < fft < fad.numpy

``linalg`` and ``fft`` are loaded on first use (``fad.numpy.linalg``), or by importing
them (``import fad.numpy.linalg``).
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
    _products,
    _reductions,
    _selection,
    _shapes,
    _signal,
    _statistics,
)
from fad.numpy._construction import *  # noqa: F403
from fad.numpy._elementwise import *  # noqa: F403
from fad.numpy._joining import *  # noqa: F403
from fad.numpy._products import *  # noqa: F403
from fad.numpy._reductions import *  # noqa: F403
from fad.numpy._selection import *  # noqa: F403
from fad.numpy._shapes import *  # noqa: F403
from fad.numpy._signal import *  # noqa: F403
from fad.numpy._statistics import *  # noqa: F403

_GROUPS = (_elementwise, _products, _reductions, _statistics, _construction, _shapes, _joining, _selection, _signal)
_SUBMODULES = ("linalg", "fft")  # loaded on first attribute access

__all__ = sorted(set().union(*(group.__all__ for group in _GROUPS)))
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
