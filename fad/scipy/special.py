"""fad.scipy.special: the special functions of ``scipy.special`` that statistics reaches for, differentiable.

Each function is a primitive whose forward function is SciPy's own (so values are
SciPy's, dtype included), with its VJP written in fad functions, or a composition of
them. The contract is the one of :mod:`fad.numpy._base`: ``vjp(y, ybar, *xs) -> xbars``,
``xibar = ybar . dy/dxi``, and the derivatives are the classical ones::

    erf' = 2/sqrt(pi) exp(-x^2)      erfinv' = sqrt(pi)/2 exp(y^2)     ndtr' = phi(x)
    gammaln' = digamma               digamma' = polygamma(1, .)        polygamma(n)' = polygamma(n + 1)
    i0' = i1                         iv(v)' = (iv(v-1) + iv(v+1)) / 2  expit' = y expit(-x) = y (1 - y)

``logsumexp``, ``softmax`` and ``log_softmax`` subtract the maximum first, a constant
that cancels exactly, so neither their values nor their derivatives overflow. Real
arguments only. Needs SciPy: ``pip install 'fad[scipy]'``.

>>> import fad
>>> import fad.numpy as np
>>> from fad.scipy.special import logsumexp
>>> fad.grad(logsumexp)(np.array([1000.0, 1000.0]))
array([0.5, 0.5])
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import scipy.special as _sp
except ImportError as error:  # SciPy is an optional dependency
    raise ImportError(
        "fad.scipy.special needs SciPy, an optional dependency of fad: pip install 'fad[scipy]'"
    ) from error

from fad.core import Traced, primitive, untraced
from fad.numpy import _reductions
from fad.numpy._base import binary, cotangent_for, dtype_of, nondiff, shape_of, unbroadcast
from fad.numpy._elementwise import absolute, exp, log, log1p, sign, sqrt
from fad.numpy._selection import where
from fad.numpy._shapes import broadcast_to, expand_dims, reshape

__all__ = [
    "logsumexp", "softmax", "log_softmax", "expit", "logit", "log_expit", "softplus",
    "erf", "erfc", "erfcx", "erfinv", "erfcinv", "ndtr", "ndtri", "log_ndtr",
    "gamma", "gammaln", "gammasgn", "digamma", "psi", "polygamma", "multigammaln", "beta", "betaln",
    "gammainc", "gammaincc", "betainc", "rgamma",
    "xlogy", "xlog1py", "entr", "rel_entr", "kl_div", "huber", "pseudo_huber",
    "i0", "i1", "i0e", "i1e", "iv", "ive", "j0", "j1", "jn", "y0", "y1", "yn", "owens_t",
]  # fmt: skip

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
_SQRT_TWO_PI = math.sqrt(2.0 * math.pi)
_SQRT_TWO_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_TWO = math.sqrt(2.0)


def _float_dtype(x: Any) -> np.dtype:
    """The float dtype of a result computed from ``x`` (float64 for integers and Python numbers)."""
    return np.result_type(np.asarray(untraced(x)).dtype, np.float16)


def _normal_pdf(x: Any) -> Any:
    """The standard normal density, ``exp(-x^2 / 2) / sqrt(2 pi)``."""
    return exp(-0.5 * x * x) / _SQRT_TWO_PI


def _x_over(x: Any, y: Any) -> Any:
    """``x / y``, the derivative of ``xlogy`` in ``y``, taken as 0 at ``x == y == 0`` (xlogy is 0 along ``x = 0``)."""
    return x / where(np.asarray((untraced(x) == 0) & (untraced(y) == 0)), 1.0, y)


def _log_ndtr_derivative(y: Any, x: Any) -> Any:
    """``phi(x) / Phi(x)``: ``exp(-x^2 / 2 - y) / sqrt(2 pi)``, and for ``x < 0`` the same as
    ``sqrt(2 / pi) / erfcx(-x / sqrt(2))``, which does not cancel in the lower tail.

    The tail form is fed 0 where it is not used, so that its derivatives stay finite there.
    """
    lower = np.asarray(untraced(x) < 0)
    tail = _SQRT_TWO_OVER_PI / erfcx(where(lower, x, 0.0) / -_SQRT_TWO)
    return where(lower, tail, exp(-0.5 * x * x - y) / _SQRT_TWO_PI)


def _order_one_slope(x: Any, near: Callable, far: Callable) -> Any:
    """The derivative of ``i1``, ``i1e`` or ``j1``: ``near(x)`` for ``|x| < 1``, ``far(x)`` from there on.

    Each branch is fed a point of its own range where it is not used, so neither's
    derivatives blow up there: ``far`` (the recurrence ``i0 - i1 / x``) would divide by
    ``x^2`` underflowing in its own derivative at tiny ``x``, and ``near`` (``(i0 + iv(2, x)) / 2``)
    would call ``ive(2, x)``, which SciPy gives as NaN at ``x = 1e10``.
    """
    small = np.asarray(np.abs(untraced(x)) < 1)
    return where(small, near(where(small, x, 0.5)), far(where(small, 1.0, x)))


def _i1_near(x: Any) -> Any:
    """``(i0 + iv(2, x)) / 2``; ``iv(2, x)`` (NaN in SciPy near 1e-300, not at 0) is 0 for ``|x| < 1e-300``."""
    tiny = np.asarray(np.abs(untraced(x)) < 1e-300)
    return (i0(x) + iv_p(where(tiny, 0.0, x), v=2)) / 2


def _i1e_near(x: Any) -> Any:
    """``(i0e + ive(2, x)) / 2 - sign(x) i1e``."""
    tiny = np.asarray(np.abs(untraced(x)) < 1e-300)
    return (i0e(x) + ive_p(where(tiny, 0.0, x), v=2)) / 2 - sign(x) * i1e(x)


def _asymptotic_terms(v: float, count: int) -> tuple[float, ...]:
    """The coefficients ``a_k`` of ``ive(v, x) ~ (2 pi x)^(-1/2) sum_k a_k x^-k`` for large ``x``."""
    terms = [1.0]
    for k in range(1, count):
        terms.append(-terms[-1] * (4 * v * v - (2 * k - 1) ** 2) / (8 * k))
    return tuple(terms)


_I0_TERMS = _asymptotic_terms(0.0, 14)
_I1_TERMS = _asymptotic_terms(1.0, 14)
_SCALED_BESSEL_LARGE = 50.0  # from here on 14 terms of the asymptotic series are exact to rounding


def _scaled_bessel_slope(x: Any, terms: tuple[float, ...]) -> tuple[np.ndarray, Any]:
    """``(large, d/dx ive(v, x) at |x|)`` for ``|x| >= 50``, from the asymptotic series differentiated term by term.

    The exact forms ``i1e - sign(x) i0e`` and ``i0e - i1e / x - sign(x) i1e`` lose a relative
    ``4 |x|`` ulps to cancellation (all digits by ``x = 1e15``); the series does not.
    """
    large = np.asarray(np.abs(untraced(x)) >= _SCALED_BESSEL_LARGE)
    t = where(large, absolute(x), _SCALED_BESSEL_LARGE)
    slope = sum(-a * (k + 0.5) * t ** (-k - 1.5) for k, a in enumerate(terms)) / _SQRT_TWO_PI
    return large, slope


def _i0e_derivative(y: Any, x: Any) -> Any:
    """``i0e' = i1e - sign(x) i0e``, by the asymptotic series for ``|x| >= 50`` (i0e is even)."""
    large, slope = _scaled_bessel_slope(x, _I0_TERMS)
    return where(large, sign(x) * slope, i1e(x) - sign(x) * y)


