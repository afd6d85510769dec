"""Numbers into prose: glue a result's figures in one call, and say lists and tables in words.

Every chapter uses it. A chapter's prose never types a number the code produced: it shows a glued
value with ``{glue:text}`name``` (myst-nb's ``glue``). :func:`glue_figures` glues a whole mapping
of figures under one prefix (``glue_figures("drift", result.summary())`` makes
``drift_test_proxy_rate`` and the rest), so a notebook needs one line per result rather than one
per number, and every glued figure is one the experiment itself reports. :func:`spoken_list` and
:func:`table_markdown` turn values into the words and tables of the prose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def glue_figures(prefix: str, figures: Mapping[str, Any]) -> dict[str, Any]:
    """Glue every value of ``figures`` as ``f"{prefix}_{key}"`` (not displayed), and return them.

    Args:
        prefix: a Python identifier, e.g. "drift"; the glue names are ``prefix_key``.
        figures: a flat mapping of names to numbers or strings, e.g. ``result.summary()``.

    Returns:
        The glued names and values, ``{"prefix_key": value}``.
    """
    from myst_nb import glue

    if not isinstance(prefix, str) or not prefix.isidentifier():
        raise ValueError(f"prefix must be a Python identifier, got {prefix!r}")
    if not isinstance(figures, Mapping):
        raise ValueError(f"figures must be a mapping of names to values, got {figures!r}")
    glued = {}
    for key, value in figures.items():
        if isinstance(value, (Mapping, list, tuple)):
            raise ValueError(f"figures[{key!r}] must be a single value, got {value!r}")
        glued[f"{prefix}_{key}"] = value
        glue(f"{prefix}_{key}", value, display=False)
    return glued


def glue_summary(prefix: str, result: Any) -> dict[str, Any]:
    """:func:`glue_figures` of ``result.summary()``: every figure an experiment reports."""
    if not hasattr(result, "summary"):
        raise ValueError(f"result must have a summary() method, got {type(result).__name__}")
    return glue_figures(prefix, result.summary())


def spoken_list(values: Sequence) -> str:
    """Values as prose: ``[0, 0.01, 0.05]`` -> ``"0, 0.01 and 0.05"`` (floats shown with ``g``)."""
    shown = [f"{value:g}" if isinstance(value, float) else str(value) for value in values]
    if not shown:
        raise ValueError("values must hold at least one value, got none")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def table_markdown(rows: list[dict], columns: dict[str, str]) -> str:
    """A Markdown table of ``rows`` (dicts), with ``columns`` mapping keys to headers. Floats in
    [0, 1] named like rates are shown as percentages."""
    keys = list(columns)
    lines = [
        "| " + " | ".join(columns[key] for key in keys) + " |",
        "|" + "|".join("---:" for _ in keys) + "|",
    ]
    for row in rows:
        cells = []
        for key in keys:
            value = row[key]
            if isinstance(value, float) and key != "q":
                cells.append(f"{value:.1%}")
            elif isinstance(value, float):
                cells.append(f"{value:g}")
            else:
                cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
