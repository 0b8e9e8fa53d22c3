"""Threads recording on one trace, and nesting inside deep recursion.

A function being differentiated may hand its work to a thread pool: every thread then
records on the same trace. Node numbers are drawn atomically, so the tape stays a
topological order and the gradient is the single-threaded one (up to the order in
which cotangents of a shared input are summed).
"""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import fad
import fad.numpy as np


@pytest.fixture(autouse=True)
def frequent_thread_switches():
    """Switch threads every microsecond, so that races show in a short test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def pooled(x, workers, chunks, inner):
    """sum_k f(x_k) over the chunks of x, each chunk computed by a pool thread."""
    parts = np.split(x, chunks)

    def piece(k):
        v = parts[k]
        for _ in range(inner):
            v = np.sin(v) * 0.9 + v * 0.1
        return np.sum(v * parts[(k + 1) % chunks])

    with ThreadPoolExecutor(workers) as pool:
        values = list(pool.map(piece, range(chunks)))
    return sum(values[1:], values[0])


def serial(x, chunks, inner):
    parts = np.split(x, chunks)
    total = 0.0
    for k in range(chunks):
        v = parts[k]
        for _ in range(inner):
            v = np.sin(v) * 0.9 + v * 0.1
        total = total + np.sum(v * parts[(k + 1) % chunks])
    return total


@given(
    workers=st.integers(2, 8),
    chunks=st.sampled_from([2, 4, 8]),
    size=st.sampled_from([8, 16, 64]),
    inner=st.integers(1, 30),
    order=st.integers(1, 2),
)
def test_threads_recording_on_one_trace_get_the_serial_gradient(workers, chunks, size, inner, order):
    x = numpy.linspace(-1.0, 1.0, size)
    f_pool = lambda x: pooled(x, workers, chunks, inner)  # noqa: E731
    f_serial = lambda x: serial(x, chunks, inner)  # noqa: E731
    if order == 1:
        got, want = fad.grad(f_pool)(x), fad.grad(f_serial)(x)
    else:  # the pool runs inside the outer transform too: both traces record from threads
        v = numpy.cos(x)
        got, want = fad.hvp(f_pool)(x, v), fad.hvp(f_serial)(x, v)
    numpy.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_node_numbers_are_unique_when_threads_record():
    x = numpy.linspace(0.0, 1.0, 64)
    traced = fad.tracing.trace_call(lambda x: pooled(x, 8, 8, 40), (x,), "test")
    def outs(entry):
        return entry.out if isinstance(entry.out, tuple) else (entry.out,)

    made = [node for entry in traced.trace.entries for node in outs(entry)]
    assert len(made) == len(set(made)) > 8 * 40
    seen = {0}  # every input of an entry was made before it: the tape is a topological order
    for entry in traced.trace.entries:
        assert all(node is None or node in seen for node in entry.nodes)
        seen.update(outs(entry))


def test_values_of_transforms_on_two_threads_do_not_mix():
    box, ready, done = [], threading.Event(), threading.Event()

    def other_thread():
        def f(y):
            box.append(y)
            ready.set()
            done.wait(5)
            return y

        fad.grad(f)(1.0)

    t = threading.Thread(target=other_thread)
    t.start()
    ready.wait(5)
    try:
        with pytest.raises(TypeError, match="different threads"):
            fad.grad(lambda x: x * box[0])(2.0)
    finally:
        done.set()
        t.join()


def test_nesting_inside_deep_recursion_is_exact():
    # The inner transform runs 2,000 frames above the outer one, and mixes values of both
    # 2,000 frames further up: finding the innermost trace walks the distance between the
    # two transforms' frames, never the whole stack (see docs/performance.md for the cost).
    def deep(n, f):
        return f() if n == 0 else deep(n - 1, f)

    def outer(x):
        inner = lambda y: deep(2000, lambda: x * y * y)  # noqa: E731
        return deep(2000, lambda: x * fad.grad(inner)(x))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)
    try:
        assert fad.grad(outer)(1.5) == pytest.approx(4 * 1.5**2 + 2 * 1.5**2)  # d/dx (2 x^3) = 6 x^2
    finally:
        sys.setrecursionlimit(limit)


def test_sixty_pooled_gradients_are_all_exact():
    # Before node numbers were drawn atomically, about 1 in 30 of these came out wrong.
    x = numpy.linspace(-1.0, 1.0, 64)
    want = fad.grad(lambda x: serial(x, 8, 20))(x)
    wrong = sum(
        not numpy.allclose(fad.grad(lambda x: pooled(x, 8, 8, 20))(x), want, rtol=1e-12, atol=1e-12)
        for _ in range(60)
    )
    assert wrong == 0