def _i1e_derivative(y: Any, x: Any) -> Any:
    """``i1e' = i0e - i1e / x - sign(x) i1e``, by the asymptotic series for ``|x| >= 50`` (i1e' is even)."""
    large, slope = _scaled_bessel_slope(x, _I1_TERMS)
    return where(large, slope, _order_one_slope(x, _i1e_near, lambda x: i0e(x) - i1e(x) / x - sign(x) * i1e(x)))


_ERFCX_LARGE = 30.0


def _erfcx_derivative(y: Any, x: Any) -> Any:
    """``erfcx' = 2 x erfcx - 2 / sqrt(pi)``, and for ``x >= 30`` its asymptotic series, which does not cancel:
    ``-(1 / sqrt(pi)) x^-2 sum_k (-1)^k (2k + 1)!! / 2^k x^-2k``."""
    large = np.asarray(untraced(x) >= _ERFCX_LARGE)
    u = 1 / where(large, x, _ERFCX_LARGE) ** 2
    series = sum(c * u ** (k + 1) for k, c in enumerate((1.0, -1.5, 3.75, -13.125, 59.0625, -324.84375,
                                                           2111.484375, -15836.1328125)))  # fmt: skip
    return where(large, -series / math.sqrt(math.pi), 2 * x * y - _TWO_OVER_SQRT_PI)


