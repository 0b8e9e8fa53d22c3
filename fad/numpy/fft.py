"""fad.numpy.fft: the discrete Fourier transforms of ``numpy.fft``, differentiable.

Every transform is linear, so its VJP is its transpose. With fad's convention for
complex numbers (``docs/complex.md``: cotangents are paired with values by
``Re(sum(a * b))``, with no conjugate, as in autograd and JAX), the transpose of the
DFT matrix ``F[k, t] = exp(-2 pi i k t / n)`` is ``F`` itself, as it is symmetric:

    j(fft)(y, ybar, x) = fft(ybar, norm=norm)        j(ifft)(y, ybar, x) = ifft(ybar, norm=norm)

and a real input takes the real part of that cotangent. ``rfft`` keeps the ``n // 2 + 1``
non-negative frequencies of a real signal; the others are their conjugates, so each kept
bin stands for two bins of the full spectrum, except the zero frequency (and the
Nyquist one, for even ``n``): its multiplicity ``m = [1, 2, ..., 2, (1 if n is even)]``.
``hfft``, which reads its input as such a half spectrum, counts the bins ``m`` times,
and ``ihfft`` is its inverse, so the two pairs are each other's transposes::

    j(rfft)(y, ybar, x)  = hfft(ybar / m, n, norm=norm)
    j(irfft)(y, ybar, x) = m * ihfft(ybar, norm=norm)

``hfft`` and ``ihfft`` are ``irfft`` and ``rfft`` (with the other normalisation) of the
signal reversed in time, ``x[(-t) mod n]``. The ``n`` and ``s`` arguments cut or zero-pad
the input first (a slice or a concatenation, whose VJPs are the base rules), and the
n-dimensional transforms apply the one-dimensional ones axis by axis, in the order
``numpy.fft`` does.

>>> import fad
>>> import fad.numpy as np
>>> band = np.array([0.0, 1.0, 0.0])  # keep frequency 1 of 4
>>> fad.grad(lambda x: np.fft.irfft(np.fft.rfft(x) * band, n=4)[0])(np.array([1.0, 2.0, 3.0, 4.0]))
array([ 0.5,  0. , -0.5,  0. ])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Traced, primitive
from fad.numpy._base import concatenate_p, cotangent_for, dtype_of, getitem_p, is_complex, normalize_axis, shape_of
from fad.numpy._construction import traced_lists_as_arrays

__all__ = [
    "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn",
    "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn", "hfft", "ihfft",
    "fftshift", "ifftshift", "fftfreq", "rfftfreq",
]  # fmt: skip

_DUAL = MappingProxyType({"backward": "forward", "ortho": "ortho", "forward": "backward"})


def _multiplicity(n: int, axis: int, ybar: Any) -> np.ndarray:
    """How many bins of the full ``n``-point spectrum each ``rfft`` bin stands for, along ``axis``."""
    m = np.full(n // 2 + 1, 2.0, dtype=np.finfo(dtype_of(ybar)).dtype)
    m[0] = 1.0
    if n % 2 == 0:
        m[-1] = 1.0
    return m.reshape((-1,) + (1,) * (len(shape_of(ybar)) - axis - 1))


def _rfft_vjp(y: Any, ybar: Any, x: Any, axis: int, norm: str) -> tuple:
    n = shape_of(x)[axis]
    return (cotangent_for(hfft(ybar / _multiplicity(n, axis, ybar), n, axis, norm), x),)


def _irfft_vjp(y: Any, ybar: Any, x: Any, n: int, axis: int, norm: str) -> tuple:
    xbar = ihfft(ybar, axis=axis, norm=norm)
    return (cotangent_for(xbar * _multiplicity(n, axis, xbar), x),)


# fmt: off
# --------------------------------------------------------------------------------------
# One-dimensional transforms along ``axis`` (the input already has the transform's length)
# --------------------------------------------------------------------------------------
fft_p   = primitive(lambda x, axis, norm: np.fft.fft(x, axis=axis, norm=norm),
                    lambda y, ybar, x, axis, norm: (cotangent_for(fft_p(ybar, axis=axis, norm=norm), x),),
                    name="fft", unread=(0,))
ifft_p  = primitive(lambda x, axis, norm: np.fft.ifft(x, axis=axis, norm=norm),
                    lambda y, ybar, x, axis, norm: (cotangent_for(ifft_p(ybar, axis=axis, norm=norm), x),),
                    name="ifft", unread=(0,))
rfft_p  = primitive(lambda x, axis, norm: np.fft.rfft(x, axis=axis, norm=norm), _rfft_vjp, name="rfft", unread=(0,))
irfft_p = primitive(lambda x, n, axis, norm: np.fft.irfft(x, n, axis=axis, norm=norm), _irfft_vjp, name="irfft",
                    unread=(0,))

# --------------------------------------------------------------------------------------
# Shifts: permutations, each the other's inverse and so its transpose
# --------------------------------------------------------------------------------------
fftshift_p  = primitive(np.fft.fftshift,  lambda y, ybar, x, axes=None: (ifftshift_p(ybar, axes=axes),),
                        name="fftshift", unread=(0, 1))
ifftshift_p = primitive(np.fft.ifftshift, lambda y, ybar, x, axes=None: (fftshift_p(ybar, axes=axes),),
                        name="ifftshift", unread=(0, 1))
# fmt: on


# --------------------------------------------------------------------------------------
# Arguments as numpy.fft reads them
# --------------------------------------------------------------------------------------


def _asarray(a: Any) -> Any:
    return a if isinstance(a, Traced) else np.asarray(a)


def _check_out(out: Any, who: str) -> None:
    if out is not None:
        raise TypeError(
            f"fad.numpy.fft.{who}: out= is not supported, since fad arrays are immutable; "
            "assign the result instead (y = fft(x))"
        )


def _norm(norm: str | None, who: str) -> str:
    norm = "backward" if norm is None else norm
    if norm not in _DUAL:
        raise ValueError(f'fad.numpy.fft.{who}: norm must be "backward", "ortho", "forward" or None, got {norm!r}')
    return norm


def _axis(a: Any, axis: int, who: str) -> int:
    """``axis`` of ``a`` in ``range(a.ndim)``; AxisError naming ``fad.numpy.fft.<who>`` otherwise."""
    return normalize_axis(axis, len(shape_of(a)), f"fft.{who}")


def _resize(a: Any, n: int | None, axis: int, who: str) -> Any:
    """``a`` cut or zero-padded at the end to length ``n`` along ``axis`` (``None``: as it is)."""
    shape = shape_of(a)
    if n is None or operator.index(n) == shape[axis]:
        return a
    if n < 1:
        raise ValueError(f"fad.numpy.fft.{who}: the number of points n must be at least 1, got {n}")
    if n < shape[axis]:
        return getitem_p(a, index=(slice(None),) * axis + (slice(0, n),))
    zeros = np.zeros(shape[:axis] + (n - shape[axis],) + shape[axis + 1 :], dtype=dtype_of(a))
    return concatenate_p(a, zeros, axis=axis)


def _plan(a: Any, s: Sequence[int] | None, axes: Sequence[int] | None, who: str) -> list[tuple[Any, int]]:
    """The ``(n, axis)`` of each one-dimensional transform, as ``numpy.fft``'s ``s`` and ``axes`` say.

    Without ``axes``, the last ``len(s)`` axes (all axes without ``s``); an ``n`` of -1
    or None keeps the input's length (``irfftn`` reads None as its own default).
    """
    shape = shape_of(a)
    if axes is None:
        axes = range(len(shape)) if s is None else range(-len(s), 0)
    axes = [_axis(a, axis, who) for axis in axes]
    s = [None] * len(axes) if s is None else list(s)
    if len(s) != len(axes):
        raise ValueError(f"fad.numpy.fft.{who}: s and axes have different lengths ({len(s)} and {len(axes)})")
    return [(shape[axis] if n == -1 else n, axis) for n, axis in zip(s, axes)]


def _complex_transform(transform: Callable, a: Any, n: int | None, axis: int, norm: str | None, who: str) -> Any:
    a = _asarray(a)
    axis = _axis(a, axis, who)
    return transform(_resize(a, n, axis, who), axis=axis, norm=_norm(norm, who))


def _real_input(a: Any, who: str) -> Any:
    a = _asarray(a)
    if is_complex(a):
        raise TypeError(
            f"fad.numpy.fft.{who}: the input must be real, got dtype {dtype_of(a)}; "
            f"use the complex transform (fft, fftn) for complex input"
        )
    return a


# --------------------------------------------------------------------------------------
# Complex transforms
# --------------------------------------------------------------------------------------


def fft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: None = None) -> Any:
    """One-dimensional discrete Fourier transform; its VJP is ``fft`` itself (the DFT matrix is symmetric).

    ``y[k] = sum_t a[t] exp(-2 pi i k t / n)``, with ``a`` cut or zero-padded to ``n``.

    >>> import fad.numpy as np
    >>> np.fft.fft(np.array([1.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])

    See Also: ifft, rfft, fftn
    """
    _check_out(out, "fft")
    return _complex_transform(fft_p, a, n, axis, norm, "fft")


def ifft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: None = None) -> Any:
    """One-dimensional inverse discrete Fourier transform; its VJP is ``ifft`` itself.

    >>> import fad.numpy as np
    >>> np.fft.ifft(np.fft.fft(np.array([1.0, 2.0]))).real
    array([1., 2.])

    See Also: fft, irfft, ifftn
    """
    _check_out(out, "ifft")
    return _complex_transform(ifft_p, a, n, axis, norm, "ifft")


def fftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
         out: None = None) -> Any:  # fmt: skip
    """N-dimensional discrete Fourier transform: ``fft`` along each of ``axes``.

    >>> import fad.numpy as np
    >>> np.fft.fftn(np.ones((2, 2))).real
    array([[4., 0.],
           [0., 0.]])

    See Also: fft, ifftn, fft2, rfftn
    """
    _check_out(out, "fftn")
    a = _asarray(a)
    for n, axis in reversed(_plan(a, s, axes, "fftn")):
        a = _complex_transform(fft_p, a, n, axis, norm, "fftn")
    return a


def ifftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
          out: None = None) -> Any:  # fmt: skip
    """N-dimensional inverse discrete Fourier transform: ``ifft`` along each of ``axes``.

    >>> import fad.numpy as np
    >>> np.fft.ifftn(np.fft.fftn(np.eye(2))).real
    array([[1., 0.],
           [0., 1.]])

    See Also: ifft, fftn, ifft2, irfftn
    """
    _check_out(out, "ifftn")
    a = _asarray(a)
    for n, axis in reversed(_plan(a, s, axes, "ifftn")):
        a = _complex_transform(ifft_p, a, n, axis, norm, "ifftn")
    return a


def fft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
         out: None = None) -> Any:  # fmt: skip
    """Two-dimensional discrete Fourier transform: ``fftn`` over the last two axes.

    See Also: fftn, ifft2, rfft2
    """
    return fftn(a, s, axes, norm, out)


def ifft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
          out: None = None) -> Any:  # fmt: skip
    """Two-dimensional inverse discrete Fourier transform: ``ifftn`` over the last two axes.

    See Also: ifftn, fft2, irfft2
    """
    return ifftn(a, s, axes, norm, out)


# --------------------------------------------------------------------------------------
# Transforms of real signals
# --------------------------------------------------------------------------------------


def rfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: None = None) -> Any:
    """Discrete Fourier transform of a real signal: the ``n // 2 + 1`` non-negative frequencies.

    The VJP is ``hfft`` of the cotangent divided by each bin's multiplicity in the full
    spectrum (1 for the zero and Nyquist frequencies, 2 for the others).

    >>> import fad.numpy as np
    >>> np.fft.rfft(np.array([1.0, 2.0, 3.0, 4.0]))
    array([10.+0.j, -2.+2.j, -2.+0.j])

    See Also: irfft, fft, rfftn
    """
    _check_out(out, "rfft")
    a = _real_input(a, "rfft")
    axis = _axis(a, axis, "rfft")
    return rfft_p(_resize(a, n, axis, "rfft"), axis=axis, norm=_norm(norm, "rfft"))


def irfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: None = None) -> Any:
    """Inverse of ``rfft``: the real signal of length ``n`` (default ``2 * (len - 1)``) of a half spectrum.

    Only the first ``n // 2 + 1`` entries of ``a`` are used (zero-padded if fewer), and the
    imaginary parts of the zero and Nyquist frequencies are ignored, as in NumPy.

    >>> import fad.numpy as np
    >>> np.fft.irfft(np.fft.rfft(np.array([1.0, 2.0, 3.0])), n=3)
    array([1., 2., 3.])

    See Also: rfft, ifft, irfftn
    """
    _check_out(out, "irfft")
    a = _asarray(a)
    axis = _axis(a, axis, "irfft")
    n = 2 * (shape_of(a)[axis] - 1) if n is None else operator.index(n)
    if n < 1:
        raise ValueError(f"fad.numpy.fft.irfft: the number of points n must be at least 1, got {n}")
    return irfft_p(_resize(a, n // 2 + 1, axis, "irfft"), n=n, axis=axis, norm=_norm(norm, "irfft"))


def rfftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
          out: None = None) -> Any:  # fmt: skip
    """N-dimensional ``rfft``: ``rfft`` along the last of ``axes``, then ``fft`` along the others.

    >>> import fad.numpy as np
    >>> np.fft.rfftn(np.ones((2, 4))).shape
    (2, 3)

    See Also: rfft, irfftn, fftn
    """
    _check_out(out, "rfftn")
    a = _real_input(a, "rfftn")
    plan = _plan(a, s, axes, "rfftn")
    if not plan:
        raise ValueError("fad.numpy.fft.rfftn: needs at least one axis to transform")
    a = rfft(a, *plan[-1], norm)
    for n, axis in reversed(plan[:-1]):
        a = _complex_transform(fft_p, a, n, axis, norm, "rfftn")
    return a


def irfftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None, norm: str | None = None,
           out: None = None) -> Any:  # fmt: skip
    """Inverse of ``rfftn``: ``ifft`` along all but the last of ``axes``, then ``irfft`` along it.

    >>> import fad.numpy as np
    >>> x = np.arange(6.0).reshape(2, 3)
    >>> bool(np.allclose(np.fft.irfftn(np.fft.rfftn(x), x.shape), x))
    True

    See Also: irfft, rfftn, ifftn
    """
    _check_out(out, "irfftn")
    a = _asarray(a)
    plan = _plan(a, s, axes, "irfftn")
    if not plan:
        raise ValueError("fad.numpy.fft.irfftn: needs at least one axis to transform")
    for n, axis in plan[:-1]:
        a = _complex_transform(ifft_p, a, n, axis, norm, "irfftn")
    return irfft(a, *plan[-1], norm)


def rfft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
          out: None = None) -> Any:  # fmt: skip
    """Two-dimensional ``rfft``: ``rfftn`` over the last two axes.

    See Also: rfftn, irfft2, fft2
    """
    return rfftn(a, s, axes, norm, out)


def irfft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1), norm: str | None = None,
           out: None = None) -> Any:  # fmt: skip
    """Inverse of ``rfft2``: ``irfftn`` over the last two axes.

    See Also: irfftn, rfft2, ifft2
    """
    return irfftn(a, s, axes, norm, out)


def _reversed_time(x: Any, axis: int) -> Any:
    """``x[(-t) mod n]`` along ``axis``: the time reversal that conjugates a real signal's spectrum."""
    n = shape_of(x)[axis]
    return getitem_p(x, index=(slice(None),) * axis + (-np.arange(n) % n,))


def hfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: None = None) -> Any:
    """The real spectrum of a signal with Hermitian symmetry, given by its first half ``a``.

    ``hfft(a, n)`` is ``irfft(conj(a), n)`` with the other normalisation (``"backward"`` and
    ``"forward"`` swapped), which is ``irfft(a, n)`` reversed in time: the composition used here.

    >>> import fad.numpy as np
    >>> np.fft.hfft(np.array([1.0, 2.0, 3.0]))
    array([ 8., -2.,  0., -2.])

    See Also: ihfft, irfft
    """
    _check_out(out, "hfft")
    axis = _axis(_asarray(a), axis, "hfft")
    return _reversed_time(irfft(a, n, axis, _DUAL[_norm(norm, "hfft")]), axis)


def ihfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None, out: None = None) -> Any:
    """Inverse of ``hfft``: ``conj(rfft(a, n))``, normalised the other way, which is ``rfft`` of ``a`` reversed in time.

    >>> import fad.numpy as np
    >>> np.fft.ihfft(np.array([8.0, -2.0, 0.0, -2.0])).real
    array([1., 2., 3.])

    See Also: hfft, rfft
    """
    _check_out(out, "ihfft")
    a = _real_input(a, "ihfft")
    axis = _axis(a, axis, "ihfft")
    norm = _DUAL[_norm(norm, "ihfft")]
    return rfft_p(_reversed_time(_resize(a, n, axis, "ihfft"), axis), axis=axis, norm=norm)


# --------------------------------------------------------------------------------------
# Shifts and sample frequencies
# --------------------------------------------------------------------------------------


def _axes_param(axes: int | Sequence[int] | None) -> tuple[int, ...] | None:
    return None if axes is None else (operator.index(axes),) if np.ndim(axes) == 0 else tuple(axes)


def fftshift(x: Any, axes: int | Sequence[int] | None = None) -> Any:
    """Move the zero frequency to the centre of the spectrum; the VJP is ``ifftshift``.

    >>> import fad.numpy as np
    >>> np.fft.fftshift(np.arange(5.0))
    array([3., 4., 0., 1., 2.])

    See Also: ifftshift, fftfreq
    """
    return fftshift_p(_asarray(x), axes=_axes_param(axes))


