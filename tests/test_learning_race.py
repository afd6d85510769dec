"""The stylised learning race: its step-by-step dynamics against closed forms of the same
assumptions, and the direction of each factor's effect."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from demos.__main__ import main
from demos.experiments.learning_race import (
    LearningRaceConfig,
    example_runs,
    run_learning_race,
    sweep,
)
from demos.training.deception_race import (
    CORRIGIBLE,
    DECEPTIVE,
    INTERNAL,
    RaceConstants,
    simulate,
)


def run(r_int, r_mod, conditions, penalty, steps, start=0.1, record=False, **constants):
    """One run with no spread between runs, starting from objective ``start``."""
    return simulate(
        r_int,
        r_mod,
        conditions,
        penalty,
        0.0,
        1.0,
        steps,
        np.random.default_rng(0),
        RaceConstants(spread=0.0, **constants),
        record=record,
        initial_objective=start,
    )


def test_switch_step_and_objective_follow_the_closed_forms():
    r_mod, r_int, start, needed = 0.01, 0.002, 0.1, 0.5
    out = run(r_int, r_mod, True, 0.0, 400, start, knowledge_needed=needed)
    # knowledge after t steps is 1 - (1 - r_mod)^t; the switch is the first t reaching `needed`
    switch = math.ceil(math.log(1 - needed) / math.log(1 - r_mod))
    assert int(out.switched_at) == switch and int(out.mode) == DECEPTIVE
    # before it the proxy's loss (1 - objective) shrinks geometrically
    assert float(out.objective_at_switch) == pytest.approx(1 - (1 - start) * (1 - r_int) ** switch)


def test_without_penalties_a_deceptive_objective_only_moves_with_the_remaining_mistakes():
    r_mod, r_int, steps = 0.01, 0.002, 3000
    out = run(r_int, r_mod, True, 0.0, steps, record=True)
    switch = int(out.switched_at)
    knowledge = 1 - (1 - r_mod) ** np.arange(steps + 1)
    # after the switch, each step adds r_int * (1 - knowledge after that step's learning)
    expected = float(out.objective_at_switch) + r_int * (1 - knowledge[switch + 1 :]).sum()
    assert float(out.objective) == pytest.approx(expected, rel=1e-9)
    late = out.history["objective"][-500:]
    assert late[-1] - late[0] < 1e-3, "the objective has crystallized"


def test_penalties_keep_a_deceptive_objective_moving_until_it_is_internal():
    calm = run(0.002, 0.01, True, 0.0, 3000)
    pushed = run(0.002, 0.01, True, 30.0, 3000)
    assert int(calm.mode) == DECEPTIVE and int(pushed.mode) == INTERNAL


def test_without_the_conditions_the_pointer_makes_it_corrigible():
    out = run(0.002, 0.01, False, 0.0, 3000)
    assert int(out.mode) == CORRIGIBLE


@pytest.fixture(scope="module")
def grid():
    return sweep(LearningRaceConfig(runs=100, steps=800))


def test_faster_internalization_means_more_internal_alignment(grid):
    curve = grid.curve(
        "internal", conditions_met=True, defection_penalty=1.0, compute_cost=0.0, diversity=1.0
    )
    assert curve[0] < 0.1 and curve[-1] > 0.9
    assert np.all(np.diff(curve) >= -0.05)


def test_deception_needs_the_conditions(grid):
    for penalty in grid.axes["defection_penalty"]:
        off = grid.curve(
            "deceptive",
            conditions_met=False,
            defection_penalty=penalty,
            compute_cost=0.0,
            diversity=1.0,
        )
        assert np.all(off == 0)


def test_penalty_compute_and_diversity_each_reduce_deception(grid):
    def deceptive(**changes):
        point = dict(conditions_met=True, defection_penalty=0.0, compute_cost=0.0, diversity=1.0)
        point.update(changes)
        return grid.curve("deceptive", **point).sum()

    base = deceptive()
    assert deceptive(defection_penalty=5.0) < base
    assert deceptive(compute_cost=0.01) < base
    assert deceptive(diversity=0.2) > base, "a narrow distribution leaves the proxy unpunished"


def test_experiment_summary_command_line_and_examples(capsys):
    config = LearningRaceConfig(runs=50, steps=500, rate_ratios=(0.1, 10.0))
    result = run_learning_race(config)
    assert result.share("deceptive", 0.1) > 0.9 and result.share("internal", 10.0) > 0.9
    assert run_learning_race(config).summary() == result.summary()
    assert main(["learning-race", "--runs", "20", "--steps", "100", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["conditions_met"] is True
    assert main(["learning-race", "--no-models-selection", "--runs", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deceptive_share_max"] == 0
    runs = example_runs(config, {"fast": {"rate_ratio": 10.0}, "slow": {"rate_ratio": 0.1}})
    assert runs["fast"]["mode"][-1] == INTERNAL and runs["slow"]["mode"][-1] == DECEPTIVE


def test_bad_values_name_the_parameter():
    with pytest.raises(ValueError, match="rate_ratios"):
        LearningRaceConfig(rate_ratios=(1.0, 0.5))
    with pytest.raises(ValueError, match="diversity"):
        LearningRaceConfig(diversity=0.0)
    with pytest.raises(ValueError, match="initial_objective"):
        RaceConstants(initial_objective=0.99)
    with pytest.raises(ValueError, match="initial_objective"):
        run(0.1, 0.1, True, 0.0, 10, start=0.97)
