"""Figures of chapter 6 (the paper's section 6, its conclusion).

Two explorables that pull the book together:

- :func:`draw_possibilities`: the paper's three possibilities. For the chosen world, what becomes
  of unintended optimization, inner alignment and outer alignment, what the paper says follows,
  and how many of the book's tested claims (:data:`demos.analysis.book_claims.CLAIMS`) bear on the
  question that would tell us we are in it, by chapter and by whether their outcome was found or
  built in.
- :func:`draw_silence`: the book's central effect in one picture, from an ``objective-drift``
  sweep over the decorrelated fraction q and the exit's salience: every planner succeeds in
  training, while where it goes off distribution ranges from the exit to the marker.

Each draws one frame into the panels its ``*_layout`` made once; ``render_*`` draws one frame on a
new figure.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from demos.analysis.book_claims import CHAPTERS, CLAIMS, ORIGINS, bearing, possibility
from demos.experiments.objective_drift import ObjectiveDriftResult
from demos.figures.drawing import draw_path, draw_reward_map
from demos.figures.style import COLORS, FONT, OKABE_ITO

STATUS_COLORS = {
    "not a concern": OKABE_ITO["bluish_green"],
    "still needed": OKABE_ITO["sky_blue"],
    "unavoidable": OKABE_ITO["vermillion"],
    "critical": OKABE_ITO["vermillion"],
    "the problem to solve": OKABE_ITO["orange"],
    "avoided, not solved": OKABE_ITO["sky_blue"],
    "partly relaxed": OKABE_ITO["bluish_green"],
}
"""Colour of each status a problem can have in a world (each status also says itself in words)."""

ORIGIN_STYLE = {
    "found": dict(color=OKABE_ITO["blue"], hatch=""),
    "both": dict(color=OKABE_ITO["reddish_purple"], hatch=""),
    "built in": dict(color="#999999", hatch=""),
}
"""Fill of each origin of a claim's outcome: Okabe-Ito blue and reddish purple, and grey, which
stay apart under the common forms of colour blindness, stacked always in the same order."""

ROWS = (
    ("Unintended optimization", "unintended"),
    ("Inner alignment", "inner"),
    ("Outer alignment", "outer"),
)
"""The problems shown for each world: (row title, field of the Possibility)."""


def _status_box(fig: Figure, y: float, title: str, status: str) -> None:
    """A rounded box at height ``y`` (figure fraction) naming a problem and its status. Drawn
    on the figure itself, with no Axes, which keeps a live update cheap."""
    color = STATUS_COLORS.get(status, COLORS["grid"])
    fig.add_artist(  # not fig.patches.append: a kept figure must be able to remove the box
        FancyBboxPatch(
            (0.015, y - 0.075),
            0.40,
            0.15,
            boxstyle="round,pad=0.005",
            facecolor=color,
            alpha=0.25,
            edgecolor=color,
            lw=2,
            transform=fig.transFigure,
            figure=fig,
        )
    )
    fig.text(0.03, y + 0.03, title, fontsize=FONT["label"], va="center", weight="bold")
    fig.text(0.03, y - 0.035, status, fontsize=FONT["label"], va="center")


def possibilities_layout(fig: Figure) -> Axes:
    """The chart of claims by chapter and origin, with its axis, grid and legend (the same for
    every world); the possibility itself is drawn on the figure, left of it."""
    right = fig.add_axes((0.56, 0.12, 0.42, 0.58))
    chapters = list(CHAPTERS)
    most = max(sum(c.chapter == ch for c in CLAIMS) for ch in chapters)
    right.set_xticks(
        np.arange(len(chapters)), [CHAPTERS[ch] for ch in chapters], fontsize=FONT["tick"]
    )
    right.set_ylim(0, most + 0.5)
    right.set_yticks(range(0, most + 1, 2))
    right.tick_params(labelsize=FONT["tick"])
    right.set_ylabel("claims tested", fontsize=FONT["label"])
    right.grid(alpha=0.3, axis="y")
    for k, origin in enumerate(ORIGINS):  # a hand-made legend: matplotlib's costs a third more
        y = 0.92 - 0.1 * k
        right.text(
            0.04,
            y,
            "\u25a0",
            color=ORIGIN_STYLE[origin]["color"],
            transform=right.transAxes,
            fontsize=FONT["legend"] + 3,
            va="center",
        )
        right.text(0.1, y, origin, transform=right.transAxes, fontsize=FONT["legend"], va="center")
    return right


def draw_possibilities(right: Axes, world: str) -> None:
    """One frame into :func:`possibilities_layout`'s chart ``right``: the chosen possibility's
    consequences (left, on the figure) and the book's claims bearing on its question, counted by
    chapter and origin (right).

    Args:
        right: the chart's Axes.
        world: the name of one of :data:`demos.analysis.book_claims.POSSIBILITIES`.
    """
    fig = right.figure
    chosen = possibility(world)
    fig.text(0.015, 0.97, textwrap.fill(chosen.world, 40), fontsize=FONT["title"], va="top")
    for row, (title, field) in enumerate(ROWS):
        _status_box(fig, 0.68 - 0.19 * row, title, getattr(chosen, field))
    fig.text(0.03, 0.15, "What follows:", fontsize=FONT["label"], va="center", weight="bold")
    fig.text(0.03, 0.07, chosen.approach, fontsize=FONT["label"], va="center")

    claims = bearing(world)
    chapters = list(CHAPTERS)
    positions = np.arange(len(chapters))
    bottom = np.zeros(len(chapters))
    for origin in ORIGINS:
        counts = np.array(
            [sum(c.chapter == ch and c.origin == origin for c in claims) for ch in chapters]
        )
        style = ORIGIN_STYLE[origin]
        right.bar(
            positions,
            counts,
            bottom=bottom,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="white",
            label=origin,
        )
        bottom += counts
    right.text(
        0.5,
        1.04,
        f"{len(claims)} of the book's {len(CLAIMS)} claims bear on:\n"
        + textwrap.fill(chosen.question, 46),
        transform=right.transAxes,
        ha="center",
        va="bottom",
        fontsize=FONT["label"],
    )


def render_possibilities(fig: Figure, world: str) -> None:
    """:func:`draw_possibilities` on a new figure."""
    draw_possibilities(possibilities_layout(fig), world)


def possibilities_alt(world: str) -> str:
    """Alt text of one frame of :func:`draw_possibilities`."""
    chosen = possibility(world)
    claims = bearing(world)
    by_origin = ", ".join(
        f"{sum(c.origin == origin for c in claims)} {origin}" for origin in ORIGINS
    )
    return (
        f"{chosen.world}. Unintended optimization: {chosen.unintended}; inner alignment: "
        f"{chosen.inner}; outer alignment: {chosen.outer}. What follows: {chosen.approach}. "
        f"Bar chart by chapter of the {len(claims)} of the book's {len(CLAIMS)} tested claims "
        f"that bear on the question {chosen.question!r} ({by_origin})."
    )


# ---------------------------------------------------------------------------- silence of training
def silence_layout(fig: Figure, result: ObjectiveDriftResult) -> tuple[Axes, Axes]:
    """The two panels of the silence explorable, the left one already holding every run of the
    sweep (the same in every frame): training success against the share of test agents on the
    marker. The right panel, for the chosen run's reward map, is left empty."""
    left = fig.add_axes((0.09, 0.17, 0.44, 0.68))
    saliences = result.config.exit_saliences
    symbols = ("o", "s", "^", "D")
    colors = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["bluish_green"], "black")
    for k, salience in enumerate(saliences):
        points = [p for p in result.points if p.exit_salience == salience]
        left.scatter(
            [p.test_rates["proxy"] for p in points],
            [p.train_success for p in points],
            marker=symbols[k % len(symbols)],
            s=70,
            color=colors[k % len(colors)],
            alpha=0.85,
            label=f"exit salience {salience:g}",
            zorder=3,
        )
    left.set_xlim(-0.05, 1.05)
    left.set_ylim(0.5, 1.05)
    left.set_xticks([0, 0.5, 1])
    left.set_yticks([0.5, 0.75, 1])
    left.set_xlabel("test agents on the marker", fontsize=FONT["label"])
    left.set_ylabel("training success", fontsize=FONT["label"])
    left.tick_params(labelsize=FONT["tick"])
    left.grid(alpha=0.3)
    left.legend(fontsize=FONT["legend"], frameon=False, loc="lower center")
    left.text(
        0.5,
        1.03,
        "Every planner of the sweep",
        transform=left.transAxes,
        ha="center",
        va="bottom",
        fontsize=FONT["label"],
    )
    return left, fig.add_axes((0.62, 0.12, 0.36, 0.76))


