"""The README's Python examples run as written."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_readme_examples_run(capsys):
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "(3, 3)" in capsys.readouterr().out


def test_readme_gives_both_docs_builds_and_names_the_note():
    text = (ROOT / "README.md").read_text()
    assert "sphinx-build -W -b html docs" in text and "sphinx-build -W -b doctest docs" in text
    flat = " ".join(text.split())
    for fact in ("Automatic differentiation", "2018-06-03", "GNU Free Documentation License", "CSC321", "autodidact"):
        assert fact in flat, fact
    assert re.search(r"test suite takes about \d+ minutes", flat)
