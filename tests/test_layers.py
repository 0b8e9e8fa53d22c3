"""Imports point down only: every module of fad has a layer, and imports only from lower ones.

The layers, lowest first. A module may import a module of a lower layer, never one of its
own layer or above, at the top of the file or inside a function alike. So the core knows
nothing of fad.numpy, each rule module imports only the modules below it, and no import
cycle can come back. A new module gets a layer here before it gets code.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fad"

LAYERS = (
    # what every other module stands on
    ("fad.tree", "fad.nesting", "fad.rows", "fad.names"),
    ("fad.core",),
    ("fad.reverse",),
    # the rules, one group per module, each on the ones before it
    ("fad.numpy._base",),
    ("fad.numpy._elementwise",),
    ("fad.numpy._products",),
    ("fad.numpy._reductions",),
    ("fad.numpy._statistics",),
    ("fad.numpy._construction",),
    ("fad.numpy._shapes",),
    ("fad.numpy._joining",),
    ("fad.numpy._selection",),
    ("fad.numpy._updates",),
    ("fad.numpy._signal",),
    ("fad.numpy.linalg._rules", "fad.numpy.fft"),
    ("fad.numpy.linalg._eig",),
    ("fad.numpy.linalg",),
    ("fad.numpy._polynomials",),
    ("fad.numpy",),
    ("fad.scipy",),
    ("fad.scipy.special",),
    ("fad.scipy._distributions",),
    ("fad.scipy.stats", "fad.scipy.linalg", "fad.scipy.signal"),
    # traced values as ndarrays, then the combinators on them
    ("fad.array",),
    ("fad.tape",),
    ("fad.tracing",),
    ("fad.transforms",),
    ("fad.checkpoint",),
    ("fad.explanations",),
    ("fad",),
    # built on the public combinators: odeint differentiates the user's func with fad.pullback
    ("fad.scipy.integrate", "fad.optimizers"),
    # built on the public API
    ("fad.testing.strategies",),
    ("fad.testing._check",),
    ("fad.testing._derivative_test",),
    ("fad.testing._check_rule",),
    ("fad.testing",),
    ("fad.demo",),
    ("fad.__main__",),
)
LAYER = {module: k for k, layer in enumerate(LAYERS) for module in layer}


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: pathlib.Path, name: str) -> set[str]:
    """The fad modules that ``path`` imports, anywhere in the file (functions included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:  # `from fad.numpy import linalg` imports the submodule
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m == "fad" or m.startswith("fad.")}


def test_every_module_has_a_layer():
    missing = sorted(set(MODULES) - set(LAYER))
    assert not missing, f"modules with no layer in tests/test_layers.py: {missing}"
    gone = sorted(set(LAYER) - set(MODULES))
    assert not gone, f"layers name modules that do not exist: {gone}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down(name):
    if name not in LAYER:
        pytest.skip("no layer: test_every_module_has_a_layer fails")
    upward = sorted(m for m in imported(MODULES[name], name) if m in LAYER and LAYER[m] >= LAYER[name])
    found = [(m, LAYER[m]) for m in upward]
    assert not upward, f"{name} (layer {LAYER[name]}) imports {found}: imports point down only"


def test_the_core_knows_nothing_of_numpys_interface():
    for name in ("fad.tree", "fad.nesting", "fad.rows", "fad.core"):
        assert not {m for m in imported(MODULES[name], name) if m.startswith("fad.numpy")}


def test_import_fad_does_not_import_scipy():
    import subprocess
    import sys

    code = "import sys, fad; print(any(m.startswith(('scipy', 'fad.scipy')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_modules_stay_small_enough_to_read():
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert sizes["fad.core"] <= 350, "fad/core.py is read in one sitting: keep it within 350 lines"
    large = {name: n for name, n in sizes.items() if n > 700}
    assert not large, f"modules over 700 lines: split them by role {large}"
