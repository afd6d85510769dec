"""Training the keys-and-chests planner by imitation of the exact expert.

Used by chapter 3 (the paper's section 3.1). :func:`demonstrations` rolls the expert out and keeps
one labelled action map per item layout it meets; :func:`imitate` fits the planner's two item
rewards (its mesa-objective) and temperature to them with the book's imitation loop
(:func:`demos.training.base_optimizers.fit_actions`); :func:`key_value_landscape` maps the best
loss reachable for each key reward, which says why a key value is learned at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from demos.agents.keys_chests import CHEST, KEY, Expert, KeyChestPlanner, PlanInputs
from demos.core.validation import check_float, check_int
from demos.training import base_optimizers
from demos.training.base_optimizers import TrainingHistory
from demos.worlds import mazes
from demos.worlds.keys_chests import Worlds, initial_state, step


@dataclass
class Demonstrations:
    """The expert's actions, one row per (level, items left) the expert passes through.

    Each row holds a full action map for one item layout, so the learner imitates the expert at
    every free cell, not only along the expert's path (like
    :func:`demos.training.base_optimizers.imitate` in the mazes).
    """

    inputs: PlanInputs
    """Value-iteration inputs of the rows' item layouts (built for one planner's ``max_keys``)."""
    keys_held: torch.Tensor
    """(N,) int64: keys held in the row's situation."""
    labels: torch.Tensor
    """(N, H, W) int64: the expert's action at each cell; -1 on walls, on cells the agent
    cannot stand on with these items left (a key, or a chest it would open), and where no chest
    can be opened any more (every action is then as good as any other). Layouts with no label
    left are dropped."""
    level: np.ndarray
    """(N,) int64: which training level each row comes from."""


def demonstrations(
    model: KeyChestPlanner, worlds: Worlds, expert: Expert | None = None, steps: int | None = None
) -> Demonstrations:
    """Roll the expert out on ``worlds`` and keep one labelled row per item layout it meets."""
    expert = Expert(worlds) if expert is None else expert
    if expert.worlds is not worlds:
        raise ValueError("expert must be built for these worlds (Expert(worlds))")
    steps = (
        mazes.default_horizon(worlds.size)
        if steps is None
        else check_int("steps", steps, 1, 10_000)
    )
    seen: dict[tuple[int, int], None] = {}
    state = initial_state(worlds)
    for _ in range(steps + 1):
        for row, mask in enumerate(expert.masks(state)):
            seen.setdefault((row, int(mask)), None)
        if state.done.all():
            break
        state, _, _ = step(worlds, state, expert(state))
    rows = sorted(seen)
    size = worlds.size
    if not np.any(expert.start_values() > 0):
        raise ValueError(
            "worlds must let the expert open at least one chest (hold keys), or there is "
            "nothing to imitate"
        )
    walls, keys, chests, held, labels, kept = [], [], [], [], [], []
    for row, mask in rows:
        cells, kinds = expert.item_cells[row], expert.item_kinds[row]
        left = ((mask >> np.arange(len(cells))) & 1) == 0
        key_map = np.zeros(size * size, dtype=bool)
        chest_map = np.zeros(size * size, dtype=bool)
        key_map[cells[left & (kinds == KEY)]] = True
        chest_map[cells[left & (kinds == CHEST)]] = True
        keys_held = int(expert.held[row][mask])
        label = expert.action_map(row, mask).ravel()
        hopeless = expert.values[row][mask] <= 0.0  # no chest reachable: every action ties
        blocked = worlds.walls[row].ravel() | key_map | (chest_map & (keys_held >= 1))
        label[blocked | hopeless] = -1
        if np.all(label < 0):
            continue
        kept.append((row, mask))
        walls.append(worlds.walls[row])
        keys.append(key_map.reshape(size, size))
        chests.append(chest_map.reshape(size, size))
        held.append(keys_held)
        labels.append(label.reshape(size, size))
    return Demonstrations(
        inputs=model.plan_inputs(np.array(walls), np.array(keys), np.array(chests)),
        keys_held=torch.tensor(held, dtype=torch.long),
        labels=torch.from_numpy(np.array(labels)),
        level=np.array([row for row, _ in kept], dtype=np.int64),
    )


def imitation_loss(model: KeyChestPlanner, data: Demonstrations) -> torch.Tensor:
    """Scalar tensor: the mean cross-entropy between the planner's policy and the expert's
    actions over every labelled cell of ``data`` (the base objective of :func:`imitate`)."""
    logits = model.policy(data.inputs, data.keys_held)
    return nn.functional.cross_entropy(logits, data.labels, ignore_index=-1)


