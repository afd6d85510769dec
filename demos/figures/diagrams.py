"""Box-and-arrow diagrams of the book's concepts, drawn in its one style without pyplot.

Used by chapters 1 and 3. :func:`alignment_diagram` (chapter 1) places the intended goal, the
base objective, the mesa-objective and the behavioral objective on one line, with outer alignment
and inner alignment as the two gaps between them, the base optimizer below, and the learned model
drawn as a search around its own objective (a mesa-optimizer), with alt text
:data:`ALIGNMENT_ALT`.
:func:`proxy_causal_diagram` (chapter 3) draws the paper's causal view of proxy alignment (its
section 3.1): side-effect, instrumental and general proxy alignment as three small causal
graphs, each with the paper's and the book's examples placed beside it; :data:`CAUSAL_ALT` is its
alt text. Colours come
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


CAUSAL_ROWS = (
    (
        "Side-effect alignment",
        (("mesa-objective", "base objective"),),
        "pursuing what the model wants raises the base objective",
        (
            "paper: a cleaning robot that wants to sweep dusty floors; sweeping cleans them",
            "book: the marker planner; in training its marker cell is the exit cell",
            "book: keys and chests; the keys it values are what open chests",
        ),
    ),
    (
        "Instrumental alignment",
        (("base objective", "mesa-objective"),),
        "the base objective is the model's means to what it wants",
        (
            "paper: a cleaning robot that wants dust in its bag; the floor is where dust is",
            "book: the paying exit; in training, reaching the exit is the only way to coins",
        ),
    ),
    (
        "Proxy alignment in general",
        (("X", "mesa-objective"), ("X", "base objective")),
        "some X raises both (X = one of the objectives gives a row above)",
        (
            "the model pursues X for its own objective, and in training X also raises the base",
            "objective; both links hold only on the training distribution",
        ),
    ),
)
"""Rows of :func:`proxy_causal_diagram`: the kind, its arrows (cause, effect), what the arrows
mean, and the examples placed beside it."""

CAUSAL_ALT = (
    "Three small causal graphs, one per row, each with examples to its right. Top row, "
    "side-effect alignment: an arrow from the mesa-objective to the base objective; examples: a "
    "cleaning robot that wants to sweep dusty floors, the book's marker planner, and the book's "
    "keys-and-chests planner. Middle row, instrumental alignment: an arrow from the base "
    "objective to the mesa-objective; examples: a cleaning robot that wants dust in its bag, and "
    "the book's paying exit, where reaching the exit is the only way to coins in training. "
    "Bottom row, proxy alignment in general: a node X with arrows to both the mesa-objective and "
    "the base objective; the two rows above are the cases where X is one of the objectives."
)
"""Alt text of :func:`proxy_causal_diagram`."""

_NODE_COLORS = {
    "mesa-objective": COLORS["mesa_objective"],
    "base objective": COLORS["base_objective"],
    "X": COLORS["wall"],
}


def proxy_causal_diagram(dpi: int = 80) -> Figure:
    """The paper's causal view of proxy alignment (its section 3.1), in the book's drawing.

    Each row is a causal graph of the training distribution: an arrow means that raising the
    parent raises the child there. Beside each graph, the paper's example and the book's toys
    that sit in that position (:data:`CAUSAL_ROWS`).

    Args:
        dpi: int in [30, 300], the figure's resolution.

    Returns:
        A matplotlib Figure (9.6 x 5.8 inches), made without pyplot.
    """
    dpi = check_int("dpi", dpi, 30, 300)
    figure, ax = new_figure(width=9.6, height=5.8, dpi=dpi)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.2)
    ax.set_axis_off()
    ax.text(
        9.95,
        6.1,
        "an arrow: raising one raises the other, on the training distribution",
        ha="right",
        fontsize=FONT["tick"],
        color="#555555",
        style="italic",
    )
    width, height = 1.35, 0.5
    for row, (kind, arrows, meaning, examples) in enumerate(CAUSAL_ROWS):
        base_y = 6 - 2 * (row + 1)
        ax.text(0.05, base_y + 1.75, kind, fontsize=10, fontweight="bold", va="center")
        ax.text(0.05, base_y + 1.42, meaning, fontsize=FONT["tick"], va="center", color="#333333")
        if len(arrows) == 1:
            ((cause, effect),) = arrows
            places = {cause: (0.15, base_y + 0.45), effect: (2.55, base_y + 0.45)}
        else:
            places = {
                "X": (0.15, base_y + 0.45),
                "mesa-objective": (2.55, base_y + 0.78),
                "base objective": (2.55, base_y + 0.12),
            }
        for name, (left, bottom) in places.items():
            color = _NODE_COLORS[name]
            ax.add_patch(
                FancyBboxPatch(
                    (left, bottom),
                    width,
                    height,
                    boxstyle="round,pad=0.02,rounding_size=0.1",
                    facecolor=_tint(color),
                    edgecolor=color,
                    lw=2.0,
                )
            )
            ax.text(
                left + width / 2,
                bottom + height / 2,
                name,
                ha="center",
                va="center",
                fontsize=FONT["tick"],
                fontweight="bold",
            )
        for cause, effect in arrows:
            (x0, y0), (x1, y1) = places[cause], places[effect]
            _arrow(
                ax,
                (x0 + width + 0.05, y0 + height / 2),
                (x1 - 0.05, y1 + height / 2),
                COLORS["wall"],
            )
        ax.text(
            4.25,
            base_y + 0.7,
            "\n".join(examples),
            fontsize=FONT["tick"],
            va="center",
            color="#222222",
            linespacing=1.35,
        )
        if row:
            ax.plot([0.05, 9.95], [base_y + 2, base_y + 2], color="#BBBBBB", lw=0.8)
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
