"""Figures of chapter 2 (conditions for mesa-optimization), in the book's one drawing style.

Every ``draw_*`` function draws into the ``Axes`` it is given and returns it; every ``render_*``
function fills an empty ``matplotlib.figure.Figure`` and is meant as (part of) the render
function of a :class:`demos.figures.explorable.Explorable`. Nothing here trains or measures
anything: the data come from the chapter's experiments. Colours and symbols come from
:mod:`demos.figures.style` (Okabe-Ito colours, and a line style or symbol as well as a colour for
every series).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demos.agents.planners import true_kernels
from demos.analysis import optimization_power as toy
from demos.figures.drawing import draw_maze
from demos.figures.style import COLORS, CURVE_COLORS, FONT, HEATMAP, OKABE_ITO, style_axes
from demos.worlds.mazes import ACTION_NAMES

SERIES = {
    "planner": dict(color=COLORS["planner"], linestyle="-", marker="o"),
    "reactive": dict(color=COLORS["reactive"], linestyle="--", marker="s"),
    "table": dict(color=OKABE_ITO["vermillion"], linestyle="--", marker="s"),
    "table_raw": dict(color=OKABE_ITO["orange"], linestyle=":", marker="^"),
    "learned": dict(color=OKABE_ITO["reddish_purple"], linestyle="-", marker="o"),
    "hard-coded": dict(color=COLORS["planner"], linestyle="--", marker="s"),
    "gd": dict(color=OKABE_ITO["bluish_green"], linestyle="--", marker="D"),
}
"""Line style, colour and marker of each recurring series."""

MATRIX_CMAP = "PuOr"
"""Diverging colour map (colour-blind safe) for weight matrices, centred on zero."""


# ----------------------------------------------------------------------------- the toy model


def draw_power_curve(ax: Axes, result, budget: float, tasks: float, kind: str) -> Axes:
    """Power per task instance against the mesa-optimizer's power x, with the optimum x* marked.

    Args:
        ax: the axes to draw in.
        result: an ``optimization-power`` result
            (:class:`demos.experiments.optimization_power.OptimizationPowerResult`).
        budget, tasks, kind: a point of its grid.

    Labels sit on the curves rather than in a legend, which keeps a live redraw fast.
    """
    key = (budget, float(tasks), kind)
    xs, power = result.curves[key]
    best = result.optimum[key]
    at_best = float(np.interp(best, xs, power))
    cap = result.ceiling[(budget, kind)]
    ax.plot(xs, power, color=COLORS["planner"], lw=2)
    ax.axhline(budget / tasks, color=COLORS["neither"], ls=":", lw=1.5)
    ax.text(
        cap,
        budget / tasks,
        "no search: P / N ",
        ha="right",
        va="bottom",
        fontsize=FONT["legend"],
        color="#555555",
    )
    ax.plot([best], [at_best], "*", ms=14, color=COLORS["mesa_objective"], mec="black")
    ax.set_ylim(0, max(float(power.max()), budget / tasks) * 1.15)
    return style_axes(
        ax,
        f"{toy.FORMULAS[kind]}, c = {result.config.scale:g}: x* = {best:.2f}",
        "search power x built into the model",
        "(P − f(x)) / N + x",
    )


def draw_search_vs_tasks(
    ax: Axes, result, budget: float, kind: str, tasks: float | None = None
) -> Axes:
    """The optimal search power x* against the number N of task instances (log axis), from an
    ``optimization-power`` result."""
    best = result.optimum_by_tasks[(budget, kind)]
    ax.plot(result.task_axis, best, color=COLORS["mesa_objective"], lw=2, label="x*: search power")
    cap = result.ceiling[(budget, kind)]
    ax.axhline(cap, color=COLORS["neither"], ls=":", lw=1.5, label="budget spent: x_max")
    title = "More task instances, more search"
    if tasks is not None:
        key = (budget, float(tasks), kind)
        here, share = result.optimum[key], result.share[key]
        ax.plot([tasks], [here], "o", color="black", ms=7, label=f"N = {tasks:g}")
        title = f"P = {budget:g}, N = {tasks:g}: {share:.0%} of the power from search"
    ax.set_xscale("log")
    ax.set_xticks([1, 10, 100, 1000], ["1", "10", "100", "1000"])  # plain labels: no mathtext
    ax.minorticks_off()
    ax.set_ylim(0, cap * 1.12)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    return style_axes(ax, title, "task instances N (log scale)", "x*")


def search_toy_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two panels of the search-toy explorable: the power curve and x* against N."""
    left, right = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.92, bottom=0.15, top=0.9, wspace=0.35)
    return left, right


