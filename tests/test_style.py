"""The code base stays as the design says: lint-clean, no global mutable state."""

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "fad").rglob("*.py"))


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(pathlib.Path(sys.executable).parent))
    if ruff is None:
        pytest.fail("ruff is not installed: install the test extras, pip install '.[test]'")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_global_statements_or_module_level_mutable_containers(path):
    text = path.read_text()
    assert not re.search(r"^\s*(global|nonlocal)\s", text, re.M), f"{path}: global/nonlocal statement"
    # __all__ is a declaration, never mutated; any other module-level list, dict or set is suspect
    mutable = re.compile(
        r"^(?!__all__)[A-Za-z_]\w*[ \t]*(:[^=\n]*)?=[ \t]*(\{|\[|dict\(|list\(|set\(|defaultdict|itertools\.count)",
        re.M,
    )
    found = mutable.search(text)
    assert not found, f"{path}: a module-level mutable container: {found.group(0)!r}"
