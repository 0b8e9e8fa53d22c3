"""Elementwise functions: unary, binary (broadcasting), complex parts, and the piecewise constant.

Each unary rule is the note's ``j(f)(y, ybar, x) = (ybar * f'(x),)``, written with fad's
own functions so that it can be differentiated again; each binary rule is given per input
and summed back to the input's shape after broadcasting (:func:`fad.numpy._base.binary`).

Complex numbers follow the convention of autograd and JAX (see ``docs/complex.md``): a
complex number is a pair of reals, values and cotangents are paired by
``<a, b> = Re(sum(a * b))`` (no conjugate), so a rule is never conjugated::

    j(f)(y, ybar, z) = (ybar * f'(z),)          f holomorphic: exp, log, sin, sqrt, ...
    j(abs)(y, ybar, z) = (ybar * conj(z) / |z|,)    j(conj)(y, ybar, z) = (conj(ybar),)
    j(real)(y, ybar, z) = (ybar + 0j,)              j(imag)(y, ybar, z) = (-1j * ybar,)

and the gradient of a real ``f`` of ``z = x + iy`` is ``df/dx - i df/dy`` (its conjugate
is the direction of steepest ascent). A real input of a complex operation gets the real
part of its cotangent, in its own dtype.

Where a derivative is infinite (``sqrt``, ``cbrt``, ``arcsin``, ... at the ends of their
domains) the rule divides with :data:`divide_or_zero_p`, which takes ``0 * inf`` as 0: the
cotangent is ``inf`` times the sign of ``ybar``, and 0 (never NaN) where ``ybar`` is 0,
so ``x * sqrt(x)`` has derivative 0 at 0. Where a function has a kink, fad takes a
conventional subgradient: ``abs``, ``angle``, ``hypot`` and ``arctan2`` have derivative 0
at 0, ``clip`` passes the whole cotangent to ``a`` on the bounds, and ``maximum``,
``minimum``, ``fmax``, ``fmin`` share it equally at ties.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Traced, primitive, untraced
from fad.numpy._base import (
    astype_p,
    binary,
    cotangent_for,
    dtype_of,
    is_complex,
    nondiff,
    operator_or,
    unbroadcast,
    where_p,
)

__all__ = [
    # unary
    "negative", "exp", "log", "sin", "cos", "tanh",
    "absolute", "abs", "fabs", "reciprocal", "square", "sqrt", "cbrt", "exp2", "expm1", "log2", "log10",
    "log1p", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "deg2rad", "radians", "rad2deg", "degrees", "sinc", "nan_to_num", "clip",
    # binary, broadcasting
    "add", "subtract", "multiply", "divide", "true_divide", "power", "float_power", "maximum", "minimum",
    "fmax", "fmin",
    "logaddexp", "logaddexp2", "remainder", "mod", "fmod", "arctan2", "hypot",
    # complex numbers
    "real", "imag", "conj", "conjugate", "angle",
    # no derivative, by definition
    "logical_xor", "around", "fix", "signbit", "heaviside", "iscomplex", "isreal", "floor_divide",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "sign", "floor", "ceil", "round", "rint", "trunc", "isfinite", "isnan", "isinf",
    "logical_and", "logical_or", "logical_not",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Helpers: dtypes, constants, masks, and the cotangent of a real input
# --------------------------------------------------------------------------------------


def _float_dtype(x: Any) -> np.dtype:
    """The real floating dtype of ``x``'s precision (float32 for complex64, float64 for integers)."""
    dtype = dtype_of(x)
    return np.finfo(dtype).dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _const(c: float, x: Any) -> Any:
    """The real constant ``c`` as a NumPy scalar of ``x``'s precision: ``x * c`` keeps ``x``'s dtype.

    (A Python float would do on NumPy 2, where it is weak; NumPy 1 promotes 0-d float32.)
    """
    return _float_dtype(x).type(c)


def _mask(condition: Any, ybar: Any) -> np.ndarray:
    """A constant 0/1 (or 0/0.5/1) array, in the real dtype of ``ybar``."""
    return np.asarray(condition).astype(_float_dtype(ybar))


def _nonzero(d: Any) -> Any:
    """``d`` with its zeros replaced by 1 (a denominator whose numerator is 0 there)."""
    return where_p(untraced(d) == 0, 1, d)


