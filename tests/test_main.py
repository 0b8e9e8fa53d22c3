"""``python -m fad``, the first thing a newcomer runs: its output, exit status and speed."""

import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

import fad.demo
from fad.__main__ import main

ROOT = pathlib.Path(__file__).resolve().parent.parent

TAPE_LINES = [
    "t1 = multiply(w, a)",
    "t2 = add(t1, b)",
    "t3 = negative(t2)",
    "t4 = exp(t3)",
    "t5 = add(1, t4)",
    "t6 = divide(1, t5)",
]


def epoch_costs(out: str) -> list[float]:
    return [float(c) for c in re.findall(r"^  epoch +\d+ +cost (\d+\.\d+)", out, re.M)]


def test_main_shows_tape_tanh_and_training(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for line in TAPE_LINES:
        assert line in out
    assert "wbar = 0.374740   abar = 0.093685   bbar = 0.187370" in out
    assert "gives the same: yes" in out
    assert re.search(r"^  4 +8t \(1 - t\^2\)\(2 - 3t\^2\) +-0\.665091 +0\.000000 +3\.952220 +-0\.429387", out, re.M)
    assert "largest difference from the closed forms" in out and "(ok)" in out
    costs = epoch_costs(out)
    assert len(costs) == 21  # epoch 0 and one line per epoch
    assert costs[-1] < costs[0] / 2
    assert re.search(r"backprop differ by \S+ before training\nand by \S+ after it \(ok\)", out)
    assert out.rstrip().endswith("All checks passed.")


def test_subcommands(capsys):
    assert main(["tape", "--w", "1.0", "--a", "0.0", "--b", "0.0"]) == 0
    out = capsys.readouterr().out
    assert "t6 = divide(1, t5)       # t6 = 0.500000" in out
    assert "wbar = 0.000000" in out  # dsigma/dw = a sigma' = 0 at a = 0
    assert main(["tanh", "--points", "0.25"]) == 0
    out = capsys.readouterr().out
    assert "x = 0.25" in out and "x = -1.00" not in out
    assert main(["train", "--epochs", "3", "--hidden", "4"]) == 0
    out = capsys.readouterr().out
    assert len(epoch_costs(out)) == 4
    assert "2 inputs -> 4 -> 1 output" in out
    assert main(["nesting"]) == 0
    out = capsys.readouterr().out
    assert "grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0)  = 1   (exact: 1) ok" in out
    assert "all nested derivatives exact: ok" in out


def test_a_failed_check_gives_exit_status_1(capsys, monkeypatch):
    monkeypatch.setattr(fad.demo, "tanh_closed_forms", lambda x: [0.0] * 5)
    assert main(["tanh"]) == 1
    assert "TOO LARGE" in capsys.readouterr().out


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for command in ("tape", "tanh", "train", "nesting"):
        assert re.search(rf"^    {command} ", out, re.M), command


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["frobnicate"])
    assert stop.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_python_m_fad_runs_in_a_few_seconds():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "fad"], capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "t4 = exp(t3)" in result.stdout
    assert result.stdout.rstrip().endswith("All checks passed.")
    assert seconds < 30, f"python -m fad took {seconds:.1f} s; it should take a few"  # generous: shared CI machines


@pytest.mark.parametrize("command", ["tape", "tanh", "train", "nesting"])
def test_subcommand_help_has_a_clean_usage_line(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    usage = capsys.readouterr().out.splitlines()[0]
    assert re.fullmatch(rf"usage: python -m fad {command} \[-h\]( \[--\w+ .*)?", usage), usage


def test_options_without_a_subcommand_apply_to_the_default_run(capsys):
    assert main(["--epochs", "2", "--hidden", "4", "--points", "0.25"]) == 0
    out = capsys.readouterr().out
    assert len(epoch_costs(out)) == 3  # epoch 0 and two epochs
    assert "2 inputs -> 4 -> 1 output" in out
    assert "x = 0.25" in out and "x = -1.00" not in out


def test_options_before_or_after_the_subcommand(capsys):
    assert main(["--epochs", "2", "train"]) == 0
    assert len(epoch_costs(capsys.readouterr().out)) == 3
    assert main(["train", "--epochs", "1"]) == 0
    assert len(epoch_costs(capsys.readouterr().out)) == 2


def test_no_negative_zero_in_the_tables(capsys):
    assert main(["tanh", "--points", "0", "-0.0"]) == 0
    out = capsys.readouterr().out
    assert "-0.000000" not in out
    assert re.search(r"^  2 +-2t \(1 - t\^2\) +0\.000000 +0\.000000 ", out, re.M)
    assert main(["tape", "--w", "0.0", "--a", "0.0", "--b", "0.0"]) == 0
    assert "-0.000000" not in capsys.readouterr().out
