"""Chapter 1's figures: the map of objectives and alignment problems, and the experiment panels.

Two kinds of drawing live here, both in the book's one style (:mod:`demos.figures.style`: Okabe-Ito
colours from :data:`demos.figures.style.COLORS`, symbols as well as colours, no pyplot):

- :func:`alignment_diagram`, the conceptual figure that places the intended goal, the base
  objective, the mesa-objective and the behavioral objective on one line, with outer alignment
  and inner alignment as the two gaps between them, the base optimizer below, and the learned
  model drawn as a search around its own objective (a mesa-optimizer). :data:`ALIGNMENT_ALT` is
  its alt text.
- ``draw_*`` functions that compose the panels of the chapter's explorable figures from
  :func:`demos.figures.style.draw_maze` and :func:`demos.figures.style.draw_reward_map`. Each takes
  a ``Figure`` and precomputed arrays, so a live update only draws.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from demos.core.validation import check_choice, check_int, check_shape
from demos.figures import style as figure_style
from demos.figures.style import COLORS, FONT, draw_maze, draw_rates, draw_reward_map, new_figure
from demos.worlds.mazes import Levels

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


def to_png(figure: Figure) -> bytes:
    """PNG bytes of ``figure`` for ``IPython.display.Image`` and ``glue``: crisp on high-density
    screens, shown at the figure's CSS size on the site (see :func:`demos.figures.style.to_png`).
    """
    if not isinstance(figure, Figure):
        raise ValueError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    return figure_style.to_png(figure)


def base_objective_map(levels: Levels, index: int = 0) -> np.ndarray:
    """(H, W) float: the base objective's reward on each cell, 1 on the exit and 0 elsewhere."""
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    index = check_int("index", index, 0, len(levels) - 1)
    reward = np.zeros((levels.size, levels.size))
    reward[tuple(levels.exit[index])] = 1.0
    return reward


def draw_objective_panels(
    axes,
    levels: Levels,
    index: int,
    path: np.ndarray,
    reward_map: np.ndarray,
    posterior: np.ndarray | None = None,
    path_title: str = "The agent's plan",
    mesa_range: tuple[float, float] | None = None,
) -> None:
    """Panels for one level: the maze with the agent's path, then either the base objective and
    the mesa-objective (3 panels), or the mesa-objective and the behavioral objective (3 panels,
    when ``posterior`` is given; the exit, the base objective's target, is starred in every one).
    The behavioral objective is drawn on a fixed scale from 0 (dark) to 1 (bright).

    Args:
        axes: sequence of 3 Axes.
        levels, index: the level to draw.
        path: (T + 1, 2) int (row, col), the agent's path.
        reward_map: (H, W) float, the mesa-objective on this level.
        posterior: optional (H, W) float, P(goal cell | path), the behavioral objective.
        path_title: title of the maze panel.
        mesa_range: optional (low, high) ends of the mesa-objective's colour scale, fixed across
            frames that are compared (default: this map's own range).
    """
    axes = list(np.ravel(axes))
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 Axes, got {len(axes)}")
    draw_maze(axes[0], levels, index, path=path, title=path_title, legend=True)
    if posterior is None:
        draw_reward_map(
            axes[1],
            base_objective_map(levels, index),
            levels=levels,
            index=index,
            title="Base objective: 1 on the exit",
            colorbar=False,
        )
    draw_reward_map(
        axes[1 if posterior is not None else 2],
        reward_map,
        levels=levels,
        index=index,
        title="Mesa-objective",
        label="learned reward",
        vmin=None if mesa_range is None else mesa_range[0],
        vmax=None if mesa_range is None else mesa_range[1],
    )
    if posterior is not None:
        # No colour bar here (a second one costs a third of a live update): the scale is fixed to
        # [0, 1], and the title gives the top cell's probability.
        posterior = np.asarray(posterior, dtype=float)
        top = float(np.max(np.where(np.asarray(levels.walls[index]), 0.0, posterior)))
        draw_reward_map(
            axes[2],
            posterior,
            levels=levels,
            index=index,
            title=f"Behavioral objective (top P = {top:.2f})",
            colorbar=False,
        )
        axes[2].images[0].set_clim(0.0, 1.0)


