"""Inverse planning (the behavioral objective) and the behavioral-objective experiment's claims."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from demos.__main__ import main
from demos.agents import planners
from demos.analysis import behavioral
from demos.experiments.behavioral_objective import (
    BehavioralObjectiveConfig,
    replay_steps,
    run_behavioral_objective,
    train_with_snapshots,
)
from demos.experiments.proxy_shift import ProxyShiftConfig, run_proxy_shift
from demos.figures import introduction
from demos.training import rollouts
from demos.worlds.mazes import ACTIONS, LevelConfig, generate_levels, parse_level

TINY = """
S...
.#..
.#..
...E
"""


def random_goals(levels, rng):
    """One uniformly random free cell per level."""
    return np.array([rng.choice(np.argwhere(~levels.walls[i])) for i in range(len(levels))])


def one_hot(levels, cells):
    maps = np.zeros((len(levels), levels.size, levels.size), dtype=np.float32)
    maps[np.arange(len(levels)), cells[:, 0], cells[:, 1]] = 1.0
    return maps


@pytest.mark.parametrize(("horizon", "discount"), [(1, 0.9), (4, 0.8), (21, 0.9), (6, 1.0)])
def test_closed_form_goal_values_equal_value_iteration(horizon, discount):
    levels = generate_levels(LevelConfig(), 12, np.random.default_rng(3))
    n, size = len(levels), levels.size
    closed = behavioral.goal_q_values(levels, horizon, discount)
    maps = torch.from_numpy(behavioral.goal_maps(levels).reshape(-1, size, size).copy())
    walls = torch.from_numpy(np.array(levels.walls)).repeat_interleave(size * size, 0)
    iterated = planners.value_iteration(maps, walls, horizon, discount).view(
        n, size * size, 5, size * size
    )
    free = ~np.array(levels.walls).reshape(n, -1)
    both = free[:, :, None, None] & free[:, None, None, :]  # free goal, free cell
    both = np.broadcast_to(both, closed.shape)
    assert np.allclose(closed[both], iterated.numpy()[both], atol=1e-4)


def _naive_q(walls, reward, horizon, discount):
    """Plain-Python value iteration on one grid: the independent reference."""
    size = len(walls)

    def move(cell, action):
        r, c = cell[0] + ACTIONS[action][0], cell[1] + ACTIONS[action][1]
        if 0 <= r < size and 0 <= c < size and not walls[r][c]:
            return (r, c)
        return cell

    cells = [(r, c) for r in range(size) for c in range(size) if not walls[r][c]]
    value = {cell: 0.0 for cell in cells}
    q = {}
    for _ in range(horizon):
        q = {
            cell: [
                reward[move(cell, a)[0]][move(cell, a)[1]] + discount * value[move(cell, a)]
                for a in range(5)
            ]
            for cell in cells
        }
        value = {cell: max(q[cell]) for cell in cells}
    return q, move


def test_path_likelihood_matches_a_hand_computed_boltzmann_agent():
    level = parse_level(TINY)
    walls = level.walls[0].tolist()
    reward = np.zeros((4, 4))
    reward[2, 2] = 1.0  # a goal that is neither start nor exit
    path = np.array([[[0, 0], [0, 1], [0, 1], [0, 2]]])  # right, "up" into the edge, right
    beta, horizon, discount = 2.0, 5, 0.9
    q, move = _naive_q(walls, reward, horizon, discount)
    expected = 0.0
    for here, there in zip(path[0, :-1], path[0, 1:], strict=True):
        values = np.array(q[tuple(here)])
        probabilities = np.exp(beta * values) / np.exp(beta * values).sum()
        expected += math.log(
            sum(p for a, p in enumerate(probabilities) if move(tuple(here), a) == tuple(there))
        )
    got = behavioral.path_log_likelihood(
        level, path, reward[None, None], rationality=[beta], horizon=horizon, discount=discount
    )
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(expected, abs=1e-5)


def test_inverse_planning_recovers_the_goal_of_a_planner_given_that_goal():
    rng = np.random.default_rng(0)
    levels = generate_levels(LevelConfig(decorrelated_fraction=1.0), 60, rng)
    goals = random_goals(levels, rng)
    q_values = planners.value_iteration(
        torch.from_numpy(one_hot(levels, goals)), torch.from_numpy(np.array(levels.walls)), 21
    )
    greedy = rollouts.rollout(levels, q_values)
    sampled = rollouts.rollout(
        levels, 20 * q_values, greedy=False, generator=torch.Generator().manual_seed(0)
    )
    assert behavioral.infer_goal(levels, greedy.paths).matches(goals).mean() == 1.0
    assert behavioral.infer_goal(levels, sampled.paths).matches(goals).mean() >= 0.9
    # A wrong goal explains the paths worse than the true one, level by level.
    inference = behavioral.infer_goal(levels, greedy.paths)
    assert np.all(inference.probability_at(goals) > 0.5)


def test_posterior_is_a_distribution_over_free_cells():
    rng = np.random.default_rng(1)
    levels = generate_levels(LevelConfig(), 5, rng)
    paths = np.repeat(levels.start[:, None], 4, axis=1)  # agents that never move
    inference = behavioral.infer_goal(levels, paths)
    assert np.allclose(inference.posterior.reshape(5, -1).sum(axis=1), 1.0)
    assert np.all(inference.posterior[np.array(levels.walls)] == 0)
    assert np.all(np.isneginf(inference.log_likelihood[np.array(levels.walls)]))
    # An agent that stays put is best explained by wanting the cell it stands on.
    assert inference.matches(levels.start).all()


def test_behaviour_cannot_tell_exit_from_marker_where_they_coincide():
    rng = np.random.default_rng(2)
    levels = generate_levels(LevelConfig(decorrelated_fraction=0.5), 40, rng, exact_fraction=True)
    q_values = planners.value_iteration(
        torch.from_numpy(one_hot(levels, levels.exit)), torch.from_numpy(np.array(levels.walls)), 21
    )
    paths = rollouts.rollout(levels, q_values).paths
    ratio = behavioral.exit_or_marker(levels, paths)
    together = ~levels.decorrelated
    assert np.all(ratio[together] == 0.0)
    assert np.all(ratio[~together] > 0.0)  # these agents go to the exit


def test_bad_input_names_the_parameter():
    level = parse_level(TINY)
    good = np.array([[[0, 0], [0, 1]]])
    with pytest.raises(ValueError, match="paths"):
        behavioral.infer_goal(level, np.zeros((1, 1, 2), dtype=int))
    with pytest.raises(ValueError, match="paths must move one cell"):
        behavioral.infer_goal(level, np.array([[[0, 0], [0, 2]]]))
    with pytest.raises(ValueError, match="paths must hold integer"):
        behavioral.infer_goal(level, good.astype(float))
    with pytest.raises(ValueError, match="rationality"):
        behavioral.infer_goal(level, good, rationality=[])
    with pytest.raises(ValueError, match="rationality"):
        behavioral.infer_goal(level, good, rationality=[1.0, -2.0])
    with pytest.raises(ValueError, match="discount"):
        behavioral.infer_goal(level, good, discount=0.0)
    with pytest.raises(ValueError, match="reward_maps"):
        behavioral.path_log_likelihood(level, good, np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="levels"):
        behavioral.goal_maps("not levels")


# ----------------------------------------------------------------- the experiment's claims

SMALL = dict(train_levels=128, test_levels=60, train_steps=100, replay_points=6, seed=1)


@pytest.fixture(scope="module")
def runs():
    return {
        q: run_behavioral_objective(BehavioralObjectiveConfig(decorrelated_fraction=q, **SMALL))
        for q in (0.0, 0.05)
    }


def test_gradient_descent_finds_an_objective_that_solves_the_training_levels(runs):
    replay = runs[0.05].replay
    assert replay.steps[0] == 0 and replay.steps[-1] == SMALL["train_steps"]
    assert replay.train_success[0] < 0.5 <= 0.95 <= replay.train_success[-1]
    assert replay.train_gap[-1] == 0.0  # with built-in search, successful plans are shortest


def test_red_doors_a_q0_planner_follows_the_proxy_off_distribution(runs):
    training = runs[0.0].training
    assert training.train_success >= 0.95
    assert training.test_proxy_rate > 0.8 > training.test_exit_rate
    assert runs[0.05].training.test_exit_rate > 0.8


def test_the_three_objectives_agree_on_training_levels_and_part_at_test(runs):
    for q in (0.0, 0.05):
        train = runs[q].train.figures()
        assert train["behavioral_on_exit"] >= 0.95 and train["mesa_on_exit"] >= 0.95
    pseudo, robust = runs[0.0].test.figures(), runs[0.05].test.figures()
    assert pseudo["behavioral_on_marker"] > 0.8 and pseudo["mesa_on_marker"] > 0.8
    assert robust["behavioral_on_exit"] > 0.8 and robust["mesa_on_exit"] > 0.8
    assert pseudo["behavioral_matches_mesa"] > 0.8


def test_train_with_snapshots_reproduces_the_proxy_shift_experiment():
    config = ProxyShiftConfig(
        decorrelated_fraction=0.05, train_levels=32, test_levels=20, train_steps=15, eval_every=0
    )
    reference = run_proxy_shift(config)
    mine = train_with_snapshots(config, snapshot_every=5)
    assert [step for step, _ in mine.history.snapshots] == [0, 5, 10, 15]
    assert mine.train_success == reference.train_success
    assert mine.test_rates == reference.test_rates
    for name, value in reference.model.state_dict().items():
        assert torch.equal(mine.model.state_dict()[name], value)


def test_replay_steps_are_spread_and_span_training():
    steps = replay_steps(100, 15)
    assert steps[0] == 0 and steps[-1] == 100 and np.all(np.diff(steps) > 0)
    assert np.diff(steps)[-1] > np.diff(steps)[0]  # denser early, where learning is fast
    assert replay_steps(1, 5).tolist() == [0, 1]


def test_config_and_command_line_reject_bad_input(capsys):
    with pytest.raises(ValueError, match="replay_points"):
        BehavioralObjectiveConfig(replay_points=1)
    with pytest.raises(ValueError, match="decorrelated_fraction"):
        BehavioralObjectiveConfig(decorrelated_fraction=1.5)
    with pytest.raises(ValueError, match="base_optimizer"):
        train_with_snapshots(ProxyShiftConfig(base_optimizer="evolution"))
    with pytest.raises(SystemExit) as exit_info:
        main(["behavioral-objective", "--observer-horizon", "-1"])
    assert exit_info.value.code == 2
    assert "observer_horizon" in capsys.readouterr().err


def test_level_pickers_find_what_they_promise(runs):
    run = runs[0.05]
    train = run.training.train_levels
    assert not train.decorrelated[run.correlated_training_level()]
    drifting = run.drifting_level()
    ends = run.replay.paths["test"][:, drifting, -1]
    marker = run.training.test_levels.marker[drifting]
    assert np.all(ends == marker, axis=1).any() and not np.array_equal(ends[-1], marker)
    parted = runs[0.0].parted_level()
    if parted is not None:
        objectives = runs[0.0].test
        assert not objectives.behavioral.matches(objectives.mesa_peaks)[parted]


def test_chapter_figures_draw_and_describe_the_runs(runs):
    from matplotlib.figure import Figure

    run = runs[0.0]
    objectives = run.test
    on_marker = np.all(objectives.paths[:, -1] == objectives.levels.marker, axis=1)
    index = int(np.flatnonzero(on_marker)[0])
    text = introduction.describe_objectives_frame(objectives, index, "A test maze")
    assert "ends on the marker" in text and "highest on the marker" in text
    figure = Figure(figsize=(10, 3.7), dpi=40)
    introduction.draw_objectives_frame(figure, objectives, index, "A test maze")
    assert len(figure.axes) == 3  # no colour bars: the mesa-objective's title gives its range
    low, high = figure.axes[1].images[0].get_clim()
    assert f"{low:.2f} (dark) to {high:.2f} (bright)" in figure.axes[1].get_title()
    last = int(run.replay.steps[-1])
    text = introduction.describe_replay_frame(run, last, "train", run.correlated_training_level())
    assert f"Training step {last}" in text and "ends on the exit" in text
    figure = Figure(figsize=(10, 3.7), dpi=40)
    introduction.draw_replay_frame(figure, run, last, "test", index)
    assert " ".join(figure.axes[0].get_title().split()) == f"Step {last}: plan ends on the marker"
    with pytest.raises(ValueError, match="step"):
        introduction.draw_replay_frame(Figure(), run, 7777, "test", 0)
