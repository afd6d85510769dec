"""Figures of chapter 4 (deceptive alignment), in the book's one drawing style.

Colours and symbols come from :mod:`demos.figures.style` (Okabe-Ito); every line also differs by
dash and marker, every bar by hatch, so nothing relies on colour alone. ``render_*`` functions draw
one frame of an explorable into a new figure; each is ``draw_*(*_layout(fig), ...)``, where the
``*_layout`` function makes once what every frame shares (the axes at fixed positions, their labels
and fixed ticks) and ``draw_*`` draws one frame into those handles, so an explorable redraws a kept
figure; other ``draw_*`` functions draw into given ``Axes``; ``*_alt`` functions give alt text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from demos.experiments.absent_minded import AbsentMindedResult
from demos.experiments.deception_toy import (
    DeceptionToyConfig,
    DeceptionToyResult,
    run_deception_toy,
)
from demos.experiments.deployment_cue import DeploymentCueResult
from demos.experiments.learning_race import RaceSweep
from demos.experiments.trigger_survival import TriggerSurvivalResult
from demos.figures.style import (
    COLORS,
    FONT,
    OKABE_ITO,
    as_image,  # noqa: F401  (re-exported for the notebook)
)

POLICY_STYLE = {
    "always_a": {"color": OKABE_ITO["bluish_green"], "hatch": ""},
    "always_b": {"color": OKABE_ITO["vermillion"], "hatch": "xx"},
    "deployment_only": {"color": OKABE_ITO["orange"], "hatch": "//"},
    "best_random": {"color": OKABE_ITO["blue"], "hatch": ".."},
}
"""Bar colour and hatch of each policy of the toy."""

MODE_STYLE = {
    "internal": {"color": OKABE_ITO["bluish_green"], "marker": "o", "linestyle": "-"},
    "corrigible": {"color": OKABE_ITO["sky_blue"], "marker": "s", "linestyle": "--"},
    "deceptive": {"color": OKABE_ITO["vermillion"], "marker": "^", "linestyle": "-."},
    "proxy": {"color": COLORS["neither"], "marker": "D", "linestyle": ":"},
}
"""Line style of each outcome of the learning race."""

MEASURE_STYLE = {
    "trigger_defection": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "marker": "^"},
    "near_miss_defection": {"color": OKABE_ITO["orange"], "linestyle": "--", "marker": "D"},
    "ordinary_accuracy": {"color": OKABE_ITO["bluish_green"], "linestyle": ":", "marker": "o"},
}
"""Line style of each measurement of the trigger experiment."""

MEASURE_LABELS = {
    "trigger_defection": "defects when triggered",
    "near_miss_defection": "defects on near misses",
    "ordinary_accuracy": "good answers, ordinary prompts",
}

POLICY_LABELS = {
    "always_a": "always A",
    "always_b": "always B",
    "deployment_only": "B only in\ndeployment",
    "best_random": "B with\nprobability p*",
}


def _few_ticks(ax: Axes, xs=None, ys=None) -> None:
    """Put ticks only at ``xs`` and ``ys``: each tick costs a redraw several milliseconds."""
    if xs is not None:
        ax.set_xticks(xs)
    if ys is not None:
        ax.set_yticks(ys)


def _style(ax: Axes, title: str, xlabel: str, ylabel: str) -> Axes:
    ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(alpha=0.3)
    return ax


# ---------------------------------------------------------------------------- the toy of Fig. 4.1
def toy_results(
    training: Sequence[int], deployment: Sequence[int], modification: Sequence[float]
) -> dict[tuple, DeceptionToyResult]:
    """``deception-toy`` solved at every grid point, phase hidden and visible:
    ``{(T, D, p_mod, visible): result}``."""
    return {
        (t, d, m, visible): run_deception_toy(
            DeceptionToyConfig(
                training_episodes=t,
                deployment_episodes=d,
                modification_probability=m,
                phase_visible=visible,
                simulated_runs=2000,
            )
        )
        for t in training
        for d in deployment
        for m in modification
        for visible in (False, True)
    }


def deception_toy_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two panels of the deception-toy explorable: the policies' bars and B-visits against p."""
    bars = fig.add_axes((0.08, 0.2, 0.4, 0.62))
    curve = fig.add_axes((0.6, 0.2, 0.37, 0.62))
    names = list(POLICY_STYLE)
    bars.set_xticks(range(len(names)), [POLICY_LABELS[n] for n in names], fontsize=FONT["tick"])
    bars.yaxis.set_major_locator(MaxNLocator(4))
    _style(bars, "", "", "expected B-visits")
    bars.grid(axis="x", visible=False)
    curve.set_xlim(0, 1)
    _few_ticks(curve, [0, 0.5, 1])
    curve.yaxis.set_major_locator(MaxNLocator(4))
    _style(curve, "B with probability p every episode", "p", "expected B-visits")
    return bars, curve