def _rgamma_derivative(y: Any, x: Any) -> Any:
    """``rgamma' = -rgamma digamma``, and at the zeros ``x = -n`` of rgamma its limit ``(-1)^n n!``."""
    xv = np.asarray(untraced(x))
    pole = np.asarray((xv <= 0) & (xv == np.floor(xv)))
    if not np.any(pole):
        return -y * digamma(x)
    limit = np.where(np.mod(-xv, 2) == 0, 1.0, -1.0) * gamma(1 - x)
    return where(pole, limit, -y * digamma(where(pole, 0.5, x)))


def _ternary(fwd: Callable, rules: tuple, name: str) -> Any:
    """A broadcasting primitive of three inputs, one rule ``(y, ybar, x1, x2, x3) -> xbar`` per input."""

    def part(rule: Callable, k: int) -> Callable:
        def xbar(y: Any, ybar: Any, *xs: Any) -> Any:
            return cotangent_for(unbroadcast(rule(y, ybar, *xs), xs[k]), xs[k])

        return xbar

    return primitive(fwd, tuple(part(rule, k) for k, rule in enumerate(rules)), name=name)


def _plain_max(x: Any) -> float:
    x = np.asarray(untraced(x), dtype=float)
    return float(np.max(x)) if x.size else 0.0


def _gammainc_a(a: Any, x: Any) -> Any:
    """``d/da gammainc(a, x)``, by the series ``P(a, x) = sum_k exp((a + k) log x - x - gammaln(a + k + 1))``.

    Term by term, ``d/da`` multiplies term ``k`` by ``log x - digamma(a + k + 1)``. Written in
    fad functions, the series differentiates again (in ``a`` and ``x``). The terms peak near
    ``k = x``; ``x + 12 sqrt(x) + 40`` of them leave a tail below double precision. The error
    is absolute (about 1e-16 times the largest term), so where ``P`` is within 1e-16 of 1
    its tiny derivative has no correct digits.
    """
    xmax = max(_plain_max(x), 0.0)
    k = np.arange(int(np.ceil(xmax + 12 * math.sqrt(xmax) + 40)), dtype=np.float64)
    positive = np.asarray(untraced(x) > 0)
    xs = expand_dims(where(positive, x, 1.0), -1)
    ak = expand_dims(a, -1) + k
    log_x = log(xs)
    terms = exp(ak * log_x - xs - gammaln(ak + 1)) * (log_x - digamma(ak + 1))
    return where(positive, _reductions.sum(terms, axis=-1), 0.0)


