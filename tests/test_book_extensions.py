"""The book's Sphinx extensions (book/_ext), tested without building the book."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import chapter_numbering  # noqa: E402
import citation_style  # noqa: E402
import run_in_colab  # noqa: E402
import site_address  # noqa: E402


def _site_map(parts: dict[str, list[str]]):
    trees = [
        SimpleNamespace(caption=caption, files=lambda items=items: items)
        for caption, items in parts.items()
    ]
    return {"book/preface": SimpleNamespace(subtrees=trees)}


def test_each_chapter_counts_its_own_items_with_its_number_first():
    site_map = _site_map(
        {
            "Getting started": ["notebooks/00_how_to_use"],
            "Chapters": ["notebooks/01_a", "notebooks/02_b.ipynb"],
        }
    )
    app = SimpleNamespace(
        env=SimpleNamespace(external_site_map=site_map),
        config=SimpleNamespace(book_chapter_parts=["Chapters"]),
    )
    # Sphinx's own numbering: one count across the book
    env = SimpleNamespace(
        found_docs={"notebooks/00_how_to_use", "notebooks/01_a", "notebooks/02_b"},
        toc_fignumbers={
            "notebooks/00_how_to_use": {"exercise": {"a": (1,), "b": (2,)}},
            "notebooks/01_a": {"figure": {"f2": (2,), "f1": (1,)}, "exercise": {"e": (3,)}},
            "notebooks/02_b": {"figure": {"g": (3,), "h": (5,), "i": (4,)}},
        },
    )
    rewrite = chapter_numbering.renumber(app, env)
    assert rewrite == sorted(env.found_docs)  # every page is written again with its numbers
    assert env.toc_fignumbers == {
        "notebooks/00_how_to_use": {"exercise": {"a": (1,), "b": (2,)}},
        "notebooks/01_a": {"figure": {"f1": (1, 1), "f2": (1, 2)}, "exercise": {"e": (1, 1)}},
        "notebooks/02_b": {"figure": {"g": (2, 1), "i": (2, 2), "h": (2, 3)}},
    }


@pytest.mark.parametrize(
    "authors, year, label",
    [
        (["Filan, Daniel"], "2018", "Filan, 2018"),
        (["Amin, Kareem", "Singh, Satinder"], "2016", "Amin and Singh, 2016"),
        (["Amodei, Dario", "Olah, Chris", "Steinhardt, Jacob"], "2016", "Amodei et al., 2016"),
        (["di Langosco, Lauro", "Koch, Jack", "Sharkey, Lee"], "2022", "di Langosco et al., 2022"),
        (["Cheal, Joe"], None, "Cheal, n.d."),
    ],
)
def test_bibliography_labels_read_like_the_citations(authors, year, label):
    from pybtex.database import Entry, Person

    fields = {"title": "T"} | ({"year": year} if year else {})
    entry = Entry("misc", fields=fields, persons={"author": [Person(name) for name in authors]})
    assert citation_style.author_year_label(entry) == label


def test_works_sharing_a_label_get_letters():
    from pybtex.database import Entry, Person

    def work(title):
        return Entry(
            "misc",
            fields={"title": title, "year": "2019"},
            persons={"author": [Person("Christiano, Paul")]},
        )

    labels = list(
        citation_style.AuthorYearLabels().format_labels([work("a"), work("b"), work("c")])
    )
    assert labels == ["Christiano, 2019a", "Christiano, 2019b", "Christiano, 2019c"]


def test_served_notebook_starts_with_the_install_cell_and_has_no_outputs(tmp_path):
    source = tmp_path / "chapter.ipynb"
    source.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "metadata": {}, "source": ["# 9. A chapter"]},
                    {
                        "cell_type": "code",
                        "execution_count": 3,
                        "metadata": {},
                        "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}],
                        "source": ["from myst_nb import glue"],
                    },
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 4,
            }
        )
    )
    served = run_in_colab.served_notebook(
        source, "https://example.org/book/", "demos-0.1.0-py3-none-any.whl"
    )
    first = "".join(served["cells"][0]["source"])
    assert served["cells"][0]["metadata"]["tags"] == ["install-demos"]
    assert 'os.environ.get("DEMOS_BOOK_SITE", "https://example.org/book/")' in first
    assert '.rstrip("/") + "/"' in first  # an address given without its final slash works too
    assert '%pip install --quiet "demos @ {BOOK_SITE}wheels/demos-0.1.0-py3-none-any.whl"' in first
    assert served["cells"][2]["outputs"] == [] and served["cells"][2]["execution_count"] is None
    assert served["nbformat_minor"] >= 5  # cell ids
    compile(first.replace("%pip", "pass  #"), "cell", "exec")  # the rest is plain Python


def test_the_site_address_comes_from_the_config_or_the_workflow(monkeypatch):
    config = SimpleNamespace(html_baseurl="", notfound_context={"body": '<a href="{prefix}x">'})
    monkeypatch.setenv(site_address.ENV, "https://owner.github.io/repo")
    site_address.apply(None, config)
    assert config.html_baseurl == "https://owner.github.io/repo/"
    assert config.notfound_urls_prefix == "/repo/"
    assert config.notfound_context["body"] == '<a href="/repo/x">'
    local = SimpleNamespace(html_baseurl="", notfound_context={})
    monkeypatch.delenv(site_address.ENV)
    site_address.apply(None, local)
    assert local.html_baseurl == "" and local.notfound_urls_prefix == "/"


def test_parenthetical_citations_use_the_bibliography_label():
    from sphinxcontrib.bibtex.plugin import find_plugin

    style = find_plugin("sphinxcontrib.bibtex.style.referencing", citation_style.NAME)()
    assert type(style.role_style["p"]).__name__ == "BasicLabelParentheticalReferenceStyle"
    assert type(style.role_style["t"]).__name__ == "BasicAuthorYearTextualReferenceStyle"


def test_prose_refers_to_figures_and_exercises_by_label():
    """Numbers are per chapter and set by the build: a typed "exercise 2" goes stale."""
    import re

    typed = re.compile(r"\b(exercises?|fig\.|figures?)\s+\d", re.IGNORECASE)
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                found += [
                    f"{path.name}: {m.group(0)!r}"
                    for m in typed.finditer(text)
                    # the paper's own figures keep the paper's numbers
                    if not re.sub(r"\s+", " ", text[: m.start()]).endswith("paper's ")
                ]
    assert not found, found
