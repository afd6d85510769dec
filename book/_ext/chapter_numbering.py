"""Per-chapter numbers for figures, explorables, tables and exercises (Fig. 3.2, Exercise 3.4).

Without a numbered table of contents Sphinx counts figures and exercises across the whole book, so
chapter 2's first figure would be "Fig. 5". This extension:

1. wraps every kernel-free explorable (the ``<figure class="explorable">`` that
   ``demos.figures.explorable.Explorable`` writes while the book is built) in a Sphinx figure, with
   the explorable's caption as the figure's caption and its ``label`` as the figure's name, so the
   explorable is numbered with the chapter's figures and ``{numref}`` reaches it;
2. once Sphinx has numbered everything, numbers each page's items again from 1: on the pages of
   the table of contents' parts named in ``book_chapter_parts`` (the chapters), the number is
   prefixed with the chapter's position in that part (Fig. 3.2); other pages count 1, 2, ...;
3. checks that a chapter title which starts with a number ("3. The inner alignment problem")
   agrees with that position, and warns (failing ``-W`` builds) when it does not.

Nothing is configured per chapter: a new chapter listed in ``_toc.yml`` is numbered by its place.
"""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

_EXPLORABLE = re.compile(r'<figure class="explorable"[^>]*>')
_LABEL = re.compile(r'data-label="([^"]+)"')
_CAPTION = re.compile(r'<figcaption class="explorable-caption">(.*?)</figcaption>', re.S)
_TITLE_NUMBER = re.compile(r"\s*(\d+)\.\s")


class ExplorableFigures(SphinxTransform):
    """Wrap each explorable output in a numbered, captioned, optionally labelled figure."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        for raw in list(self.document.findall(nodes.raw)):
            text = raw.astext()
            if "html" not in raw.get("format", "") or not _EXPLORABLE.search(text):
                continue
            bundle = raw
            while bundle.parent is not None and not (
                isinstance(bundle, nodes.container) and bundle.get("nb_element") == "mime_bundle"
            ):
                bundle = bundle.parent
            if bundle.parent is None or isinstance(bundle.parent, nodes.figure):
                continue
            caption_match = _CAPTION.search(text)
            caption = html.unescape(caption_match.group(1)) if caption_match else ""
            raw.replace_self(nodes.raw("", _CAPTION.sub("", text), format=raw["format"]))
            figure = nodes.figure(classes=["explorable-figure"])
            figure.source, figure.line = bundle.source, bundle.line
            bundle.replace_self(figure)
            figure += bundle
            if caption:
                figure += nodes.caption(caption, caption)
            label = _LABEL.search(_EXPLORABLE.search(text).group(0))
            if label:
                figure["names"].append(nodes.fully_normalize_name(label.group(1)))
                self.document.note_explicit_target(figure, figure)
            else:
                self.document.set_id(figure)


def chapter_numbers(app) -> dict[str, int]:
    """Docname -> chapter number, from the order of the chapter parts of ``_toc.yml``."""
    site_map = getattr(app.env, "external_site_map", None)
    if site_map is None:
        return {}
    parts = set(app.config.book_chapter_parts)
    numbers: dict[str, int] = {}
    for document in site_map.values():
        for tree in document.subtrees:
            if tree.caption not in parts:
                continue
            for item in tree.files():
                numbers[_docname(item)] = len(numbers) + 1
    return numbers


def _docname(item: str) -> str:
    path = PurePosixPath(item)
    return str(path.with_suffix("")) if path.suffix in (".ipynb", ".md", ".rst") else item


def renumber(app, env) -> list[str]:
    """Number each page's figures, tables and exercises from 1, with its chapter as prefix.

    Returns every page, so that each is written again: a chapter added to ``_toc.yml`` renumbers
    the chapters after it, and sphinx-tippy only writes a page's glossary tips when the glossary
    page is written in the same build. Writing this book's pages takes a few seconds.
    """
    chapters = chapter_numbers(app)
    for docname, by_type in env.toc_fignumbers.items():
        prefix = (chapters[docname],) if docname in chapters else ()
        for figtype, numbers in by_type.items():
            ordered = sorted(numbers, key=lambda ident: numbers[ident])
            by_type[figtype] = {
                ident: prefix + (position,) for position, ident in enumerate(ordered, start=1)
            }
    return sorted(env.found_docs)


def check_titles(app, env) -> None:
    """Warn when a chapter's title states a number other than its place in the chapters."""
    for docname, number in chapter_numbers(app).items():
        title = env.titles.get(docname)
        if title is None:
            continue
        stated = _TITLE_NUMBER.match(title.astext())
        if stated and int(stated.group(1)) != number:
            LOGGER.warning(
                f"chapter title {title.astext()!r} says {stated.group(1)}, but it is chapter "
                f"{number} of the parts {app.config.book_chapter_parts} in _toc.yml",
                location=docname,
            )


def setup(app):
    app.add_config_value("book_chapter_parts", ["Chapters"], "env", [list])
    app.add_transform(ExplorableFigures)
    # After Sphinx's own numbering (TocTreeCollector, default priority 500).
    app.connect("env-get-updated", renumber, priority=900)
    app.connect("env-check-consistency", check_titles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
