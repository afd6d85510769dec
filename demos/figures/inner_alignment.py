"""Figures of chapter 3 (the inner alignment problem), in the book's one drawing style.

Built from the primitives and colours of :mod:`demos.figures.style` (the exit and the base
objective in bluish green with a star, the marker and the proxy in orange with a diamond, paths in
sky blue). An explorable's ``*_layout(fig)`` makes its panels once, ``draw_*(panels, ...)`` draws
one frame into them and ``render_*`` draws one frame on a new figure; other ``draw_*`` functions
draw into the ``Axes`` they are given and return it; ``*_alt`` and ``*_table`` functions give the
alt text or a Markdown table for the same data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demos.experiments.approximate_alignment import ApproximateAlignmentResult
from demos.experiments.objective_drift import ObjectiveDriftResult
from demos.experiments.suboptimality import MODELS, SuboptimalityResult
from demos.experiments.unidentifiability import UnidentifiabilityResult
from demos.figures.drawing import draw_maze, draw_path, draw_reward_map, draw_world
from demos.figures.style import COLORS, FONT, SYMBOLS, style_axes
from demos.training.adversarial import AdversarialRound
from demos.worlds.mazes import bfs_distances

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
    style_axes(ax, None, xlabel, "share of test levels")
    if title:
        ax.set_title(title, fontsize=FONT["title"])
    return ax


# ---------------------------------------------------------------------------- objective drift
def drift_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The objective-drift explorable's panels: the reward map (left) and the settle rates."""
    return fig.add_axes((0.02, 0.12, 0.36, 0.76)), fig.add_axes((0.55, 0.17, 0.42, 0.71))


def draw_drift(
    panels: tuple[Axes, Axes],
    result: ObjectiveDriftResult,
    decorrelated_fraction: float,
    seed: int,
    exit_salience: float,
) -> None:
    """One frame of the objective-drift explorable into :func:`drift_layout`'s panels: the
    learned reward map and path on a test level, and the test settle rates across q for this seed
    and salience."""
    point = result.point(decorrelated_fraction, seed, exit_salience)
    left, right = panels
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
    draw_path(left, point.path, halo=True, end="agent (end)", scale=7 / 9)
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


def render_drift(fig: Figure, result: ObjectiveDriftResult, *point: float) -> None:
    """:func:`draw_drift` on a new figure; ``point`` is (decorrelated_fraction, seed, salience)."""
    draw_drift(drift_layout(fig), result, *point)


def drift_alt(
    result: ObjectiveDriftResult, decorrelated_fraction: float, seed: int, exit_salience: float
) -> str:
    """Alt text of one frame of :func:`draw_drift`."""
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


def seed_table(result: ObjectiveDriftResult, exit_salience: float | None = None) -> list[dict]:
    """Per q: each seed's test shares written "marker / exit", and the means and lowest training
    success from :meth:`ObjectiveDriftResult.stats`, as rows for
    :func:`demos.figures.prose.table_markdown`."""
    rows = result.table(exit_salience)
    table = []
    for q in result.config.decorrelated_fractions:
        entry: dict = {"q": q}
        for row in rows:
            if row["q"] == q:
                entry[f"seed{row['seed']}"] = f"{row['proxy']:.0%} / {row['exit']:.0%}"
        stats = result.stats(q, exit_salience)
        entry["mean_proxy"] = stats["mean_proxy"]
        entry["mean_exit"] = stats["mean_exit"]
        entry["train"] = stats["min_train_success"]
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
    style_axes(ax, title, "training step", "share of levels")
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
    style_axes(ax, "Every run of the sweep", "test: share on the marker", "training success")
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
    ax.set_ylim(0, 1.3 * max(max(exit_values), max(marker_values), 1e-9))
    style_axes(
        ax, "What each run's objective pays", "seed", "effective reward (cell - floor)", grid=False
    )
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
    style_axes(ax, "Same training fit, different behaviour", "seed", "share of levels", grid=False)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper center", ncol=2)
    return ax


