"""The paying exit (instrumental alignment): the world's coins, and the experiment's claims."""

from __future__ import annotations

import numpy as np
import pytest

from demos.analysis.objectives import read_objective_for
from demos.experiments.paying_exit import PayingExitConfig, run_paying_exit
from demos.experiments.proxy_shift import ProxyShiftConfig, run_proxy_shift
from demos.worlds import paying_exit
from demos.worlds.mazes import LevelConfig, parse_level

PICTURE = """
S...
.#..
.#M.
...E
"""

SMALL = dict(train_levels=64, test_levels=150, train_steps=100)


def test_coins_are_paid_on_the_exit_and_on_a_pile_only_where_there_is_one():
    level = parse_level(PICTURE)  # the marker is away from the exit: a pile
    coins = paying_exit.coin_map(level, exit_coins=1.0, pile_coins=2.0)
    assert coins[0, 3, 3] == 1.0 and coins[0, 2, 2] == 2.0 and coins.sum() == 3.0
    rng = np.random.default_rng(0)
    levels = paying_exit.generate_paying_levels(LevelConfig(), 50, 0.1, rng)
    assert levels.decorrelated.sum() == 5  # exactly round(0.1 * 50) levels with a pile
    coins = paying_exit.coin_map(levels, 1.0, 2.0)
    assert np.all(coins.reshape(50, -1).sum(axis=1) == np.where(levels.decorrelated, 3.0, 1.0))


def test_coins_earned_counts_every_step_after_the_start():
    level = parse_level(PICTURE)
    # Start (0,0) -> (0,1) -> (0,2) -> (1,2) -> (2,2) pile, then stay two steps: 3 pile steps.
    path = np.array([[[0, 0], [0, 1], [0, 2], [1, 2], [2, 2], [2, 2], [2, 2]]])
    assert paying_exit.coins_earned(level, path, 1.0, 2.0)[0] == pytest.approx(6.0)
    obs = paying_exit.observe(level, 0.3, 1.0, 2.0)
    assert obs.shape == (1, 3, 4, 4)
    assert obs[0, 1, 3, 3] == pytest.approx(0.3) and obs[0, 2, 2, 2] == 2.0
    assert obs[0, 0].sum() == np.asarray(level.walls).sum()


def test_bad_input_names_the_parameter():
    level = parse_level(PICTURE)
    with pytest.raises(ValueError, match="exit_coins"):
        paying_exit.coin_map(level, -1.0, 2.0)
    with pytest.raises(ValueError, match="pile_fraction"):
        paying_exit.generate_paying_levels(LevelConfig(), 5, 1.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="paths"):
        paying_exit.coins_earned(level, np.zeros((2, 3, 2), dtype=int), 1.0, 2.0)
    with pytest.raises(ValueError, match="pile_coins"):
        PayingExitConfig(pile_coins=0.0)


@pytest.fixture(scope="module")
def runs():
    return {
        "alone": run_paying_exit(PayingExitConfig(**SMALL)),
        "piles": run_paying_exit(PayingExitConfig(pile_fraction=0.05, **SMALL)),
    }


def test_claim_a_planner_that_wants_coins_reaches_the_exit_in_training_and_leaves_it_at_test(runs):
    alone = runs["alone"]
    assert alone.train_success >= 0.95
    assert alone.coin_value > alone.exit_value  # the brighter feature carries the objective
    assert alone.test_rates["planner"]["pile"] > 0.5
    assert alone.test_rates["aligned"]["exit"] == 1.0 and alone.test_rates["expert"]["exit"] == 1.0
    assert alone.coins["planner"] > alone.coins["expert"]  # the hidden measure goes up


def test_claim_a_few_levels_with_a_pile_remove_the_coin_value(runs):
    alone, piles = runs["alone"], runs["piles"]
    assert piles.coin_value < 0.2 * alone.coin_value
    assert piles.test_rates["planner"]["exit"] > 0.9


def test_the_learner_sees_the_same_numbers_as_the_marker_planner(runs):
    # Independent reference: the proxy-shift experiment on the same layouts, with the marker in
    # the coin channel's place. The two trainings are one computation under two names.
    config = runs["alone"].config
    marker_run = run_proxy_shift(
        ProxyShiftConfig(
            decorrelated_fraction=0.0,
            marker_salience=config.exit_coins,
            eval_every=0,
            seed=config.seed,
            **SMALL,
        )
    )
    reading = read_objective_for(marker_run.model, marker_run.test_levels.config)
    assert runs["alone"].coin_value == pytest.approx(reading.marker_value, abs=1e-4)
    assert runs["alone"].exit_value == pytest.approx(reading.exit_value, abs=1e-4)


def test_showcase_is_a_level_where_the_two_planners_part(runs):
    result = runs["alone"]
    index = result.showcase()
    levels = result.test_levels
    assert np.array_equal(result.paths["planner"][index, -1], levels.marker[index])
    assert np.array_equal(result.paths["aligned"][index, -1], levels.exit[index])
