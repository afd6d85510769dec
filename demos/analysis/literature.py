"""The book's own literature: every work of its bibliography, its theme, and where chapters cite it.

Chapter 5 (the paper's section 5, related work) draws a map of the literature from two sources and
nothing else, so the map cannot drift from the book:

- ``book/references.bib``: every work, its title, authors and year, and its ``keywords`` field,
  whose first entry is the work's theme; the keyword ``cited-in-paper`` marks the works of the
  paper's own bibliography;
- the chapter notebooks ``notebooks/NN_*.ipynb``: every ``{cite}`` role in their Markdown cells (any
  form: ``{cite}``, ``{cite:t}``, ``{cite:p}``, ...), with the heading it appears under.

:func:`read_bibliography` and :func:`read_citations` parse the two; :func:`literature_map` joins
them. The parsers handle the subset of BibTeX the book uses (one ``@type{key, field = {value}}``
entry after another, braces balanced) and need no third-party package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

IN_PAPER = "cited-in-paper"
"""The keyword that marks the works the paper itself cites."""

UNTHEMED = "Other"
"""The theme of a work whose entry has no keywords."""

_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,")
_FIELD = re.compile(r"\s*(\w+)\s*=\s*")
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Work:
    """One entry of the bibliography."""

    key: str
    """Citation key, e.g. ``wang2016learning``."""
    title: str
    """Title, without BibTeX's protective braces."""
    authors: str
    """Short author list: "Filan", "Amin and Singh" or "Wang et al."."""
    year: str
    """Year as written."""
    theme: str
    """The first keyword (:data:`UNTHEMED` if none)."""
    in_paper: bool
    """Whether the paper's own bibliography holds the work (keyword :data:`IN_PAPER`)."""

    @property
    def label(self) -> str:
        """``"Authors (year)"``, as a row label."""
        return f"{self.authors} ({self.year})"


@dataclass(frozen=True)
class Citation:
    """One citation of a work in a chapter."""

    key: str
    """The cited key."""
    chapter: int
    """Chapter number (the notebook's ``NN_`` prefix)."""
    heading: str
    """The closest heading above the citation ('' before the first heading)."""


def read_bibliography(path: str | Path) -> dict[str, Work]:
    """Every entry of the BibTeX file at ``path``, by key, in file order."""
    text = Path(path).read_text(encoding="utf-8")
    works: dict[str, Work] = {}
    for match in _ENTRY.finditer(text):
        key = match.group(2)
        fields = _fields(text, match.end())
        keywords = [word.strip() for word in fields.get("keywords", "").split(",") if word.strip()]
        themes = [word for word in keywords if word != IN_PAPER]
        works[key] = Work(
            key=key,
            title=_plain(fields.get("title", "")),
            authors=_short_authors(fields.get("author", "")),
            year=fields.get("year", ""),
            theme=themes[0] if themes else UNTHEMED,
            in_paper=IN_PAPER in keywords,
        )
    return works


def read_citations(notebooks: Iterable[str | Path]) -> tuple[list[Citation], dict[int, str]]:
    """Every citation in the Markdown cells of ``notebooks``, and each chapter's title.

    Args:
        notebooks: paths of ``NN_name.ipynb`` files; ``NN`` is the chapter number.

    Returns:
        ``(citations, titles)``: citations in document order; ``titles`` maps chapter number to
        the notebook's first level-1 heading.
    """
    citations: list[Citation] = []
    titles: dict[int, str] = {}
    for notebook in notebooks:
        path = Path(notebook)
        prefix = path.stem.split("_", 1)[0]
        if not prefix.isdigit():
            raise ValueError(f"notebooks must be named NN_name.ipynb, got {path.name!r}")
        chapter = int(prefix)
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        heading = ""
        for cell in cells:
            if cell["cell_type"] != "markdown":
                continue
            for line in "".join(cell["source"]).splitlines():
                found = _HEADING.match(line)
                if found:
                    heading = found.group(2)
                    if found.group(1) == "#" and chapter not in titles:
                        titles[chapter] = heading
                for keys in _CITE.findall(line):
                    for key in keys.split(","):
                        if key.strip():
                            citations.append(Citation(key.strip(), chapter, heading))
        titles.setdefault(chapter, path.stem)
    return citations, titles


