"""The rule table of fad.numpy.fft: every transform, with n/s, axis/axes and the three norms.

Inputs are real or complex (float32/64, complex64/128) where the transform accepts them,
shapes have one to three axes, some with an empty batch axis, and ``n``/``s`` both cut
and zero-pad. A complex input is given as a real array of its real and imaginary parts
(stacked on a last axis) and a complex output is returned as its parts: the derivatives
of that real function do not depend on how complex cotangents are paired, so each entry
checks the transform's rule, in fad's convention for complex numbers, against finite
differences, through fad's rules for building a complex number and taking it apart.
"""

import numpy
from hypothesis import strategies as st

import fad.numpy as np
from fad.testing import strategies as fst

REAL = fst.dtypes("float64", "float32")
ANY = fst.dtypes("float64", "complex128", "float32", "complex64")
NORMS = st.sampled_from([None, "backward", "ortho", "forward"])


def complex_of(z):
    """The complex array whose real and imaginary parts ``z`` stacks on its last axis."""
    return z[..., 0] + 1j * z[..., 1]


def parts(y):
    """A complex value as its real and imaginary parts; a real one as it is."""
    return (np.real(y), np.imag(y)) if y.dtype.kind == "c" else y


def _signal(draw, shape, dtypes, axes):
    """An argument of ``shape`` (sometimes with an empty batch axis, one not in ``axes``) and the
    function that makes the transform's input of it: ``complex_of`` for a complex dtype."""
    batch = [i for i in range(len(shape)) if i not in {a % len(shape) for a in axes}]
    if batch and draw(st.integers(0, 4)) == 0:
        shape = tuple(0 if i == batch[0] else n for i, n in enumerate(shape))
    dtype = draw(dtypes)
    if dtype.kind == "c":
        return draw(fst.arrays(shape + (2,), numpy.finfo(dtype).dtype, lo=-2.0, hi=2.0)), complex_of
    return draw(fst.arrays(shape, dtype, lo=-2.0, hi=2.0)), lambda x: x


def _named(f, transform, make):
    f.__name__ = f"{transform.__name__} of {'complex' if make is complex_of else 'real'} input"
    return f


@st.composite
def one_axis(draw, transform, dtypes=ANY, min_side=1):
    """Arguments for a one-dimensional transform: an array, ``n`` (or None), ``axis``, ``norm``."""
    shape = draw(fst.shapes(min_dims=1, max_dims=3, min_side=min_side))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    n = draw(st.none() | st.integers(1, 6))
    norm = draw(NORMS)
    x, make = _signal(draw, shape, dtypes, [axis])
    return _named(lambda x: parts(transform(make(x), n, axis, norm)), transform, make), (x,)


@st.composite
def many_axes(draw, transform, dtypes=ANY, two=False, min_side=1):
    """Arguments for an n-dimensional transform: an array, ``s`` (or None), ``axes``, ``norm``."""
    shape = draw(fst.shapes(min_dims=2 if two else 1, max_dims=3, min_side=min_side))
    ndim = len(shape)
    if two:
        axes = draw(st.just((-2, -1)) | st.permutations(range(ndim)).map(lambda p: tuple(p[:2])))
    else:
        k = draw(st.integers(1, ndim))
        axes = draw(st.permutations(range(ndim)).map(lambda p: tuple(a - ndim * (a % 2) for a in p[:k])))
        axes = draw(st.just(axes) | st.just(None)) if k == ndim else axes
    count = 2 if two else ndim if axes is None else len(axes)
    s = None if axes is None else draw(st.none() | st.tuples(*[st.integers(1, 5)] * count))
    norm = draw(NORMS)
    x, make = _signal(draw, shape, dtypes, range(ndim) if axes is None else axes)
    if two:
        return _named(lambda x: parts(transform(make(x), s, axes, norm)), transform, make), (x,)
    return _named(lambda x: parts(transform(make(x), s=s, axes=axes, norm=norm)), transform, make), (x,)


@st.composite
def shifts(draw, shift):
    shape = draw(fst.shapes(min_dims=1, max_dims=3))
    ndim = len(shape)
    axes = draw(st.none() | st.integers(-ndim, ndim - 1) | st.permutations(range(ndim)).map(tuple))
    x, make = _signal(draw, shape, ANY, range(ndim))
    return _named(lambda x: parts(shift(make(x), axes)), shift, make), (x,)


@st.composite
def frequencies(draw, freq):
    n = draw(st.integers(1, 6))
    d = draw(fst.floats(0.5, 3.0) | fst.floats(0.5, 3.0).map(numpy.float32))
    return (lambda d: freq(n, d)), (d,)


TABLE = {
    # complex transforms
    "fft.fft": one_axis(np.fft.fft),
    "fft.ifft": one_axis(np.fft.ifft),
    "fft.fftn": many_axes(np.fft.fftn),
    "fft.ifftn": many_axes(np.fft.ifftn),
    "fft.fft2": many_axes(np.fft.fft2, two=True),
    "fft.ifft2": many_axes(np.fft.ifft2, two=True),
    # transforms of real signals (irfft needs two entries for its default n)
    "fft.rfft": one_axis(np.fft.rfft, REAL),
    "fft.irfft": one_axis(np.fft.irfft, min_side=2),
    "fft.rfftn": many_axes(np.fft.rfftn, REAL),
    "fft.irfftn": many_axes(np.fft.irfftn, min_side=2),
    "fft.rfft2": many_axes(np.fft.rfft2, REAL, two=True),
    "fft.irfft2": many_axes(np.fft.irfft2, two=True, min_side=2),
    "fft.hfft": one_axis(np.fft.hfft, min_side=2),
    "fft.ihfft": one_axis(np.fft.ihfft, REAL),
    # shifts and frequencies
    "fft.fftshift": shifts(np.fft.fftshift),
    "fft.ifftshift": shifts(np.fft.ifftshift),
    "fft.fftfreq": frequencies(np.fft.fftfreq),
    "fft.rfftfreq": frequencies(np.fft.rfftfreq),
}
