"""The rule table of the elementwise functions: unary, binary, complex parts.

Each function is drawn on its domain, away from poles, kinks and branch cuts, on arrays
of any small shape (0-d and empty ones too) in float64 and float32. Broadcasting pairs
come from ``fst.broadcastable_shapes``. Piecewise functions (``remainder``, ``clip``,
``fmax``) get values on grids that keep them off their kinks.

Complex inputs are given as real arrays of their real and imaginary parts (stacked on a
last axis), and complex outputs returned as their parts:
``lambda z: parts(f(z[..., 0] + 1j * z[..., 1]))``. The derivatives of that real function
do not depend on how complex cotangents are paired, so the entry checks ``f``'s rule for
complex numbers against finite differences, through fad's own rules for building a
complex number and taking it apart (whose convention tests/test_elementwise.py pins
down). Functions that share a domain share an entry (``"exp:complex"`` draws one of
exp, sin, cosh, ...), to keep the table fast.
"""

import numpy
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fad.numpy as np
from fad.testing import strategies as fst

from .common import apart

SHAPES = fst.shapes() | st.sampled_from([(0,), (2, 0)])  # mostly non-empty


def unary(f, dtype=None, **domain):
    """One array of any small shape (empty ones too) on ``f``'s domain."""
    return fst.arrays(SHAPES, dtype or fst.dtypes(), **domain).map(lambda x: (f, (x,)))


@st.composite
def pair(draw, f, first=None, second=None, dtype=None):
    """A broadcastable pair, each on its own domain (keywords of ``fst.floats``)."""
    s1, s2 = draw(fst.broadcastable_shapes())
    d = draw(dtype or fst.dtypes())
    return f, (draw(fst.arrays(s1, d, **(first or {}))), draw(fst.arrays(s2, d, **(second or {}))))


# --------------------------------------------------------------------------------------
# Complex numbers, as pairs of reals
# --------------------------------------------------------------------------------------


def complex_of(z):
    """The complex array whose real and imaginary parts ``z`` stacks on its last axis, with fad's rules."""
    return z[..., 0] + 1j * z[..., 1]


def parts(z):
    """A complex value as its real and imaginary parts."""
    return np.real(z), np.imag(z)


def named(f, g, what):
    """``f``, named for the function ``g`` it applies to ``what`` (check_grads names it)."""
    f.__name__ = f"{getattr(g, 'name', None) or g.__name__} of {what}"
    return f


def one_of(draw, fs):
    """One function of a family (a tuple), or the one function given."""
    return draw(st.sampled_from(fs)) if isinstance(fs, tuple) else fs


def complex_arrays(draw, shape, dtype, re=None, im=None):
    """Real and imaginary parts, each on its domain (default [-2, 2]), stacked on a last axis."""
    domain = {"lo": -2.0, "hi": 2.0}
    x = draw(fst.arrays(shape, dtype, **{**domain, **(re or {})}))
    y = draw(fst.arrays(shape, dtype, **{**domain, **(im or {})}))
    return numpy.stack([x, y], axis=-1)


@st.composite
def complex_unary(draw, fs, re=None, im=None, real_output=False):
    """``f`` (one of ``fs``) of a complex array of any small shape."""
    f = one_of(draw, fs)
    z = complex_arrays(draw, draw(SHAPES), draw(fst.dtypes()), re, im)
    if real_output:
        return named(lambda z: f(complex_of(z)), f, "complex"), (z,)
    return named(lambda z: parts(f(complex_of(z))), f, "complex"), (z,)


@st.composite
def complex_binary(draw, fs, first=None, second=None):
    """``f`` (one of ``fs``) of two broadcastable complex arrays, ``first`` and ``second`` the domains
    of their parts."""
    f = one_of(draw, fs)
    s1, s2 = draw(fst.broadcastable_shapes())
    d = draw(fst.dtypes())
    z1, z2 = complex_arrays(draw, s1, d, first, first), complex_arrays(draw, s2, d, second, second)
    return named(lambda z1, z2: parts(f(complex_of(z1), complex_of(z2))), f, "complex"), (z1, z2)