def _quotient_or_zero(a: Any, b: Any) -> Any:
    """``a / b``, and 0 wherever ``a`` is 0, even where ``b`` is 0 or infinite."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.divide(a, b)
    return np.where(np.asarray(a) == 0, np.zeros((), np.result_type(q)), q)[()]


def _fmax_share(ybar: Any, x1: Any, x2: Any) -> np.ndarray:
    """1 where ``fmax`` takes ``x1`` (larger, or ``x2`` is NaN), 1/2 at ties, 0 elsewhere: a constant."""
    a, b = untraced(x1), untraced(x2)
    taken = (a > b) | (np.isnan(b) & ~np.isnan(a))
    return _mask(np.where(taken, 1.0, np.where(a == b, 0.5, 0.0)), ybar)


def _fmin_share(ybar: Any, x1: Any, x2: Any) -> np.ndarray:
    """1 where ``fmin`` takes ``x1`` (smaller, or ``x2`` is NaN), 1/2 at ties, 0 elsewhere: a constant."""
    return _fmax_share(ybar, -untraced(x1), -untraced(x2))



def _positive_mask(ybar: Any, x1: Any, x2: Any) -> Any:
    """1 where ``x1 > x2``, 1/2 at ties (the gradient is shared), 0 elsewhere: a constant."""
    a, b = untraced(x1), untraced(x2)
    mask = np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))
    return mask.astype(dtype_of(ybar), copy=False)


def _power_x1(y: Any, ybar: Any, x1: Any, x2: Any) -> Any:
    """d(x1 ** x2)/dx1 = x2 * x1 ** (x2 - 1), taken as 0 where x1 == x2 == 0.

    At ``x1 = 0`` a power ``x2 < 1`` has an infinite slope, and the rule gives it, as JAX
    does (``grad(lambda x: x ** 0.5)(0.0)`` is ``inf``), with no warning.
    """
    with np.errstate(divide="ignore"):
        if isinstance(x2, (int, float)):  # a constant exponent, the common case
            if x2 == 0:
                return ybar * 0
            return ybar * x2 * (x1 if x2 == 2 else power(x1, x2 - 1))  # x ** 2 needs no x ** 1 on the tape
        base = where_p((untraced(x1) == 0) & (untraced(x2) == 0), 1, x1)  # 0 ** -1 would give 0 * inf
        return ybar * x2 * power(base, x2 - 1)


def _power_x2(y: Any, ybar: Any, x1: Any, x2: Any) -> Any:
    """d(x1 ** x2)/dx2 = y * log(x1), taking log(0) as 0 (y is 0 there)."""
    return ybar * y * log(where_p(untraced(x1) == 0, 1, x1))


def _real_rule(ybar: Any, x: Any) -> Any:
    """``ybar + 0j`` for complex ``x``: the real part's cotangent, as a complex number."""
    return complex_p(ybar, dtype=dtype_of(x)) if is_complex(x) else ybar


def _imag_rule(ybar: Any, x: Any) -> Any:
    """``-1j * ybar`` for complex ``x`` (so that ``Re(xbar * v) = ybar * Im(v)``); none for real ``x``."""
    return complex_p(ybar, dtype=dtype_of(x)) * dtype_of(x).type(-1j) if is_complex(x) else None


def _abs_rule(y: Any, ybar: Any, x: Any) -> Any:
    """``ybar * conj(x) / |x|`` (``ybar * sign(x)`` for real ``x``), and 0 at ``x = 0``."""
    if is_complex(x):
        return divide_or_zero_p(ybar * conj(x), y)
    return ybar * _mask(np.sign(untraced(x)), ybar)


def _sinc_dtype(x: Any) -> np.dtype:
    """The dtype of ``sinc(x)``: ``x``'s if inexact, float64 for integers (NumPy 1 promotes 0-d float32)."""
    dtype = dtype_of(x)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def _sinc(x: Any) -> Any:
    """``numpy.sinc(x)`` in :func:`_sinc_dtype`."""
    return np.asarray(np.sinc(x)).astype(_sinc_dtype(x))[()]


