"""Small tables of results, for the end of a notebook cell instead of a raw dict.

Every experiment's ``Result.summary()`` is a flat dict; printed as the last value of a cell it
shows as a long line of keys and numbers. :func:`summary_table` shows the same dict as a small
two-column table (one column per run when given several summaries), in Jupyter and on the site:

    summary_table(result.summary())
    summary_table({"7x7": small.summary(), "11x11": big.summary()})

Used by every chapter.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any


def format_value(value: Any, digits: int = 3) -> str:
    """A value as a reader wants it: ``digits`` significant digits for floats, integers whole,
    sequences comma-separated, booleans as yes/no, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return f"{int(value):,}".replace(",", " ") if abs(int(value)) >= 10_000 else str(value)
    if isinstance(value, Real):
        number = float(value)
        if math.isnan(number):
            return "–"
        if number != 0 and (abs(number) >= 1e5 or abs(number) < 1e-3):
            return f"{number:.{digits - 1}e}"
        return f"{number:.{digits}g}"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {format_value(item, digits)}" for key, item in value.items())
    if isinstance(value, Sequence):
        return ", ".join(format_value(item, digits) for item in value)
    return str(value)


class SummaryTable:
    """Rows of (name, values...) with an HTML form for Jupyter and the site, and a text form."""

    def __init__(self, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]):
        self.columns = list(columns)
        self.rows = [(name, list(values)) for name, values in rows]

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(name)}</th>' for name in self.columns)
        body = "".join(
            f'<tr><th scope="row">{html.escape(name)}</th>'
            + "".join(f"<td>{html.escape(value)}</td>" for value in values)
            + "</tr>"
            for name, values in self.rows
        )
        return (
            '<table class="summary-table">'
            f'<thead><tr><th scope="col">quantity</th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        widths = [max(len("quantity"), *(len(name) for name, _ in self.rows))]
        for i, column in enumerate(self.columns):
            widths.append(max(len(column), *(len(values[i]) for _, values in self.rows)))
        lines = [
            "  ".join(
                text.ljust(width)
                for text, width in zip(["quantity", *self.columns], widths, strict=True)
            )
        ]
        for name, values in self.rows:
            cells = [name, *values]
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
        return "\n".join(line.rstrip() for line in lines)


def summary_table(
    summary: Mapping[str, Any] | Mapping[str, Mapping[str, Any]], digits: int = 3
) -> SummaryTable:
    """A small table of one summary dict, or of several side by side.

    Args:
        summary: a flat dict such as ``Result.summary()`` (a "value" column), or a dict of such
            dicts by run name (one column per run; a quantity missing from a run shows a dash).
        digits: int in [1, 12], significant digits of floats.

    Returns:
        A :class:`SummaryTable`: the last value of a cell, it shows as a table.
    """
    if not isinstance(summary, Mapping) or not summary:
        raise ValueError(f"summary must be a non-empty dict, got {summary!r}")
    if not isinstance(digits, int) or isinstance(digits, bool) or not 1 <= digits <= 12:
        raise ValueError(f"digits must be an integer in [1, 12], got {digits!r}")
    runs = summary if all(isinstance(v, Mapping) for v in summary.values()) else None
    if runs is None:
        rows = [(_name(key), [format_value(value, digits)]) for key, value in summary.items()]
        return SummaryTable(["value"], rows)
    names = list(dict.fromkeys(key for run in runs.values() for key in run))
    rows = [
        (_name(key), [format_value(run.get(key), digits) for run in runs.values()]) for key in names
    ]
    return SummaryTable([str(label) for label in runs], rows)


def _name(key: Any) -> str:
    return str(key).replace("_", " ")