def _betainc_series(a: Any, b: Any, x: Any) -> tuple[Any, Any]:
    """``(d/da, d/db)`` of ``I_x(a, b) = sum_k exp(a log x + b log(1 - x) + k log x + gammaln(a + b + k)
    - gammaln(b) - gammaln(a + 1 + k))``, for ``x <= (a + 1) / (a + b + 2)``, where the terms
    shrink geometrically (ratio at most ``max(x, (a + b) x / (a + 1)) < 1``)."""
    ratio = np.max(np.maximum(untraced(x), (untraced(a) + untraced(b)) * untraced(x) / (untraced(a) + 1)),
                   initial=0.5)  # fmt: skip
    n = int(min(np.ceil(-40.0 / math.log(min(max(ratio, 1e-3), 1 - 1e-4))) + 5, 20000))
    k = np.arange(n, dtype=np.float64)
    a, b, x = expand_dims(a, -1), expand_dims(b, -1), expand_dims(x, -1)
    log_x, log_1mx = log(x), log1p(-x)
    term = exp((a + k) * log_x + b * log_1mx + gammaln(a + b + k) - gammaln(b) - gammaln(a + 1 + k))
    common = digamma(a + b + k)
    da = _reductions.sum(term * (log_x + common - digamma(a + 1 + k)), axis=-1)
    db = _reductions.sum(term * (log_1mx + common - digamma(b)), axis=-1)
    return da, db


def _betainc_ab(a: Any, b: Any, x: Any) -> tuple[Any, Any]:
    """``(d/da, d/db) betainc(a, b, x)``: the series at ``x``, or ``1 - I_{1-x}(b, a)`` above the mean-ish point."""
    a_, b_, x_ = (np.asarray(untraced(v), dtype=float) for v in (a, b, x))
    shape = np.broadcast_shapes(a_.shape, b_.shape, x_.shape)
    inside = np.broadcast_to((x_ > 0) & (x_ < 1), shape)
    flip = np.broadcast_to(x_ > (a_ + 1) / (a_ + b_ + 2), shape)
    xs = where(inside, x, 0.5)
    da, db = _betainc_series(where(flip, b, a), where(flip, a, b), where(flip, 1 - xs, xs))
    return where(inside, where(flip, -db, da), 0.0), where(inside, where(flip, -da, db), 0.0)


def _beta_density(a: Any, b: Any, x: Any) -> Any:
    """``x^(a-1) (1-x)^(b-1) / B(a, b)``, the derivative of ``betainc(a, b, x)`` in ``x``."""
    return exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


def _owens_t_h(y: Any, ybar: Any, h: Any, a: Any) -> Any:
    """``dT/dh = -phi(h) erf(a h / sqrt 2) / 2``."""
    return -ybar * _normal_pdf(h) * erf(a * h / _SQRT_TWO) / 2


def _owens_t_a(y: Any, ybar: Any, h: Any, a: Any) -> Any:
    """``dT/da = exp(-h^2 (1 + a^2) / 2) / (2 pi (1 + a^2))``, the integrand at the upper limit."""
    s = 1 + a * a
    return ybar * exp(-0.5 * h * h * s) / (2 * math.pi * s)


def _in_dtype_of(x: Any, y: Any) -> Any:
    """``y`` in the float dtype of ``x`` (SciPy computes some functions in float64 only)."""
    return np.asarray(y).astype(_float_dtype(x))[()]


def _polygamma(x: Any, n: Any = 0) -> Any:
    return _in_dtype_of(x, _sp.polygamma(n, x))


def _iv(x: Any, v: Any = 0) -> Any:
    return _in_dtype_of(x, _sp.iv(v, x))


def _ive(x: Any, v: Any = 0) -> Any:
    return _in_dtype_of(x, _sp.ive(v, x))


def _jn(x: Any, n: Any = 0) -> Any:
    return _in_dtype_of(x, _sp.jn(n, x))


def _yn(x: Any, n: Any = 0) -> Any:
    return _in_dtype_of(x, _sp.yn(n, x) if np.issubdtype(np.asarray(n).dtype, np.integer) else _sp.yv(n, x))


def _lower_gamma_density(a: Any, x: Any) -> Any:
    """``x^(a-1) exp(-x) / Gamma(a)``, the derivative of ``gammainc(a, x)`` in ``x``."""
    return exp(xlogy(a - 1, x) - x - gammaln(a))


def _huber_delta(y: Any, ybar: Any, delta: Any, r: Any) -> Any:
    """``d huber / d delta``: 0 inside ``|r| <= delta``, ``|r| - delta`` outside."""
    inside = np.abs(untraced(r)) <= untraced(delta)
    return ybar * where(inside, 0.0, absolute(r) - delta)


