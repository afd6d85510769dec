"""A chapter runs from the site alone, as it would in Colab.

The test takes a chapter's downloadable notebook from the built site and executes it in a fresh
virtual environment that has neither `demos` nor `myst_nb` (Colab has neither). The notebook's
first cell, which the build puts there, must install `demos` from the wheel the site serves (here
the local copy of the site, on 127.0.0.1) and stand in for `myst_nb.glue`; then every cell of the
chapter must run.

What keeps it cheap: the fresh environment reaches the heavy packages (torch, numpy, matplotlib,
ipykernel, ...) through a folder of links to the test's own site-packages, leaving out `demos`,
`myst_nb` and editable installs, so pip installs the wheel alone and downloads nothing else. What
it proves: the served notebook, its first cell and the served wheel are enough to run the chapter
where the book's package and builder are missing. What it does not: Colab's own Python, package
versions or widget front end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # it needs the built site, like the browser tests

CHAPTER = "notebooks/00_how_to_use"
HIDDEN = ("demos", "myst_nb", "__editable__", "_virtualenv", "distutils-precedence")


def make_fresh_environment(root: Path) -> Path:
    """A venv without demos and myst_nb that sees this interpreter's other packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    own = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    shared = Path(sysconfig.get_paths()["purelib"])
    links = root / "shared-packages"
    links.mkdir()
    for entry in shared.iterdir():
        if not entry.name.lower().startswith(HIDDEN):
            (links / entry.name).symlink_to(entry)
    (own / "shared_packages.pth").write_text(f"{links}\n", encoding="utf-8")
    spec = root / "share" / "jupyter" / "kernels" / "fresh"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "fresh", "language": "python"}), "utf-8"
    )
    return python


def test_a_chapter_runs_from_the_served_notebook_and_wheel(site_dir, site_url, tmp_path):
    notebook = json.loads((site_dir / "_sources" / f"{CHAPTER}.ipynb").read_text("utf-8"))
    first = "".join(notebook["cells"][0]["source"])
    assert "install-demos" in notebook["cells"][0]["metadata"]["tags"]
    assert "%pip install" in first and "wheels/demos-" in first
    wheel = next((site_dir / "wheels").glob("demos-*.whl"))
    assert wheel.stat().st_size > 10_000
    notebook["cells"].append(
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "where-from",
            "metadata": {},
            "outputs": [],
            "source": [
                "import demos, myst_nb\n",
                "print(demos.__file__)\n",
                "print(type(myst_nb).__name__)\n",
            ],
        }
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / "chapter.ipynb").write_text(json.dumps(notebook), "utf-8")
    python = make_fresh_environment(tmp_path / "venv")

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "DEMOS_STATIC_EXPLORABLES", "VIRTUAL_ENV")
    }
    env["DEMOS_BOOK_SITE"] = site_url + "/"
    env["PIP_NO_INDEX"] = "1"  # the wheel comes from the site; nothing else may be fetched
    script = (
        "import nbformat, sys\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read('chapter.ipynb', as_version=4)\n"
        "NotebookClient(nb, kernel_name='fresh', timeout=600).execute()\n"
        "print(''.join(o.get('text', '') for o in nb.cells[-1].outputs))\n"
    )
    began = time.perf_counter()
    run = subprocess.run(
        [str(python), "-c", script], cwd=work, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - began
    assert run.returncode == 0, run.stderr[-3000:]
    demos_file, glue_kind = run.stdout.strip().splitlines()[-2:]
    assert demos_file.startswith(str(tmp_path / "venv")), demos_file  # installed from the wheel
    assert glue_kind == "SimpleNamespace"  # the first cell's stand-in for myst_nb
    print(f"{CHAPTER} ran from the served notebook in a fresh environment in {seconds:.1f} s")
