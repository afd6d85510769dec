"""Figures of the learned planner (chapters 1, 2 and 3), in the book's one drawing style.

The learned planner (:mod:`demos.agents.learned_search`) is the book's search found by gradient
descent. Its figures, each a ``draw_*`` function that draws into an ``Axes`` (or one frame of an
:class:`~demos.figures.explorable.Explorable` into the Axes its ``*_layout`` made once), with a
``describe_*`` companion that gives the same frame's alt text:

- success against test-time iterations K at the training side and twice it, with the
  feed-forward baseline (:func:`draw_success_by_iterations`), split by start distance
  (:func:`draw_success_by_distance`), and one agent's walk as K grows (:func:`draw_iterations`);
- the search watched from inside: the cells whose state holds their move by iteration k, next to
  value iteration's frontier and dead-end filling (:func:`draw_frontier`), and the same over
  training snapshots (:func:`draw_forming`);
- objective drift beside the hand-written planner (:func:`draw_drift`);
- steering the search to another cell (:func:`draw_steering`, :func:`draw_steering_walk`).

Colours: the learned planner in reddish purple (solid), the feed-forward baseline in vermillion
(dashed), the hand-written planner in blue; covered cells are shaded sky blue. Nothing here trains
or measures; :func:`iteration_paths` only walks one level for the explorable.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from demos.analysis.search_frontier import dead_end_frontier
from demos.analysis.search_success import horizon
from demos.core.validation import check_int
from demos.experiments.learned_frontier import LearnedFrontierResult
from demos.experiments.learned_objective import LearnedObjectiveResult
from demos.experiments.learned_planner import LearnedPlannerResult
from demos.experiments.learned_proxy_shift import LearnedProxyShiftResult
from demos.figures.maze_raster import draw_maze_row, mask_shade
from demos.figures.style import COLORS, FONT, OKABE_ITO, style_axes
from demos.training.learned_search_training import FEEDFORWARD_DEPTH
from demos.training.rollouts import rollout

LEARNED = {"color": OKABE_ITO["reddish_purple"], "linestyle": "-", "marker": "o"}
"""Line style of the learned planner."""
FEEDFORWARD = {"color": COLORS["reactive"], "linestyle": "--", "marker": "s"}
"""Line style of the feed-forward baseline."""
HANDWRITTEN = {"color": COLORS["planner"], "linestyle": "-.", "marker": "D"}
"""Line style of the hand-written planner."""
COVERED = OKABE_ITO["sky_blue"]
"""Shade of the cells a search has covered."""
OUTCOMES = {
    "exit": (COLORS["exit"], ""),
    "proxy": (COLORS["proxy"], "//"),
    "neither": (COLORS["neither"], ".."),
}
"""Colour and hatch of each settle outcome in stacked bars."""
B_SYMBOL = {"marker": "X", "color": OKABE_ITO["reddish_purple"], "mec": "black"}
"""How the steering target B is drawn (a cross, so it is told from exit, marker and start)."""


def _as_list(results) -> list:
    return list(results) if isinstance(results, Sequence) else [results]


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def row_layout(fig: Figure, ratios: Sequence[float], margins: Sequence[float]):
    """One row of Axes with these width ratios and ``fig.subplots_adjust(*margins)`` (left, bottom,
    right, top, wspace), made once for an explorable: the Axes (one Axes for one ratio)."""
    axes = fig.subplots(1, len(ratios), gridspec_kw={"width_ratios": list(ratios)})
    fig.subplots_adjust(*margins)
    return axes


iterations_layout = partial(row_layout, ratios=(1, 1.25), margins=(0.01, 0.17, 0.98, 0.87, 0.22))
frontier_layout = partial(row_layout, ratios=(1,), margins=(0.01, 0.02, 0.99, 0.8))
forming_layout = partial(row_layout, ratios=(1, 1.6), margins=(0.01, 0.17, 0.97, 0.8, 0.22))
steering_walk_layout = partial(row_layout, ratios=(1,), margins=(0.02, 0.02, 0.98, 0.88))


# ----------------------------------------------------------------------- success against K


def draw_success_by_iterations(
    ax: Axes,
    results: LearnedPlannerResult | Sequence[LearnedPlannerResult],
    highlight=None,
    legend: bool = True,
) -> Axes:
    """Greedy success against test-time iterations K (evenly spaced K values), at the training
    side (solid, circles) and the larger side (dashed, squares), median over the results (seeds)
    with their range shaded; the baseline's success as flat lines (it has one depth).

    Args:
        ax: the Axes.
        results: one result or several (seeds) of ``learned-planner``.
        highlight: optional K to mark with a vertical line (an explorable's value).
        legend: name the lines in a legend beside the plot (else in the figure's caption).
    """
    results = _as_list(results)
    first = results[0]
    ticks = sorted(set(first.success_train_size) | set(first.success_large))
    where = {k: i for i, k in enumerate(ticks)}
    sizes = {"train_size": (9, "-", "o"), "large": (first.config.large_size, "--", "s")}
    for key, (side, line, marker) in sizes.items():
        table = [r.success_train_size if key == "train_size" else r.success_large for r in results]
        ks = sorted(table[0])
        xs = [where[k] for k in ks]
        values = np.array([[t[k] for k in ks] for t in table])
        ax.plot(xs, np.median(values, axis=0), color=LEARNED["color"], linestyle=line,
                marker=marker, lw=2, label=f"learned, {side}x{side}")  # fmt: skip
        if len(results) > 1:
            ax.fill_between(xs, values.min(0), values.max(0), color=LEARNED["color"], alpha=0.15)
        if first.feedforward is not None:
            flat = float(np.median([r.feedforward_success[key] for r in results]))
            ax.axhline(flat, color=FEEDFORWARD["color"], lw=2,
                       linestyle=line if key == "train_size" else ":",
                       label=f"feed-forward, {side}x{side}")  # fmt: skip
    if highlight is not None:
        ax.axvline(where[highlight], color="black", lw=1, alpha=0.6)
    ax.set_xticks(range(len(ticks)), [str(k) for k in ticks])
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks([0, 0.5, 1])
    style_axes(ax, "Success against iterations", "test-time iterations K", "share solved")
    if legend:
        ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0))  # fmt: skip
    return ax


def describe_success_by_iterations(results) -> str:
    """Alt text of :func:`draw_success_by_iterations`."""
    results = _as_list(results)
    first = results[0]
    small, large = first.success_train_size, first.success_large
    low_k, high_k = min(large), max(large)
    median = lambda key, k: float(  # noqa: E731
        np.median(
            [(r.success_train_size if key == "small" else r.success_large)[k] for r in results]
        )
    )
    text = (
        f"Line chart of the share of mazes the learned search solves against the number of "
        f"iterations K. On 9x9 mazes it rises from {_percent(median('small', min(small)))} at "
        f"K = {min(small)} to {_percent(median('small', max(small)))} at K = {max(small)}; on "
        f"{first.config.large_size}x{first.config.large_size} mazes from "
        f"{_percent(median('large', low_k))} at K = {low_k} to "
        f"{_percent(median('large', high_k))} at K = {high_k}."
    )
    if first.feedforward is not None:
        ff = [r.feedforward_success for r in results]
        text += (
            f" The feed-forward network solves {_percent(np.median([f['train_size'] for f in ff]))}"
            f" and {_percent(np.median([f['large'] for f in ff]))} at the two sides, whatever K."
        )
    return text


def draw_success_by_distance(
    ax: Axes, results: LearnedPlannerResult | Sequence[LearnedPlannerResult]
) -> Axes:
    """Success on the larger mazes split by how far the start is from the exit (near: at most
    the baseline's depth): the baseline, the learned search at K = that depth, and at the
    largest K; medians over the results (seeds)."""
    results = _as_list(results)
    largest = max(results[0].success_large)
    bars = [(f"learned, K = {FEEDFORWARD_DEPTH}", FEEDFORWARD_DEPTH, LEARNED["color"], "")]
    bars.append((f"learned, K = {largest}", largest, LEARNED["color"], "xx"))
    groups = ("near", "far")
    width = 0.26
    offset = 0
    if results[0].feedforward is not None:
        values = [np.median([r.feedforward_success[g] for r in results]) for g in groups]
        ax.bar(np.arange(2) - width, values, width, color=FEEDFORWARD["color"], hatch="//",
               edgecolor="white", label=f"feed-forward, depth {FEEDFORWARD_DEPTH}")  # fmt: skip
    for name, k, color, hatch in bars:
        values = [np.median([r.large_split[k][g] for r in results]) for g in groups]
        ax.bar(np.arange(2) + offset, values, width, color=color, hatch=hatch, edgecolor="white",
               alpha=1.0 if not hatch else 0.6, label=name)  # fmt: skip
        offset += width
    ax.set_xticks(
        np.arange(2),
        [f"start <= {FEEDFORWARD_DEPTH} steps\nfrom the exit", f"start > {FEEDFORWARD_DEPTH}"],
        fontsize=FONT["tick"],
    )
    ax.set_ylim(0, 1.05)
    side = results[0].config.large_size
    style_axes(ax, f"Success on {side}x{side} mazes by start distance", None, "share solved")
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="upper right")
    return ax


def describe_success_by_distance(results) -> str:
    """Alt text of :func:`draw_success_by_distance`."""
    results = _as_list(results)
    largest = max(results[0].success_large)
    at = lambda k, g: _percent(np.median([r.large_split[k][g] for r in results]))  # noqa: E731
    text = (
        f"Bar chart of success on the larger mazes for starts at most {FEEDFORWARD_DEPTH} steps "
        f"from the exit and farther. The learned search at K = {FEEDFORWARD_DEPTH} solves "
        f"{at(FEEDFORWARD_DEPTH, 'near')} of near and {at(FEEDFORWARD_DEPTH, 'far')} of far "
        f"starts, at K = {largest} {at(largest, 'near')} and {at(largest, 'far')}."
    )
    if results[0].feedforward is not None:
        ff = [r.feedforward_success for r in results]
        text += (
            f" The feed-forward network solves {_percent(np.median([f['near'] for f in ff]))} of "
            f"near and {_percent(np.median([f['far'] for f in ff]))} of far starts."
        )
    return text


def iteration_paths(
    result: LearnedPlannerResult, index: int = 0, iterations: Sequence[int] | None = None
) -> dict[int, np.ndarray]:
    """The greedy agent's path on larger maze ``index`` after each K (default the result's grid):
    ``{K: (T + 1, 2) cells}``, for :func:`draw_iterations`."""
    levels = result.levels["large"]
    index = check_int("index", index, 0, len(levels) - 1)
    one = levels.subset(index)
    ks = sorted(result.success_large) if iterations is None else sorted(iterations)
    with torch.no_grad():
        run = result.model.trajectory(one, ks)
    return {k: rollout(one, run[k]["logits"], steps=horizon(one.size)).paths[0] for k in ks}


def _walk_until_exit(path: np.ndarray, exit_cell) -> tuple[np.ndarray, bool]:
    hits = np.flatnonzero(np.all(path == np.asarray(exit_cell), axis=1))
    return (path[: hits[0] + 1], True) if len(hits) else (path, False)


def draw_iterations(
    panels, result: LearnedPlannerResult, paths: dict[int, np.ndarray], k: int, index: int = 0
) -> None:
    """Into ``iterations_layout``'s (maze, success) Axes. Left: a larger maze and the greedy
    agent's walk after K = ``k`` iterations (to the exit, or its whole horizon). Right: success
    against K, ``k`` marked (solid: training side, dashed: larger; purple: learned search)."""
    levels = result.levels["large"]
    left, right = panels
    path, reached = _walk_until_exit(paths[k], levels.exit[index])
    verdict = "reaches the exit" if reached else "does not arrive"
    draw_maze_row(left, levels, index, [None], [f"K = {k}: {verdict}"], paths=[path])
    draw_success_by_iterations(right, result, highlight=k, legend=False)


def showcase_index(result: LearnedPlannerResult) -> int:
    """A larger test maze worth watching: among those the learned search solves at the largest K
    but not at the baseline's depth, the one whose start is farthest from the exit (else 0)."""
    levels = result.levels["large"]
    largest = max(result.success_large)
    solved = result.large_reached
    if FEEDFORWARD_DEPTH not in solved or largest not in solved:
        with torch.no_grad():
            run = result.model.trajectory(levels, [FEEDFORWARD_DEPTH, largest])
        solved = {
            k: rollout(levels, run[k]["logits"], steps=horizon(levels.size)).reached_exit
            for k in run
        }
    candidates = np.flatnonzero(solved[largest] & ~solved[FEEDFORWARD_DEPTH])
    if not len(candidates):
        return 0
    rows = np.arange(len(levels))
    distance = levels.distances("exit")[rows, levels.start[:, 0], levels.start[:, 1]]
    return int(candidates[np.argmax(distance[candidates])])


def describe_iterations(
    result: LearnedPlannerResult, paths: dict[int, np.ndarray], k: int, index: int = 0
) -> str:
    """Alt text of :func:`draw_iterations`."""
    levels = result.levels["large"]
    path, reached = _walk_until_exit(paths[k], levels.exit[index])
    side = levels.size
    walk = (
        f"reaches the exit in {len(path) - 1} steps"
        if reached
        else "does not reach the exit within its horizon"
    )
    return (
        f"A {side}x{side} maze walked by the learned search's greedy agent after K = {k} "
        f"iterations: it {walk}. Beside it, success on {side}x{side} mazes is "
        f"{_percent(result.success_large[k])} at this K. " + describe_success_by_iterations(result)
    )


# ----------------------------------------------------------------------- the search inside


def frontiers(result: LearnedFrontierResult, k: int, index: int = 0) -> dict[str, np.ndarray]:
    """The three covered regions of test maze ``index`` after ``k`` iterations, (H, W) bool each:
    ``{"learned", "value_iteration", "dead_end_filling"}`` (value iteration's region is the cells
    at most k moves from the exit)."""
    k = check_int("k", k, 0)
    reading = result.reading
    dist = reading.dist[index]
    return {
        "learned": reading.arrived(k)[index],
        "value_iteration": (dist >= 0) & (dist <= k),
        "dead_end_filling": dead_end_frontier(reading.heights[index], k),
    }


FRONTIER_TITLES = {
    "learned": "learned search",
    "value_iteration": "value iteration",
    "dead_end_filling": "dead-end filling",
}
"""Panel titles of :func:`draw_frontier`."""


def draw_frontier(ax: Axes, result: LearnedFrontierResult, k: int, index: int = 0) -> None:
    """Into ``frontier_layout``'s Axes: one test maze after ``k`` iterations, thrice, shaded where
    the learned search's state holds the move to the exit for good (a linear probe), where value
    iteration has reached (at most k moves from the exit), and where dead-end filling has settled
    (branch behind them shallower than k)."""
    free = result.reading.dist[index] >= 0
    masks = frontiers(result, k, index)
    titles = [
        f"{FRONTIER_TITLES[name]}: {_percent(mask[free].mean())}" for name, mask in masks.items()
    ]
    shades = [mask_shade(mask, COVERED) for mask in masks.values()]
    draw_maze_row(ax, result.levels, index, shades, titles)
    ax.figure.suptitle(f"Cells covered after k = {k} iterations", fontsize=FONT["title"])


def describe_frontier(result: LearnedFrontierResult, k: int, index: int = 0) -> str:
    """Alt text of :func:`draw_frontier`."""
    free = result.reading.dist[index] >= 0
    shares = {name: mask[free].mean() for name, mask in frontiers(result, k, index).items()}
    side = result.levels.size
    return (
        f"Three copies of a {side}x{side} maze after {k} iterations with covered cells shaded. "
        f"Learned search: {_percent(shares['learned'])} of the free cells hold their move to the "
        f"exit for good; value iteration: {_percent(shares['value_iteration'])} (the cells within "
        f"{k} moves of the exit); dead-end filling: {_percent(shares['dead_end_filling'])}."
    )


def _forming_step(result: LearnedFrontierResult, step: int):
    if not result.forming:
        raise ValueError("result must hold training snapshots (run with forming=True)")
    steps = [f.step for f in result.forming]
    if step not in steps:
        raise ValueError(f"step must be one of the snapshot steps {steps}, got {step!r}")
    return result.forming[steps.index(step)]


def arrival_shade(arrival: np.ndarray, last: int) -> np.ndarray:
    """(H, W, 4) RGBA: each cell coloured by the iteration at which its move became right for
    good (viridis, light: early, dark: late); transparent where it never did within ``last``."""
    from matplotlib import colormaps

    arrival = np.asarray(arrival)
    shade = np.zeros(arrival.shape + (4,))
    reached = arrival >= 1
    shade[reached] = colormaps["viridis_r"](
        np.clip((arrival[reached] - 1) / max(last - 1, 1), 0, 1)
    )
    shade[reached, 3] = 0.85
    return shade


def value_iteration_by_k(dist: np.ndarray, last: int) -> np.ndarray:
    """(last,) the share of cells (free, not the exit) whose value-iteration move is right after
    k = 1 .. last backups: those at most k moves from the exit, given BFS distances ``dist``
    (-1 on walls)."""
    dist = np.asarray(dist)
    movable = dist > 0
    return np.array([(movable & (dist <= k)).sum() / movable.sum() for k in range(1, last + 1)])


def draw_forming(panels, result: LearnedFrontierResult, step: int, index: int = 0) -> None:
    """Into ``forming_layout``'s (maze, curves) Axes: the search forming at training step ``step``.
    Left: one maze, each cell coloured by the iteration from which the model's own move there is
    right for good (light: early, dark: late, white: never). Right: the share of cells whose move
    is right against the iteration k, for this snapshot (solid) and the trained model (dotted): a
    search rises with k. The title gives the snapshot's success."""
    snap = _forming_step(result, step)
    final = result.forming[-1]
    last = result.config.forming_iterations
    left, right = panels
    shade = arrival_shade(snap.reading.own_arrival[index], last)
    draw_maze_row(left, result.forming_levels, index, [shade], ["when moves settle"])
    ks = np.arange(1, last + 1)
    right.plot(ks, value_iteration_by_k(snap.reading.dist, last), color=HANDWRITTEN["color"],
               linestyle=HANDWRITTEN["linestyle"], lw=1.5)  # fmt: skip
    right.plot(ks, final.reading.own_accuracy_by_k, color="black", linestyle=":", lw=1.5)
    right.plot(ks, snap.reading.own_accuracy_by_k, color=LEARNED["color"], lw=2.5)
    right.set_ylim(0, 1.02)
    right.set_yticks([0, 0.5, 1])
    right.set_xticks([1, last // 3, 2 * last // 3, last])
    style_axes(right, "Right moves (dotted: trained; dash-dot: value iteration)", "iteration k",
               "share of cells", grid=False)  # fmt: skip
    right.figure.suptitle(f"After {step} training steps: {_percent(snap.success)} of test "
                          "mazes solved", fontsize=FONT["title"])  # fmt: skip


def render_forming(fig: Figure, result: LearnedFrontierResult, step: int, index: int = 0) -> None:
    """:func:`draw_forming` on a new figure."""
    draw_forming(forming_layout(fig), result, step, index)


def describe_forming(result: LearnedFrontierResult, step: int, index: int = 0) -> str:
    """Alt text of :func:`draw_forming`."""
    snap = _forming_step(result, step)
    accuracy = snap.reading.own_accuracy_by_k
    vi = value_iteration_by_k(snap.reading.dist, result.config.forming_iterations)
    size = result.forming_levels.size
    return (
        f"The learned search after {step} training steps. Left: a {size}x{size} maze whose cells "
        f"are coloured by the iteration at which the model's move there became right for good. "
        f"Right: the share of cells with the right move goes from {_percent(accuracy[0])} after "
        f"one iteration to {_percent(accuracy[-1])} after {len(accuracy)} (the trained model: "
        f"{_percent(result.forming[-1].reading.own_accuracy_by_k[0])} to "
        f"{_percent(result.forming[-1].reading.own_accuracy_by_k[-1])}; hand-written value "
        f"iteration: {_percent(vi[0])} to {_percent(vi[-1])}). Title: "
        f"{_percent(snap.success)} of the test mazes solved at this step."
    )


# ----------------------------------------------------------------------- objective drift


def drift_rates(results: Sequence[LearnedProxyShiftResult]) -> dict[float, dict[str, dict]]:
    """Mean settle rates over seeds by q: ``{q: {"learned": {exit, proxy, neither},
    "hand-written": {...}}}`` (the hand-written entry only where it was run)."""
    by_q: dict[float, list] = {}
    for result in results:
        by_q.setdefault(result.config.decorrelated_fraction, []).append(result)
    out = {}
    for q, group in sorted(by_q.items()):
        rates = {"learned": {o: float(np.mean([r.test_rates[o] for r in group])) for o in OUTCOMES}}
        written = [r.handwritten for r in group if r.handwritten]
        if written:
            rates["hand-written"] = {o: float(np.mean([w[o] for w in written])) for o in OUTCOMES}
        out[q] = rates
    return out


def draw_drift(
    ax: Axes, results: Sequence[LearnedProxyShiftResult], model: str = "learned"
) -> Axes:
    """Where test agents settle (stacked: exit, proxy, neither), mean over seeds, for each q, for
    one model: ``"learned"`` or ``"hand-written"``."""
    table = drift_rates(results)
    for i, rates in enumerate(table.values()):
        if model not in rates:
            raise ValueError(f"model must be one of {list(rates)}, got {model!r}")
        bottom = 0.0
        for outcome, (color, hatch) in OUTCOMES.items():
            share = rates[model][outcome]
            ax.bar(i, share, 0.6, bottom=bottom, color=color, hatch=hatch, edgecolor="white",
                   label=outcome if i == 0 else None)  # fmt: skip
            bottom += share
    ax.set_xticks(range(len(table)), [f"{q:g}" for q in table])
    ax.set_ylim(0, 1)
    title = "learned planner" if model == "learned" else "hand-written planner"
    style_axes(ax, title, "decorrelated share q", "share of agents")
    return ax


def render_drift(fig: Figure, results: Sequence[LearnedProxyShiftResult]) -> None:
    """Two panels of :func:`draw_drift`: the learned planner beside the hand-written one (or the
    learned planner alone if the hand-written one was not run)."""
    models = list(next(iter(drift_rates(results).values())))
    axes = np.atleast_1d(fig.subplots(1, len(models), sharey=True))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.3, top=0.88, wspace=0.12)
    for ax, model in zip(axes, models, strict=True):
        draw_drift(ax, results, model)
    for ax in axes[1:]:
        ax.set_ylabel("")
    middle = 0.5 * len(models) + 0.05 * (len(models) - 1)
    axes[0].legend(fontsize=FONT["legend"], frameon=False, loc="upper center", ncol=3,
                   bbox_to_anchor=(middle, -0.22))  # fmt: skip


def describe_drift(results: Sequence[LearnedProxyShiftResult]) -> str:
    """Alt text of :func:`draw_drift`."""
    parts = []
    for q, rates in drift_rates(results).items():
        words = [
            f"{model} planner {_percent(r['exit'])} exit, {_percent(r['proxy'])} proxy, "
            f"{_percent(r['neither'])} neither"
            for model, r in rates.items()
        ]
        parts.append(f"at q = {q:g}: " + "; ".join(words))
    return "Stacked bars of where test agents settle. " + ". ".join(parts) + "."


# ----------------------------------------------------------------------- steering


def draw_steering(ax: Axes, result: LearnedObjectiveResult) -> Axes:
    """Where agents settle under each edit of the state (stacked horizontal bars): on the cell B
    the edit points at, on the real exit, or neither."""
    names = list(result.steering)
    parts = {
        "on B": (B_SYMBOL["color"], "xx"),
        "on the exit": (COLORS["exit"], ""),
        "neither": (COLORS["neither"], ".."),
    }
    left = np.zeros(len(names))
    for (label, (color, hatch)), attribute in zip(
        parts.items(), ("on_b", "on_exit", "neither"), strict=True
    ):
        values = np.array([getattr(result.steering[n], attribute) for n in names])
        ax.barh(range(len(names)), values, left=left, color=color, hatch=hatch, edgecolor="white",
                label=label)  # fmt: skip
        left += values
    ax.set_yticks(range(len(names)), names, fontsize=FONT["tick"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    style_axes(ax, "Steering the learned search", "share of agents", None, grid=False)
    ax.legend(fontsize=FONT["legend"], frameon=False, ncol=3, loc="upper center",
              bbox_to_anchor=(0.5, -0.2))  # fmt: skip
    return ax


def describe_steering(result: LearnedObjectiveResult) -> str:
    """Alt text of :func:`draw_steering`."""
    words = [
        f"{name}: {_percent(o.on_b)} on B, {_percent(o.on_exit)} on the exit"
        for name, o in result.steering.items()
    ]
    return (
        "Stacked bars of where agents settle under each edit of the state. "
        + "; ".join(words)
        + "."
    )


def draw_steering_walk(ax: Axes, result: LearnedObjectiveResult, edit: str, index: int = 0) -> None:
    """Into ``steering_walk_layout``'s Axes, one steering maze: the cell B (cross), the exit
    (star), and the greedy walk under ``edit`` (one of the result's edits)."""
    if edit not in result.steering:
        raise ValueError(f"edit must be one of {list(result.steering)}, got {edit!r}")
    path = result.steering[edit].walk.paths[index]
    style = {**B_SYMBOL, "ms": 14 * 7 / result.steer_levels.size}
    draw_maze_row(ax, result.steer_levels, index, [None], [f"edit: {edit}"], paths=[path],
                  extra=[(result.cells_b[index], style)])  # fmt: skip


def describe_steering_walk(result: LearnedObjectiveResult, edit: str, index: int = 0) -> str:
    """Alt text of :func:`draw_steering_walk`."""
    walk = result.steering[edit].walk
    final = walk.final_positions[index]
    where = (
        "on B"
        if np.array_equal(final, result.cells_b[index])
        else "on the exit"
        if np.array_equal(final, result.steer_levels.exit[index])
        else "elsewhere"
    )
    return (
        f"A {result.steer_levels.size}x{result.steer_levels.size} maze with the exit and another "
        f"cell B marked; under the edit '{edit}' the greedy agent's walk ends {where}."
    )


# ----------------------------------------------------------------------- explorables


def iterations_explorable(result: LearnedPlannerResult, index: int | None = None, **options):
    """An :class:`~demos.figures.explorable.Explorable` of :func:`draw_iterations` over the
    result's larger-maze K grid (``index`` default :func:`showcase_index`); ``options`` go to
    the Explorable (``label``, ``caption``, ...)."""
    from demos.figures.explorable import Explorable

    index = showcase_index(result) if index is None else index
    paths = iteration_paths(result, index)
    ks = sorted(paths)
    return Explorable(
        lambda panels, k: draw_iterations(panels, result, paths, k, index),
        {"k": ks},
        alt=lambda k: describe_iterations(result, paths, k, index),
        labels={"k": "iterations K"},
        initial={"k": FEEDFORWARD_DEPTH if FEEDFORWARD_DEPTH in ks else ks[len(ks) // 2]},
        **{"figsize": (9.5, 3.8), "layout": iterations_layout, **options},
    )


def frontier_explorable(result: LearnedFrontierResult, index: int = 0, **options):
    """An Explorable of :func:`draw_frontier` over iterations k (powers of two and the steps
    between them, up to the result's last iteration)."""
    from demos.figures.explorable import Explorable

    last = result.config.iterations
    ks = sorted(
        {k for k in (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256) if k <= last}
        | {last}
    )
    return Explorable(
        lambda ax, k: draw_frontier(ax, result, k, index),
        {"k": ks},
        alt=lambda k: describe_frontier(result, k, index),
        labels={"k": "iterations k"},
        initial={"k": 8 if 8 in ks else ks[0]},
        **{"figsize": (9.5, 3.7), "layout": frontier_layout, **options},
    )


def forming_explorable(result: LearnedFrontierResult, index: int = 0, **options):
    """An Explorable of :func:`draw_forming` over the training snapshots."""
    from demos.figures.explorable import Explorable

    steps = [f.step for f in result.forming]
    if not steps:
        raise ValueError("result must hold training snapshots (run with forming=True)")
    return Explorable(
        lambda panels, step: draw_forming(panels, result, step, index),
        {"step": steps},
        alt=lambda step: describe_forming(result, step, index),
        labels={"step": "training step"},
        initial={"step": steps[len(steps) // 3]},
        **{"figsize": (10.5, 3.6), "layout": forming_layout, **options},
    )


def steering_explorable(
    result: LearnedObjectiveResult, indices: Sequence[int] = (0, 1, 2), **options
):
    """An Explorable of :func:`draw_steering_walk` over the edits and a few steering mazes."""
    from demos.figures.explorable import Explorable

    edits = list(result.steering)
    return Explorable(
        lambda ax, edit, maze: draw_steering_walk(ax, result, edit, maze),
        {"edit": edits, "maze": list(indices)},
        alt=lambda edit, maze: describe_steering_walk(result, edit, maze),
        labels={"edit": "edit of the state", "maze": "maze"},
        initial={
            "edit": next((e for e in edits if e.startswith("add and erase")), edits[0]),
            "maze": indices[0],
        },
        **{"figsize": (4.2, 4.2), "layout": steering_walk_layout, **options},
    )
