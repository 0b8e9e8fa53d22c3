"""Declared ``unread`` positions are really never read by the VJP.

A primitive declares with ``unread`` the positions among ``(y, x1, ..., xn)`` (0 for
``y``) that its VJP never reads; the tape stores ``None`` there, so a wrong declaration is
a wrong gradient (or a crash) in the backward pass. For every record bound at module
level under ``fad`` with a declaration, the VJP is called on example inputs twice, with
the real values and with ``None`` at the unread positions, and the results must agree.
A record with a declaration and no examples here fails the test: add its examples.
"""

import numpy
import pytest
from test_defined_once import records

import fad
import fad.numpy as np
from fad.core import Primitive

rng = numpy.random.default_rng(0)


def normal(*shape, dtype=float):
    x = rng.normal(size=shape)
    if numpy.dtype(dtype).kind == "c":
        x = x + 1j * rng.normal(size=shape)
    return x.astype(dtype)


def spd(n):
    a = normal(n, n)
    return a @ a.T + n * numpy.eye(n)


INSIDE = numpy.array([[0.3, -0.6, 0.1], [0.7, 0.45, -0.2]])  # in (-1, 1): every unary domain but arccosh's
POSITIVE = numpy.array([[0.3, 1.6, 0.1], [2.7, 0.45, 1.2]])
ABOVE_ONE = 1.5 + POSITIVE
COMPLEX = normal(2, 3, dtype=complex)

UNARY_REAL = {"arcsin", "arccos", "arctan", "arcsinh", "arctanh", "sin", "cos", "tan", "sinh", "cosh", "tanh",
              "exp", "exp2", "expm1", "negative", "cbrt", "fabs", "square", "sinc", "reciprocal"}  # fmt: skip
UNARY_POSITIVE = {"log", "log2", "log10", "log1p", "sqrt",  # and scipy.special's
                  "log_expit", "softplus", "erf", "erfc", "ndtr", "gammaln", "digamma", "entr", "i0", "i1"}
UNARY_UNIT = {"logit", "erfinv", "erfcinv", "ndtri"}  # on (0, 1)
BINARY = {"add", "subtract", "multiply", "maximum", "minimum", "fmax", "fmin", "remainder", "arctan2",
          "divide_or_zero", "betaln", "xlogy", "xlog1py", "rel_entr", "kl_div"}  # fmt: skip
SIGNED = {"add", "subtract", "multiply", "maximum", "minimum", "fmax", "fmin", "arctan2"}  # also on negative x1

# Examples per record name not covered by the sets above: a list of (inputs, params).
EXAMPLES = {
    "arccosh": [((ABOVE_ONE,), {})],
    "polygamma": [((POSITIVE,), {"n": 1})],
    "iv": [((POSITIVE,), {"v": 1})],
    "conjugate": [((COMPLEX,), {}), ((INSIDE,), {})],
    "real": [((COMPLEX,), {}), ((INSIDE,), {})],
    "imag": [((COMPLEX,), {}), ((INSIDE,), {})],
    "complex": [((INSIDE,), {"dtype": numpy.dtype(complex)})],
    "sinc_derivative": [((INSIDE,), {"n": 2})],
    "clip": [((INSIDE, -0.5, 0.5), {}), ((INSIDE, numpy.full(3, -0.1), None), {})],
    "astype": [((INSIDE,), {"dtype": numpy.dtype(numpy.float32)}), ((COMPLEX,), {"dtype": numpy.dtype(float)})],
    "broadcast_to": [((INSIDE[0],), {"shape": (4, 3)})],
    "reshape": [((INSIDE,), {"shape": (3, 2)})],
    "transpose": [((INSIDE,), {"axes": (1, 0)}), ((normal(2, 3, 4),), {"axes": None})],
    "sum": [((INSIDE,), {"axis": (1,)}), ((INSIDE,), {"axis": None, "keepdims": True})],
    "getitem": [((INSIDE,), {"index": (slice(None), numpy.array([0, 2, 0]))}), ((INSIDE,), {"index": 1})],
    "index_add": [((INSIDE[0],), {"index": (1,), "shape": (4, 3)})],
    "where": [((INSIDE > 0, INSIDE, POSITIVE[0]), {})],
    "concatenate": [((INSIDE, POSITIVE), {"axis": 0}), ((INSIDE, POSITIVE), {"axis": 1})],
    "stack": [((INSIDE, POSITIVE), {"axis": 1})],
    "cumsum": [((INSIDE,), {"axis": 1})],
    "reverse_cumsum": [((INSIDE,), {"axis": 0})],
    "median": [((POSITIVE,), {"axis": (1,)}), ((POSITIVE,), {"axis": None})],
    "matmul": [((normal(2, 3), normal(3, 4)), {}), ((normal(3), normal(2, 3, 4)), {}), ((normal(2, 3), normal(3)), {})],
    "einsum": [((normal(2, 3), normal(3, 4)), {"subscripts": "ij,jk->ik"}),
               ((normal(3, 3),), {"subscripts": "ii->i"}),
               ((normal(2, 3), normal(3), normal(3, 2)), {"subscripts": "ij,j,jk->ik"})],
    "inv": [((spd(3),), {})],
    "cholesky": [((spd(3),), {})],
    "eigh": [((spd(3),), {"UPLO": "L"})],
    "fft": [((normal(4, 5),), {"axis": 1, "norm": "backward"}),
            ((normal(5, dtype=complex),), {"axis": 0, "norm": "ortho"})],
    "ifft": [((normal(4, 5),), {"axis": 0, "norm": "forward"})],
    "rfft": [((normal(4, 6),), {"axis": 1, "norm": "backward"})],
    "irfft": [((normal(4, 4, dtype=complex),), {"n": 6, "axis": 1, "norm": "backward"})],
    "fftshift": [((normal(4, 5),), {"axes": None})],
    "ifftshift": [((normal(4, 5),), {"axes": (1,)})],
}  # fmt: skip


