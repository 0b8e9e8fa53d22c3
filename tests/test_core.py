"""The core: primitives as records, the tape, the backward fold, and scale."""

import dataclasses
import math
import sys
import tracemalloc

import numpy
import pytest

import fad
import fad.array
import fad.numpy as np
from fad.core import Traced, backward_step


def test_primitive_is_a_frozen_record():
    assert isinstance(np.exp, fad.Primitive)
    assert np.exp.name == "exp" and np.exp.fwd is numpy.exp
    with pytest.raises(dataclasses.FrozenInstanceError):
        np.exp.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        np.exp.vjp = None


def test_the_notes_examples_letter_for_letter():
    # j(exp)(y, ybar, x) = y * ybar
    x, ybar = 0.5, 3.0
    y = np.exp(x)
    assert fad.vjp(np.exp)(y, ybar, x) == (y * ybar,)
    # j(+)(y, ybar, x1, x2) = (ybar, ybar)
    assert fad.vjp(np.add)(3.0, ybar, 1.0, 2.0) == (ybar, ybar)
    # j(A @ b)(y, ybar, A, b) = (outer(ybar, b), A.T @ ybar)
    A, b, ybar = numpy.arange(6.0).reshape(2, 3), numpy.array([1.0, -1.0, 2.0]), numpy.array([0.5, 2.0])
    Abar, bbar = fad.vjp(np.matmul)(A @ b, ybar, A, b)
    numpy.testing.assert_allclose(Abar, numpy.outer(ybar, b))
    numpy.testing.assert_allclose(bbar, A.T @ ybar)
    assert fad.vjp(np.exp) is np.exp.vjp  # for a primitive, j(f) is the record's own closure


def test_user_primitive():
    square = fad.primitive(numpy.square, lambda y, ybar, x: (2 * x * ybar,))
    assert square.name == "square" and square(3.0) == 9.0
    assert fad.grad(lambda x: square(np.sin(x)))(0.5) == pytest.approx(2 * math.sin(0.5) * math.cos(0.5))
    # the VJP is written with fad functions, so it differentiates again
    assert fad.grad(fad.grad(square))(1.5) == 2.0


def test_per_input_rules_skip_untraced_inputs():
    calls = []

    def rule(k):
        def part(y, ybar, x1, x2):
            calls.append(k)
            return ybar

        return part

    plus = fad.primitive(numpy.add, (rule(0), rule(1)), name="plus")
    assert fad.grad(lambda x: plus(x, 2.0))(1.0) == 1.0
    assert calls == [0]
    assert fad.vjp(plus)(3.0, 1.0, 1.0, 2.0) == (1.0, 1.0)


def test_untraced_call_is_the_plain_function():
    assert np.sin(0.5) == numpy.sin(0.5)
    a = numpy.linspace(0, 1, 5)
    numpy.testing.assert_array_equal(np.tanh(a), numpy.tanh(a))


