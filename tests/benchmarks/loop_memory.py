"""Peak memory of a training loop: 60 gradient steps on 40 MB arrays, one process per case.

    python tests/benchmarks/loop_memory.py              # every case, a table of peaks
    python tests/benchmarks/loop_memory.py fad grad 0   # one case: library, transform, collect

Each case runs in a fresh process and reports its peak resident memory (``ru_maxrss``).
With ``collect`` set, ``gc.collect()`` runs after every step; without it, whatever a call
leaves in reference cycles waits for the collector, and the peak shows it. A library that
leaves no cyclic garbage peaks at the same height either way.
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys

N, STEPS = 5_000_000, 60  # 40 MB of float64 per array


def case(library: str, transform: str, collect: bool) -> float:
    """Run one loop in this process; return its peak resident memory in MB."""
    import numpy

    if library == "fad":
        import fad as ad
        import fad.numpy as np
    else:
        import autograd as ad
        import autograd.numpy as np

    def loss(x: object) -> object:
        return np.sum(np.tanh(x) * x)

    x = numpy.linspace(-1.0, 1.0, N)
    v = numpy.ones(N)
    for _ in range(STEPS):
        if transform == "grad":
            step = ad.grad(loss)(x)
        elif library == "fad":
            step = v * ad.jvp(lambda x: np.tanh(x) * x)((x,), (v,))[1]
        else:  # autograd's forward mode
            from autograd import make_jvp

            step = v * make_jvp(lambda x: np.tanh(x) * x)(x)(v)[1]
        x = x - 1e-3 * step
        if collect:
            gc.collect()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    if argv:
        library, transform, collect = argv[0], argv[1], argv[2] == "1"
        print(json.dumps(case(library, transform, collect)))
        return 0
    rows = {}
    for library in ("fad", "autograd"):
        for transform in ("grad", "jvp"):
            for collect in (False, True):
                out = subprocess.run(
                    [sys.executable, __file__, library, transform, str(int(collect))], capture_output=True, text=True
                )
                peak = json.loads(out.stdout) if out.returncode == 0 else float("nan")
                rows[f"{library} {transform}{' + collect' if collect else ''}"] = peak
                print(f"  {library:9s} {transform:5s} collect={collect!s:5s} peak {peak:8.0f} MB", flush=True)
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
