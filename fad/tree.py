"""Containers of values: flatten a nested structure to its leaves and rebuild it.

Inputs and outputs of differentiated functions may be nested tuples, lists, dicts,
namedtuples and dataclasses of floats and arrays. The transforms work on the flat list
of leaves and rebuild the structure at the end, so a gradient comes back in the shape
of its input.

>>> leaves, treedef = flatten({"w": (1.0, 2.0), "b": [3.0]})
>>> leaves
[1.0, 2.0, 3.0]
>>> unflatten(treedef, [10.0, 20.0, 30.0])
{'w': (10.0, 20.0), 'b': [30.0]}

Recursion here follows the nesting of the container, which is as deep as the user
wrote it, never the depth of the computation graph.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, NamedTuple

import numpy as np

__all__ = ["TreeDef", "LEAF", "LEAF_TYPES", "flatten", "unflatten", "tree_map", "is_leaf", "ravel"]


class TreeDef(NamedTuple):
    """The shape of a container: its kind, what identifies it, and its children's shapes.

    A leaf is ``TreeDef("leaf", None, ())``. Two values have the same structure exactly
    when their tree definitions compare equal.
    """

    kind: str
    meta: Any
    children: tuple[TreeDef, ...]


LEAF = TreeDef("leaf", None, ())

# The leaves met most often, recognised by their type alone.
LEAF_TYPES = frozenset({float, int, complex, bool, type(None), np.ndarray, np.float64, np.float32, np.complex128})


def _children(x: Any) -> tuple[str, Any, list] | None:
    """A container's kind, what identifies it, and its children; None for a leaf."""
    t = type(x)
    if t in LEAF_TYPES:
        return None
    if t is tuple or t is list:
        return t.__name__, t, list(x)
    if isinstance(x, tuple) and hasattr(t, "_fields"):
        return "namedtuple", t, list(x)
    if isinstance(x, dict):
        keys = tuple(x)
        return "dict", (t, keys), [x[k] for k in keys]
    if hasattr(t, "__dataclass_fields__") and not isinstance(x, type):  # a dataclass instance
        names = tuple(f.name for f in dataclasses.fields(x) if f.init)
        return "dataclass", (t, names), [getattr(x, n) for n in names]
    if isinstance(x, (tuple, list)):
        return t.__name__, t, list(x)
    return None


def _rebuild(td: TreeDef, children: list) -> Any:
    if td.kind == "namedtuple":
        return td.meta(*children)
    if td.kind == "dict":
        t, keys = td.meta
        return t(zip(keys, children))
    if td.kind == "dataclass":
        t, names = td.meta
        return t(**dict(zip(names, children)))
    return td.meta(children)


def is_leaf(x: Any) -> bool:
    """True if ``x`` is not a container that :func:`flatten` looks into."""
    return _children(x) is None


def flatten(tree: Any) -> tuple[list, TreeDef]:
    """The leaves of ``tree`` in order, and the :class:`TreeDef` that rebuilds it.

    >>> flatten((1.0, [2.0, 3.0]))[0]
    [1.0, 2.0, 3.0]

    See Also: unflatten, tree_map
    """
    if type(tree) in LEAF_TYPES:
        return [tree], LEAF
    leaves: list = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(x: Any, leaves: list) -> TreeDef:
    """Append the leaves of ``x`` to ``leaves``; return its :class:`TreeDef`.

    A module-level function rather than a closure that calls itself: such a closure holds a
    reference to itself, and everything it holds would wait for the cyclic collector.
    """
    found = _children(x)
    if found is None:
        leaves.append(x)
        return LEAF
    kind, meta, children = found
    return TreeDef(kind, meta, tuple(_flatten_into(c, leaves) for c in children))


def unflatten(treedef: TreeDef, leaves: list) -> Any:
    """Rebuild the container that :func:`flatten` took apart, with new ``leaves``.

    >>> leaves, treedef = flatten([1.0, (2.0,)])
    >>> unflatten(treedef, [5.0, 6.0])
    [5.0, (6.0,)]

    See Also: flatten
    """
    if treedef is LEAF:
        return leaves[0]
    return _build(treedef, iter(leaves))


def _build(td: TreeDef, leaves: Iterator) -> Any:
    """The container ``td`` describes, its leaves taken in order from ``leaves``."""
    if td.kind == "leaf":
        return next(leaves)
    return _rebuild(td, [_build(c, leaves) for c in td.children])


def tree_map(f: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``f`` leaf by leaf to ``tree`` (and to trees of the same structure in ``rest``).

    >>> tree_map(lambda x: 2 * x, {"a": 1.0, "b": (2.0,)})
    {'a': 2.0, 'b': (4.0,)}

    See Also: flatten, unflatten
    """
    leaves, treedef = flatten(tree)
    return unflatten(treedef, list(map(f, leaves, *(flatten(r)[0] for r in rest))))


def ravel(tree: Any) -> tuple[np.ndarray, Callable[[Any], Any]]:
    """All leaves of ``tree`` as one flat vector, and the function that rebuilds the container.

    The vector is the leaves raveled in C order and joined in the order of :func:`flatten`,
    in float64 (complex128 if a leaf is complex). ``unravel(v)`` cuts a vector of that length
    back into leaves of the original shapes and dtypes: a Python float comes back a float, a
    float32 array a float32 array. Both work on traced values too, so a function of the
    vector may be differentiated.

    >>> v, unravel = ravel({"w": np.ones((2, 2)), "b": 0.5})
    >>> v
    array([1. , 1. , 1. , 1. , 0.5])
    >>> unravel(2 * v)
    {'w': array([[2., 2.],
           [2., 2.]]), 'b': 1.0}

    See Also: flatten, unflatten
    """
    leaves, treedef = flatten(tree)
    shapes = tuple(np.shape(x) for x in leaves)
    dtypes = tuple(np.result_type(x) for x in leaves)
    floats = tuple(type(x) in (float, int, complex, bool) for x in leaves)  # Python numbers come back as such
    dtype = np.result_type(np.float64, *dtypes)
    if not leaves:
        vector = np.zeros(0, dtype)
    else:
        vector = np.concatenate([np.ravel(x) for x in leaves])
        vector = vector if vector.dtype == dtype else vector.astype(dtype)
    return vector, partial(_unravel, treedef, shapes, dtypes, floats)


def _unravel(treedef: TreeDef, shapes: tuple, dtypes: tuple, pythons: tuple, vector: Any) -> Any:
    """The container :func:`ravel` took apart, its leaves cut from ``vector``."""
    size = sum(int(np.prod(shape)) for shape in shapes)
    if np.shape(vector) != (size,):
        raise ValueError(
            f"fad.tree.ravel: unravel needs a vector of shape ({size},), the leaves' total size; "
            f"got shape {np.shape(vector)}"
        )
    leaves = []
    start = 0
    for shape, dtype, python in zip(shapes, dtypes, pythons):
        stop = start + int(np.prod(shape))
        leaf = np.reshape(vector[start:stop], shape)
        if leaf.dtype != dtype:
            leaf = leaf.astype(dtype)
        if python and type(leaf) is np.ndarray:  # a Python number in, a Python number out
            leaf = leaf.item()
        leaves.append(leaf)
        start = stop
    return unflatten(treedef, leaves)
