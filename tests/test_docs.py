"""The documentation builds with warnings as errors, draws its pictures, and every example in it runs.

Needs the docs extras (``pip install ".[docs]"``: Sphinx, MyST, matplotlib); without
Sphinx the tests are skipped, saying so.
"""

import html
import os
import pathlib
import re
import subprocess
import sys

import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed: pip install '.[docs]' to build and test the docs")

import fad  # noqa: E402
import fad.numpy  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def sphinx_build(builder: str, out: pathlib.Path, doctrees: pathlib.Path) -> None:
    """``sphinx-build -W -b builder docs out``, failing the test with Sphinx's output."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder, "-d", str(doctrees)]
    result = subprocess.run([*command, str(DOCS), str(out)], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, f"sphinx-build -b {builder} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The docs built once as HTML, then run by the doctest builder on the same doctrees."""
    out = tmp_path_factory.mktemp("docs")
    sphinx_build("html", out / "html", out / "doctrees")
    sphinx_build("doctest", out / "doctest", out / "doctrees")
    return out


def test_html_builds_without_warnings_and_has_every_page(site):
    pages = {p.stem for p in DOCS.glob("*.md")}
    assert {"index", "quickstart", "note", "nesting", "forward-mode", "backprop", "primitives", "rules", "api"} <= pages
    for page in pages:
        assert (site / "html" / f"{page}.html").exists(), page


def test_every_example_runs(site):
    report = (site / "doctest" / "output.txt").read_text()
    summary = report[report.index("Doctest summary") :]
    assert int(re.search(r"(\d+) tests", summary).group(1)) >= 25, report
    assert re.search(r"^\s*0 failures in tests", summary, re.M), report


def test_pictures_are_drawn_during_the_build(site):
    images = {p.name for p in (site / "html" / "_images").glob("*.png")}
    assert {"quickstart-1.png", "note-1.png", "backprop-1.png"} <= images  # tanh, the tape, training
    kept = [p for p in DOCS.rglob("*.png") if "_build" not in p.parts]
    assert not kept, f"images are generated into the build directory, never kept in docs/: {kept}"


def test_rule_table_lists_every_primitive_of_fad_numpy(site):
    page = html.unescape((site / "html" / "rules.html").read_text())
    titles = set(re.findall(r"<h3>(\w+)", page))
    text = re.sub(r"<[^>]+>", "", page)
    for name in fad.numpy.__all__:
        record = getattr(fad.numpy, name)
        if isinstance(record, fad.Primitive):
            assert record.name in titles, f"fad.numpy.{name} ({record.name}) is missing from the rule table"
    assert "lambda y, ybar, x: (ybar * (1 - y * y),)" in text  # tanh's rule, from the source
    assert r"\bar x = \bar y\, y" in text  # exp's rule, in mathematics


def test_note_page_shows_the_lines_of_fad(site):
    page = html.unescape(re.sub(r"<[^>]+>", "", (site / "html" / "note.html").read_text()))
    assert "exp        = primitive(np.exp,        lambda y, ybar, x: (y * ybar,)," in page
    assert "def backward_step(ybars: dict, entry: Entry) -> dict:" in page
    assert "def _solve_vjp(" in page


def page_text(site, name: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", (site / "html" / f"{name}.html").read_text()))


def test_formulas_render_without_the_network(site):
    assert (site / "html" / "_static" / "mathjax" / "tex-chtml.js").exists()
    for page in (site / "html").glob("*.html"):
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', page.read_text())
        assert not [s for s in scripts if "//" in s], f"{page.name} loads a script from the network: {scripts}"


def test_the_note_is_named_where_it_matters(site):
    for text in (page_text(site, "index"), page_text(site, "note"), (ROOT / "README.md").read_text()):
        flat = " ".join(text.split())
        assert "Automatic differentiation" in flat and "2018-06-03" in flat
        assert "GNU Free Documentation License" in flat and "CSC321" in flat and "autodidact" in flat


def test_pages_in_a_learners_order(site):
    index = (DOCS / "index.md").read_text()
    order = [line.strip() for line in index.splitlines() if re.fullmatch(r"[a-z-]+", line.strip())]
    assert order.index("backprop") < order.index("nesting") < order.index("forward-mode"), order
    pages = ("control-flow", "gotchas", "optimize", "distributed", "scipy", "training", "explain", "refuses")
    pages += ("conventions",)
    for page in pages:
        assert page in order and (site / "html" / f"{page}.html").exists(), page


def test_rule_table_reads_well(site):
    page = html.unescape((site / "html" / "rules.html").read_text())
    text = re.sub(r"<[^>]+>", "", page)
    titles = re.findall(r"<h3>(\w+)", page)
    assert "einsum" in titles
    assert len(titles) == len(set(titles)), "a primitive's name is listed twice"
    assert text.count("Runs as ") + text.count("Applied by ") + text.count("Not public: ") == len(titles)
    summaries = re.findall(r"</h2>\s*<p>(.*?)</p>", page, re.S)
    assert summaries and not [s for s in summaries if "``" in s or ":func:" in s], "raw reST in a module summary"
    assert 'class="fad-rule highlight-python' in page  # wrapped by _static/fad_docs.css


def test_rule_code_is_laid_out_to_the_column():
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import fad_docs
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    for _, found in fad_docs.primitives():
        for _, record in found:
            for source in fad_docs.rule_sources(record):
                laid = fad_docs.wrap_source(source)
                if not source.lstrip().startswith(("def ", "@")) and "#" not in source:
                    assert max(map(len, laid.splitlines())) <= fad_docs.WIDTH, laid


def test_api_page_links_see_also_and_shows_the_testing_names(site):
    page = (site / "html" / "api.html").read_text()
    assert re.search(r'See Also:</strong> <a class="reference internal" href="#fad\.', page)
    for name in ("strategies.floats", "strategies.broadcastable_shapes", "strategies.cotangents", "profile"):
        assert f'id="fad.testing.{name}"' in page, name
    assert 'id="fad.testing.Tolerance"' in page and 'id="fad.testing.TOLERANCES"' in page


def test_the_tape_picture_fits_the_column_and_its_code_runs_outside_the_docs(site):
    from PIL import Image

    width, _ = Image.open(site / "html" / "_images" / "note-1.png").size
    assert width <= 740
    assert "fad_docs" not in page_text(site, "note")
