"""Base optimizers: the processes that search over models for one that scores well.

Used by chapters 1 to 3 (imitation throughout, REINFORCE and reward prediction in chapter 3).

Three of them, so the book can show that the story does not depend on one training method:

- :func:`imitate`: gradient descent (Adam) on imitation of the BFS expert. Its base objective is
  the cross-entropy between the model's policy and the expert's action, at every free cell of
  every training level.
- :func:`reinforce`: gradient descent on the environment's reward (REINFORCE with a baseline).
  Its base objective is the discounted reward for reaching the exit; no expert is consulted.
- :func:`evolve`: an evolution strategy, no gradients at all. It perturbs the parameters at random,
  keeps the direction of the perturbations that scored better and repeats. Its base objective is
  the greedy policy's discounted reward, a step function gradient descent could not follow.
- :func:`predict_reward`: gradient descent (Adam) that trains only a planner's reward head, to
  predict the base reward of every free cell (1 on the exit, 0 elsewhere), as the paper's section
  3.3 proposes for a model of the base objective feeding a hard-coded search. It never looks at
  behaviour.

Each takes a model with a ``policy(levels, steps=None) -> (batch, 5, H, W) logits`` method
(:class:`demos.agents.planners.Planner`, :class:`demos.agents.reactive.ReactivePolicy`) and the
training levels, changes the model in place, and returns a :class:`TrainingHistory`. An optional
``evaluate(model) -> dict`` callback is called every ``eval_every`` steps, and its figures are
added to the history, so a notebook can plot, say, the test proxy rate during training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents.planners import encode
from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_choice, check_float, check_int
from demos.training.rollouts import rollout
from demos.worlds import mazes
from demos.worlds.mazes import Levels, default_horizon

Evaluate = Callable[[torch.nn.Module], dict[str, float]]
"""``evaluate(model) -> {"name": value}``: figures recorded in the history during training."""


@dataclass
class TrainingHistory:
    """What happened during training, one row per logged step."""

    rows: list[dict[str, float]] = field(default_factory=list)
    """Dicts with ``step`` and ``loss`` (the base objective's training loss; for the evolution
    strategy, minus the mean fitness), plus the figures of ``evaluate`` where it ran."""
    train_seconds: float = 0.0
    """Wall-clock seconds spent in the optimization steps (evaluation excluded)."""
    snapshots: list[tuple[int, dict[str, torch.Tensor]]] = field(default_factory=list)
    """``(step, state_dict)`` copies of the model every ``snapshot_every`` steps (and at the first
    and last step), for figures that replay training. Empty unless asked for."""

    def restore(self, model: torch.nn.Module, step: int) -> torch.nn.Module:
        """Load the snapshot taken at ``step`` into ``model`` (in place) and return it."""
        for taken, state in self.snapshots:
            if taken == step:
                model.load_state_dict(state)
                return model
        steps = [taken for taken, _ in self.snapshots]
        raise ValueError(f"step must be one of the snapshot steps {steps}, got {step!r}")

    def column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of the rows that hold ``name``."""
        rows = [row for row in self.rows if name in row]
        if not rows:
            known = sorted({key for row in self.rows for key in row})
            raise ValueError(
                f"name must be a column of the history ({', '.join(known)}), got {name!r}"
            )
        return np.array([row["step"] for row in rows]), np.array([row[name] for row in rows])

    def last(self, name: str) -> float:
        """The latest logged value of ``name``."""
        return float(self.column(name)[1][-1])


