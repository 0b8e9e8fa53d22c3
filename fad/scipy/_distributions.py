"""The machinery of :mod:`fad.scipy.stats`: arguments parsed as SciPy does, frozen distributions, and
the continuous location-scale family written on the standardized ``z = (x - loc) / scale``.

Each family in :mod:`fad.scipy.stats` is an instance of one of these classes; every method is
a composition of :mod:`fad.numpy` and :mod:`fad.scipy.special` functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

import fad.numpy as fnp
from fad.core import Traced, untraced

__all__ = ["_asarray", "_plain", "_parse", "_where", "_safe", "_Frozen", "_Freezable", "_log_of", "_Continuous"]

_LOG_2PI = math.log(2 * math.pi)
_LOG_2 = math.log(2.0)


def _asarray(x: Any) -> Any:
    """``x`` as an array (float64 for integers), traced values as they are."""
    if isinstance(x, Traced):
        return x
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.inexact) else x.astype(np.float64)


def _plain(x: Any) -> np.ndarray:
    return np.asarray(untraced(x))


def _parse(who: str, names: tuple[str, ...], extra: dict, args: tuple, kwds: dict) -> list:
    """SciPy's argument convention: shape parameters, then ``loc`` (and ``scale``), positional or by name."""
    names_all = names + tuple(extra)
    if len(args) > len(names_all):
        raise TypeError(
            f"fad.scipy.stats.{who}: takes at most {len(names_all)} parameters {names_all}, got {len(args)}"
        )
    values = dict(zip(names_all, args))
    for key, value in kwds.items():
        if key not in names_all or key in values:
            raise TypeError(
                f"fad.scipy.stats.{who}: unexpected or repeated argument {key!r}; parameters are {names_all}"
            )
        values[key] = value
    missing = [n for n in names if n not in values]
    if missing:
        raise TypeError(f"fad.scipy.stats.{who}: missing shape parameter(s) {missing}")
    return [_asarray(values.get(n, extra.get(n))) for n in names_all]


def _where(mask: np.ndarray, value: Any, fill: float) -> Any:
    """``value`` where ``mask``, the constant ``fill`` elsewhere (skipped when ``mask`` is all true)."""
    return value if np.all(mask) else fnp.where(mask, value, fill)


def _safe(mask: np.ndarray, x: Any, inside: float) -> Any:
    """``x`` where ``mask``, a point ``inside`` the support elsewhere: keeps the unused branch's derivatives finite."""
    return x if np.all(mask) else fnp.where(mask, x, inside)


@dataclass(frozen=True)
class _Frozen:
    """A distribution with its parameters fixed, as SciPy's ``norm(loc, scale)``: each method takes ``x`` only."""

    dist: Any
    args: tuple
    kwds: dict

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):  # copy, pickle and dataclass machinery: not a method of the distribution
            raise AttributeError(method)
        bound = getattr(self.dist, method)
        if method == "entropy":
            return lambda: bound(*self.args, **self.kwds)
        return lambda x: bound(x, *self.args, **self.kwds)


class _Freezable:
    """``dist(*parameters)``: the frozen distribution, as in SciPy."""

    def __call__(self, *args: Any, **kwds: Any) -> _Frozen:
        return _Frozen(self, args, kwds)


def _log_of(p: Any, complement: Any) -> Any:
    """``log(p)``, and ``log1p(-q)`` from the complement ``q = 1 - p`` where ``p > 1/2`` (no rounding of ``p`` to 1).

    Each branch is fed 1/2 where it is not used, so neither's derivative is infinite there;
    ``log(0) = -inf`` is the answer, without a warning, where ``p`` is 0.
    """
    near_one = np.asarray(_plain(p) > 0.5)
    if not np.any(near_one):
        with np.errstate(divide="ignore"):
            return fnp.log(p)
    q = complement()
    with np.errstate(divide="ignore"):
        return fnp.where(near_one, fnp.log1p(-fnp.where(near_one, q, 0.5)), fnp.log(fnp.where(near_one, 0.5, p)))


