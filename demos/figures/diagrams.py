"""Box-and-arrow diagrams of the book's concepts, drawn in its one style without pyplot.

Used by chapter 1. :func:`alignment_diagram` places the intended goal, the base objective, the
mesa-objective and the behavioral objective on one line, with outer alignment and inner alignment
as the two gaps between them, the base optimizer below, and the learned model drawn as a search
around its own objective (a mesa-optimizer); :data:`ALIGNMENT_ALT` is its alt text. Colours come
from :data:`demos.figures.style.COLORS`. The chapters' data figures are in the chapter modules
(:mod:`demos.figures.introduction` and the others).
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from demos.core.validation import check_choice, check_int
from demos.figures.style import COLORS, FONT, new_figure

EXAMPLES = ("maze", "general")
"""Wordings of :func:`alignment_diagram`: the book's maze agent, or the general definitions."""

_BOXES = {
    "maze": {
        "intended_goal": (
            "Intended goal",
            "what the designers want:\nthe agent gets out\nof the maze",
        ),
        "base_objective": (
            "Base objective",
            "what training scores:\nreward for standing\non the exit",
        ),
        "mesa_objective": (
            "Mesa-objective",
            "what the model's search\npursues: its learned\nreward map",
        ),
        "behavioral_objective": (
            "Behavioral objective",
            "what its paths reveal:\nthe goal recovered by\ninverse planning",
        ),
        "base_optimizer": ("Base optimizer", "gradient descent on\nthe training mazes"),
        "search": ("Search", "value iteration over\nplans in the maze"),
    },
    "general": {
        "intended_goal": ("Intended goal", "what the programmers\nactually want the\nsystem to do"),
        "base_objective": ("Base objective", "the loss or reward\nthe base optimizer\nuses"),
        "mesa_objective": (
            "Mesa-objective",
            "the objective the\nlearned model's search\nuses internally",
        ),
        "behavioral_objective": (
            "Behavioral objective",
            "the objective that best\nexplains what the\nmodel does",
        ),
        "base_optimizer": ("Base optimizer", "searches over models,\ne.g. gradient descent"),
        "search": ("Search", "inside the model, over\noutputs, plans, policies"),
    },
}

BOX_FONT = {"title": 11, "body": 10}
"""Font sizes (points) in the diagram's boxes: 11 and 12 CSS pixels at full width."""

ALIGNMENT_ALT = (
    "Diagram with four boxes in a row, left to right: intended goal, base objective, "
    "mesa-objective and behavioral objective. A double arrow labelled 'outer alignment' joins the "
    "intended goal and the base objective; a double arrow labelled 'inner alignment' joins the "
    "base objective and the mesa-objective. An arrow from the mesa-objective to the behavioral "
    "objective is labelled 'search turns it into actions'. Below the base objective, a box for "
    "the base optimizer scores models by the base objective and selects the learned model. The "
    "learned model is a dashed frame around the mesa-objective and a search box beneath it, "
    "labelled 'learned model = mesa-optimizer', with the note that this search can appear "
    "without anyone building it (unintended optimization)."
)
"""Alt text of :func:`alignment_diagram`."""


