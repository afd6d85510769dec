"""The learned planning step (a Value Iteration Network): kernels, distance, experiment."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from demos.__main__ import main
from demos.agents import planners
from demos.experiments.vin_kernel import VinKernelConfig, run_vin_kernel
from demos.training import rollouts
from demos.worlds.mazes import parse_level

# The exit sits in a pocket; the shortest path from the start runs along the grid's edge, so a
# backup that read off-grid cells as 0 (conv2d's padding) instead of walls would walk off.
EDGE_MAZE = """
...S...
.#####.
.#...#.
.#.#.#.
...#E#.
####.#.
.......
"""


def step_cost_head(planner: planners.Planner) -> planners.Planner:
    """Reward 1 on the exit (marker salience 1), -0.5 on every other cell: far values < 0."""
    with torch.no_grad():
        planner.reward_head.layers.weight.copy_(torch.tensor([0.0, 0.0, 1.5]).view(1, 3, 1, 1))
        planner.reward_head.layers.bias.fill_(-0.5)
    return planner


def true_learned_planner(steps: int) -> planners.Planner:
    planner = step_cost_head(planners.Planner("learned", steps=steps))
    planner.backup.load_kernels(planners.true_kernels())
    assert torch.equal(planner.readout.weight[:, :, 0, 0], torch.eye(5))  # identity readout
    assert torch.count_nonzero(planner.readout.bias) == 0
    return planner


def test_true_kernels_are_at_distance_zero_whatever_the_discount():
    assert planners.kernel_distance(planners.true_kernels()) == 0.0
    assert planners.kernel_distance(planners.true_kernels(0.5)) == 0.0
    assert planners.kernel_distance(torch.tensor(planners.true_kernels())[:, None]) == 0.0


def test_permuted_and_rescaled_true_kernels_are_at_distance_zero():
    order = [3, 1, 4, 0, 2]
    permuted = planners.true_kernels()[order] * np.array([7.0, 0.2, 1.0, 3.0, 0.01])[:, None, None]
    channels, distances = planners.match_kernels(permuted)
    assert planners.kernel_distance(permuted) == 0.0
    assert channels == tuple(order.index(move) for move in range(5))
    np.testing.assert_array_equal(distances, np.zeros(5))


def test_reference_values_of_the_distance():
    # Uniform kernels: each channel has 1 of its 9 equal weights on any target cell.
    assert planners.kernel_distance(np.ones((5, 3, 3))) == pytest.approx(1 - 1 / 9)
    # The true moves with the sign flipped put no positive weight on any target.
    assert planners.kernel_distance(-planners.true_kernels()) == pytest.approx(1.0)
    # One channel keeps 0.6 of |weight| on its cell, 0.4 elsewhere; the others are exact.
    kernels = planners.true_kernels()
    kernels[1] = 0.0
    kernels[1, 0, 1], kernels[1, 2, 2], kernels[1, 1, 1] = 0.6, 0.2, -0.2
    assert planners.kernel_distance(kernels) == pytest.approx(0.4 / 5)
    # A sixth, junk channel is left unmatched.
    extra = np.concatenate([planners.true_kernels(), np.ones((1, 3, 3))])
    assert planners.kernel_distance(extra) == 0.0


def test_loaded_true_kernels_give_exactly_the_discounted_true_backup():
    backup = planners.LearnedBackup().load_kernels(planners.true_kernels())
    np.testing.assert_allclose(
        backup.kernels().detach()[:, 0].numpy(), planners.true_kernels(), atol=1e-7
    )


@pytest.mark.parametrize("steps", [3, 8, 30])
def test_true_kernels_plan_like_the_hard_coded_planner_next_to_the_edge(steps):
    level = parse_level(EDGE_MAZE)
    hard = step_cost_head(planners.Planner("hard-coded", steps=steps))
    learned = true_learned_planner(steps)
    with torch.no_grad():
        hard_plan, learned_plan = hard(level), learned(level)
    free = ~torch.from_numpy(level.walls.copy())[0]
    hard_moves = hard_plan.logits[0].argmax(0)
    learned_moves = learned_plan.logits[0].argmax(0)
    assert torch.equal(hard_moves[free], learned_moves[free])
    # Action values: discount x the true ones where a move is open, discount x WALL_VALUE where
    # a wall or the grid's edge blocks it.
    size = level.size
    blocked = (
        planners.next_cells(torch.from_numpy(level.walls.copy()))
        .view(5, size * size)
        .eq(torch.arange(size * size))
        .view(5, size, size)
    )
    blocked[0] = False  # staying put is never blocked
    open_ = ~blocked & free
    q_hard, q_learned = hard_plan.q_values[0], learned_plan.q_values[0]
    torch.testing.assert_close(q_learned[open_], 0.9 * q_hard[open_], rtol=1e-5, atol=1e-5)
    expected = torch.full_like(q_learned[blocked & free], 0.9 * planners.WALL_VALUE)
    torch.testing.assert_close(q_learned[blocked & free], expected)


def test_true_kernels_walk_the_edge_maze_to_the_exit():
    level = parse_level(EDGE_MAZE)
    with torch.no_grad():
        walk = rollouts.rollout(level, true_learned_planner(30).policy(level))
    assert walk.reached_exit[0]
    assert walk.first_exit_step[0] == level.distances("exit")[0, 0, 3] == 13  # a shortest path
    # The maze tests what it should: the path runs along the grid's edge for most of its length.
    path = walk.paths[0, : walk.first_exit_step[0] + 1]
    on_edge = (path == 0) | (path == level.size - 1)
    assert on_edge.any(axis=1).sum() >= 12


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: planners.kernel_distance(np.zeros((4, 3, 3))), "kernels"),
        (lambda: planners.kernel_distance(np.zeros((5, 2, 2))), "kernels"),
        (lambda: planners.kernel_distance(np.full((5, 3, 3), np.nan)), "kernels"),
        (lambda: planners.LearnedBackup(n_channels=0), "n_channels"),
        (lambda: planners.LearnedBackup(discount=1.5), "discount"),
        (lambda: planners.LearnedBackup(init_scale=-1.0), "init_scale"),
        (lambda: planners.LearnedBackup().load_kernels(-planners.true_kernels()), "kernels"),
        (lambda: planners.LearnedBackup().load_kernels(np.ones((4, 3, 3))), "kernels"),
        (lambda: planners.LearnedBackup()(torch.zeros(1, 4, 4), torch.zeros(1, 4, 4), 0), "steps"),
        (lambda: planners.LearnedBackup()(torch.zeros(4, 4), torch.zeros(4, 4), 2), "reward_map"),
        (lambda: planners.LearnedBackup()(torch.zeros(1, 4, 4), torch.zeros(1, 3, 3), 2), "walls"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("train_size", 3),
        ("wall_density", 0.9),
        ("train_levels", 0),
        ("test_sizes", ()),
        ("test_sizes", (12, 40)),
        ("test_sizes", (12, 12)),
        ("test_ks", (0, 4)),
        ("test_ks", "2,4"),
        ("min_train_k", 0),
        ("max_train_k", 3),
        ("train_steps", 0),
        ("learning_rate", 0.0),
        ("snapshot_every", -1),
        ("seed", -1),
    ],
)
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        VinKernelConfig(**{field: value})


SMALL = dict(
    train_levels=32,
    train_steps=80,
    test_sizes=(12,),
    test_levels=40,
    test_ks=(2, 24),
    eval_every=10,
    snapshot_every=20,
)


@pytest.fixture(scope="module")
def small_run():
    return run_vin_kernel(VinKernelConfig(seed=0, **SMALL))


def test_search_signature_success_on_larger_mazes_rises_with_k(small_run):
    # Mazes of side 12 after training on side 7: with K = 2 the planner sees two cells ahead.
    assert small_run.success_by_k[24] >= small_run.success_by_k[2] + 0.5
    assert small_run.train_success >= 0.9


def test_the_learned_kernels_approach_the_true_backup(small_run):
    assert small_run.initial_kernel_distance > 0.8  # near-uniform kernels: about 8/9
    assert small_run.kernel_distance < 0.5 * small_run.initial_kernel_distance
    steps, distances = small_run.history.column("kernel_distance")
    assert steps[0] == 0 and steps[-1] == SMALL["train_steps"]
    assert distances[0] == pytest.approx(small_run.initial_kernel_distance)
    assert distances[-1] == pytest.approx(small_run.kernel_distance)
    # Snapshots replay the kernels: the first is the untrained backup, the last the trained one.
    assert small_run.snapshot_steps == [0, 20, 40, 60, 80]
    first, last = small_run.kernels_at(0), small_run.kernels_at(80)
    assert planners.kernel_distance(first) == pytest.approx(small_run.initial_kernel_distance)
    np.testing.assert_allclose(
        last, small_run.model.backup.kernels().detach()[:, 0].numpy(), atol=1e-6
    )


def test_same_seed_gives_the_same_summary(small_run):
    again = run_vin_kernel(VinKernelConfig(seed=0, **SMALL)).summary()
    first = small_run.summary()
    first.pop("train_seconds"), again.pop("train_seconds")
    assert json.dumps(first) == json.dumps(again)


def test_command_line_prints_json_and_rejects_bad_options(capsys):
    options = ["--train-steps", "5", "--test-levels", "4", "--train-levels", "8", "--json"]
    assert main(["vin-kernel", *options]) == 0
    printed = json.loads(capsys.readouterr().out)
    for key in ("success_by_k", "kernel_distance", "initial_kernel_distance", "train_success"):
        assert key in printed
    assert set(printed["success_by_k"]) == {"2", "4", "8", "16", "32"}
    assert printed["train_seconds"] >= 0
    with pytest.raises(SystemExit) as stopped:
        main(["vin-kernel", "--min-train-k", "0"])
    assert stopped.value.code == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1 and "min_train_k" in message
