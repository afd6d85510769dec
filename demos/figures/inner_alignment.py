"""Figures of chapter 3 (the inner alignment problem), in the book's one drawing style.

Built from the primitives and colours of :mod:`demos.figures.style` (the exit and the base
objective in bluish green with a star, the marker and the proxy in orange with a diamond, paths in
sky blue). Every ``render_*`` function draws one frame of an explorable into a figure it is given;
every ``draw_*`` function draws into the ``Axes`` it is given and returns it; ``*_text`` functions
give the alt text or a Markdown table for the same data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demos.core.validation import check_shape
from demos.experiments.approximate_alignment import ApproximateAlignmentResult
from demos.experiments.objective_drift import ObjectiveDriftResult
from demos.experiments.suboptimality import MODELS, SuboptimalityResult
from demos.experiments.unidentifiability import UnidentifiabilityResult
from demos.figures import style as figure_style
from demos.figures.style import COLORS, FONT, SYMBOLS, draw_maze, draw_reward_map
from demos.training.adversarial import AdversarialRound

OUTCOME_STYLE = {
    "exit": {"color": COLORS["exit"], "marker": SYMBOLS["exit"], "linestyle": "-"},
    "proxy": {"color": COLORS["proxy"], "marker": SYMBOLS["marker"], "linestyle": "--"},
    "neither": {"color": COLORS["neither"], "marker": "s", "linestyle": ":"},
}
"""Line style of each settle outcome: colour, point symbol and dash, so none relies on colour."""

TRAIN_STYLE = {"color": COLORS["intended_goal"], "marker": "o", "linestyle": "-."}
"""Line style of training success."""

REACH_RGBA = (0.94, 0.894, 0.259, 0.35)
"""Shade (Okabe-Ito yellow, translucent) of the cells within a planner's search reach."""


def draw_path(ax: Axes, path: np.ndarray, label: str | None = "path") -> Axes:
    """Draw an agent's path (cells visited) over a maze or reward map, ending in a dot.

    Args:
        ax: the Axes (a maze or reward map drawn with row/column cell coordinates).
        path: (T + 1, 2) int (row, col): the start cell, then the cell after each step.
        label: legend label, or None.
    """
    path = np.asarray(path)
    check_shape("path", path.shape, "(T, 2)", path.ndim == 2 and path.shape[1] == 2)
    ax.plot(path[:, 1], path[:, 0], color="white", lw=4.5, alpha=0.8, solid_capstyle="round")
    ax.plot(path[:, 1], path[:, 0], color=COLORS["path"], lw=2.5, label=label)
    ax.plot(
        path[-1, 1],
        path[-1, 0],
        SYMBOLS["agent"],
        ms=7,
        color=COLORS["agent"],
        mec="white",
        linestyle="none",
    )
    return ax


def end_labels(ax: Axes, x: float, ends: Sequence[tuple[float, str, str]], gap: float = 0.13):
    """Label lines at their right ends instead of with a legend (cheaper to draw, and read in
    place): ``ends`` holds ``(y, text, colour)`` per line; labels closer than ``gap`` in y are
    pushed apart."""
    placed: list[float] = []
    for y, text, color in sorted(ends, key=lambda end: end[0]):
        y = max(y, placed[-1] + gap) if placed else y
        placed.append(y)
        ax.text(x, y, text, color=color, fontsize=FONT["legend"], va="center", ha="left")


def draw_outcome_lines(
    ax: Axes,
    xs: Sequence[float],
    curves: dict[str, Sequence[float]],
    highlight: int | None = None,
    xlabel: str = "",
    title: str | None = None,
    labels: dict[str, str] | None = None,
) -> Axes:
    """Lines of settle rates (keys of :data:`OUTCOME_STYLE`, or "train") against ``xs``, each
    labelled at its right end.

    Args:
        ax: the Axes.
        xs: (m,) x positions (plotted evenly spaced, labelled with their values).
        curves: name -> (m,) rates in [0, 1].
        highlight: index of the x to mark with a vertical band (the explorable's current value).
        xlabel, title: texts. labels: the label of each curve name.
    """
    positions = np.arange(len(xs))
    ends = []
    for name, values in curves.items():
        style = TRAIN_STYLE if name == "train" else OUTCOME_STYLE[name]
        values = np.asarray(values, dtype=float)
        ax.plot(positions, values, lw=2, ms=6, **style)
        ends.append((values[-1], (labels or {}).get(name, name), style["color"]))
    end_labels(ax, positions[-1] + 0.25, ends)
    ax.set_xlim(-0.5, positions[-1] + 2.2)
    if highlight is not None:
        ax.axvspan(highlight - 0.35, highlight + 0.35, color=COLORS["grid"], alpha=0.5, lw=0)
    ax.set_xticks(positions, [f"{x:g}" for x in xs], fontsize=FONT["tick"])
    ax.set_ylim(-0.04, 1.04)
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel("share of test levels", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize=FONT["title"])
    return ax