def draw_training_curve(
    ax: Axes,
    steps: np.ndarray,
    curves: dict[str, np.ndarray],
    current: int | None,
    title: str = "Training",
    colors: tuple[str, ...] = (COLORS["agent"], COLORS["exit"], COLORS["marker"]),
) -> Axes:
    """Curves over training steps (shares in [0, 1]) with a marker at step ``current``.

    Args:
        ax: the Axes.
        steps: (k,) int, training steps.
        curves: ``{label: (k,) float}``; colours, line styles and symbols follow their order.
        current: the step to mark with a vertical line (None for none).
        title: panel title.
        colors: the curves' colours, in order (default: agent, exit, marker colours).
    """
    steps = np.asarray(steps)
    check_shape("steps", steps.shape, "(k,)", steps.ndim == 1 and steps.size >= 1)
    styles = ("-", "--", ":", "-.")
    symbols = ("o", "*", "D", "s")
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        check_shape(
            f"curves[{label!r}]", values.shape, f"{steps.shape}", values.shape == steps.shape
        )
        ax.plot(
            steps,
            values,
            color=colors[i % len(colors)],
            linestyle=styles[i % 4],
            lw=2,
            marker=symbols[i % 4],
            ms=5,
            label=label,
        )
    if current is not None:
        ax.axvline(current, color=COLORS["wall"], lw=1.2, linestyle=":")
    ax.set_xscale("symlog", linthresh=5)
    ticks = [tick for tick in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if tick <= steps.max()]
    ax.set_xticks(ticks, [str(tick) for tick in ticks])
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("training step (stretched below 5)", fontsize=FONT["label"])
    ax.set_ylabel("share of levels", fontsize=FONT["label"])
    ax.set_title(title, fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    ax.legend(
        fontsize=FONT["legend"],
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
    )
    return ax


def agreement_figure(figures: dict[str, dict[str, dict[str, float]]], dpi: int = 80) -> Figure:
    """A new 9.25 x 3.6 inch Figure holding :func:`draw_agreement` of ``figures``."""
    dpi = check_int("dpi", dpi, 30, 300)
    figure = Figure(figsize=(9.25, 3.6), dpi=dpi)  # the text column's width: shown at full size
    draw_agreement(figure, figures)
    return figure


def draw_agreement(fig: Figure, figures: dict[str, dict[str, dict[str, float]]]) -> None:
    """Bar charts of where each objective points, one panel per trained model.

    Args:
        fig: an empty Figure.
        figures: ``{model label: {group label: {"exit": share, "proxy": share, "neither":
            share}}}``, e.g. groups "behaviour, train", "behaviour, test", "mesa, test".
    """
    if not figures:
        raise ValueError("figures must hold at least one model, got none")
    axes = np.atleast_1d(fig.subplots(1, len(figures)))
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.2, top=0.86, wspace=0.25)
    for ax, (model, groups) in zip(axes, figures.items(), strict=True):
        draw_rates(ax, groups, title=model)
        ax.tick_params(axis="x", labelsize=FONT["tick"])


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