class _Logger:
    """Collects rows, runs ``evaluate`` on schedule, keeps evaluation out of the timing."""

    def __init__(self, model, steps, evaluate, eval_every, progress, description, snapshot_every=0):
        self.model, self.steps, self.evaluate = model, steps, evaluate
        self.eval_every = eval_every
        self.snapshot_every = check_int("snapshot_every", snapshot_every, 0, 1_000_000)
        self.history = TrainingHistory()
        self.bar = tqdm(total=steps, desc=description, disable=not progress, leave=False)
        self.began = time.perf_counter()
        self.paused = 0.0

    def log(self, step: int, loss: float) -> None:
        row: dict[str, Any] = {"step": step, "loss": float(loss)}
        due = self.evaluate is not None and (
            step == 0 or step == self.steps or (self.eval_every and step % self.eval_every == 0)
        )
        if due:
            paused = time.perf_counter()
            with torch.no_grad():
                row.update(self.evaluate(self.model))
            self.paused += time.perf_counter() - paused
        self.history.rows.append(row)
        if self.snapshot_every and (
            step == 0 or step == self.steps or step % self.snapshot_every == 0
        ):
            state = {
                name: value.detach().clone() for name, value in self.model.state_dict().items()
            }
            self.history.snapshots.append((step, state))
        if step:
            self.bar.update(1)

    def finish(self) -> TrainingHistory:
        self.bar.close()
        self.history.train_seconds = time.perf_counter() - self.began - self.paused
        return self.history


def _check_common(model, levels, steps, eval_every):
    if not hasattr(model, "policy"):
        raise ValueError(f"model must have a policy(levels) method, got {type(model).__name__}")
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    steps = check_int("steps", steps, 1, 1_000_000)
    eval_every = check_int("eval_every", eval_every, 0, 1_000_000)
    return steps, eval_every


def imitate(
    model: torch.nn.Module,
    levels: Levels,
    steps: int = 120,
    learning_rate: float = 0.05,
    target: str = "exit",
    batch_size: int | None = None,
    generator: torch.Generator | None = None,
    evaluate: Evaluate | None = None,
    eval_every: int = 0,
    progress: bool = False,
    snapshot_every: int = 0,
) -> TrainingHistory:
    """Gradient descent (Adam) on imitation of the BFS expert.

    The loss is the mean cross-entropy between the model's policy and the expert's action
    (:func:`demos.worlds.mazes.expert_actions`) over every free cell of the levels in the batch.

    Args:
        model: has ``policy(levels) -> (batch, 5, H, W)`` logits; trained in place.
        levels: the training levels.
        steps: int >= 1. Adam steps.
        learning_rate: float in (0, 10]. Adam's step size.
        target: "exit" (the base objective; the default) or "marker" (an expert for the proxy).
        batch_size: levels per step; None uses all of them every step.
        generator: torch.Generator for drawing mini-batches.
        evaluate: optional ``evaluate(model) -> dict`` logged every ``eval_every`` steps.
        eval_every: int >= 0. Steps between evaluations (0: first and last step only).
        progress: show a progress bar.
        snapshot_every: int >= 0. Steps between copies of the model's weights kept in
            ``history.snapshots`` (0: none).

    Returns:
        TrainingHistory; ``loss`` is the batch's cross-entropy before each step.
    """
    steps, eval_every = _check_common(model, levels, steps, eval_every)
    check_choice("target", target, ("exit", "marker"))
    n = len(levels)
    batch_size = n if batch_size is None else check_int("batch_size", batch_size, 1, n)
    tensors = encode(levels)

    def logits_of(index: torch.Tensor | None) -> torch.Tensor:
        return model.policy(tensors if index is None else _select(tensors, index))

    return fit_actions(
        model,
        logits_of,
        torch.from_numpy(mazes.expert_actions(levels, target)),
        steps=steps,
        learning_rate=learning_rate,
        batch_size=batch_size,
        generator=generator,
        evaluate=evaluate,
        eval_every=eval_every,
        progress=progress,
        snapshot_every=snapshot_every,
    )


