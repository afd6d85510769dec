"""Tests for demos.worlds.mazes against an independent breadth-first search written here."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from demos.worlds import mazes
from demos.worlds.mazes import (
    ACTIONS,
    CHANNELS,
    LevelConfig,
    Levels,
    bfs_distances,
    expert_actions,
    generate_levels,
    parse_level,
    shifted,
    step,
)

MOVES = ((-1, 0), (1, 0), (0, -1), (0, 1))

HAND_DRAWN = """
S..#...
.#.#.#.
.#...#.
.####E.
...#.#.
.#.M.#.
.#.....
"""


def reference_distances(walls: np.ndarray, target) -> np.ndarray:
    """Plain-Python BFS on one (H, W) grid; -1 on walls and unreachable cells."""
    height, width = walls.shape
    dist = -np.ones((height, width), dtype=int)
    dist[tuple(target)] = 0
    queue = deque([tuple(target)])
    while queue:
        r, c = queue.popleft()
        for dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            inside = 0 <= nr < height and 0 <= nc < width
            if inside and not walls[nr, nc] and dist[nr, nc] < 0:
                dist[nr, nc] = dist[r, c] + 1
                queue.append((nr, nc))
    return dist


def relaxation_distances(walls: np.ndarray, target) -> np.ndarray:
    """Bellman-Ford style relaxation to a fixed point: a second, different reference."""
    height, width = walls.shape
    big = 10**6
    dist = np.full((height, width), big)
    dist[tuple(target)] = 0
    changed = True
    while changed:
        changed = False
        for r in range(height):
            for c in range(width):
                if walls[r, c]:
                    continue
                for dr, dc in MOVES:
                    nr, nc = r + dr, c + dc
                    if 0 <= nr < height and 0 <= nc < width and not walls[nr, nc]:
                        if dist[nr, nc] + 1 < dist[r, c]:
                            dist[r, c] = dist[nr, nc] + 1
                            changed = True
    return np.where(dist >= big, -1, dist)


@pytest.fixture(scope="module")
def many_levels() -> Levels:
    config = LevelConfig(size=7, wall_density=0.3, decorrelated_fraction=0.3)
    return generate_levels(config, 3000, np.random.default_rng(0))


def test_actions_table():
    assert ACTIONS.shape == (5, 2)
    assert ACTIONS.tolist() == [[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]]
    assert mazes.ACTION_NAMES == ("stay", "up", "down", "left", "right")
    assert CHANNELS == ("walls", "exit", "marker", "agent")


def test_generated_levels_are_reachable_and_well_formed(many_levels):
    levels = many_levels
    assert len(levels) == 3000 and levels.walls.shape == (3000, 7, 7)
    for i in range(0, len(levels), 7):  # a spread-out sample keeps the pure-Python BFS fast
        walls = levels.walls[i]
        dist = reference_distances(walls, levels.exit[i])
        for name in ("start", "marker"):
            assert dist[tuple(getattr(levels, name)[i])] >= 0, (i, name)
        # every free cell is connected to the exit
        assert np.array_equal(dist >= 0, ~walls), i
    rows = np.arange(len(levels))
    for name in ("start", "exit", "marker"):
        cells = getattr(levels, name)
        assert not levels.walls[rows, cells[:, 0], cells[:, 1]].any(), name
    assert not np.any(np.all(levels.start == levels.exit, axis=1))
    assert not np.any(np.all(levels.start == levels.marker, axis=1))


def test_wall_share_is_the_configured_density():
    for density in (0.0, 0.3, 0.6):
        config = LevelConfig(size=9, wall_density=density)
        levels = generate_levels(config, 200, np.random.default_rng(1))
        per_level = levels.walls.reshape(200, -1).sum(axis=1)
        assert np.all(per_level == round(density * 81)), density


def test_decorrelated_share_and_distance_constraint(many_levels):
    levels = many_levels
    share = levels.decorrelated.mean()
    # Bernoulli(0.3) per level on 3000 levels: standard error ~0.008
    assert abs(share - 0.3) < 0.035
    for i in np.flatnonzero(levels.decorrelated)[:300]:
        dist = reference_distances(levels.walls[i], levels.exit[i])
        assert dist[tuple(levels.marker[i])] >= 3
    correlated = ~levels.decorrelated
    assert np.array_equal(levels.marker[correlated], levels.exit[correlated])


def test_exact_fraction_fixes_the_count():
    config = LevelConfig(size=6, decorrelated_fraction=0.05)
    for seed in range(5):
        levels = generate_levels(config, 60, np.random.default_rng(seed), exact_fraction=True)
        assert levels.decorrelated.sum() == 3


def test_extreme_fractions_and_larger_distance():
    config = LevelConfig(size=8, decorrelated_fraction=1.0, min_exit_marker_distance=6)
    levels = generate_levels(config, 200, np.random.default_rng(2))
    assert levels.decorrelated.all()
    dist = bfs_distances(levels.walls, levels.exit)
    assert np.all(dist[np.arange(200), levels.marker[:, 0], levels.marker[:, 1]] >= 6)
    none = generate_levels(
        shifted(config, decorrelated_fraction=0.0), 200, np.random.default_rng(2)
    )
    assert not none.decorrelated.any()


def test_bfs_matches_references_on_hand_drawn_maze():
    level = parse_level(HAND_DRAWN)
    walls = level.walls[0]
    for target in (level.exit[0], level.marker[0], level.start[0]):
        got = bfs_distances(level.walls, target[None])[0]
        assert np.array_equal(got, relaxation_distances(walls, target))
        assert np.array_equal(got, reference_distances(walls, target))
    # a few distances read off the drawing by hand
    to_exit = bfs_distances(level.walls, level.exit)[0]
    assert to_exit[3, 6] == 1 and to_exit[0, 0] == 14 and to_exit[5, 3] == 8
    assert to_exit[0, 3] == -1  # a wall


def test_bfs_marks_unreachable_cells():
    walls = np.zeros((1, 5, 5), dtype=bool)
    walls[0, 2, :] = True  # a full row of walls cuts the grid in two
    dist = bfs_distances(walls, np.array([[0, 0]]))[0]
    assert np.all(dist[3:] == -1) and dist[1, 4] == 5


def test_bfs_batched_equals_reference_on_random_levels(many_levels):
    sample = many_levels.subset(np.arange(40))
    dist = bfs_distances(sample.walls, sample.marker)
    for i in range(40):
        assert np.array_equal(dist[i], reference_distances(sample.walls[i], sample.marker[i]))


@pytest.mark.parametrize("target", ["exit", "marker"])
def test_expert_actions_are_optimal(many_levels, target):
    levels = many_levels.subset(np.arange(300))
    actions = expert_actions(levels, target)
    goal = getattr(levels, target)
    for i in range(0, 300, 10):
        dist = reference_distances(levels.walls[i], goal[i])
        assert np.array_equal(actions[i] == -1, dist == -1)
        for r, c in np.argwhere(dist >= 0):
            position, steps = np.array([r, c]), 0
            while not np.array_equal(position, goal[i]):
                position = position + ACTIONS[actions[i, position[0], position[1]]]
                steps += 1
                assert steps <= dist[r, c]
            assert steps == dist[r, c]
        assert actions[i, goal[i][0], goal[i][1]] == 0


def test_expert_tie_break_prefers_lowest_action_index():
    level = parse_level(["S...", "....", "....", "...E"])
    actions = expert_actions(level)[0]
    assert actions[0, 0] == 2  # down and right are both optimal: down (2) wins over right (4)
    assert actions[3, 0] == 4 and actions[0, 3] == 2


def test_step_blocks_walls_and_edges():
    level = parse_level(HAND_DRAWN)
    walls = np.repeat(level.walls, 5, axis=0)
    at_corner = np.array([[0, 0]] * 5)
    moved = step(walls, at_corner, np.arange(5))
    assert moved.tolist() == [[0, 0], [0, 0], [1, 0], [0, 0], [0, 1]]
    next_to_wall = np.array([[1, 2]] * 5)  # walls at (1, 1) and (1, 3)
    moved = step(walls, next_to_wall, np.arange(5))
    assert moved.tolist() == [[1, 2], [0, 2], [2, 2], [1, 2], [1, 2]]
    bottom_right = np.array([[6, 6]] * 5)
    moved = step(walls, bottom_right, np.arange(5))
    assert moved.tolist() == [[6, 6], [5, 6], [6, 6], [6, 5], [6, 6]]


def test_observation_channels_and_saliences():
    config = LevelConfig(size=7, exit_salience=0.25, marker_salience=0.75)
    level = parse_level(HAND_DRAWN, config)
    obs = level.observe()
    assert obs.shape == (1, 4, 7, 7) and obs.dtype == np.float32
    walls, exit_, marker, agent = obs[0]
    assert np.array_equal(walls == 1.0, level.walls[0]) and set(np.unique(walls)) <= {0.0, 1.0}
    assert exit_[3, 5] == 0.25 and exit_.sum() == 0.25
    assert marker[5, 3] == 0.75 and marker.sum() == 0.75
    assert agent[0, 0] == 1.0 and agent.sum() == 1.0
    moved = level.observe(np.array([[2, 2]]))
    assert moved[0, 3, 2, 2] == 1.0 and moved[0, 3].sum() == 1.0


def test_correlated_level_shows_exit_and_marker_on_one_cell():
    level = parse_level(["S...", ".#..", "....", "...E"])
    obs = level.observe()[0]
    assert obs[1, 3, 3] == pytest.approx(0.3) and obs[2, 3, 3] == 1.0
    assert not level.decorrelated[0]


def test_same_seed_same_levels():
    config = LevelConfig(size=9, decorrelated_fraction=0.5)
    a = generate_levels(config, 50, np.random.default_rng(7))
    b = generate_levels(config, 50, np.random.default_rng(7))
    c = generate_levels(config, 50, np.random.default_rng(8))
    for name in ("walls", "start", "exit", "marker"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.walls, c.walls)


def test_subset_keeps_batch_dimension():
    levels = generate_levels(LevelConfig(), 10, np.random.default_rng(0))
    one = levels.subset(3)
    assert len(one) == 1 and one.walls.shape == (1, 7, 7)
    assert np.array_equal(one.exit[0], levels.exit[3])
    mask = np.zeros(10, dtype=bool)
    mask[[1, 4]] = True
    assert len(levels.subset(mask)) == 2 and len(levels.subset(slice(0, 5))) == 5
    assert levels.size == 7


@pytest.mark.parametrize(
    "field, value",
    [
        ("size", 3),
        ("size", 65),
        ("size", 7.5),
        ("wall_density", 0.7),
        ("wall_density", -0.1),
        ("decorrelated_fraction", 1.5),
        ("exit_salience", 0.0),
        ("marker_salience", 1.2),
        ("min_exit_marker_distance", 0),
    ],
)
def test_bad_config_raises_value_error_naming_field(field, value):
    with pytest.raises(ValueError, match=field):
        LevelConfig(**{field: value})


def test_bad_inputs_raise_value_errors():
    config = LevelConfig(size=5)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n"):
        generate_levels(config, 0, rng)
    with pytest.raises(ValueError, match="rng"):
        generate_levels(config, 5, 0)
    with pytest.raises(ValueError, match="min_exit_marker_distance"):
        generate_levels(LevelConfig(size=4, min_exit_marker_distance=15), 5, rng)
    with pytest.raises(ValueError, match="field name"):
        shifted(config, sise=6)
    with pytest.raises(ValueError, match="decorrelated_fraction"):
        shifted(config, decorrelated_fraction=2.0)
    walls = np.zeros((2, 5, 5), dtype=bool)
    with pytest.raises(ValueError, match="target"):
        bfs_distances(walls, np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match="target"):
        bfs_distances(walls, np.array([[0, 0], [5, 0]]))
    with pytest.raises(ValueError, match="actions"):
        step(walls, np.zeros((2, 2), dtype=int), np.array([0, 5]))
    with pytest.raises(ValueError, match="positions"):
        step(walls, np.zeros((2, 3), dtype=int), np.array([0, 1]))
    level = parse_level(HAND_DRAWN)
    with pytest.raises(ValueError, match="target"):
        expert_actions(level, "goal")
    with pytest.raises(ValueError, match="agent"):
        level.observe(np.array([[0, 0], [1, 1]]))
    with pytest.raises(ValueError, match="start"):
        Levels(level.walls, np.array([[0, 3]]), level.exit, level.marker, level.config)
