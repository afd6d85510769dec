"""Experiment ``vin-kernel``: a planner whose planning step is learned; does it learn to search?

Used by chapter 2 (the paper's section 2.2, hard-coded optimization and reachability).

A :class:`demos.agents.planners.Planner` of the ``"learned"`` variant (a Value Iteration Network) is
trained by imitation of the BFS expert on small mazes. Nothing tells it how the agent moves: each
of its five action channels has a 3x3 kernel, a probability distribution over the cells around
the agent that starts close to uniform, and the base optimizer has to discover where each action
lands (see :class:`demos.agents.planners.LearnedBackup` for what is learned and what is built in).
Each training step runs the planner with a number of planning steps K drawn at random, so the
kernels cannot lean on any single K.

What comes out:

- **The behavioural signature of search.** On larger mazes than any seen in training, the share
  of agents that reach the exit rises with the number of planning steps K given at test time: with
  K = 2 the planner sees only two cells ahead and mostly wanders, with K larger than the longest
  path it nearly always arrives. A policy that had memorised moves would not improve when given
  more computation.
- **The same test for a hard-coded planner.** A planner with the true moves built in, trained on
  the same mazes with K = ``max_train_k``, tested at the same K: the reference curve.
- **The learned planning step itself.** :func:`demos.agents.planners.kernel_distance` of the kernels
  falls during training from about 8/9 (uniform kernels) towards 0 (the true moves). The history
  records it, with each move's distance, and keeps weight snapshots; at the ``replay_steps`` the
  result restores them and tests each snapshot on the larger mazes at every K (:attr:`replay`),
  so a figure can show the kernels and the success curve taking shape together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents import planners
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seeded
from demos.core.validation import check_int
from demos.experiments import register
from demos.training import base_optimizers, rollouts, step_budget
from demos.worlds.mazes import ACTION_NAMES, LevelConfig, Levels, generate_levels

MAX_TEST_SIZE = 32
"""Largest test maze side accepted by :class:`VinKernelConfig`."""


@dataclass(frozen=True)
class VinKernelConfig(Config):
    """Settings of the ``vin-kernel`` experiment."""

    train_size: int = ranged(7, 4, 16)
    """Side of the square training mazes."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls, in training and test mazes."""
    train_levels: int = ranged(64, 1, 100_000)
    """Number of training levels."""
    test_sizes: tuple[int, ...] = ranged((11, 12, 13, 14), 4, MAX_TEST_SIZE, increasing=True)
    """Sides of the larger test mazes; success is pooled over them."""
    test_levels: int = ranged(60, 1, 100_000)
    """Number of test levels of each test size."""
    test_ks: tuple[int, ...] = ranged((2, 4, 8, 16, 32), 1, 1000, increasing=True)
    """Planning steps K at which the trained planner is tested."""
    min_train_k: int = ranged(10, 1, 1000)
    """Smallest number of planning steps K drawn for a training step."""
    max_train_k: int = ranged(20, 1, 1000)
    """Largest K drawn for a training step (at least min_train_k); each step draws K uniformly.
    Equal to min_train_k: a fixed K."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size."""
    eval_every: int = ranged(5, 0, 100_000)
    """Training steps between rows of the history with the kernel distance and the training
    success (0: first and last step only)."""
    snapshot_every: int = ranged(10, 0, 100_000)
    """Training steps between weight snapshots in ``history.snapshots`` (0: none)."""
    replay_steps: tuple[int, ...] = ranged(
        (0, 10, 20, 30, 40, 50, 60, 80, 100, 150), 0, 100_000, increasing=True
    )
    """Training steps at which the learned planner is restored and tested at every K, for the
    replay; steps with no snapshot (see snapshot_every) are left out."""
    hard_coded_steps: int = ranged(60, 0, 100_000)
    """Adam steps of the hard-coded comparison planner (0: no comparison)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels, initial weights and the K drawn each step."""

    def validate(self) -> None:
        check_int("max_train_k", self.max_train_k, self.min_train_k, 1000)

    def level_config(self, size: int | None = None) -> LevelConfig:
        """The level distribution at side ``size`` (default: the training size)."""
        return LevelConfig(
            size=self.train_size if size is None else size, wall_density=self.wall_density
        )