# ---------------------------------------------------------------------------- suboptimality
def reach(levels, index: int, steps: int) -> np.ndarray:
    """(H, W) bool: the free cells within ``steps`` BFS moves of level ``index``'s start."""
    one = levels.subset(index)
    distance = bfs_distances(one.walls, one.start)[0]
    return (distance >= 0) & (distance <= steps)


def capability_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The suboptimality explorable's panels: the level (left) and the proxy rate against K."""
    return fig.add_axes((0.02, 0.12, 0.36, 0.76)), fig.add_axes((0.52, 0.17, 0.45, 0.71))


def draw_capability(
    panels: tuple[Axes, Axes], result: SuboptimalityResult, model: str, steps: int
) -> None:
    """One frame of the suboptimality explorable into :func:`capability_layout`'s panels: a
    near-exit level with the cells the planner can see from its start shaded and the path it
    takes, and the proxy rate against K."""
    index = result.planning_steps.index(steps)
    left, right = panels
    level = result.test_levels.subset(result.showcase)
    draw_maze(left, level, title=f"{model} planner, K = {steps}")
    shade = np.zeros(level.walls.shape[1:] + (4,))
    shade[reach(result.test_levels, result.showcase, steps)] = REACH_RGBA
    left.imshow(shade, interpolation="nearest")
    draw_path(left, result.paths[model][index], halo=True, end="agent (end)", scale=7 / 9)
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
    style_axes(
        right,
        "Proxy appears as search grows",
        "planning steps K at test",
        "share settling on the marker",
    )


def render_capability(fig: Figure, result: SuboptimalityResult, model: str, steps: int) -> None:
    """:func:`draw_capability` on a new figure."""
    draw_capability(capability_layout(fig), result, model, steps)


def capability_alt(result: SuboptimalityResult, model: str, steps: int) -> str:
    """Alt text of one frame of :func:`draw_capability`."""
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
    style_axes(
        ax,
        "The objective, normalised",
        "exit brightness (log scale)",
        "value (floor 0, training exit 1)",
    )
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
    style_axes(
        ax, "Behaviour off the training band", "exit brightness (log scale)", "share of test levels"
    )
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
    style_axes(ax, "Adversarial training", "round", "test: share on the marker")
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="center right")
    return ax


# ---------------------------------------------------------------------------- keys and chests
def draw_keys_comparison(axes, result, index: int) -> None:
    """Two panels: the trained planner's and the expert's paths on one ``keys-chests`` test
    level (drawn by :func:`demos.figures.drawing.draw_world`)."""
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


# ---------------------------------------------------------------------------- the paying exit
PAYING_AGENTS = {"planner": "trained planner", "aligned": "aligned planner", "expert": "expert"}
"""Agents of a ``paying-exit`` result, and how the figures name them."""


def draw_paying_exit(axes, result, index: int) -> None:
    """Three panels for a ``paying-exit`` result: the trained planner's and the aligned planner's
    paths on test level ``index`` (the pile drawn as the marker's diamond), and where every
    agent settles on the test levels, with the coins each earns."""
    levels = result.test_levels
    for ax, agent in zip(axes[:2], ("planner", "aligned"), strict=True):
        path = result.paths[agent][index]
        draw_maze(
            ax,
            levels,
            index,
            path=path,
            agent=path[-1],
            title=f"{PAYING_AGENTS[agent].capitalize()}: {_ending(levels, index, path[-1])}",
        )
    ax = axes[2]
    names = list(PAYING_AGENTS)
    positions = np.arange(len(names))
    width = 0.38
    for offset, outcome, label, hatch, color in (
        (-width / 2, "exit", "on the exit", "", COLORS["exit"]),
        (width / 2, "pile", "on the coin pile", "//", COLORS["proxy"]),
    ):
        heights = [result.test_rates[name][outcome] for name in names]
        ax.bar(
            positions + offset,
            heights,
            width,
            color=color,
            hatch=hatch,
            edgecolor="white",
            label=label,
        )
    ax.set_xticks(
        positions,
        [f"{PAYING_AGENTS[n].split()[0]}\n{result.coins[n]:.1f} coins" for n in names],
        fontsize=FONT["tick"],
    )
    ax.set_ylim(0, 1.18)
    style_axes(ax, "Where test agents settle", None, "share of test levels", grid=False)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper center", ncol=2)


