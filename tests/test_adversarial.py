"""Seeded tests of what the base optimizer can do about a proxy: adversarial training and
selection on the model's internals (chapter 3, section 3.3)."""

from __future__ import annotations

import numpy as np
import pytest

from demos.agents.planners import Planner
from demos.analysis.objectives import ObjectiveReading, select_by_internals, select_by_training
from demos.experiments.adversarial_training import (
    AdversarialTrainingConfig,
    run_adversarial_training,
)
from demos.training.adversarial import adversarial_training, concatenate, find_failures
from demos.training.proxy_training import chapter_config, share_runs, trained
from demos.worlds.mazes import LevelConfig, generate_levels, parse_level, shifted


@pytest.fixture(scope="module", autouse=True)
def shared_runs():
    """Let the tests of this module share trained runs, as the chapter's notebook does."""
    share_runs(True)
    yield
    share_runs(False)


@pytest.fixture(scope="module")
def proxy_seeker():
    return trained(chapter_config(decorrelated_fraction=0.0))


def test_adversarial_training_lowers_the_test_proxy_rate():
    result = run_adversarial_training(AdversarialTrainingConfig(rounds=2, pool=100))
    attacked, control = result.proxy_rates("attacked"), result.proxy_rates("control")
    assert attacked[0] > 0.8, "the starting planner seeks the marker"
    assert attacked[-1] < attacked[0] - 0.5, "training on found failures moves it off the proxy"
    assert control[-1] > 0.8, "the same extra steps without new levels do not"
    assert result.attacked[1].found > 0 and result.attacked[-1].added >= 1
    assert result.preferences()[-1] > 0 > result.preferences()[0]


def test_adversarial_training_leaves_the_remembered_model_untouched(proxy_seeker):
    before = {name: value.clone() for name, value in proxy_seeker.model.state_dict().items()}
    run_adversarial_training(AdversarialTrainingConfig(rounds=1, pool=50, steps_per_round=5))
    for name, value in proxy_seeker.model.state_dict().items():
        assert np.array_equal(value.numpy(), before[name].numpy()), name


def test_the_adversary_finds_failures_only_where_the_proxy_differs(proxy_seeker):
    model = proxy_seeker.model
    config = proxy_seeker.train_levels.config
    apart, found_apart = find_failures(
        model, shifted(config, decorrelated_fraction=1.0), 60, 5, np.random.default_rng(0)
    )
    together, found_together = find_failures(
        model, shifted(config, decorrelated_fraction=0.0), 60, 5, np.random.default_rng(0)
    )
    assert found_apart > 40 and len(apart) == 5
    assert found_together <= 3
    assert together is None or len(together) == found_together


def test_a_control_round_adds_no_levels(proxy_seeker):
    import copy

    rounds = adversarial_training(
        copy.deepcopy(proxy_seeker.model),
        proxy_seeker.train_levels,
        proxy_seeker.test_levels.subset(slice(0, 50)),
        shifted(proxy_seeker.train_levels.config, decorrelated_fraction=1.0),
        rounds=1,
        per_round=3,
        pool=30,
        steps_per_round=2,
        rng=np.random.default_rng(0),
        generator=None,
        attack=False,
    )
    assert [entry.added for entry in rounds] == [0, 0]
    assert rounds[-1].train_size == len(proxy_seeker.train_levels)


def test_selection_picks_the_most_exit_preferring_objective_and_the_lowest_loss():
    readings = [
        ObjectiveReading(floor=0.0, exit=1.0, marker=2.0, both=3.0),
        ObjectiveReading(floor=-1.0, exit=2.0, marker=0.5, both=3.0),
        ObjectiveReading(floor=0.0, exit=1.0, marker=1.5, both=2.5),
    ]
    assert select_by_internals(readings) == 1
    assert select_by_training([0.3, 0.1, 0.2]) == 1


def test_concatenate_keeps_every_level_in_order():
    first = generate_levels(LevelConfig(), 3, np.random.default_rng(0))
    second = generate_levels(LevelConfig(), 2, np.random.default_rng(1))
    both = concatenate(first, second)
    assert len(both) == 5
    assert np.array_equal(both.exit[3:], second.exit)
    assert np.array_equal(both.walls[:3], first.walls)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: AdversarialTrainingConfig(rounds=0), "rounds"),
        (lambda: AdversarialTrainingConfig(search_fraction=1.5), "search_fraction"),
        (lambda: AdversarialTrainingConfig(exit_salience=0.0), "exit_salience"),
        (lambda: select_by_internals([]), "readings"),
        (lambda: select_by_training([0.1, float("nan")]), "losses"),
        (
            lambda: find_failures(Planner(), LevelConfig(), 0, 1, np.random.default_rng(0)),
            "pool",
        ),
        (lambda: find_failures("model", LevelConfig(), 5, 1, np.random.default_rng(0)), "model"),
        (
            lambda: concatenate(
                parse_level(["S.E.", "....", "....", "...."]),
                generate_levels(LevelConfig(size=5), 1, np.random.default_rng(0)),
            ),
            "size",
        ),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=name):
        make()