def draw_replay_frame(fig: Figure, result, step: int, split: str, index: int) -> None:
    """One frame of the training replay: the plan, the base objective, the mesa-objective.

    Args:
        fig: an empty Figure (about 10 x 3.7 inches).
        result: a :class:`demos.experiments.behavioral_objective.BehavioralObjectiveResult`.
        step: a training step of ``result.replay.steps``.
        split: "train" or "test", which set ``index`` refers to.
        index: the level within that set.
    """
    check_choice("split", split, ("train", "test"))
    replay = result.replay
    position = replay.index(step)
    levels = result.training.train_levels if split == "train" else result.training.test_levels
    index = check_int("index", index, 0, len(levels) - 1)
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.01, right=0.92, bottom=0.2, top=0.88, wspace=0.12)
    path = replay.paths[split][position, index]
    # One colour scale for every step of the replay, so a colour means the same reward throughout.
    free = ~np.asarray(levels.walls[index], dtype=bool)
    history = np.asarray(replay.reward_maps[split][:, index], dtype=float)[:, free]
    draw_objective_panels(
        axes,
        levels,
        index,
        path,
        replay.reward_maps[split][position, index],
        path_title=f"Step {step}: plan\n{_settled_phrase(levels, index, path[-1])}",
        mesa_range=(float(history.min()), float(history.max())),
    )


def replay_curves(ax: Axes, result) -> Axes:
    """The replay's success curves: training success, and where test agents settle."""
    replay = result.replay
    return draw_training_curve(
        ax,
        replay.steps,
        {
            "training mazes: reach exit": replay.train_success,
            "test mazes: settle on exit": replay.test_exit_rate,
            "test mazes: settle on marker": replay.test_proxy_rate,
        },
        None,
        title="Success over training",
    )


def draw_bottle_cap_frame(fig: Figure, result, edit: str) -> None:
    """One frame of the bottle-cap comparison: the lookup table, the planner, its objective.

    Args:
        fig: an empty Figure (about 10 x 3.7 inches).
        result: a :class:`demos.experiments.bottle_cap.BottleCapResult`.
        edit: a key of ``result.levels`` (e.g. "exit moved").
    """
    check_choice("edit", edit, list(result.levels))
    from demos.agents.lookup import draw_actions

    level = result.levels[edit]
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.01, right=0.92, bottom=0.16, top=0.88, wspace=0.12)
    for ax, model, name in (
        (axes[0], "lookup", "Lookup table"),
        (axes[1], "planner", "Planner"),
    ):
        outcome = result.outcomes[edit][model]
        draw_maze(ax, level, 0, path=outcome.path, title=f"{name}:\n{_outcome_phrase(outcome)}")
        if model == "lookup":
            draw_actions(ax, result.lookup_actions, level.walls[0])
    draw_reward_map(
        axes[2],
        result.reward_maps[edit],
        levels=level,
        title="Planner's mesa-objective",
        label="learned reward",
    )


def draw_objectives_frame(fig: Figure, objectives, index: int, title: str) -> None:
    """One level: the agent's path, its mesa-objective and its behavioral objective.

    Args:
        fig: an empty Figure (about 10 x 3.7 inches).
        objectives: a :class:`demos.experiments.behavioral_objective.Objectives`.
        index: the level.
        title: the maze panel's title.
    """
    index = check_int("index", index, 0, len(objectives.levels) - 1)
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.01, right=0.92, bottom=0.2, top=0.88, wspace=0.3)
    draw_objective_panels(
        axes,
        objectives.levels,
        index,
        objectives.paths[index],
        objectives.reward_map[index],
        posterior=objectives.behavioral.posterior[index],
        path_title=title,
    )


def _settled_phrase(levels: Levels, index: int, cell) -> str:
    cell = np.asarray(cell)
    if np.array_equal(cell, levels.exit[index]):
        return "ends on the exit"
    if np.array_equal(cell, levels.marker[index]):
        return "ends on the marker"
    return "ends elsewhere"


def _outcome_phrase(outcome) -> str:
    if not outcome.reached:
        return "never reaches the exit"
    extra = outcome.steps - outcome.shortest
    return f"exit in {outcome.steps} steps" + (f" ({extra} extra)" if extra else " (shortest)")