@st.composite
def real_and_complex(draw, fs):
    """``f(x, z)`` (``f`` one of ``fs``) for a real ``x`` and a complex ``z``: ``x``'s cotangent is real."""
    f = one_of(draw, fs)
    s1, s2 = draw(fst.broadcastable_shapes())
    d = draw(fst.dtypes())
    x, z = draw(fst.arrays(s1, d, lo=0.5, hi=2.0)), complex_arrays(draw, s2, d)
    return named(lambda x, z: parts(f(x, complex_of(z))), f, "real and complex"), (x, z)


ENTIRE = (np.negative, np.square, np.exp, np.exp2, np.expm1, np.sin, np.cos, np.sinh, np.cosh)
RIGHT_HALF_PLANE = (np.sqrt, np.log, np.log2, np.log10, np.log1p, np.reciprocal)
AWAY = {"avoid": (0.0,), "min_distance": 0.3}  # keeps one part off a branch cut on an axis
RIGHT = {"lo": 0.3, "hi": 2.0}  # keeps off the cut of log and sqrt along the negative reals


# --------------------------------------------------------------------------------------
# Piecewise functions, on grids that keep them off their kinks
# --------------------------------------------------------------------------------------


def grid(shape, lo, hi):
    return hnp.arrays(numpy.int8, shape, elements=st.integers(lo, hi)).map(lambda a: a.astype(numpy.float64))


@st.composite
def remainders(draw):
    """``remainder(x1, x2)`` with ``x1 / x2`` at least 0.2 / |x2| from an integer (its jumps)."""
    s1, s2 = draw(fst.broadcastable_shapes())
    scale = draw(st.sampled_from([1.0, 0.5, 1.5]))
    n, jitter = draw(grid(s1, -3, 3)), draw(fst.arrays(s1, lo=-0.3, hi=0.3))
    divisor = draw(hnp.arrays(numpy.float64, s2, elements=st.sampled_from([1.0, 2.0, -1.0, -2.0])))
    d = draw(fst.dtypes())
    x1, x2 = ((n + 0.5 + jitter) * scale).astype(d), (divisor * scale).astype(d)
    return np.remainder, (x1, x2)


@st.composite
def fmods(draw):
    """``fmod(x1, x2)`` away from its jumps (``x1 / x2`` an integer), signs of both drawn."""
    f, (x1, x2) = draw(remainders())
    return np.fmod, (x1, x2)


@st.composite
def heavisides(draw):
    """``heaviside(x1, h0)`` with some ``x1`` exactly 0 (where ``h0`` is taken), ``h0`` traced."""
    s1, s2 = draw(fst.broadcastable_shapes())
    x1 = draw(hnp.arrays(numpy.float64, s1, elements=st.sampled_from([-1.0, 0.0, 2.0])))
    h0 = draw(fst.arrays(s2))
    return (lambda h0: np.heaviside(x1, h0) + np.heaviside(x1 + 0.5, 0.5) * h0), (h0,)  # x1 jumps at 0: constant


@st.composite
def nan_to_nums(draw):
    """``nan_to_num`` with NaN and infinities placed in ``x`` and traced replacements."""
    x = draw(fst.arrays(fst.shapes(min_dims=1, max_dims=2), numpy.float64))
    special = draw(hnp.arrays(numpy.int8, x.shape, elements=st.sampled_from([0, 0, 1, 2, 3])))
    marks = numpy.array([0.0, numpy.nan, numpy.inf, -numpy.inf])[special]
    return (lambda x, nan, posinf, neginf: np.nan_to_num(numpy.where(special > 0, marks, 0.0) + x * (special == 0),
                                                         nan=nan, posinf=posinf, neginf=neginf)), (
        x, draw(fst.floats()), draw(fst.floats()), draw(fst.floats()))


@st.composite
def clips(draw):
    """``clip(a, a_min, a_max)``, all traced and broadcast, ``a`` at least 0.25 from each bound."""
    sa, slo, shi = draw(fst.broadcastable_shapes(n=3))
    a = draw(grid(sa, -4, 3)) + 0.5
    lo, hi = draw(grid(slo, -3, 0)) - 0.25, draw(grid(shi, 0, 3)) + 0.25
    return np.clip, (a, lo, hi)