def _huber_r(y: Any, ybar: Any, delta: Any, r: Any) -> Any:
    """``d huber / d r``: ``r`` clipped to ``[-delta, delta]``."""
    inside = np.abs(untraced(r)) <= untraced(delta)
    return ybar * where(inside, r, delta * sign(r))


def _pseudo_huber_delta(y: Any, ybar: Any, delta: Any, r: Any) -> Any:
    """``d/d delta`` of ``y = delta^2 (sqrt(1 + (r/delta)^2) - 1)``: ``2 y / delta - r^2 / (delta sqrt(...))``."""
    return ybar * (2 * y / delta - r * r / (delta * sqrt(1 + (r / delta) ** 2)))


def _pseudo_huber_r(y: Any, ybar: Any, delta: Any, r: Any) -> Any:
    """``d/dr`` of ``delta^2 (sqrt(1 + (r/delta)^2) - 1)``: ``r / sqrt(1 + (r/delta)^2)``."""
    return ybar * r / sqrt(1 + (r / delta) ** 2)


# fmt: off
# --------------------------------------------------------------------------------------
# Logistic functions                          j(f)(y, ybar, x) = (xbar,)
# --------------------------------------------------------------------------------------
expit     = primitive(_sp.expit,     lambda y, ybar, x: (ybar * y * expit(-x),))
logit     = primitive(_sp.logit,     lambda y, ybar, x: (ybar / (x * (1 - x)),), unread=(0,))
log_expit = primitive(_sp.log_expit, lambda y, ybar, x: (ybar * expit(-x),), unread=(0,))
softplus  = primitive(lambda x: np.logaddexp(0, x), lambda y, ybar, x: (ybar * expit(x),), name="softplus", unread=(0,))

# --------------------------------------------------------------------------------------
# Error functions and the normal distribution
# --------------------------------------------------------------------------------------
erf      = primitive(_sp.erf,      lambda y, ybar, x: (ybar * _TWO_OVER_SQRT_PI * exp(-x * x),), unread=(0,))
erfc     = primitive(_sp.erfc,     lambda y, ybar, x: (-ybar * _TWO_OVER_SQRT_PI * exp(-x * x),), unread=(0,))
erfcx    = primitive(_sp.erfcx,    lambda y, ybar, x: (ybar * _erfcx_derivative(y, x),))
erfinv   = primitive(_sp.erfinv,   lambda y, ybar, x: (ybar * _SQRT_PI_OVER_TWO * exp(y * y),), unread=(1,))
erfcinv  = primitive(_sp.erfcinv,  lambda y, ybar, x: (-ybar * _SQRT_PI_OVER_TWO * exp(y * y),), unread=(1,))
ndtr     = primitive(_sp.ndtr,     lambda y, ybar, x: (ybar * _normal_pdf(x),), unread=(0,))
ndtri    = primitive(_sp.ndtri,    lambda y, ybar, x: (ybar * _SQRT_TWO_PI * exp(0.5 * y * y),), unread=(1,))
log_ndtr = primitive(_sp.log_ndtr, lambda y, ybar, x: (ybar * _log_ndtr_derivative(y, x),))

# --------------------------------------------------------------------------------------
# The gamma function and its relatives
# --------------------------------------------------------------------------------------
gamma       = primitive(_sp.gamma,   lambda y, ybar, x: (ybar * y * digamma(x),))
gammaln     = primitive(_sp.gammaln, lambda y, ybar, x: (ybar * digamma(x),), unread=(0,))
digamma     = primitive(_sp.digamma, lambda y, ybar, x: (ybar * polygamma_p(x, n=1),), name="digamma", unread=(0,))
polygamma_p = primitive(_polygamma,  lambda y, ybar, x, n=0: (unbroadcast(ybar * polygamma_p(x, n=n + 1), x),),
                        name="polygamma", unread=(0,))
beta        = binary(_sp.beta,   lambda y, ybar, a, b: ybar * y * (digamma(a) - digamma(a + b)),
                                 lambda y, ybar, a, b: ybar * y * (digamma(b) - digamma(a + b)))