@dataclass(frozen=True)
class _Continuous(_Freezable):
    """A continuous location-scale family, from its standardized log-density and distribution functions."""

    name: str
    shapes: tuple[str, ...] = ()
    lower: float = -math.inf  # the support of the standardized variable
    upper: float = math.inf

    # --- the standardized distribution (overridden per family) ---
    def _logpdf(self, z: Any, *s: Any) -> Any:
        raise NotImplementedError

    def _cdf(self, z: Any, *s: Any) -> Any:
        raise NotImplementedError

    def _sf(self, z: Any, *s: Any) -> Any:
        return 1 - self._cdf(z, *s)

    def _logcdf(self, z: Any, *s: Any) -> Any:
        return _log_of(self._cdf(z, *s), lambda: self._sf(z, *s))

    def _logsf(self, z: Any, *s: Any) -> Any:
        return _log_of(self._sf(z, *s), lambda: self._cdf(z, *s))

    def _entropy(self, *s: Any) -> Any:
        raise NotImplementedError

    def _valid(self, *s: np.ndarray) -> np.ndarray:
        return np.ones((), bool)

    def _inside_point(self) -> float:
        lo, hi = self.lower, self.upper
        return 0.5 * (lo + hi) if math.isfinite(lo) and math.isfinite(hi) else (lo + 1 if math.isfinite(lo) else 0.0)

    # --- the public methods ---
    def _standardized(self, method: str, x: Any, args: tuple, kwds: dict) -> tuple:
        *s, loc, scale = _parse(f"{self.name}.{method}", self.shapes, {"loc": 0.0, "scale": 1.0}, args, kwds)
        z = (_asarray(x) - loc) / scale
        valid = (_plain(scale) > 0) & self._valid(*map(_plain, s))
        zv = _plain(z)
        inside = (zv >= self.lower) & (zv <= self.upper) & valid
        return _safe(inside, z, self._inside_point()), s, scale, zv, valid, inside

    def _finish(self, value: Any, zv: np.ndarray, valid: np.ndarray, inside: np.ndarray, below: float,
                above: float) -> Any:  # fmt: skip
        mask = np.broadcast_to(inside, np.broadcast_shapes(np.shape(inside), fnp.shape(value)))
        if not np.all(mask):
            fill = np.where(zv < self.lower, below, above) + np.zeros(mask.shape)
            value = fnp.where(mask, value, np.where(valid, fill, np.nan))
        return value

    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The log of the probability density at ``x``."""
        z, s, scale, zv, valid, inside = self._standardized("logpdf", x, args, kwds)
        return self._finish(self._logpdf(z, *s) - fnp.log(_safe(valid, scale, 1.0)), zv, valid, inside, -np.inf,
                            -np.inf)  # fmt: skip

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The probability density at ``x``, ``exp(logpdf)``."""
        return fnp.exp(self.logpdf(x, *args, **kwds))

    def cdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The cumulative distribution function ``P(X <= x)``."""
        z, s, _, zv, valid, inside = self._standardized("cdf", x, args, kwds)
        return self._finish(self._cdf(z, *s), zv, valid, inside, 0.0, 1.0)

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The log of the cumulative distribution function."""
        z, s, _, zv, valid, inside = self._standardized("logcdf", x, args, kwds)
        return self._finish(self._logcdf(z, *s), zv, valid, inside, -np.inf, 0.0)

    def sf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The survival function ``P(X > x) = 1 - cdf``, computed without cancellation where the family allows."""
        z, s, _, zv, valid, inside = self._standardized("sf", x, args, kwds)
        return self._finish(self._sf(z, *s), zv, valid, inside, 1.0, 0.0)

    def logsf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The log of the survival function."""
        z, s, _, zv, valid, inside = self._standardized("logsf", x, args, kwds)
        return self._finish(self._logsf(z, *s), zv, valid, inside, 0.0, -np.inf)

    def entropy(self, *args: Any, **kwds: Any) -> Any:
        """The differential entropy ``-E[logpdf(X)]``: the standardized one plus ``log(scale)``."""
        *s, _, scale = _parse(f"{self.name}.entropy", self.shapes, {"loc": 0.0, "scale": 1.0}, args, kwds)
        valid = (_plain(scale) > 0) & self._valid(*map(_plain, s))
        value = self._entropy(*s) + fnp.log(_safe(valid, scale, 1.0))
        return _where(np.broadcast_to(valid, fnp.shape(value)), value, np.nan)
