"""fad.numpy.fft beyond the rule table: values and dtypes as NumPy's, the adjoint convention,
dispatch of ``numpy.fft`` on traced values, and errors."""

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fad
import fad.numpy as np
from fad.testing import check_grads
from fad.testing import strategies as fst

TRANSFORMS = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
ND_TRANSFORMS = ["fftn", "ifftn", "fft2", "ifft2", "rfftn", "irfftn", "rfft2", "irfft2"]
REAL_ONLY = {"rfft", "ihfft", "rfftn", "rfft2"}


def signal(name, dtype, shape=(3, 4)):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(shape)
    if name not in REAL_ONLY:
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(numpy.result_type(dtype, x.dtype) if name not in REAL_ONLY else dtype)


@pytest.mark.parametrize("name", TRANSFORMS)
@pytest.mark.parametrize("n", [None, 3, 6])
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_one_dimensional_transforms_agree_with_numpy(name, n, norm):
    x = signal(name, numpy.float64)
    want = getattr(numpy.fft, name)(x, n, 0, norm)
    got = getattr(np.fft, name)(x, n, 0, norm)
    assert got.dtype == want.dtype and got.shape == want.shape
    numpy.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ND_TRANSFORMS)
@pytest.mark.parametrize("s, axes", [(None, None), ((3, 5), (0, -1)), ((2, 2), (-1, 0)), (None, (1,))])
def test_n_dimensional_transforms_agree_with_numpy(name, s, axes):
    x = signal(name, numpy.float64, (3, 4, 2))
    if name.endswith("2") and axes is not None and len(axes) != 2:
        axes = (1, 2)
    kwargs = {} if axes is None and name.endswith("2") else {"axes": axes}
    want = getattr(numpy.fft, name)(x, s, norm="ortho", **kwargs)
    got = getattr(np.fft, name)(x, s, norm="ortho", **kwargs)
    assert got.dtype == want.dtype and got.shape == want.shape
    numpy.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", TRANSFORMS + ND_TRANSFORMS)
def test_single_precision_stays_single_precision(name):
    x = signal(name, numpy.float32)
    y = getattr(np.fft, name)(x)
    assert y.dtype == getattr(numpy.fft, name)(x).dtype
    real = name in REAL_ONLY or name in ("irfft", "hfft", "irfftn", "irfft2")
    ybar = numpy.ones(y.shape, y.dtype) if real else (1 + 1j) * numpy.ones(y.shape, y.dtype)
    (xbar,) = fad.pullback(getattr(np.fft, name), x)[1](ybar)
    assert xbar.dtype == x.dtype and xbar.shape == x.shape


def test_the_vjp_of_fft_is_fft_itself():
    # the DFT matrix is symmetric, and fad's VJPs are transposes, never conjugated (docs/complex.md)
    x, ybar = signal("fft", numpy.float64, (5,)), signal("ifft", numpy.float64, (5,))[::-1].copy()
    for norm in (None, "ortho", "forward"):
        (xbar,) = fad.pullback(lambda x: np.fft.fft(x, norm=norm), x)[1](ybar)
        numpy.testing.assert_allclose(xbar, numpy.fft.fft(ybar, norm=norm), rtol=1e-12)
        (xbar,) = fad.pullback(lambda x: np.fft.ifft(x, norm=norm), x)[1](ybar)
        numpy.testing.assert_allclose(xbar, numpy.fft.ifft(ybar, norm=norm), rtol=1e-12)


def test_the_vjp_of_fft_of_a_real_signal_is_real():
    x = numpy.array([1.0, -2.0, 0.5, 3.0])
    ybar = numpy.array([1 + 2j, -1j, 0.5, 2 - 1j])
    (xbar,) = fad.pullback(np.fft.fft, x)[1](ybar)
    assert xbar.dtype == numpy.float64
    numpy.testing.assert_allclose(xbar, numpy.fft.fft(ybar).real, rtol=1e-12)