def key_value_landscape(
    worlds: Worlds,
    key_values: Sequence[float],
    expert: Expert | None = None,
    steps: int = 12,
    max_keys: int = 3,
    evaluations: int = 16,
) -> np.ndarray:
    """The best imitation loss reachable with each key reward, the chest reward fixed at 1.

    Behaviour depends on the two item rewards only through their ratio, so this is the whole
    landscape the base optimizer moves on, up to the temperature. For each ``key_values[i]``
    the readout temperature is tuned by golden-section search over ``log(temperature)`` in
    [-2, 8] (the loss is unimodal in it), and the lowest loss is kept.

    Args:
        worlds: the training levels (demonstrations come from ``expert``).
        key_values: key rewards to try, in units of the chest reward (0 is the base objective).
        expert: the Expert of ``worlds`` (built when None).
        steps, max_keys: the planner's settings.
        evaluations: int >= 4, loss evaluations per key value (about 5 ms each for 100
            levels with torch on one thread, as :func:`demos.core.runtime.seeded` sets it).

    Returns:
        (len(key_values),) float: the lowest mean cross-entropy for each key value.
    """
    evaluations = check_int("evaluations", evaluations, 4, 200)
    values = [check_float("key_values", value, -100.0, 100.0) for value in key_values]
    model = KeyChestPlanner(steps=steps, max_keys=max_keys)
    data = demonstrations(model, worlds, expert)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    losses = []

    def loss_at(log_temperature: float) -> float:
        with torch.no_grad():
            model.log_temperature.fill_(log_temperature)
            return float(imitation_loss(model, data))

    for value in values:
        with torch.no_grad():
            model.key_value.fill_(value)
            model.chest_value.fill_(1.0)
        low, high = -2.0, 8.0
        inner_low, inner_high = high - ratio * (high - low), low + ratio * (high - low)
        f_low, f_high = loss_at(inner_low), loss_at(inner_high)
        for _ in range(evaluations - 2):
            if f_low <= f_high:
                high, inner_high, f_high = inner_high, inner_low, f_low
                inner_low = high - ratio * (high - low)
                f_low = loss_at(inner_low)
            else:
                low, inner_low, f_low = inner_low, inner_high, f_high
                inner_high = low + ratio * (high - low)
                f_high = loss_at(inner_high)
        losses.append(min(f_low, f_high))
    return np.array(losses)


def imitate(
    model: KeyChestPlanner,
    worlds: Worlds,
    steps: int = 60,
    learning_rate: float = 0.1,
    expert: Expert | None = None,
    evaluate: Callable[[KeyChestPlanner], dict[str, float]] | None = None,
    eval_every: int = 0,
    progress: bool = False,
    snapshot_every: int = 0,
) -> TrainingHistory:
    """Adam on the cross-entropy between the planner's policy and the expert's actions.

    The base objective of this base optimizer is imitation of the expert, which maximises
    chests opened; the learner never sees a reward. Full batch: every step uses every row of
    :func:`demonstrations`.

    Args:
        model: the planner, trained in place.
        worlds: the training levels.
        steps: int >= 1, Adam steps.
        learning_rate: float in (0, 10], Adam's step size.
        expert: the Expert of ``worlds`` (built when None).
        evaluate: optional ``evaluate(model) -> dict`` logged every ``eval_every`` steps.
        eval_every: int >= 0, steps between evaluations (0: first and last step only).
        progress: show a progress bar.
        snapshot_every: int >= 0, steps between weight copies kept in ``history.snapshots``.

    Returns:
        TrainingHistory with ``loss``, ``key_value`` and ``chest_value`` at every step (plus the
        figures of ``evaluate``). ``train_seconds`` counts the Adam steps only, not the expert.
    """
    if not isinstance(model, KeyChestPlanner):
        raise ValueError(f"model must be a KeyChestPlanner, got {type(model).__name__}")
    if not isinstance(worlds, Worlds):
        raise ValueError(f"worlds must be a Worlds, got {type(worlds).__name__}")
    steps = check_int("steps", steps, 1, 100_000)
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 10.0)
    eval_every = check_int("eval_every", eval_every, 0, 100_000)
    data = demonstrations(model, worlds, expert)
    return base_optimizers.fit_actions(
        model,
        lambda _index: model.policy(data.inputs, data.keys_held),
        data.labels,
        steps=steps,
        learning_rate=learning_rate,
        evaluate=evaluate,
        eval_every=eval_every,
        progress=progress,
        snapshot_every=snapshot_every,
        record=lambda planner: {
            key + "_value": value for key, value in planner.mesa_objective().items()
        },
    )
