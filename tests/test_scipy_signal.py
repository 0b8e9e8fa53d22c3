"""The convolutions beyond the rule table: NumPy's and SciPy's values in every mode and boundary,
the gradients as correlations, and errors."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fad
import fad.numpy as np

scipy_signal = pytest.importorskip("scipy.signal")
signal = pytest.importorskip("fad.scipy.signal")


@settings(max_examples=25)
@given(st.integers(1, 6), st.integers(1, 6), st.booleans(), st.integers(0, 2**31 - 1))
def test_numpy_convolve_and_correlate_are_numpys(n, m, complex_, seed):
    rng = numpy.random.default_rng(seed)
    a, v = rng.normal(size=n), rng.normal(size=m)
    if complex_:
        a, v = a + 1j * rng.normal(size=n), v + 1j * rng.normal(size=m)
    for mode in ("full", "same", "valid"):
        numpy.testing.assert_allclose(np.convolve(a, v, mode), numpy.convolve(a, v, mode), atol=1e-12)
        numpy.testing.assert_allclose(np.correlate(a, v, mode), numpy.correlate(a, v, mode), atol=1e-12)


@settings(max_examples=25)
@given(st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_scipy_convolutions_are_scipys(ndim, seed):
    rng = numpy.random.default_rng(seed)
    a, b = rng.normal(size=rng.integers(1, 5, ndim)), rng.normal(size=rng.integers(1, 5, ndim))
    for mode in ("full", "same", "valid"):
        for f in ("convolve", "correlate", "fftconvolve"):
            try:
                want = getattr(scipy_signal, f)(a, b, mode)
            except ValueError:  # 'valid' with neither input the larger: refused by both
                with pytest.raises(ValueError, match="valid"):
                    getattr(signal, f)(a, b, mode)
                continue
            numpy.testing.assert_allclose(getattr(signal, f)(a, b, mode), want, atol=1e-12)
        if ndim == 2:
            for boundary in ("fill", "wrap", "symm"):
                for f in ("convolve2d", "correlate2d"):
                    try:
                        want = getattr(scipy_signal, f)(a, b, mode, boundary, 1.5)
                    except ValueError:
                        continue
                    if boundary != "fill" and mode != "valid" and any(m - 1 > n for n, m in zip(a.shape, b.shape)):
                        with pytest.raises(NotImplementedError, match="use boundary='fill'"):
                            getattr(signal, f)(a, b, mode, boundary, 1.5)
                        continue
                    numpy.testing.assert_allclose(getattr(signal, f)(a, b, mode, boundary, 1.5), want, atol=1e-12)


def test_the_gradient_of_a_convolution_is_a_correlation():
    a, v = numpy.array([1.0, 2.0, -1.0, 0.5]), numpy.array([0.5, -2.0])
    ybar = numpy.array([1.0, -1.0, 2.0, 0.0, 3.0])
    _, back = fad.pullback(np.convolve, a, v)
    abar, vbar = back(ybar)
    numpy.testing.assert_allclose(abar, numpy.correlate(ybar, v, "valid"))
    numpy.testing.assert_allclose(vbar, numpy.correlate(ybar, a, "valid"))


def test_errors_say_what_to_do():
    with pytest.raises(ValueError, match=r"fad.numpy.convolve: v must be a non-empty 1-d array"):
        np.convolve(numpy.ones(3), numpy.ones((2, 2)))
    with pytest.raises(ValueError, match=r"fad.numpy.correlate: mode must be"):
        np.correlate(numpy.ones(3), numpy.ones(2), "middle")
    with pytest.raises(ValueError, match=r"signal.convolve: in1 and in2 should have the same dimensionality"):
        signal.convolve(numpy.ones(3), numpy.ones((2, 2)))
    with pytest.raises(NotImplementedError, match=r"fftconvolve: convolving along some axes only is not supported"):
        signal.fftconvolve(numpy.ones((3, 3)), numpy.ones((2, 2)), axes=0)
    with pytest.raises(ValueError, match=r"convolve2d: boundary must be one of"):
        signal.convolve2d(numpy.ones((3, 3)), numpy.ones((2, 2)), boundary="reflect")
    with pytest.raises(TypeError, match=r"convolve2d: fillvalue has no derivative"):
        fad.grad(lambda c: signal.convolve2d(numpy.ones((2, 2)), numpy.ones((2, 2)), fillvalue=c).sum())(1.0)
