"""``python -m fad``: a short demonstration of what fad computes.

It prints the note's sigmoid as the tape of elementary operations that differentiation
builds, then the derivatives of tanh to 4th order by nested ``grad``, beside their closed
forms.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

import fad
import fad.numpy as np

__all__ = ["main"]


def tanh_closed_forms(x: float) -> list[float]:
    """tanh and its first four derivatives at ``x``, written out by hand (t = tanh x)."""
    t = math.tanh(x)
    s = 1 - t * t  # sech^2
    return [t, s, -2 * t * s, s * (6 * t * t - 2), 8 * t * s * (2 - 3 * t * t)]


def show_sigmoid_tape() -> None:
    """The note's sigmoid a' = 1 / (1 + exp(-(w a + b))) as elementary operations."""
    print("The sigmoid a' = 1 / (1 + exp(-(w*a + b))) as fad records it (fad.tape):")
    print(fad.tape(lambda w, a, b: 1 / (1 + np.exp(-(w * a + b))))(0.5, 2.0, 0.1))
    print()


def show_tanh_derivatives(points: Sequence[float]) -> float:
    """Derivatives of tanh to 4th order by nested fad.grad; returns the worst error."""
    derivatives = [np.tanh]
    for _ in range(4):
        derivatives.append(fad.grad(derivatives[-1]))
    print("Derivatives of tanh by nested fad.grad (closed form in brackets):")
    print("     x   " + "".join(f"{'d' + str(k) + ' tanh':>25}" for k in range(5)))
    worst = 0.0
    for x in points:
        got = [float(d(x)) for d in derivatives]
        want = tanh_closed_forms(x)
        worst = max(worst, max(abs(g - w) for g, w in zip(got, want)))
        print(f"{x:6.2f}   " + "".join(f"{g:>12.6f} [{w:>9.6f}] " for g, w in zip(got, want)))
    print(f"largest difference from the closed forms: {worst:.1e}")
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fad", description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=float, nargs="+", default=[-1.0, 0.0, 0.5, 2.0],
                        help="where to evaluate the derivatives of tanh")
    args = parser.parse_args(argv)
    show_sigmoid_tape()
    worst = show_tanh_derivatives(args.points)
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