def _sinc_derivative(x: Any, n: int = 1) -> Any:
    """The ``n``-th derivative of ``sinc(x) = sin(pi x) / (pi x)``, for real or complex ``x``.

    Near 0 (``|x| < 1/2``) by its Maclaurin series,
    ``sum_k (-1)^k pi^(2k) x^(2k-n) / ((2k + 1) (2k - n)!)``; elsewhere by the recurrence
    that differentiating ``x sinc(x) = sin(pi x) / pi`` ``n`` times gives,
    ``x s_n = pi^(n-1) sin(pi x + n pi / 2) - n s_(n-1)``.
    """
    x = np.asarray(x)
    dtype = _sinc_dtype(x)
    w = x.astype(np.result_type(dtype, np.float64))
    near = np.abs(w) < 0.5
    series = sum(
        (-1) ** k * math.pi ** (2 * k) / ((2 * k + 1) * math.factorial(2 * k - n)) * w ** (2 * k - n)
        for k in range((n + 1) // 2, n // 2 + 16)
    )
    far = np.where(near, 1.0, w)
    phases = (np.sin, np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t))  # sin(t + m pi / 2)
    s = np.sinc(far)
    for m in range(1, n + 1):
        s = (math.pi ** (m - 1) * phases[m % 4](math.pi * far) - m * s) / far
    return np.where(near, series, s).astype(dtype)[()]


def _floor_quotient(ybar: Any, x1: Any, x2: Any) -> np.ndarray:
    """``floor(x1 / x2)`` as a constant: the derivative of ``remainder`` in ``x2`` is its negative."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _mask(np.floor_divide(untraced(x1), untraced(x2)), ybar)


def _trunc_quotient(ybar: Any, x1: Any, x2: Any) -> np.ndarray:
    """``trunc(x1 / x2)`` as a constant: the derivative of ``fmod`` in ``x2`` is its negative."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _mask(np.trunc(np.divide(untraced(x1), untraced(x2))), ybar)


def _at_zero(ybar: Any, x1: Any) -> np.ndarray:
    """1 where ``x1 == 0``, else 0: where ``heaviside`` takes its second argument (a constant)."""
    return _mask(np.asarray(untraced(x1)) == 0, ybar)


def _clip_rule(k: int) -> Callable:
    """The cotangent of ``a`` (k = 0), ``a_min`` (1) or ``a_max`` (2) of ``clip``.

    ``y = min(max(a, a_min), a_max)`` comes from ``a_max`` where ``max(a, a_min) > a_max``,
    else from ``a_min`` where ``a < a_min``, else from ``a`` (bounds included). Where
    ``a == a_min == a_max`` it comes from ``a_max``: ``a`` moved either way is clipped.
    """

    def rule(y: Any, ybar: Any, a: Any, a_min: Any, a_max: Any) -> Any:
        x, lo, hi = untraced(a), untraced(a_min), untraced(a_max)
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        from_hi = (np.maximum(x, lo) > hi) | ((x == lo) & (lo == hi))
        from_lo = ~from_hi & (x < lo)
        source, input_k = (~(from_hi | from_lo), from_lo, from_hi)[k], (a, a_min, a_max)[k]
        return cotangent_for(unbroadcast(ybar * _mask(source, ybar), input_k), input_k)

    return rule


def make_complex(re: Any, im: Any, dtype: np.dtype) -> Any:
    """``re + 1j * im`` for real ``re`` and ``im``, of the complex ``dtype``."""
    return add(complex_p(re, dtype=dtype), multiply(complex_p(im, dtype=dtype), dtype.type(1j)))


# fmt: off
# --------------------------------------------------------------------------------------
# Division that takes 0 * inf as 0, for derivatives that are infinite at a point
# --------------------------------------------------------------------------------------
divide_or_zero_p = binary(_quotient_or_zero, lambda y, ybar, a, b: divide_or_zero_p(ybar, b),
                                             lambda y, ybar, a, b: -divide_or_zero_p(ybar * a, b * b),
                          name="divide_or_zero", unread=(0,))

# --------------------------------------------------------------------------------------
# Complex parts                     j(real)(y, ybar, z) = (ybar + 0j,), j(imag) = (-1j * ybar,)
# --------------------------------------------------------------------------------------
real       = primitive(np.real,       lambda y, ybar, x: (_real_rule(ybar, x),),                        unread=(0,))
imag       = primitive(np.imag,       lambda y, ybar, x: (_imag_rule(ybar, x),),                        unread=(0,))
conj       = primitive(np.conjugate, lambda y, ybar, x: (conj(ybar),), name="conjugate", unread=(0, 1))
complex_p  = primitive(lambda x, dtype=None: np.asarray(x).astype(dtype)[()],
                       lambda y, ybar, x, dtype=None: (cotangent_for(real(ybar), x),), name="complex", unread=(0,))