# fmt: off
TABLE = {
    # unary, real
    "fabs":        unary(np.fabs, avoid=(0.0,)),
    "reciprocal":  unary(np.reciprocal, lo=-3.0, hi=3.0, avoid=(0.0,), min_distance=0.5),
    "square":      unary(np.square),
    "cbrt":        unary(np.cbrt, lo=-3.0, hi=3.0, avoid=(0.0,), min_distance=0.3),
    "exp2":        unary(np.exp2, lo=-4.0, hi=4.0),
    "expm1":       unary(np.expm1, lo=-4.0, hi=4.0),
    "log2":        unary(np.log2, lo=0.0, open_lo=True, min_distance=0.2),
    "log10":       unary(np.log10, lo=0.0, open_lo=True, min_distance=0.2),
    "log1p":       unary(np.log1p, lo=-1.0, open_lo=True, min_distance=0.2),
    "tan":         unary(np.tan, lo=-1.2, hi=1.2),
    "arcsin":      unary(np.arcsin, lo=-0.8, hi=0.8),
    "arccos":      unary(np.arccos, lo=-0.8, hi=0.8),
    "arctan":      unary(np.arctan),
    "sinh":        unary(np.sinh, lo=-3.0, hi=3.0),
    "cosh":        unary(np.cosh, lo=-3.0, hi=3.0),
    "arcsinh":     unary(np.arcsinh),
    "arccosh":     unary(np.arccosh, lo=1.0, open_lo=True, min_distance=0.2),
    "arctanh":     unary(np.arctanh, lo=-0.8, hi=0.8),
    "deg2rad":     unary(np.deg2rad),
    "rad2deg":     unary(np.rad2deg),
    "sinc":        unary(np.sinc, lo=-3.0, hi=3.0),
    "nan_to_num":  unary(np.nan_to_num),
    "clip":        unary(lambda x: np.clip(x, -1.0, 1.0), lo=-3.0, hi=3.0, avoid=(-1.0, 1.0)),
    "clip:traced-bounds": clips(),
    "clip:one-sided": unary(lambda x: np.clip(x, None, 0.5) + x.clip(min=-0.5), avoid=(-0.5, 0.5)),
    # binary, real
    "float_power": pair(np.float_power, {"lo": 0.5, "hi": 2.0}, {"lo": -2.0, "hi": 2.0}),
    "fmax":        apart(np.fmax),
    "fmin":        apart(np.fmin),
    "logaddexp":   pair(np.logaddexp),
    "logaddexp2":  pair(np.logaddexp2),
    "remainder":   remainders(),
    "fmod":        fmods(),
    "heaviside":   heavisides(),
    "nan_to_num:traced-replacements": nan_to_nums(),
    "arctan2":     pair(np.arctan2, {"lo": -3.0, "hi": 3.0, **AWAY}, {"lo": -3.0, "hi": 3.0}),  # off its cut
    "hypot":       pair(np.hypot, {"lo": -3.0, "hi": 3.0, **AWAY}),
    # complex parts
    "real":        complex_unary(np.real, real_output=True),
    "imag":        complex_unary(np.imag, real_output=True),
    "conj":        complex_unary(np.conj),
    "angle":       complex_unary(np.angle, im=AWAY, real_output=True),
    "angle:degrees": complex_unary(lambda z: np.angle(z, deg=True), re=RIGHT, real_output=True),
    "angle:real":  unary(np.angle, avoid=(0.0,)),
    "absolute:complex": complex_unary(np.abs, im=AWAY, real_output=True),
    # complex inputs and outputs, by families sharing a domain (a few examples each)
    "exp:complex":      complex_unary(ENTIRE),
    "log:complex":      complex_unary(RIGHT_HALF_PLANE, re=RIGHT),
    "tan:complex":      complex_unary((np.tan, np.tanh), re={"lo": -1.2, "hi": 1.2}, im={"lo": -1.2, "hi": 1.2}),
    "arcsin:complex":   complex_unary((np.arcsin, np.arccos, np.arctanh, np.arccosh), im=AWAY),
    "arctan:complex":   complex_unary((np.arctan, np.arcsinh), re=AWAY),
    "sinc:complex":     complex_unary((np.sinc, np.nan_to_num), re={"lo": -1.0, "hi": 1.0}, im={"lo": -1.0, "hi": 1.0}),
    "multiply:complex": complex_binary((np.add, np.subtract, np.multiply, np.divide), second=RIGHT),
    "power:complex":    complex_binary(np.power, first=RIGHT, second={"lo": -1.5, "hi": 1.5}),
    "multiply:real-and-complex": real_and_complex(
        (np.multiply, np.add, lambda x, z: np.divide(z, x) + np.divide(x, z + 3.0))),
}
# fmt: on
