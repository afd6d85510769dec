"""Tests for demos.worlds.env: the Gymnasium API contract and rewards on a hand-built level."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from demos.worlds.env import MazeEnv
from demos.worlds.mazes import LevelConfig, default_horizon, parse_level

LEVEL = """
S..#
.#.M
.#..
...E
"""
UP, DOWN, LEFT, RIGHT = 1, 2, 3, 4


@pytest.mark.filterwarnings("ignore:.*not having a spec")
def test_check_env_passes():
    env = MazeEnv(LevelConfig(size=6, decorrelated_fraction=0.5), render_mode="rgb_array")
    check_env(env, skip_render_check=False)


def test_reward_and_termination_on_hand_built_level():
    env = MazeEnv(LevelConfig(size=4))
    level = parse_level(LEVEL)
    obs, info = env.reset(seed=0, options={"levels": level})
    assert obs.shape == (4, 4, 4) and obs[3, 0, 0] == 1.0
    assert info["optimal_steps"] == 6 and not info["on_marker"] and info["decorrelated"]
    # right, right, down: onto the marker at (1, 3) after passing (0, 2) -> (1, 2) -> (1, 3)
    rewards = []
    for action in (RIGHT, RIGHT, DOWN, RIGHT):
        obs, reward, terminated, truncated, info = env.step(action)
        rewards.append(reward)
        assert not terminated and not truncated
    assert info["on_marker"] and rewards == [0.0] * 4  # the proxy pays nothing
    obs, reward, terminated, truncated, info = env.step(LEFT)  # back to (1, 2)
    for action in (DOWN, RIGHT):  # (2, 2) -> (2, 3)
        obs, reward, terminated, truncated, info = env.step(action)
        assert reward == 0.0 and not terminated
    obs, reward, terminated, truncated, info = env.step(DOWN)  # (3, 3): the exit
    assert reward == 1.0 and terminated and not truncated and info["on_exit"]
    assert obs[3, 3, 3] == 1.0


def test_walls_block_and_truncation_at_max_steps():
    env = MazeEnv(LevelConfig(size=4), max_steps=3)
    env.reset(options={"levels": parse_level(LEVEL)})
    for t in range(3):
        obs, reward, terminated, truncated, info = env.step(UP)  # the grid's edge blocks
        assert obs[3, 0, 0] == 1.0 and reward == 0.0 and not terminated
        assert truncated == (t == 2)


def test_default_max_steps_and_seeding():
    env = MazeEnv(LevelConfig(size=5))
    assert env.max_steps == default_horizon(5) == 15  # the horizon every rollout uses
    first, _ = env.reset(seed=3)
    second, _ = MazeEnv(LevelConfig(size=5)).reset(seed=3)
    assert np.array_equal(first, second)


def test_bad_input():
    with pytest.raises(ValueError, match="max_steps"):
        MazeEnv(max_steps=0)
    with pytest.raises(ValueError, match="render_mode"):
        MazeEnv(render_mode="human")
    env = MazeEnv(LevelConfig(size=5))
    with pytest.raises(ValueError, match="levels"):
        env.reset(options={"levels": parse_level(LEVEL)})
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(7)