def fit_actions(
    model: torch.nn.Module,
    logits_of: Callable[[torch.Tensor | None], torch.Tensor],
    labels: torch.Tensor,
    steps: int,
    learning_rate: float,
    batch_size: int | None = None,
    generator: torch.Generator | None = None,
    evaluate: Evaluate | None = None,
    eval_every: int = 0,
    progress: bool = False,
    snapshot_every: int = 0,
    record: Evaluate | None = None,
) -> TrainingHistory:
    """Adam on the cross-entropy between a model's action logits and labelled actions.

    The loop behind every imitation in the book (:func:`imitate` in the mazes,
    :func:`demos.training.keys_imitation.imitate` in keys and chests): each step takes a batch of
    rows, compares the model's logits with the labels at every labelled cell and steps Adam.

    Args:
        model: the module whose parameters Adam trains, in place.
        logits_of: ``logits_of(index) -> (b, A, H, W)`` logits of the rows ``index`` (a 1-D
            int64 tensor), or of every row when ``index`` is None.
        labels: (N, H, W) int64. The action to imitate at each cell; -1 where there is none.
        steps: int >= 1. Adam steps.
        learning_rate: float in (0, 10]. Adam's step size.
        batch_size: rows per step (None: all N every step).
        generator: torch.Generator for drawing mini-batches.
        evaluate, eval_every, progress, snapshot_every: as in :func:`imitate`.
        record: optional ``record(model) -> dict`` added to the history at every step (cheap
            readings, e.g. the learned item rewards of keys and chests).

    Returns:
        TrainingHistory; ``loss`` is the batch's cross-entropy before each step.
    """
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 10.0)
    n = labels.shape[0]
    batch_size = n if batch_size is None else check_int("batch_size", batch_size, 1, n)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    logger = _Logger(model, steps, evaluate, eval_every, progress, "imitation", snapshot_every)
    for step in range(steps + 1):
        if batch_size < n:
            index = torch.randperm(n, generator=generator)[:batch_size]
            logits, targets = logits_of(index), labels[index]
        else:
            logits, targets = logits_of(None), labels
        loss = torch.nn.functional.cross_entropy(logits, targets, ignore_index=-1)
        logger.log(step, loss.item())
        if record is not None:
            with torch.no_grad():
                logger.history.rows[-1].update(record(model))
        if step == steps:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return logger.finish()


def reinforce(
    model: torch.nn.Module,
    levels: Levels,
    steps: int = 150,
    learning_rate: float = 0.05,
    batch_size: int = 256,
    discount: float = 0.95,
    entropy_bonus: float = 0.01,
    horizon: int | None = None,
    generator: torch.Generator | None = None,
    evaluate: Evaluate | None = None,
    eval_every: int = 0,
    progress: bool = False,
    snapshot_every: int = 0,
) -> TrainingHistory:
    """Gradient descent on the environment's reward: REINFORCE with a per-step baseline.

    Each step samples ``batch_size`` training levels, runs the model's stochastic policy for
    ``horizon`` steps and pays reward 1 on the step an agent first reaches the exit (the episode
    ends there). The update follows ``sum_t (G_t - b_t) grad log pi(a_t | s_t)``, where ``G_t``
    is the discounted return from step t and ``b_t`` its batch mean, plus a small entropy bonus
    that keeps the policy exploring.

    Args:
        model: has ``policy(levels) -> (batch, 5, H, W)`` logits; trained in place.
        levels: the training levels.
        steps: int >= 1. Gradient steps (one batch of episodes each).
        learning_rate: float in (0, 10]. Adam's step size.
        batch_size: int >= 2. Episodes per step.
        discount: float in (0, 1]. Discount of the return.
        entropy_bonus: float >= 0. Weight of the policy's mean entropy in the objective.
        horizon: steps per episode (default :func:`demos.worlds.mazes.default_horizon`).
        generator: torch.Generator for batches and action sampling.
        evaluate, eval_every, progress, snapshot_every: as in :func:`imitate`.

    Returns:
        TrainingHistory; ``loss`` is minus the batch's mean return, and ``mean_return`` is logged.
    """
    steps, eval_every = _check_common(model, levels, steps, eval_every)
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 10.0)
    n = len(levels)
    batch_size = check_int("batch_size", batch_size, 2, 1_000_000)
    discount = check_float("discount", discount, 1e-6, 1.0)
    entropy_bonus = check_float("entropy_bonus", entropy_bonus, 0.0, 10.0)
    horizon = default_horizon(levels.size) if horizon is None else check_int("horizon", horizon, 1)
    tensors = encode(levels)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    logger = _Logger(model, steps, evaluate, eval_every, progress, "REINFORCE", snapshot_every)
    rows = torch.arange(batch_size)
    for step in range(steps + 1):
        index = torch.randint(n, (batch_size,), generator=generator)
        batch = _select(tensors, index)
        walls = levels.walls[index.numpy()]
        exits = levels.exit[index.numpy()]
        logits = model.policy(batch)
        log_probs = torch.log_softmax(logits, dim=1)
        position = levels.start[index.numpy()].copy()
        chosen, alive = [], []
        done = np.zeros(batch_size, dtype=bool)
        arrival = np.full(batch_size, -1)
        with torch.no_grad():
            probabilities = log_probs.exp()
        for t in range(horizon):
            r, c = torch.from_numpy(position[:, 0]), torch.from_numpy(position[:, 1])
            actions = torch.multinomial(probabilities[rows, :, r, c], 1, generator=generator)[:, 0]
            chosen.append(log_probs[rows, actions, r, c])
            alive.append(torch.from_numpy(~done))
            position = mazes.step(walls, position, actions.numpy())
            arrived = ~done & np.all(position == exits, axis=1)
            arrival[arrived] = t
            done |= arrived
        chosen_log_probs = torch.stack(chosen, dim=1)  # (batch, horizon)
        alive_mask = torch.stack(alive, dim=1).float()
        arrival_t = torch.from_numpy(arrival)
        steps_left = (arrival_t.unsqueeze(1) - torch.arange(horizon)).clamp(min=0)
        returns = (
            torch.where(
                (arrival_t >= 0).unsqueeze(1),
                discount ** steps_left.float(),
                torch.zeros(batch_size, horizon),
            )
            * alive_mask
        )
        baseline = (returns.sum(0) / alive_mask.sum(0).clamp(min=1)).unsqueeze(0)
        advantage = (returns - baseline) * alive_mask
        entropy = -(probabilities * log_probs).sum(dim=1).mean()
        objective = (advantage * chosen_log_probs).sum(1).mean() + entropy_bonus * entropy
        mean_return = float(returns[:, 0].mean())
        logger.log(step, -mean_return)
        logger.history.rows[-1]["mean_return"] = mean_return
        if step == steps:
            break
        optimizer.zero_grad()
        (-objective).backward()
        optimizer.step()
    return logger.finish()


