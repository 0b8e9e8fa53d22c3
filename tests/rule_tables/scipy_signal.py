"""The rule table of the convolutions: fad.numpy.convolve/correlate and fad.scipy.signal (without SciPy,
only fad.numpy's), in both inputs and every mode."""

import numpy
from hypothesis import strategies as st

import fad.numpy as np
from fad.testing import strategies as fst

try:
    import fad.scipy.signal as signal
except ImportError:  # no SciPy: only fad.numpy's convolutions
    signal = None

MODES = st.sampled_from(("full", "same", "valid"))


@st.composite
def vectors(draw, f):
    """Two non-empty vectors (either may be the longer) and a NumPy mode."""
    n, m = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dtype = draw(fst.dtypes())
    a, v = draw(fst.arrays((n,), dtype)), draw(fst.arrays((m,), dtype))
    mode = draw(MODES)
    return (lambda a, v: f(a, v, mode)), (a, v)


@st.composite
def n_d(draw, f, ndim=None):
    """Two arrays of one ndim (one larger on every axis for 'valid') and a SciPy mode."""
    ndim = draw(st.integers(1, 3)) if ndim is None else ndim
    mode = draw(MODES)
    s1 = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    s2 = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    if mode == "valid":
        s2 = tuple(min(n, m) for n, m in zip(s1, s2))
        s1, s2 = (s2, s1) if draw(st.booleans()) else (s1, s2)
    a, b = draw(fst.arrays(s1, numpy.float64)), draw(fst.arrays(s2, numpy.float64))
    return (lambda a, b: f(a, b, mode)), (a, b)


@st.composite
def two_d(draw, f):
    """2-d inputs with SciPy's boundaries: fill (with a fill value), wrap and symm."""
    case, (a, b) = draw(n_d(lambda a, b, mode: mode, ndim=2))
    mode = case(None, None)
    boundary = draw(st.sampled_from(("fill", "wrap", "symm")))
    if boundary != "fill" and any(m - 1 > n for n, m in zip(a.shape, b.shape)):
        boundary = "fill"
    fillvalue = draw(st.sampled_from((0.0, 1.5)))
    return (lambda a, b: f(a, b, mode, boundary, fillvalue)), (a, b)


TABLE = {
    "convolve": vectors(np.convolve),
    "correlate": vectors(np.correlate),
}
if signal is not None:
    TABLE.update({
        "scipy.signal.convolve": n_d(signal.convolve),
        "scipy.signal.correlate": n_d(signal.correlate),
        "scipy.signal.fftconvolve": n_d(signal.fftconvolve),
        "scipy.signal.convolve2d": two_d(signal.convolve2d),
        "scipy.signal.correlate2d": two_d(signal.correlate2d),
    })
