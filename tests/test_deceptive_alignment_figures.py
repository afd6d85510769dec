"""Chapter 4's figures: every panel titled and labelled, alt text that states the frame's numbers,
and explorable frames that differ from one grid point to the next."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from demos.experiments.absent_minded import AbsentMindedConfig, run_absent_minded
from demos.experiments.deployment_cue import DeploymentCueConfig, run_deployment_cue
from demos.experiments.learning_race import LearningRaceConfig, example_runs, sweep
from demos.experiments.trigger_survival import TriggerSurvivalConfig, run_trigger_survival
from demos.figures import deceptive_alignment as figures
from demos.figures.explorable import Explorable
from demos.figures.style import new_figure


def assert_labelled(fig: Figure) -> None:
    for ax in fig.axes:
        assert ax.get_title(), "every panel has a title"
        assert ax.get_ylabel(), "every panel labels its y axis"


def test_deception_toy_frames_and_alt_text():
    toys = figures.toy_results((2, 5), (3,), (1.0,))
    figure = Explorable(
        lambda fig, T, visible: figures.render_deception_toy(fig, toys[T, 3, 1.0, visible]),
        {"T": [2, 5], "visible": [False, True]},
        alt=lambda T, visible: figures.deception_toy_alt(toys[T, 3, 1.0, visible]),
    )
    frames = figure.frames()
    assert len(set(frames)) == 4
    assert_labelled(figure.draw(T=2, visible=False))
    text = figures.deception_toy_alt(toys[2, 3, 1.0, False])
    assert "cannot see" in text and "0.56" in text and "3.00" in text


def test_absent_minded_figure_marks_the_optimum_and_the_quoted_figure():
    result = run_absent_minded(AbsentMindedConfig(simulated_runs=1000))
    fig, axes = new_figure(3, 1, width=13.5, height=4.0)
    figures.draw_absent_minded(axes, result)
    assert_labelled(fig)
    texts = " ".join(t.get_text() for t in axes[0].texts)
    assert "0.556" in texts and "0.61" in texts
    assert "5p" in axes[0].get_title()


def test_trigger_figure_and_alt_text():
    small = dict(replicates=1, safety_steps=200, plant_steps=300, eval_every=50)
    results = {
        ("sgd", w): run_trigger_survival(TriggerSurvivalConfig(width=w, **small)) for w in (4, 8)
    }
    fig = Figure(figsize=(9, 4))
    figures.render_trigger(fig, results, 0.0, "sgd", 8)
    assert_labelled(fig)
    text = figures.trigger_alt(results, 0.01, "sgd", 4)
    assert "width 4" in text and "1% of the safety data" in text
    red = run_trigger_survival(TriggerSurvivalConfig(width=4, near_miss_share=0.5, **small))
    fig, ax = new_figure(1, 1)
    figures.draw_red_team(ax, red, results["sgd", 4])
    assert len(ax.lines) == 4 and ax.get_xlabel()


def test_race_figures():
    config = LearningRaceConfig(runs=20, steps=200, rate_ratios=(0.1, 1.0, 10.0))
    grid = sweep(config, defection_penalties=(0.0,), compute_costs=(0.0,), diversities=(1.0,))
    point = dict(conditions_met=True, defection_penalty=0.0, compute_cost=0.0, diversity=1.0)
    fig = Figure(figsize=(8, 3.6))
    figures.render_race(fig, grid, **point)
    assert_labelled(fig)
    assert "deceptive" in figures.race_alt(grid, **point)
    runs = example_runs(config, {"a": {"rate_ratio": 0.1}, "b": {"rate_ratio": 10.0}})
    fig, axes = new_figure(2, 1)
    figures.draw_race_examples(axes, runs)
    assert_labelled(fig)


def test_cue_figure_and_alt_text():
    result = run_deployment_cue(
        DeploymentCueConfig(cue_noises=(0.0, 1.0), fit_episodes=200, eval_episodes=500)
    )
    fig = Figure(figsize=(9, 3.6))
    figures.render_cue(fig, {"all": result}, "all", 0.0)
    assert_labelled(fig)
    text = figures.cue_alt({"all": result}, "all", 1.0)
    assert f"{result.point(1.0).auc:.2f}" in text


@pytest.mark.parametrize("bad", [{"share": 0.5}])
def test_render_rejects_a_share_the_run_did_not_train(bad):
    result = run_trigger_survival(
        TriggerSurvivalConfig(width=4, replicates=1, safety_steps=10, plant_steps=10)
    )
    with pytest.raises(ValueError, match="share must be one of"):
        figures.render_trigger(Figure(), {("sgd", 4): result}, bad["share"], "sgd", 4)