def greedy_return(model, levels: Levels, discount: float = 0.95, tensors=None) -> float:
    """Mean discounted reward of the model's greedy policy: ``discount ** (t - 1)`` for first
    reaching the exit on step t, 0 for never reaching it. The evolution strategy's fitness.

    ``tensors`` may hold ``demos.agents.planners.encode(levels)`` to skip encoding the levels again.
    """
    with torch.no_grad():
        walk = rollout(levels, model.policy(levels if tensors is None else tensors))
    arrival = walk.first_exit_step
    return float(np.where(arrival >= 0, discount ** np.maximum(arrival - 1, 0), 0.0).mean())


def evolve(
    model: torch.nn.Module,
    levels: Levels,
    steps: int = 60,
    population: int = 16,
    noise_std: float = 0.3,
    learning_rate: float = 0.2,
    discount: float = 0.95,
    generator: torch.Generator | None = None,
    evaluate: Evaluate | None = None,
    eval_every: int = 0,
    progress: bool = False,
    snapshot_every: int = 0,
) -> TrainingHistory:
    """An evolution strategy: search by random perturbation, no gradients.

    Each step draws ``population / 2`` Gaussian directions ``e`` and scores the parameters
    ``theta + noise_std * e`` and ``theta - noise_std * e`` (antithetic pairs) by
    :func:`greedy_return` on the training levels. Scores are replaced by their centred ranks
    and the parameters move by ``learning_rate / (population * noise_std)`` times the
    rank-weighted sum of the directions. Meant for models with few parameters (a linear reward
    head has four).

    Args:
        model: has ``policy(levels) -> (batch, 5, H, W)`` logits; changed in place.
        levels: the training levels.
        steps: int >= 1. Updates.
        population: even int >= 2. Perturbed models scored per update.
        noise_std: float > 0. Size of the perturbations.
        learning_rate: float > 0. Size of the update.
        discount: float in (0, 1]. Discount in :func:`greedy_return`.
        generator: torch.Generator for the perturbations.
        evaluate, eval_every, progress, snapshot_every: as in :func:`imitate`.

    Returns:
        TrainingHistory; ``loss`` is minus the unperturbed model's fitness.
    """
    steps, eval_every = _check_common(model, levels, steps, eval_every)
    population = check_int("population", population, 2, 10_000)
    if population % 2:
        raise ValueError(f"population must be an even integer >= 2, got {population}")
    noise_std = check_float("noise_std", noise_std, 1e-6, 100.0)
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 100.0)
    discount = check_float("discount", discount, 1e-6, 1.0)
    tensors = encode(levels)
    parameters = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    logger = _Logger(
        model, steps, evaluate, eval_every, progress, "evolution strategy", snapshot_every
    )

    def fitness(vector: torch.Tensor) -> float:
        torch.nn.utils.vector_to_parameters(vector, model.parameters())
        return greedy_return(model, levels, discount, tensors)

    half = population // 2
    ranks_template = torch.arange(population, dtype=torch.float32) / (population - 1) - 0.5
    for step in range(steps + 1):
        logger.log(step, -fitness(parameters))
        if step == steps:
            break
        directions = torch.randn((half, parameters.numel()), generator=generator)
        candidates = torch.cat([directions, -directions]) * noise_std + parameters
        scores = torch.tensor([fitness(candidate) for candidate in candidates])
        ranks = torch.empty(population)
        ranks[scores.argsort()] = ranks_template
        signed = torch.cat([directions, -directions])
        parameters = parameters + learning_rate / (population * noise_std) * (ranks @ signed)
    torch.nn.utils.vector_to_parameters(parameters, model.parameters())
    return logger.finish()


