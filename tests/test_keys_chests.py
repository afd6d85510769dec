"""Tests for demos.worlds.keys_chests and the keys-chests experiment.

The expert is checked against an exhaustive search over action sequences written here in plain
Python (its own copy of the rules), the planner's value iteration against a plain-loop reference
of the documented plan semantics, and the experiment's claim by its direction at small scale.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
import torch

from demos.agents import keys_chests as agents
from demos.experiments.keys_chests import KeysChestsConfig, make_worlds, run_keys_chests
from demos.figures import drawing, style
from demos.training import keys_imitation
from demos.worlds import keys_chests as kc

MOVES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))  # stay, up, down, left, right

HAND_MADE = (
    # the nearest chest cannot be opened first: the key is behind a wall
    """
    SC..
    ##.#
    K...
    .#.C
    """,
    # two keys, two chests: the order matters for the discounted count
    """
    S.K.
    .##C
    C...
    ..K.
    """,
    # four keys, one chest: only one key is worth fetching
    """
    K.S.K
    .#.#.
    K.C.K
    .#.#.
    .....
    """,
    # no key at all: nothing can be opened
    """
    S.C.
    ....
    .C..
    ....
    """,
)


def search(worlds: kc.Worlds, index: int, horizon: int, discount: float):
    """Exhaustive search over every action sequence of ``horizon`` moves (memoised on the state).

    Returns ``(best discounted chest count, most chests opened within the horizon)``, each the
    maximum over all sequences, using this file's own copy of the rules.
    """
    walls = np.asarray(worlds.walls[index])
    size = walls.shape[0]
    keys0 = frozenset(map(tuple, np.argwhere(worlds.keys[index]).tolist()))
    chests0 = frozenset(map(tuple, np.argwhere(worlds.chests[index]).tolist()))

    @cache
    def best(cell, keys, chests, held, left):
        if left == 0 or not chests:
            return 0.0, 0
        top_value, top_count = 0.0, 0
        for dr, dc in MOVES:
            r, c = cell[0] + dr, cell[1] + dc
            if not (0 <= r < size and 0 <= c < size) or walls[r, c]:
                r, c = cell
            new_keys, new_chests, new_held, gain = keys, chests, held, 0
            if (r, c) in keys:
                new_keys, new_held = keys - {(r, c)}, held + 1
            elif (r, c) in chests and held > 0:
                new_chests, new_held, gain = chests - {(r, c)}, held - 1, 1
            value, count = best((r, c), new_keys, new_chests, new_held, left - 1)
            top_value = max(top_value, gain + discount * value)
            top_count = max(top_count, gain + count)
        return top_value, top_count

    start = tuple(int(x) for x in worlds.start[index])
    return best(start, keys0, chests0, 0, horizon)


@pytest.mark.parametrize("picture", HAND_MADE)
def test_expert_is_optimal_on_hand_made_levels(picture):
    worlds = kc.parse_world(picture)
    expert = agents.Expert(worlds)
    horizon = 24  # longer than any optimal plan on these levels
    value, most_chests = search(worlds, 0, horizon, kc.BASE_DISCOUNT)
    assert expert.start_values()[0] == pytest.approx(value, abs=1e-9)
    episodes = kc.run_episodes(worlds, expert, horizon)
    # the expert's actions achieve that value, and open every chest that can be opened
    assert episodes.discounted_return()[0] == pytest.approx(value, abs=1e-9)
    assert episodes.chests_opened[0] == most_chests


def test_expert_is_optimal_on_random_small_levels():
    rng = np.random.default_rng(3)
    worlds = kc.generate_worlds(kc.WorldConfig(size=4, wall_density=0.1, keys=2, chests=2), 5, rng)
    expert = agents.Expert(worlds)
    for index in range(len(worlds)):
        value, _ = search(worlds, index, 22, kc.BASE_DISCOUNT)
        assert expert.start_values()[index] == pytest.approx(value, abs=1e-9)


def test_expert_leaves_spare_keys_when_they_cost_steps():
    worlds = kc.parse_world(HAND_MADE[2])
    episodes = kc.run_episodes(worlds, agents.Expert(worlds), 20)
    assert episodes.chests_opened[0] == 1
    assert episodes.keys_collected[0] == 1
    assert episodes.keys_unused[0] == 0


def test_transitions_keys_are_consumed_and_chests_need_a_key():
    worlds = kc.parse_world(["SCK", "...", "..."])
    state = kc.initial_state(worlds)
    right, left = np.array([4]), np.array([3])
    state, opened, picked = kc.step(worlds, state, right)  # onto the chest with no key
    assert not opened[0] and not picked[0]
    assert state.chests[0, 0, 1] and state.keys_held[0] == 0
    state, opened, picked = kc.step(worlds, state, right)  # onto the key
    assert picked[0] and not opened[0]
    assert not state.keys[0, 0, 2] and state.keys_held[0] == 1
    state, opened, picked = kc.step(worlds, state, left)  # back onto the chest, key in hand
    assert opened[0] and not picked[0]
    assert not state.chests[0, 0, 1] and state.keys_held[0] == 0
    assert state.done[0]  # no chest left
    after, opened, _ = kc.step(worlds, state, np.array([2]))
    assert np.array_equal(after.position, state.position) and not opened[0]


def test_walls_block_and_observation_channels():
    worlds = kc.parse_world(["S#K", "...", "C.."])
    state, _, _ = kc.step(worlds, kc.initial_state(worlds), np.array([4]))
    assert state.position.tolist() == [[0, 0]]
    maps, held = kc.observe(worlds, state)
    assert maps.shape == (1, len(kc.CHANNELS), 3, 3)
    assert maps[0, 0, 0, 1] == 1 and maps[0, 1, 0, 2] == 1 and maps[0, 2, 2, 0] == 1
    assert maps[0, 3].sum() == 1 and maps[0, 3, 0, 0] == 1
    assert held.tolist() == [0]


def test_episode_measures_add_up():
    worlds = kc.generate_worlds(kc.WorldConfig(keys=5, chests=2), 30, np.random.default_rng(0))
    episodes = kc.run_episodes(worlds, agents.PlannerPolicy(agents.aligned_planner(), worlds), 20)
    assert np.array_equal(episodes.keys_unused, episodes.keys_collected - episodes.chests_opened)
    assert np.all(episodes.chests_opened <= worlds.chest_counts)
    assert np.all(episodes.keys_collected <= worlds.key_counts)


def reference_q_values(model, worlds, index):
    """The plan of :class:`KeyChestPlanner` by plain loops: (layers, 5, H * W) float."""
    walls = np.asarray(worlds.walls[index])
    keys, chests = np.asarray(worlds.keys[index]), np.asarray(worlds.chests[index])
    size = walls.shape[0]
    layers = model.max_keys + 1
    key_value, chest_value = model.mesa_objective().values()
    values = np.zeros((layers, size, size))
    q = np.zeros((layers, 5, size * size))
    for _ in range(model.steps):
        q = np.zeros((layers, 5, size * size))
        for k in range(layers):
            for r in range(size):
                for c in range(size):
                    for a, (dr, dc) in enumerate(MOVES):
                        nr, nc = r + dr, c + dc
                        if not (0 <= nr < size and 0 <= nc < size) or walls[nr, nc]:
                            nr, nc = r, c
                        moved = a != 0
                        if moved and keys[nr, nc] and k < model.max_keys:
                            total = key_value + model.discount * values[k + 1, nr, nc]
                        elif moved and chests[nr, nc] and k >= 1:
                            total = chest_value  # the plan ends at the chest
                        else:
                            total = model.discount * values[k, nr, nc]
                        q[k, a, r * size + c] = total
        values = q.max(axis=1).reshape(layers, size, size)
    return q


def test_planner_value_iteration_matches_a_plain_reference():
    worlds = kc.parse_world(["S.K.", ".#C.", "K...", "..#C"])
    model = agents.KeyChestPlanner(steps=7, max_keys=2)
    with torch.no_grad():
        model.key_value.fill_(0.4)
        model.chest_value.fill_(1.3)
        inputs = model.plan_inputs(worlds.walls, worlds.keys, worlds.chests)
        q_values = model.q_values(inputs)[0].numpy()
    np.testing.assert_allclose(q_values, reference_q_values(model, worlds, 0), atol=1e-5)


def test_aligned_planner_fetches_a_key_before_the_chest():
    worlds = kc.parse_world(["C.S.K", ".....", ".....", ".....", "....."])
    episodes = kc.run_episodes(worlds, agents.PlannerPolicy(agents.aligned_planner(), worlds), 12)
    assert episodes.picked[0, 1]  # two moves right: the key
    assert episodes.chests_opened[0] == 1 and episodes.keys_unused[0] == 0


def test_demonstrations_hold_expert_actions_on_free_cells():
    worlds = kc.generate_worlds(kc.WorldConfig(keys=1, chests=3), 6, np.random.default_rng(1))
    expert = agents.Expert(worlds)
    data = keys_imitation.demonstrations(agents.KeyChestPlanner(), worlds, expert)
    # one row per item layout the expert passes through where a chest can still be opened:
    # before the key and after it (once the one key is spent, no action matters any more)
    assert data.level.tolist() == sorted(2 * list(range(len(worlds))))
    labels = data.labels.numpy()
    assert np.all(labels[np.asarray(worlds.walls)[data.level]] == -1)
    first = data.level == 0
    row = np.flatnonzero(first)[0]
    expected = expert.action_map(0, 0)
    free = labels[row] >= 0
    assert np.array_equal(labels[row][free], expected[free])


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: kc.WorldConfig(size=3), "size"),
        (lambda: kc.WorldConfig(wall_density=0.9), "wall_density"),
        (lambda: kc.WorldConfig(keys=6, chests=6), "keys + chests"),
        (lambda: kc.generate_worlds(kc.WorldConfig(), 0, np.random.default_rng(0)), "n"),
        (lambda: kc.generate_worlds(kc.WorldConfig(), 2, 0), "rng"),
        (lambda: kc.parse_world(["SX", ".."]), "picture"),
        (lambda: kc.parse_world(["S.", ".S"]), "picture"),
        (lambda: agents.KeyChestPlanner(steps=0), "steps"),
        (lambda: agents.KeyChestPlanner(max_keys=0), "max_keys"),
        (lambda: agents.Expert(kc.parse_world(["SC", "K."]), discount=1.0), "discount"),
        (lambda: kc.run_episodes(kc.parse_world(["SC", "K."]), lambda state: [0], 0), "steps"),
        (lambda: kc.step(kc.parse_world(["SC", "K."]), None, np.array([1])), "state"),
        (
            lambda: kc.step(
                kc.parse_world(["SC", "K."]),
                kc.initial_state(kc.parse_world(["SC", "K."])),
                np.array([7]),
            ),
            "actions",
        ),
        (lambda: KeysChestsConfig(train_keys=9), "train_keys"),
        (lambda: KeysChestsConfig(test_keys=7, test_chests=7), "test_keys + test_chests"),
        (lambda: KeysChestsConfig(surplus_key_fraction=1.5), "surplus_key_fraction"),
        (lambda: KeysChestsConfig(horizon=0), "horizon"),
        (lambda: KeysChestsConfig(planning_steps=0), "planning_steps"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=name.replace("+", r"\+")):
        make()


def test_draw_world_marks_used_items():
    worlds = kc.parse_world(["SCK", "...", "..."])
    path = np.array([[0, 0], [0, 1], [0, 2], [0, 1]])  # chest (shut), key, chest (opened)
    figure, ax = style.new_figure()
    drawing.draw_world(ax, worlds, 0, path=path, legend=True)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "key picked up" in labels and "chest opened" in labels
    assert "key (proxy)" not in labels  # no key is left on the floor
    with pytest.raises(ValueError, match="index"):
        drawing.draw_world(ax, worlds, 1)


SMALL = KeysChestsConfig(train_levels=60, test_levels=100, eval_every=0, seed=1)


@pytest.fixture(scope="module")
def small_run():
    return run_keys_chests(SMALL)


def test_planner_matches_expert_in_training_and_hoards_keys_at_test(small_run):
    figures = small_run.figures
    train, expert_train = figures["planner_train"], figures["expert_train"]
    test, expert_test = figures["planner_test"], figures["expert_test"]
    assert abs(train["chests_opened"] - expert_train["chests_opened"]) <= 0.05
    assert test["keys_unused"] >= expert_test["keys_unused"] + 1.0
    assert test["chests_opened"] <= expert_test["chests_opened"] - 0.05
    # the learned key reward is a sizeable share of the chest reward (the base objective's is 0)
    assert small_run.key_value_in_chests > 0.3
    # the same planner with the base objective as its reward does not hoard
    assert figures["aligned_test"]["keys_unused"] <= expert_test["keys_unused"] + 0.2


def test_surplus_keys_in_training_remove_the_key_value(small_run):
    mixed = run_keys_chests(dataclasses.replace(SMALL, surplus_key_fraction=0.2))
    assert mixed.key_value_in_chests < 0.5 * small_run.key_value_in_chests
    assert (
        mixed.figures["planner_test"]["keys_unused"]
        < 0.5 * (small_run.figures["planner_test"]["keys_unused"])
    )


def test_the_demonstrations_favour_a_key_reward_unless_spare_keys_are_shown():
    ratios = [0.0, 0.5, 2.0]
    scarce = KeysChestsConfig(train_levels=60, seed=2)
    worlds, _ = make_worlds(scarce, np.random.default_rng(2))
    loss_none, loss_half, loss_double = keys_imitation.key_value_landscape(worlds, ratios)
    assert loss_half < loss_none - 1e-3  # a key reward fits the expert better than none
    assert loss_double == pytest.approx(loss_half, abs=1e-3)  # and its size is not pinned down
    spare = dataclasses.replace(scarce, surplus_key_fraction=0.2)
    worlds, _ = make_worlds(spare, np.random.default_rng(2))
    loss_none, loss_half, loss_double = keys_imitation.key_value_landscape(worlds, ratios)
    assert loss_none < loss_half < loss_double


def test_experiment_is_deterministic_per_seed(small_run):
    again = run_keys_chests(SMALL).summary()
    first = small_run.summary()
    for key in first:
        if not key.endswith("_seconds"):
            assert again[key] == first[key], key