def alignment_diagram(example: str = "maze", dpi: int = 80) -> Figure:
    """The map of the chapter: four objectives, two alignment problems, two optimizers.

    Args:
        example: "maze" (the book's running example) or "general" (the paper's definitions).
        dpi: int in [30, 300], the figure's resolution.

    Returns:
        A matplotlib Figure (9.6 x 4.6 inches), made without pyplot.
    """
    check_choice("example", example, EXAMPLES)
    dpi = check_int("dpi", dpi, 30, 300)
    texts = _BOXES[example]
    figure, ax = new_figure(width=9.6, height=4.6, dpi=dpi)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    ax.set_xlim(-0.05, 10.3)
    ax.set_ylim(0, 5)
    ax.set_axis_off()

    width, height, top, gap = 2.0, 1.4, 3.0, 0.72
    names = ("intended_goal", "base_objective", "mesa_objective", "behavioral_objective")
    lefts = {name: 0.05 + i * (width + gap) for i, name in enumerate(names)}
    for name in names:
        _box(ax, lefts[name], top, width, height, *texts[name], COLORS[name])
    middle = top + height / 2
    for left_box, right_box, label, style in (
        ("intended_goal", "base_objective", "outer\nalignment", "-"),
        ("base_objective", "mesa_objective", "inner\nalignment", "--"),
    ):
        x0, x1 = lefts[left_box] + width, lefts[right_box]
        color = COLORS["intended_goal"] if style == "-" else COLORS["mesa_objective"]
        _double_arrow(ax, x0, x1, middle, color, style)
        ax.plot([(x0 + x1) / 2] * 2, [middle + 0.12, top + height + 0.1], color=color, lw=0.8)
        ax.text(
            (x0 + x1) / 2,
            top + height + 0.3,
            label,
            ha="center",
            va="center",
            fontsize=FONT["legend"],
            fontweight="bold",
            color=color,
        )

    # Below: the base optimizer, and the search that makes the learned model an optimizer.
    bottom, low = 0.75, 1.15
    base, mesa = lefts["base_objective"], lefts["mesa_objective"]
    _box(ax, base, bottom, width, low, *texts["base_optimizer"], COLORS["wall"])
    _box(ax, mesa, bottom, width, low, *texts["search"], COLORS["mesa_objective"], fill=False)
    _arrow(ax, (base + width / 2, top), (base + width / 2, bottom + low), COLORS["base_objective"])
    _note(ax, base + width / 2 + 0.08, (top + bottom + low) / 2, "scores\nmodels", "left")
    _arrow(ax, (base + width, bottom + low / 2), (mesa - 0.1, bottom + low / 2), COLORS["wall"])
    _note(ax, (base + width + mesa) / 2, bottom + low / 2 - 0.42, "selects\nweights", "center")
    _arrow(ax, (mesa + width / 2, top), (mesa + width / 2, bottom + low), COLORS["mesa_objective"])
    _note(ax, mesa + width / 2 + 0.08, (top + bottom + low) / 2, "guides", "left")
    behavioral = lefts["behavioral_objective"]
    _arrow(
        ax,
        (mesa + width, bottom + low * 0.7),
        (behavioral + width * 0.35, top),
        COLORS["behavioral_objective"],
    )
    _note(ax, mesa + width + 0.3, bottom + low * 0.35, "its actions,\nwatched", "left")
    ax.add_patch(
        FancyBboxPatch(
            (mesa - 0.06, bottom - 0.08),
            width + 0.12,
            top + height - bottom + 0.16,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            fill=False,
            edgecolor=COLORS["mesa_objective"],
            linestyle="--",
            lw=1.6,
        )
    )
    ax.text(
        mesa + width / 2,
        bottom - 0.35,
        "learned model =\nmesa-optimizer",
        ha="center",
        va="center",
        fontsize=FONT["legend"],
        fontweight="bold",
        color=COLORS["mesa_objective"],
    )
    _note(
        ax,
        mesa + width + 0.3,
        bottom - 0.3,
        "unintended optimization:\nsuch a search can appear\nwithout anyone building it",
        "left",
    )
    return figure


def _box(ax, left, bottom, width, height, title, body, color, fill=True) -> None:
    """A rounded box with a bold title and a smaller body text, edged in ``color``."""
    ax.add_patch(
        FancyBboxPatch(
            (left, bottom),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=_tint(color, 0.93 if color == "#000000" else 0.85) if fill else "white",
            edgecolor=color,
            lw=2.2,
        )
    )
    ax.text(
        left + width / 2,
        bottom + height - 0.2,
        title,
        ha="center",
        va="center",
        fontsize=BOX_FONT["title"],
        fontweight="bold",
        color="black",
    )
    ax.text(
        left + width / 2,
        bottom + (height - 0.35) / 2,
        body,
        ha="center",
        va="center",
        fontsize=BOX_FONT["body"],
        color="#222222",
        linespacing=1.15,
    )


def _arrow(ax, start, end, color) -> None:
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=color, lw=1.8)
    )


def _note(ax, x, y, text, align) -> None:
    ax.text(x, y, text, ha=align, va="center", fontsize=BOX_FONT["body"], color="#333333")


def _double_arrow(ax, x0, x1, y, color, style) -> None:
    ax.add_patch(
        FancyArrowPatch(
            (x0 + 0.04, y),
            (x1 - 0.04, y),
            arrowstyle="<|-|>",
            mutation_scale=14,
            color=color,
            lw=1.8,
            linestyle=style,
        )
    )


def _tint(color: str, amount: float = 0.85) -> tuple[float, float, float]:
    """``color`` mixed with white (``amount`` of white), for box fills that keep text legible."""
    from matplotlib.colors import to_rgb

    red, green, blue = to_rgb(color)
    return (
        red + (1 - red) * amount,
        green + (1 - green) * amount,
        blue + (1 - blue) * amount,
    )