betaln      = binary(_sp.betaln, lambda y, ybar, a, b: ybar * (digamma(a) - digamma(a + b)),
                                 lambda y, ybar, a, b: ybar * (digamma(b) - digamma(a + b)), unread=(0,))
gammainc    = binary(_sp.gammainc,  lambda y, ybar, a, x: ybar * _gammainc_a(a, x),
                                    lambda y, ybar, a, x: ybar * _lower_gamma_density(a, x))
gammaincc   = binary(_sp.gammaincc, lambda y, ybar, a, x: -ybar * _gammainc_a(a, x),
                                    lambda y, ybar, a, x: -ybar * _lower_gamma_density(a, x))
betainc     = _ternary(_sp.betainc, (lambda y, ybar, a, b, x: ybar * _betainc_ab(a, b, x)[0],
                                     lambda y, ybar, a, b, x: ybar * _betainc_ab(a, b, x)[1],
                                     lambda y, ybar, a, b, x: ybar * _beta_density(a, b, x)), name="betainc")
rgamma      = primitive(_sp.rgamma, lambda y, ybar, x: (ybar * _rgamma_derivative(y, x),))
gammasgn    = nondiff(_sp.gammasgn)  # the sign of gamma: piecewise constant
psi         = digamma

# --------------------------------------------------------------------------------------
# Entropies and robust losses                 j(f)(y, ybar, x1, x2) = (x1bar, x2bar)
# --------------------------------------------------------------------------------------
xlogy        = binary(_sp.xlogy,    lambda y, ybar, x1, x2: ybar * xlogy(1.0, x2),   # d/dx1 = log(x2)
                                    lambda y, ybar, x1, x2: ybar * _x_over(x1, x2), unread=(0,))
xlog1py      = binary(_sp.xlog1py,  lambda y, ybar, x1, x2: ybar * xlog1py(1.0, x2),  # d/dx1 = log1p(x2)
                                    lambda y, ybar, x1, x2: ybar * _x_over(x1, 1 + x2), unread=(0,))
entr         = primitive(_sp.entr,  lambda y, ybar, x: (-ybar * (log(x) + 1),), unread=(0,))
rel_entr     = binary(_sp.rel_entr, lambda y, ybar, x1, x2: ybar * (log(x1) - log(x2) + 1),
                                    lambda y, ybar, x1, x2: -ybar * x1 / x2, unread=(0,))
kl_div       = binary(_sp.kl_div,   lambda y, ybar, x1, x2: ybar * (log(x1) - log(x2)),
                                    lambda y, ybar, x1, x2: ybar * (1 - x1 / x2), unread=(0,))
huber        = binary(_sp.huber,        _huber_delta,        _huber_r)
pseudo_huber = binary(_sp.pseudo_huber, _pseudo_huber_delta, _pseudo_huber_r)

# --------------------------------------------------------------------------------------
# Modified Bessel functions of the first kind (and their exponentially scaled forms)
# --------------------------------------------------------------------------------------
i0    = primitive(_sp.i0,  lambda y, ybar, x: (ybar * i1(x),), unread=(0,))
i1    = primitive(_sp.i1,  lambda y, ybar, x: (ybar * _order_one_slope(x, _i1_near, lambda x: i0(x) - i1(x) / x),),
                  unread=(0,))
iv_p  = primitive(_iv,     lambda y, ybar, x, v=0: (unbroadcast(ybar * (iv_p(x, v=v - 1) + iv_p(x, v=v + 1)) / 2, x),),
                  name="iv", unread=(0,))
i0e   = primitive(_sp.i0e, lambda y, ybar, x: (ybar * _i0e_derivative(y, x),))
i1e   = primitive(_sp.i1e, lambda y, ybar, x: (ybar * _i1e_derivative(y, x),))
ive_p = primitive(_ive,    lambda y, ybar, x, v=0: (unbroadcast(
                               ybar * ((ive_p(x, v=v - 1) + ive_p(x, v=v + 1)) / 2 - sign(x) * y), x),),
                  name="ive")

