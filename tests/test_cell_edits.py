"""Single-cell edits: enumeration against brute force, and which policies they break."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
import torch

from demos.analysis.cell_edits import edit_outcomes, single_cell_edits
from demos.experiments.one_cell_edits import OneCellEditsConfig, run_one_cell_edits
from demos.worlds.mazes import RIGHT, LevelConfig, expert_actions, generate_levels, parse_level

MAZE = """
S#.E
.#..
....
##..
"""

OPEN = """
S..E
....
....
....
"""


def _reachable(walls, start, goal) -> bool:
    """Plain breadth-first search, written out independently of demos.worlds.mazes."""
    size = len(walls)
    seen, queue = {start}, deque([start])
    while queue:
        r, c = queue.popleft()
        if (r, c) == goal:
            return True
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < size and 0 <= nc < size and not walls[nr][nc] and (nr, nc) not in seen:
                seen.add((nr, nc))
                queue.append((nr, nc))
    return False


def _expert_policy(levels):
    """Logits that put all weight on the BFS expert's action (an agent that always re-plans)."""
    actions = expert_actions(levels)
    logits = torch.full((len(levels), 5, levels.size, levels.size), -10.0)
    index = torch.as_tensor(np.where(actions < 0, 0, actions))[:, None]
    return logits.scatter(1, index, 10.0)


def test_valid_edits_are_exactly_the_toggles_that_keep_the_exit_reachable():
    level = parse_level(MAZE)
    edits = single_cell_edits(level)
    walls = level.walls[0].tolist()
    expected = set()
    for r in range(4):
        for c in range(4):
            if (r, c) in ((0, 0), (0, 3)):
                continue
            toggled = [row[:] for row in walls]
            toggled[r][c] = not toggled[r][c]
            if _reachable(toggled, (0, 0), (0, 3)):
                expected.add((r, c))
    assert {tuple(cell) for cell in edits.cell.tolist()} == expected
    assert len(edits) == len(expected) == 10  # walling the corridor (1,0)-(2,2) cuts the start off
    opened = edits.added_wall[[tuple(c) == (0, 1) for c in edits.cell.tolist()]]
    assert opened.tolist() == [False]


def test_an_agent_that_replans_is_never_broken():
    levels = generate_levels(LevelConfig(size=6), 20, np.random.default_rng(0))
    outcome = edit_outcomes(_expert_policy, single_cell_edits(levels))
    assert outcome.original_success.all()
    assert not outcome.breaking.any()


def test_a_memorised_route_breaks_exactly_where_the_route_is_walled():
    level = parse_level(OPEN)

    def always_right(levels):
        logits = torch.zeros((len(levels), 5, levels.size, levels.size))
        logits[:, RIGHT] = 1.0
        return logits

    outcome = edit_outcomes(always_right, single_cell_edits(level))
    broken = {tuple(cell) for cell in outcome.edits.cell[outcome.breaking].tolist()}
    assert outcome.original_success.tolist() == [True]
    assert broken == {(0, 1), (0, 2)}


def test_the_planner_breaks_only_beyond_its_horizon_and_less_often_than_the_network():
    config = OneCellEditsConfig(train_levels=128, train_steps=80, test_levels=30, seed=1)
    result = run_one_cell_edits(config)
    planner = result.outcomes["planner"]
    assert planner.original_success.all()
    assert (
        planner.breaking == (result.beyond_horizon & planner.original_success[result.edits.source])
    ).all()
    assert (
        result.figures["reactive"]["vulnerable_share"]
        > result.figures["planner"]["vulnerable_share"] + 0.2
    )


def test_bad_input():
    with pytest.raises(ValueError, match="levels"):
        single_cell_edits("not levels")
    with pytest.raises(ValueError, match="size"):
        OneCellEditsConfig(size=2)