def test_tape_of_the_notes_sigmoid():
    t = fad.tape(lambda w, a, b: 1 / (1 + np.exp(-(w * a + b))))(0.5, 2.0, 0.1)
    assert str(t).splitlines() == [
        "t1 = multiply(w, a)",
        "t2 = add(t1, b)",
        "t3 = negative(t2)",
        "t4 = exp(t3)",
        "t5 = add(1, t4)",
        "t6 = divide(1, t5)",
        "output: t6",
    ]
    assert len(t) == 6 and isinstance(t.entries, tuple)
    assert [e.primitive.name for e in t.entries] == ["multiply", "add", "negative", "exp", "add", "divide"]
    assert t.entries[0].value == 1.0 and t.entries[-1].value == pytest.approx(1 / (1 + math.exp(-1.1)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.entries = ()


def test_dead_branches_cost_nothing():
    def exploding_vjp(y, ybar, x):
        raise AssertionError("the backward pass visited a node that does not reach the output")

    dead = fad.primitive(numpy.sin, exploding_vjp, name="dead")

    def f(x):
        for _ in range(100):
            dead(x)  # computed, recorded, never used
        return x * 2.0

    assert fad.grad(f)(1.0) == 2.0


def test_cotangents_are_released_as_the_fold_passes():
    # The store of pending cotangents never holds more than the live frontier.
    sizes = []

    def watched(ybars, entry):
        sizes.append(len(ybars))
        return backward_step(ybars, entry)

    def chain(x):
        for _ in range(500):
            x = np.sin(x) * 0.5 + x
        return x

    traced = fad.tracing.trace_call(chain, (numpy.ones(10),), "test")
    from functools import reduce

    reduce(watched, reversed(traced.trace.entries), {traced.y_nodes[0]: numpy.ones(10)})
    assert max(sizes) <= 3


def test_backward_memory_is_the_frontier_not_the_tape():
    n, m = 60, 20_000
    arrays = m * 8

    def chain(x):
        for _ in range(n):
            x = np.tanh(x)
        return np.sum(x)

    _, back = fad.pullback(chain, numpy.linspace(-1, 1, m))
    tracemalloc.start()
    back(1.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * arrays, f"backward pass peaked at {peak / arrays:.1f} arrays for a chain of {n}"


def test_tape_rows_are_left_to_the_garbage_collector_after_one_collection():
    # A row holds only plain values, so the cyclic collector stops watching it; a million-row
    # tape then costs full collections nothing (see Trace). A regression here shows as
    # growth of the time per operation with the tape's length, which no timed test checks.
    import gc

    def chain(x):
        for _ in range(500):
            x = np.tanh(np.sin(x) * 0.9 + 0.1)
        return x

    traced = fad.tracing.trace_call(chain, (0.3,), "test")
    gc.collect()
    gc.collect()  # a row met in the same collection as its inputs' tuple is let go at the next
    rows = traced.trace.entries.rows
    assert len(rows) == 2000
    assert sum(gc.is_tracked(row) for row in rows) == 0
    assert len(traced.trace.entries.primitives) == 4  # sin, multiply, add, tanh: numbered once per trace


def test_rows_keep_only_what_the_vjp_reads():
    # tanh's rule reads y only, sin's reads x only, matmul's never reads y: a gradient's tape
    # lets the others go, so a network's pre-activations are freed during the forward pass.
    assert 1 in np.tanh.unread and 0 in np.sin.unread and 0 in np.matmul.unread and 1 in np.exp.unread
    W = numpy.ones((3, 3))
    traced = fad.tracing.trace_call(lambda x: np.tanh(x @ W), (numpy.ones((2, 3)),), "test")
    matmul_entry, tanh_entry = traced.trace.entries
    assert matmul_entry.value is None  # y = x @ W: not kept
    assert tanh_entry.value is not None and tanh_entry.inputs[0] is None  # tanh keeps y, drops its input
    # fad.tape keeps everything: it is the tape as data
    t = fad.tape(lambda x: np.tanh(x @ W))(numpy.ones((2, 3)))
    assert all(e.value is not None and all(x is not None for x in e.inputs) for e in t.entries)


def test_unread_is_declared_and_honoured():
    square = fad.primitive(lambda x: x * x, lambda y, ybar, x: (2 * x * ybar,), unread=(0,))
    assert square.unread == (0,) and fad.grad(lambda x: square(square(x)))(2.0) == 32.0
    assert fad.primitive(numpy.sin, lambda y, ybar, x: (ybar * np.cos(x),)).unread == ()  # nothing is guessed
    with pytest.raises(TypeError, match="unread must hold positions"):
        fad.primitive(numpy.sin, lambda y, ybar, x: (ybar,), unread=("y",))
    with pytest.raises(ValueError, match="multiple-results"):
        fad.primitive(lambda x: (x, x), lambda y, ybar, x: (ybar[0],), multiple_results=True, unread=(0,))


def test_the_compact_tape_folds_bit_for_bit_as_a_list_of_entries():
    # The readable fold, reduce(backward_step, reversed(entries), seeds) over a plain list of
    # Entry records, against the same fold over the trace's compact rows (read as they come,
    # and released as they go).
    from fad.core import Trace, backward
    from fad.nesting import run
    from fad.rows import Entry

    class Entries(list):
        """The tape as the plain list of Entry records that the note describes."""

        def record(self, *fields):
            self.append(Entry(*fields))

    def functions(x):
        yield np.sum(np.tanh(x @ x.T) * np.exp(-x[0, :3]))
        yield np.prod(np.sin(x) + 1.5) / np.sqrt(np.sum(x * x) + 1.0)
        yield np.max(np.cumsum(x, axis=1)) - np.linalg.det(x[:, :3] @ x[:, :3].T + numpy.eye(3))

    x0 = numpy.random.default_rng(0).normal(size=(3, 4))
    for k in range(3):
        f = lambda x: list(functions(x))[k]  # noqa: E731
        grads = []
        for store in ("list", "rows", "released"):
            trace = Trace("test", box=fad.array.TracedArray)
            if store == "list":
                trace.entries = Entries()
            x = trace.new_node(x0)
            y = run(f, trace, (x,))
            entries = trace.entries.released() if store == "released" else trace.entries
            grads.append(backward(entries, {y.node: 1.0})[x.node])
        assert isinstance(grads[0], numpy.ndarray)
        assert all(numpy.array_equal(g, grads[0]) for g in grads[1:])


@pytest.mark.parametrize("name", ["grad", "value_and_grad", "jvp", "vjp", "pullback", "hessian", "jacobian", "hvp"])
def test_no_call_leaves_cyclic_garbage(name):
    # Arrays held by a reference cycle live until the collector runs: in a training loop
    # over large arrays that is gigabytes. After one call, the collector must find nothing.
    import gc

    f = lambda x: np.sum(np.sin(x) * x) + np.sum({"a": x}["a"] ** 2)  # noqa: E731
    calls = {
        "grad": lambda x: fad.grad(f)(x),
        "value_and_grad": lambda x: fad.value_and_grad(f)(x),
        "jvp": lambda x: fad.jvp(f)((x,), (x,)),
        "vjp": lambda x: fad.vjp(f)(None, 1.0, x),
        "pullback": lambda x: fad.pullback(f, x)[1](1.0),
        "hessian": lambda x: fad.hessian(f)(x),
        "jacobian": lambda x: fad.jacobian(lambda x: np.sin(x) * x)(x),
        "hvp": lambda x: fad.hvp(f)(x, x),
    }
    x = numpy.linspace(0.1, 1.0, 3)
    calls[name](x)
    gc.collect()
    gc.disable()
    try:
        calls[name](x)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_vjp_with_the_wrong_number_of_cotangents_is_named():
    bad = fad.primitive(lambda x, z: x * z, lambda y, ybar, x, z: (ybar * z,), name="bad")
    with pytest.raises(TypeError, match="VJP of bad must return a tuple of 2 cotangents"):
        fad.grad(lambda x: bad(x, 2.0))(1.0)


def test_million_operation_chain():
    # x <- x + sin(x) * 1e-6, 3 operations a step: no recursion over the graph anywhere
    steps = 333_334

    def chain(x):
        for _ in range(steps):
            x = x + np.sin(x) * 1e-6
        return x

    x, d = 0.5, 1.0
    for _ in range(steps):
        d *= 1 + math.cos(x) * 1e-6
        x = x + math.sin(x) * 1e-6
    assert sys.getrecursionlimit() < 3 * steps
    assert fad.grad(chain)(0.5) == pytest.approx(d, rel=1e-9)


def test_boxes_are_internal():
    seen = []
    fad.grad(lambda x: seen.append(type(x)) or x)(1.0)
    assert seen == [fad.array.TracedArray] and issubclass(seen[0], Traced)


def test_stop_gradient_at_every_level():
    # d/dx [x * stop(x)] = stop(x); inside nested grads the stopped value is constant for all
    assert fad.grad(lambda x: x * fad.stop_gradient(x))(3.0) == 3.0
    f = lambda x: fad.grad(lambda y: y * fad.stop_gradient(x * y))(x)  # noqa: E731  d/dy = x*y at y=x
    assert fad.grad(f)(2.0) == 0.0  # x*y is stopped at every level: the inner result is constant
    assert fad.grad(fad.grad(lambda x: fad.stop_gradient(x**3) + x**2))(1.0) == 2.0
    assert fad.stop_gradient({"a": 1.0}) == {"a": 1.0}


def test_checkpoint_keeps_no_intermediates_on_the_tape():
    def body(x):
        for _ in range(10):
            x = np.sin(x) * 1.1
        return x

    plain = fad.tape(lambda x: body(x) * 2.0)(0.3)
    checkpointed = fad.tape(lambda x: fad.checkpoint(body)(x) * 2.0)(0.3)
    assert len(plain) == 21 and len(checkpointed) == 2
    assert checkpointed.entries[0].primitive.name == "checkpoint(body)"
    assert fad.grad(fad.checkpoint(body))(0.3) == pytest.approx(fad.grad(body)(0.3), rel=1e-15)
    assert fad.grad(fad.grad(fad.checkpoint(body)))(0.3) == pytest.approx(fad.grad(fad.grad(body))(0.3), rel=1e-13)


def test_checkpoint_with_containers():
    f = fad.checkpoint(lambda p: {"y": p[0] * p[1], "z": np.sin(p[0])})
    g = fad.grad(lambda a, b: f((a, b))["y"] + f((a, b))["z"], argnums=(0, 1))(0.5, 2.0)
    assert g == (pytest.approx(2.0 + math.cos(0.5)), pytest.approx(0.5))


def test_checkpoint_of_a_closure_over_traced_values_at_any_depth():
    assert fad.grad(lambda x: fad.checkpoint(lambda y: x * y)(x))(2.0) == 4.0
    # d^n/dx^n of x^3 through a checkpoint that closes over x: 3x^2, 6x, 6
    cube = lambda x: fad.checkpoint(lambda y: x * y * y)(x)  # noqa: E731
    assert fad.grad(cube)(2.0) == 12.0
    assert fad.grad(fad.grad(cube))(2.0) == 12.0
    assert fad.grad(fad.grad(fad.grad(cube)))(2.0) == 6.0
    # the inner transform's value and the outer one's, both closed over
    f = lambda x: x * fad.grad(lambda y: fad.checkpoint(lambda z: x * z * z)(y))(x)  # noqa: E731
    assert fad.grad(f)(1.5) == pytest.approx(6 * 1.5**2, rel=1e-15)


def test_checkpoint_takes_keyword_arguments_and_differentiates_them():
    f = fad.checkpoint(lambda y, scale=1.0: scale * np.sin(y))
    got = fad.grad(lambda x: f(x, scale=x))(0.5)
    assert got == pytest.approx(math.sin(0.5) + 0.5 * math.cos(0.5), rel=1e-15)
    assert f(0.5, scale=2.0) == 2.0 * math.sin(0.5)  # untraced: the plain call


def test_checkpoint_memory_is_the_segment_boundaries_and_one_segment():
    # 8 checkpointed segments of 8 operations on 0.8 MB arrays: the tape keeps the 8 boundaries,
    # and the backward pass holds one segment's recomputed tape at a time.
    n = 100_000
    array = n * 8

    def segment(x):
        for _ in range(4):
            x = np.sin(x) * 0.9
        return x

    def plain(x):
        for _ in range(8):
            x = segment(x)
        return np.sum(x)

    def checkpointed(x):
        for _ in range(8):
            x = fad.checkpoint(segment)(x)
        return np.sum(x)

    x = numpy.linspace(0.0, 1.0, n)
    peaks = {}
    for f in (plain, checkpointed):
        g = fad.grad(f)
        g(x)
        tracemalloc.start()
        g(x)
        peaks[f.__name__] = tracemalloc.get_traced_memory()[1] / array
        tracemalloc.stop()
    # boundaries (8) + one segment's tape (4) + the frontier and the recomputation's own
    assert peaks["checkpointed"] < 22, peaks
    assert peaks["plain"] > 2.5 * peaks["checkpointed"], peaks
    numpy.testing.assert_allclose(fad.grad(checkpointed)(x), fad.grad(plain)(x), rtol=1e-13)
