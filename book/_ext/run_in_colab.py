"""Run a chapter in Colab with one click.

The site serves, next to its pages:

- ``wheels/demos-VERSION-py3-none-any.whl``: the book's package, built from this checkout;
- ``_sources/<chapter>.ipynb``: each chapter notebook (the "Download .ipynb" file), without
  outputs, with one cell put first that installs ``demos`` from that wheel when it is missing
  and stands in for ``myst_nb.glue``, the builder's function Colab does not have.

Every notebook page gets an "Open in Colab" button in its header. Colab opens a notebook from
any public address (``https://colab.research.google.com/#fileId=ADDRESS``), so the button opens
the site's own copy. The only setting is the site's address (``book/_ext/site_address.py``): the
first cell needs it to find the wheel. Where no address is known (a local build), the button's
address is completed in the browser from the page's own, and the first cell asks for
``DEMOS_BOOK_SITE``.

A chapter author adds nothing: every notebook of the book gets the button and the cell.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
COLAB = "https://colab.research.google.com/#fileId="
WHEEL_DIR = "wheels"
SITE_ENV = "DEMOS_BOOK_SITE"

_INSTALL_CELL = """\
# Run this cell first. Where the book's package `demos` is missing (in Colab, or in a fresh
# Python), it installs it from the book's website; where `demos` is installed, it does nothing.
import importlib.util
import os
import sys
import types

BOOK_SITE = os.environ.get("{env}", "{site}").rstrip("/") + "/"
if importlib.util.find_spec("demos") is None:
    if BOOK_SITE == "/":
        raise RuntimeError(
            "This copy of the notebook does not know the book's website: set {env} to its "
            "address, or install demos from the repository (pip install -e .)."
        )
    %pip install --quiet "demos @ {{BOOK_SITE}}{wheel_dir}/{wheel}"
if importlib.util.find_spec("myst_nb") is None:
    # `glue` is the book builder's way to put numbers into the prose; here it shows them.
    def _glue(name, variable, display=True):
        if display:
            from IPython.display import display as show

            show(variable)

    sys.modules["myst_nb"] = types.SimpleNamespace(glue=_glue)
"""


def install_cell_source(site: str, wheel: str) -> str:
    """The source of the cell that :func:`served_notebook` puts first."""
    return _INSTALL_CELL.format(env=SITE_ENV, site=site, wheel_dir=WHEEL_DIR, wheel=wheel)


def served_notebook(source: Path, site: str, wheel: str) -> dict:
    """The notebook at ``source`` as the site serves it: outputs cleared, install cell first."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook["cells"].insert(
        0,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "install-demos",
            "metadata": {"tags": ["install-demos"]},
            "outputs": [],
            "source": install_cell_source(site, wheel).splitlines(keepends=True),
        },
    )
    notebook.setdefault("nbformat_minor", 5)
    notebook["nbformat_minor"] = max(notebook["nbformat_minor"], 5)  # cell ids need 4.5
    return notebook


def build_wheel(project: Path, destination: Path) -> Path:
    """Build the ``demos`` wheel from ``project`` into ``destination`` (offline, a few seconds)."""
    destination.mkdir(parents=True, exist_ok=True)
    for old in destination.glob("demos-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(
            project / "demos", copy / "demos", ignore=shutil.ignore_patterns("__pycache__")
        )
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy2(project / name, copy / name)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])",
                str(destination.resolve()),
            ],
            cwd=copy,
            check=True,
            capture_output=True,
        )
    (wheel,) = destination.glob("demos-*.whl")
    return wheel


def wheel_name(project: Path) -> str:
    import tomllib

    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return f"{meta['name']}-{meta['version']}-py3-none-any.whl"


def _notebook_docs(app) -> list[str]:
    return [
        docname
        for docname in sorted(app.env.found_docs)
        if Path(app.env.doc2path(docname)).suffix == ".ipynb"
    ]


def add_colab_button(app, pagename, templatename, context, doctree) -> None:
    """Put an "Open in Colab" link in the header of every notebook page."""
    if doctree is None or "header_buttons" not in context:
        return
    if pagename not in app.env.found_docs or Path(app.env.doc2path(pagename)).suffix != ".ipynb":
        return
    site = app.config.html_baseurl
    target = f"{site}_sources/{pagename}.ipynb" if site else None
    if target is None:  # completed in the browser (book/_static/site.js)
        relative = context["pathto"](f"_sources/{pagename}.ipynb", 1)
        url = COLAB + quote(relative, safe="/.")
    else:
        url = COLAB + quote(target, safe="/.")
    context["header_buttons"].insert(
        0,
        {
            "type": "link",
            "url": url,
            "text": "Colab",
            "tooltip": "Run this chapter in Colab",
            "icon": "_static/images/logo_colab.png",
            "label": "colab",
        },
    )


def write_served_files(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    project = Path(app.confdir)
    wheel = build_wheel(project, Path(app.outdir) / WHEEL_DIR)
    if wheel.name != wheel_name(project):
        LOGGER.warning(f"the wheel is named {wheel.name}, expected {wheel_name(project)}")
    for docname in _notebook_docs(app):
        notebook = served_notebook(
            Path(app.env.doc2path(docname)), app.config.html_baseurl, wheel.name
        )
        target = Path(app.outdir, "_sources", docname + ".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", "utf-8")


def setup(app):
    # After sphinx-book-theme's header buttons (priority 501).
    app.connect("html-page-context", add_colab_button, priority=510)
    app.connect("build-finished", write_served_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