def paying_exit_alt(result, index: int) -> str:
    """Alt text of :func:`draw_paying_exit`."""
    levels = result.test_levels
    ends = {
        agent: _ending(levels, index, result.paths[agent][index][-1])
        for agent in ("planner", "aligned")
    }
    rates = result.test_rates
    return (
        f"Left: a test maze with the exit (star) and a coin pile (diamond); the trained planner's "
        f"path {ends['planner']}. Middle: the aligned planner on the same maze {ends['aligned']}. "
        f"Right: bars of where agents settle on all test mazes: the trained planner on the exit "
        f"{rates['planner']['exit']:.0%} and on the pile {rates['planner']['pile']:.0%} of the "
        f"time, earning {result.coins['planner']:.1f} coins on average; the aligned planner and "
        f"the expert on the exit {rates['aligned']['exit']:.0%} and "
        f"{rates['expert']['exit']:.0%} of the time, earning {result.coins['aligned']:.1f} and "
        f"{result.coins['expert']:.1f} coins."
    )


def _ending(levels, index: int, cell) -> str:
    if np.array_equal(cell, levels.exit[index]):
        return "ends on the exit"
    if levels.decorrelated[index] and np.array_equal(cell, levels.marker[index]):
        return "ends on the coin pile"
    return "ends elsewhere"


# ---------------------------------------------------------------------------- reward prediction
def draw_reward_prediction(axes, result) -> None:
    """Two panels for a ``reward-prediction`` result: what each trained head pays for the exit
    and for the marker, per method and q (left, as a share of the two: the exit's part), and
    where each method's test agents settle (right)."""
    qs = result.config.decorrelated_fractions
    styles = {"imitation": OUTCOME_STYLE["neither"], "prediction": {"color": COLORS["planner"]}}
    positions = np.arange(len(qs))
    width = 0.38
    for ax, title, ylabel, value in (
        (
            axes[0],
            "What the objective pays",
            "exit's share of exit + marker value",
            lambda m, q: _exit_share(result.readings[(m, q)]),
        ),
        (
            axes[1],
            "Where test agents settle",
            "test: share on the exit",
            lambda m, q: result.test_rates[(m, q)]["exit"],
        ),
    ):
        for offset, method, hatch in (
            (-width / 2, "imitation", "//"),
            (width / 2, "prediction", ""),
        ):
            ax.bar(
                positions + offset,
                [value(method, q) for q in qs],
                width,
                color=styles[method]["color"],
                hatch=hatch,
                edgecolor="white",
                label=f"trained by {method}",
            )
        ax.axhline(0.5, color="#777777", lw=1, ls=":")
        ax.set_xticks(positions, [f"q = {q:g}" for q in qs], fontsize=FONT["tick"])
        ax.set_ylim(0, 1.18)
        style_axes(ax, title, "decorrelated fraction of training levels", ylabel, grid=False)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=FONT["legend"], frameon=False, loc="upper left", ncol=2)


def reward_prediction_alt(result) -> str:
    """Alt text of :func:`draw_reward_prediction`."""
    parts = []
    for q in result.config.decorrelated_fractions:
        for method in ("imitation", "prediction"):
            parts.append(
                f"at q = {q:g}, the head trained by {method} gives the exit "
                f"{_exit_share(result.readings[(method, q)]):.0%} of the exit-plus-marker value "
                f"and sends {result.test_rates[(method, q)]['exit']:.0%} of test agents to the exit"
            )
    return "Two bar charts, one pair of bars per decorrelated fraction q: " + "; ".join(parts) + "."


def _exit_share(reading) -> float:
    exit_value, marker_value = max(reading.exit_value, 0.0), max(reading.marker_value, 0.0)
    total = exit_value + marker_value
    return exit_value / total if total > 0 else 0.5
