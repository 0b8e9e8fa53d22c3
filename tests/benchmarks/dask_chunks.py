"""When do two Dask workers beat one process? The measurement behind docs/distributed.md, run by hand.

    pip install ".[dask]"
    python tests/benchmarks/dask_chunks.py          # a minute or two

For each chunk size: the gradient of ``fad.demo.squared_error`` over 4 chunks of rows of
20 columns, (a) the chunks made and differentiated one after the other in this process,
(b) the chunks made by ``dask.array.random`` on a ``LocalCluster`` of two single-threaded
worker processes, one gradient task per chunk, summed. Each time is the best of several
rounds, the two ways taking turns, since a shared machine's speed drifts.
"""

import time

import dask
import dask.array as da
import numpy
from distributed import Client, LocalCluster

import fad
from fad.demo import squared_error

FEATURES, CHUNKS, ROUNDS = 20, 4, 7
W_TRUE = numpy.linspace(-1.0, 1.0, FEATURES)
GRADIENT = fad.grad(squared_error)


def chunk_gradient(w, x):
    return GRADIENT(w, x, x @ W_TRUE)


def one_process(rows):
    rng = numpy.random.default_rng(0)
    return sum(chunk_gradient(numpy.zeros(FEATURES), rng.normal(size=(rows, FEATURES))) for _ in range(CHUNKS))


def two_workers(rows):
    x = da.random.default_rng(0).normal(size=(CHUNKS * rows, FEATURES), chunks=(rows, FEATURES))
    parts = [dask.delayed(chunk_gradient)(numpy.zeros(FEATURES), xc) for xc in x.to_delayed().ravel()]
    return dask.delayed(sum)(parts).compute()


def seconds(run, rows):
    start = time.perf_counter()
    run(rows)
    return time.perf_counter() - start


def main():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster):
            two_workers(100)  # start the workers' imports
            print("| rows per chunk | one process | two workers |\n| ---: | ---: | ---: |")
            for rows in (1_000, 10_000, 30_000, 60_000, 100_000, 200_000, 400_000):
                times = {run: [] for run in (one_process, two_workers)}
                for _ in range(ROUNDS):
                    for run in times:
                        times[run].append(seconds(run, rows))
                one, two = (min(t) * 1e3 for t in times.values())
                print(f"| {rows:,} | {one:,.0f} ms | {two:,.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
