"""fad.scipy.stats: probability distributions of ``scipy.stats``, differentiable in every continuous argument.

Each distribution is an immutable object with SciPy's methods and signatures
(``norm.logpdf(x, loc=0, scale=1)``, ``gamma.cdf(x, a, loc=0, scale=1)``,
``poisson.logpmf(k, mu, loc=0)``, ``multivariate_normal.logpdf(x, mean, cov)``, ...). Every
method is a composition of :mod:`fad.numpy` and :mod:`fad.scipy.special` functions, so it
is differentiable (to any order) in ``x``, ``loc``, ``scale`` and the shape parameters,
and broadcasts as SciPy does. The location-scale families are written on the standardized
``z = (x - loc) / scale``::

    logpdf(x) = logpdf_std(z) - log(scale)      cdf(x) = cdf_std(z)      entropy = entropy_std + log(scale)

Outside the support the values are SciPy's (``-inf``, ``0``, ``1``), with zero derivative;
a ``scale`` that is not positive gives NaN, as in SciPy. The cumulative functions of
``gamma``, ``chi2``, ``beta``, ``t``, ``binom`` and ``nbinom`` go through the regularized
incomplete gamma and beta functions, whose derivatives in their shape parameters are those
of :func:`fad.scipy.special.gammainc` and :func:`fad.scipy.special.betainc`.
Needs SciPy: ``pip install 'fad[scipy]'``.

>>> import fad
>>> from fad.scipy.stats import norm
>>> float(fad.grad(norm.logpdf)(1.0))  # d/dx of -x^2/2
-1.0
>>> float(fad.grad(lambda scale: norm(0.0, scale).logpdf(1.0))(1.0))  # frozen, as in SciPy: d/ds (-1/(2s^2) - log s)
0.0

See Also: fad.scipy.special
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    import scipy.stats  # noqa: F401  (SciPy must be there, as for fad.scipy.special)
except ImportError as error:  # SciPy is an optional dependency
    raise ImportError("fad.scipy.stats needs SciPy, an optional dependency of fad: pip install 'fad[scipy]'") from error

import fad.numpy as fnp
from fad.core import Traced
from fad.scipy import special as sc
from fad.scipy._distributions import _asarray, _Continuous, _Freezable, _log_of, _parse, _plain, _safe, _where

__all__ = [
    "norm", "multivariate_normal", "t", "gamma", "beta", "dirichlet", "chi2", "expon", "laplace", "logistic",
    "cauchy", "poisson", "binom", "nbinom", "geom",
]  # fmt: skip

_LOG_2PI = math.log(2 * math.pi)
_LOG_2 = math.log(2.0)


# --------------------------------------------------------------------------------------
# Continuous families
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Norm(_Continuous):
    def _logpdf(self, z: Any) -> Any:
        return -0.5 * z * z - 0.5 * _LOG_2PI

    def _cdf(self, z: Any) -> Any:
        return sc.ndtr(z)

    def _sf(self, z: Any) -> Any:
        return sc.ndtr(-z)

    def _logcdf(self, z: Any) -> Any:
        return sc.log_ndtr(z)

    def _logsf(self, z: Any) -> Any:
        return sc.log_ndtr(-z)

    def _entropy(self) -> Any:
        return np.float64(0.5 * (_LOG_2PI + 1))


@dataclass(frozen=True)
class _Logistic(_Continuous):
    def _logpdf(self, z: Any) -> Any:
        return sc.log_expit(z) + sc.log_expit(-z)

    def _cdf(self, z: Any) -> Any:
        return sc.expit(z)

    def _sf(self, z: Any) -> Any:
        return sc.expit(-z)

    def _logcdf(self, z: Any) -> Any:
        return sc.log_expit(z)

    def _logsf(self, z: Any) -> Any:
        return sc.log_expit(-z)

    def _entropy(self) -> Any:
        return np.float64(2.0)


@dataclass(frozen=True)
class _Cauchy(_Continuous):
    def _logpdf(self, z: Any) -> Any:
        return -fnp.log1p(z * z) - math.log(math.pi)

    def _cdf(self, z: Any) -> Any:
        return 0.5 + fnp.arctan(z) / math.pi

    def _sf(self, z: Any) -> Any:
        return 0.5 - fnp.arctan(z) / math.pi

    def _entropy(self) -> Any:
        return np.float64(math.log(4 * math.pi))


@dataclass(frozen=True)
class _Laplace(_Continuous):
    """The double exponential: the cumulative functions have a kink in their derivative at ``z = 0``."""

    def _logpdf(self, z: Any) -> Any:
        return -fnp.abs(z) - _LOG_2

    def _logcdf(self, z: Any) -> Any:
        neg = _plain(z) < 0
        return fnp.where(neg, fnp.minimum(z, 0.0) - _LOG_2, fnp.log1p(-0.5 * fnp.exp(-fnp.maximum(z, 0.0))))

    def _cdf(self, z: Any) -> Any:
        return fnp.exp(self._logcdf(z))

    def _logsf(self, z: Any) -> Any:
        return self._logcdf(-z)

    def _sf(self, z: Any) -> Any:
        return self._cdf(-z)

    def _entropy(self) -> Any:
        return np.float64(1 + _LOG_2)


@dataclass(frozen=True)
class _Expon(_Continuous):
    def _logpdf(self, z: Any) -> Any:
        return -z

    def _cdf(self, z: Any) -> Any:
        return -fnp.expm1(-z)

    def _sf(self, z: Any) -> Any:
        return fnp.exp(-z)

    def _logsf(self, z: Any) -> Any:
        return -z

    def _entropy(self) -> Any:
        return np.float64(1.0)


@dataclass(frozen=True)
class _Gamma(_Continuous):
    def _valid(self, a: np.ndarray) -> np.ndarray:
        return a > 0

    def _logpdf(self, z: Any, a: Any) -> Any:
        return sc.xlogy(a - 1, z) - z - sc.gammaln(a)

    def _cdf(self, z: Any, a: Any) -> Any:
        return sc.gammainc(a, z)

    def _sf(self, z: Any, a: Any) -> Any:
        return sc.gammaincc(a, z)

    def _entropy(self, a: Any) -> Any:
        return a + sc.gammaln(a) + (1 - a) * sc.digamma(a)


@dataclass(frozen=True)
class _Chi2(_Continuous):
    """``gamma(df / 2, scale=2)``."""

    def _valid(self, df: np.ndarray) -> np.ndarray:
        return df > 0

    def _logpdf(self, z: Any, df: Any) -> Any:
        return _GAMMA._logpdf(z / 2, df / 2) - _LOG_2

    def _cdf(self, z: Any, df: Any) -> Any:
        return sc.gammainc(df / 2, z / 2)

    def _sf(self, z: Any, df: Any) -> Any:
        return sc.gammaincc(df / 2, z / 2)

    def _entropy(self, df: Any) -> Any:
        return _GAMMA._entropy(df / 2) + _LOG_2


@dataclass(frozen=True)
class _Beta(_Continuous):
    def _valid(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a > 0) & (b > 0)

    def _logpdf(self, z: Any, a: Any, b: Any) -> Any:
        return sc.xlogy(a - 1, z) + sc.xlog1py(b - 1, -z) - sc.betaln(a, b)

    def _cdf(self, z: Any, a: Any, b: Any) -> Any:
        return sc.betainc(a, b, z)

    def _sf(self, z: Any, a: Any, b: Any) -> Any:
        return sc.betainc(b, a, 1 - z)

    def _entropy(self, a: Any, b: Any) -> Any:
        return (sc.betaln(a, b) - (a - 1) * sc.digamma(a) - (b - 1) * sc.digamma(b)
                + (a + b - 2) * sc.digamma(a + b))  # fmt: skip


@dataclass(frozen=True)
class _T(_Continuous):
    """Student's t: ``cdf(z) = 1 - I(df / (df + z^2); df/2, 1/2) / 2`` for ``z > 0``, by symmetry below."""

    def _valid(self, df: np.ndarray) -> np.ndarray:
        return df > 0

    def _logpdf(self, z: Any, df: Any) -> Any:
        return (sc.gammaln((df + 1) / 2) - sc.gammaln(df / 2) - 0.5 * fnp.log(df * math.pi)
                - (df + 1) / 2 * fnp.log1p(z * z / df))  # fmt: skip

    def _tail(self, z: Any, df: Any) -> Any:
        """``P(T > |z|)``."""
        return 0.5 * sc.betainc(df / 2, 0.5, df / (df + z * z))

    def _cdf(self, z: Any, df: Any) -> Any:
        tail = self._tail(z, df)
        return fnp.where(_plain(z) > 0, 1 - tail, tail)

    def _sf(self, z: Any, df: Any) -> Any:
        return self._cdf(-z, df)

    def _entropy(self, df: Any) -> Any:
        half = (df + 1) / 2
        return half * (sc.digamma(half) - sc.digamma(df / 2)) + 0.5 * fnp.log(df) + sc.betaln(df / 2, 0.5)


