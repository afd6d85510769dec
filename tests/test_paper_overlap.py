"""The book's prose is in its own words: no run of eight words matches the paper.

The rule: no run of eight or more consecutive words of the book's prose may match the paper. This
test reads the Markdown cells of every notebook in ``notebooks/`` and every page in ``book/``,
normalises them with ``tests/prose_text.py`` (visible words only, lower case, British spellings
folded into American ones), and looks up every 8-word run (shingle) in
``tests/data/paper_8gram_fingerprint.txt``, which holds salted, truncated hashes of the paper's
shingles and none of its text. A failure names each matching run: file, cell, line, and the
book's words, extended to the longest run whose every eight words match.

The fingerprint is written by ``tools/paper_fingerprint.py`` from a local copy of the paper's
LaTeX (see that script for where to get it); regenerate it when the normalisation of the paper's
words changes. ``ALLOWED`` lists the only runs the book may share with the paper: bibliographic
facts, not prose.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import prose_text
import pytest

ROOT = Path(__file__).resolve().parents[1]
FINGERPRINT = ROOT / "tests" / "data" / "paper_8gram_fingerprint.txt"
SOURCES = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md"))

ALLOWED = {
    "the paper's title": "Risks from Learned Optimization in Advanced Machine Learning Systems",
    "the paper's authors": (
        "Evan Hubinger, Chris van Merwijk, Vladimir Mikulik, Joar Skalse, and Scott Garrabrant"
    ),
}
"""Phrases the book may quote from the paper: a shingle inside one of them is not a match."""


@dataclass(frozen=True)
class Fingerprint:
    fields: dict[str, str]
    hashes: frozenset[str]
    lines: list[str]

    def __contains__(self, shingle: str) -> bool:
        return prose_text.shingle_hash(shingle, self.fields["salt"]) in self.hashes


def load_fingerprint(path: Path) -> Fingerprint:
    lines = path.read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = lines[len(header) :]
    fields = dict(re.findall(r"(\w+)=(\S+)", "\n".join(header)))
    return Fingerprint(fields, frozenset(body), body)


def allowed_shingles(phrases: Iterable[str] | None = None) -> frozenset[str]:
    """The shingles inside the phrases (default: ``ALLOWED``'s), which are not matches."""
    phrases = ALLOWED.values() if phrases is None else phrases
    return frozenset(s for phrase in phrases for s in prose_text.shingles(prose_text.words(phrase)))


def matching_runs(source: str, paper: Fingerprint, allowed=frozenset()) -> list[tuple[int, str]]:
    """The runs of ``source`` (MyST Markdown) whose every 8 words match the paper, each as
    (line, words): overlapping matching shingles are merged into one run."""
    runs = []
    n = prose_text.SHINGLE_WORDS
    for segment in prose_text.markdown_segments(source):
        words = [word for word, _ in segment]
        start = end = -1
        for index, shingle in enumerate(prose_text.shingles(words)):
            if shingle in allowed or shingle not in paper:
                continue
            if index >= end:  # no overlap with the run so far: a new run
                if end > 0:
                    runs.append((segment[start][1], " ".join(words[start:end])))
                start = index
            end = index + n
        if end > 0:
            runs.append((segment[start][1], " ".join(words[start:end])))
    return runs


def prose_units(path: Path):
    """(where, Markdown) for each Markdown cell of a notebook, or for a whole page."""
    if path.suffix != ".ipynb":
        yield "", path.read_text()
        return
    for index, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "markdown":
            source = cell["source"]
            yield f" cell {index}", "".join(source) if isinstance(source, list) else source


def overlaps(path: Path, paper: Fingerprint, allowed=frozenset()) -> list[str]:
    """Every run of ``path``'s prose that matches the paper, described for a failure message."""
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return [
        f'{name}{where} line {line}: "{words}" ({len(words.split())} words)'
        for where, source in prose_units(path)
        for line, words in matching_runs(source, paper, allowed)
    ]


@pytest.fixture(scope="module")
def paper() -> Fingerprint:
    return load_fingerprint(FINGERPRINT)


# ------------------------------------------------------------------------------ the book


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_prose_shares_no_eight_word_run_with_the_paper(path, paper):
    found = overlaps(path, paper, allowed_shingles())
    assert not found, (
        "the prose repeats the paper word for word; say it in the book's own words:\n"
        + "\n".join(found)
    )


def test_the_book_has_prose_to_check():
    names = {path.name for path in SOURCES}
    assert {"01_introduction.ipynb", "preface.md", "glossary.md"} <= names


# --------------------------------------------------------------------------- the fingerprint


def test_the_fingerprint_holds_hashes_only(paper):
    assert paper.lines == sorted(set(paper.lines)), "hashes must be distinct and sorted"
    pattern = re.compile(f"[0-9a-f]{{{prose_text.HASH_CHARS}}}")
    strays = [line for line in paper.lines if not pattern.fullmatch(line)]
    assert not strays, f"lines that are not hashes: {strays[:3]}"
    assert int(paper.fields["hashes"]) == len(paper.lines) > 10_000


def test_the_fingerprint_names_its_source_and_matches_the_normalisation(paper):
    assert paper.fields["repository"] == "evhub/mesa-optimization"
    assert paper.fields["path"] == "mesa_optimization.tex"
    assert re.fullmatch(r"[0-9a-f]{40}", paper.fields["commit"])
    assert paper.fields["words"] == str(prose_text.SHINGLE_WORDS)
    assert paper.fields["normalisation"] == prose_text.NORMALISATION, (
        "prose_text.NORMALISATION changed: regenerate the fingerprint (tools/paper_fingerprint.py)"
    )


@pytest.mark.parametrize("reason", ALLOWED)
def test_every_allowed_phrase_is_in_the_paper(paper, reason):
    shingles = allowed_shingles([ALLOWED[reason]])
    assert any(shingle in paper for shingle in shingles), f"{reason}: not in the paper, drop it"


# -------------------------------------------------------- the mechanism, on a made-up paper

MADE_UP_PAPER = r"""
\documentclass{article}
\begin{document}
\title{Gulls}
\author{A. Keeper\thanks{With thanks to the harbour master.}}
\section{Counting}
At dusk the lighthouse keeper counted the gulls on the \textit{grey} harbour wall,
as she had every evening since the winter of the long storm.\cite{log}
The colour of the sky, $c$, was analyzed after the count.%
\footnote{Nobody else in the village kept such a careful record of the birds.}
\end{document}
"""


def _load_tool():
    path = ROOT / "tools" / "paper_fingerprint.py"
    spec = importlib.util.spec_from_file_location("paper_fingerprint", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def made_up(tmp_path_factory) -> Fingerprint:
    folder = tmp_path_factory.mktemp("made_up")
    (folder / "paper.tex").write_text(MADE_UP_PAPER)
    _load_tool().write_fingerprint(folder / "paper.tex", folder / "print.txt", salt="test")
    return load_fingerprint(folder / "print.txt")


def _notebook(folder: Path, *cells: str) -> Path:
    path = folder / "chapter.ipynb"
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": c} for c in cells]}
    path.write_text(json.dumps(notebook))
    return path


def test_a_planted_run_is_found_and_extended_to_its_full_length(made_up, tmp_path):
    path = _notebook(
        tmp_path,
        "# Nothing here\n\nThe gulls were many.",
        "Each night *the lighthouse* {term}`keeper <Keeper>` counted the gulls on the grey\n"
        "harbour wall {cite}`log`, and then slept.",
    )
    assert overlaps(path, made_up) == [
        f'{path} cell 1 line 1: "the lighthouse keeper counted the gulls on the grey harbour'
        ' wall" (11 words)'
    ]


def test_spelling_footnotes_and_dropped_math_match_across_the_two_sides(made_up):
    assert matching_runs("The colour of the sky, $s$, was analysed after the count.", made_up)
    assert matching_runs("Nobody else in the village kept such a careful record.", made_up)


def test_seven_words_or_a_run_across_a_break_is_not_a_match(made_up):
    assert not matching_runs("Nobody else in the village kept such notes.", made_up)
    assert not matching_runs("the long storm.\n\nThe colour of the sky", made_up)
    assert not matching_runs(
        "was analysed after the count. Nobody else in the village kept", made_up
    )


def test_an_allowed_phrase_is_not_a_match(made_up):
    text = "At dusk the lighthouse keeper counted the gulls."
    assert matching_runs(text, made_up)
    assert not matching_runs(text, made_up, allowed_shingles([text]))


def test_the_made_up_fingerprint_holds_no_words(made_up):
    assert all(re.fullmatch(r"[0-9a-f]{12}", line) for line in made_up.lines)
    assert len(made_up.lines) == len(set(made_up.lines)) > 20


# ---------------------------------------------------------------------------- normalisation


def _segments(markdown: str) -> list[str]:
    return [" ".join(word for word, _ in s) for s in prose_text.markdown_segments(markdown)]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        # roles: a term's visible words stay, citations and glued values go
        ("A {term}`mesa-optimizers <Mesa-optimizer>` and a {term}`base objective`.",
         ["a mesa optimizers and a base objective"]),
        ("As {cite:t}`hubinger2019risks` say, {glue:text}`rate:.0%` of mazes.",
         ["as say of mazes"]),
        ("See {ref}`the maze chapter <sec-maze>`, {numref}`fig-a` and {doc}`preface`.",
         ["see the maze chapter and"]),
        # math and inline code are dropped; display math ends a segment
        ("With $q = 0.05$ and `run(seed=3)` the rate\n$$\nx^2\n$$\nholds.",
         ["with and the rate", "holds"]),
        # code fences, nested in a directive; the directive's title and alt text are prose
        ("Before.\n````{exercise} Count the gulls\n:label: ex-gulls\n\nDo it.\n```python\n"
         "print('hello world')\n```\n````\nAfter.",
         ["before", "count the gulls", "do it", "after"]),
        ("```{glue:figure} fig_key\n:name: fig-a\n:alt: Gulls on a wall\n\nThe caption.\n```",
         ["fig key", "gulls on a wall", "the caption"]),
        ("```{demos-source} demos.x.y\n:caption: Shown code\n```\nText.", ["text"]),
        # headings, blank lines, list items, table cells, labels and comments break
        ("# The title\nline one\n\nline two\n- item one\n- item two",
         ["the title", "line one", "line two", "item one", "item two"]),
        ("| a b | c |\n|---|---|\n| d | e |", ["a b", "c", "d", "e"]),
        ("(sec-a)=\n% a comment\nsome <!-- hidden --> words", ["some", "words"]),
        # links keep their text; URLs and HTML tags go
        ("[the paper](https://arxiv.org/abs/1906.01820) at <https://x.org> <b>says</b>",
         ["the paper at says"]),
        # British spellings fold into American ones
        ("The optimiser's behaviour, modelled and analysed, was optimised.",
         ["the optimizer s behavior modeled and analyzed was optimized"]),
    ],
)  # fmt: skip
def test_markdown_normalisation(markdown, expected):
    assert _segments(markdown) == expected


def test_markdown_words_keep_their_line_numbers():
    segments = prose_text.markdown_segments("---\ntitle: x\n---\nOne\ntwo `c`\n\nthree")
    assert segments == [[("one", 4), ("two", 5)], [("three", 7)]]


def test_latex_normalisation():
    segments = prose_text.latex_segments(MADE_UP_PAPER)
    assert [" ".join(s) for s in segments][:4] == [
        "gulls",
        "counting",
        "at dusk the lighthouse keeper counted the gulls on the grey harbour wall as she had every"
        " evening since the winter of the long storm the color of the sky was analyzed after the"
        " count",
        "nobody else in the village kept such a careful record of the birds",
    ]
    assert ["a", "keeper"] in segments and ["with", "thanks", "to", "the", "harbour", "master"] in (
        segments
    )