@dataclass
class VinKernelResult:
    """What ``run_vin_kernel`` measured, plus the model, levels and history for the figures."""

    config: VinKernelConfig
    """The settings of the run."""
    success_by_k: dict[int, float]
    """Test-time planning steps K -> share of the larger test mazes whose greedy agent reaches
    the exit (pooled over ``test_sizes``)."""
    success_by_size: dict[int, dict[int, float]]
    """Test maze side -> (K -> success rate on the test mazes of that side)."""
    kernel_distance: float
    """:func:`demos.agents.planners.kernel_distance` of the trained kernels, in [0, 1] (0: the true
    moves)."""
    initial_kernel_distance: float
    """The same before training (about 8/9: near-uniform kernels)."""
    move_distances: dict[str, float]
    """Each true move's distance to its matched channel after training (stay, up, ...)."""
    train_success: float
    """Share of training levels whose greedy agent reaches the exit, at K = ``max_train_k``."""
    train_seconds: float
    """Wall-clock seconds spent in the optimization steps."""
    model: planners.Planner = field(repr=False)
    """The trained planner (variant "learned")."""
    train_levels: Levels = field(repr=False)
    """The training levels."""
    test_levels: dict[int, Levels] = field(repr=False)
    """Test maze side -> the test levels of that side."""
    history: base_optimizers.TrainingHistory = field(repr=False)
    """``loss``, ``kernel_distance``, ``distance_<move>`` and ``train_success`` during training,
    and weight ``snapshots`` every ``snapshot_every`` steps."""
    hard_coded_success_by_k: dict[int, float] = field(default_factory=dict)
    """Test-time K -> success of the hard-coded comparison planner (empty: no comparison)."""
    replay: list[dict] = field(default_factory=list, repr=False)
    """One dict per replay step: ``step``, ``kernels`` ((5, 3, 3), in the order of the true
    moves), ``distance`` (float) and ``success`` ((len(test_ks),) pooled success at each K)."""

    @property
    def snapshot_steps(self) -> list[int]:
        """Training steps at which ``history.snapshots`` holds the weights."""
        return [step for step, _ in self.history.snapshots]

    def kernels_at(self, step: int) -> np.ndarray:
        """(A, 3, 3) float: the learned kernels (discount times where each channel's action
        lands) in the snapshot taken at training ``step`` (see :attr:`snapshot_steps`)."""
        for taken, state in self.history.snapshots:
            if taken == step:
                logits = state["backup.kernel_logits"].flatten(start_dim=1)
                kernels = self.model.backup.discount * torch.softmax(logits, dim=1)
                return kernels.reshape(-1, 3, 3).numpy()
        raise ValueError(
            f"step must be one of the snapshot steps {self.snapshot_steps}, got {step!r}"
        )

    def replay_frame(self, step: int) -> dict:
        """The replay dict of training step ``step`` (one of ``config.replay_steps``)."""
        for frame in self.replay:
            if frame["step"] == step:
                return frame
        steps = [frame["step"] for frame in self.replay]
        raise ValueError(f"step must be one of the replay steps {steps}, got {step!r}")

    def halving_step(self) -> int:
        """The first replay step at which the kernel distance is below half its initial value
        (-1 if none is)."""
        for frame in self.replay:
            if frame["distance"] < 0.5 * self.initial_kernel_distance:
                return int(frame["step"])
        return -1

    def summary(self) -> dict:
        """The figures the command line prints."""
        return {
            "success_by_k": {str(k): round(v, 4) for k, v in self.success_by_k.items()},
            "hard_coded_success_by_k": {
                str(k): round(v, 4) for k, v in self.hard_coded_success_by_k.items()
            },
            "halving_step": self.halving_step(),
            "kernel_distance": round(self.kernel_distance, 4),
            "initial_kernel_distance": round(self.initial_kernel_distance, 4),
            "move_distances": {name: round(v, 4) for name, v in self.move_distances.items()},
            "train_success": round(self.train_success, 4),
            "train_seconds": round(self.train_seconds, 3),
        }


class RandomPlanningSteps:
    """The planner as the base optimizer sees it: a fresh number of planning steps every call.

    :func:`demos.training.base_optimizers.imitate` calls ``policy(levels)`` once per training step;
    each call draws K uniformly from ``[low, high]`` with ``generator``. Parameters and state are
    the planner's own, so snapshots load straight into it.

    Args:
        planner: the Planner to train.
        low, high: int, 1 <= low <= high. The range of K.
        generator: torch.Generator for the draws.
    """

    def __init__(self, planner: planners.Planner, low: int, high: int, generator) -> None:
        self.planner = planner
        self.low = check_int("low", low, 1, 10_000)
        self.high = check_int("high", high, self.low, 10_000)
        self.generator = generator

    def policy(self, levels, steps: int | None = None) -> torch.Tensor:
        """(batch, 5, H, W) logits with ``steps`` planning steps, or a random K if None."""
        if steps is None:
            span = self.high - self.low + 1
            steps = self.low + int(torch.randint(span, (1,), generator=self.generator))
        return self.planner.policy(levels, steps)

    def parameters(self):
        return self.planner.parameters()

    def state_dict(self):
        return self.planner.state_dict()