# --------------------------------------------------------------------------------------
# Bessel functions of the first and second kind, and Owen's T
# --------------------------------------------------------------------------------------
j0    = primitive(_sp.j0, lambda y, ybar, x: (-ybar * j1(x),))
j1    = primitive(_sp.j1, lambda y, ybar, x: (ybar * _order_one_slope(x, lambda x: (j0(x) - jn_p(x, n=2)) / 2,
                                                                    lambda x: j0(x) - j1(x) / x),))
y0    = primitive(_sp.y0, lambda y, ybar, x: (-ybar * y1(x),))
y1    = primitive(_sp.y1, lambda y, ybar, x: (ybar * (y0(x) - y / x),))
jn_p  = primitive(_jn, lambda y, ybar, x, n=0: (unbroadcast(ybar * (jn_p(x, n=n - 1) - jn_p(x, n=n + 1)) / 2, x),),
                  name="jn")
yn_p  = primitive(_yn, lambda y, ybar, x, n=0: (unbroadcast(ybar * (yn_p(x, n=n - 1) - yn_p(x, n=n + 1)) / 2, x),),
                  name="yn")
owens_t = binary(_sp.owens_t, _owens_t_h, _owens_t_a)
# fmt: on


# --------------------------------------------------------------------------------------
# Compositions, with SciPy's signatures
# --------------------------------------------------------------------------------------


def _real_input(x: Any, who: str) -> Any:
    x = x if isinstance(x, Traced) else np.asarray(x)
    if np.issubdtype(dtype_of(x), np.complexfloating):
        raise TypeError(f"fad.scipy.special.{who} supports real input only, got dtype {dtype_of(x)}")
    return x


def _shifted(x: Any, axis: Any) -> tuple[Any, np.ndarray]:
    """``(x - m, m)`` with ``m`` the maximum of ``x`` over ``axis`` (kept as length-1 axes; 0 if not finite).

    ``m`` is a constant: logsumexp, softmax and log_softmax move with (or ignore) a shift
    of ``x``, so it cancels exactly, in every derivative too, and ``exp(x - m) <= 1``.
    """
    m = np.max(untraced(x), axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0).astype(dtype_of(x))
    return x - m, m


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False) -> Any:
    """``log(sum(b * exp(a)))`` over ``axis``, computed without overflow; differentiable in ``a`` and ``b``.

    With ``m = max(a)``, ``log(sum(b * exp(a - m))) + m``: every ``exp`` is at most 1, in
    the value and in the gradient ``b * exp(a - m) / sum(...)`` (the softmax). With
    ``return_sign`` the result is ``(log|s|, sign(s))``; without it, a negative sum gives
    NaN, as in SciPy.

    >>> import fad.numpy as np
    >>> float(logsumexp(np.array([1000.0, 1000.0])))  # 1000 + log(2)
    1000.6931471805599

    See Also: softmax, log_softmax
    """
    a, axis = _real_input(a, "logsumexp"), _axis(axis)
    if b is not None:
        b = b if isinstance(b, Traced) else np.asarray(b)
        shape = np.broadcast_shapes(shape_of(a), shape_of(b))
        a = a if shape_of(a) == shape else broadcast_to(a, shape)
    z, m = _shifted(a, axis)
    e = exp(z)
    s = _reductions.sum(e if b is None else b * e, axis=axis, keepdims=True)
    sign = np.sign(untraced(s))
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer for an empty or all -inf sum
        y = log(absolute(s)) + m
    if not return_sign and np.any(sign < 0):
        y = where(sign < 0, np.nan, y)
    if not keepdims:
        sign = np.squeeze(sign, axis=axis)
        y = reshape(y, sign.shape)
    return (y, sign) if return_sign else y


def log_softmax(x: Any, axis: Any = None) -> Any:
    """``x - logsumexp(x, axis)``, as ``(x - m) - log(sum(exp(x - m)))``: no overflow, no loss of precision.

    >>> import fad.numpy as np
    >>> log_softmax(np.array([0.0, 1000.0]))
    array([-1000.,     0.])

    See Also: softmax, logsumexp
    """
    axis = _axis(axis)
    z, _ = _shifted(_real_input(x, "log_softmax"), axis)
    return z - log(_reductions.sum(exp(z), axis=axis, keepdims=True))


