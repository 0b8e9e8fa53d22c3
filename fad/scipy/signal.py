"""fad.scipy.signal: SciPy's convolutions, differentiable in both inputs.

Every function is a cut, a reversal or a padding of the one full N-d convolution record
of :mod:`fad.numpy._signal` (whose VJP is a correlation with the other factor), so all
modes differentiate to any order. SciPy's modes::

    full   shape s1 + s2 - 1
    same   shape s1, centered in the full result (it starts at (s2 - 1) // 2)
    valid  shape |s1 - s2| + 1, where one input is at least as large as the other on every axis

``correlate(in1, in2) = convolve(in1, conj(flip(in2)))``. ``fftconvolve`` gives the same
numbers as ``convolve`` (computed directly, so without the FFT's rounding). The 2-d
functions take SciPy's ``boundary`` (``fill`` with any ``fillvalue``, ``wrap``, ``symm``),
as a padding of ``in1`` before a valid convolution. Needs SciPy: ``pip install 'fad[scipy]'``.

>>> import fad
>>> import fad.numpy as np
>>> from fad.scipy.signal import convolve
>>> convolve(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
array([1., 3., 2.])

See Also: fad.numpy.convolve, fad.numpy.correlate
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

try:
    import scipy.signal  # noqa: F401  (as for fad.scipy.special: SciPy must be there)
except ImportError as error:  # SciPy is an optional dependency
    raise ImportError(
        "fad.scipy.signal needs SciPy, an optional dependency of fad: pip install 'fad[scipy]'"
    ) from error

import fad.numpy as fnp
from fad.core import Traced, untraced
from fad.numpy._signal import convolve_full_p

__all__ = ["convolve", "correlate", "fftconvolve", "convolve2d", "correlate2d"]


def _array(x: Any) -> Any:
    return x if isinstance(x, Traced) else np.asarray(x)


def _inputs(in1: Any, in2: Any, who: str) -> tuple[Any, Any]:
    in1, in2 = _array(in1), _array(in2)
    if fnp.ndim(in1) != fnp.ndim(in2):
        raise ValueError(f"fad.scipy.signal.{who}: in1 and in2 should have the same dimensionality, "
                         f"got {fnp.ndim(in1)} and {fnp.ndim(in2)}")  # fmt: skip
    if fnp.size(in1) == 0 or fnp.size(in2) == 0:
        raise ValueError(f"fad.scipy.signal.{who}: in1 and in2 must not be empty")
    return in1, in2


def _full(in1: Any, in2: Any) -> Any:
    """The full convolution; 0-d inputs are a product."""
    if fnp.ndim(in1) == 0:
        return in1 * in2
    return convolve_full_p(in1, in2)


def _mode(y: Any, s1: tuple, s2: tuple, mode: str, who: str, *, strict: bool = True, late: bool = False) -> Any:
    """SciPy's cut of the full result ``y`` of inputs of shapes ``s1`` and ``s2``.

    ``same`` starts at ``(m - 1) // 2`` on an axis where ``in2`` has length ``m`` (at ``m // 2``
    if ``late``, as ``correlate2d`` does); ``valid`` needs one input to dominate on every axis
    (if not ``strict``, as in ``fftconvolve``, on the axes where neither has length 1).
    """
    if mode == "full" or not s1:
        return y
    if mode == "same":
        return y[tuple(slice((m - (not late)) // 2, (m - (not late)) // 2 + n) for n, m in zip(s1, s2))]
    if mode == "valid":
        pairs = [(n, m) for n, m in zip(s1, s2) if strict or (n > 1 and m > 1)]
        if not (all(n >= m for n, m in pairs) or all(m >= n for n, m in pairs)):
            raise ValueError(f"fad.scipy.signal.{who}: for 'valid' mode, one input must be at least as large as "
                             "the other in every dimension")  # fmt: skip
        return y[tuple(slice(min(n, m) - 1, max(n, m)) for n, m in zip(s1, s2))]
    raise ValueError(f"fad.scipy.signal.{who}: mode must be 'full', 'same' or 'valid', got {mode!r}")


def _reversed_conj(x: Any) -> Any:
    """``conj(x)`` reversed along every axis."""
    x = fnp.conj(x) if np.iscomplexobj(untraced(x)) else x
    return x[(slice(None, None, -1),) * fnp.ndim(x)]


def _method(method: str, who: str) -> None:
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"fad.scipy.signal.{who}: method must be 'auto', 'direct' or 'fft', got {method!r}")


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """The N-d convolution of two arrays of one ``ndim``, with SciPy's modes; differentiable in both.

    ``method`` is accepted for SciPy's signature; fad always convolves directly.

    >>> import fad.numpy as np
    >>> convolve(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0]), mode="same")
    array([1., 3., 5.])

    See Also: correlate, fftconvolve, convolve2d, fad.numpy.convolve
    """
    _method(method, "convolve")
    in1, in2 = _inputs(in1, in2, "convolve")
    return _mode(_full(in1, in2), fnp.shape(in1), fnp.shape(in2), mode, "convolve")


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """The N-d cross-correlation, ``convolve(in1, conj(flip(in2)))``, with SciPy's modes; differentiable in both.

    >>> import fad.numpy as np
    >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0]))
    array([0., 1., 2., 3.])

    See Also: convolve, correlate2d, fad.numpy.correlate
    """
    _method(method, "correlate")
    in1, in2 = _inputs(in1, in2, "correlate")
    return _mode(_full(in1, _reversed_conj(in2)), fnp.shape(in1), fnp.shape(in2), mode, "correlate")


def fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    """SciPy's ``fftconvolve``: the N-d convolution (the same numbers as ``convolve``, computed directly).

    ``axes`` other than None (every axis) is refused.

    >>> import fad.numpy as np
    >>> fftconvolve(np.array([1.0, 2.0]), np.array([3.0]))
    array([3., 6.])

    See Also: convolve
    """
    if axes is not None and sorted(np.atleast_1d(axes) % max(fnp.ndim(in1), 1)) != list(range(fnp.ndim(in1))):
        raise NotImplementedError(
            "fad.scipy.signal.fftconvolve: convolving along some axes only is not supported; "
            "pass axes=None (every axis), or loop over the other axes"
        )
    in1, in2 = _inputs(in1, in2, "fftconvolve")
    return _mode(_full(in1, in2), fnp.shape(in1), fnp.shape(in2), mode, "fftconvolve", strict=False)


_PAD_MODES = MappingProxyType({"fill": "constant", "wrap": "wrap", "symm": "symmetric"})
_BOUNDARY_NAMES = MappingProxyType({"fill": "fill", "pad": "fill", "wrap": "wrap", "circular": "wrap", "symm": "symm",
                                    "symmetric": "symm"})  # fmt: skip


def _two_d(who: str, in1: Any, in2: Any, mode: str, boundary: str, fillvalue: Any, late: bool = False) -> Any:
    """The 2-d convolution of ``in1`` and ``in2`` with SciPy's ``boundary`` handling."""
    in1, in2 = _array(in1), _array(in2)
    if fnp.ndim(in1) != 2 or fnp.ndim(in2) != 2:
        raise ValueError(f"fad.scipy.signal.{who}: in1 and in2 must be 2-d, got {fnp.ndim(in1)}-d and "
                         f"{fnp.ndim(in2)}-d")  # fmt: skip
    if boundary not in _BOUNDARY_NAMES:
        raise ValueError(f"fad.scipy.signal.{who}: boundary must be one of {sorted(_BOUNDARY_NAMES)}, got {boundary!r}")
    if isinstance(fillvalue, Traced):
        raise TypeError(f"fad.scipy.signal.{who}: fillvalue has no derivative; pass it as a constant")
    boundary = _BOUNDARY_NAMES[boundary]
    s1, s2 = fnp.shape(in1), fnp.shape(in2)
    if mode == "valid" or (boundary == "fill" and fillvalue == 0):
        return _mode(_full(in1, in2), s1, s2, mode, who, late=late)
    if mode not in ("full", "same"):
        raise ValueError(f"fad.scipy.signal.{who}: mode must be 'full', 'same' or 'valid', got {mode!r}")
    if boundary != "fill" and any(m - 1 > n for n, m in zip(s1, s2)):
        raise NotImplementedError(f"fad.scipy.signal.{who}: boundary={boundary!r} with in2 more than twice as "
                                  "large as in1 is not supported; use boundary='fill'")  # fmt: skip
    # the full result is the valid convolution of in1 extended by s2 - 1 on each side of each axis
    widths = [(m - 1, m - 1) for m in s2]
    extra = {"constant_values": fillvalue} if boundary == "fill" else {}
    padded = fnp.pad(in1, widths, mode=_PAD_MODES[boundary], **extra)
    full = _mode(_full(padded, in2), fnp.shape(padded), s2, "valid", who)
    return _mode(full, s1, s2, mode, who, late=late)


def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill", fillvalue: Any = 0) -> Any:
    """The 2-d convolution with SciPy's modes and boundaries (``fill`` with ``fillvalue``, ``wrap``, ``symm``).

    >>> import fad.numpy as np
    >>> convolve2d(np.ones((2, 2)), np.ones((1, 1)))
    array([[1., 1.],
           [1., 1.]])

    See Also: correlate2d, convolve
    """
    return _two_d("convolve2d", in1, in2, mode, boundary, fillvalue)


def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill", fillvalue: Any = 0) -> Any:
    """The 2-d cross-correlation, ``convolve2d(in1, conj(flip(in2)))``, with SciPy's modes and boundaries.

    >>> import fad.numpy as np
    >>> correlate2d(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]]))
    array([[0., 1., 2.]])

    See Also: convolve2d, correlate
    """
    in2 = _array(in2)
    if fnp.ndim(in2) != 2:
        raise ValueError(f"fad.scipy.signal.correlate2d: in2 must be 2-d, got {fnp.ndim(in2)}-d")
    return _two_d("correlate2d", in1, _reversed_conj(in2), mode, boundary, fillvalue, late=True)