# --------------------------------------------------------------------------------------
# Elementwise, unary                j(f)(y, ybar, x) = (ybar * f'(x),), never conjugated
# --------------------------------------------------------------------------------------
negative   = primitive(np.negative,   lambda y, ybar, x: (-ybar,),                                      unread=(0, 1))
exp        = primitive(np.exp,        lambda y, ybar, x: (y * ybar,),                                   unread=(1,))
log        = primitive(np.log,        lambda y, ybar, x: (ybar / x,),                                   unread=(0,))
sin        = primitive(np.sin,        lambda y, ybar, x: (ybar * cos(x),),                              unread=(0,))
cos        = primitive(np.cos,        lambda y, ybar, x: (-ybar * sin(x),),                             unread=(0,))
tanh       = primitive(np.tanh,       lambda y, ybar, x: (ybar * (1 - y * y),),                         unread=(1,))
absolute   = primitive(np.absolute,   lambda y, ybar, x: (_abs_rule(y, ybar, x),))
fabs       = primitive(np.fabs,       lambda y, ybar, x: (ybar * _mask(np.sign(untraced(x)), ybar),),   unread=(0,))
reciprocal = primitive(np.reciprocal, lambda y, ybar, x: (-ybar * y * y,),                              unread=(1,))
square     = primitive(np.square,     lambda y, ybar, x: (ybar * (2 * x),),                             unread=(0,))
sqrt       = primitive(np.sqrt,       lambda y, ybar, x: (divide_or_zero_p(ybar, 2 * y),),              unread=(1,))
cbrt       = primitive(np.cbrt,       lambda y, ybar, x: (divide_or_zero_p(ybar, 3 * y * y),),          unread=(1,))
exp2       = primitive(np.exp2,       lambda y, ybar, x: (ybar * y * math.log(2),),                     unread=(1,))
expm1      = primitive(np.expm1,      lambda y, ybar, x: (ybar * (y + 1),),                             unread=(1,))
log2       = primitive(np.log2,       lambda y, ybar, x: (ybar / (x * math.log(2)),),                   unread=(0,))
log10      = primitive(np.log10,      lambda y, ybar, x: (ybar / (x * math.log(10)),),                  unread=(0,))
log1p      = primitive(np.log1p,      lambda y, ybar, x: (ybar / (1 + x),),                             unread=(0,))
tan        = primitive(np.tan,        lambda y, ybar, x: (ybar * (1 + y * y),),                         unread=(1,))
arcsin     = primitive(np.arcsin,     lambda y, ybar, x: (divide_or_zero_p(ybar, sqrt(1 - x * x)),),    unread=(0,))
arccos     = primitive(np.arccos,     lambda y, ybar, x: (-divide_or_zero_p(ybar, sqrt(1 - x * x)),),   unread=(0,))
arctan     = primitive(np.arctan,     lambda y, ybar, x: (ybar / (1 + x * x),),                         unread=(0,))
sinh       = primitive(np.sinh,       lambda y, ybar, x: (ybar * cosh(x),),                             unread=(0,))
cosh       = primitive(np.cosh,       lambda y, ybar, x: (ybar * sinh(x),),                             unread=(0,))
arcsinh    = primitive(np.arcsinh,    lambda y, ybar, x: (ybar / sqrt(x * x + 1),),                     unread=(0,))
arccosh    = primitive(np.arccosh,    lambda y, ybar, x: (divide_or_zero_p(ybar, sqrt(x - 1) * sqrt(x + 1)),),
                       unread=(0,))
arctanh    = primitive(np.arctanh,    lambda y, ybar, x: (divide_or_zero_p(ybar, 1 - x * x),),          unread=(0,))
sinc       = primitive(_sinc,         lambda y, ybar, x: (ybar * sinc_derivative_p(x, n=1),),
                       unread=(0,), name="sinc")
sinc_derivative_p = primitive(_sinc_derivative, lambda y, ybar, x, n=1: (ybar * sinc_derivative_p(x, n=n + 1),),
                              name="sinc_derivative", unread=(0,))
clip_p     = primitive(np.clip, (_clip_rule(0), _clip_rule(1), _clip_rule(2)), name="clip", unread=(0,))

# --------------------------------------------------------------------------------------
# Binary, broadcasting              j(f)(y, ybar, x1, x2) = (x1bar, x2bar)
# --------------------------------------------------------------------------------------
add        = binary(operator_or(operator.add, np.add),        lambda y, ybar, x1, x2: ybar,
                                                              lambda y, ybar, x1, x2: ybar,       unread=(0,))