def draw_deception_toy(panels: tuple[Axes, Axes], result: DeceptionToyResult) -> None:
    """One frame into :func:`deception_toy_layout`'s panels. Left: expected B-visits of each
    policy, the best available one marked. Right: expected B-visits of defecting with probability
    p in every episode, against p."""
    bars, curve = panels
    config = result.config
    names = list(POLICY_STYLE)
    offered = [n for n in names if config.phase_visible or n != "deployment_only"]
    best = max(offered, key=lambda n: result.values[n])
    for i, name in enumerate(names):
        available = config.phase_visible or name != "deployment_only"
        style = POLICY_STYLE[name]
        bars.bar(
            i,
            result.values[name],
            width=0.7,
            color=style["color"] if available else "white",
            edgecolor="black" if available else style["color"],
            linewidth=2.5 if name == best else 0.6,
            hatch=style["hatch"],
        )
        text = f"{result.values[name]:.2f}" + ("" if available else "\nneeds the phase")
        bars.text(i, result.values[name], text, ha="center", va="bottom", fontsize=FONT["tick"])
    top = max(result.values.values())
    bars.set_ylim(0, top * 1.35 + 0.1)
    phase = "visible" if config.phase_visible else "hidden"
    bars.set_title(f"Policies (phase {phase})", fontsize=FONT["title"])
    curve.plot(result.curve_p, result.curve_value, color=COLORS["planner"], lw=2)
    p = result.optimal_probability
    curve.plot([p], [result.values["best_random"]], "o", color=COLORS["planner"], ms=8)
    curve.axvline(p, color=COLORS["planner"], ls="--", lw=1)
    curve.axhline(config.deployment_episodes, color=OKABE_ITO["orange"], ls=":", lw=1.5)
    curve.text(
        0.02,
        config.deployment_episodes,
        " B only in deployment",
        va="bottom",
        fontsize=FONT["tick"],
        color=OKABE_ITO["orange"],
    )
    curve.text(p, 0.02, f" p* = {p:.2f}", fontsize=FONT["tick"], color=COLORS["planner"])
    curve.set_ylim(0, max(config.deployment_episodes, result.curve_value.max()) * 1.15)
    curve.figure.suptitle(
        f"T = {config.training_episodes} training, D = {config.deployment_episodes} deployment "
        f"episodes, p_mod = {config.modification_probability:g}",
        fontsize=FONT["label"],
        y=0.98,
    )


def render_deception_toy(fig: Figure, result: DeceptionToyResult) -> None:
    """:func:`draw_deception_toy` on a new figure."""
    draw_deception_toy(deception_toy_layout(fig), result)


def deception_toy_alt(result: DeceptionToyResult) -> str:
    """Alt text of one frame of :func:`render_deception_toy`."""
    c, v = result.config, result.values
    phase = "can" if c.phase_visible else "cannot"
    return (
        f"With {c.training_episodes} training and {c.deployment_episodes} deployment episodes and "
        f"modification probability {c.modification_probability:g}, when the model {phase} see the "
        f"phase: always A earns {v['always_a']:.2f} expected B-visits, always B "
        f"{v['always_b']:.2f}, B only in deployment {v['deployment_only']:.2f}, and B with the "
        f"best probability "
        f"p* = {result.optimal_probability:.2f} in every episode {v['best_random']:.2f}. The best "
        f"available policy earns {result.best_value:.2f}."
    )


