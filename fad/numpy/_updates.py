"""Functional updates: ``x.at[i].set(v)``, and NumPy's in-place functions refused on traced values.

Traced arrays are immutable, so an update makes a new array: ``x.at[i].set(v)``, ``.add``,
``.multiply``, ``.min`` and ``.max`` (and ``fad.numpy.at(x)[i]`` for any array), each
differentiable in ``x`` and in ``v``. Repeated indices combine as ``numpy.<ufunc>.at`` does.
NumPy's functions that change their argument in place (``put``, ``place``, ``putmask``,
``copyto``, ...) are refused on traced values, naming the update that does the same: code
written for NumPy ignores their return value, so a version that returned a new array would
leave ``x`` silently unchanged.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from fad.core import Traced
from fad.numpy._base import astype_p, broadcast_to_p, dtype_of, getitem_p, index_add_p, reshape_p, shape_of, where_p
from fad.numpy._construction import any_traced, as_array
from fad.numpy._elementwise import maximum, minimum, multiply
from fad.numpy._selection import getitem, index_part

__all__ = ["at", "put", "put_along_axis", "place", "putmask", "copyto"]


def _occurrences(positions: np.ndarray) -> np.ndarray:
    """For each entry of ``positions``, how many equal entries come before it (0 for the first)."""
    order = np.argsort(positions, kind="stable")
    ranked = positions[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]]) if ranked.size else np.zeros(0, np.intp)
    run_start = np.repeat(starts, np.diff(np.r_[starts, ranked.size]))
    counts = np.empty(positions.size, np.intp)
    counts[order] = np.arange(ranked.size) - run_start
    return counts


def _plain_update(x: np.ndarray, index: Any, v: Any, how: str) -> np.ndarray:
    """NumPy's own update of a copy of the plain array ``x``."""
    y = np.array(x, copy=True)
    if how == "set":
        y[index] = v
    else:
        {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}[how].at(y, index, v)
    return y


def _update(x: Any, index: Any, v: Any, how: str) -> Any:
    """``x`` with ``v`` combined into ``x[index]`` by ``how``, as a new (traced) value.

    Each index names some flat positions of ``x`` (``arange(x.size).reshape(x.shape)[index]``).
    ``add`` adds the scattered ``v`` (``index_add_p``: repeated positions accumulate). The
    others go in rounds: round ``r`` takes the ``r``-th occurrence of each position, so the
    positions of a round are distinct, and replaces ``x[p]`` by ``op(x[p], v)`` with ``where_p``;
    later rounds see earlier ones, so ``set`` keeps the last value given for a position
    (NumPy's order), and ``multiply``, ``min``, ``max`` combine every value, as ``ufunc.at``.
    """
    if isinstance(index, Traced) or (isinstance(index, tuple) and any(isinstance(i, Traced) for i in index)):
        raise TypeError(f"fad.numpy.at(x)[i].{how}(v): the index i is traced; an index has no derivative, "
                        "so pass a plain integer or boolean array (e.g. computed with fad.numpy.argmax)")
    index = tuple(map(index_part, index)) if isinstance(index, tuple) else index_part(index)
    if not isinstance(x, Traced) and not any_traced(v):
        return _plain_update(np.asarray(x), index, np.asarray(v), how)
    x = as_array(x)
    dtype = dtype_of(x)
    if not np.issubdtype(dtype, np.inexact):
        raise TypeError(f"fad.numpy.at(x)[i].{how}(v): x has dtype {dtype}, whose updates have no derivative; "
                        "use a float array")
    shape = shape_of(x)
    size = int(np.prod(shape))
    positions = np.arange(size).reshape(shape)[index]
    v = as_array(v)
    if dtype_of(v) != dtype:
        v = astype_p(v, dtype=dtype)
    extra = len(shape_of(v)) - positions.ndim
    if extra > 0 and all(n == 1 for n in shape_of(v)[:extra]):  # leading ones drop, as in NumPy's assignment
        v = reshape_p(v, shape=shape_of(v)[extra:])
    v = reshape_p(broadcast_to_p(v, shape=np.shape(positions)), shape=(positions.size,))
    positions = positions.reshape(-1)
    y = reshape_p(x, shape=(size,))
    if how == "add":
        return reshape_p(y + index_add_p(v, index=positions, shape=(size,)), shape=shape)
    combine = {"set": lambda old, new: new, "multiply": multiply, "min": minimum, "max": maximum}[how]
    occurrences = _occurrences(positions)
    for r in range(int(occurrences.max(initial=-1)) + 1):
        chosen = np.flatnonzero(occurrences == r)
        at = positions[chosen]
        hit = np.zeros(size, bool)
        hit[at] = True
        new = combine(getitem_p(y, index=at), getitem_p(v, index=chosen))
        y = where_p(hit, index_add_p(new, index=at, shape=(size,)), y)
    return reshape_p(y, shape=shape)


