"""Prose as runs of words: one normalisation for the book's Markdown and for the paper's LaTeX.

``tests/test_paper_overlap.py`` compares every 8-word run (shingle) of the book's prose with the
paper's, and ``tools/paper_fingerprint.py`` turns the paper into the salted hashes of its shingles
(``tests/data/paper_8gram_fingerprint.txt``). Both sides go through this module, so a sentence
reads as the same words whichever side it is on:

- :func:`words`: lower case, accents dropped, every character other than a letter or a digit is a
  separator (``mesa-optimizer's`` is ``mesa optimizer s``), and British spellings are folded into
  American ones (``behaviour`` is ``behavior``, ``optimise`` is ``optimize``).
- :func:`markdown_segments`: the visible prose of a MyST Markdown source (a notebook's Markdown
  cell or a ``book/*.md`` page), cut into segments no shingle may cross: headings, blank lines,
  list items, table cells, directive fences and code blocks end a segment.
- :func:`latex_segments`: the same for the paper's LaTeX; footnotes, captions, the authors and the
  per-section summaries are segments of their own, as a reader meets them apart from the text.

Text that is dropped rather than broken on (a citation, a glued number, inline code or math) joins
the words on either side, on both sides alike. :data:`NORMALISATION` names the version of the
rules that shape the paper's words; a change to :func:`words`, the spelling folds or
:func:`latex_segments` must bump it, and the fingerprint must then be regenerated (its header
records the version it was built with, and the test checks the two agree).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator

NORMALISATION = "1"
SHINGLE_WORDS = 8
HASH_CHARS = 12
BREAK = "\x00"  # ends a segment; never part of a word

# ------------------------------------------------------------------------------------- words

_SPELLING = {
    "behaviour": "behavior", "behaviours": "behaviors", "behavioural": "behavioral",
    "favour": "favor", "favours": "favors", "favoured": "favored", "favourable": "favorable",
    "colour": "color", "colours": "colors", "coloured": "colored",
    "modelling": "modeling", "modelled": "modeled", "labelled": "labeled",
    "analyse": "analyze", "analysed": "analyzed", "analyses": "analyzes", "analysing": "analyzing",
}  # fmt: skip
_IZE_STEMS = (
    "optim", "general", "recogn", "real", "organ", "minim", "maxim", "penal", "internal",
    "incentiv", "summar", "character", "special", "visual", "normal", "initial", "parameter",
    "regular", "memor", "categor", "priorit", "formal", "operational", "util", "random",
    "crystall", "hypothes", "emphas", "standard",
)  # fmt: skip
_IZE = re.compile(r"^({})is(e|es|ed|ing|ation|ations|er|ers)$".format("|".join(_IZE_STEMS)))
_WORD = re.compile(r"[a-z0-9]+")


@functools.cache
def fold(word: str) -> str:
    """The American spelling of a lower-case word (``optimisation`` -> ``optimization``)."""
    word = _SPELLING.get(word, word)
    ize = _IZE.match(word)
    return ize.group(1) + "iz" + ize.group(2) if ize else word


def words(text: str) -> list[str]:
    """The words of ``text``, normalised (see the module's docstring); no segment breaks."""
    text = text.replace(BREAK, " ").lower()
    if not text.isascii():  # "naïve" is "naive"
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    return [fold(word) for word in _WORD.findall(text)]


def _split(text: str) -> list[list[str]]:
    """``text`` with :data:`BREAK` markers as its segments' words, empty segments left out."""
    return [found for part in text.split(BREAK) if (found := words(part))]


# ------------------------------------------------------------------------------- shingles


def shingles(segment: list[str], n: int = SHINGLE_WORDS) -> Iterator[str]:
    """Every run of ``n`` consecutive words of one segment, as one space-separated string."""
    for start in range(len(segment) - n + 1):
        yield " ".join(segment[start : start + n])


def shingle_hash(shingle: str, salt: str) -> str:
    """The fingerprint of one shingle: the first :data:`HASH_CHARS` hex digits of
    sha256(salt + shingle)."""
    hashed = _salted(salt).copy()
    hashed.update(shingle.encode())
    return hashed.digest()[: HASH_CHARS // 2].hex()


@functools.cache
def _salted(salt: str):
    return hashlib.sha256(salt.encode())


def fingerprint(segments: Iterable[list[str]], salt: str) -> list[str]:
    """The sorted, distinct hashes of every shingle of ``segments``."""
    return sorted({shingle_hash(s, salt) for segment in segments for s in shingles(segment)})


# ------------------------------------------------------------------------- MyST Markdown

_FENCE = re.compile(r"^(`{3,}|:{3,})(.*)$")
_NOT_PROSE = {
    "code-cell", "code", "code-block", "demos-source", "math", "literalinclude", "toctree",
    "bibliography", "glue", "glue:md", "glue:math", "raw", "mermaid", "tableofcontents",
    "eval-rst",
}  # fmt: skip
_PROSE_OPTIONS = {"alt", "caption", "title"}
_OPTION = re.compile(r"^:([\w-]+):\s?(.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_ALONE = re.compile(r"^\s*(\([^)]*\)=|%.*|\+\+\+.*|[-*_\s]{3,}|[|:\-\s]*-[|:\-\s]*)$")
_ROLE = re.compile(r"\{([\w:.-]+)\}`([^`]*)`")
_EXPLICIT = re.compile(r"^(.*?)\s*<[^<>]*>\s*$", re.S)
_DROPPED_ROLES = ("cite", "glue", "eval", "math", "code", "sub-ref")
_REFERENCE_ROLES = {"ref", "doc", "numref", "eq", "prf:ref", "any", "download", "external"}


def _keep_lines(match: re.Match, replacement: str) -> str:
    """``replacement`` padded with the newlines of the text it replaces (line numbers hold)."""
    return f" {replacement} " + "\n" * match.group(0).count("\n")


def _role(match: re.Match) -> str:
    name, body = match.group(1), match.group(2)
    if name.startswith(_DROPPED_ROLES):
        return _keep_lines(match, "")
    explicit = _EXPLICIT.match(body)
    if name in _REFERENCE_ROLES:  # visible text only when it is written out
        body = explicit.group(1) if explicit else ""
        body = body.replace("%s", " ").replace("{number}", " ").replace("{name}", " ")
    elif explicit:  # {term}`mesa-optimizers <Mesa-optimizer>` shows "mesa-optimizers"
        body = explicit.group(1)
    return _keep_lines(match, body)


def _prose_lines(lines: list[str]) -> Iterator[str]:
    """One line out per line in: code blanked, breaks marked, directive options resolved."""
    fences: list[tuple[str, int, bool]] = []  # (fence character, length, holds prose)
    in_options = False  # at the head of a directive's body, where its options are
    for line in lines:
        stripped = line.strip()
        fence = _FENCE.match(stripped)
        if fence:
            mark, rest = fence.group(1), fence.group(2).strip()
            if fences and not rest and mark[0] == fences[-1][0] and len(mark) >= fences[-1][1]:
                fences.pop()
                in_options = False
                yield BREAK
                continue
            if not fences or fences[-1][2]:
                name, _, argument = (
                    rest[1:].partition("}") if rest.startswith("{") else ("", "", "")
                )
                prose = rest.startswith("{") and name.strip() not in _NOT_PROSE
                fences.append((mark[0], len(mark), prose))
                in_options = prose
                yield f"{BREAK} {argument} {BREAK}" if prose else BREAK  # a title is prose
                continue
        if fences and not fences[-1][2]:
            yield ""
            continue
        if in_options:
            option = _OPTION.match(stripped)
            if option:
                kept = option.group(2) if option.group(1) in _PROSE_OPTIONS else ""
                yield f"{BREAK} {kept} {BREAK}"
                continue
            in_options = False
        if not stripped or _ALONE.match(line):
            yield BREAK
        elif _HEADING.match(line):
            yield f"{BREAK} {stripped.lstrip('#')} {BREAK}"
        elif _LIST_ITEM.match(line):
            yield BREAK + " " + _LIST_ITEM.sub(" ", line, count=1)
        else:
            yield line


def _front_matter_blanked(source: str) -> str:
    if source.startswith("---\n"):
        end = source.find("\n---", 4)
        if end > 0:
            return "\n" * source[: end + 4].count("\n") + source[end + 4 :]
    return source


def markdown_segments(source: str) -> list[list[tuple[str, int]]]:
    """The prose segments of a MyST Markdown source, each word with its line (from 1).

    Kept: the visible text of a role (``{term}`mesa-optimizers <Mesa-optimizer>``` gives
    ``mesa optimizers``), a link's text, headings, the titles of directives and their ``alt``,
    ``caption`` and ``title`` options, an image's alt text. Dropped, joining the words around
    it: citations, glued values, other roles without written-out text, inline code and inline
    math. Dropped, ending the segment: code blocks, display math, non-prose directives, other
    options, comments, labels, front matter.
    """
    text = "\n".join(_prose_lines(_front_matter_blanked(source).split("\n")))
    text = re.sub(r"<!--.*?-->", lambda m: _keep_lines(m, BREAK), text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$|\\\[.*?\\\]", lambda m: _keep_lines(m, BREAK), text, flags=re.S)
    text = _ROLE.sub(_role, text)
    text = re.sub(r"(?<![\\$])\$(?!\$)[^$\n]+?(?<!\\)\$|\\\(.*?\\\)", " ", text)  # inline math
    text = re.sub(r"``[^`]+``|`[^`\n]*`", " ", text)  # inline code
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", rf" {BREAK} \1 {BREAK} ", text)  # image: alt text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]", r"\1\2", text)  # links: text
    text = re.sub(r"<https?://[^>]*>|https?://\S+|<[^<>\n]+>", " ", text)  # URLs, HTML tags
    text = text.replace("|", f" {BREAK} ")  # table cells
    segments: list[list[tuple[str, int]]] = [[]]
    for number, line in enumerate(text.split("\n"), start=1):
        for index, part in enumerate(line.split(BREAK)):
            if index and segments[-1]:
                segments.append([])
            segments[-1].extend((word, number) for word in words(part))
    return [segment for segment in segments if segment]


# ------------------------------------------------------------------------------------ LaTeX


def _closing_brace(text: str, opening: int) -> int:
    """The index just past the brace that closes the one at ``text[opening]``."""
    depth = 0
    index = opening
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and char == "}":
            return index + 1
        index += 1
    return len(text)


def _pull_out(text: str, command: str, pieces: list[str]) -> str:
    """Every ``\\command{...}`` replaced by a break; its argument appended to ``pieces``."""
    pattern = re.compile(r"\\" + command + r"\*?\s*(\[[^\]]*\])?\s*\{")
    while match := pattern.search(text):
        end = _closing_brace(text, match.end() - 1)
        pieces.append(text[match.end() : end - 1])
        text = text[: match.start()] + f" {BREAK} " + text[end:]
    return text


def _latex_text(text: str) -> str:
    """The words of one piece of LaTeX, with breaks; math, labels and citations dropped."""
    text = re.sub(r"\\\[.*?\\\]", f" {BREAK} ", text, flags=re.S)  # display math
    text = re.sub(
        r"\\begin\{(align\*?|equation\*?)\}.*?\\end\{\1\}", f" {BREAK} ", text, flags=re.S
    )
    text = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", " ", text, flags=re.S)  # inline math
    sections = re.compile(r"\\(?:sub)*section\*?\s*\{")
    while heading := sections.search(text):
        end = _closing_brace(text, heading.end() - 1)
        title = text[heading.end() : end - 1]
        text = text[: heading.start()] + f" {BREAK} {title} {BREAK} " + text[end:]
    text = re.sub(r"\\item\b", f" {BREAK} ", text)
    text = re.sub(r"\\(begin|end)\{[^}]*\}(\[[^\]]*\])?", f" {BREAK} ", text)
    text = re.sub(
        r"\\(cite[tp]?|label|[cC]ref|ref|includegraphics|bibliography|bibliographystyle|"
        r"setcounter|date)\*?\s*(\[[^\]]*\])?\{[^}]*\}(\{[^}]*\})?",
        " ",
        text,
    )
    for _ in range(3):  # arguments kept in line, innermost first
        text = re.sub(
            r"\\(textit|textbf|emph|text|texttt|textsc|mathrm|title)\s*\{([^{}]*)\}", r" \2 ", text
        )
    text = re.sub(r"\\[A-Za-z]+\*?", " ", text)  # other commands
    return text.replace("\\\\", " ").replace("~", " ")


def latex_segments(source: str) -> list[list[str]]:
    """The prose segments of a LaTeX document, from ``\\begin{document}`` on.

    Sectioning commands, items and environments end a segment; footnotes, captions, the author
    list, ``\\thanks`` and ``\\cftchapterprecistoc`` summaries are segments of their own; math,
    citations, cross-references and labels are dropped.
    """
    body = source[source.find("\\begin{document}") :] if "\\begin{document}" in source else source
    body = re.sub(r"(?<!\\)%.*", "", body)
    pieces = [body]
    done: list[str] = []
    while pieces:  # a footnote can sit in a caption, a \thanks in the author list
        piece = pieces.pop()
        for command in ("author", "thanks", "cftchapterprecistoc", "caption", "footnote"):
            piece = _pull_out(piece, command, pieces)
        done.append(piece)
    return [segment for piece in done for segment in _split(_latex_text(piece))]