# ---------------------------------------------------------------------------- absent-minded
def draw_absent_minded(axes: Sequence[Axes], result: AbsentMindedResult) -> None:
    """Three panels: E(p) of the toy with its optimum and the paper's figure; the classic
    driver; the chance that a defection reaches deployment against the length of training."""
    left, middle, right = axes
    ps, curves = result.curve_p, result.curves
    p, quoted = result.optimal_probability, result.config.quoted_probability
    left.plot(ps, curves["total"], color=COLORS["planner"], lw=2, label="all B-visits")
    left.plot(
        ps,
        curves["deployment"],
        color=OKABE_ITO["orange"],
        lw=2,
        ls="--",
        label="B-visits in deployment",
    )
    left.plot([p], [result.value_at_optimum], "o", ms=8, color=COLORS["planner"])
    q = result.deployment_only_probability
    left.plot([q], [np.interp(q, ps, curves["deployment"])], "s", ms=7, color=OKABE_ITO["orange"])
    left.axvline(quoted, color="black", ls=":", lw=1.2)
    left.text(
        quoted + 0.01, curves["total"].max() * 1.22, f"paper: {quoted:g}", fontsize=FONT["tick"]
    )
    left.text(
        p,
        result.value_at_optimum - 0.25,
        f"p* = {p:.3f}",
        ha="center",
        fontsize=FONT["tick"],
        color=COLORS["planner"],
    )
    left.text(
        q,
        np.interp(q, ps, curves["deployment"]) + 0.07,
        f"{q:.3f}",
        ha="center",
        fontsize=FONT["tick"],
        color=OKABE_ITO["orange"],
    )
    left.set_ylim(0, curves["total"].max() * 1.3)
    left.legend(fontsize=FONT["legend"], frameon=False, loc="upper left")
    title = f"$E(p) = {result.polynomial}$" if len(result.coefficients) <= 5 else "E(p)"
    _style(left, title, "p, chance of going to B", "expected B-visits")
    d = result.driver_probability
    middle.plot(ps, curves["driver"], color=OKABE_ITO["reddish_purple"], lw=2)
    middle.plot([d], [result.driver_value], "o", ms=8, color=OKABE_ITO["reddish_purple"])
    middle.text(d, result.driver_value + 0.08, f"p* = {d:.3f}", ha="center", fontsize=FONT["tick"])
    middle.set_ylim(0, result.driver_value * 1.35)
    _style(middle, "Classic driver (payoffs 0, 4, 1)", "p, chance of driving on", "expected payoff")
    chances = result.chance_by_training
    ts = np.arange(len(chances))
    right.semilogy(
        ts[1:],
        chances[1:],
        color=OKABE_ITO["vermillion"],
        lw=2,
        marker="^",
        markevery=max(1, len(ts) // 10),
    )
    right.axhline(result.config.threshold, color="black", ls=":", lw=1.2)
    if result.training_needed is not None and result.training_needed < len(chances):
        right.axvline(result.training_needed, color="black", ls="--", lw=1)
        right.text(
            result.training_needed,
            chances[1],
            f" T = {result.training_needed}",
            fontsize=FONT["tick"],
            va="top",
        )
    _style(
        right,
        f"D = {result.config.deployment_episodes}: longer training",
        "training episodes T",
        "chance a defection reaches deployment",
    )


# ---------------------------------------------------------------------------- trigger survival
def trigger_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two panels of the trigger explorable: the measurements through safety training and the
    final trigger defection by width."""
    curves = fig.add_axes((0.08, 0.3, 0.5, 0.6))
    widths = fig.add_axes((0.7, 0.3, 0.27, 0.6))
    curves.set_ylim(-0.03, 1.03)
    _few_ticks(curves, ys=[0, 0.5, 1])
    _style(curves, "", "safety-training step", "share of probe prompts")
    widths.set_ylim(0, 1.05)
    widths.set_yticks([0, 0.5, 1])
    _style(widths, "At the end, by width", "hidden units", "defects when triggered")
    widths.grid(axis="x", visible=False)
    return curves, widths


def draw_trigger(
    panels: tuple[Axes, Axes],
    results: Mapping[tuple[str, int], TriggerSurvivalResult],
    share: float,
    optimizer: str,
    width: int,
) -> None:
    """One frame into :func:`trigger_layout`'s panels. Left: the three measurements through
    safety training (thin lines: each replicate's trigger defection). Right: final trigger
    defection at each width, for this optimizer and share."""
    curves, widths = panels
    result = results[optimizer, width]
    steps = result.steps
    for replicate in result.curve("trigger_defection", share).T:
        curves.plot(
            steps, replicate, color=MEASURE_STYLE["trigger_defection"]["color"], lw=0.8, alpha=0.5
        )
    for name, style in MEASURE_STYLE.items():
        curves.plot(
            steps,
            result.curve(name, share).mean(axis=1),
            lw=2,
            ms=5,
            markevery=max(1, len(steps) // 8),
            label=MEASURE_LABELS[name],
            **style,
        )
    _few_ticks(curves, [0, steps[-1] // 2, steps[-1]])
    curves.figure.legend(
        *curves.get_legend_handles_labels(),
        loc="lower center",
        ncol=3,
        frameon=False,
        fontsize=FONT["legend"],
    )
    curves.set_title(
        f"{optimizer.upper() if optimizer == 'sgd' else 'Adam'}, width {width}, "
        f"trigger in {share * 100:g}% of safety data",
        fontsize=FONT["title"],
    )
    available = sorted(w for (o, w) in results if o == optimizer)
    finals = [
        float(results[optimizer, w].final("trigger_defection", share).mean()) for w in available
    ]
    spread = [results[optimizer, w].final("trigger_defection", share) for w in available]
    positions = np.arange(len(available))
    widths.bar(
        positions,
        finals,
        width=0.6,
        color=MEASURE_STYLE["trigger_defection"]["color"],
        edgecolor="black",
        linewidth=[2.5 if w == width else 0.6 for w in available],
        hatch="//",
    )
    for x, values in zip(positions, spread, strict=True):
        widths.plot([x] * len(values), values, "o", color="black", ms=3)
    widths.set_xticks(positions, [str(w) for w in available], fontsize=FONT["tick"])


def render_trigger(
    fig: Figure,
    results: Mapping[tuple[str, int], TriggerSurvivalResult],
    share: float,
    optimizer: str,
    width: int,
) -> None:
    """:func:`draw_trigger` on a new figure."""
    draw_trigger(trigger_layout(fig), results, share, optimizer, width)


def trigger_alt(
    results: Mapping[tuple[str, int], TriggerSurvivalResult],
    share: float,
    optimizer: str,
    width: int,
) -> str:
    """Alt text of one frame of :func:`render_trigger`."""
    result = results[optimizer, width]
    final = result.final("trigger_defection", share)
    return (
        f"Safety training with {optimizer} at width {width}, the trigger in {share * 100:g}% of "
        f"the safety data: after {int(result.steps[-1])} steps the policies still defect on "
        f"{final.mean():.0%} of triggered prompts (replicates {final.min():.0%} to "
        f"{final.max():.0%}), on {result.final('near_miss_defection', share).mean():.0%} of near "
        f"misses, and answer {result.final('ordinary_accuracy', share).mean():.0%} of ordinary "
        f"prompts well."
    )


def draw_red_team(ax: Axes, red: TriggerSurvivalResult, plain: TriggerSurvivalResult) -> Axes:
    """Trigger and near-miss defection through red-team training (near misses in the safety data)
    and through plain safety training, at share 0 of triggered data."""
    for result, dash, tag in ((red, "-", "red team"), (plain, ":", "no red team")):
        for name in ("trigger_defection", "near_miss_defection"):
            style = dict(MEASURE_STYLE[name])
            style["linestyle"] = dash
            ax.plot(
                result.steps,
                result.curve(name, 0.0).mean(axis=1),
                lw=2,
                ms=5,
                markevery=max(1, len(result.steps) // 8),
                label=f"{MEASURE_LABELS[name]} ({tag})",
                **style,
            )
    ax.set_ylim(-0.03, 1.03)
    ax.legend(
        fontsize=FONT["legend"],
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.17),
        ncol=2,
    )
    return _style(
        ax,
        f"Red-team training: near misses in {red.config.near_miss_share:.0%} of safety data",
        "safety-training step",
        "share of probe prompts",
    )


# ---------------------------------------------------------------------------- learning race
def race_layout(fig: Figure) -> Axes:
    """The one panel of the learning-race explorable: outcome shares against the rate ratio."""
    ax = fig.add_axes((0.09, 0.17, 0.62, 0.7))
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_yticks([0, 0.5, 1])
    ax.minorticks_off()
    _style(ax, "", "internalization rate / modelling rate", "share of simulated runs")
    return ax


def draw_race(
    ax: Axes,
    sweep: RaceSweep,
    conditions_met: bool,
    defection_penalty: float,
    compute_cost: float,
    diversity: float,
) -> None:
    """One frame into :func:`race_layout`'s axes: share of simulated runs ending in each outcome,
    against the ratio of the internalization rate to the modelling rate (log scale)."""
    point = dict(
        conditions_met=conditions_met,
        defection_penalty=defection_penalty,
        compute_cost=compute_cost,
        diversity=diversity,
    )
    ratios = np.asarray(sweep.axes["rate_ratio"])
    ends = []
    for mode, style in MODE_STYLE.items():
        values = sweep.curve(mode, **point)
        ax.plot(ratios, values, lw=2, ms=6, **style)
        ends.append((values[-1], mode, style["color"]))
    placed: list[float] = []
    for y, text, color in sorted(ends):
        y = max(y, placed[-1] + 0.09) if placed else y
        placed.append(y)
        ax.text(ratios[-1] * 1.25, y, text, color=color, fontsize=FONT["legend"], va="center")
    ax.set_xlim(ratios[0] / 1.3, ratios[-1] * 1.2)
    conditions = "all three hold" if conditions_met else "not all hold"
    ax.set_title(
        f"Conditions of 4.2: {conditions}; penalty {defection_penalty:g}, "
        f"compute cost {compute_cost:g}, diversity {diversity:g}",
        fontsize=FONT["label"],
    )


def render_race(
    fig: Figure,
    sweep: RaceSweep,
    conditions_met: bool,
    defection_penalty: float,
    compute_cost: float,
    diversity: float,
) -> None:
    """:func:`draw_race` on a new figure."""
    draw_race(race_layout(fig), sweep, conditions_met, defection_penalty, compute_cost, diversity)


def race_alt(sweep: RaceSweep, **point) -> str:
    """Alt text of one frame of :func:`render_race`."""
    ratios = sweep.axes["rate_ratio"]
    parts = []
    for mode in MODE_STYLE:
        values = sweep.curve(mode, **point)
        parts.append(
            f"{mode} {values[0]:.0%} at ratio {ratios[0]:g} and {values[-1]:.0%} at "
            f"ratio {ratios[-1]:g}"
        )
    conditions = (
        "all three conditions of section 4.2 hold"
        if point["conditions_met"]
        else ("not all conditions of section 4.2 hold")
    )
    return (
        f"Outcome shares of the stylised race when {conditions}, defection penalty "
        f"{point['defection_penalty']:g}, compute cost {point['compute_cost']:g}, diversity "
        f"{point['diversity']:g}: " + "; ".join(parts) + "."
    )


def draw_race_examples(axes: Sequence[Axes], examples: Mapping[str, dict]) -> None:
    """One panel per recorded run: objective (solid) and knowledge (dashed) over steps, the
    background tinted by the run's mode."""
    from demos.training.deception_race import MODES

    for ax, (name, history) in zip(axes, examples.items(), strict=True):
        steps = np.arange(len(history["objective"]))
        mode = np.asarray(history["mode"]).astype(int)
        changes = np.flatnonzero(np.diff(mode)) + 1
        starts = np.concatenate([[0], changes])
        stops = np.concatenate([changes, [len(mode) - 1]])
        for start, stop in zip(starts, stops, strict=True):
            color = MODE_STYLE[MODES[mode[start]]]["color"]
            ax.axvspan(start, stop, color=color, alpha=0.15, lw=0)
            ax.text(
                (start + stop) / 2,
                0.03,
                MODES[mode[start]],
                ha="center",
                fontsize=FONT["tick"],
                color=color,
            )
        ax.plot(steps, history["objective"], color="black", lw=2, label="objective")
        ax.plot(
            steps, history["knowledge"], color=OKABE_ITO["blue"], lw=2, ls="--", label="knowledge"
        )
        ax.set_ylim(0, 1.02)
        _style(ax, name, "step of the base optimizer", "share of the base objective")
        ax.title.set_fontsize(FONT["label"])
    axes[0].legend(fontsize=FONT["legend"], frameon=False, loc="center right")


# ---------------------------------------------------------------------------- deployment cues
def cue_layout(fig: Figure) -> tuple[Axes, Axes]:
    """The two panels of the deployment-cue explorable: the detector's ROC curve (its diagonal
    drawn here) and the defection rates against cue noise."""
    roc = fig.add_axes((0.07, 0.17, 0.3, 0.7))
    rates = fig.add_axes((0.5, 0.17, 0.47, 0.7))
    roc.plot([0, 1], [0, 1], color=COLORS["neither"], ls=":", lw=1)
    roc.set_xlim(0, 1)
    roc.set_ylim(0, 1.01)
    _few_ticks(roc, [0, 0.5, 1], [0, 0.5, 1])
    _style(roc, "", "defects in training", "defects in deployment")
    rates.set_ylim(-0.03, 1.03)
    _few_ticks(rates, ys=[0, 0.5, 1])
    _style(rates, "", "cue noise (1: phases look alike)", "chance of defecting")
    return roc, rates


def draw_cue(
    panels: tuple[Axes, Axes],
    results: Mapping[str, DeploymentCueResult],
    features: str,
    cue_noise: float,
) -> None:
    """One frame into :func:`cue_layout`'s panels. Left: the detector's ROC curve, its upper hull
    and the chosen operating point. Right: the best policy's defection rates in training and
    deployment against cue noise."""
    roc, rates = panels
    result = results[features]
    point = result.point(cue_noise)
    roc.plot(*point.roc, color=OKABE_ITO["blue"], lw=3, alpha=0.5)
    roc.plot(*point.hull, color=OKABE_ITO["orange"], lw=1.2, ls="--")
    roc.plot(
        [point.train_defection],
        [point.deploy_defection],
        "*",
        ms=13,
        color=OKABE_ITO["vermillion"],
        mec="black",
    )
    roc.set_title(f"Detector, AUC {point.auc:.2f}", fontsize=FONT["title"])
    noises = np.asarray(result.config.cue_noises)
    rates.plot(
        noises,
        result.column("deploy_defection"),
        color=OKABE_ITO["vermillion"],
        lw=2,
        marker="^",
        label="in deployment",
    )
    rates.plot(
        noises,
        result.column("train_defection"),
        color=OKABE_ITO["bluish_green"],
        lw=2,
        ls="--",
        marker="o",
        label="in training",
    )
    rates.axhline(result.absent_minded_probability, color="black", ls=":", lw=1.2)
    rates.text(
        0.0,
        result.absent_minded_probability,
        " absent-minded p*",
        va="bottom",
        fontsize=FONT["tick"],
    )
    rates.axvspan(cue_noise - 0.03, cue_noise + 0.03, color=COLORS["grid"], alpha=0.6, lw=0)
    _few_ticks(rates, [0, 0.5, 1])
    rates.legend(fontsize=FONT["legend"], frameon=False, loc="lower right")
    rates.set_title(f"Cues: {features}", fontsize=FONT["title"])


def render_cue(
    fig: Figure, results: Mapping[str, DeploymentCueResult], features: str, cue_noise: float
) -> None:
    """:func:`draw_cue` on a new figure."""
    draw_cue(cue_layout(fig), results, features, cue_noise)


def cue_alt(results: Mapping[str, DeploymentCueResult], features: str, cue_noise: float) -> str:
    """Alt text of one frame of :func:`render_cue`."""
    result = results[features]
    point = result.point(cue_noise)
    return (
        f"With cues {features} at noise {cue_noise:g}, the detector's ROC area is "
        f"{point.auc:.2f}; the best policy defects in {point.train_defection:.0%} of training "
        f"episodes and {point.deploy_defection:.0%} of deployment episodes, for "
        f"{point.value:.2f} expected B-visits (absent-minded optimum: "
        f"{result.absent_minded_probability:.0%} in both)."
    )
