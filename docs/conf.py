"""Sphinx configuration of fad's documentation (MyST Markdown pages, code executed).

Build it with warnings as errors, and run every example of the pages::

    pip install ".[docs]"
    sphinx-build -W -b html docs docs/_build/html
    sphinx-build -W -b doctest docs docs/_build/doctest

The pictures are drawn during the build by matplotlib's plot directive; the rule table
is generated from the primitives themselves by the ``fad-rule-table`` directive of
``_ext/fad_docs.py``. Nothing generated is kept in the source tree. The formulas are
typeset by a copy of MathJax that the build puts into the site (the
``sphinx-mathjax-offline`` package of the docs extra), so the pages need no network.
"""

import doctest
import importlib.util
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "_ext"), str(HERE.parent)]  # the docs' extension, and fad from this checkout

import fad  # noqa: E402

project = "fad"
author = "The fad developers"
copyright = "the fad developers"  # noqa: A001  (Sphinx's name)
release = version = fad.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "fad_docs",
    "sphinx-mathjax-offline",  # MathJax 3 copied into the site: formulas render with no network
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "README.md"]

# Pages written by other parts of the project; each is in the table of contents when it exists.
OPTIONAL_PAGES = ("testing", "performance", "complex", "scipy", "training", "explain", "conventions", "refuses")

# Maths: MathJax from the site itself (_static/mathjax, from the sphinx-mathjax-offline package of
# the docs extra), never from a CDN, so that every formula renders offline.
mathjax_path = "mathjax/tex-chtml.js"

# MyST: $...$ and $$...$$ for math, ::: fences, anchors for headings to link to.
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# Every page example is a {testcode}/{testoutput} pair run by `sphinx-build -b doctest`.
# The docstrings' >>> examples are run by pytest (--doctest-modules), not again here.
doctest_test_doctest_blocks = ""
doctest_default_flags = (
    doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1 | doctest.NORMALIZE_WHITESPACE
)
trim_doctest_flags = True

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": False}

# Pictures: drawn by the plot directive into the build directory, with their code shown.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_pre_code = ""  # every plot imports what it uses
plot_rcparams = {"font.size": 10}
plot_apply_rcparams = True

html_title = f"fad {release}"
html_theme = "furo" if importlib.util.find_spec("furo") else "alabaster"
html_static_path = ["_static"]
html_css_files = ["fad_docs.css"]  # the rule table's code wraps instead of scrolling
pygments_style = "sphinx"


def drop_missing_pages(app, docname, source):
    """Leave out of the table of contents the optional pages that do not exist (yet)."""
    if docname == root_doc:
        missing = {page for page in OPTIONAL_PAGES if not (HERE / f"{page}.md").exists()}
        source[0] = "\n".join(line for line in source[0].splitlines() if line.strip() not in missing)


def setup(app):
    app.connect("source-read", drop_missing_pages)