class _IndexedUpdate(NamedTuple):
    """``at(x)[index]``: the updates of the elements ``x[index]``, each returning a new array."""

    x: Any
    index: Any

    def set(self, v: Any) -> Any:
        """``x`` with ``x[index] = v``; for an index repeated, the last value wins (as in NumPy)."""
        return _update(self.x, self.index, v, "set")

    def add(self, v: Any) -> Any:
        """``x`` with ``v`` added at ``index``; repeated indices accumulate (``numpy.add.at``)."""
        return _update(self.x, self.index, v, "add")

    def multiply(self, v: Any) -> Any:
        """``x`` with ``x[index]`` multiplied by ``v``; repeated indices multiply each time."""
        return _update(self.x, self.index, v, "multiply")

    def min(self, v: Any) -> Any:  # noqa: A003
        """``x`` with ``x[index] = minimum(x[index], v)``, over every repetition of an index."""
        return _update(self.x, self.index, v, "min")

    def max(self, v: Any) -> Any:  # noqa: A003
        """``x`` with ``x[index] = maximum(x[index], v)``, over every repetition of an index."""
        return _update(self.x, self.index, v, "max")

    def get(self) -> Any:
        """``x[index]``."""
        return getitem(self.x, self.index)


class _Updates(NamedTuple):
    """``at(x)``: index it to name the elements to update."""

    x: Any

    def __getitem__(self, index: Any) -> _IndexedUpdate:  # type: ignore[override]
        return _IndexedUpdate(self.x, index)


def at(x: Any) -> _Updates:
    """Functional updates of ``x``: ``at(x)[i].set(v)``, ``.add(v)``, ``.multiply(v)``, ``.min(v)``, ``.max(v)``.

    Each returns a new array and leaves ``x`` as it was; on a traced ``x`` it is ``x.at[i]``.
    The result is differentiable in ``x`` and ``v`` (to any order), for basic, integer-array
    and boolean indices. Repeated indices combine every value, as NumPy's ``ufunc.at`` does
    (``add`` accumulates); ``set`` with a repeated index keeps the last value given for it,
    NumPy's order for ``x[i] = v``, and only that value gets a derivative. ``min`` and ``max``
    share the derivative equally at ties, like :func:`minimum` and :func:`maximum`.

    >>> at(np.zeros(3))[[0, 0, 2]].add(1.0)
    array([2., 0., 1.])
    >>> import fad
    >>> fad.grad(lambda x: at(x)[1].set(x[0] ** 2).sum())(np.array([3.0, 5.0]))
    array([7., 0.])

    See Also: getitem, where
    """
    return _Updates(x)


def _no_in_place(name: str, instead: str) -> Any:
    """NumPy's in-place ``numpy.<name>``: refused when a traced value takes part, NumPy's own otherwise."""
    numpy_f = getattr(np, name)

    def f(*args: Any, **kwargs: Any) -> Any:
        if any_traced(args) or any(isinstance(v, Traced) for v in kwargs.values()):
            raise TypeError(
                f"fad.numpy.{name} changes its array in place, and traced arrays are immutable: code written for "
                f"NumPy ignores its return value, so no functional version can stand in under this name. "
                f"Build the new value instead: x = {instead}"
            )
        return numpy_f(*args, **kwargs)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"""``numpy.{name}`` on plain arrays; on traced values a TypeError naming ``{instead}``.

    >>> a = np.zeros(2)
    >>> x = at(a)[0].set(1.0)  # instead of numpy.{name}(a, ...)

    See Also: at
    """
    f.differentiable = False  # type: ignore[attr-defined]
    return f


put = _no_in_place("put", "x.at[indices].set(values) (fad.numpy.at(x)[indices].set(values) for any x)")
put_along_axis = _no_in_place(
    "put_along_axis", "x.at[index].set(values), with index built from the indices along the axis")
place = _no_in_place("place", "fad.numpy.where(mask, values, x), or x.at[mask].set(values)")
putmask = _no_in_place("putmask", "fad.numpy.where(mask, values, x)")
copyto = _no_in_place("copyto", "fad.numpy.where(mask, src, dst), or the source itself")


METHODS = MappingProxyType({})  # x.at is a property of fad.array.TracedArray