subtract   = binary(operator_or(operator.sub, np.subtract),   lambda y, ybar, x1, x2: ybar,
                                                              lambda y, ybar, x1, x2: -ybar,      unread=(0,))
multiply   = binary(operator_or(operator.mul, np.multiply),   lambda y, ybar, x1, x2: ybar * x2,
                                                              lambda y, ybar, x1, x2: ybar * x1,  unread=(0,))
divide     = binary(operator_or(operator.truediv, np.divide), lambda y, ybar, x1, x2: ybar / x2,
                                                              lambda y, ybar, x1, x2: -ybar * y / x2)
power      = binary(operator_or(operator.pow, np.power),      _power_x1,
                                                              _power_x2)
maximum    = binary(np.maximum,     lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x1, x2),
                                    lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x2, x1), unread=(0,))
minimum    = binary(np.minimum,     lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x2, x1),
                                    lambda y, ybar, x1, x2: ybar * _positive_mask(ybar, x1, x2), unread=(0,))
fmax       = binary(np.fmax,        lambda y, ybar, x1, x2: ybar * _fmax_share(ybar, x1, x2),
                                    lambda y, ybar, x1, x2: ybar * _fmax_share(ybar, x2, x1),    unread=(0,))
fmin       = binary(np.fmin,        lambda y, ybar, x1, x2: ybar * _fmin_share(ybar, x1, x2),
                                    lambda y, ybar, x1, x2: ybar * _fmin_share(ybar, x2, x1),    unread=(0,))
logaddexp  = binary(np.logaddexp,   lambda y, ybar, x1, x2: ybar * exp(x1 - y),
                                    lambda y, ybar, x1, x2: ybar * exp(x2 - y))
logaddexp2 = binary(np.logaddexp2,  lambda y, ybar, x1, x2: ybar * exp2(x1 - y),
                                    lambda y, ybar, x1, x2: ybar * exp2(x2 - y))
remainder  = binary(np.remainder,   lambda y, ybar, x1, x2: ybar,
                                    lambda y, ybar, x1, x2: -ybar * _floor_quotient(ybar, x1, x2), unread=(0,))
fmod       = binary(np.fmod,        lambda y, ybar, x1, x2: ybar,
                                    lambda y, ybar, x1, x2: -ybar * _trunc_quotient(ybar, x1, x2))
heaviside  = binary(np.heaviside,   lambda y, ybar, x1, x2: ybar * 0,
                                    lambda y, ybar, x1, x2: ybar * _at_zero(ybar, x1))
arctan2    = binary(np.arctan2,     lambda y, ybar, x1, x2: ybar * x2 / _nonzero(x1 * x1 + x2 * x2),
                                    lambda y, ybar, x1, x2: -ybar * x1 / _nonzero(x1 * x1 + x2 * x2), unread=(0,))
hypot      = binary(np.hypot,       lambda y, ybar, x1, x2: ybar * x1 / _nonzero(y),
                                    lambda y, ybar, x1, x2: ybar * x2 / _nonzero(y))
# fmt: on

abs = absolute  # noqa: A001  (numpy's own aliases)
true_divide = divide
mod = remainder
conjugate = conj


# --------------------------------------------------------------------------------------
# Compositions, with NumPy's signatures
# --------------------------------------------------------------------------------------


def deg2rad(x: Any) -> Any:
    """Degrees to radians: ``x * (pi / 180)``.

    >>> float(deg2rad(180.0))
    3.141592653589793

    See Also: rad2deg
    """
    return multiply(x, _const(math.pi / 180, x))


def rad2deg(x: Any) -> Any:
    """Radians to degrees: ``x * (180 / pi)``.

    >>> float(rad2deg(math.pi))
    180.0

    See Also: deg2rad
    """
    return multiply(x, _const(180 / math.pi, x))


radians = deg2rad
degrees = rad2deg


def float_power(x1: Any, x2: Any) -> Any:
    """``x1 ** x2`` in at least double precision (float64, or complex128), as ``numpy.float_power``.

    >>> float_power(np.float32(2.0), 0.5).dtype
    dtype('float64')

    See Also: power
    """

    def at_least_double(x: Any) -> Any:
        dtype = np.result_type(dtype_of(x), np.float64)
        if not isinstance(x, Traced):
            return np.asarray(x, dtype=dtype)[()]
        return x if dtype_of(x) == dtype else astype_p(x, dtype=dtype)

    return power(at_least_double(x1), at_least_double(x2))