def draw_search_toy(
    panels: tuple[Axes, Axes], result, budget: float, tasks: float, kind: str
) -> None:
    """One explorable frame into :func:`search_toy_layout`'s panels: the power curve at (P, N)
    and x* against N."""
    left, right = panels
    draw_power_curve(left, result, budget, tasks, kind)
    draw_search_vs_tasks(right, result, budget, kind, tasks)


def render_search_toy(fig: Figure, result, budget: float, tasks: float, kind: str) -> None:
    """:func:`draw_search_toy` on a new figure."""
    draw_search_toy(search_toy_layout(fig), result, budget, tasks, kind)


def describe_search_toy(result, budget: float, tasks: float, kind: str) -> str:
    """Alt text of :func:`render_search_toy`."""
    key = (budget, float(tasks), kind)
    return (
        f"Toy model with cost {toy.FORMULAS[kind]}, c = {result.config.scale:g}, budget "
        f"P = {budget:g} and N = {tasks:g} task instances. Left: optimization power per task "
        f"against the search power x; it peaks at x* = {result.optimum[key]:.2f}. Right: x* rises "
        f"with N; at this N search supplies {result.share[key]:.0%} of the power each task gets."
    )


# ----------------------------------------------------------------------------- task diversity


def draw_success_by_size(
    ax: Axes, sizes: Sequence[int], success: Mapping[str, Sequence[float]], size: int | None = None
) -> Axes:
    """Success on fresh mazes against maze side, one line per model."""
    for model, values in success.items():
        ax.plot(sizes, values, lw=2, label=model, **SERIES[model])
    if size is not None:
        ax.axvline(size, color="black", lw=1, alpha=0.5)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xticks(list(sizes))
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="lower left")
    return style_axes(ax, None, "side of the test maze", "share of test mazes solved")


def draw_two_paths(ax: Axes, levels, paths: Mapping[str, np.ndarray], title: str) -> Axes:
    """One maze with each model's path, drawn slightly apart so overlapping paths stay visible."""
    draw_maze(ax, levels, 0, title=title)
    for i, (model, path) in enumerate(paths.items()):
        path = np.asarray(path, dtype=float)
        shift = (i - 0.5 * (len(paths) - 1)) * 0.18
        style = SERIES[model]
        ax.plot(
            path[:, 1] + shift,
            path[:, 0] + shift,
            color=style["color"],
            linestyle=style["linestyle"],
            lw=2.2,
            label=f"{model} path",
        )
        ax.plot(
            path[-1, 1] + shift, path[-1, 0] + shift, style["marker"], color=style["color"], ms=7
        )
    # The marker sits on the exit in these mazes, so the legend leaves it out.
    handles, labels = ax.get_legend_handles_labels()
    keep = [i for i, label in enumerate(labels) if "marker" not in label]
    ax.legend(
        [handles[i] for i in keep],
        [labels[i] for i in keep],
        fontsize=FONT["legend"],
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=2,
        columnspacing=0.8,
        handletextpad=0.3,
    )
    return ax


