"""Benchmarks of fad against the peers installed alongside it, measured in one run.

    python tests/benchmarks/bench.py             # every workload, a table of times and ratios
    python tests/benchmarks/bench.py --quick     # smaller sizes, for a smoke run
    python tests/benchmarks/bench.py --json out.json

Peers are optional: autograd, JAX (eager, results waited for with ``block_until_ready``)
and PyTorch (eager), each used if importable. Times are the best of several repeats;
what matters is the ratio fad/peer, measured in the same run on the same machine.
Not collected by pytest: speed is measured here, by hand, and recorded in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy

import fad
import fad.numpy as fnp

# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------


def best_time(f: Callable[[], object], repeat: int = 5, min_time: float = 0.2, warm_up: bool = True) -> float:
    """The best wall time of ``f()`` over ``repeat`` rounds of at least ``min_time`` seconds each."""
    if warm_up:
        f()
    best = float("inf")
    for _ in range(repeat):
        n, start = 0, time.perf_counter()
        while True:
            f()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / n)
    return best


def best_times(fs: dict[str, Callable[[], object]], repeat: int = 15, min_time: float = 0.05) -> dict[str, float]:
    """The best wall time of each ``f()``, measured in turns: one round of each, ``repeat`` times.

    Taking turns spreads the shared machine's slow spells over every library alike, so
    the ratios between them hold even when the absolute times drift during the run.
    """
    for f in fs.values():
        f()  # warm up
    best = dict.fromkeys(fs, float("inf"))
    for _ in range(repeat):
        for name, f in fs.items():
            best[name] = min(best[name], best_time(f, repeat=1, min_time=min_time, warm_up=False))
    return best


def peer(name: str) -> object | None:
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001  (a peer that fails to import is simply absent)
        return None


# ---------------------------------------------------------------------------------------
# The libraries, each as the same few functions
# ---------------------------------------------------------------------------------------


def libraries() -> dict[str, dict[str, Callable]]:
    """For each installed library: grad, the numpy namespace, and how to wait for a result."""
    libs: dict[str, dict[str, Callable]] = {
        "fad": {"np": fnp, "grad": fad.grad, "hessian": fad.hessian, "wait": lambda y: y, "scalar": float},
    }
    autograd = peer("autograd")
    if autograd is not None:
        import autograd.numpy as anp

        libs["autograd"] = {
            "np": anp, "grad": autograd.grad, "hessian": autograd.hessian, "wait": lambda y: y, "scalar": float,
        }  # fmt: skip
    jax = peer("jax")
    if jax is not None:
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        def wait(y: object) -> object:
            return jax.block_until_ready(y)

        libs["jax"] = {"np": jnp, "grad": jax.grad, "hessian": jax.hessian, "wait": wait, "scalar": float}
    torch = peer("torch")
    if torch is not None:
        torch.set_num_threads(1)

        def torch_grad(f: Callable, argnums: int = 0, create_graph: bool = False) -> Callable:
            def g(*args: object) -> object:
                args = [torch.as_tensor(a, dtype=torch.float64) for a in args]
                if not args[argnums].requires_grad:
                    args[argnums] = args[argnums].detach().requires_grad_(True)
                (gx,) = torch.autograd.grad(f(*args), args[argnums], create_graph=create_graph)
                return gx

            return g

        def torch_hessian(f: Callable) -> Callable:
            return lambda x: torch.autograd.functional.hessian(f, torch.tensor(x, dtype=torch.float64))

        libs["torch"] = {
            "np": torch, "grad": torch_grad, "hessian": torch_hessian, "wait": lambda y: y, "scalar": float,
            "nested grad": lambda f: torch_grad(f, create_graph=True),
        }  # fmt: skip
    return libs


# ---------------------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------------------


def scalar_chain(np: object, n: int) -> Callable:
    """``x = tanh(sin(x) * 0.9 + 0.1)``, repeated: four elementary operations a step."""

    def chain(x: object) -> object:
        for _ in range(n // 4):
            x = np.tanh(np.sin(x) * 0.9 + 0.1)
        return x

    return chain


def chain_workload(libs: dict, n: int) -> dict:
    """Microseconds per operation for the plain chain and for its gradient."""
    plain, grads = {}, {}
    for name, lib in libs.items():
        chain = scalar_chain(lib["np"], n)
        x = 0.3 if name != "torch" else lib["np"].tensor(0.3, dtype=lib["np"].float64)
        g = lib["grad"](chain)
        plain[name] = lambda chain=chain, x=x, wait=lib["wait"]: wait(chain(x))
        grads[name] = lambda g=g, wait=lib["wait"]: wait(g(0.3))
    plain_s, grad_s = best_times(plain, repeat=5), best_times(grads, repeat=5)
    return {name: {"plain us/op": plain_s[name] / n * 1e6, "grad us/op": grad_s[name] / n * 1e6} for name in libs}


def scaling_workload(libs: dict, sizes: list[int], peer_limit: int) -> dict:
    """Microseconds per operation of grad of the chain as its length grows.

    Every size gets the same number of samples (the best of three rounds, each running
    every size and library in turn), and each sample times at least 10^5 operations
    (a short chain is run several times back to back), so no size is favoured by
    having more draws from the machine's noise.
    """
    names = [name for name in libs if name not in ("jax", "torch")]
    out: dict = {name: {} for name in names}
    for _ in range(3):
        for n in sizes:
            for name in names:
                if name != "fad" and n > peer_limit:
                    continue
                g = libs[name]["grad"](scalar_chain(libs[name]["np"], n))
                g(0.3)  # warm up
                calls = max(1, 10**5 // n)
                gc.collect()
                start = time.perf_counter()
                for _ in range(calls):
                    g(0.3)
                us = (time.perf_counter() - start) / (calls * n) * 1e6
                out[name][n] = min(out[name].get(n, float("inf")), us)
    return out


def mlp_setup(np: object, batch: int = 256, sizes: tuple = (784, 512, 512, 10)) -> tuple:
    rng = numpy.random.default_rng(0)
    weights = [rng.normal(size=(a, b)) / numpy.sqrt(a) for a, b in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(batch, sizes[0]))
    labels = numpy.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    return weights, x, labels


def mlp_loss(name: str, np: object) -> Callable:
    """A tanh network with softmax cross-entropy; the same formula for every library."""
    stop, rowmax, rowsum = _row_helpers(name, np)

    def loss(w1: object, w2: object, w3: object, x: object, labels: object) -> object:
        h = np.tanh(x @ w1)
        h = np.tanh(h @ w2)
        z = h @ w3
        m = rowmax(stop(z))  # a constant shift, for a stable log-sum-exp
        logp = z - m - np.log(rowsum(np.exp(z - m)))
        return -np.sum(labels * logp) / x.shape[0]

    return loss


def _row_helpers(name: str, np: object) -> tuple[Callable, Callable, Callable]:
    """stop_gradient, the row maximum and the row sum, in each library's own spelling."""
    if name == "torch":
        return (
            lambda z: z.detach(),
            lambda z: z.max(dim=1, keepdim=True).values,
            lambda z: z.sum(dim=1, keepdim=True),
        )
    if name == "fad":
        stop = fad.stop_gradient
    elif name == "autograd":
        stop = lambda z: getattr(z, "_value", z)  # noqa: E731
    else:
        import jax

        stop = jax.lax.stop_gradient
    rowmax = (lambda z: np.max(z, 1, keepdims=True)) if name == "jax" else (lambda z: numpy.max(z, 1, keepdims=True))
    return stop, rowmax, lambda z: np.sum(z, axis=1, keepdims=True)