def describe_replay_frame(result, step: int, split: str, index: int) -> str:
    """Alt text for :func:`draw_replay_frame` with the same arguments."""
    check_choice("split", split, ("train", "test"))
    replay = result.replay
    position = replay.index(step)
    levels = result.training.train_levels if split == "train" else result.training.test_levels
    path = replay.paths[split][position, index]
    reward = replay.reward_maps[split][position, index]
    together = np.array_equal(levels.exit[index], levels.marker[index])
    where = (
        f"a {'training' if split == 'train' else 'test'} maze, where the marker "
        f"{'sits on' if together else 'is away from'} the exit"
    )
    peak = _peak_phrase(levels, index, reward)
    return (
        f"Training step {step}, on {where}. Left: the maze and the planner's path, which "
        f"{_settled_phrase(levels, index, path[-1])} after {_moves(path)} moves. Middle: the base "
        f"objective, 1 on the exit and 0 elsewhere. Right: the learned reward map, the "
        f"mesa-objective, highest {peak}. Across training mazes the planner reaches the exit "
        f"in {replay.train_success[position]:.0%} of them at this step."
    )


def describe_bottle_cap_frame(result, edit: str) -> str:
    """Alt text for :func:`draw_bottle_cap_frame` with the same arguments."""
    check_choice("edit", edit, list(result.levels))
    lookup_outcome = result.outcomes[edit]["lookup"]
    planner_outcome = result.outcomes[edit]["planner"]
    level = result.levels[edit]
    return (
        f"Maze: {_edit_phrase(edit)}; the shortest path from start to exit takes "
        f"{planner_outcome.shortest} steps. Left: the lookup table's arrows, one per cell, and "
        f"its path: it {_outcome_sentence(lookup_outcome)}. Middle: the planner's path: it "
        f"{_outcome_sentence(planner_outcome)}. Right: the planner's learned reward map, highest "
        f"{_peak_phrase(level, 0, result.reward_maps[edit])}."
    )


def describe_objectives_frame(objectives, index: int, title: str) -> str:
    """Alt text for :func:`draw_objectives_frame` with the same arguments."""
    levels = objectives.levels
    path = objectives.paths[index]
    together = np.array_equal(levels.exit[index], levels.marker[index])
    goal = objectives.behavioral.goal_cells[index]
    confidence = objectives.behavioral.posterior[index][tuple(goal)]
    return (
        f"{title}. The marker is {'on' if together else 'away from'} the exit. Left: the agent's "
        f"path, which {_settled_phrase(levels, index, path[-1])}. Middle: the mesa-objective, "
        f"highest {_peak_phrase(levels, index, objectives.reward_map[index])}. Right: the "
        f"behavioral objective recovered from the path alone, which puts probability "
        f"{confidence:.2f} on {_cell_phrase(levels, index, goal)}."
    )


def _outcome_sentence(outcome) -> str:
    if not outcome.reached:
        return "never reaches the exit"
    extra = outcome.steps - outcome.shortest
    tail = f", {extra} more than the shortest path" if extra else ", a shortest path"
    return f"reaches the exit in {outcome.steps} steps{tail}"


def _moves(path) -> int:
    path = np.asarray(path)
    moved = np.any(path[1:] != path[:-1], axis=1)
    return int(moved.sum())


def _cell_phrase(levels: Levels, index: int, cell) -> str:
    cell = np.asarray(cell)
    on_exit = np.array_equal(cell, levels.exit[index])
    on_marker = np.array_equal(cell, levels.marker[index])
    if on_exit and on_marker:
        return "the cell holding both exit and marker"
    if on_exit:
        return "the exit"
    if on_marker:
        return "the marker"
    return f"another cell (row {cell[0]}, column {cell[1]})"


def _peak_phrase(levels: Levels, index: int, reward_map) -> str:
    reward = np.where(np.asarray(levels.walls[index]), -np.inf, np.asarray(reward_map))
    cell = np.unravel_index(int(np.argmax(reward)), reward.shape)
    return "on " + _cell_phrase(levels, index, cell)


def _edit_phrase(edit: str) -> str:
    from demos.experiments.bottle_cap import EDIT_DESCRIPTIONS

    return EDIT_DESCRIPTIONS.get(edit, edit)
