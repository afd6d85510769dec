"""Figures of chapter 5 (related work), in the book's one drawing style.

One section per experiment of the chapter: meta-learning bandits, single-cell edits, linear probes,
exhaustive verification, goal ambiguity and the literature map. Every ``render_*`` function draws
one frame of an explorable into the figure it is given (its ``*_layout`` function makes the axes
once, its ``draw_*`` function draws each frame into them), every other ``draw_*`` function draws
into the ``Axes`` it is given and returns it, and every ``*_alt`` function gives the alt text of
the same frame. Colours and symbols come from :mod:`demos.figures.style` (Okabe-Ito, and a marker
or dash for every colour so no series is told apart by colour alone).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demos.experiments.goal_ambiguity import GoalAmbiguityResult
from demos.experiments.literature_map import LiteratureMapResult
from demos.experiments.meta_learning import POLICIES, POLICY_NAMES, MetaLearningResult
from demos.experiments.one_cell_edits import OneCellEditsResult
from demos.experiments.probes import TARGETS, ProbesResult
from demos.experiments.verification import VerificationResult
from demos.figures.drawing import draw_maze
from demos.figures.style import (
    COLORS,
    FONT,
    OKABE_ITO,
    new_figure,
)

POLICY_STYLE = {
    "learned": dict(color=COLORS["reactive"], linestyle="-", marker="o"),
    "bayes": dict(color=COLORS["intended_goal"], linestyle="--", marker="s"),
    "thompson": dict(color=OKABE_ITO["bluish_green"], linestyle="-.", marker="^"),
    "ucb": dict(color=COLORS["planner"], linestyle=":", marker="D"),
}
"""Line style of each bandit learner."""

MODEL_STYLE = {
    "planner": dict(color=COLORS["planner"], hatch=""),
    "reactive": dict(color=COLORS["reactive"], hatch="//"),
}
"""Bar style of each maze model."""

TARGET_STYLE = {
    "exit": dict(color=COLORS["exit"], linestyle="-", marker="*"),
    "marker": dict(color=COLORS["marker"], linestyle="--", marker="D"),
    "steps to exit": dict(color=COLORS["exit"], linestyle="-.", marker="o"),
    "steps to marker": dict(color=COLORS["marker"], linestyle=":", marker="s"),
}
"""Line style of each probed label (exit labels in the exit's colour, marker labels in the
marker's)."""

STRATEGY_STYLE = {
    "training-like": dict(color=COLORS["neither"], linestyle=":", marker="s"),
    "random": dict(color=OKABE_ITO["sky_blue"], linestyle="--", marker="o"),
    "chosen": dict(color=COLORS["mesa_objective"], linestyle="-", marker="D"),
}
"""Line style of each way of choosing the mazes an observer watches."""

BREAK_MARK = dict(marker="X", color=OKABE_ITO["vermillion"], mec="white", mew=0.8, ms=11)
"""How a cell whose toggle breaks an agent is marked on a maze."""


def _style(ax: Axes, title: str | None = None, xlabel: str = "", ylabel: str = "") -> Axes:
    if title:
        ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    return ax


def _axes_frame(ax: Axes, xlabel: str, ylabel: str, xticks, yticks, xlim, ylim) -> Axes:
    """Style one panel of an explorable cheaply, once in its layout: fixed ticks and limits (no
    tick locator runs), axis labels, tick sizes and grid."""
    ax.set_xticks(xticks)
    ax.set_yticks(yticks)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    return ax


def _frame_title(ax: Axes, title: str) -> None:
    """A panel's title as plain text at a fixed place (no title layout pass on each redraw)."""
    ax.text(
        0.5, 1.03, title, transform=ax.transAxes, ha="center", va="bottom", fontsize=FONT["label"]
    )


# ---------------------------------------------------------------------------- meta-learning
def meta_layout(fig: Figure, result: MetaLearningResult) -> tuple[Axes, Axes]:
    """The two panels of the meta-learning explorable, (pulls, regret): their ticks, limits,
    axis labels and grid, the right one's title, and the training family's dotted line."""
    left = fig.add_axes((0.07, 0.3, 0.37, 0.6))
    right = fig.add_axes((0.57, 0.3, 0.41, 0.6))
    horizon = result.config.horizon
    _axes_frame(
        left,
        "pull",
        "share on the better arm",
        [1, horizon // 2, horizon],
        [0, 0.5, 1],
        (0.5, horizon + 0.5),
        (0, 1.03),
    )
    top = max(float(values.max()) for values in result.regret.values()) * 1.1
    _axes_frame(
        right,
        "share of tasks whose better arm is arm 0",
        "regret",
        [0, 0.25, 0.5, 0.75, 1],
        np.arange(0, top, 1.0),
        (0, 1),
        (0, top),
    )
    favoured = result.config.favoured_share
    right.axvline(favoured, color="black", lw=1, linestyle=(0, (1, 2)))
    right.text(favoured, top * 0.97, "training ", fontsize=FONT["legend"], va="top", ha="right")
    _frame_title(right, "Regret after the episode")
    return left, right


def draw_meta(panels: tuple[Axes, Axes], result: MetaLearningResult, share: float) -> None:
    """One frame of the meta-learning explorable into :func:`meta_layout`'s panels: how each
    learner splits its pulls over an episode on the family with ``share``, and every learner's
    regret across the families."""
    left, right = panels
    i = result.index(share)
    horizon = result.config.horizon
    pulls = np.arange(1, horizon + 1)
    for policy in POLICIES:
        style = dict(POLICY_STYLE[policy], markevery=max(1, horizon // 5))
        left.plot(pulls, result.better_arm_share[policy][i], lw=2, ms=4, **style)
    _frame_title(left, f"Arm 0 is the better arm in {share:.0%} of tasks")
    right.axvspan(share - 0.03, share + 0.03, color=COLORS["grid"], alpha=0.6, lw=0)
    handles = []
    for policy in POLICIES:
        (line,) = right.plot(
            np.array(result.shares),
            result.regret[policy],
            lw=2,
            ms=5,
            label=POLICY_NAMES[policy],
            **POLICY_STYLE[policy],
        )
        handles.append(line)
    right.figure.legend(
        handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=FONT["legend"]
    )


def render_meta(fig: Figure, result: MetaLearningResult, share: float) -> None:
    """:func:`draw_meta` on a new figure."""
    draw_meta(meta_layout(fig, result), result, share)


def meta_alt(result: MetaLearningResult, share: float) -> str:
    """Alt text of one frame of :func:`render_meta`."""
    regrets = ", ".join(f"{POLICY_NAMES[p]} {result.regret_at(p, share):.2f}" for p in POLICIES)
    i = result.index(share)
    return (
        f"Tasks where arm 0 is the better arm {share:.0%} of the time (training family: "
        f"{result.config.favoured_share:.0%}). Left: share of pulls on the better arm over the "
        f"{result.config.horizon} pulls; the learned learner starts at "
        f"{result.better_arm_share['learned'][i, 0]:.0%} and ends at "
        f"{result.better_arm_share['learned'][i, -1]:.0%}. Right: regret per episode against the "
        f"family; here {regrets}."
    )


def draw_meta_training(ax: Axes, result: MetaLearningResult, window: int = 20) -> Axes:
    """The training batch's regret over meta-training steps (a running mean over ``window``
    steps), with the written learners' regret on the training family as horizontal lines."""
    regret = result.history.column("regret")
    window = max(1, min(window, len(regret)))
    smooth = np.convolve(regret, np.ones(window) / window, mode="valid")
    ax.plot(
        np.arange(window - 1, len(regret)),
        smooth,
        lw=2,
        **POLICY_STYLE["learned"],
        markevery=max(1, len(smooth) // 8),
        label=POLICY_NAMES["learned"],
    )
    for policy in ("bayes", "thompson", "ucb"):
        style = dict(POLICY_STYLE[policy])
        style.pop("marker")
        ax.axhline(
            result.regret_at(policy, result.config.favoured_share),
            lw=1.5,
            label=POLICY_NAMES[policy],
            **style,
        )
    _style(
        ax,
        "Meta-training on the training family",
        "update of the base optimizer",
        "regret per episode",
    )
    ax.legend(fontsize=FONT["legend"], frameon=False)
    return ax


# ---------------------------------------------------------------------------- single-cell edits
def edits_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two maze panels of the single-cell-edits explorable, (as generated, after one edit)."""
    left = fig.add_axes((0.02, 0.04, 0.44, 0.82))
    right = fig.add_axes((0.54, 0.04, 0.44, 0.82))
    return left, right


def draw_edits(
    panels: tuple[Axes, Axes], result: OneCellEditsResult, level: int, model: str
) -> None:
    """One frame of the single-cell-edits explorable into :func:`edits_layout`'s panels: a test
    maze with the model's path and its breaking cells (left), and the maze after one breaking
    edit with the new path (right)."""
    left, right = panels
    outcome = result.outcomes[model]
    edits = result.edits
    path = outcome.original_paths[level]
    draw_maze(left, result.test_levels, level, path=path, agent=path[-1], title=None)
    mine = np.flatnonzero((edits.source == level) & outcome.breaking)
    for index in mine:
        left.plot(edits.cell[index, 1], edits.cell[index, 0], linestyle="none", **BREAK_MARK)
    left.set_title(
        f"{model}: {len(mine)} breaking cell{'s' * (len(mine) != 1)}", fontsize=FONT["label"]
    )
    if len(mine):
        same = mine[edits.task_unchanged[mine]]
        shown = int((same if len(same) else mine)[0])
        path = outcome.edited_paths[shown]
        draw_maze(right, edits.edited, shown, path=path, agent=path[-1], title=None)
        right.plot(edits.cell[shown, 1], edits.cell[shown, 0], linestyle="none", **BREAK_MARK)
        verb = "walled" if edits.added_wall[shown] else "opened"
        right.set_title(
            f"one cell {verb}: shortest path {edits.distance_before[shown]} -> "
            f"{edits.distance_after[shown]}",
            fontsize=FONT["label"],
        )
    else:
        draw_maze(right, result.test_levels, level, title=None)
        right.set_title("no single-cell edit breaks it", fontsize=FONT["label"])


def render_edits(fig: Figure, result: OneCellEditsResult, level: int, model: str) -> None:
    """:func:`draw_edits` on a new figure."""
    draw_edits(edits_layout(fig), result, level, model)


def edits_alt(result: OneCellEditsResult, level: int, model: str) -> str:
    """Alt text of one frame of :func:`render_edits`."""
    outcome = result.outcomes[model]
    edits = result.edits
    mine = np.flatnonzero((edits.source == level) & outcome.breaking)
    valid = int((edits.source == level).sum())
    text = (
        f"Test maze {level}, {model}: it reaches the exit in the maze as drawn, and "
        f"{len(mine)} of the {valid} solvable single-cell edits make it fail (marked with crosses)."
    )
    if len(mine):
        same = int(edits.task_unchanged[mine].sum())
        text += (
            f" {same} of them leave the shortest path as long as before. The right panel shows "
            "the maze after one of them and the agent's new path, which no longer ends on the exit."
        )
    return text


# ---------------------------------------------------------------------------- probes
def draw_probe_layers(ax: Axes, result: ProbesResult, model: str) -> Axes:
    """Held-out probe scores across the layers of one reactive network, per label, with the
    largest control score of that network as a grey band."""
    layers = result.layers_of(model)
    positions = np.arange(len(layers))
    for target in TARGETS:
        scores = [result.score(model, layer, target) for layer in layers]
        ax.plot(positions, scores, lw=2, ms=6, label=target, **TARGET_STYLE[target])
    control = max(result.score(model, layer, t, control=True) for layer in layers for t in TARGETS)
    ax.axhspan(-0.02, control, color=COLORS["neither"], alpha=0.3, lw=0, label="controls (max)")
    ax.set_xticks(positions, layers, fontsize=FONT["tick"])
    ax.set_ylim(-0.05, 1.05)
    settle = result.settle_rates[model]
    title = f"{model}: settles on marker {settle['proxy']:.0%}, exit {settle['exit']:.0%}"
    _style(ax, title, "layer probed", "held-out score (top-1 or R²)")
    ax.title.set_fontsize(FONT["label"])
    return ax


def probe_markdown(result: ProbesResult, models: list[str], layers: tuple[str, ...]) -> str:
    """A Markdown table of held-out probe scores: one row per (layer, label), one column per
    model (top-1 for the yes/no labels, R² for the distances)."""
    lines = ["| probe | " + " | ".join(models) + " |", "|---|" + "---:|" * len(models)]
    for layer in layers:
        for target in TARGETS:
            scores = " | ".join(f"{result.score(model, layer, target):.2f}" for model in models)
            lines.append(f"| {layer}: {target} | {scores} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- verification
def draw_violations_by_walls(ax: Axes, result: VerificationResult) -> Axes:
    """Share of cases violating the property, by the number of walls of the layout, per model;
    the training mazes' wall count is marked."""
    cells = len(result.checks["reactive"].cases_by_walls)
    walls = np.arange(cells)
    for j, model in enumerate(("planner", "reactive")):
        check = result.checks[model]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(
                check.cases_by_walls > 0,
                check.violations_by_walls / np.maximum(check.cases_by_walls, 1),
                np.nan,
            )
        style = MODEL_STYLE[model]
        ax.bar(
            walls + (j - 0.5) * 0.4,
            np.nan_to_num(rate),
            width=0.38,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor="white",
            label=model,
        )
    trained = round(result.config.wall_density * 16)
    ax.axvline(trained, color="black", lw=1, linestyle="--")
    ax.text(trained + 0.2, ax.get_ylim()[1] * 0.95, "training", fontsize=FONT["legend"], va="top")
    present = np.flatnonzero(result.checks["reactive"].cases_by_walls)
    ax.set_xlim(present[0] - 0.7, present[-1] + 0.7)
    _style(ax, "Every 4 x 4 maze", "walls in the layout", "share of cases violating")
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    return ax


def draw_case_growth(ax: Axes, result: VerificationResult) -> Axes:
    """Cases per maze side on a log scale (filled: exact; hollow: estimated), with the time an
    exhaustive check at the measured speed would take on a second axis."""
    sizes = np.array(list(result.case_counts))
    counts = np.array(list(result.case_counts.values()))
    exact = np.isin(sizes, result.exact_sizes)
    ax.plot(sizes, counts, color=COLORS["reactive"], lw=1.5)
    ax.plot(sizes[exact], counts[exact], "o", color=COLORS["reactive"], ms=7, label="exact count")
    ax.plot(
        sizes[~exact],
        counts[~exact],
        "o",
        mfc="white",
        mec=COLORS["reactive"],
        ms=7,
        label="estimated by sampling",
    )
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{s}x{s}" for s in sizes])
    _style(ax, "Cases grow with the maze", "maze size", "cases (layout, exit, start)")
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    seconds = result.seconds_per_case
    low, high = ax.get_ylim()
    twin = ax.twinx()
    twin.set_yscale("log")
    twin.set_ylim(low * seconds, high * seconds)
    twin.set_ylabel("seconds to check them all", fontsize=FONT["label"])
    twin.tick_params(labelsize=FONT["tick"])
    return ax


def draw_counterexample(ax: Axes, result: VerificationResult, walls: int, index: int = 0) -> Axes:
    """A counterexample of the reactive network in a layout with ``walls`` walls: its greedy path
    from the start where the property fails."""
    import torch

    from demos.training import rollouts

    found = result.checks["reactive"].examples
    if walls not in found:
        raise ValueError(f"walls must be one of {sorted(found)} (counterexamples), got {walls!r}")
    example = found[walls][index]
    with torch.no_grad():
        walk = rollouts.rollout(example, result.models["reactive"].policy(example))
    draw_maze(ax, example, 0, path=walk.paths[0], agent=walk.paths[0][-1], title=None)
    shortest = int(example.distances("exit")[0, example.start[0, 0], example.start[0, 1]])
    reached = int(walk.first_exit_step[0])
    outcome = f"arrives after {reached}" if reached >= 0 else "never arrives"
    ax.set_title(f"{walls} walls: shortest {shortest}, {outcome}", fontsize=FONT["label"])
    return ax


def duration_text(seconds: float) -> str:
    """A duration in the largest unit that keeps it readable: "0.4 s", "3.2 h", "560 years"."""
    units = ((365.25 * 86400, "years"), (86400, "days"), (3600, "h"), (60, "min"), (1, "s"))
    for size, name in units:
        if seconds >= size or name == "s":
            value = seconds / size
            return f"{value:.2g} {name}" if value < 10 else f"{value:,.0f} {name}"
    raise AssertionError("unreachable")


def growth_markdown(result: VerificationResult) -> str:
    """A Markdown table: cases per maze size, whether the count is exact, and the time our check
    would take at its measured speed."""
    lines = ["| maze | cases | count | time to check every case |", "|---|---:|---|---:|"]
    for size, count in sorted(result.case_counts.items()):
        kind = "exact" if size in result.exact_sizes else "sampled"
        time = duration_text(count * result.seconds_per_case)
        shown = f"{int(count):,}" if size in result.exact_sizes else f"{count:.2g}"
        lines.append(f"| {size} × {size} | {shown} | {kind} | {time} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- goal ambiguity
def belief_layout(fig: Figure) -> Axes:
    """The one panel of the goal-ambiguity explorable: its y range, axis labels and grid."""
    ax = fig.add_axes((0.1, 0.17, 0.86, 0.7))
    ax.set_ylim(0, 1)
    return _style(ax, None, "lambda (reward 1 - lambda on exit, lambda on marker)", "belief")


def draw_belief(
    ax: Axes, result: GoalAmbiguityResult, agent: str, strategy: str, rounds: int
) -> None:
    """One frame of the goal-ambiguity explorable into :func:`belief_layout`'s panel: the
    observer's belief over lambda after ``rounds`` mazes chosen by ``strategy``, with the lambda
    the agent's reward head implies."""
    seen = result.observations[(agent, strategy)]
    lambdas = seen.lambdas
    width = 0.8 * (lambdas[1] - lambdas[0])
    ax.bar(lambdas, seen.posteriors[rounds], width=width, color=STRATEGY_STYLE[strategy]["color"])
    read = result.read_lambda[agent]
    ax.axvline(read, color="black", lw=1.5, linestyle="--")
    side = "right" if read > np.mean(lambdas) else "left"
    text = "read off the\nreward head " if side == "right" else " read off the\n reward head"
    ax.text(read, 0.7, text, fontsize=FONT["legend"], ha=side)
    for value, name in ((0.0, "the exit"), (1.0, "the marker")):
        frame = dict(facecolor="white", edgecolor=COLORS["grid"], pad=1.5)
        ax.text(value, 0.93, name, fontsize=FONT["legend"], ha="center", va="center", bbox=frame)
    entropy = seen.entropy()[rounds]
    ax.set_title(
        f"Agent {agent}: belief after {rounds} {strategy} maze{'s' * (rounds != 1)} "
        f"({entropy:.1f} bits)",
        fontsize=FONT["label"],
    )


def render_belief(
    fig: Figure, result: GoalAmbiguityResult, agent: str, strategy: str, rounds: int
) -> None:
    """:func:`draw_belief` on a new figure."""
    draw_belief(belief_layout(fig), result, agent, strategy, rounds)


def belief_alt(result: GoalAmbiguityResult, agent: str, strategy: str, rounds: int) -> str:
    """Alt text of one frame of :func:`render_belief`."""
    seen = result.observations[(agent, strategy)]
    estimate = seen.map_estimate()[rounds]
    top = (
        "no candidate is favoured" if np.isnan(estimate) else f"the most probable is {estimate:.1f}"
    )
    return (
        f"Bar chart of the observer's belief over lambda for the agent {agent} after {rounds} "
        f"{strategy} mazes: {seen.entropy()[rounds]:.1f} bits of uncertainty, {top}; a dashed "
        f"line marks lambda = {result.read_lambda[agent]:.2f}, read off the agent's reward head."
    )


def draw_entropy(ax: Axes, result: GoalAmbiguityResult, agent: str) -> Axes:
    """Entropy of the observer's belief after each maze, per way of choosing mazes."""
    for strategy, style in STRATEGY_STYLE.items():
        values = result.observations[(agent, strategy)].entropy()
        ax.plot(np.arange(len(values)), values, lw=2, ms=5, label=strategy, **style)
    ax.set_ylim(bottom=0)
    _style(ax, f"Agent {agent}", "mazes watched", "uncertainty (bits)")
    ax.title.set_fontsize(FONT["label"])
    return ax


# ---------------------------------------------------------------------------- literature map
def literature_figure(result: LiteratureMapResult, dpi: int = 80) -> Figure:
    """A dot matrix: every work of the bibliography (rows, under a header per theme) against the
    chapters (columns). A dot's size grows with the citations; it is filled for works of the
    paper's own bibliography and hollow for later ones."""
    literature = result.map
    rows: list[tuple[str, str | None]] = []  # (label, key); key None for a theme header
    for theme, keys in literature.by_theme().items():
        rows.append((theme, None))
        rows.extend((_work_label(literature.works[key]), key) for key in keys)
    _, chapters, counts = literature.matrix([key for _, key in rows if key is not None])
    count_of = dict(zip([key for _, key in rows if key is not None], counts, strict=True))
    height = 0.2 * len(rows) + 1.2
    fig, ax = new_figure(1, 1, width=8.6, height=height, dpi=dpi)
    fig.subplots_adjust(left=0.55, right=0.97, top=1 - 0.75 / height, bottom=0.35 / height)
    color = COLORS["mesa_objective"]
    for i, (_, key) in enumerate(rows):
        if key is None:
            ax.axhspan(i - 0.5, i + 0.5, color=COLORS["grid"], alpha=0.35, lw=0)
            continue
        filled = literature.works[key].in_paper
        for j, count in enumerate(count_of[key]):
            if count:
                ax.plot(
                    j,
                    i,
                    "o",
                    ms=3.5 + 1.5 * min(count, 4),
                    color=color,
                    mfc=color if filled else "white",
                    mew=1.5,
                )
    ax.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize=FONT["tick"])
    for tick, (_, key) in zip(ax.get_yticklabels(), rows, strict=True):
        if key is None:
            tick.set_fontweight("bold")
            tick.set_fontsize(FONT["tick"])
    ax.set_xticks(range(len(chapters)), [f"ch. {c}" for c in chapters], fontsize=FONT["tick"])
    ax.xaxis.tick_top()
    ax.set_xlim(-0.6, len(chapters) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    fig.text(
        0.01,
        1 - 0.12 / height,
        "The book's bibliography, by theme and citing chapter",
        fontsize=FONT["title"],
        va="top",
    )
    return fig


def _work_label(work) -> str:
    title = work.title if len(work.title) <= 40 else work.title[:38].rstrip() + "..."
    return f"{work.label}: {title}"
