"""Exhaustive verification: layouts against brute force, verdicts against independent checks."""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np
import pytest
import torch

from demos.agents.planners import Planner
from demos.analysis.verification import (
    connected_layouts,
    count_cases,
    count_cases_farther,
    estimate_cases,
    verify,
)
from demos.experiments.verification import (
    VerificationConfig,
    property_holds,
    run_verification,
)
from demos.worlds.mazes import STAY, LevelConfig, expert_actions


def _connected(free: set) -> bool:
    start = next(iter(free))
    seen, queue = {start}, deque([start])
    while queue:
        r, c = queue.popleft()
        for step in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            cell = (r + step[0], c + step[1])
            if cell in free and cell not in seen:
                seen.add(cell)
                queue.append(cell)
    return len(seen) == len(free)


@pytest.mark.parametrize("size", [2, 3])
def test_connected_layouts_match_brute_force(size):
    cells = [(r, c) for r in range(size) for c in range(size)]
    expected = set()
    for chosen in itertools.product([False, True], repeat=len(cells)):
        free = {cell for cell, is_free in zip(cells, chosen, strict=True) if is_free}
        if len(free) >= 2 and _connected(free):
            expected.add(frozenset(free))
    layouts = connected_layouts(size)
    found = {frozenset(zip(*np.nonzero(~layout), strict=True)) for layout in layouts}
    assert found == expected
    free_counts = [len(free) for free in expected]
    assert count_cases(layouts) == sum(f * (f - 1) for f in free_counts)


def test_the_sampled_count_estimates_the_exact_one():
    exact = count_cases(connected_layouts(4))
    assert estimate_cases(4, 1500, np.random.default_rng(0)) == pytest.approx(exact, rel=0.03)


def _expert(mazes):
    actions = torch.as_tensor(np.where(expert_actions(mazes) < 0, STAY, expert_actions(mazes)))
    return torch.nn.functional.one_hot(actions, 5).permute(0, 3, 1, 2).float()


def test_the_shortest_path_expert_is_verified_and_standing_still_is_refuted_everywhere():
    layouts = connected_layouts(4)
    expert = verify(_expert, layouts, config=LevelConfig(size=4))
    assert expert.holds and expert.cases == count_cases(layouts)

    def stay(mazes):
        logits = torch.zeros((len(mazes), 5, 4, 4))
        logits[:, STAY] = 1.0
        return logits

    still = verify(stay, layouts[:500], config=LevelConfig(size=4))
    assert still.violations == still.cases == count_cases(layouts[:500])


def test_a_planner_with_a_short_search_fails_exactly_where_the_exit_is_beyond_it():
    planner = Planner(steps=4)
    with torch.no_grad():  # reward 1 on the exit feature, nothing else: a correct objective
        planner.reward_head.layers.weight.zero_()
        planner.reward_head.layers.bias.zero_()
        planner.reward_head.layers.weight[0, 1] = 1.0 / LevelConfig(size=4).exit_salience
        planner.log_temperature.fill_(3.0)
    layouts = connected_layouts(4)
    check = verify(planner.policy, layouts, config=LevelConfig(size=4))
    assert check.violations == count_cases_farther(layouts, 4) > 0
    for kept in check.examples.values():
        for example in kept:
            assert not property_holds(planner, example)[0]


def test_the_experiment_verifies_the_planner_and_refutes_the_network():
    result = run_verification(
        VerificationConfig(
            train_levels=128, train_steps=120, test_levels=100, count_sizes=(2, 3), layouts=2000
        )
    )
    assert result.checks["planner"].holds and len(result.layouts) == 2000
    assert result.checks["reactive"].violations > 0
    assert result.case_counts == {2: 44.0, 3: 4928.0}


def test_bad_input():
    with pytest.raises(ValueError, match="size"):
        connected_layouts(5)
    with pytest.raises(ValueError, match="layouts"):
        verify(_expert, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="count_sizes"):
        VerificationConfig(count_sizes=(3, 2))
