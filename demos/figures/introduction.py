"""Figures of chapter 1 (Introduction): training replays, the bottle cap, three objectives.

Every ``draw_*`` function composes panels from :mod:`demos.figures.drawing` into a ``Figure`` or
``Axes`` it is given, from precomputed results, so a live update of an explorable only draws;
every ``describe_*`` function gives the alt text of the same frame. An explorable's panels are
made once by a ``*_layout`` function (:func:`replay_layout`, :func:`bottle_cap_layout`,
:func:`objectives_layout`) and redrawn by its ``draw_*`` function; each ``draw_*_frame`` does both
on a new figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demos.core.validation import check_choice, check_int, check_shape
from demos.experiments.bottle_cap import EDIT_DESCRIPTIONS
from demos.figures.drawing import (
    colour_bar_axes,
    draw_actions,
    draw_maze,
    draw_rates,
    draw_reward_map,
)
from demos.figures.style import COLORS, FONT
from demos.worlds.mazes import Levels


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
    bar: Axes | None = None,
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
        bar: optional Axes for the mesa-objective's colour bar, made in a layout (see
            :func:`replay_layout`); default a new one beside its panel. Unused with ``posterior``.
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
    mesa = axes[1 if posterior is not None else 2]
    if posterior is not None:
        mesa_bar = False  # see below
    else:
        mesa_bar = True if bar is None else bar  # a new colour bar, or the layout's
    draw_reward_map(
        mesa,
        reward_map,
        levels=levels,
        index=index,
        title="Mesa-objective" if posterior is None else None,  # else titled with its range below
        label="learned reward",
        vmin=None if mesa_range is None else mesa_range[0],
        vmax=None if mesa_range is None else mesa_range[1],
        colorbar=mesa_bar,
    )
    if posterior is not None:
        # No colour bars beside these two maps (each costs a fifth of a live update): the
        # mesa-objective's title gives the rewards at the two ends of its scale, and the
        # behavioral objective's scale is fixed to [0, 1] with the top cell's probability in its
        # title.
        low, high = mesa.images[0].get_clim()
        mesa.set_title(
            f"Mesa-objective\n{low:.2f} (dark) to {high:.2f} (bright)", fontsize=FONT["title"]
        )
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


def replay_layout(fig: Figure) -> tuple[Axes, Axes, Axes, Axes]:
    """The panels of the training replay (a figure of about 10 x 3.7 inches): the plan, the base
    objective, the mesa-objective and the Axes of its colour bar."""
    return _three_panels(fig, True, left=0.01, right=0.92, bottom=0.2, top=0.88, wspace=0.12)


def draw_replay(panels, result, step: int, split: str, index: int) -> None:
    """One frame of the training replay into :func:`replay_layout`'s four Axes.

    Args:
        panels: the plan, base-objective, mesa-objective and colour-bar Axes.
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
    path = replay.paths[split][position, index]
    # One colour scale for every step of the replay, so a colour means the same reward throughout.
    free = ~np.asarray(levels.walls[index], dtype=bool)
    history = np.asarray(replay.reward_maps[split][:, index], dtype=float)[:, free]
    draw_objective_panels(
        panels[:3],
        levels,
        index,
        path,
        replay.reward_maps[split][position, index],
        path_title=f"Step {step}: plan\n{_settled_phrase(levels, index, path[-1])}",
        mesa_range=(float(history.min()), float(history.max())),
        bar=panels[3],
    )


def draw_replay_frame(fig: Figure, result, step: int, split: str, index: int) -> None:
    """:func:`draw_replay` on a new figure."""
    draw_replay(replay_layout(fig), result, step, split, index)


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


def bottle_cap_layout(fig: Figure) -> tuple[Axes, Axes, Axes, Axes]:
    """The panels of the bottle-cap comparison (a figure of about 10 x 3.7 inches): the lookup
    table, the planner, the planner's mesa-objective and the Axes of its colour bar."""
    return _three_panels(fig, True, left=0.01, right=0.92, bottom=0.16, top=0.88, wspace=0.12)


def draw_bottle_cap(panels, result, edit: str) -> None:
    """One frame of the bottle-cap comparison into :func:`bottle_cap_layout`'s four Axes.

    Args:
        panels: the lookup-table, planner, mesa-objective and colour-bar Axes.
        result: a :class:`demos.experiments.bottle_cap.BottleCapResult`.
        edit: a key of ``result.levels`` (e.g. "exit moved").
    """
    check_choice("edit", edit, list(result.levels))
    level = result.levels[edit]
    for ax, model, name in (
        (panels[0], "lookup", "Lookup table"),
        (panels[1], "planner", "Planner"),
    ):
        outcome = result.outcomes[edit][model]
        draw_maze(ax, level, 0, path=outcome.path, title=f"{name}:\n{_outcome_phrase(outcome)}")
        if model == "lookup":
            draw_actions(ax, result.lookup_actions, level.walls[0])
    draw_reward_map(
        panels[2],
        result.reward_maps[edit],
        levels=level,
        title="Planner's mesa-objective",
        label="learned reward",
        colorbar=panels[3],
    )


def draw_bottle_cap_frame(fig: Figure, result, edit: str) -> None:
    """:func:`draw_bottle_cap` on a new figure."""
    draw_bottle_cap(bottle_cap_layout(fig), result, edit)


def objectives_layout(fig: Figure) -> tuple[Axes, Axes, Axes]:
    """The three panels of one level's objectives (a figure of about 10 x 3.7 inches): the
    agent's path, its mesa-objective and its behavioral objective."""
    return _three_panels(fig, False, left=0.01, right=0.97, bottom=0.2, top=0.85, wspace=0.3)


def draw_objectives(panels, objectives, index: int, title: str) -> None:
    """One level into :func:`objectives_layout`'s three Axes: the agent's path, its
    mesa-objective and its behavioral objective.

    Args:
        panels: the path, mesa-objective and behavioral-objective Axes.
        objectives: a :class:`demos.experiments.behavioral_objective.Objectives`.
        index: the level.
        title: the maze panel's title.
    """
    index = check_int("index", index, 0, len(objectives.levels) - 1)
    draw_objective_panels(
        panels,
        objectives.levels,
        index,
        objectives.paths[index],
        objectives.reward_map[index],
        posterior=objectives.behavioral.posterior[index],
        path_title=title,
    )


def draw_objectives_frame(fig: Figure, objectives, index: int, title: str) -> None:
    """:func:`draw_objectives` on a new figure."""
    draw_objectives(objectives_layout(fig), objectives, index, title)


def _three_panels(fig: Figure, bar: bool, **margins: float) -> tuple[Axes, ...]:
    """Three Axes in a row with these ``subplots_adjust`` margins, and, with ``bar``, the Axes of
    a colour bar beside the third, where ``draw_reward_map`` would put its own."""
    axes = tuple(fig.subplots(1, 3))
    fig.subplots_adjust(**margins)
    if not bar:
        return axes
    return (*axes, colour_bar_axes(axes[2]))


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
    return EDIT_DESCRIPTIONS.get(edit, edit)