def task_diversity_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two panels of the task-diversity explorable: success by maze side, and one maze."""
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.2, top=0.9, wspace=0.15)
    return left, right


def draw_task_diversity(panels: tuple[Axes, Axes], result, train_levels: int, size: int) -> None:
    """One explorable frame of :mod:`demos.experiments.task_diversity` into
    :func:`task_diversity_layout`'s panels: success by size for one diversity, and both agents'
    paths in an example maze of the chosen side."""
    config = result.config
    i = config.train_levels.index(train_levels)
    j = config.test_sizes.index(size)
    left, right = panels
    draw_success_by_size(
        left, config.test_sizes, {m: result.test_success[m][i] for m in result.test_success}, size
    )
    left.set_title(
        f"Trained on {train_levels} maze{'s' if train_levels > 1 else ''} of side "
        f"{config.train_size}",
        fontsize=FONT["title"],
    )
    paths = {model: result.example_paths[model][i][j] for model in result.example_paths}
    draw_two_paths(right, result.example_levels[size], paths, f"A fresh {size}x{size} maze")


def render_task_diversity(fig: Figure, result, train_levels: int, size: int) -> None:
    """:func:`draw_task_diversity` on a new figure."""
    draw_task_diversity(task_diversity_layout(fig), result, train_levels, size)


def describe_task_diversity(result, train_levels: int, size: int) -> str:
    """Alt text of :func:`render_task_diversity`."""
    config = result.config
    i = config.train_levels.index(train_levels)
    j = config.test_sizes.index(size)
    planner = result.test_success["planner"][i, j]
    reactive = result.test_success["reactive"][i, j]
    reached = {
        model: bool(
            np.all(result.example_paths[model][i][j][-1] == result.example_levels[size].exit[0])
        )
        for model in result.example_paths
    }
    return (
        f"Models trained on {train_levels} distinct {config.train_size}x{config.train_size} mazes. "
        f"On fresh {size}x{size} mazes the planner solves {planner:.0%} and the reactive network "
        f"{reactive:.0%}. In the example maze the planner "
        f"{'reaches' if reached['planner'] else 'misses'} the exit and the reactive network "
        f"{'reaches' if reached['reactive'] else 'misses'} it."
    )


def draw_train_success(ax: Axes, train_levels: Sequence[int], success: Mapping) -> Axes:
    """Success on the training mazes themselves (what the base optimizer sees) by diversity."""
    for model, values in success.items():
        ax.plot(train_levels, values, lw=2, label=model, **SERIES[model])
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(train_levels), [str(n) for n in train_levels])
    ax.set_ylim(0.8, 1.02)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="lower left")
    return style_axes(
        ax,
        "What the base optimizer sees",
        "distinct training mazes",
        "share of training mazes solved",
    )


# ----------------------------------------------------------------------------- description length


def draw_description_lengths(ax: Axes, results: Mapping[str, object]) -> Axes:
    """Bits of the answer table (LZMA) against the planner's, log-log, for each maze size.

    Args:
        results: ``{label: DescriptionLengthResult}``, e.g. ``{"7x7": .., "11x11": ..}``.
    """
    planner_bits = None
    for i, (label, result) in enumerate(results.items()):
        color = CURVE_COLORS[(i + 1) % len(CURVE_COLORS)]
        style = ("--", ":", "-.")[i % 3]
        ax.plot(
            result.counts,
            result.table_bits_lzma,
            color=color,
            ls=style,
            marker="s",
            ms=4,
            lw=2,
            label=f"answer table, {label} (LZMA)",
        )
        if np.isfinite(result.crossover_lzma):
            ax.axvline(result.crossover_lzma, color=color, ls=style, lw=1, alpha=0.7)
        planner_bits = result.planner_bits
    ax.axhline(planner_bits, color=COLORS["planner"], lw=2.5, label="planner: code + weights")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = [int(n) for n in result.counts[::2]]
    ax.set_xticks(ticks, [str(n) for n in ticks])
    ax.minorticks_off()
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    return style_axes(ax, "Description length", "distinct mazes N (log scale)", "bits (log scale)")


# ----------------------------------------------------------------------------- planning budget


def draw_planning_budget(ax: Axes, result, size_index: int, cost_per_step: float) -> Axes:
    """Success and net value (success − cost·K) against K for one maze size of a
    ``planning-budget`` result, the chosen K* marked."""
    color = CURVE_COLORS[size_index % len(CURVE_COLORS)]
    curve = result.net_value(size_index, cost_per_step)
    steps, value = curve["steps"], curve["value"]
    best = result.best_steps(size_index, cost_per_step)
    size = result.config.sizes[size_index]
    ax.plot(steps, curve["success"], color=color, lw=1.5, ls=":", marker="o", ms=3, alpha=0.7)
    ax.plot(
        steps,
        value,
        color=color,
        lw=2,
        ls=("-", "--")[size_index % 2],
        label=f"{size}x{size}: K* = {best}",
    )
    ax.plot([best], [value[list(steps).index(best)]], "*", ms=15, color=color, mec="black")
    return ax


def planning_budget_layout(fig: Figure) -> Axes:
    """The one panel of the planning-budget explorable."""
    ax = fig.subplots()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.9)
    return ax


def draw_planning_budget_frame(ax: Axes, result, cost_per_step: float) -> None:
    """One explorable frame of :mod:`demos.experiments.planning_budget` into
    :func:`planning_budget_layout`'s axes: success and net value against K, every maze size."""
    for i in range(len(result.config.sizes)):
        draw_planning_budget(ax, result, i, cost_per_step)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks([0, *(int(k) for k in result.planning_steps)])
    ax.set_ylim(-0.6, 1.05)
    ax.legend(
        fontsize=FONT["legend"],
        frameon=False,
        loc="lower left",
        title="net value",
        title_fontsize=FONT["legend"],
    )
    style_axes(
        ax,
        f"Cost per planning step λ = {cost_per_step:g}",
        "planning steps K",
        "success (dotted), success − λ·K (solid)",
    )


