"""The package's shape: every module listed where a newcomer looks, and the layers kept."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import demos

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    ".".join(path.relative_to(ROOT / "demos").with_suffix("").parts)
    for path in (ROOT / "demos").rglob("*.py")
    if path.name != "__init__.py"
)
SUBPACKAGES = sorted(path.parent.name for path in (ROOT / "demos").glob("*/__init__.py"))


def test_the_package_finds_modules_to_check():
    assert len(MODULES) > 40 and "worlds.mazes" in MODULES and "__main__" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_every_module_is_listed_in_the_package_docstring(module):
    assert f"``{module}``" in demos.__doc__, f"demos/__init__.py does not list {module}"


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_a_line_in_architecture_md(module):
    text = (ROOT / "ARCHITECTURE.md").read_text()
    assert f"`{module.rsplit('.', 1)[-1]}`" in text or f"`{module}`" in text, (
        f"ARCHITECTURE.md has no line for {module}"
    )


@pytest.mark.parametrize("module", MODULES)
def test_every_module_says_what_it_is_for(module):
    imported = importlib.import_module(f"demos.{module}")
    doc = imported.__doc__ or ""
    assert len(doc.split()) >= 8, f"demos.{module} needs a docstring saying what it is for"


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_every_layer_has_a_docstring(subpackage):
    layer = importlib.import_module(f"demos.{subpackage}")
    assert len((layer.__doc__ or "").split()) >= 8


@pytest.mark.parametrize("module", MODULES)
def test_no_module_grows_past_the_size_a_reader_takes_in(module):
    path = ROOT / "demos" / (module.replace(".", "/") + ".py")
    lines = len(path.read_text().splitlines())
    assert lines <= 640, f"demos/{module} has {lines} lines: split it by job"


def test_modules_listed_in_the_docstring_exist():
    listed = set(re.findall(r"^- ``([\w.]+)``", demos.__doc__, flags=re.M))
    assert listed == set(MODULES), f"stale entries: {sorted(listed - set(MODULES))}"


def test_the_layers_import_downward_only():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed in this environment")
    done = subprocess.run(
        [str(lint), "--no-logo"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
