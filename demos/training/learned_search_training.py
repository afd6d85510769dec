"""Training the learned planner by imitation of the BFS expert: gradient descent as base optimizer.

Chapters 1, 2 and 3 use the models this trains (:mod:`demos.agents.learned_search`, and the
feed-forward baseline :mod:`demos.agents.feedforward`). Each step draws a fresh batch of perfect
mazes (:mod:`demos.worlds.perfect_mazes`), asks :func:`demos.worlds.mazes.expert_actions` for the
expert's move at every free cell, and takes one AdamW step on the cross-entropy of the model's
logits against it (walls, which have no expert move, are ignored), as
:func:`demos.training.base_optimizers.imitate` does for the book's other planners.

What is particular to a recurrent model is *which iterations are supervised*. A network trained
at one fixed K learns to be right at K and nothing else: run it longer and its state drifts. Here
every step draws the number of iterations ``K`` uniformly from ``[min_iterations,
max_iterations]``, runs the first ``K - backprop_iterations`` of them without gradients (no graph
is kept), the last ``backprop_iterations`` with gradients, and averages the loss over the outputs
of the last ``supervised_iterations``. The model is asked to be right, and to *stay* right, from
any state its own iterations reach over a wide range of K. Before those K iterations, the goal
(exit and marker channels) may be hidden for a random delay (``goal_delay_max``): in a small maze
every cell hears of the exit within a few dozen iterations, in a large one a far cell waits a
hundred or more, and the delay shows the network that situation without larger mazes.

- :class:`SearchTrainingConfig`: one training recipe (levels, optimizer, iterations, seed).
- :data:`MAIN_RECIPE`, :data:`DRIFT_RECIPE`, :data:`MODEL`, :data:`FEEDFORWARD_MODEL`: the
  recipes and shapes of the committed models (:mod:`demos.training.learned_checkpoints`).
- :func:`train_model`: build a model from a seed and train it; returns the model and a
  :class:`demos.training.base_optimizers.TrainingHistory` (with snapshots for the replay of the
  search forming, if asked).
- :func:`draw_levels`: levels of a recipe's training distribution (or of a shifted one);
  :func:`held_out_levels`: fixed test levels, the same for every model.

Determinism: all randomness comes from ``seeded(seed)`` (numpy for levels; one torch generator
for the initial weights, then for K and the delay), torch runs on one thread, and the same seed
gives bit-identical weights on the same CPU and torch build.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents.feedforward import FeedForward, FeedForwardConfig, matched_width
from demos.agents.learned_search import (
    LearnedSearch,
    LearnedSearchConfig,
    encode,
    hide_goal,
    parameter_count,
)
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.core.runtime import seeded
from demos.core.validation import check_int
from demos.training.base_optimizers import TrainingHistory
from demos.worlds.mazes import LevelConfig, Levels, expert_actions, generate_levels
from demos.worlds.perfect_mazes import generate_perfect_levels

MAZES = ("perfect", "book")
"""Training level generators: perfect mazes (:mod:`demos.worlds.perfect_mazes`) or the book's
random-wall mazes (:func:`demos.worlds.mazes.generate_levels`)."""


@dataclass(frozen=True)
class SearchTrainingConfig(Config):
    """One training recipe of the learned planner (defaults: the main recipe)."""

    sizes: tuple[int, ...] = ranged((9, 10), 5, 64, increasing=True)
    """Sides of the training mazes; each step draws one of them uniformly (a batch has one)."""
    maze: str = choice("perfect", MAZES)
    """Level generator: "perfect" (randomised depth-first search) or "book" (random walls)."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of walls for the book's generator (ignored for perfect mazes)."""
    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """Share q of training levels whose marker (the proxy) is not on the exit. Each level of each
    fresh batch is decorrelated independently with probability q."""
    exit_salience: float = ranged(0.3, 0.0, 1.0, above=True)
    """Value of the exit channel on the exit (the book's default 0.3)."""
    marker_salience: float = ranged(1.0, 0.0, 1.0, above=True)
    """Value of the marker channel on the marker (the book's default 1.0)."""
    exit_in_corner: bool = False
    """Put the training exits on the top-right cell (0, size - 1): the corner setting, where the
    goal always sat in one place (perfect mazes of odd side only)."""
    exit_elsewhere_fraction: float = ranged(0.0, 0.0, 1.0)
    """With ``exit_in_corner``: share of training levels whose exit is drawn anywhere instead
    (the corner setting's decorrelated levels)."""
    steps: int = ranged(1000, 1, 1_000_000)
    """Optimizer steps."""
    batch_size: int = ranged(32, 1, 4096)
    """Levels per step."""
    max_lr: float = ranged(5e-3, 0.0, 1.0, above=True)
    """Peak learning rate of the one-cycle schedule."""
    weight_decay: float = ranged(0.0, 0.0, 1.0)
    """AdamW's decoupled weight decay."""
    grad_clip: float = ranged(1.0, 0.0, 1000.0, above=True)
    """The gradient's global norm is clipped to this."""
    min_iterations: int = ranged(16, 1, 10_000)
    """Fewest iterations K drawn in a step."""
    max_iterations: int = ranged(48, 1, 10_000)
    """Most iterations K drawn in a step (at least ``min_iterations``)."""
    backprop_iterations: int = ranged(16, 1, 10_000)
    """Iterations at the end of the run that gradients flow through (at most
    ``min_iterations``)."""
    supervised_iterations: int = ranged(8, 1, 10_000)
    """The loss is averaged over the outputs of the last this-many iterations (at most
    ``backprop_iterations``)."""
    goal_delay_max: int = ranged(48, 0, 10_000)
    """Hide the exit and marker for the first D iterations of each step's run, D drawn uniformly
    from [0, goal_delay_max] (0: never hidden); the K iterations are counted from the reveal."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed of the levels (numpy) and of the initial weights, K and delays (torch)."""

    def validate(self) -> None:
        check_int("max_iterations", self.max_iterations, self.min_iterations)
        check_int("backprop_iterations", self.backprop_iterations, 1, self.min_iterations)
        check_int("supervised_iterations", self.supervised_iterations, 1, self.backprop_iterations)
        if self.exit_in_corner and (self.maze != "perfect" or any(s % 2 == 0 for s in self.sizes)):
            raise ValueError(
                f"exit_in_corner needs maze='perfect' and odd sizes, got maze={self.maze!r}, "
                f"sizes={self.sizes!r}"
            )
        if self.exit_elsewhere_fraction and not self.exit_in_corner:
            raise ValueError(
                "exit_elsewhere_fraction needs exit_in_corner=True, got "
                f"exit_elsewhere_fraction={self.exit_elsewhere_fraction!r}"
            )

    def level_config(self, size: int, **changes) -> LevelConfig:
        """The training levels' :class:`~demos.worlds.mazes.LevelConfig` at side ``size``,
        with ``changes`` applied (e.g. ``decorrelated_fraction=1.0`` for a test distribution)."""
        return LevelConfig(
            size=size,
            wall_density=self.wall_density,
            decorrelated_fraction=self.decorrelated_fraction,
            exit_salience=self.exit_salience,
            marker_salience=self.marker_salience,
        ).replace(**changes)

    def to_dict(self) -> dict:
        """The fields as a plain, JSON-serialisable dict (tuples as lists)."""
        return {
            k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()
        }


