"""Reward prediction, salience swap and objective edits: the chapter-3 remedies and readings."""

from __future__ import annotations

import numpy as np
import pytest

from demos.analysis.objectives import edit_objective, linear_weights
from demos.experiments.objective_edit import ObjectiveEditConfig, run_objective_edit
from demos.experiments.reward_prediction import (
    RewardPredictionConfig,
    run_reward_prediction,
)
from demos.experiments.salience_swap import SalienceSwapConfig, run_salience_swap
from demos.training import base_optimizers
from demos.training.proxy_training import (
    chapter_config,
    initial_planner,
    share_runs,
    train_on_proxy_levels,
)

SMALL = dict(train_levels=96, test_levels=150, train_steps=100)


@pytest.fixture(autouse=True, scope="module")
def shared():
    share_runs(True)
    yield
    share_runs(False)


def least_squares_reward(levels):
    """The minimiser of the squared error of a linear head over free cells, by numpy: the
    independent reference for predict_reward. Columns: exit feature, marker feature, bias."""
    observed = levels.observe()
    free = ~np.asarray(levels.walls)
    target = np.zeros(free.shape)
    target[np.arange(len(levels)), levels.exit[:, 0], levels.exit[:, 1]] = 1.0
    design = np.stack([observed[:, 1][free], observed[:, 2][free], np.ones(free.sum())], axis=1)
    solution, *_ = np.linalg.lstsq(design, target[free], rcond=None)
    return solution


def test_predict_reward_reaches_the_least_squares_head_when_the_data_identify_it():
    config = chapter_config(decorrelated_fraction=0.05, **SMALL)
    run = train_on_proxy_levels(config)
    model = initial_planner(config)
    history = base_optimizers.predict_reward(model, run.train_levels, steps=600, learning_rate=0.3)
    w_exit, w_marker, bias = least_squares_reward(run.train_levels)
    weights = linear_weights(model)
    assert weights["exit"] == pytest.approx(w_exit, abs=0.05)
    assert weights["marker"] == pytest.approx(w_marker, abs=0.05)
    assert weights["bias"] == pytest.approx(bias, abs=0.01)
    assert history.rows[-1]["loss"] < history.rows[0]["loss"]


def test_predict_reward_keeps_adams_gap_when_exit_and_marker_always_coincide():
    config = chapter_config(decorrelated_fraction=0.0, **SMALL)
    run = train_on_proxy_levels(config)
    model = initial_planner(config)
    start = linear_weights(model)
    base_optimizers.predict_reward(model, run.train_levels, steps=300, learning_rate=0.3)
    end = linear_weights(model)
    assert end["exit"] - end["marker"] == pytest.approx(start["exit"] - start["marker"], abs=1e-3)
    assert end["marker"] != pytest.approx(start["marker"], abs=0.1)  # the weights did move


def test_claim_prediction_pins_the_objective_where_imitation_does_not():
    result = run_reward_prediction(
        RewardPredictionConfig(decorrelated_fractions=(0.0, 0.02), **SMALL)
    )
    at_zero = result.readings[("prediction", 0.0)]
    assert result.train_success[("prediction", 0.0)] >= 0.95
    assert result.test_rates[("prediction", 0.0)]["exit"] < 0.5  # underdetermined off it
    pinned = result.readings[("prediction", 0.02)]
    assert pinned.exit_value == pytest.approx(1.0, abs=0.1)
    assert abs(pinned.marker_value) < 0.1
    assert abs(pinned.marker_value) < abs(at_zero.marker_value)
    assert result.test_rates[("prediction", 0.02)]["exit"] > 0.95
    assert set(result.summary()) >= {"prediction_q002_marker_value", "imitation_q0_exit_value"}


def test_claim_the_brighter_feature_becomes_the_objective():
    result = run_salience_swap(SalienceSwapConfig(**SMALL))
    assert result.test_rates["marker brighter"]["proxy"] > 0.8
    assert result.test_rates["exit brighter"]["exit"] > 0.8
    assert (
        result.readings["exit brighter"].preference
        > 0
        > result.readings["marker brighter"].preference
    )
    with pytest.raises(ValueError, match="order"):
        SalienceSwapConfig().run_config("both")


def test_claim_zeroing_the_marker_weight_turns_a_proxy_seeker_into_an_exit_seeker():
    result = run_objective_edit(ObjectiveEditConfig(**SMALL))
    assert result.test_rates["trained"]["proxy"] > 0.8
    assert result.test_rates["marker weight zeroed"]["exit"] > 0.95
    assert result.test_rates["exit weight zeroed"]["exit"] <= result.test_rates["trained"]["exit"]
    assert result.readings["marker weight zeroed"].marker_value == pytest.approx(0.0, abs=1e-6)


def test_edit_objective_copies_and_checks_its_input():
    model = initial_planner(chapter_config())
    before = linear_weights(model)
    edited = edit_objective(model, "marker", 0.0)
    assert linear_weights(edited)["marker"] == 0.0
    assert linear_weights(model) == before  # the original is untouched
    with pytest.raises(ValueError, match="feature"):
        edit_objective(model, "door", 0.0)
    with pytest.raises(ValueError, match="weight"):
        edit_objective(model, "exit", float("nan"))
    with pytest.raises(ValueError, match="linear"):
        edit_objective(initial_planner(chapter_config(reward_hidden=4)), "exit", 0.0)