def kernel_figures(model: planners.Planner) -> dict[str, float]:
    """``kernel_distance`` and ``distance_<move>`` of the model's learned kernels."""
    _, distances = planners.match_kernels(model.backup.kernels().detach())
    figures = {"kernel_distance": float(distances.mean())}
    figures.update(
        {f"distance_{name}": float(d) for name, d in zip(ACTION_NAMES, distances, strict=True)}
    )
    return figures


@register(
    "vin-kernel",
    VinKernelConfig,
    "Learn the planning step itself (VIN kernels); test larger mazes at growing planning budgets.",
)
def run_vin_kernel(config: VinKernelConfig, progress: bool = False) -> VinKernelResult:
    """Train a learned-kernel planner by imitation, then test it on larger mazes at each K.

    Args:
        config: VinKernelConfig.
        progress: show a progress bar over training steps.

    Returns:
        VinKernelResult.
    """
    if not isinstance(config, VinKernelConfig):
        raise ValueError(f"config must be a VinKernelConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    train = generate_levels(config.level_config(), config.train_levels, seeds.numpy)
    tests = {
        size: generate_levels(config.level_config(size), config.test_levels, seeds.numpy)
        for size in config.test_sizes
    }
    train_tensors = planners.encode(train)
    model = planners.Planner("learned", steps=config.max_train_k, generator=seeds.torch)
    initial = kernel_figures(model)["kernel_distance"]

    def evaluate(trainee: RandomPlanningSteps) -> dict[str, float]:
        figures = kernel_figures(trainee.planner)
        figures["train_success"] = rollouts.success_rate(
            trainee.planner, train, config.max_train_k, train_tensors
        )
        return figures

    history = base_optimizers.imitate(
        RandomPlanningSteps(model, config.min_train_k, config.max_train_k, seeds.torch),
        train,
        steps=config.train_steps,
        learning_rate=config.learning_rate,
        target="exit",
        generator=seeds.torch,
        evaluate=evaluate,
        eval_every=config.eval_every,
        progress=progress,
        snapshot_every=config.snapshot_every,
    )
    by_size = {
        size: {k: rollouts.success_rate(model, levels, k) for k in config.test_ks}
        for size, levels in tests.items()
    }
    success_by_k = {
        k: float(np.mean([by_size[size][k] for size in config.test_sizes])) for k in config.test_ks
    }
    final = kernel_figures(model)
    hard_coded = None
    if config.hard_coded_steps:
        hard_coded = step_budget.train_by_planning_steps(
            train,
            train,
            [config.max_train_k],
            train_steps=config.hard_coded_steps,
            generator=torch.Generator().manual_seed(config.seed),
        )["models"][0]
    return VinKernelResult(
        config=config,
        success_by_k=success_by_k,
        success_by_size=by_size,
        kernel_distance=final["kernel_distance"],
        initial_kernel_distance=initial,
        move_distances={name: final[f"distance_{name}"] for name in ACTION_NAMES},
        train_success=history.last("train_success"),
        train_seconds=history.train_seconds,
        model=model,
        train_levels=train,
        test_levels=tests,
        history=history,
        hard_coded_success_by_k=(
            {}
            if hard_coded is None
            else dict(zip(config.test_ks, _pooled(hard_coded, tests, config.test_ks), strict=True))
        ),
        replay=_replay(model, history, tests, config),
    )


def _pooled(model, tests: dict[int, Levels], ks) -> list[float]:
    """Success at each K, pooled over the test sizes."""
    tensors = {size: planners.encode(levels) for size, levels in tests.items()}
    return [
        float(
            np.mean(
                [
                    rollouts.success_rate(model, levels, k, tensors[size])
                    for size, levels in tests.items()
                ]
            )
        )
        for k in ks
    ]


def _replay(model: planners.Planner, history, tests: dict[int, Levels], config) -> list[dict]:
    """Restore the snapshots at ``config.replay_steps`` into a copy and test each at every K."""
    replica = planners.Planner("learned", steps=config.max_train_k)
    replica.load_state_dict(model.state_dict())
    frames = []
    kept = {taken for taken, _ in history.snapshots}
    for step in config.replay_steps:
        if step not in kept:
            continue
        history.restore(replica, step)
        kernels = replica.backup.kernels().detach().reshape(-1, 3, 3).numpy()
        channels, distances = planners.match_kernels(kernels)
        frames.append(
            {
                "step": int(step),
                "kernels": kernels[list(channels)],
                "distance": float(distances.mean()),
                "success": np.array(_pooled(replica, tests, config.test_ks)),
            }
        )
    return frames