def softmax(x: Any, axis: Any = None) -> Any:
    """``exp(x) / sum(exp(x), axis)``, as ``exp(x - m) / sum(exp(x - m))`` with ``m = max(x)``: no overflow.

    >>> import fad.numpy as np
    >>> softmax(np.array([0.0, 1000.0]))
    array([0., 1.])

    See Also: log_softmax, logsumexp, expit
    """
    axis = _axis(axis)
    e = exp(_shifted(_real_input(x, "softmax"), axis)[0])
    return e / _reductions.sum(e, axis=axis, keepdims=True)


def _constant_order(n: Any, who: str) -> Any:
    """The order ``n`` of ``polygamma``, ``iv`` or ``ive``: a constant, an int where it is a scalar."""
    if isinstance(n, Traced):
        raise TypeError(
            f"fad.scipy.special.{who}: fad has no derivative with respect to the order; "
            "pass it as a constant"
        )
    return int(n) if np.ndim(n) == 0 and float(n).is_integer() else np.asarray(n)


def polygamma(n: Any, x: Any) -> Any:
    """The ``n``-th derivative of ``digamma`` (``n`` a constant integer); its derivative is ``polygamma(n + 1, x)``.

    >>> round(float(polygamma(1, 1.0)), 12)  # pi^2 / 6
    1.644934066848

    See Also: digamma, gammaln
    """
    return polygamma_p(x, n=_constant_order(n, "polygamma"))


def iv(v: Any, x: Any) -> Any:
    """Modified Bessel function of the first kind of constant order ``v``; ``iv' = (iv(v - 1) + iv(v + 1)) / 2``.

    >>> float(iv(1, 0.0))
    0.0

    See Also: i0, i1, ive
    """
    return iv_p(x, v=_constant_order(v, "iv"))


def ive(v: Any, x: Any) -> Any:
    """``iv(v, x) * exp(-|x|)``, exponentially scaled; differentiable in ``x`` (``v`` a constant).

    >>> float(ive(0, 0.0))
    1.0

    See Also: iv, i0e, i1e
    """
    return ive_p(x, v=_constant_order(v, "ive"))


def multigammaln(a: Any, d: int) -> Any:
    """Log of the multivariate gamma function of dimension ``d``: a sum of ``gammaln``.

    ``log Gamma_d(a) = d (d - 1) / 4 log(pi) + sum_{j<d} gammaln(a - j / 2)``, for ``a > (d - 1) / 2``.

    >>> float(multigammaln(2.0, 1))  # gammaln(2) = 0
    0.0

    See Also: gammaln
    """
    d = operator.index(d)
    if d < 0 or np.any(untraced(a) <= 0.5 * (d - 1)):
        raise ValueError(f"fad.scipy.special.multigammaln: needs d >= 0 and a > (d - 1) / 2 = {0.5 * (d - 1)}")
    a = a if isinstance(a, Traced) else np.asarray(a, dtype=_float_dtype(a))
    halves = (np.arange(d) / 2).astype(_float_dtype(a))
    terms = gammaln(reshape(a, shape_of(a) + (1,)) - halves)
    return _reductions.sum(terms, axis=-1) + d * (d - 1) / 4 * math.log(math.pi)


def jn(n: Any, x: Any) -> Any:
    """Bessel function of the first kind of constant integer order ``n``; ``jn' = (jn(n - 1) - jn(n + 1)) / 2``.

    >>> float(jn(1, 0.0))
    0.0

    See Also: j0, j1, yn
    """
    return jn_p(x, n=_constant_order(n, "jn"))


def yn(n: Any, x: Any) -> Any:
    """Bessel function of the second kind of constant integer order ``n``, for ``x > 0``.

    Its derivative is ``yn' = (yn(n - 1) - yn(n + 1)) / 2``.

    >>> round(float(yn(0, 1.0)), 12)
    0.088256964216

    See Also: y0, y1, jn
    """
    return yn_p(x, n=_constant_order(n, "yn"))