@dataclass
class LiteratureMap:
    """The bibliography joined with the chapters' citations."""

    works: dict[str, Work]
    """Every work of the bibliography, by key."""
    citations: list[Citation] = field(repr=False)
    """Every citation in the chapters."""
    titles: dict[int, str]
    """Chapter number -> title."""

    @property
    def chapters(self) -> list[int]:
        """The chapter numbers read, in order."""
        return sorted(self.titles)

    @property
    def themes(self) -> list[str]:
        """The themes, in the order they first appear in the bibliography."""
        return list(dict.fromkeys(work.theme for work in self.works.values()))

    def chapters_citing(self, key: str) -> list[int]:
        """The chapters that cite ``key``, in order."""
        self._check_key(key)
        return sorted({c.chapter for c in self.citations if c.key == key})

    def headings_citing(self, key: str, chapter: int) -> list[str]:
        """The headings under which ``chapter`` cites ``key``, without repeats, in order."""
        self._check_key(key)
        return list(
            dict.fromkeys(
                c.heading for c in self.citations if c.key == key and c.chapter == chapter
            )
        )

    def by_theme(self) -> dict[str, list[str]]:
        """Theme -> the keys of its works, in bibliography order."""
        grouped: dict[str, list[str]] = {theme: [] for theme in self.themes}
        for work in self.works.values():
            grouped[work.theme].append(work.key)
        return grouped

    def uncited(self, in_paper_only: bool = False) -> list[str]:
        """Works no chapter cites (only the paper's own works if ``in_paper_only``)."""
        cited = {c.key for c in self.citations}
        return [
            key
            for key, work in self.works.items()
            if key not in cited and (work.in_paper or not in_paper_only)
        ]

    def unknown_keys(self) -> list[str]:
        """Keys the chapters cite that the bibliography lacks (a broken citation each)."""
        return sorted({c.key for c in self.citations} - set(self.works))

    def matrix(self, keys: list[str] | None = None) -> tuple[list[str], list[int], list[list[int]]]:
        """Citation counts as rows of works (default: grouped by theme) and columns of chapters.

        Returns:
            ``(keys, chapters, counts)`` with ``counts[i][j]`` the number of citations of
            ``keys[i]`` in chapter ``chapters[j]``.
        """
        keys = [k for group in self.by_theme().values() for k in group] if keys is None else keys
        for key in keys:
            self._check_key(key)
        chapters = self.chapters
        counts = [[0] * len(chapters) for _ in keys]
        row = {key: i for i, key in enumerate(keys)}
        column = {chapter: j for j, chapter in enumerate(chapters)}
        for citation in self.citations:
            if citation.key in row:
                counts[row[citation.key]][column[citation.chapter]] += 1
        return keys, chapters, counts

    def _check_key(self, key: str) -> None:
        if key not in self.works:
            raise ValueError(f"key must be a key of the bibliography, got {key!r}")


def literature_map(bibliography: str | Path, notebooks: Iterable[str | Path]) -> LiteratureMap:
    """Join the bibliography at ``bibliography`` with the citations of ``notebooks``."""
    citations, titles = read_citations(sorted(Path(p) for p in notebooks))
    return LiteratureMap(works=read_bibliography(bibliography), citations=citations, titles=titles)


def _fields(text: str, start: int) -> dict[str, str]:
    """The ``name = {value}`` (or ``"value"`` or bare) fields of the entry that starts at
    ``start``, up to the brace that closes the entry."""
    fields: dict[str, str] = {}
    position = start
    while True:
        found = _FIELD.match(text, position)
        if not found:
            return fields
        name = found.group(1).lower()
        position = found.end()
        opener = text[position]
        if opener == "{":
            depth, end = 0, position
            while True:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
            value, position = text[position + 1 : end], end + 1
        elif opener == '"':
            end = text.index('"', position + 1)
            value, position = text[position + 1 : end], end + 1
        else:
            end = position
            while text[end] not in ",}":
                end += 1
            value, position = text[position:end].strip(), end
        fields[name] = " ".join(value.split())
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text) or text[position] != ",":
            return fields
        position += 1


def _plain(text: str) -> str:
    r"""Drop BibTeX's protective braces and the simple accent commands (``{\'e}`` -> ``e``)."""
    text = re.sub(r"\\[`'\"^~=.]\{?(\w)\}?", r"\1", text)
    return text.replace("{", "").replace("}", "").replace("\\", "")


def _short_authors(field_value: str) -> str:
    names = [name.strip() for name in field_value.split(" and ") if name.strip()]
    surnames = [_plain(name.split(",")[0] if "," in name else name.split()[-1]) for name in names]
    if not surnames:
        return "Anonymous"
    if len(surnames) == 1:
        return surnames[0]
    if len(surnames) == 2 and names[1] != "others":
        return f"{surnames[0]} and {surnames[1]}"
    return f"{surnames[0]} et al."
