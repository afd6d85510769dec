"""The lookup table (optimized, not an optimizer) and the bottle-cap experiment's claims."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.__main__ import main
from demos.agents import lookup
from demos.experiments.bottle_cap import (
    EDITS,
    MODELS,
    BottleCapConfig,
    expert_agreement,
    run_bottle_cap,
)
from demos.figures import drawing
from demos.figures.style import new_figure
from demos.training import base_optimizers
from demos.worlds.mazes import LevelConfig, bfs_distances, generate_levels, parse_level, step


def test_the_table_answers_every_level_the_same_way():
    policy = lookup.LookupPolicy(7, init_scale=1.0, generator=torch.Generator().manual_seed(0))
    levels = generate_levels(LevelConfig(), 3, np.random.default_rng(0))
    logits = policy.policy(levels)
    assert logits.shape == (3, 5, 7, 7)
    assert torch.equal(logits[0], logits[2])
    assert policy.actions().shape == (7, 7)


def test_imitation_fits_a_shortest_path_action_at_every_free_cell():
    level = generate_levels(LevelConfig(), 1, np.random.default_rng(4))
    policy = lookup.LookupPolicy(level.size, generator=torch.Generator().manual_seed(0))
    history = base_optimizers.imitate(policy, level, steps=60, learning_rate=0.5)
    assert history.rows[-1]["loss"] < history.rows[0]["loss"]
    # Independent check with BFS distances: each greedy move brings the agent one step closer.
    distance = bfs_distances(level.walls, level.exit)[0]
    rows, cols = np.nonzero(distance > 0)
    landed = step(
        np.repeat(level.walls, len(rows), 0),
        np.stack([rows, cols], 1),
        policy.actions()[rows, cols],
    )
    assert np.all(distance[landed[:, 0], landed[:, 1]] == distance[rows, cols] - 1)
    assert expert_agreement(policy, level) == 1.0


@pytest.fixture(scope="module")
def result():
    return run_bottle_cap(BottleCapConfig())


def test_both_models_solve_the_maze_they_were_trained_on(result):
    assert result.train_cell_accuracy == {"lookup": 1.0, "planner": 1.0}
    for model in MODELS:
        outcome = result.outcomes["as trained"][model]
        assert outcome.reached and outcome.steps == outcome.shortest


def test_only_the_planner_copes_when_the_maze_changes(result):
    lookup_success, planner_success = result.success("lookup"), result.success("planner")
    assert all(planner_success.values())
    for edit in EDITS:  # the planner re-plans: always a shortest path
        outcome = result.outcomes[edit]["planner"]
        assert outcome.steps == outcome.shortest
    assert not lookup_success["exit moved"] and not lookup_success["wall added"]
    # The table still works where the maze itself did not change ...
    assert lookup_success["start moved"]
    # ... and where its old route still exists, but it misses the new shortcut.
    assert lookup_success["wall removed"]
    assert result.outcomes["wall removed"]["lookup"].extra_steps > 0


def test_the_planners_objective_moves_with_the_exit(result):
    for edit in ("as trained", "exit moved"):
        level = result.levels[edit]
        reward = np.where(level.walls[0], -np.inf, result.reward_maps[edit])
        assert np.unravel_index(reward.argmax(), reward.shape) == tuple(level.exit[0])


def test_draw_actions_puts_one_arrow_per_moving_free_cell():
    level = parse_level(["S...", ".#..", ".#..", "...E"])
    actions = np.zeros((4, 4), dtype=int)
    actions[0, :3] = 4  # right along the top row
    actions[1:3, 0] = 2  # down the left column
    figure, ax = new_figure()
    drawing.draw_actions(ax, actions, level.walls[0])
    quiver = ax.collections[-1]
    assert len(quiver.U) == 5
    assert sorted(zip(quiver.U.tolist(), quiver.V.tolist(), strict=True)) == sorted(
        [(0.5, 0.0)] * 3 + [(0.0, 0.5)] * 2
    )


def test_bad_input_names_the_parameter():
    policy = lookup.LookupPolicy(5)
    with pytest.raises(ValueError, match="size"):
        policy.policy(generate_levels(LevelConfig(), 1, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="size"):
        lookup.LookupPolicy(2)
    figure, ax = new_figure()
    with pytest.raises(ValueError, match="actions"):
        drawing.draw_actions(ax, np.full((4, 4), 7), np.zeros((4, 4), bool))
    with pytest.raises(ValueError, match="walls"):
        drawing.draw_actions(ax, np.zeros((4, 4), int), np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match="planner_steps"):
        BottleCapConfig(planner_steps=0)
    with pytest.raises(ValueError, match="model"):
        run_bottle_cap(BottleCapConfig(planner_steps=1, lookup_steps=1)).success("table")


def test_command_line_exits_with_status_2_on_bad_input(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bottle-cap", "--lookup-learning-rate", "0"])
    assert exit_info.value.code == 2
    assert "lookup_learning_rate" in capsys.readouterr().err