def test_the_gradient_of_a_real_loss_follows_fads_convention():
    # Parseval: sum |fft(z)|^2 = n sum |z|^2, whose gradient is df/dx - i df/dy = 2 n conj(z)
    z = signal("fft", numpy.float64, (6,))
    g = fad.grad(lambda z: np.sum(np.abs(np.fft.fft(z)) ** 2))(z)
    numpy.testing.assert_allclose(g, 2 * 6 * numpy.conj(z), rtol=1e-12)
    g = fad.grad(lambda x: np.sum(np.abs(np.fft.rfft(x, norm="ortho")) ** 2))(z.real)  # half the spectrum
    want = 2 * numpy.fft.fft(numpy.fft.rfft(z.real, norm="ortho").conj(), n=6, norm="ortho").real
    numpy.testing.assert_allclose(g, want, rtol=1e-12)


@pytest.mark.parametrize("n", [4, 5])
def test_rfft_vjp_counts_the_folded_bins_once(n):
    # rfft is fft followed by keeping the first n // 2 + 1 bins: its VJP is fft's of the zero-padded ybar
    x = signal("rfft", numpy.float64, (n,))
    ybar = signal("fft", numpy.float64, (n // 2 + 1,))
    (xbar,) = fad.pullback(np.fft.rfft, x)[1](ybar)
    padded = numpy.concatenate([ybar, numpy.zeros(n - n // 2 - 1)])
    numpy.testing.assert_allclose(xbar, numpy.fft.fft(padded).real, rtol=1e-12)


def test_irfft_ignores_the_imaginary_part_of_the_zero_and_nyquist_bins():
    a = numpy.array([1.0 + 0.5j, 2.0 - 1.0j, 0.5 + 3.0j])  # n = 4: bin 2 is the Nyquist bin
    (abar,) = fad.pullback(np.fft.irfft, a)[1](numpy.array([1.0, -1.0, 2.0, 0.5]))
    assert abar[0].imag == 0 and abar[2].imag == 0 and abar[1].imag != 0


@given(fst.arrays(fst.shapes(min_dims=1).map(lambda s: s + (2,)), lo=-2.0, hi=2.0))
def test_fft_then_ifft_is_the_identity_to_second_order(x):
    check_grads(lambda x: np.real(np.fft.ifft(np.fft.fft(x[..., 0] + 1j * x[..., 1], axis=0), axis=0)), x)
    for z in (x, x + 1j):
        y, back = fad.pullback(lambda z: np.fft.ifftn(np.fft.fftn(z)), z)
        ybar = (1 - 2j) * numpy.ones_like(y)
        numpy.testing.assert_allclose(back(ybar)[0], ybar if z.dtype.kind == "c" else ybar.real, atol=1e-12)


def test_fftn_is_one_fft_per_axis_on_the_tape():
    tape = fad.tape(lambda x: np.fft.fftn(x, s=(1, 5)))(numpy.ones((2, 4)))
    names = [entry.primitive.name for entry in tape.entries]
    assert names.count("fft") == 2 and "getitem" in names and "concatenate" in names  # cut and pad


def test_empty_batch_axes():
    x = numpy.zeros((0, 4))
    assert np.fft.rfft(x).shape == numpy.fft.rfft(x).shape == (0, 3)
    (xbar,) = fad.pullback(np.fft.rfft, x)[1](numpy.zeros((0, 3), complex))
    assert xbar.shape == (0, 4) and xbar.dtype == numpy.float64


# --------------------------------------------------------------------------------------
# Shifts and sample frequencies
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("axes", [None, 0, -1, (1, 0)])
def test_shifts_agree_with_numpy_and_invert_each_other(axes):
    x = numpy.arange(15.0).reshape(3, 5)
    numpy.testing.assert_array_equal(np.fft.fftshift(x, axes), numpy.fft.fftshift(x, axes))
    numpy.testing.assert_array_equal(np.fft.ifftshift(x, axes), numpy.fft.ifftshift(x, axes))
    (xbar,) = fad.pullback(lambda x: np.fft.fftshift(x, axes), x)[1](numpy.fft.fftshift(x, axes))
    numpy.testing.assert_array_equal(xbar, x)


@pytest.mark.parametrize("n", [1, 4, 5])
def test_frequencies_agree_with_numpy_and_are_differentiable_in_the_spacing(n):
    numpy.testing.assert_array_equal(np.fft.fftfreq(n, 0.1), numpy.fft.fftfreq(n, 0.1))
    numpy.testing.assert_array_equal(np.fft.rfftfreq(n, 0.1), numpy.fft.rfftfreq(n, 0.1))
    g = fad.grad(lambda d: np.sum(np.fft.fftfreq(n, d) ** 2))(0.5)
    numpy.testing.assert_allclose(g, -2 * numpy.sum(numpy.fft.fftfreq(n, 0.5) ** 2) / 0.5)


# --------------------------------------------------------------------------------------
# numpy.fft on traced values
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TRANSFORMS + ND_TRANSFORMS + ["fftshift", "ifftshift"])
def test_numpy_fft_dispatches_to_fad(name):
    x = signal(name, numpy.float64)
    y, back = fad.pullback(getattr(numpy.fft, name), x)
    numpy.testing.assert_allclose(y, getattr(numpy.fft, name)(x), rtol=1e-12, atol=1e-12)
    want = fad.pullback(getattr(np.fft, name), x)[1](numpy.ones_like(y))
    numpy.testing.assert_allclose(back(numpy.ones_like(y))[0], want[0], rtol=1e-12)


def test_numpy_fft_frequencies_of_a_traced_spacing():
    g = fad.grad(lambda d: np.sum(numpy.fft.rfftfreq(4, d)))(0.5)
    assert g == pytest.approx(-(0 + 1 + 2) / (4 * 0.25))


# --------------------------------------------------------------------------------------
# Errors name the function and what to do
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: np.fft.fft(numpy.ones(4), norm="unitary"), ValueError, r"fft\.fft: norm must be"),
        (lambda: np.fft.fft(numpy.ones(4), n=0), ValueError, r"fft\.fft: the number of points n"),
        (lambda: np.fft.irfft(numpy.ones(4), n=0), ValueError, r"fft\.irfft: the number of points"),
        (lambda: np.fft.fft(numpy.ones(4), axis=1), numpy.exceptions.AxisError, r"fad\.numpy\.fft\.fft"),
        (lambda: np.fft.fft(numpy.ones(4), out=numpy.ones(4, complex)), TypeError, r"out= is not supported"),
        (lambda: np.fft.rfft(numpy.ones(4) + 1j), TypeError, r"rfft: the input must be real.*use the complex"),
        (lambda: np.fft.fftn(numpy.ones((2, 2)), s=(2,), axes=(0, 1)), ValueError, r"s and axes have different"),
        (lambda: np.fft.rfftn(numpy.ones((2, 2)), axes=()), ValueError, r"rfftn: needs at least one axis"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.skipif(numpy.lib.NumpyVersion(numpy.__version__) < "2.0.0", reason="numpy.fft has out= since NumPy 2.0")
def test_out_is_refused_on_traced_values_through_numpy():
    with pytest.raises(TypeError, match="out= is not supported"):
        fad.pullback(lambda x: numpy.fft.fft(x, out=numpy.empty(4, complex)), numpy.ones(4))


@given(st.sampled_from([None, "backward", "ortho", "forward"]), st.integers(1, 6))
def test_hfft_and_ihfft_agree_with_numpy(norm, n):
    a = signal("hfft", numpy.float64, (4,))
    numpy.testing.assert_allclose(np.fft.hfft(a, n, norm=norm), numpy.fft.hfft(a, n, norm=norm), atol=1e-12)
    x = signal("ihfft", numpy.float64, (4,))
    numpy.testing.assert_allclose(np.fft.ihfft(x, n, norm=norm), numpy.fft.ihfft(x, n, norm=norm), atol=1e-12)
