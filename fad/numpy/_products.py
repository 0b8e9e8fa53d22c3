"""Products: matmul, dot, vdot, inner, outer, tensordot, einsum, kron, cross, vecdot, ...

Two primitives carry every product. ``matmul`` (a batched matrix product, with NumPy's
1-d promotion) and ``einsum`` (any sum of products over named indices). Both are
bilinear, so each operand's cotangent is the same kind of product of ``ybar`` with the
other operands::

    j(A @ B)(y, ybar, A, B)                       = (ybar @ B^T, A^T @ ybar)
    j(einsum("ij,jk->ik"))(y, ybar, A, B)         = (einsum("ik,jk->ij", ybar, B),
                                                     einsum("ik,ij->jk", ybar, A))

Each operand has its own rule, so a constant operand costs nothing in the backward pass.
The other functions are compositions: ``tensordot`` and N-d ``dot`` move the summed axes
together and call ``matmul`` (as NumPy does), ``outer`` and ``kron`` are broadcast
products, ``cross`` is written out in components, and ``vdot``, ``vecdot`` and ``vecmat``
conjugate their first argument, as NumPy's do.

Complex values follow fad's convention (that of autograd and JAX): no conjugation in
the rules, ``j(a * b)(y, ybar, a, b) = (ybar * b, ybar * a)``. A real operand of a
complex product gets the real part of its cotangent.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from math import prod
from types import MappingProxyType
from typing import Any

import numpy as np

from fad.core import Primitive, primitive
from fad.numpy._base import (
    cotangent_for,
    is_complex,
    no_out,
    nondiff,
    normalize_axis,
    reshape_p,
    shape_of,
    stack_p,
    transpose_p,
    unbroadcast,
)
from fad.numpy._base import matrix_transpose_p as mT  # X^T, of every matrix of a stack
from fad.numpy._elementwise import conj

__all__ = [
    "matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "einsum_path", "kron", "cross",
    "vecdot", "matvec", "vecmat",
]  # fmt: skip


# --------------------------------------------------------------------------------------
# Helpers: cotangents in the operand's dtype, shape changes that skip no-ops
# --------------------------------------------------------------------------------------


def _reshape(x: Any, shape: tuple) -> Any:
    """``x`` with ``shape`` (no tape entry when it already has it)."""
    return x if shape_of(x) == tuple(shape) else reshape_p(x, shape=tuple(shape))


def _transpose(x: Any, axes: Sequence[int]) -> Any:
    """``x`` with its axes permuted (no tape entry for the identity)."""
    axes = tuple(int(a) for a in axes)
    return x if axes == tuple(range(len(axes))) else transpose_p(x, axes=axes)


def _moveaxis(x: Any, source: int, destination: int, who: str) -> Any:
    """``x`` with axis ``source`` moved to position ``destination``."""
    n = len(shape_of(x))
    order = [i for i in range(n) if i != normalize_axis(source, n, who)]
    order.insert(normalize_axis(destination, n, who), normalize_axis(source, n, who))
    return _transpose(x, order)


def _operands(*xs: Any) -> tuple:
    """Lists and tuples as arrays; arrays, scalars and traced values as they are."""
    return tuple(np.asarray(x) if isinstance(x, (list, tuple)) else x for x in xs)




def _matmul_rule(k: int) -> Callable:
    """The cotangent of operand ``k`` of ``y = a @ b``: ``ybar @ b^T`` or ``a^T @ ybar``.

    A 1-d operand is a row on the left or a column on the right, as in matmul; the batch
    axes of the cotangent are summed back to the operand's shape.
    """

    def rule(y: Any, ybar: Any, a: Any, b: Any) -> Any:
        a_vector, b_vector = len(shape_of(a)) == 1, len(shape_of(b)) == 1
        a2 = _reshape(a, (1, *shape_of(a))) if a_vector else a
        b2 = _reshape(b, (*shape_of(b), 1)) if b_vector else b
        shape = list(shape_of(ybar)) + ([1] if b_vector else [])
        if a_vector:
            shape.insert(len(shape) - 1, 1)
        ybar2 = _reshape(ybar, shape)
        x, x2, xbar = (a, a2, matmul(ybar2, mT(b2))) if k == 0 else (b, b2, matmul(mT(a2), ybar2))
        return cotangent_for(_reshape(unbroadcast(xbar, x2), shape_of(x)), x)

    return rule


# --------------------------------------------------------------------------------------
# einsum: subscripts in a canonical form (explicit, no ellipsis, no broadcasting)
# --------------------------------------------------------------------------------------

# NumPy's index labels, in the order its implicit mode sorts them (integer labels of the
# interleaved form, 0..51, are these letters in turn).
_LABELS = string.ascii_uppercase + string.ascii_lowercase


def _einsum_input(args: tuple) -> tuple[str, tuple]:
    """The subscripts and operands of ``einsum(subscripts, *operands)`` or of the
    interleaved form ``einsum(op0, sublist0, op1, sublist1, ..., [sublist_out])``."""
    if not args:
        raise TypeError("fad.numpy.einsum: expected subscripts and at least one operand")
    if isinstance(args[0], str):
        return args[0], args[1:]

    def labels(sublist: Any) -> str:
        out = []
        for s in sublist:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, (int, np.integer)) and 0 <= s < len(_LABELS):
                out.append(_LABELS[s])
            else:
                raise ValueError(f"fad.numpy.einsum: subscript {s!r} in a sublist must be an integer in [0, 52) or ...")
        return "".join(out)

    n = len(args) // 2
    subscripts = ",".join(labels(s) for s in args[1 : 2 * n : 2])
    if len(args) % 2:
        subscripts += "->" + labels(args[-1])
    return subscripts, args[0 : 2 * n : 2]


def _canonical(subscripts: str, shapes: list[tuple]) -> str:
    """``subscripts`` as explicit ``"ab,bc->ac"``: one letter per axis, sizes that agree.

    The axes an ellipsis stands for get letters of their own (aligned from the right, as
    broadcasting aligns them); the implicit output is the ellipsis axes followed by the
    letters used once, sorted; and an axis of length 1 broadcast against a longer one
    gets a letter of its own, which sums over one element. The same sum, written so that
    every cotangent is an einsum without broadcasting.
    """
    who = "fad.numpy.einsum"
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"{who}: subscripts {subscripts!r} name {len(terms)} operands, but {len(shapes)} were given")
    for part in (*terms, output):
        if not set(part.replace("...", "")) <= set(_LABELS) or part.count("...") > 1:
            raise ValueError(f"{who}: invalid subscripts {subscripts!r}: use letters, ',' '->' and at most one '...'")
    unused = iter(c for c in _LABELS if c not in spec)

    def fresh() -> str:
        letter = next(unused, None)
        if letter is None:
            raise ValueError(f"{who}: subscripts {subscripts!r} need more than the 52 index letters NumPy allows")
        return letter

    # 1. The axes under each ellipsis get letters, shared from the right.
    widths = []
    for i, (term, shape) in enumerate(zip(terms, shapes)):
        named = len(term.replace("...", ""))
        width = len(shape) - named if "..." in term else 0
        if width < 0 or ("..." not in term and named != len(shape)):
            raise ValueError(f"{who}: operand {i} has {len(shape)} dimensions, but subscripts {term!r} name {named}")
        widths.append(width)
    ellipsis = "".join(fresh() for _ in range(max(widths, default=0)))
    letters = "".join(t.replace("...", "") for t in terms)
    terms = [t.replace("...", ellipsis[len(ellipsis) - w :]) for t, w in zip(terms, widths)]
    # 2. The output: given, or implicit (the ellipsis axes, then the letters used once).
    if not arrow:
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    elif "..." in output:
        output = output.replace("...", ellipsis)
    elif ellipsis:
        raise ValueError(f"{who}: subscripts {subscripts!r} broadcast axes under '...' but the output has no '...'")
    # 3. A letter of length 1 in an operand and longer elsewhere is broadcast: in that
    #    operand it becomes a letter of its own, which sums over one element.
    sizes = {c: n for term, shape in zip(terms, shapes) for c, n in zip(term, shape) if n != 1}

    def unbroadcast_letters(term: str, shape: tuple) -> str:
        ones = {c for c in term if sizes.get(c, 1) != 1 and all(n == 1 for t, n in zip(term, shape) if t == c)}
        renamed = {c: fresh() for c in sorted(ones)}
        return "".join(renamed.get(c, c) for c in term)

    terms = [unbroadcast_letters(term, shape) for term, shape in zip(terms, shapes)]
    return ",".join(terms) + "->" + output


def _diagonal_mask(term: str, shape: tuple) -> np.ndarray:
    """Ones of ``shape``, zero off the diagonals that repeated letters of ``term`` tie."""
    mask = np.ones(shape, dtype=bool)
    for c in set(term):
        axes = [i for i, t in enumerate(term) if t == c]
        for other in axes[1:]:  # index along ``other`` equals index along axes[0]
            eye_shape = [n if i in (axes[0], other) else 1 for i, n in enumerate(shape)]
            mask = mask & np.eye(shape[axes[0]], dtype=bool).reshape(eye_shape)
    return mask


def _einsum_xbar(k: int, ybar: Any, xs: tuple, subscripts: str, optimize: Any) -> Any:
    """The cotangent of operand ``k``: the einsum of ``ybar`` with the other operands.

    ``"ij,jk->ik"`` gives ``"ik,jk->ij"`` for operand 0. A letter that operand ``k``
    repeats (a diagonal, as in ``"ii->i"``) or that only it has (an axis it sums alone,
    as in ``"ij->i"``) cannot be an output of that einsum; its cotangent is spread over
    the operand's shape by a constant mask of ones (on the diagonals) as one more operand.
    """
    inputs, output = subscripts.split("->")
    terms = inputs.split(",")
    target, x = terms[k], xs[k]
    others = [(t, xj) for j, (t, xj) in enumerate(zip(terms, xs)) if j != k]
    available = set(output).union(*(t for t, _ in others))
    specs, operands = [output] + [t for t, _ in others], [ybar] + [xj for _, xj in others]
    if len(set(target)) < len(target) or not set(target) <= available:
        unused = iter(c for c in _LABELS if c not in subscripts)
        target = "".join(c if target.index(c) == i else next(unused) for i, c in enumerate(target))
        specs.append(target)
        operands.append(_diagonal_mask(terms[k], shape_of(x)))
    path = optimize if isinstance(optimize, (bool, str)) else True  # a given path was for the forward
    xbar = einsum_p(*operands, subscripts=",".join(specs) + "->" + target, optimize=path)
    return cotangent_for(xbar, x)


def _einsum_vjp(y: Any, ybar: Any, *xs: Any, subscripts: str, optimize: Any = False) -> tuple:
    """One cotangent per operand, each an einsum of ``ybar`` with the other operands."""
    return tuple(_einsum_xbar(k, ybar, xs, subscripts, optimize) for k in range(len(xs)))


class _PerOperand:
    """The rules of einsum's operands, one per operand for any number of them: ``rules[k]``.

    Like the tuple of per-input rules of other primitives, it lets the backward pass run
    only the rules of traced operands (``zip(rules, nodes)`` stops at the last operand).
    """

    __slots__ = ()

    def __getitem__(self, k: int) -> Callable:
        def rule(y: Any, ybar: Any, *xs: Any, subscripts: str, optimize: Any = False) -> Any:
            return _einsum_xbar(k, ybar, xs, subscripts, optimize)

        return rule

    def __repr__(self) -> str:
        return "<einsum's rule per operand>"


def _einsum(*xs: Any, subscripts: str, optimize: Any = False) -> Any:
    return np.einsum(subscripts, *xs, optimize=optimize)


# fmt: off
# --------------------------------------------------------------------------------------
# Products                     j(A @ B)(y, ybar, A, B) = (ybar @ B^T, A^T @ ybar)
# --------------------------------------------------------------------------------------
matmul   = primitive(np.matmul, (_matmul_rule(0), _matmul_rule(1)), name="matmul", unread=(0,))
einsum_p = Primitive("einsum", _einsum, _einsum_vjp, _PerOperand(), unread=(0,))  # any number of operands
# fmt: on


# --------------------------------------------------------------------------------------
# The public functions, with NumPy's signatures
# --------------------------------------------------------------------------------------


def einsum(*operands: Any, out: Any = None, optimize: Any = False, **kwargs: Any) -> Any:
    """Einstein summation: the sum over repeated indices of products of the operands.

    Takes every form NumPy does: explicit (``"ij,jk->ik"``) and implicit (``"ij,jk"``)
    output, ``...`` for broadcast axes, a letter repeated in one operand for a diagonal
    (``"ii->i"``, ``"ii"``), any number of operands, and the interleaved form
    ``einsum(a, [0, 1], b, [1, 2])``. Each cotangent is itself an einsum.

    >>> import fad
    >>> a = np.arange(4.0).reshape(2, 2)
    >>> float(einsum("ii", a))
    3.0
    >>> fad.grad(lambda a: einsum("ij,ij", a, a))(a)
    array([[0., 2.],
           [4., 6.]])

    See Also: tensordot, matmul, dot
    """
    no_out(out, "einsum")
    if kwargs:
        raise TypeError(
            f"fad.numpy.einsum: {', '.join(sorted(kwargs))} not supported; cast the operands with astype instead"
        )
    subscripts, xs = _einsum_input(operands)
    if not xs:
        raise ValueError("fad.numpy.einsum: takes at least one operand, got none")
    canonical = _canonical(subscripts, [shape_of(x) for x in xs])
    return einsum_p(*xs, subscripts=canonical, optimize=optimize)


einsum_path = nondiff(np.einsum_path)


def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    """Sum of products over ``axes``: the last ``axes`` of ``a`` with the first of ``b``,
    or the axes ``axes[0]`` of ``a`` with ``axes[1]`` of ``b``.

    As in NumPy, the summed axes are moved together and the product is one ``matmul``.

    >>> tensordot(np.ones((2, 3, 4)), np.ones((3, 4, 5)), axes=2).shape
    (2, 5)
    >>> tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=([0, 1], [1, 0]))
    array(6.)

    See Also: einsum, dot, inner
    """
    a, b = _operands(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(len(sa), len(sb)):
            raise ValueError(f"fad.numpy.tensordot: axes={axes} must be between 0 and the dimensions of a and b")
        return _contract(a, b, range(len(sa) - axes, len(sa)), range(axes), "tensordot")
    try:
        axes_a, axes_b = ([x] if isinstance(x, (int, np.integer)) else list(x) for x in axes)
    except (TypeError, ValueError):
        raise TypeError(f"fad.numpy.tensordot: axes must be an int or a pair of sequences, got {axes!r}") from None
    axes_a = [normalize_axis(i, len(sa), "tensordot") for i in axes_a]
    axes_b = [normalize_axis(i, len(sb), "tensordot") for i in axes_b]
    return _contract(a, b, axes_a, axes_b, "tensordot")


def _contract(a: Any, b: Any, axes_a: Sequence[int], axes_b: Sequence[int], who: str) -> Any:
    """The sum of products over the axes ``axes_a`` of ``a`` paired with ``axes_b`` of ``b``.

    The free axes of ``a``, then the summed ones, are flattened into the rows and columns
    of one matrix; the summed axes of ``b``, then the free ones, into another; one
    ``matmul`` multiplies them, and the result takes the free axes' shape.
    """
    sa, sb, axes_a, axes_b = shape_of(a), shape_of(b), list(axes_a), list(axes_b)
    summed = [sa[i] for i in axes_a]
    if len(set(axes_a)) < len(axes_a) or len(set(axes_b)) < len(axes_b) or summed != [sb[i] for i in axes_b]:
        raise ValueError(
            f"fad.numpy.{who}: shapes {sa} and {sb} are not aligned: the summed axes {axes_a} of the first and "
            f"{axes_b} of the second must be distinct and of equal lengths"
        )
    free_a = [i for i in range(len(sa)) if i not in axes_a]
    free_b = [i for i in range(len(sb)) if i not in axes_b]
    a2 = _reshape(_transpose(a, free_a + axes_a), (prod(sa[i] for i in free_a), prod(summed)))
    b2 = _reshape(_transpose(b, axes_b + free_b), (prod(summed), prod(sb[i] for i in free_b)))
    return _reshape(matmul(a2, b2), [sa[i] for i in free_a] + [sb[i] for i in free_b])


def dot(a: Any, b: Any, out: Any = None) -> Any:
    """Dot product: the sum over the last axis of ``a`` and the second-to-last of ``b``.

    A product for scalars, ``matmul`` for 1-d and 2-d arrays, and for N-d arrays
    ``dot(a, b)[i, j, k, m] = sum(a[i, j, :] * b[k, :, m])``.

    >>> dot(np.ones((2, 3, 4)), np.ones((5, 4, 6))).shape
    (2, 3, 5, 6)

    See Also: matmul, tensordot, vdot
    """
    no_out(out, "dot")
    a, b = _operands(a, b)
    na, nb = len(shape_of(a)), len(shape_of(b))
    if na == 0 or nb == 0:
        return a * b
    if na <= 2 and nb <= 2 and shape_of(a)[-1] == shape_of(b)[max(nb - 2, 0)]:
        return matmul(a, b)
    return _contract(a, b, [na - 1], [max(nb - 2, 0)], "dot")


def vdot(a: Any, b: Any) -> Any:
    """``sum(conj(a) * b)`` over the flattened arrays (``a`` is conjugated, as in NumPy).

    >>> complex(vdot(np.array([1j, 2.0]), np.array([1j, 1.0])))
    (3+0j)

    See Also: dot, vecdot, inner
    """
    a, b = _operands(a, b)
    a, b = _reshape(a, (prod(shape_of(a)),)), _reshape(b, (prod(shape_of(b)),))
    if shape_of(a) != shape_of(b):
        raise ValueError(f"fad.numpy.vdot: a and b must have the same size, got {shape_of(a)[0]} and {shape_of(b)[0]}")
    return matmul(conj(a) if is_complex(a) else a, b)


def inner(a: Any, b: Any) -> Any:
    """Inner product over the last axes: ``inner(a, b)[i, j] = sum(a[i, :] * b[j, :])``.

    >>> inner(np.ones((2, 3)), np.ones((4, 3))).shape
    (2, 4)

    See Also: dot, tensordot, outer
    """
    a, b = _operands(a, b)
    if len(shape_of(a)) == 0 or len(shape_of(b)) == 0:
        return a * b
    return _contract(a, b, [len(shape_of(a)) - 1], [len(shape_of(b)) - 1], "inner")


def outer(a: Any, b: Any, out: Any = None) -> Any:
    """Outer product of the flattened arrays: ``outer(a, b)[i, j] = a[i] * b[j]``.

    >>> outer(np.arange(2.0), np.ones(3)).shape
    (2, 3)

    See Also: inner, kron, einsum
    """
    no_out(out, "outer")
    a, b = _operands(a, b)
    return _reshape(a, (prod(shape_of(a)), 1)) * _reshape(b, (1, prod(shape_of(b))))


def kron(a: Any, b: Any) -> Any:
    """Kronecker product: blocks ``a[i, j] * b``, tiled as ``a``'s elements are.

    >>> kron(np.eye(2), np.ones((2, 3))).shape
    (4, 6)

    See Also: outer, tensordot
    """
    a, b = _operands(a, b)
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        return a * b
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    # a[i0, i1, ...] * b[j0, j1, ...] at axes (i0, j0, i1, j1, ...), then each pair merged
    a2 = _reshape(a, [m for s in sa for m in (s, 1)])
    b2 = _reshape(b, [m for s in sb for m in (1, s)])
    return _reshape(a2 * b2, [p * q for p, q in zip(sa, sb)])


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None) -> Any:
    """Cross product of vectors of length 3 (or 2, taken with a zero third component).

    Written in components, ``c = (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0)``; for two
    2-vectors the result is the scalar ``a0 b1 - a1 b0``, as in NumPy.

    >>> cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    array([0., 0., 1.])

    See Also: dot, outer
    """
    a, b = _operands(a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _moveaxis(a, axisa, -1, "cross"), _moveaxis(b, axisb, -1, "cross")
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(
            f"fad.numpy.cross: incompatible dimensions for cross product (dimension must be 2 or 3), got {na} and {nb}"
        )
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    c2 = a0 * b1 - a1 * b0
    if na == nb == 2:
        return c2
    if na == 2:  # a2 = 0
        b2 = b[..., 2]
        c0, c1 = a1 * b2, -(a0 * b2)
    elif nb == 2:  # b2 = 0
        a2 = a[..., 2]
        c0, c1 = -(a2 * b1), a2 * b0
    else:
        a2, b2 = a[..., 2], b[..., 2]
        c0, c1 = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
    return _moveaxis(stack_p(c0, c1, c2, axis=-1), -1, axisc, "cross")


def vecdot(x1: Any, x2: Any, axis: int = -1) -> Any:
    """Vector dot product along ``axis``, ``sum(conj(x1) * x2, axis)``, broadcasting the rest.

    >>> vecdot(np.ones((2, 3)), np.arange(3.0))
    array([3., 3.])

    See Also: vdot, matvec, vecmat, einsum
    """
    x1, x2 = _operands(x1, x2)
    x1, x2 = _moveaxis(x1, axis, -1, "vecdot"), _moveaxis(x2, axis, -1, "vecdot")
    return einsum("...i,...i->...", conj(x1) if is_complex(x1) else x1, x2)


def matvec(x1: Any, x2: Any) -> Any:
    """Matrix-vector product over the last axes, ``x1[..., i, :] @ x2[..., :]``, broadcasting the rest.

    >>> matvec(np.ones((4, 2, 3)), np.ones(3)).shape
    (4, 2)

    See Also: vecmat, matmul
    """
    x1, x2 = _operands(x1, x2)
    y = matmul(x1, _reshape(x2, (*shape_of(x2), 1)))
    return _reshape(y, shape_of(y)[:-1])


def vecmat(x1: Any, x2: Any) -> Any:
    """Vector-matrix product over the last axes, ``conj(x1[..., :]) @ x2[..., :, j]``, broadcasting the rest.

    >>> vecmat(np.ones(3), np.ones((4, 3, 2))).shape
    (4, 2)

    See Also: matvec, matmul, vecdot
    """
    x1, x2 = _operands(x1, x2)
    x1 = conj(x1) if is_complex(x1) else x1
    y = matmul(_reshape(x1, (*shape_of(x1)[:-1], 1, shape_of(x1)[-1])), x2)
    return _reshape(y, (*shape_of(y)[:-2], shape_of(y)[-1]))


METHODS = MappingProxyType({"dot": dot})
