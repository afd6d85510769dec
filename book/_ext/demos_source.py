"""Show on a chapter page the code of ``demos`` that produced its figures, with a link to the file.

The book's algorithms live in one place, the ``demos`` package; chapters show them rather than
copy them (d2l's habit). In a notebook's Markdown cell::

    ```{demos-source} demos.agents.planners.value_iteration
    :caption: Value iteration, the search the planner's designer wrote
    ```

puts the current source of ``value_iteration`` on the page, with its line numbers in the file,
under a caption that links to the whole file. The site serves each file it shows as plain text
under ``_demos_source/`` (for example ``_demos_source/demos/agents/planners.py.txt``), so the link
works offline and never goes stale: the code on the page is read from the package at build time.
The argument is a dotted path: a module, then an object in it (a function, a class, or
``Class.method``).
"""

from __future__ import annotations

import importlib
import inspect
import posixpath
import shutil
import textwrap
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

OUTPUT_FOLDER = "_demos_source"
"""Folder of the built site that holds the plain-text copies of the files shown."""


def resolve(dotted: str):
    """``(object, module)`` for a dotted path such as ``demos.agents.planners.Planner.policy``."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        target = module
        for name in parts[split:]:
            target = getattr(target, name, None)
            if target is None:
                break
        if target is not None:
            return target, module
    raise ValueError(f"cannot find {dotted!r}: give a module of demos and an object in it")


class DemosSource(SphinxDirective):
    """The ``demos-source`` directive (see the module docstring)."""

    required_arguments = 1
    option_spec = {"caption": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        dotted = self.arguments[0].strip()
        if not dotted.startswith("demos."):
            raise self.error(f"demos-source shows code of the demos package, got {dotted!r}")
        try:
            target, module = resolve(dotted)
            lines, first = inspect.getsourcelines(target)
            path = Path(inspect.getsourcefile(module)).resolve()
        except (ValueError, TypeError, OSError) as error:
            raise self.error(f"demos-source {dotted}: {error}") from error
        source_root = Path(self.env.srcdir).resolve()
        relative = path.relative_to(source_root).as_posix()
        self.env.note_dependency(str(path))
        shown = self.env.app.config.demos_source_files
        if relative not in shown:
            shown.append(relative)

        code = textwrap.dedent("".join(lines)).rstrip("\n")
        block = nodes.literal_block(code, code, language="python", linenos=True)
        block["highlight_args"] = {"linenostart": first}
        self.set_source_info(block)

        link_target = posixpath.relpath(
            f"{OUTPUT_FOLDER}/{relative}.txt", posixpath.dirname(self.env.docname) or "."
        )
        title = self.options.get("caption") or f"{dotted.rsplit('.', 1)[-1]}"
        caption = nodes.caption("", "")
        caption += nodes.Text(f"{title} (")
        caption += nodes.reference("", relative, refuri=link_target, internal=False)
        caption += nodes.Text(f", line {first})")
        wrapper = nodes.container("", classes=["literal-block-wrapper", "demos-source"])
        wrapper["literal_block"] = True
        wrapper += caption
        wrapper += block
        return [wrapper]


def copy_sources(app, exception) -> None:
    """After an HTML build, copy every file a page showed into the site, as plain text."""
    if exception is not None or app.builder.format != "html":
        return
    root = Path(app.srcdir)
    for relative in sorted(set(app.config.demos_source_files)):
        target = Path(app.outdir) / OUTPUT_FOLDER / f"{relative}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, target)


def remember_from_environment(app, env) -> None:
    """Pages read in an earlier (cached) build still need their files copied."""
    shown = app.config.demos_source_files
    for relative in getattr(env, "demos_source_files", []):
        if relative not in shown:
            shown.append(relative)
    env.demos_source_files = list(shown)


def setup(app):
    app.add_config_value("demos_source_files", [], "env")
    app.add_directive("demos-source", DemosSource)
    app.connect("env-updated", remember_from_environment)
    app.connect("build-finished", copy_sources)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
