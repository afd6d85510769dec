"""Tests for demos.training.base_optimizers: each base optimizer improves its own base objective."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.agents import planners
from demos.core.runtime import seeded
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import LevelConfig, generate_levels


@pytest.fixture(scope="module")
def levels():
    return generate_levels(LevelConfig(size=6), 48, np.random.default_rng(0))


def fresh_planner(seed: int = 0) -> planners.Planner:
    return planners.Planner(steps=10, generator=torch.Generator().manual_seed(seed))


def success(model, levels) -> float:
    with torch.no_grad():
        return rollouts.rollout(levels, model.policy(levels)).success_rate()


def test_imitation_lowers_the_loss_and_solves_the_training_levels(levels):
    seeded(0)
    model = fresh_planner()
    before = success(model, levels)
    history = base_optimizers.imitate(model, levels, steps=60, learning_rate=0.1)
    steps, losses = history.column("loss")
    assert steps[0] == 0 and steps[-1] == 60
    assert losses[-1] < 0.5 * losses[0]
    assert success(model, levels) == 1.0 > before


def test_imitating_the_marker_expert_heads_for_the_marker():
    config = LevelConfig(size=6, decorrelated_fraction=1.0)
    levels = generate_levels(config, 48, np.random.default_rng(1))
    model = fresh_planner()
    base_optimizers.imitate(model, levels, steps=60, learning_rate=0.1, target="marker")
    with torch.no_grad():
        rates = rollouts.rollout(levels, model.policy(levels)).settle_rates()
    assert rates["proxy"] > 0.9


def test_reinforce_raises_the_mean_return(levels):
    seeds = seeded(0)
    model = fresh_planner()
    history = base_optimizers.reinforce(
        model, levels, steps=40, batch_size=48, learning_rate=0.1, generator=seeds.torch
    )
    _, returns = history.column("mean_return")
    assert returns[-5:].mean() > returns[:5].mean() + 0.2


def test_evolution_strategy_improves_fitness_without_gradients(levels):
    seeds = seeded(0)
    model = fresh_planner(3)
    before = base_optimizers.greedy_return(model, levels)
    with torch.no_grad():  # no gradient is ever needed
        history = base_optimizers.evolve(
            model, levels, steps=8, population=8, generator=seeds.torch
        )
    after = base_optimizers.greedy_return(model, levels)
    assert after > before + 0.2
    assert history.last("loss") == pytest.approx(-after)


def test_evaluation_snapshots_and_restore(levels):
    model = fresh_planner()
    history = base_optimizers.imitate(
        model,
        levels,
        steps=20,
        evaluate=lambda m: {"train_success": success(m, levels)},
        eval_every=10,
        snapshot_every=10,
    )
    steps, _ = history.column("train_success")
    np.testing.assert_array_equal(steps, [0, 10, 20])
    assert [step for step, _ in history.snapshots] == [0, 10, 20]
    restored = history.restore(fresh_planner(5), 0)
    assert success(restored, levels) == pytest.approx(history.column("train_success")[1][0])
    with pytest.raises(ValueError, match="step"):
        history.restore(model, 7)


def test_the_same_seed_gives_the_same_training(levels):
    runs = []
    for _ in range(2):
        seeds = seeded(4)
        model = fresh_planner()
        base_optimizers.reinforce(model, levels, steps=5, batch_size=16, generator=seeds.torch)
        runs.append(torch.nn.utils.parameters_to_vector(model.parameters()))
    torch.testing.assert_close(runs[0], runs[1], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda m, lv: base_optimizers.imitate(m, lv, steps=0), "steps"),
        (lambda m, lv: base_optimizers.imitate(m, lv, learning_rate=-1), "learning_rate"),
        (lambda m, lv: base_optimizers.imitate(m, lv, target="door"), "target"),
        (lambda m, lv: base_optimizers.imitate(m, lv, batch_size=1000), "batch_size"),
        (lambda m, lv: base_optimizers.reinforce(m, lv, discount=2), "discount"),
        (lambda m, lv: base_optimizers.evolve(m, lv, population=5), "population"),
        (lambda m, lv: base_optimizers.imitate("model", lv), "model"),
        (lambda m, lv: base_optimizers.imitate(m, "levels"), "levels"),
    ],
)
def test_bad_input_names_the_parameter(levels, call, name):
    with pytest.raises(ValueError, match=name):
        call(fresh_planner(), levels)