def examples(record: Primitive) -> list:
    if record.name in EXAMPLES:
        return EXAMPLES[record.name]
    if record.name in UNARY_REAL:
        return [((INSIDE,), {}), ((numpy.float32(0.25),), {})]
    if record.name in UNARY_POSITIVE:
        return [((POSITIVE,), {})]
    if record.name in UNARY_UNIT:
        return [((numpy.abs(INSIDE) + 0.05,), {})]
    if record.name in BINARY:  # broadcasting, and a Python number as one input
        cases = [((POSITIVE, POSITIVE[0]), {}), ((0.5, POSITIVE), {})]
        return cases + [((INSIDE, POSITIVE[0]), {})] if record.name in SIGNED else cases
    return []


def declared():
    """Every record under ``fad`` with a non-empty ``unread``, with the name it is found by."""
    return sorted(
        ((where, record) for found in records().values() for record, where in found.values() if record.unread),
        key=lambda item: item[0],
    )


def cotangent_like(y):
    if isinstance(y, tuple):
        return tuple(cotangent_like(part) for part in y)
    y = numpy.asarray(y)
    return normal(*y.shape, dtype=y.dtype)[()] if y.dtype.kind in "fc" else numpy.zeros(y.shape)


def assert_same(a, b, where):
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), where
        for p, q in zip(a, b):
            assert_same(p, q, where)
    elif a is None:
        assert b is None, where
    else:
        numpy.testing.assert_array_equal(numpy.asarray(a), numpy.asarray(b), err_msg=where)
        assert numpy.result_type(a) == numpy.result_type(b), where


DECLARED = declared()


def test_there_are_declarations_to_check():
    names = {record.name for _, record in DECLARED}
    assert {"exp", "tanh", "sqrt", "expm1", "sin", "cos", "log", "matmul", "einsum", "add", "multiply", "sum"} <= names


@pytest.mark.parametrize("where, record", DECLARED, ids=[where for where, _ in DECLARED])
def test_the_vjp_never_reads_the_unread_positions(where, record):
    cases = examples(record)
    assert cases, f"{where} declares unread={record.unread} but tests/test_unread.py has no example inputs for it"
    for xs, params in cases:
        y = record.fwd(*xs, **params)
        ybar = cotangent_like(y)
        full = record.vjp(y, ybar, *xs, **params)
        values = [y, *xs]
        for i in record.unread:
            values[i] = None
        freed = record.vjp(values[0], ybar, *values[1:], **params)
        assert_same(full, freed, f"{where} with unread={record.unread}, inputs {[numpy.shape(x) for x in xs]}")
        if record.vjp_parts is not None:  # the per-input rules, as the backward pass calls them
            for k in range(len(xs)):
                rule = record.vjp_parts[k]
                if rule is not None:
                    assert_same(rule(y, ybar, *xs, **params), rule(values[0], ybar, *values[1:], **params), where)


def test_a_gradient_tape_keeps_none_where_the_vjp_reads_nothing():
    """x @ W then tanh: the matmul row keeps no y, the tanh row no x (only its output)."""
    from fad.array import TracedArray
    from fad.core import Trace
    from fad.nesting import run

    x, W = normal(4, 3), normal(3, 2)
    trace = Trace("grad", False, TracedArray)  # as fad.grad traces: only what the VJPs read is kept
    inputs = (trace.new_node(x), trace.new_node(W))
    run(lambda x, W: np.tanh(x @ W), trace, inputs, None)
    rows = {entry.primitive.name: entry for entry in trace.entries}
    assert rows["matmul"].value is None and all(v is not None for v in rows["matmul"].inputs)
    assert rows["tanh"].value is not None and rows["tanh"].inputs == (None,)
    # and the gradient read off that tape is right
    g = fad.grad(lambda W: np.sum(np.tanh(np.matmul(x, W))), argnums=0)(W)
    numpy.testing.assert_allclose(g, x.T @ (1 - numpy.tanh(x @ W) ** 2))


def test_the_tape_of_fad_tape_keeps_every_value():
    x, W = normal(4, 3), normal(3, 2)
    tape = fad.tape(lambda x, W: np.tanh(np.matmul(x, W)))(x, W)
    for entry in tape.entries:
        assert entry.value is not None and all(v is not None for v in entry.inputs)