def angle(z: Any, deg: bool = False) -> Any:
    """The argument of ``z``, ``arctan2(imag(z), real(z))``, in radians (or degrees with ``deg``).

    At ``z = 0`` it is 0, with derivative 0.

    >>> float(angle(1j, deg=True))
    90.0

    See Also: absolute, arctan2, real, imag
    """
    y = arctan2(imag(z), real(z))
    return multiply(y, _const(180 / math.pi, y)) if deg else y


def nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Any:
    """``x`` with NaN and infinities replaced by finite numbers.

    The derivative is 1 at finite elements and 0 at the replaced ones (of the real and
    imaginary parts separately, for complex ``x``); traced replacements ``nan``,
    ``posinf``, ``neginf`` get the cotangents of the elements they replace.

    >>> nan_to_num(np.array([1.0, np.nan, -np.inf]), neginf=-1.0)
    array([ 1.,  0., -1.])

    See Also: where, isfinite
    """
    replacements = (nan, posinf, neginf)
    if not isinstance(x, Traced) and not any(isinstance(r, Traced) for r in replacements):
        return np.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    if is_complex(x):
        parts = (nan_to_num(part, nan=nan, posinf=posinf, neginf=neginf) for part in (real(x), imag(x)))
        return make_complex(*parts, dtype=dtype_of(x))
    value = np.asarray(untraced(x))
    plain = np.nan_to_num(value, nan=untraced(nan), posinf=untraced(posinf), neginf=untraced(neginf))
    y = where_p(np.isfinite(value), x, plain)
    for replaced, r in zip((np.isnan(value), np.isposinf(value), np.isneginf(value)), replacements):
        if isinstance(r, Traced):  # a traced replacement gets the cotangents of the elements it replaced
            y = where_p(replaced, r, y)
    return y


def clip(
    a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, *, min: Any = None, max: Any = None  # noqa: A002
) -> Any:
    """``a`` limited to ``[a_min, a_max]`` (either bound may be None, an array, or traced).

    The cotangent goes to ``a`` where ``a_min <= a <= a_max`` (on the bounds too), else to
    the bound that was taken.

    >>> import fad
    >>> fad.grad(lambda x: clip(x, 0.0, 1.0))(1.0)
    1.0

    See Also: maximum, minimum
    """
    if out is not None:
        raise TypeError("fad.numpy.clip(..., out=) is not supported: fad arrays are immutable; use the returned value")
    if (min is not None and a_min is not None) or (max is not None and a_max is not None):
        raise TypeError("fad.numpy.clip: pass each bound once, as a_min/a_max or as min/max")
    bounds = (min if a_min is None else a_min, max if a_max is None else a_max)
    if np.issubdtype(dtype_of(a), np.inexact):  # a Python bound keeps a's dtype (on NumPy 1 too)
        bounds = tuple(dtype_of(a).type(b) if isinstance(b, (int, float)) else b for b in bounds)
    return clip_p(a, *bounds)


# --------------------------------------------------------------------------------------
# No derivative, by definition: run on the plain values under any tracing
# --------------------------------------------------------------------------------------

logical_xor, signbit = nondiff(np.logical_xor), nondiff(np.signbit)
around, fix, floor_divide = nondiff(np.around), nondiff(np.fix), nondiff(np.floor_divide)
iscomplex, isreal = nondiff(np.iscomplex), nondiff(np.isreal)
equal, not_equal = nondiff(np.equal), nondiff(np.not_equal)
less, less_equal = nondiff(np.less), nondiff(np.less_equal)
greater, greater_equal = nondiff(np.greater), nondiff(np.greater_equal)
sign, floor, ceil = nondiff(np.sign), nondiff(np.floor), nondiff(np.ceil)
round, rint, trunc = nondiff(np.round), nondiff(np.rint), nondiff(np.trunc)  # noqa: A001
isfinite, isnan, isinf = nondiff(np.isfinite), nondiff(np.isnan), nondiff(np.isinf)
logical_and, logical_or = nondiff(np.logical_and), nondiff(np.logical_or)
logical_not = nondiff(np.logical_not)


METHODS = MappingProxyType({"clip": clip, "conj": conj, "conjugate": conj, "round": around})
