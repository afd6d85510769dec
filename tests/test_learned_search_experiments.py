"""The learned planner's experiments at small scale, its committed weights, and its command line.

The claims of chapters 1 to 3 are checked on the committed models of seed 0 with small test sets
(seeded: the same mazes every run). The committed weights are checked against what their recipe
produces: the first steps of each seed-0 run are committed too, retrained here and compared bit
for bit (CPU, one thread: training is deterministic; see BENCHMARKS.md for the full runs).
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import torch

from demos.__main__ import main
from demos.experiments.learned_frontier import LearnedFrontierConfig, run_learned_frontier
from demos.experiments.learned_objective import LearnedObjectiveConfig, run_learned_objective
from demos.experiments.learned_planner import LearnedPlannerConfig, run_learned_planner
from demos.experiments.learned_proxy_shift import (
    LearnedProxyShiftConfig,
    run_learned_proxy_shift,
)
from demos.training.learned_checkpoints import (
    COMMITTED_FRACTIONS,
    COMMITTED_SEEDS,
    PREFIX_STEPS,
    committed_files,
    drift_spec,
    feedforward_spec,
    load,
    main_spec,
    read,
)
from demos.training.learned_search_training import train_model


def test_every_committed_file_is_small_and_stores_the_current_recipe():
    files = committed_files()
    names = {path.name for path, _, _ in files}
    for seed in COMMITTED_SEEDS:
        wanted = [main_spec(seed), feedforward_spec(seed)]
        wanted += [drift_spec(q, seed) for q in COMMITTED_FRACTIONS]
        assert {spec.path().name for spec in wanted} <= names
    for path, spec, step in files:
        assert path.stat().st_size < 200_000, path.name
        saved = read(path)
        assert saved["recipe"] == spec.recipe.to_dict(), path.name
        assert saved["model"] == spec.model.to_dict(), path.name
        assert saved["steps"] == (spec.recipe.steps if step is None else step), path.name


@pytest.mark.parametrize(
    "spec", [main_spec(0), feedforward_spec(0), drift_spec(0.05, 0)], ids=lambda s: s.tag
)
def test_the_committed_first_steps_are_what_the_recipe_produces(spec):
    committed = load(spec, PREFIX_STEPS).model.state_dict()
    model, _ = train_model(spec.model, spec.recipe, stop_after=PREFIX_STEPS)
    for name, value in model.state_dict().items():
        assert torch.equal(value, committed[name]), name


def test_a_checkpoint_never_stands_in_for_another_recipe():
    with pytest.raises(ValueError, match="field steps: stored 1000, asked 999"):
        load(main_spec(0, steps=999))
    with pytest.raises(ValueError, match="seed"):
        load(main_spec(12))
    with pytest.raises(ValueError, match="train_steps|steps"):
        run_learned_planner(LearnedPlannerConfig(train_steps=3))


def test_the_learned_search_generalises_with_iterations_and_the_baseline_does_not():
    config = LearnedPlannerConfig(
        test_levels=60, large_test_levels=40, large_iterations=(8, 64, 200)
    )
    figures = run_learned_planner(config).summary()
    assert figures["success_train_size"] >= 0.95
    by_k = figures["success_large_by_k"]
    assert by_k[200] >= 0.9 and by_k[200] > by_k[8] + 0.5
    assert figures["feedforward_success_large"] < 0.25
    assert figures["feedforward_success_large_far"] == 0.0  # beyond its depth: never
    assert figures["success_large_far_at_largest_k"] > 0.85
    assert figures["parameters"] == 11845


def test_retraining_runs_the_recipe_from_scratch():
    config = LearnedPlannerConfig(
        retrain=True,
        train_steps=2,
        baseline=False,
        test_levels=10,
        large_test_levels=10,
        large_iterations=(8,),
    )
    result = run_learned_planner(config)
    assert result.retrained and "feedforward_success_large" not in result.summary()


@pytest.mark.parametrize("q, outcome", [(0.0, "proxy"), (0.05, "exit")])
def test_the_objective_follows_the_marker_unless_a_few_levels_break_the_tie(q, outcome):
    config = LearnedProxyShiftConfig(decorrelated_fraction=q, test_levels=100, handwritten=False)
    result = run_learned_proxy_shift(config)
    assert result.train_success >= 0.95
    assert result.test_rates[outcome] >= 0.7


def test_the_hand_written_planner_runs_beside_it_and_the_corner_setting_runs():
    result = run_learned_proxy_shift(LearnedProxyShiftConfig(test_levels=30))
    assert {"handwritten_test_exit_rate", "handwritten_train_success"} <= set(result.summary())
    corner = LearnedProxyShiftConfig(
        setting="corner", retrain=True, train_steps=2, test_levels=20, decorrelated_fraction=0.0
    )
    rates = run_learned_proxy_shift(corner).test_rates
    assert sum(rates.values()) == pytest.approx(1.0)


def test_the_search_is_read_from_inside_and_forms_over_training():
    config = LearnedFrontierConfig(
        size=11,
        iterations=64,
        shown_iterations=(4, 16, 64),
        fit_levels=16,
        test_levels=8,
        forming_fit_levels=12,
        forming_test_levels=8,
    )
    result = run_learned_frontier(config)
    figures = result.summary()
    accuracy = result.reading.own_accuracy_by_k
    assert accuracy[-1] > accuracy[0] + 0.2  # more iterations, more right moves
    assert figures["corr_min"] > figures["corr_distance"]  # not value iteration's order
    untrained, trained = result.forming[0], result.forming[-1]
    rise = lambda step: step.reading.own_accuracy_by_k[-1] - step.reading.own_accuracy_by_k[0]  # noqa: E731
    assert rise(trained) > rise(untrained) + 0.2
    assert trained.success >= 0.9 and untrained.success <= 0.2
    with pytest.raises(ValueError, match="seed must be 0"):
        LearnedFrontierConfig(seed=1)


def test_the_marker_is_read_off_the_state_and_an_edit_moves_the_goal():
    config = LearnedObjectiveConfig(
        probe_levels=60, probe_iterations=(64,), steer_levels=40, scales=(2.0,)
    )
    result = run_learned_objective(config)
    marker = result.probes[("marker", 64)]
    assert marker.test_score >= marker.control_score + 0.5
    assert result.steering["none"].on_exit == 1.0
    assert result.steering["add and erase x2"].on_b >= 0.5


def _cli(*args) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(args)) == 0
    return json.loads(out.getvalue())


def test_the_command_line_reports_the_promised_figures_flat():
    planner = _cli(
        "learned-planner", "--json", "--seed", "1", "--test-levels", "20",
        "--large-test-levels", "10", "--large-iterations", "8,64",
    )  # fmt: skip
    for key in ("success_train_size", "success_large_by_k", "feedforward_success_large",
                "parameters", "train_seconds"):  # fmt: skip
        assert key in planner
    shift = _cli(
        "learned-proxy-shift", "--json", "--decorrelated-fraction", "0.02", "--seed", "2",
        "--test-levels", "20", "--no-handwritten",
    )  # fmt: skip
    for key in ("test_exit_rate", "test_proxy_rate", "test_neither_rate", "train_success"):
        assert key in shift
    for value in [*planner.values(), *shift.values()]:
        flat = value.values() if isinstance(value, dict) else [value]
        assert all(isinstance(v, (int, float)) for v in flat)