def draw_silence(
    panels: tuple[Axes, Axes],
    result: ObjectiveDriftResult,
    decorrelated_fraction: float,
    exit_salience: float,
) -> None:
    """One frame into :func:`silence_layout`'s panels: the chosen run ringed among the sweep's
    (left), and its learned reward map and path on one test level (right).

    Args:
        panels: the (left, right) Axes of :func:`silence_layout`, laid out for ``result``.
        result: an ``objective-drift`` result with one seed.
        decorrelated_fraction, exit_salience: the chosen run (a point of the sweep).
    """
    left, right = panels
    seed = result.config.seeds[0]
    chosen = result.point(decorrelated_fraction, seed, exit_salience)
    left.scatter(
        [chosen.test_rates["proxy"]],
        [chosen.train_success],
        s=300,
        facecolor="none",
        edgecolor="black",
        lw=2,
        zorder=4,
    )
    draw_reward_map(right, chosen.reward_map, levels=chosen.showcase, title=None, colorbar=False)
    draw_path(right, chosen.path, halo=True, end="agent (end)", scale=7 / 9)
    wants = "exit" if chosen.reading.prefers == "exit" else "marker"
    right.set_title(
        f"q = {decorrelated_fraction:g}: its objective peaks on the {wants}",
        fontsize=FONT["label"],
    )