def render_planning_budget(fig: Figure, result, cost_per_step: float) -> None:
    """:func:`draw_planning_budget_frame` on a new figure."""
    draw_planning_budget_frame(planning_budget_layout(fig), result, cost_per_step)


def describe_planning_budget(result, cost_per_step: float) -> str:
    """Alt text of :func:`render_planning_budget`."""
    parts = [
        f"{size}x{size} mazes: K* = {result.best_steps(i, cost_per_step)}"
        for i, size in enumerate(result.config.sizes)
    ]
    return (
        f"Success and net value against planning steps K with a cost of {cost_per_step:g} per "
        f"step. Best number of steps: " + "; ".join(parts) + " (K* = 0 means no search)."
    )


def draw_simplicity_time(ax: Axes, boundaries: Mapping[str, float]) -> Axes:
    """Which policy a base optimizer prefers under a time weight λ and a simplicity weight α.

    Args:
        boundaries: ``{label: alpha / lam on the boundary}`` from
            :func:`demos.training.compute_cost.simplicity_time_boundary`, one line per label;
            above a line the planner is the cheaper policy, below it the answer table.
    """
    lam = np.geomspace(1e-4, 1, 100)
    for i, (label, ratio) in enumerate(boundaries.items()):
        color = CURVE_COLORS[(i + 1) % len(CURVE_COLORS)]
        if np.isfinite(ratio):
            ax.plot(lam, ratio * lam, color=color, lw=2, ls=("-", "--", "-.")[i % 3], label=label)
            if i == len(boundaries) - 1:
                ax.fill_between(lam, ratio * lam, 1e3, color=COLORS["planner"], alpha=0.12)
                ax.fill_between(lam, 1e-9, ratio * lam, color=COLORS["reactive"], alpha=0.08)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lam[0], lam[-1])
    ax.set_ylim(1e-7, 1e-1)
    ax.text(2e-4, 2e-2, "planner cheaper", fontsize=FONT["label"], color=COLORS["planner"])
    ax.text(5e-2, 3e-7, "table cheaper", fontsize=FONT["label"], color=COLORS["reactive"])
    ax.legend(
        fontsize=FONT["legend"],
        frameon=False,
        loc="upper left",
        title="boundary at",
        title_fontsize=FONT["legend"],
        bbox_to_anchor=(0.0, 0.88),
    )
    return style_axes(
        ax,
        "Simplicity against speed",
        "time weight λ (per planning step)",
        "simplicity weight α (per bit)",
    )


# ----------------------------------------------------------------------------- in-context GD


def draw_matrix(ax: Axes, matrix: np.ndarray, title: str, limit: float | None = None) -> Axes:
    """A weight matrix as a diverging heatmap centred on zero, with faint cell borders."""
    matrix = np.asarray(matrix, dtype=float)
    limit = float(np.abs(matrix).max()) if limit is None else limit
    limit = limit if limit > 0 else 1.0
    ax.imshow(matrix, cmap=MATRIX_CMAP, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=FONT["legend"])
    return ax


def incontext_layout(fig: Figure) -> tuple[Axes, Axes, Axes, Axes, Axes]:
    """The panels of the in-context explorable: learned Q, learned P, GD's Q, GD's P (a 2x2 block
    of heatmaps) and the scatter of the two predictors' outputs."""
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.9], wspace=0.25, hspace=0.35)
    matrices = [fig.add_subplot(grid[row, col]) for row in (0, 1) for col in (0, 1)]
    ax = fig.add_subplot(grid[:, 2])
    fig.subplots_adjust(left=0.03, right=0.98, bottom=0.15, top=0.88)
    return (*matrices, ax)


def draw_incontext(panels: tuple[Axes, Axes, Axes, Axes, Axes], result, step: int) -> None:
    """One explorable frame of an ``incontext-gd`` result at one snapshot step into
    :func:`incontext_layout`'s panels: learned Q and P beside the GD construction, and the two
    predictors' outputs compared."""
    frame = result.replay_frame(step)
    learned_q, learned_p, gd_q, gd_p, ax = panels
    learned, constructed = frame["learned"], frame["constructed"]
    limit_q = max(np.abs(learned["key_query"]).max(), np.abs(constructed["key_query"]).max())
    limit_p = max(np.abs(learned["value"]).max(), np.abs(constructed["value"]).max())
    draw_matrix(learned_q, learned["key_query"], "learned Q", limit_q)
    draw_matrix(learned_p, learned["value"], "learned P", limit_p)
    draw_matrix(gd_q, constructed["key_query"], "GD's Q", limit_q)
    draw_matrix(gd_p, constructed["value"], "GD's P", limit_p)
    gd, layer = frame["gd"], frame["layer"]
    low, high = float(min(gd.min(), layer.min())), float(max(gd.max(), layer.max()))
    ax.plot([low, high], [low, high], color=COLORS["neither"], ls=":", lw=1.5, label="equal")
    ax.plot(
        gd,
        layer,
        "o",
        ms=3.5,
        color=SERIES["learned"]["color"],
        alpha=0.7,
        label="one prompt",
        linestyle="none",
    )
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    style_axes(
        ax,
        f"Step {step}: cosine {frame['cosine']:.3f}",
        "one step of GD predicts",
        "trained layer predicts",
    )


