"""Seeded claim test of ``task-diversity``: search generalises across diverse mazes."""

from __future__ import annotations

import numpy as np
import pytest

from demos.experiments.task_diversity import TaskDiversityConfig, run_task_diversity


@pytest.fixture(scope="module")
def result():
    return run_task_diversity(
        TaskDiversityConfig(
            train_levels=(1, 64), test_sizes=(7, 14), test_levels=100, train_steps=100, seed=0
        )
    )


def test_claim_the_planner_generalises_and_the_reactive_policy_does_not(result):
    """Paper 2.1 (better generalization through search), at small seeded scale."""
    planner, reactive = result.test_success["planner"], result.test_success["reactive"]
    assert np.all(planner >= 0.95)  # every diversity, every size, incl. twice the training side
    assert np.all(reactive[:, 1] < 0.6)  # the reactive CNN fails on large mazes
    gap = planner - reactive
    assert gap[1, 1] > gap[1, 0] + 0.2  # with 64 mazes the gap is much wider on large mazes


def test_claim_a_restricted_task_needs_no_search(result):
    """Paper 2.1 (task restriction): on one maze the reactive net is perfect but learns no rule."""
    assert result.train_success["reactive"][0] == 1.0
    assert result.test_success["reactive"][0, 0] < 0.3
    assert result.test_success["reactive"][1, 0] > result.test_success["reactive"][0, 0] + 0.3


def test_example_paths_start_on_the_start_cell(result):
    for model in ("planner", "reactive"):
        for i in range(2):
            for j, size in enumerate(result.config.test_sizes):
                path = result.example_paths[model][i][j]
                assert np.array_equal(path[0], result.example_levels[size].start[0])


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="train_levels"):
        TaskDiversityConfig(train_levels=(4, 2))
    with pytest.raises(ValueError, match="test_sizes"):
        TaskDiversityConfig(test_sizes=(3,))