MODEL = LearnedSearchConfig(width=32, iterations=64, head_kernel=3, activation="clipped")
"""The learned planner of the book (11,845 parameters)."""

MAIN_RECIPE = SearchTrainingConfig()
"""How the learned planner is trained: 1000 steps of 32 fresh perfect mazes of side 9 or 10 (both
lattice parities: an even side ends in a row and a column of dead ends), K in [16, 48] with the
last 16 iterations backpropagated, the goal hidden for up to 48 iterations first, AdamW with a
one-cycle schedule peaking at 5e-3. The marker sits on the exit in every level."""

DRIFT_RECIPE = MAIN_RECIPE.replace(
    sizes=(9,), steps=1200, min_iterations=16, max_iterations=32, goal_delay_max=0
)
"""The recipe of the objective-drift runs (chapter 3): 9 x 9 perfect mazes only, K in [16, 32], no
hidden-goal delay, 1200 steps (with 400, a model trained at q = 0.05 was still caught between
exit and marker; see BENCHMARKS.md). The question there is what the planner pursues on mazes of
its training size, not how far it extrapolates."""

FEEDFORWARD_DEPTH = 32
"""Layers of the feed-forward baseline: the mean of the iterations drawn in training, (16+48)/2."""

FEEDFORWARD_MODEL = FeedForwardConfig(
    depth=FEEDFORWARD_DEPTH,
    width=matched_width(FEEDFORWARD_DEPTH, parameter_count(LearnedSearch(MODEL))),
    activation=MODEL.activation,
)
"""The baseline: 32 untied layers with the parameter count closest to :data:`MODEL`'s."""