def render_incontext(fig: Figure, result, step: int) -> None:
    """:func:`draw_incontext` on a new figure."""
    draw_incontext(incontext_layout(fig), result, step)


def describe_incontext(result, step: int) -> str:
    """Alt text of :func:`render_incontext`."""
    frame = result.replay_frame(step)
    return (
        f"After {step} training steps: heatmaps of the layer's key-query matrix Q and value matrix "
        f"P next to the matrices that compute one step of gradient descent, and a scatter of the "
        f"layer's predictions against gradient descent's on {len(frame['gd'])} prompts (cosine "
        f"{frame['cosine']:.3f}; 1 means the same predictor)."
    )


# ----------------------------------------------------------------------------- learned backup


def kernel_mosaic(rows: Sequence[np.ndarray]) -> np.ndarray:
    """Stack rows of 3x3 kernels into one image, a blank (NaN) cell between neighbours.

    Args:
        rows: each an (A, 3, 3) array of kernels.

    Returns:
        (4 * len(rows) - 1, 4 * A - 1) float, NaN in the gaps.
    """
    count = len(rows[0])
    mosaic = np.full((4 * len(rows) - 1, 4 * count - 1), np.nan)
    for r, kernels in enumerate(rows):
        for a in range(count):
            mosaic[4 * r : 4 * r + 3, 4 * a : 4 * a + 3] = kernels[a]
    return mosaic


def vin_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two panels of the learned-backup explorable: the kernel mosaic (its ticks, labels and
    title set here) and success against K."""
    left, ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    left.set_xticks([4 * a + 1 for a in range(len(ACTION_NAMES))], ACTION_NAMES)
    left.set_yticks([1, 5], ["learned", "true"])
    left.tick_params(length=0, labelsize=FONT["tick"])
    for side in left.spines.values():
        side.set_visible(False)
    left.set_title("Where each action lands", fontsize=FONT["title"])
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.88, wspace=0.3)
    return left, ax


def draw_vin(panels: tuple[Axes, Axes], result, step: int) -> None:
    """One explorable frame of a ``vin-kernel`` result at one replay step into
    :func:`vin_layout`'s panels: the learned kernels against the true moves, and success against
    K (with the hard-coded planner's for comparison)."""
    from matplotlib import colormaps

    frame = result.replay_frame(step)
    discount = float(result.model.backup.discount)
    left, ax = panels
    mosaic = kernel_mosaic([frame["kernels"], true_kernels(discount)])
    cmap = colormaps[HEATMAP].with_extremes(bad="white")
    left.imshow(mosaic, cmap=cmap, vmin=0.0, vmax=discount)
    ks = list(result.config.test_ks)
    ax.plot(ks, frame["success"], lw=2, label="learned backup", **SERIES["learned"])
    if result.hard_coded_success_by_k:
        hard = [result.hard_coded_success_by_k[k] for k in ks]
        ax.plot(ks, hard, lw=2, label="hard-coded backup", **SERIES["hard-coded"])
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.minorticks_off()
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    style_axes(
        ax,
        f"Step {step}: kernel distance {frame['distance']:.2f}",
        "planning steps K at test time",
        "share of larger mazes solved",
    )


def render_vin(fig: Figure, result, step: int) -> None:
    """:func:`draw_vin` on a new figure."""
    draw_vin(vin_layout(fig), result, step)


def describe_vin(result, step: int) -> str:
    """Alt text of :func:`render_vin`."""
    frame = result.replay_frame(step)
    ks = list(result.config.test_ks)
    return (
        f"After {step} training steps: the five learned 3x3 backup kernels above the true moves "
        f"(distance {frame['distance']:.2f}, 0 is exact), and success on larger mazes rising "
        f"from {frame['success'][0]:.0%} at K = {ks[0]} to {frame['success'][-1]:.0%} at "
        f"K = {ks[-1]} planning steps."
    )