def mlp_workload(libs: dict) -> dict:
    """Time of grad with respect to the first weight matrix divided by time of the loss."""
    out = {}
    for name, lib in libs.items():
        np = lib["np"]
        weights, x, labels = mlp_setup(np)
        if name == "torch":
            weights = [np.tensor(w) for w in weights]
            x, labels = np.tensor(x), np.tensor(labels)
        elif name == "jax":
            weights = [np.asarray(w) for w in weights]
            x, labels = np.asarray(x), np.asarray(labels)
        loss = mlp_loss(name, np)
        g = lib["grad"](loss)
        times = best_times(
            {
                "loss": lambda: lib["wait"](loss(*weights, x, labels)),
                "grad": lambda: lib["wait"](g(*weights, x, labels)),
            },
            repeat=8,
        )
        t_loss, t_grad = times["loss"], times["grad"]
        out[name] = {"loss ms": t_loss * 1e3, "grad ms": t_grad * 1e3, "grad/loss": t_grad / t_loss}
    return out


def nesting_workload(libs: dict) -> dict:
    """Time of the k-th derivative of tanh at a scalar, k = 1..4."""
    out: dict = {name: {} for name in libs}
    fs = {name: lib["np"].tanh for name, lib in libs.items()}
    for k in range(1, 5):
        fs = {name: libs[name].get("nested grad", libs[name]["grad"])(f) for name, f in fs.items()}
        times = best_times({name: lambda f=f, wait=libs[name]["wait"]: wait(f(0.5)) for name, f in fs.items()})
        for name, t in times.items():
            out[name][f"d{k} us"] = t * 1e6
    return out