def draw_levels(
    config: SearchTrainingConfig, size: int, n: int, rng: np.random.Generator, **changes
) -> Levels:
    """``n`` levels of the training distribution of ``config`` at side ``size``.

    ``changes`` override fields of the :class:`~demos.worlds.mazes.LevelConfig` (e.g.
    ``decorrelated_fraction=1.0`` for test levels where the marker is never on the exit).
    """
    if not isinstance(config, SearchTrainingConfig):
        raise ValueError(f"config must be a SearchTrainingConfig, got {type(config).__name__}")
    level_config = config.level_config(size, **changes)
    if config.maze == "perfect":
        corner = (0, size - 1) if config.exit_in_corner else None
        return generate_perfect_levels(
            level_config,
            n,
            rng,
            exit_at=corner,
            exit_elsewhere_fraction=config.exit_elsewhere_fraction if corner else 0.0,
        )
    return generate_levels(level_config, n, rng)


TEST_SEED = 10_000
"""Seed of the learned planner's test levels, apart from every training seed."""


def held_out_levels(
    config: SearchTrainingConfig, size: int, n: int, stream: int = 0, **changes
) -> Levels:
    """``n`` test levels of ``config``'s distribution at side ``size`` (``changes`` as in
    :func:`draw_levels`), the same for every model seed: drawn from ``(TEST_SEED, size, stream)``;
    a different ``stream`` gives another, independent set."""
    stream = check_int("stream", stream, 0)
    rng = np.random.default_rng((TEST_SEED, check_int("size", size, 5, 64), stream))
    return draw_levels(config, size, check_int("n", n, 1), rng, **changes)


def new_model(model_config: LearnedSearchConfig | FeedForwardConfig, generator: torch.Generator):
    """An untrained model of ``model_config``, its weights drawn from ``generator``."""
    if isinstance(model_config, LearnedSearchConfig):
        return LearnedSearch(model_config, generator=generator)
    if isinstance(model_config, FeedForwardConfig):
        return FeedForward(model_config, generator=generator)
    raise ValueError(
        "model_config must be a LearnedSearchConfig or a FeedForwardConfig, got "
        f"{type(model_config).__name__}"
    )


