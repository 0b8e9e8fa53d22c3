"""``python -m fad``: see what fad computes, in a few seconds.

With no arguments it shows, in turn, the note's sigmoid neuron as the tape of elementary
operations that differentiation records (and the backward fold over it), the derivatives
of tanh to 4th order by nested ``fad.grad`` against their closed forms, and a small
network of sigmoid neurons trained with ``fad.grad``, a line per epoch. A subcommand
shows one of them, or the nesting examples; ``python -m fad --help`` lists them. Each
demonstration checks its numbers: the exit status is 0 when all checks pass, 1 if not.
The code is in :mod:`fad.demo`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import fad
from fad import demo

__all__ = ["main"]


COMMANDS = (  # each subcommand and its help line
    ("tape", "the note's sigmoid neuron as fad's tape, and the backward fold over it"),
    ("tanh", "derivatives of tanh to 4th order by nested grad, against closed forms"),
    ("train", "a network of sigmoid neurons trained with fad.grad, a line per epoch"),
    ("nesting", "nested derivatives that confused implementations get wrong; a Hessian"),
)


def _add_options(parser: argparse.ArgumentParser, command: str, default: Any) -> None:
    """The options of ``command``, on ``parser``; ``default(value)`` is each one's default there."""
    if command == "tape":
        parser.add_argument("--w", type=float, default=default(0.5), help="the weight (default 0.5)")
        parser.add_argument("--a", type=float, default=default(2.0), help="the input activation (default 2.0)")
        parser.add_argument("--b", type=float, default=default(0.1), help="the bias (default 0.1)")
    elif command == "tanh":
        parser.add_argument(
            "--points",
            type=float,
            nargs="+",
            default=default([-1.0, 0.0, 0.5, 2.0]),
            metavar="X",
            help="where to evaluate them (default -1 0 0.5 2)",
        )
    elif command == "train":
        parser.add_argument("--epochs", type=int, default=default(20), help="passes over the data (default 20)")
        parser.add_argument("--hidden", type=int, default=default(12), help="neurons in the hidden layer (default 12)")
        parser.add_argument("--seed", type=int, default=default(0), help="seed of the initial weights (default 0)")


def _parser() -> argparse.ArgumentParser:
    """The command line: an optional subcommand; every subcommand's options also work without it.

    The defaults live on the main parser; a subcommand's parser sets only the options given
    to it (``argparse.SUPPRESS``), so ``python -m fad --epochs 2`` (all three, two epochs)
    and ``python -m fad train --epochs 2`` both read the same defaults.
    """
    parser = argparse.ArgumentParser(
        prog="python -m fad",
        usage="python -m fad [-h] [{tape,tanh,train,nesting}] [options]",
        description="See what fad computes. With no subcommand: tape, tanh and train, in turn, "
        "each with the options given.",
        epilog="Each demonstration checks its numbers; the exit status is 1 if a check fails.",
    )
    for command in ("tape", "tanh", "train"):
        _add_options(parser.add_argument_group(f"options of {command}"), command, lambda value: value)
    commands = parser.add_subparsers(dest="command", title="subcommands", metavar="{tape,tanh,train,nesting}")
    for command, help_line in COMMANDS:
        sub = commands.add_parser(command, prog=f"python -m fad {command}", help=help_line, description=help_line)
        _add_options(sub, command, lambda value: argparse.SUPPRESS)
    return parser


def _show(command: str, args: argparse.Namespace) -> bool:
    """Run the demonstration of one subcommand with the parsed options; return whether its checks passed."""
    if command == "tape":
        return demo.show_sigmoid_tape(args.w, args.a, args.b)
    if command == "tanh":
        return demo.show_tanh_derivatives(args.points)
    if command == "train":
        return demo.show_training(args.epochs, args.hidden, args.seed)
    return demo.show_nesting()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demonstrations that ``argv`` asks for; return the exit status.

    >>> main(["nesting"])  # doctest: +ELLIPSIS
    Nested transforms, told apart without global state:
    ...
    all nested derivatives exact: ok
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is not None:
        return 0 if _show(args.command, args) else 1
    print(f"fad {fad.__version__}: reverse-mode automatic differentiation as the note describes it.")
    print("`python -m fad --help` lists what else this can show.")
    passed = []
    for number, command in enumerate(("tape", "tanh", "train"), start=1):
        print()
        print(f"{number}. " + "-" * 84)
        print()
        passed.append(_show(command, args))
    print()
    print("All checks passed." if all(passed) else "SOME CHECKS FAILED: see above.")
    return 0 if all(passed) else 1


if __name__ == "__main__":
    raise SystemExit(main())