def ifftshift(x: Any, axes: int | Sequence[int] | None = None) -> Any:
    """Inverse of ``fftshift``; the VJP is ``fftshift``.

    >>> import fad.numpy as np
    >>> np.fft.ifftshift(np.fft.fftshift(np.arange(5.0)))
    array([0., 1., 2., 3., 4.])

    See Also: fftshift
    """
    return ifftshift_p(_asarray(x), axes=_axes_param(axes))


def fftfreq(n: int, d: Any = 1.0) -> Any:
    """The sample frequencies of ``fft``, ``[0, 1, ..., -1] / (n d)``, differentiable in the spacing ``d``.

    >>> import fad.numpy as np
    >>> np.fft.fftfreq(4, 0.5)
    array([ 0. ,  0.5, -1. , -0.5])

    See Also: rfftfreq, fftshift
    """
    n = operator.index(n)
    return np.fft.ifftshift(np.arange(n) - n // 2) * (1.0 / (n * d))


def rfftfreq(n: int, d: Any = 1.0) -> Any:
    """The sample frequencies of ``rfft``, ``[0, 1, ..., n // 2] / (n d)``, differentiable in ``d``.

    >>> import fad.numpy as np
    >>> np.fft.rfftfreq(4, 0.5)
    array([0. , 0.5, 1. ])

    See Also: fftfreq
    """
    n = operator.index(n)
    return np.arange(n // 2 + 1) * (1.0 / (n * d))


# Lists and tuples holding traced values enter every function as traced arrays.
for _name in __all__:
    globals()[_name] = traced_lists_as_arrays(globals()[_name])
del _name