# ---------------------------------------------------------------------------- objective drift
def render_drift(
    fig: Figure,
    result: ObjectiveDriftResult,
    decorrelated_fraction: float,
    seed: int,
    exit_salience: float,
) -> None:
    """One frame of the objective-drift explorable: the learned reward map and path on a test
    level, and the test settle rates across q for this seed and salience."""
    point = result.point(decorrelated_fraction, seed, exit_salience)
    left = fig.add_axes((0.02, 0.12, 0.36, 0.76))
    right = fig.add_axes((0.55, 0.17, 0.42, 0.71))
    reading = point.reading
    draw_reward_map(
        left,
        point.reward_map,
        levels=point.showcase,
        title=None,
        colorbar=False,
    )
    left.set_title(
        f"mesa-objective: exit {reading.exit_value:.2f}, marker {reading.marker_value:.2f}",
        fontsize=FONT["label"],
    )
    draw_path(left, point.path)
    qs = result.config.decorrelated_fractions
    draw_outcome_lines(
        right,
        qs,
        {
            "proxy": result.curve(seed, exit_salience, "proxy"),
            "exit": result.curve(seed, exit_salience, "exit"),
        },
        highlight=qs.index(decorrelated_fraction),
        xlabel="decorrelated fraction q in training",
        title=f"Where agents settle (seed {seed}, exit salience {exit_salience:g})",
        labels={"proxy": "on the marker (proxy)", "exit": "on the exit"},
    )


def drift_alt(
    result: ObjectiveDriftResult, decorrelated_fraction: float, seed: int, exit_salience: float
) -> str:
    """Alt text of one frame of :func:`render_drift`."""
    point = result.point(decorrelated_fraction, seed, exit_salience)
    reading = point.reading
    wants = "the exit" if reading.prefers == "exit" else "the marker"
    return (
        f"Trained with q = {decorrelated_fraction:g}, seed {seed}, exit salience "
        f"{exit_salience:g}: the learned reward map is highest on {wants} (effective reward of "
        f"the exit {reading.exit_value:.2f}, of the marker {reading.marker_value:.2f}). On the "
        f"test levels {point.test_rates['proxy']:.0%} of agents settle on the marker and "
        f"{point.test_rates['exit']:.0%} on the exit; training success was "
        f"{point.train_success:.0%}."
    )


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


def seed_table(result: ObjectiveDriftResult, exit_salience: float | None = None) -> list[dict]:
    """Per q: the test exit and proxy rates of each seed and their mean, as rows for
    :func:`table_markdown`."""
    rows = result.table(exit_salience)
    table = []
    for q in result.config.decorrelated_fractions:
        chosen = [row for row in rows if row["q"] == q]
        entry: dict = {"q": q}
        for row in chosen:
            entry[f"seed{row['seed']}"] = f"{row['proxy']:.0%} / {row['exit']:.0%}"  # proxy / exit
        entry["mean_proxy"] = float(np.mean([row["proxy"] for row in chosen]))
        entry["mean_exit"] = float(np.mean([row["exit"] for row in chosen]))
        entry["train"] = float(np.min([row["train_success"] for row in chosen]))
        table.append(entry)
    return table