def rosenbrock(np: object) -> Callable:
    return lambda x: np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def hessian_workload(libs: dict, dim: int = 50) -> dict:
    x = numpy.linspace(-1, 1, dim)
    hessians = {name: lib["hessian"](rosenbrock(lib["np"])) for name, lib in libs.items()}
    times = best_times({name: lambda h=h, wait=libs[name]["wait"]: wait(h(x)) for name, h in hessians.items()})
    return {name: {"hessian ms": t * 1e3} for name, t in times.items()}


def memory_workload(libs: dict) -> dict:
    """Peak memory of one MLP gradient, by tracemalloc (which sees NumPy's allocations only).

    JAX and PyTorch allocate outside Python's allocator, so only the NumPy-based
    libraries are compared here.
    """
    out = {}
    for name in ("fad", "autograd"):
        if name not in libs:
            continue
        lib = libs[name]
        weights, x, labels = mlp_setup(lib["np"])
        g = lib["grad"](mlp_loss(name, lib["np"]))
        g(*weights, x, labels)  # warm up
        gc.collect()
        tracemalloc.start()
        g(*weights, x, labels)
        out[name] = {"peak MB": tracemalloc.get_traced_memory()[1] / 2**20}
        tracemalloc.stop()
    return out


def import_workload(rounds: int = 15) -> dict:
    """Wall time of ``import fad`` and ``import autograd.numpy`` in fresh processes, in turns.

    Python's own start-up is included, as a user feels it; the best of ``rounds`` runs.
    """
    commands = {"fad": "import fad", "autograd": "import autograd.numpy", "python": "pass"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, code in commands.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append(time.perf_counter() - start)
    return {name: {"import s": min(t)} for name, t in times.items()}


def per_call_workload(libs: dict) -> dict:
    """The fixed cost of one gradient call: ``grad(sin)(0.3)``."""
    grads = {name: lib["grad"](lib["np"].sin) for name, lib in libs.items() if name != "torch"}
    fs = {name: (lambda g=g: g(0.3)) for name, g in grads.items()}
    return {name: {"grad(sin)(0.3) us": t * 1e6} for name, t in best_times(fs, repeat=30).items()}


def depth_workload(depths: tuple = (0, 5_000), mixes: int = 3_000) -> dict:
    """Two transforms' values mixed ``mixes`` times, ``depth`` frames above the inner transform.

    Finding the innermost of two traces walks the distance between their frames, so the
    time should not grow with the depth of the recursion the mixing runs in.
    """

    def deep(n: int, f: Callable) -> object:
        return f() if n == 0 else deep(n - 1, f)

    def mix(x: object, y: object) -> object:
        for _ in range(mixes):
            y = y + x * 1e-6
        return y

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3 * max(depths) + 1000))
    try:
        fs = {
            d: (lambda d=d: fad.grad(lambda x: fad.grad(lambda y: deep(d, lambda: mix(x, y)))(x))(0.5))
            for d in depths
        }
        times = best_times(fs, repeat=5)
    finally:
        sys.setrecursionlimit(limit)
    return {f"depth {d}": {"ms": t * 1e3} for d, t in times.items()}


