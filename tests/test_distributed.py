"""fad past one machine: transforms pickle, and Dask distributes them (docs/distributed.md includes this code).

The Dask tests start a real ``distributed.LocalCluster`` of two worker processes; they
need the ``dask`` extra (``pip install ".[dask]"``, also in the ``test`` extra) and are
skipped, saying so, without it.
"""

import concurrent.futures
import functools
import pickle

import numpy
import pytest

import fad
import fad.numpy
from fad.demo import fit_ridge, squared_error

PENALTIES = [0.0, 0.01, 0.1, 1.0]


def make_problem(rows: int = 400, features: int = 3) -> tuple[numpy.ndarray, numpy.ndarray]:
    rng = numpy.random.default_rng(1)
    x = rng.normal(size=(rows, features))
    return x, x @ numpy.linspace(-1.0, 1.0, features) + 0.1 * rng.normal(size=rows)


# --------------------------------------------------------------------------------------
# The code shown on the page
# --------------------------------------------------------------------------------------


def data_parallel_gradient(w, x, y):
    """The gradient of squared_error over the rows of Dask arrays x and y.

    One task per chunk of rows, then a sum: only w and the gradients travel.
    """
    import dask

    gradient = fad.grad(squared_error)  # pickles: squared_error is in fad.demo
    x_chunks, y_chunks = x.to_delayed().ravel(), y.to_delayed().ravel()
    parts = [dask.delayed(gradient)(w, a, b) for a, b in zip(x_chunks, y_chunks)]
    return dask.delayed(sum)(parts).compute()


def sweep_with_processes(penalties, x, y):
    """fit_ridge at every penalty, in a pool of two processes."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        return list(pool.map(functools.partial(fit_ridge, x=x, y=y), penalties))


def sweep_with_dask(client, penalties, x, y):
    """fit_ridge at every penalty, as Dask futures; data go to each worker once."""
    x_future, y_future = client.scatter([x, y], broadcast=True)
    futures = client.map(fit_ridge, penalties, x=x_future, y=y_future)
    return client.gather(futures)


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------


def test_transform_results_and_primitives_pickle():
    gradient = pickle.loads(pickle.dumps(fad.grad(squared_error)))
    x, y = make_problem(20)
    w = numpy.ones(3)
    numpy.testing.assert_array_equal(gradient(w, x, y), fad.grad(squared_error)(w, x, y))
    assert pickle.loads(pickle.dumps(fad.numpy.exp)) is fad.numpy.exp  # by reference: the same record


def test_sweep_with_a_process_pool():
    x, y = make_problem()
    got = sweep_with_processes(PENALTIES, x, y)
    for penalty, w in zip(PENALTIES, got):
        numpy.testing.assert_allclose(w, fit_ridge(penalty, x, y), rtol=1e-12)


@pytest.fixture(scope="module")
def client():
    reason = "dask.distributed is not installed: pip install '.[dask]' to run it"
    distributed = pytest.importorskip("distributed", reason=reason)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_data_parallel_gradient_over_the_chunks_of_a_dask_array(client):
    import dask.array as da

    # made by the workers, chunk by chunk:
    x = da.random.default_rng(0).normal(size=(1000, 3), chunks=(250, 3))
    y = x @ numpy.array([1.0, -2.0, 0.5]) + 1.0
    w = numpy.array([0.3, 0.2, 0.1])
    assert x.numblocks == (4, 1)
    got = data_parallel_gradient(w, x, y)
    xs, ys = x.compute(), y.compute()
    want = fad.grad(squared_error)(w, xs, ys)
    numpy.testing.assert_allclose(got, want, rtol=1e-10)
    assert len(client.scheduler_info()["workers"]) == 2


def test_sweep_with_dask_futures(client):
    x, y = make_problem()
    got = sweep_with_dask(client, PENALTIES, x, y)
    for penalty, w in zip(PENALTIES, got):
        numpy.testing.assert_allclose(w, fit_ridge(penalty, x, y), rtol=1e-12)
    norms = [numpy.linalg.norm(w) for w in got]
    assert norms == sorted(norms, reverse=True)  # a larger penalty, a smaller w