_GAMMA = _Gamma("gamma", ("a",), 0.0)

norm = _Norm("norm")
logistic = _Logistic("logistic")
cauchy = _Cauchy("cauchy")
laplace = _Laplace("laplace")
expon = _Expon("expon", (), 0.0)
gamma = _GAMMA
chi2 = _Chi2("chi2", ("df",), 0.0)
beta = _Beta("beta", ("a", "b"), 0.0, 1.0)
t = _T("t", ("df",))


# --------------------------------------------------------------------------------------
# Discrete families: differentiable in their continuous parameters (never in k)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Discrete(_Freezable):
    """A discrete family on the integers ``k >= lower`` (shifted by ``loc``)."""

    name: str
    shapes: tuple[str, ...]
    lower: int = 0

    def _valid(self, *s: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _upper(self, *s: np.ndarray) -> np.ndarray:
        return np.inf

    def _prepare(self, method: str, k: Any, args: tuple, kwds: dict) -> tuple:
        *s, loc = _parse(f"{self.name}.{method}", self.shapes, {"loc": 0.0}, args, kwds)
        if isinstance(k, Traced) or isinstance(loc, Traced):
            raise TypeError(
                f"fad.scipy.stats.{self.name}.{method}: k and loc are integers, with no derivative; "
                "pass them as constants (the parameters are differentiable)"
            )
        kv = np.asarray(k, dtype=np.float64) - loc
        sv = [_plain(x) for x in s]
        valid = self._valid(*sv)
        upper = self._upper(*sv)
        return kv, s, valid, upper

    def _finish(self, value: Any, mask: np.ndarray, fill: np.ndarray) -> Any:
        shape = np.broadcast_shapes(np.shape(mask), fnp.shape(value), np.shape(fill))
        mask = np.broadcast_to(mask, shape)
        return value if np.all(mask) else fnp.where(mask, value, np.broadcast_to(fill, shape))

    def logpmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """The log of the probability mass at the integer ``k``."""
        kv, s, valid, upper = self._prepare("logpmf", k, args, kwds)
        inside = (kv == np.floor(kv)) & (kv >= self.lower) & (kv <= upper) & valid
        value = self._logpmf(np.where(inside, kv, self.lower), *s)
        return self._finish(value, inside, np.where(valid, -np.inf, np.nan))

    def pmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """The probability mass at ``k``, ``exp(logpmf)``."""
        return fnp.exp(self.logpmf(k, *args, **kwds))

    def _cumulative(self, method: str, k: Any, args: tuple, kwds: dict, below: float, above: float) -> Any:
        kv, s, valid, upper = self._prepare(method, k, args, kwds)
        kv = np.floor(kv)
        inside = (kv >= self.lower) & (kv < upper) & valid
        value = getattr(self, "_" + method)(np.where(inside, kv, self.lower), *s)
        fill = np.where(valid, np.where(kv < self.lower, below, above), np.nan)
        return self._finish(value, inside, fill)

    def cdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """``P(X <= k)``."""
        return self._cumulative("cdf", k, args, kwds, 0.0, 1.0)

    def sf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """``P(X > k)``."""
        return self._cumulative("sf", k, args, kwds, 1.0, 0.0)

    def logcdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """``log P(X <= k)``."""
        return self._cumulative("logcdf", k, args, kwds, -np.inf, 0.0)

    def logsf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """``log P(X > k)``."""
        return self._cumulative("logsf", k, args, kwds, 0.0, -np.inf)

    def entropy(self, *args: Any, **kwds: Any) -> Any:
        """``-sum_k pmf(k) log pmf(k)``, summed over ``k`` well past where the tail is below 1e-15, as SciPy sums it."""
        *s, _ = _parse(f"{self.name}.entropy", self.shapes, {"loc": 0.0}, args, kwds)
        sv = [_plain(x) for x in s]
        valid = self._valid(*sv)
        with np.errstate(invalid="ignore"):
            tail = getattr(scipy.stats, self.name).isf(1e-15, *sv)
        last = 1.2 * np.nan_to_num(tail, nan=self.lower, posinf=self.lower) + 10
        k = np.arange(self.lower, max(int(np.max(last, initial=self.lower)), self.lower) + 1, dtype=np.float64)
        shape = np.broadcast_shapes(*(np.shape(v) for v in sv))
        inside = (k <= np.expand_dims(np.broadcast_to(self._upper(*sv), shape), -1)) & np.expand_dims(
            np.broadcast_to(valid, shape), -1)  # fmt: skip
        params = [fnp.expand_dims(_safe(valid, x, 0.5), -1) for x in s]
        logpmf = self._logpmf(np.where(inside, k, self.lower), *params)
        terms = fnp.where(inside, fnp.exp(logpmf) * logpmf, 0.0)
        return _where(valid, -fnp.sum(terms, axis=-1), np.nan)

    def _logcdf(self, k: np.ndarray, *s: Any) -> Any:
        return _log_of(self._cdf(k, *s), lambda: self._sf(k, *s))

    def _logsf(self, k: np.ndarray, *s: Any) -> Any:
        return _log_of(self._sf(k, *s), lambda: self._cdf(k, *s))


@dataclass(frozen=True)
class _Poisson(_Discrete):
    def _valid(self, mu: np.ndarray) -> np.ndarray:
        return mu >= 0

    def _logpmf(self, k: np.ndarray, mu: Any) -> Any:
        return sc.xlogy(k, mu) - mu - sc.gammaln(k + 1)

    def _cdf(self, k: np.ndarray, mu: Any) -> Any:
        return sc.gammaincc(k + 1, mu)

    def _sf(self, k: np.ndarray, mu: Any) -> Any:
        return sc.gammainc(k + 1, mu)


@dataclass(frozen=True)
class _Binom(_Discrete):
    """``binom(n, p)``: ``n`` is an integer count (a constant); ``p`` is differentiable."""

    def _valid(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        return (n >= 0) & (n == np.floor(n)) & (p >= 0) & (p <= 1)

    def _upper(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        return n

    def _logpmf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        return (sc.gammaln(n + 1) - sc.gammaln(k + 1) - sc.gammaln(n - k + 1)
                + sc.xlogy(k, p) + sc.xlog1py(n - k, -p))  # fmt: skip

    def _cdf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        return sc.betainc(n - k, k + 1, 1 - p)

    def _sf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        return sc.betainc(k + 1, n - k, p)


@dataclass(frozen=True)
class _NBinom(_Discrete):
    """The number of failures before the ``n``-th success; ``n`` need not be an integer."""

    def _valid(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        return (n > 0) & (p > 0) & (p <= 1)

    def _logpmf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        return sc.gammaln(n + k) - sc.gammaln(n) - sc.gammaln(k + 1) + n * fnp.log(p) + sc.xlog1py(k, -p)

    def _cdf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        return sc.betainc(n, k + 1, p)

    def _sf(self, k: np.ndarray, n: Any, p: Any) -> Any:
        return sc.betainc(k + 1, n, 1 - p)


@dataclass(frozen=True)
class _Geom(_Discrete):
    """The number of trials up to the first success, ``k >= 1``."""

    def _valid(self, p: np.ndarray) -> np.ndarray:
        return (p > 0) & (p <= 1)

    def _logpmf(self, k: np.ndarray, p: Any) -> Any:
        return sc.xlog1py(k - 1, -p) + fnp.log(p)

    def _logsf(self, k: np.ndarray, p: Any) -> Any:
        return sc.xlog1py(k, -p)

    def _sf(self, k: np.ndarray, p: Any) -> Any:
        return fnp.exp(self._logsf(k, p))

    def _cdf(self, k: np.ndarray, p: Any) -> Any:
        return -fnp.expm1(self._logsf(k, p))


poisson = _Poisson("poisson", ("mu",))
binom = _Binom("binom", ("n", "p"))
nbinom = _NBinom("nbinom", ("n", "p"))
geom = _Geom("geom", ("p",), 1)


# --------------------------------------------------------------------------------------
# Multivariate families
# --------------------------------------------------------------------------------------


def _quantiles(x: Any, dim: int) -> Any:
    """SciPy's reading of ``x``: a scalar or a vector is one point (or, when ``dim == 1``, many points)."""
    x = _asarray(x)
    if fnp.ndim(x) == 0:
        return fnp.reshape(x, (1,))
    if fnp.ndim(x) == 1 and dim == 1:
        return fnp.reshape(x, (-1, 1))
    return x


def _squeeze(y: Any) -> Any:
    """SciPy's ``_squeeze_output``: a single value as a 0-d array."""
    return fnp.reshape(y, ()) if fnp.size(y) == 1 else fnp.squeeze(y) if fnp.ndim(y) else y


@dataclass(frozen=True)
class _MultivariateNormal(_Freezable):
    """The multivariate normal ``N(mean, cov)``, through the Cholesky factor ``cov = L L^T``."""

    name: str = "multivariate_normal"

    def _parameters(self, method: str, mean: Any, cov: Any, allow_singular: bool) -> tuple:
        if allow_singular:
            raise NotImplementedError(
                f"fad.scipy.stats.multivariate_normal.{method}: allow_singular=True is not supported "
                "(a singular covariance has no Cholesky factor); pass a positive-definite cov and allow_singular=False"
            )
        cov = _asarray(cov)
        mean = None if mean is None else _asarray(mean)
        if fnp.ndim(cov) == 2:
            dim = fnp.shape(cov)[0]
        elif mean is not None and fnp.ndim(mean) == 1:
            dim = fnp.shape(mean)[0]
        else:
            dim = max(fnp.size(cov) if fnp.ndim(cov) == 1 else 1, 1)
        if fnp.ndim(cov) == 0:
            cov = cov * np.eye(dim)
        elif fnp.ndim(cov) == 1:
            cov = fnp.diag(cov)
        mean = np.zeros(dim) if mean is None else fnp.reshape(mean, (dim,))
        if fnp.shape(cov) != (dim, dim):
            raise ValueError(f"fad.scipy.stats.multivariate_normal.{method}: cov must be ({dim}, {dim}), "
                             f"got {fnp.shape(cov)}")  # fmt: skip
        if np.any(np.linalg.eigvalsh(_plain(cov)) <= 0):
            raise np.linalg.LinAlgError(
                f"fad.scipy.stats.multivariate_normal.{method}: cov is not positive definite; "
                "allow_singular=True is not supported"
            )
        return dim, mean, fnp.linalg.cholesky(cov)

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """``-(d log(2 pi) + log det cov + (x - mean)^T cov^-1 (x - mean)) / 2``, over the last axis of ``x``."""
        dim, mean, chol = self._parameters("logpdf", mean, cov, allow_singular)
        z = fnp.matmul(_quantiles(x, dim) - mean, fnp.linalg.inv(chol).T)  # rows: L^-1 (x - mean)
        half_logdet = fnp.sum(fnp.log(fnp.diagonal(chol)))
        return _squeeze(-0.5 * fnp.sum(z * z, axis=-1) - half_logdet - 0.5 * dim * _LOG_2PI)

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """The density, ``exp(logpdf)``."""
        return fnp.exp(self.logpdf(x, mean, cov, allow_singular))

    def entropy(self, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """``(d (1 + log(2 pi)) + log det cov) / 2``."""
        dim, _, chol = self._parameters("entropy", mean, cov, allow_singular)
        return 0.5 * dim * (1 + _LOG_2PI) + fnp.sum(fnp.log(fnp.diagonal(chol)))


@dataclass(frozen=True)
class _Dirichlet(_Freezable):
    """The Dirichlet distribution; as in SciPy, the first axis of ``x`` holds the components."""

    name: str = "dirichlet"

    def _check(self, method: str, alpha: Any) -> Any:
        alpha = _asarray(alpha)
        if fnp.ndim(alpha) != 1 or np.any(_plain(alpha) <= 0):
            raise ValueError(f"fad.scipy.stats.dirichlet.{method}: alpha must be a vector of positive numbers")
        return alpha

    def logpdf(self, x: Any, alpha: Any) -> Any:
        """``sum((alpha - 1) log x) - log B(alpha)``; ``x`` may omit its last component (``1 - sum``)."""
        alpha = self._check("logpdf", alpha)
        x = _asarray(x)
        k = fnp.shape(alpha)[0]
        if fnp.shape(x)[0] == k - 1:
            x = fnp.concatenate([x, 1 - fnp.sum(x, axis=0, keepdims=True)], axis=0)
        if fnp.shape(x)[0] != k:
            raise ValueError(f"fad.scipy.stats.dirichlet.logpdf: x's first axis must have {k} or {k - 1} components")
        xv = _plain(x)
        if np.any(xv <= 0) or np.any(np.abs(xv.sum(axis=0) - 1) > 1e-9):
            raise ValueError("fad.scipy.stats.dirichlet.logpdf: each x must lie in the open simplex (x > 0, sum 1)")
        a = fnp.reshape(alpha, (k,) + (1,) * (fnp.ndim(x) - 1))
        log_b = fnp.sum(sc.gammaln(alpha)) - sc.gammaln(fnp.sum(alpha))
        return fnp.sum(sc.xlogy(a - 1, x), axis=0) - log_b

    def pdf(self, x: Any, alpha: Any) -> Any:
        """The density, ``exp(logpdf)``."""
        return fnp.exp(self.logpdf(x, alpha))

    def entropy(self, alpha: Any) -> Any:
        """``log B(alpha) + (a0 - K) psi(a0) - sum((alpha - 1) psi(alpha))``, ``a0 = sum(alpha)``."""
        alpha = self._check("entropy", alpha)
        a0, k = fnp.sum(alpha), fnp.shape(alpha)[0]
        log_b = fnp.sum(sc.gammaln(alpha)) - sc.gammaln(a0)
        return log_b + (a0 - k) * sc.digamma(a0) - fnp.sum((alpha - 1) * sc.digamma(alpha))


multivariate_normal = _MultivariateNormal()
dirichlet = _Dirichlet()