def predict_reward(
    model: torch.nn.Module,
    levels: Levels,
    steps: int = 150,
    learning_rate: float = 0.1,
    evaluate: Evaluate | None = None,
    eval_every: int = 0,
    progress: bool = False,
) -> TrainingHistory:
    """Adam on the squared error between a planner's reward map and the base reward.

    Only the reward head is trained (the planner's readout temperature is left alone; a greedy
    policy does not depend on it). The target is the base objective written as a reward map: 1
    on each level's exit and 0 on every other free cell; wall cells are left out, since no agent
    stands there. Unlike :func:`imitate`, the loss sees the objective cell by cell, whether or not
    a wrong value would change what the planner does.

    Args:
        model: a :class:`demos.agents.planners.Planner` (it needs ``reward_head``); changed in
            place.
        levels: the training levels.
        steps: int >= 1. Adam steps.
        learning_rate: float in (0, 10]. Adam's step size.
        evaluate, eval_every, progress: as in :func:`imitate`.

    Returns:
        TrainingHistory; ``loss`` is the mean squared error over free cells before each step.
    """
    steps, eval_every = _check_common(model, levels, steps, eval_every)
    if not hasattr(model, "reward_head"):
        raise ValueError(f"model must have a reward_head, got {type(model).__name__}")
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 10.0)
    tensors = encode(levels)
    n, size = len(levels), levels.size
    target = torch.zeros((n, size, size))
    exits = torch.from_numpy(np.array(levels.exit, dtype=np.int64))
    target[torch.arange(n), exits[:, 0], exits[:, 1]] = 1.0
    free = ~tensors.walls
    optimizer = torch.optim.Adam(model.reward_head.parameters(), lr=learning_rate)
    logger = _Logger(model, steps, evaluate, eval_every, progress, "reward prediction")
    for step in range(steps + 1):
        error = (model.reward_head(tensors.features) - target)[free]
        loss = (error**2).mean()
        logger.log(step, loss.item())
        if step == steps:
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return logger.finish()


def _select(tensors, index: torch.Tensor):
    """The encoded levels at ``index`` (a 1-D int64 tensor)."""
    return type(tensors)(
        features=tensors.features[index],
        walls=tensors.walls[index],
        next_cell=tensors.next_cell[index],
    )