def render_silence(
    fig: Figure, result: ObjectiveDriftResult, decorrelated_fraction: float, exit_salience: float
) -> None:
    """:func:`draw_silence` on a new figure."""
    draw_silence(silence_layout(fig, result), result, decorrelated_fraction, exit_salience)


def silence_alt(
    result: ObjectiveDriftResult, decorrelated_fraction: float, exit_salience: float
) -> str:
    """Alt text of one frame of :func:`draw_silence`."""
    seed = result.config.seeds[0]
    chosen = result.point(decorrelated_fraction, seed, exit_salience)
    lowest = min(p.train_success for p in result.points)
    spread = [p.test_rates["proxy"] for p in result.points]
    wants = "the exit" if chosen.reading.prefers == "exit" else "the marker"
    end = tuple(chosen.path[-1])
    if end == tuple(chosen.showcase.exit[0]):
        ending = "the exit"
    elif end == tuple(chosen.showcase.marker[0]):
        ending = "the marker"
    else:
        ending = "neither the exit nor the marker"
    return (
        f"Scatter of {len(result.points)} trained planners: training success is at least "
        f"{lowest:.0%} for every one, while the share of test agents on the marker ranges from "
        f"{min(spread):.0%} to {max(spread):.0%}. Ringed: the planner trained with q = "
        f"{decorrelated_fraction:g} and exit salience {exit_salience:g}, which succeeds on "
        f"{chosen.train_success:.0%} of its training levels and sends "
        f"{chosen.test_rates['proxy']:.0%} of test agents to the marker. Right: its learned reward "
        f"map on one test level peaks on {wants}, and its path ends on {ending}."
    )