def train_model(
    model_config: LearnedSearchConfig | FeedForwardConfig,
    config: SearchTrainingConfig,
    progress: bool = False,
    snapshot_every: int = 0,
    stop_after: int | None = None,
    evaluate=None,
    eval_every: int = 0,
) -> tuple[torch.nn.Module, TrainingHistory]:
    """Build the model of ``model_config`` from ``config.seed`` and train it by ``config``.

    Args:
        model_config: the shape of the learned planner or of the feed-forward baseline.
        config: the recipe.
        progress: show a tqdm progress bar.
        snapshot_every: int >= 0, steps between copies of the weights kept in the history (0:
            none; steps 0 and the last are kept whenever it is positive).
        stop_after: optional int in [1, steps]: stop after this many steps of the schedule (the
            first steps of the full run, for a quick check of reproducibility).
        evaluate: optional ``evaluate(model) -> dict`` run every ``eval_every`` steps and at the
            end, outside the timing; its figures are added to the history's rows.
        eval_every: int >= 0, steps between evaluations (0: only at the end).

    Returns:
        ``(model, history)``: the trained model (in eval mode) and its history (one row per step
        with ``loss``, ``iterations`` (the K drawn, 0 for the baseline), ``size`` and ``lr``).
    """
    if not isinstance(config, SearchTrainingConfig):
        raise ValueError(f"config must be a SearchTrainingConfig, got {type(config).__name__}")
    snapshot_every = check_int("snapshot_every", snapshot_every, 0, 1_000_000)
    last = (
        config.steps if stop_after is None else check_int("stop_after", stop_after, 1, config.steps)
    )
    eval_every = check_int("eval_every", eval_every, 0)
    seeds = seeded(config.seed)
    model = new_model(model_config, seeds.torch)
    rng, generator = seeds.numpy, seeds.torch
    recurrent = isinstance(model, LearnedSearch)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.max_lr, weight_decay=config.weight_decay
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.max_lr, total_steps=config.steps
    )
    history = TrainingHistory()
    paused = 0.0
    began = time.perf_counter()

    def snapshot(step: int) -> None:
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        history.snapshots.append((step, state))

    if snapshot_every:
        snapshot(0)
    model.train()
    name = "learned search" if recurrent else "feed-forward baseline"
    bar = tqdm(range(1, last + 1), desc=name, disable=not progress, leave=False)
    for step in bar:
        size = config.sizes[int(rng.integers(len(config.sizes)))]
        levels = draw_levels(config, size, config.batch_size, rng)
        x = encode(levels)
        labels = torch.from_numpy(expert_actions(levels, "exit"))
        if recurrent:
            k = int(
                torch.randint(
                    config.min_iterations, config.max_iterations + 1, (1,), generator=generator
                )
            )
            delay = int(torch.randint(0, config.goal_delay_max + 1, (1,), generator=generator))
            loss = recurrent_loss(model, x, labels, k, config, delay)
        else:
            k = 0
            loss = torch.nn.functional.cross_entropy(model.policy(x), labels, ignore_index=-1)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        lr = schedule.get_last_lr()[0]
        schedule.step()
        row = {"step": step, "loss": loss.item(), "iterations": k, "size": size, "lr": lr}
        if progress and step % 20 == 0:
            bar.set_postfix(loss=f"{row['loss']:.3f}")
        if snapshot_every and (step % snapshot_every == 0 or step == last):
            snapshot(step)
        if evaluate is not None and (step == last or (eval_every and step % eval_every == 0)):
            stop = time.perf_counter()
            model.eval()
            with torch.no_grad():
                row.update(evaluate(model))
            model.train()
            paused += time.perf_counter() - stop
        history.rows.append(row)
    bar.close()
    model.eval()
    history.train_seconds = time.perf_counter() - began - paused
    return model, history


def recurrent_loss(
    model: LearnedSearch,
    x: torch.Tensor,
    labels: torch.Tensor,
    iterations: int,
    config: SearchTrainingConfig,
    delay: int = 0,
) -> torch.Tensor:
    """Mean cross-entropy over the outputs of the last ``supervised_iterations`` of a run of
    ``iterations`` (after ``delay`` iterations with the goal hidden), with gradients through the
    last ``backprop_iterations`` only.

    Args:
        model: the learned planner.
        x: (batch, 4, H, W) encoded levels (:func:`demos.agents.learned_search.encode`).
        labels: (batch, H, W) int64 expert moves, -1 where there is none.
        iterations: int, the K counted from the reveal of the goal.
        config: the recipe (``backprop_iterations``, ``supervised_iterations``).
        delay: int >= 0, iterations run first with the goal hidden.
    """
    free_run = iterations - config.backprop_iterations
    h = model.initial_state(x)
    with torch.no_grad():
        if delay:
            hidden = hide_goal(x)
            for _ in range(delay):
                h = model.iterate(h, hidden)
        for _ in range(max(free_run, 0)):
            h = model.iterate(h, x)
    h = h.detach()
    losses = []
    first_supervised = iterations - config.supervised_iterations
    for k in range(max(free_run, 0), iterations):
        h = model.iterate(h, x)
        if k >= first_supervised:
            logits = model.readout(h)
            losses.append(torch.nn.functional.cross_entropy(logits, labels, ignore_index=-1))
    return torch.stack(losses).mean()
