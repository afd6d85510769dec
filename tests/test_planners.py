"""Tests for the hard-coded planner of demos.agents.planners, against BFS and the batched
transition."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.agents import planners
from demos.worlds import mazes
from demos.worlds.mazes import LevelConfig, generate_levels, parse_level

MAZE = """
S..#...
.#.#.#.
.#...#.
.####E.
...#.#.
.#...#.
.#.....
"""


def indicator_reward(levels, target: str = "exit") -> torch.Tensor:
    cells = torch.from_numpy(getattr(levels, target).copy())
    reward = torch.zeros(levels.walls.shape)
    reward[torch.arange(len(levels)), cells[:, 0], cells[:, 1]] = 1.0
    return reward


def closed_form_values(distance: np.ndarray, steps: int, discount: float) -> np.ndarray:
    """Best discounted reward of a `steps`-move path from a cell `distance` moves from the only
    rewarding cell: arrive on move max(d, 1), then stay, collecting 1 per move."""
    first = np.maximum(distance, 1)
    moves_on_target = np.clip(steps - first + 1, 0, None)
    return np.where(
        distance >= 0, discount ** (first - 1) * (1 - discount**moves_on_target) / (1 - discount), 0
    )


@pytest.mark.parametrize("steps", [3, 6, 30])
def test_value_iteration_matches_the_closed_form_from_bfs_distances(steps):
    levels = parse_level(MAZE)
    discount = 0.8
    q_values = planners.value_iteration(
        indicator_reward(levels), torch.from_numpy(levels.walls.copy()), steps, discount
    )
    values = q_values.max(dim=1).values[0].numpy()
    distance = levels.distances("exit")[0]
    free = distance >= 0
    expected = closed_form_values(distance, steps, discount)
    np.testing.assert_allclose(values[free], expected[free], rtol=1e-5, atol=1e-6)


def test_greedy_moves_are_shortest_path_moves_wherever_the_target_is_in_range():
    rng = np.random.default_rng(3)
    levels = generate_levels(LevelConfig(size=9, wall_density=0.35), 40, rng)
    tensors = planners.encode(levels)
    q_values = planners.value_iteration(indicator_reward(levels), tensors.walls, steps=60)
    greedy = q_values.argmax(dim=1).numpy()
    distance = levels.distances("exit")
    n, size = len(levels), levels.size
    rows, cols = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    for b in range(n):
        free = distance[b] >= 0
        cells = np.stack([rows[free], cols[free]], axis=1)
        actions = greedy[b][free]
        moved = mazes.step(np.repeat(levels.walls[b : b + 1], len(cells), 0), cells, actions)
        after = distance[b][moved[:, 0], moved[:, 1]]
        before = distance[b][free]
        # each move brings the agent one step closer; on the exit it stays
        np.testing.assert_array_equal(after, np.maximum(before - 1, 0))


def test_a_target_beyond_the_planning_horizon_is_invisible():
    levels = parse_level(MAZE)
    distance = levels.distances("exit")[0]
    q_values = planners.value_iteration(
        indicator_reward(levels), torch.from_numpy(levels.walls.copy()), steps=4
    )
    values = q_values.max(dim=1).values[0].numpy()
    assert np.all(values[distance > 4] == 0)
    assert np.all(values[(distance >= 0) & (distance <= 4)] > 0)


def test_next_cells_agree_with_the_batched_transition():
    rng = np.random.default_rng(0)
    levels = generate_levels(LevelConfig(size=6, wall_density=0.4), 8, rng)
    next_cell = planners.next_cells(torch.from_numpy(levels.walls.copy())).numpy()
    size = levels.size
    for action in range(5):
        for flat in range(size * size):
            cells = np.tile(np.divmod(flat, size), (len(levels), 1))
            free = ~levels.walls[np.arange(len(levels)), cells[:, 0], cells[:, 1]]
            moved = mazes.step(levels.walls, cells, np.full(len(levels), action))
            expected = moved[:, 0] * size + moved[:, 1]
            got = next_cell[:, action * size * size + flat]
            np.testing.assert_array_equal(got[free], expected[free])


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("steps", [1, 2, 9])
@pytest.mark.parametrize("tensor_carry", [False, True])
def test_bellman_backward_equals_autograds_bit_for_bit(ties, steps, tensor_carry):
    generator = torch.Generator().manual_seed(steps + 10 * ties + 100 * tensor_carry)
    batch, actions, states = 6, 5, 30
    if ties:  # rewards on a coarse grid, so several actions often share the best value
        arrive = torch.randint(-2, 3, (batch, actions, states), generator=generator) * 0.5
    else:
        arrive = torch.randn(batch, actions, states, generator=generator)
    next_state = torch.randint(0, states, (batch, actions * states), generator=generator)
    carry = 0.9
    if tensor_carry:  # as the keys-and-chests planner's: 0 where a plan ends
        carry = 0.9 * (torch.rand(batch, actions, states, generator=generator) > 0.2).float()
    weights = torch.randn(batch, actions, states, generator=generator)
    ours = arrive.float().clone().requires_grad_()
    reference = arrive.float().clone().requires_grad_()
    q_ours = planners.bellman_backups(ours, next_state, steps, carry)
    # the reference: the same loop, with autograd recording every operation
    q_reference = planners.bellman_loop(reference, next_state, steps, carry)[0]
    (q_ours * weights).sum().backward()
    (q_reference * weights).sum().backward()
    assert torch.equal(q_ours, q_reference)
    assert torch.equal(ours.grad, reference.grad)
    if ties:
        assert (q_reference == q_reference.max(dim=1, keepdim=True).values).sum(1).gt(1).any()


def test_bellman_backups_refuses_a_carry_that_needs_a_gradient():
    arrive = torch.zeros(1, 5, 4, requires_grad=True)
    carry = torch.full((1, 5, 4), 0.9, requires_grad=True)
    with pytest.raises(ValueError, match="carry"):
        planners.bellman_backups(arrive, torch.zeros(1, 20, dtype=torch.long), 2, carry)


def test_planner_shapes_and_mesa_objective():
    rng = np.random.default_rng(1)
    levels = generate_levels(LevelConfig(size=5), 3, rng)
    model = planners.Planner(steps=5, generator=torch.Generator().manual_seed(0))
    plan = model(levels)
    assert plan.reward_map.shape == (3, 5, 5)
    assert plan.q_values.shape == plan.logits.shape == (3, 5, 5, 5)
    np.testing.assert_allclose(model.mesa_objective(levels), plan.reward_map.detach().numpy())
    tensors = planners.encode(levels)
    assert planners.encode(tensors) is tensors
    torch.testing.assert_close(model.policy(tensors), plan.logits)


def test_planner_initialisation_is_deterministic_given_a_generator():
    first = planners.Planner(generator=torch.Generator().manual_seed(7), hidden=4)
    second = planners.Planner(generator=torch.Generator().manual_seed(7), hidden=4)
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_linear_reward_head_reads_one_weight_per_feature():
    head = planners.RewardHead(hidden=0)
    with torch.no_grad():
        head.layers.weight.copy_(torch.tensor([-1.0, 2.0, 3.0]).view(1, 3, 1, 1))
        head.layers.bias.fill_(0.5)
    levels = parse_level(MAZE.replace("...#.#.\n.#...#.", "...#.#.\n.#.M.#."))
    reward = head(planners.encode(levels).features)[0].detach().numpy()
    exit_, marker = levels.exit[0], levels.marker[0]
    assert reward[tuple(exit_)] == pytest.approx(0.5 + 2.0 * levels.config.exit_salience)
    assert reward[tuple(marker)] == pytest.approx(0.5 + 3.0 * levels.config.marker_salience)
    assert reward[0, 3] == pytest.approx(-0.5)  # a wall
    assert reward[0, 0] == pytest.approx(0.5)  # an empty cell


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: planners.Planner(steps=0), "steps"),
        (lambda: planners.Planner(variant="magic"), "variant"),
        (lambda: planners.RewardHead(hidden=-1), "hidden"),
        (lambda: planners.value_iteration(torch.zeros(1, 4, 4), torch.zeros(1, 4, 4), 0), "steps"),
        (
            lambda: planners.value_iteration(torch.zeros(4, 4), torch.zeros(4, 4), 3),
            "reward_map",
        ),
        (
            lambda: planners.value_iteration(torch.zeros(1, 4, 4), torch.zeros(1, 5, 5), 3),
            "walls",
        ),
        (
            lambda: planners.value_iteration(
                torch.full((1, 4, 4), float("nan")), torch.zeros(1, 4, 4), 3
            ),
            "reward_map",
        ),
        (lambda: planners.encode("not levels"), "levels"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
