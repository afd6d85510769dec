"""Every public function of the chapter figure modules draws, with small seeded results.

Chapters 1 to 3 draw with :mod:`demos.figures.introduction`, :mod:`demos.figures.conditions`,
:mod:`demos.figures.inner_alignment` and :mod:`demos.figures.diagrams`. This module calls each of
their public functions once, on results of tiny configurations of the experiments the chapters
run, checks that figures get axes and titles and that alt texts are words, and fails when a module
gains a public function the test does not call (the set is read by introspection).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from matplotlib.figure import Figure

from demos.experiments.adversarial_training import (
    AdversarialTrainingConfig,
    run_adversarial_training,
)
from demos.experiments.approximate_alignment import (
    ApproximateAlignmentConfig,
    run_approximate_alignment,
)
from demos.experiments.behavioral_objective import (
    BehavioralObjectiveConfig,
    run_behavioral_objective,
)
from demos.experiments.bottle_cap import BottleCapConfig, run_bottle_cap
from demos.experiments.description_length import DescriptionLengthConfig, run_description_length
from demos.experiments.incontext_gd import IncontextGDConfig, run_incontext_gd
from demos.experiments.keys_chests import KeysChestsConfig, run_keys_chests
from demos.experiments.objective_drift import ObjectiveDriftConfig, run_objective_drift
from demos.experiments.optimization_power import OptimizationPowerConfig, run_optimization_power
from demos.experiments.paying_exit import PayingExitConfig, run_paying_exit
from demos.experiments.planning_budget import PlanningBudgetConfig, run_planning_budget
from demos.experiments.reward_prediction import RewardPredictionConfig, run_reward_prediction
from demos.experiments.suboptimality import SuboptimalityConfig, run_suboptimality
from demos.experiments.task_diversity import TaskDiversityConfig, run_task_diversity
from demos.experiments.unidentifiability import UnidentifiabilityConfig, run_unidentifiability
from demos.experiments.vin_kernel import VinKernelConfig, run_vin_kernel
from demos.figures import conditions, diagrams, inner_alignment, introduction, style
from demos.training.proxy_training import share_runs

MODULES = (introduction, conditions, inner_alignment, diagrams)
TINY = dict(train_levels=32, test_levels=40, train_steps=30)


def public_functions(module) -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


@pytest.fixture(scope="module")
def results():
    share_runs(True)
    try:
        yield {
            "behavioral": run_behavioral_objective(
                BehavioralObjectiveConfig(train_levels=32, test_levels=20, train_steps=20)
            ),
            "bottle_cap": run_bottle_cap(BottleCapConfig()),
            "toy": run_optimization_power(OptimizationPowerConfig()),
            "diversity": run_task_diversity(
                TaskDiversityConfig(
                    train_levels=(1, 4), test_sizes=(5, 7), test_levels=10, train_steps=10
                )
            ),
            "lengths": run_description_length(DescriptionLengthConfig(mazes=16, train_steps=10)),
            "budget": run_planning_budget(
                PlanningBudgetConfig(
                    sizes=(5,),
                    planning_steps=(1, 4, 8),
                    train_levels=8,
                    test_levels=10,
                    train_steps=5,
                )
            ),
            "vin": run_vin_kernel(
                VinKernelConfig(
                    train_levels=8,
                    test_sizes=(8,),
                    test_levels=5,
                    test_ks=(2, 8),
                    train_steps=10,
                    snapshot_every=5,
                    replay_steps=(0, 5, 10),
                    hard_coded_steps=5,
                )
            ),
            "incontext": run_incontext_gd(
                IncontextGDConfig(
                    dim=3, train_steps=20, batch_size=16, snapshot_every=10, eval_tasks=32
                )
            ),
            "drift": run_objective_drift(
                ObjectiveDriftConfig(decorrelated_fractions=(0.0, 0.05), **TINY)
            ),
            "suboptimal": run_suboptimality(
                SuboptimalityConfig(test_planning_steps=(1, 3), **TINY)
            ),
            "approximate": run_approximate_alignment(
                ApproximateAlignmentConfig(test_brightnesses=(0.05, 0.3, 1.0), **TINY)
            ),
            "unidentified": run_unidentifiability(UnidentifiabilityConfig(n_seeds=2, **TINY)),
            "adversarial": run_adversarial_training(
                AdversarialTrainingConfig(
                    rounds=1, pool=20, steps_per_round=5, train_levels=32, train_steps=30
                )
            ),
            "keys": run_keys_chests(
                KeysChestsConfig(train_levels=10, test_levels=10, train_steps=5)
            ),
            "paying": run_paying_exit(PayingExitConfig(**TINY)),
            "prediction": run_reward_prediction(
                RewardPredictionConfig(prediction_steps=20, **TINY)
            ),
        }
    finally:
        share_runs(False)


def blank(width: float = 8.0, height: float = 3.5) -> Figure:
    return Figure(figsize=(width, height), dpi=30)


def axes(count: int = 1):
    figure, drawn = style.new_figure(count, 1, width=3.0 * count, height=3.0, dpi=30)
    return drawn


def words(text: str) -> str:
    assert isinstance(text, str) and len(text.split()) >= 8, text
    return text


def drew(figure: Figure) -> Figure:
    assert figure.axes, "nothing was drawn"
    assert style.to_png(figure)[:8] == b"\x89PNG\r\n\x1a\n"
    return figure


def calls(r) -> dict:
    """One call per public function: name -> a thunk that draws or describes."""
    b, cap, toy, div = r["behavioral"], r["bottle_cap"], r["toy"], r["diversity"]
    step, split = int(b.replay.steps[-1]), "test"
    budget, vin, icl, drift = r["budget"], r["vin"], r["incontext"], r["drift"]
    sub, approx, unid, adv = r["suboptimal"], r["approximate"], r["unidentified"], r["adversarial"]
    objectives = b.test
    levels = b.training.test_levels
    thunks = {
        # introduction
        "agreement_figure": lambda: drew(introduction.agreement_figure({"run": b.agreement()})),
        "base_objective_map": lambda: introduction.base_objective_map(levels, 0),
        "describe_bottle_cap_frame": lambda: words(
            introduction.describe_bottle_cap_frame(cap, "exit moved")
        ),
        "describe_objectives_frame": lambda: words(
            introduction.describe_objectives_frame(objectives, 0, "A planner")
        ),
        "describe_replay_frame": lambda: words(
            introduction.describe_replay_frame(b, step, split, 0)
        ),
        "draw_agreement": lambda: drew(
            _filled(introduction.draw_agreement, {"run": b.agreement()})
        ),
        "draw_bottle_cap_frame": lambda: drew(
            _filled(introduction.draw_bottle_cap_frame, cap, "wall added")
        ),
        "draw_objective_panels": lambda: introduction.draw_objective_panels(
            axes(3), levels, 0, objectives.paths[0], objectives.reward_map[0]
        ),
        "draw_objectives_frame": lambda: drew(
            _filled(introduction.draw_objectives_frame, objectives, 0, "A planner")
        ),
        "draw_replay_frame": lambda: drew(
            _filled(introduction.draw_replay_frame, b, step, "train", 0)
        ),
        "draw_training_curve": lambda: introduction.draw_training_curve(
            axes(), b.replay.steps, {"success": b.replay.train_success}, current=step
        ),
        "replay_curves": lambda: introduction.replay_curves(axes(), b),
        # conditions
        "describe_incontext": lambda: words(conditions.describe_incontext(icl, 10)),
        "describe_planning_budget": lambda: words(
            conditions.describe_planning_budget(budget, 0.01)
        ),
        "describe_search_toy": lambda: words(
            conditions.describe_search_toy(toy, 100.0, 10.0, "quadratic")
        ),
        "describe_task_diversity": lambda: words(conditions.describe_task_diversity(div, 4, 7)),
        "describe_vin": lambda: words(conditions.describe_vin(vin, 5)),
        "draw_description_lengths": lambda: conditions.draw_description_lengths(
            axes(), {"7x7": r["lengths"]}
        ),
        "draw_matrix": lambda: conditions.draw_matrix(axes(), np.eye(3), "identity"),
        "draw_planning_budget": lambda: conditions.draw_planning_budget(axes(), budget, 0, 0.05),
        "draw_power_curve": lambda: conditions.draw_power_curve(axes(), toy, 20.0, 3.0, "linear"),
        "draw_search_vs_tasks": lambda: conditions.draw_search_vs_tasks(
            axes(), toy, 500.0, "exponential", 30.0
        ),
        "draw_simplicity_time": lambda: conditions.draw_simplicity_time(
            axes(),
            {f"N = {n}": ratio for n, ratio in r["lengths"].boundaries.items()} or {"N = 16": 0.01},
        ),
        "draw_success_by_size": lambda: conditions.draw_success_by_size(
            axes(), [5, 7], {"planner": [1.0, 0.9], "reactive": [0.5, 0.2]}, size=7
        ),
        "draw_train_success": lambda: conditions.draw_train_success(
            axes(), div.config.train_levels, div.train_success
        ),
        "draw_two_paths": lambda: conditions.draw_two_paths(
            axes(),
            div.example_levels[7],
            {model: div.example_paths[model][0][1] for model in ("planner", "reactive")},
            "Two paths",
        ),
        "kernel_mosaic": lambda: _mosaic_shape(conditions.kernel_mosaic([np.ones((5, 3, 3))] * 2)),
        "render_incontext": lambda: drew(_filled(conditions.render_incontext, icl, 20)),
        "render_planning_budget": lambda: drew(
            _filled(conditions.render_planning_budget, budget, 0.0)
        ),
        "render_search_toy": lambda: drew(
            _filled(conditions.render_search_toy, toy, 100.0, 300.0, "quadratic")
        ),
        "render_task_diversity": lambda: drew(_filled(conditions.render_task_diversity, div, 1, 5)),
        "render_vin": lambda: drew(_filled(conditions.render_vin, vin, 10)),
        # inner alignment
        "capability_alt": lambda: words(inner_alignment.capability_alt(sub, "proxy-seeking", 3)),
        "draw_adversarial": lambda: inner_alignment.draw_adversarial(
            axes(), adv.attacked, adv.control
        ),
        "draw_approximation": lambda: inner_alignment.draw_approximation(axes(), approx),
        "draw_approximation_behaviour": lambda: inner_alignment.draw_approximation_behaviour(
            axes(), approx
        ),
        "draw_keys_comparison": lambda: inner_alignment.draw_keys_comparison(
            axes(2), r["keys"], r["keys"].showcase()
        ),
        "draw_outcome_lines": lambda: inner_alignment.draw_outcome_lines(
            axes(), [0, 1, 2], {"exit": [0.1, 0.5, 0.9], "proxy": [0.9, 0.5, 0.1]}, highlight=1
        ),
        "draw_paying_exit": lambda: inner_alignment.draw_paying_exit(
            axes(3), r["paying"], r["paying"].showcase()
        ),
        "draw_readings": lambda: inner_alignment.draw_readings(axes(), unid),
        "draw_reward_prediction": lambda: inner_alignment.draw_reward_prediction(
            axes(2), r["prediction"]
        ),
        "draw_seed_outcomes": lambda: inner_alignment.draw_seed_outcomes(axes(), unid),
        "draw_success_vs_proxy": lambda: inner_alignment.draw_success_vs_proxy(axes(), drift),
        "draw_training_curves": lambda: inner_alignment.draw_training_curves(
            axes(), drift.runs[(0.0, 0, 0.3)].history, "Training"
        ),
        "drift_alt": lambda: words(inner_alignment.drift_alt(drift, 0.05, 0, 0.3)),
        "end_labels": lambda: inner_alignment.end_labels(
            axes(), 1.0, [(0.5, "a", "black"), (0.52, "b", "black")]
        ),
        "paying_exit_alt": lambda: words(inner_alignment.paying_exit_alt(r["paying"], 0)),
        "reach": lambda: _reach_shape(inner_alignment.reach(sub.test_levels, 0, 2)),
        "render_capability": lambda: drew(
            _filled(inner_alignment.render_capability, sub, "exit-seeking", 1)
        ),
        "render_drift": lambda: drew(_filled(inner_alignment.render_drift, drift, 0.0, 0, 0.3)),
        "reward_prediction_alt": lambda: words(
            inner_alignment.reward_prediction_alt(r["prediction"])
        ),
        "seed_table": lambda: _rows(inner_alignment.seed_table(drift)),
        # diagrams
        "alignment_diagram": lambda: drew(diagrams.alignment_diagram("general", dpi=30)),
        "proxy_causal_diagram": lambda: drew(diagrams.proxy_causal_diagram(dpi=30)),
    }
    # an explorable's layout and per-frame draw are called by the render function that joins them
    for render, parts in JOINED.items():
        for part in parts:
            thunks[part] = thunks[render]
    return thunks


JOINED = {
    "draw_bottle_cap_frame": ("bottle_cap_layout", "draw_bottle_cap"),
    "draw_objectives_frame": ("objectives_layout", "draw_objectives"),
    "draw_replay_frame": ("replay_layout", "draw_replay"),
    "render_incontext": ("incontext_layout", "draw_incontext"),
    "render_planning_budget": ("planning_budget_layout", "draw_planning_budget_frame"),
    "render_search_toy": ("search_toy_layout", "draw_search_toy"),
    "render_task_diversity": ("task_diversity_layout", "draw_task_diversity"),
    "render_vin": ("vin_layout", "draw_vin"),
    "render_capability": ("capability_layout", "draw_capability"),
    "render_drift": ("drift_layout", "draw_drift"),
}
"""Render functions (on a new figure) -> the layout and draw they join (on a kept figure)."""


def _filled(function, *args) -> Figure:
    figure = blank()
    function(figure, *args)
    return figure


def _mosaic_shape(mosaic):
    assert mosaic.shape == (7, 19) and np.isnan(mosaic[3]).all()


def _reach_shape(reachable):
    assert reachable.dtype == bool and reachable.any()


def _rows(rows):
    assert rows and {"q", "mean_proxy", "mean_exit", "train"} <= set(rows[0])


def test_every_public_function_of_the_chapter_figure_modules_is_called(results):
    expected = set().union(*(public_functions(module) for module in MODULES))
    assert set(calls(results)) == expected


@pytest.mark.parametrize(
    "name", sorted(set().union(*(public_functions(module) for module in MODULES)))
)
def test_the_function_draws_or_describes(results, name):
    thunks = calls(results)
    if name not in thunks:
        pytest.fail(f"{name} is public but this test does not call it: add it to calls()")
    thunks[name]()


def test_the_causal_diagram_places_both_kinds_and_every_book_example():
    figure = diagrams.proxy_causal_diagram(dpi=30)
    shown = " | ".join(text.get_text() for ax in figure.axes for text in ax.texts)
    parts = ("Side-effect alignment", "Instrumental alignment", "marker planner")
    parts += ("keys and chests", "paying exit", "mesa-objective", "base objective")
    for part in parts:
        assert part in shown
    for part in ("side-effect", "instrumental", "paying exit", "keys-and-chests"):
        assert part in diagrams.CAUSAL_ALT
    with pytest.raises(ValueError, match="dpi"):
        diagrams.proxy_causal_diagram(dpi=5)
