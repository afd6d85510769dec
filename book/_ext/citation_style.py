"""One citation style for the text and the bibliography: author and year.

The chapters cite by author and year, but the plain bibliography style labels its entries [1],
[2], ... This extension registers, under the name ``book_author_year``:

- a pybtex style (``bibtex_default_style``): the plain style's entries, sorted by author and
  year, each labelled "Filan, 2018", "Amin and Singh, 2016", "Amodei et al., 2016" or
  "Cheal, n.d."; two works with the same label get "2019a" and "2019b";
- a citation style (``bibtex_reference_style``): ``{cite}`` shows that same label in brackets,
  "[Christiano, 2019b]", so a citation reads exactly like the entry it links to; ``{cite:t}``
  reads "Amodei et al. [2016]", as in sphinxcontrib-bibtex's author_year style.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_label import (
    BasicLabelParentheticalReferenceStyle,
)

NAME = "book_author_year"


def _surname(person) -> str:
    parts = [*person.rich_prelast_names, *person.rich_last_names]
    return " ".join(part.render_as("text") for part in parts)


def author_year_label(entry) -> str:
    """ "Surname, year" for one author, "A and B, year" for two, "A et al., year" for more."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    surnames = [_surname(person) for person in people]
    if not surnames:
        who = entry.fields.get("organization") or entry.fields.get("title", "Anonymous")
    elif len(surnames) == 1:
        who = surnames[0]
    elif len(surnames) == 2:
        who = f"{surnames[0]} and {surnames[1]}"
    else:
        who = f"{surnames[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year_label(entry) for entry in entries]
        repeated = {label for label, count in Counter(labels).items() if count > 1}
        seen: Counter = Counter()
        for label in labels:
            if label in repeated:
                seen[label] += 1
                label += "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            yield label


@dataclass
class LabelledAuthorYearReferences(AuthorYearReferenceStyle):
    """author_year, except that parenthetical citations show the bibliography's label."""

    def __post_init__(self):
        super().__post_init__()
        labelled = BasicLabelParentheticalReferenceStyle(
            bracket=self.bracket_parenthetical,
            pre_text_sep=self.pre_text_sep,
            post_text_sep=self.post_text_sep,
        )
        self.styles[0] = labelled
        self.role_style.update((role, labelled) for role in labelled.role_names())


class AuthorYearStyle(PlainStyle):
    default_label_style = NAME


register_plugin("pybtex.style.labels", NAME, AuthorYearLabels)
register_plugin("pybtex.style.formatting", NAME, AuthorYearStyle)
register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", NAME, LabelledAuthorYearReferences)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