def untraced_workload() -> dict:
    """fad.numpy.sin on plain values against numpy.sin."""
    x, a = 0.3, numpy.linspace(0, 1, 1000)
    out = {}
    for label, v in (("float", x), ("array(1000)", a)):
        times = best_times({"fad us": lambda v=v: fnp.sin(v), "numpy us": lambda v=v: numpy.sin(v)}, repeat=30)
        out[label] = {k: t * 1e6 for k, t in times.items()}
    return out


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------


def ratios(results: dict, key: str) -> dict:
    fad_value = results["fad"][key]
    return {name: fad_value / row[key] for name, row in results.items() if name != "fad" and row.get(key)}


def show(title: str, results: dict) -> None:
    print(f"\n## {title}")
    for name, row in results.items():
        cells = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items())
        print(f"  {name:9s} {cells}")


def machine() -> dict:
    return {
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "peers": {n: getattr(peer(n), "__version__", "?") for n in ("autograd", "jax", "torch") if peer(n)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--only", nargs="*", help="run only these workloads")
    args = parser.parse_args(argv)
    libs = libraries()
    quick = args.quick
    workloads = {
        "chain": lambda: chain_workload(libs, 1_000 if quick else 10_000),
        "scaling": lambda: scaling_workload(
            libs, [10**3, 10**4] if quick else [10**3, 10**4, 10**5, 10**6], 10**4 if quick else 10**5
        ),
        "mlp": lambda: mlp_workload(libs),
        "nesting": lambda: nesting_workload(libs),
        "hessian": lambda: hessian_workload(libs),
        "memory": lambda: memory_workload(libs),
        "untraced": untraced_workload,
        "import": import_workload,
        "per call": lambda: per_call_workload(libs),
        "depth": depth_workload,
    }
    results: dict = {"machine": machine()}
    print(json.dumps(results["machine"]))
    for name, run in workloads.items():
        if args.only and name not in args.only:
            continue
        results[name] = run()
        show(name, results[name])
    print("\n## ratios fad / peer (lower is better for fad)")
    summary = {}
    if "chain" in results:
        summary["scalar chain grad us/op"] = ratios(results["chain"], "grad us/op")
    if "scaling" in results:
        fad_scaling = results["scaling"]["fad"]
        summary["fad scaling, us/op at largest / at 10^3"] = fad_scaling[max(fad_scaling)] / fad_scaling[10**3]
        for name, row in results["scaling"].items():
            summary[f"{name} scaling, us/op at {max(row)} / at 10^3"] = row[max(row)] / row[10**3]
    if "mlp" in results:
        summary["MLP grad/loss (fad)"] = results["mlp"]["fad"]["grad/loss"]
        summary["MLP grad/loss ratio"] = ratios(results["mlp"], "grad/loss")
    if "nesting" in results:
        summary["4th derivative of tanh"] = ratios(results["nesting"], "d4 us")
    if "hessian" in results:
        summary["50-d Hessian"] = ratios(results["hessian"], "hessian ms")
    if "memory" in results:
        summary["MLP peak memory"] = ratios(results["memory"], "peak MB")
    if "untraced" in results:
        summary["untraced sin, fad/numpy"] = {
            k: row["fad us"] / row["numpy us"] for k, row in results["untraced"].items()
        }
    if "import" in results:
        summary["import fad / import autograd.numpy"] = ratios(results["import"], "import s")
    if "per call" in results:
        summary["grad(sin)(0.3)"] = ratios(results["per call"], "grad(sin)(0.3) us")
    if "depth" in results:
        rows = results["depth"]
        summary["mixing two traces, deepest / shallowest"] = rows[max(rows)]["ms"] / rows[min(rows)]["ms"]
    for k, v in summary.items():
        print(f"  {k}: {json.dumps(v) if isinstance(v, dict) else f'{v:.3g}'}")
    results["summary"] = summary
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
