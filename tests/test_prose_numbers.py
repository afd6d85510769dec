"""No number is typed into a chapter's prose: numbers come from the code, through glue.

Every chapter shows numbers that an experiment produced or a setting decides through myst-nb's
``glue`` (``{glue:text}`name```), so the prose can never drift from the code that ran. This test
reads the Markdown cells of every notebook and fails on a numeral that is not in one of these
places:

- inside a role, `{glue:text}`, `{cite}`, `{ref}`, `{numref}`, `{doc}`, `{term}` and the rest
  (a glued value, a citation or a cross-reference), or inside inline code or a code block;
- in a heading's own section number (``## 2.1 The task``), or in a reference to a section or a
  chapter (``section 3.1``, ``sections 1.1 and 1.3``, ``chapter 2``), which mirror the paper;
- a year (1900 to 2099), or the enumerator of a numbered list (``1. Show that``);
- the integers 0 and 1, the fixed constants of the book's definitions (a reward of 1 on the exit,
  q = 0 for "never decorrelated", a distance of 0 for "exact");
- inside mathematics, the digits 0, 1 and 2 of formulas (``x^2``, ``N/(2c)``, ``2^L - 1``): a
  decimal or any larger number in a formula is flagged, since those are settings or results.

Figure options that are identifiers (``:label:``, ``:name:``, ``:class:``, ``:format:``) are
skipped; alt text and captions are prose and are checked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

NOT_YET_CLEAN = {
    "00_how_to_use.ipynb": "the how-to page (not part of issue 11) still types the learning rates "
    "and tolerance it quotes",
    "04_deceptive_alignment.ipynb": "written before this test; its settings and derived numbers "
    "are being glued",
    "05_related_work.ipynb": "written before this test; its settings are being glued",
}
"""Notebooks known to type numbers, with the reason; each is expected to fail until fixed."""

ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
INLINE_CODE = re.compile(r"``.+?``|`[^`]*`")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<!\\)\$(?!\$)(.+?)(?<!\\)\$")
LABEL_LINE = re.compile(r"^\s*\([\w:-]+\)=\s*$")
LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")
SKIPPED_OPTIONS = (":label:", ":name:", ":class:", ":format:")
HEADING_NUMBER = re.compile(r"^(#+)\s+\d+(?:\.\d+)*\.?\s")
SECTION_REFERENCE = re.compile(
    r"\b(?:sections?|chapters?)\s+\d+(?:\.\d+)*(?:(?:,\s*|\s+(?:and|to|or)\s+)\d+(?:\.\d+)*)*",
    re.I,
)
LIST_ENUMERATOR = re.compile(r"^(\s*)\d+\.\s")
YEAR = re.compile(r"(?<![\w.])(?:19|20)\d\d(?!\w|\.\d)")
NUMERAL = re.compile(r"(?<![A-Za-z_\d.])\d+(?:[.,]\d+)*")
ALLOWED = {"0", "1"}
ALLOWED_IN_MATH = {"0", "1", "2"}


def markdown_lines(text: str):
    """The lines of a Markdown cell that hold prose: code blocks (a fence with a language, or
    none) are dropped, directive fences (``{exercise}``, ``{glue:figure}``, ...) are opened and
    their options other than identifiers kept, and label lines are dropped."""
    fences: list[tuple[int, bool]] = []  # (number of backticks, is code)
    for line in text.splitlines():
        stripped = line.strip()
        fence = re.match(r"^(`{3,})(.*)$", stripped)
        if fence:
            ticks, rest = len(fence.group(1)), fence.group(2).strip()
            if fences and not rest and ticks >= fences[-1][0]:
                fences.pop()
                continue
            fences.append((ticks, not rest.startswith("{")))
            continue
        if any(is_code for _, is_code in fences):
            continue
        if LABEL_LINE.match(line) or stripped.startswith(SKIPPED_OPTIONS):
            continue
        yield line


def typed_numbers(text: str) -> list[str]:
    """The numerals of ``text`` (one Markdown cell) that are outside the allowed places."""
    found = []
    prose = "\n".join(markdown_lines(text))
    prose = ROLE.sub(" ", prose)
    prose = INLINE_CODE.sub(" ", prose)
    formulas = DISPLAY_MATH.findall(prose)
    prose = DISPLAY_MATH.sub(" ", prose)
    formulas += INLINE_MATH.findall(prose)
    prose = INLINE_MATH.sub(" ", prose)
    for formula in formulas:
        found += [n for n in NUMERAL.findall(formula) if n not in ALLOWED_IN_MATH]
    prose = LINK_TARGET.sub(" ", prose)
    for line in prose.splitlines():
        line = HEADING_NUMBER.sub(r"\1 ", line)
        line = LIST_ENUMERATOR.sub(r"\1", line)
        line = SECTION_REFERENCE.sub(" ", line)
        line = YEAR.sub(" ", line)
        found += [n for n in NUMERAL.findall(line) if n not in ALLOWED]
    return found


def notebook_parameters() -> list:
    params = []
    for path in NOTEBOOKS:
        marks = []
        if path.name in NOT_YET_CLEAN:
            marks.append(pytest.mark.xfail(reason=NOT_YET_CLEAN[path.name], strict=True))
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


@pytest.mark.parametrize("notebook", notebook_parameters())
def test_chapter_prose_types_no_numbers(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    problems = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        numbers = typed_numbers("".join(cell["source"]))
        if numbers:
            problems.append(f"cell {index}: {', '.join(numbers)}")
    assert not problems, (
        f"{notebook.name} types numbers into its prose (glue them instead): " + "; ".join(problems)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The planner solves {glue:text}`rate:.0%` of mazes.", []),
        ("The planner solves 97% of mazes.", ["97"]),
        ("## 2.1 The task", []),
        ("## Experiment 3: the marker", ["3"]),
        ("As the paper says (sections 1.1 and 1.3), in 2019.", []),
        ("A reward of 1 on the exit and q = 0 elsewhere.", []),
        ("The marker is drawn at 1.0 against the exit's 0.3.", ["1.0", "0.3"]),
        ("With $q = 0.05$ and $x^2$ and $N/(2c)$.", ["0.05"]),
        ("$$x^* = \\min(N / (2c), \\sqrt{P/c})$$ with $N = 40$", ["40"]),
        ("Mazes of side 7x7 and `size=15` and float32 weights.", ["7"]),
        ("1. Show that\n2. Conclude that", []),
        ("```python\nrun(seed=3)\n```\nthen 4 more", ["4"]),
        ("````{exercise} Title\n:label: ex-a1\n\nTry 5 seeds.\n````", ["5"]),
        ("See {numref}`fig-2` and {ref}`sec-intro-3`.", []),
    ],
)
def test_the_scanner_flags_typed_numbers_and_spares_the_allowed_ones(text, expected):
    assert typed_numbers(text) == expected