# ---------------------------------------------------------------------------- training curves
def draw_training_curves(ax: Axes, history, title: str, legend: bool = True) -> Axes:
    """Training success and the test settle rates during training, from a ``TrainingHistory``
    whose rows hold ``train_success``, ``test_proxy_rate`` and ``test_exit_rate``."""
    steps, train = history.column("train_success")
    _, proxy = history.column("test_proxy_rate")
    _, exit_ = history.column("test_exit_rate")
    for values, style, label in (
        (train, TRAIN_STYLE, "training success"),
        (proxy, OUTCOME_STYLE["proxy"], "test: on the marker"),
        (exit_, OUTCOME_STYLE["exit"], "test: on the exit"),
    ):
        ax.plot(steps, values, lw=2, ms=4, markevery=max(1, len(steps) // 8), label=label, **style)
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlabel("training step", fontsize=FONT["label"])
    ax.set_ylabel("share of levels", fontsize=FONT["label"])
    ax.set_title(title, fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=FONT["legend"], frameon=False, loc="center right")
    return ax


def draw_success_vs_proxy(ax: Axes, result: ObjectiveDriftResult) -> Axes:
    """Each run of a sweep as a point: the test proxy rate against training success."""
    for salience, symbol in zip(result.config.exit_saliences, ("o", "^", "s", "v"), strict=False):
        chosen = [p for p in result.points if p.exit_salience == salience]
        ax.plot(
            [p.test_rates["proxy"] for p in chosen],
            [p.train_success for p in chosen],
            symbol,
            ms=7,
            color=COLORS["proxy"],
            mec="black",
            alpha=0.8,
            linestyle="none",
            label=f"exit salience {salience:g}",
        )
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlabel("test: share on the marker", fontsize=FONT["label"])
    ax.set_ylabel("training success", fontsize=FONT["label"])
    ax.set_title("Every run of the sweep", fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="lower center")
    return ax


# ---------------------------------------------------------------------------- unidentifiability
def draw_readings(ax: Axes, result: UnidentifiabilityResult) -> Axes:
    """Per run: the mesa-objective's effective reward for the exit and for the marker."""
    positions = np.arange(len(result.seeds))
    width = 0.38
    exit_values = [reading.exit_value for reading in result.readings]
    marker_values = [reading.marker_value for reading in result.readings]
    ax.bar(positions - width / 2, exit_values, width, color=COLORS["exit"], label="exit")
    ax.bar(
        positions + width / 2,
        marker_values,
        width,
        color=COLORS["marker"],
        hatch="//",
        edgecolor="white",
        label="marker",
    )
    ax.set_xticks(positions, [str(seed) for seed in result.seeds], fontsize=FONT["tick"])
    ax.set_xlabel("seed", fontsize=FONT["label"])
    ax.set_ylabel("effective reward (cell - floor)", fontsize=FONT["label"])
    ax.set_title("What each run's objective pays", fontsize=FONT["title"])
    ax.set_ylim(0, 1.3 * max(max(exit_values), max(marker_values), 1e-9))
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper center", ncol=2)
    return ax


def draw_seed_outcomes(ax: Axes, result: UnidentifiabilityResult) -> Axes:
    """Per run: training success and where test agents settle."""
    positions = np.arange(len(result.seeds))
    ax.bar(positions, result.test_exit_rate, 0.6, color=COLORS["exit"], label="test: on the exit")
    ax.bar(
        positions,
        result.test_proxy_rate,
        0.6,
        bottom=result.test_exit_rate,
        color=COLORS["proxy"],
        hatch="//",
        edgecolor="white",
        label="test: on the marker",
    )
    ax.plot(
        positions,
        result.train_success,
        linestyle="none",
        ms=8,
        color=TRAIN_STYLE["color"],
        marker="_",
        mew=3,
        label="training success",
    )
    ax.set_xticks(positions, [str(seed) for seed in result.seeds], fontsize=FONT["tick"])
    ax.set_ylim(0, 1.3)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_xlabel("seed", fontsize=FONT["label"])
    ax.set_ylabel("share of levels", fontsize=FONT["label"])
    ax.set_title("Same training fit, different behaviour", fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper center", ncol=2)
    return ax


# ---------------------------------------------------------------------------- suboptimality
def reach(levels, index: int, steps: int) -> np.ndarray:
    """(H, W) bool: the free cells within ``steps`` BFS moves of level ``index``'s start."""
    from demos.worlds.mazes import bfs_distances

    one = levels.subset(index)
    distance = bfs_distances(one.walls, one.start)[0]
    return (distance >= 0) & (distance <= steps)


def render_capability(fig: Figure, result: SuboptimalityResult, model: str, steps: int) -> None:
    """One frame of the suboptimality explorable: a near-exit level with the cells the planner
    can see from its start shaded and the path it takes, and the proxy rate against K."""
    index = result.planning_steps.index(steps)
    left = fig.add_axes((0.02, 0.12, 0.36, 0.76))
    right = fig.add_axes((0.52, 0.17, 0.45, 0.71))
    level = result.test_levels.subset(result.showcase)
    draw_maze(left, level, title=f"{model} planner, K = {steps}")
    shade = np.zeros(level.walls.shape[1:] + (4,))
    shade[reach(result.test_levels, result.showcase, steps)] = REACH_RGBA
    left.imshow(shade, interpolation="nearest")
    draw_path(left, result.paths[model][index])
    curves = {name: result.curve(name, "proxy") for name in MODELS}
    positions = np.arange(len(result.planning_steps))
    ends = []
    for name, style in zip(MODELS, (OUTCOME_STYLE["proxy"], OUTCOME_STYLE["exit"]), strict=True):
        right.plot(
            positions,
            curves[name],
            lw=2.5 if name == model else 1.5,
            alpha=1.0 if name == model else 0.6,
            ms=6,
            **style,
        )
        ends.append((curves[name][-1], name, style["color"]))
    end_labels(right, positions[-1] + 0.45, ends)
    right.set_xlim(-0.5, positions[-1] + 4.4)
    right.axvspan(index - 0.35, index + 0.35, color=COLORS["grid"], alpha=0.5, lw=0)
    right.set_xticks(positions, [str(k) for k in result.planning_steps], fontsize=FONT["tick"])
    right.set_ylim(-0.04, 1.04)
    right.set_yticks([0, 0.5, 1])
    right.set_xlabel("planning steps K at test", fontsize=FONT["label"])
    right.set_ylabel("share settling on the marker", fontsize=FONT["label"])
    right.set_title("Proxy appears as search grows", fontsize=FONT["title"])
    right.tick_params(labelsize=FONT["tick"])
    right.grid(alpha=0.3)


def capability_alt(result: SuboptimalityResult, model: str, steps: int) -> str:
    """Alt text of one frame of :func:`render_capability`."""
    index = result.planning_steps.index(steps)
    rates = result.rates[model][index]
    end = result.paths[model][index][-1]
    level = result.test_levels.subset(result.showcase)
    where = (
        "on the exit"
        if np.array_equal(end, level.exit[0])
        else "on the marker"
        if np.array_equal(end, level.marker[0])
        else "elsewhere"
    )
    return (
        f"The {model} planner with K = {steps} planning steps, on a level whose exit is near the "
        f"start and whose marker is farther away: its path ends {where}. Over all "
        f"{len(result.test_levels)} such levels, {rates['proxy']:.0%} of its agents settle on the "
        f"marker and {rates['exit']:.0%} on the exit."
    )


# ---------------------------------------------------------------------------- approximate alignment
def draw_approximation(ax: Axes, result: ApproximateAlignmentResult) -> Axes:
    """The normalised mesa-objective against exit brightness, next to the base objective."""
    c = result.config
    ax.axvspan(
        c.brightness_low, c.brightness_high, color=COLORS["grid"], alpha=0.5, lw=0, label="training"
    )
    ax.axhline(1.0, color=COLORS["base_objective"], lw=2, linestyle=":", label="base obj.: exit")
    ax.axhline(0.0, color=COLORS["neither"], lw=1)
    ax.plot(
        result.brightnesses,
        result.exit_values,
        lw=2,
        ms=6,
        label="mesa-obj.: exit",
        **OUTCOME_STYLE["exit"],
    )
    ax.axhline(
        result.marker_value,
        color=COLORS["proxy"],
        lw=2,
        linestyle="--",
        label="mesa-obj.: marker",
    )
    ax.set_xscale("log")
    ax.set_xlabel("exit brightness (log scale)", fontsize=FONT["label"])
    ax.set_ylabel("value (floor 0, training exit 1)", fontsize=FONT["label"])
    ax.set_title("The objective, normalised", fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    return ax


def draw_approximation_behaviour(ax: Axes, result: ApproximateAlignmentResult) -> Axes:
    """Approximation error and where test agents settle, against exit brightness."""
    c = result.config
    ax.axvspan(c.brightness_low, c.brightness_high, color=COLORS["grid"], alpha=0.5, lw=0)
    ax.plot(result.brightnesses, result.exit_rates, lw=2, ms=6, label="on the exit",
            **OUTCOME_STYLE["exit"])  # fmt: skip
    ax.plot(result.brightnesses, result.proxy_rates, lw=2, ms=6, label="on the marker",
            **OUTCOME_STYLE["proxy"])  # fmt: skip
    ax.plot(
        result.brightnesses,
        np.minimum(result.errors, 1.5) / 1.5,
        color=COLORS["mesa_objective"],
        lw=1.5,
        marker="x",
        linestyle="-.",
        label="error / 1.5",
    )
    ax.set_xscale("log")
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlabel("exit brightness (log scale)", fontsize=FONT["label"])
    ax.set_ylabel("share of test levels", fontsize=FONT["label"])
    ax.set_title("Behaviour off the training band", fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="center right")
    return ax


# ---------------------------------------------------------------------------- adversarial training
def draw_adversarial(
    ax: Axes, attacked: Sequence[AdversarialRound], control: Sequence[AdversarialRound]
) -> Axes:
    """Test proxy rate after each round, with the adversary and without (the control); each
    point of the adversarial run is labelled with the failures found and levels added."""
    rounds = [entry.round for entry in attacked]
    ax.plot(
        rounds,
        [entry.test_rates["proxy"] for entry in attacked],
        lw=2,
        ms=7,
        label="adversarial training",
        **OUTCOME_STYLE["proxy"],
    )
    ax.plot(
        [entry.round for entry in control],
        [entry.test_rates["proxy"] for entry in control],
        lw=2,
        ms=6,
        label="same steps, no new levels",
        color=COLORS["neither"],
        marker="s",
        linestyle=":",
    )
    for entry in attacked[1:]:
        ax.annotate(
            f"found {entry.found}\nadded {entry.added}",
            (entry.round, entry.test_rates["proxy"]),
            textcoords="offset points",
            xytext=(0, 10),
            ha="center",
            fontsize=FONT["tick"],
        )
    ax.set_xticks(rounds)
    ax.set_xlim(rounds[0] - 0.3, rounds[-1] + 0.45)
    ax.set_ylim(-0.04, 1.2)
    ax.set_xlabel("round", fontsize=FONT["label"])
    ax.set_ylabel("test: share on the marker", fontsize=FONT["label"])
    ax.set_title("Adversarial training", fontsize=FONT["title"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="center right")
    return ax


def as_image(figure: Figure):
    """``figure`` as an ``IPython.display.Image`` (crisp PNG shown at the figure's CSS size, see
    :func:`demos.figures.style.as_image`), so a notebook can show a figure built without pyplot;
    the cell's metadata gives it a caption and alt text."""
    return figure_style.as_image(figure, tight=True)


def spoken_list(values: Sequence) -> str:
    """Values as prose: ``[0, 0.01, 0.05]`` -> ``"0, 0.01 and 0.05"`` (floats shown with ``g``)."""
    shown = [f"{value:g}" if isinstance(value, float) else str(value) for value in values]
    if not shown:
        raise ValueError("values must hold at least one value, got none")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


# ---------------------------------------------------------------------------- keys and chests
def keys_showcase(result, candidates: int = 50) -> int:
    """A test level of a ``keys-chests`` result to draw: among the first ``candidates``, the one
    where the trained planner ends with the most unused keys beyond the expert's."""
    planner, expert = result.episodes["planner_test"], result.episodes["expert_test"]
    count = min(candidates, len(planner.keys_unused))
    surplus = planner.keys_unused[:count] - expert.keys_unused[:count]
    opened_less = expert.chests_opened[:count] - planner.chests_opened[:count]
    return int(np.argmax(10 * surplus + opened_less))


def draw_keys_comparison(axes, result, index: int) -> None:
    """Two panels: the trained planner's and the expert's paths on one ``keys-chests`` test
    level (drawn by :func:`demos.worlds.keys_chests.draw_world`)."""
    from demos.worlds.keys_chests import draw_world

    agents = (("planner", "Trained planner"), ("expert", "Expert"))
    for ax, (agent, name) in zip(axes, agents, strict=True):
        episodes = result.episodes[f"{agent}_test"]
        draw_world(
            ax,
            result.test_worlds,
            index,
            path=episodes.paths[index],
            title=f"{name}: {_count(episodes.chests_opened[index], 'chest')}, "
            f"{_count(episodes.keys_unused[index], 'key')} unused",
            legend=agent == "planner",
        )


def _count(number, noun: str) -> str:
    number = int(number)
    return f"{number} {noun}" + ("" if number == 1 else "s")
