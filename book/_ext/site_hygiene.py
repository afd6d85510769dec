"""A small Sphinx extension that keeps the readers' browser consoles clean and the site offline.

Jupyter Book 1 always loads sphinx-thebe, whose configuration script ends up on each page twice
("Identifier 'THEBE_JS_URL' has already been declared") and points at a CDN. This book offers no
Thebe button (its figures need no kernel: see demos/explorable.py), so the Thebe scripts are
dropped from every page. Any other script that a page would load twice is loaded once.

docutils gives bibliography entries the role doc-biblioentry inside a list, which assistive
technology reads as a list without items: the entries become list items.

The theme's download menu also offers ".pdf", which only opens the browser's print dialog; the
book has no PDF, so the entry is dropped (printing a page still works, with the book's print
stylesheet in ``book/_static/site.css``).
"""

from __future__ import annotations

from pathlib import Path
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


def fix_bibliography_roles(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """docutils marks the bibliography as a list whose entries have the role doc-biblioentry,
    which is no list item, so screen readers (and axe-core) find a list without items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def drop_print_button(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"] = [
                entry for entry in button["buttons"] if entry.get("label") != "download-pdf-button"
            ]


def drop_build_caches(app, exception) -> None:
    """sphinx-tippy leaves its (here unused) caches of Wikipedia and DOI look-ups in the site."""
    if exception is None and app.builder.format == "html":
        for name in ("tippy_wiki_cache.json", "tippy_doi_cache.json", "tippy_rtd_cache.json"):
            Path(app.outdir, name).unlink(missing_ok=True)


def setup(app):
    app.connect("html-page-context", clean_scripts, priority=900)
    # After sphinx-book-theme adds its header buttons (priority 501).
    app.connect("html-page-context", drop_print_button, priority=510)
    app.connect("html-page-context", fix_bibliography_roles)
    app.connect("build-finished", drop_build_caches, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
