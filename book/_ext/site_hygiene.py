"""A small Sphinx extension that keeps the readers' browser consoles clean and the site offline.

Jupyter Book 1 always loads sphinx-thebe, whose configuration script ends up on each page twice
("Identifier 'THEBE_JS_URL' has already been declared") and points at a CDN. This book offers no
Thebe button (its figures need no kernel: see demos/explorable.py), so the Thebe scripts are
dropped from every page. Any other script that a page would load twice is loaded once.
"""

from __future__ import annotations

from typing import Any


def _is_thebe(script: Any) -> bool:
    name = str(getattr(script, "filename", script) or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return "thebe" in name.lower() or "THEBE_JS_URL" in body


def clean_scripts(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    kept, seen = [], set()
    for script in scripts:
        key = (
            str(getattr(script, "filename", script)),
            str(getattr(script, "attributes", {}).get("body", "")),
        )
        if _is_thebe(script) or key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", clean_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
