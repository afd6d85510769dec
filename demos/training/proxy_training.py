"""Training the maze planner where a marker (the proxy) usually sits on the exit.

The setting of chapters 1 and 3 (the paper's sections 1.3 and 3.1): a base optimizer trains a
:class:`demos.agents.planners.Planner` (hard-coded search, learned reward head) on levels where
the coloured marker sits on the exit, except in a ``decorrelated_fraction`` q of them, and the
trained agent is then walked through test levels where every marker is at least three steps from
its exit. The ``proxy-shift`` experiment (:mod:`demos.experiments.proxy_shift`) reports one such
run; the sweeps and remedies of chapter 3 build on many.

- :class:`ProxyShiftConfig`: every knob of one run (levels, base optimizer, planner, seed).
- :func:`train_on_proxy_levels`: draw the levels, train, walk the test levels: a :class:`ProxyRun`.
- :func:`make_planner`, :func:`initial_planner`, :func:`train_planner`: the pieces, for
  experiments that train a planner of the same kind on levels of their own.
- :func:`chapter_config`, :func:`share_runs`, :func:`trained`: the chapters' quicker settings, and
  a per-process memory of runs, so the experiments of one notebook that need the same model train
  it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from demos.agents import planners
from demos.core.config import MAX_SEED, Config, choice, ranged
from demos.core.runtime import map_in_processes, seeded
from demos.training import base_optimizers, rollouts
from demos.training.base_optimizers import TrainingHistory
from demos.worlds.mazes import LevelConfig, Levels, generate_levels, shifted

BASE_OPTIMIZERS = ("imitation", "reinforce", "evolution")
"""Base optimizers a run can use (see :mod:`demos.training.base_optimizers`)."""


@dataclass(frozen=True)
class ProxyShiftConfig(Config):
    """Settings of one planner trained where the marker usually sits on the exit."""

    decorrelated_fraction: float = ranged(0.05, 0.0, 1.0)
    """Share of training levels whose marker (the proxy) is not on the exit (0 = perfectly
    correlated). Exactly round(q * train_levels) levels are decorrelated."""
    exit_salience: float = ranged(0.3, 0.0, 1.0, above=True)
    """How strongly the exit shows in the observation, next to the marker's value."""
    marker_salience: float = ranged(1.0, 0.0, 1.0, above=True)
    """How strongly the marker (the proxy) shows in the observation."""
    size: int = ranged(7, 4, 32)
    """Side of the square mazes."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls."""
    train_levels: int = ranged(256, 1, 100_000)
    """Number of training levels."""
    test_levels: int = ranged(500, 1, 100_000)
    """Number of test levels; in every one the marker is at least 3 steps from the exit."""
    base_optimizer: str = choice("imitation", BASE_OPTIMIZERS)
    """How the planner is trained: imitation (Adam on the BFS expert), reinforce (REINFORCE on
    the exit reward) or evolution (an evolution strategy, no gradients)."""
    train_steps: int = ranged(150, 1, 100_000)
    """Updates of the base optimizer."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Step size of the base optimizer."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the planner, in training and at test."""
    reward_hidden: int = ranged(0, 0, 256)
    """Hidden width of the reward head (0: linear in walls, exit and marker)."""
    eval_every: int = ranged(10, 0, 100_000)
    """Training steps between test evaluations in the history (0: first and last only)."""
    snapshot_every: int = ranged(0, 0, 100_000)
    """Training steps between copies of the weights kept in the history, for figures that replay
    training (0: none)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels, initial weights and sampling."""

    def validate(self) -> None:
        self.level_config()

    def level_config(self) -> LevelConfig:
        """The training distribution."""
        return LevelConfig(
            size=self.size,
            wall_density=self.wall_density,
            decorrelated_fraction=self.decorrelated_fraction,
            exit_salience=self.exit_salience,
            marker_salience=self.marker_salience,
        )


@dataclass
class ProxyRun:
    """One trained planner, its levels, and where its agent went."""

    config: ProxyShiftConfig
    """The settings of the run."""
    train_success: float
    """Share of training levels on which the greedy agent reaches the exit."""
    test_rates: dict[str, float]
    """Where agents settle on the test levels: ``{"exit": , "proxy": , "neither": }``."""
    train_seconds: float
    """Wall-clock seconds spent in the base optimizer's updates."""
    model: planners.Planner = field(repr=False)
    """The trained planner."""
    train_levels: Levels = field(repr=False)
    """The training levels."""
    test_levels: Levels = field(repr=False)
    """The test levels (marker and exit apart in every one)."""
    history: TrainingHistory = field(repr=False)
    """Loss, ``train_success``, ``test_exit_rate`` and ``test_proxy_rate`` during training."""

    @property
    def test_exit_rate(self) -> float:
        """Share of test episodes settling on the exit."""
        return self.test_rates["exit"]

    @property
    def test_proxy_rate(self) -> float:
        """Share of test episodes settling on the marker (the proxy)."""
        return self.test_rates["proxy"]

    def summary(self) -> dict:
        """The run's behaviour in figures: training success, where test agents settle, time."""
        return {
            "train_success": round(self.train_success, 4),
            "test_exit_rate": round(self.test_rates["exit"], 4),
            "test_proxy_rate": round(self.test_rates["proxy"], 4),
            "test_neither_rate": round(self.test_rates["neither"], 4),
            "train_seconds": round(self.train_seconds, 3),
        }


def make_planner(config: ProxyShiftConfig, generator: torch.Generator) -> planners.Planner:
    """The untrained planner of ``config`` (hard-coded search, learned reward head)."""
    return planners.Planner(
        variant="hard-coded",
        steps=config.planning_steps,
        hidden=config.reward_hidden,
        generator=generator,
    )


def initial_planner(config: ProxyShiftConfig) -> planners.Planner:
    """The untrained planner that ``train_on_proxy_levels(config)`` starts from: the same initial
    weights, drawn from a fresh ``seeded(config.seed)`` torch generator before any training."""
    if not isinstance(config, ProxyShiftConfig):
        raise ValueError(f"config must be a ProxyShiftConfig, got {type(config).__name__}")
    return make_planner(config, seeded(config.seed).torch)


def train_planner(
    config: ProxyShiftConfig,
    model: torch.nn.Module,
    train: Levels,
    generator: torch.Generator,
    evaluate=None,
    progress: bool = False,
) -> TrainingHistory:
    """Train ``model`` on ``train`` with the base optimizer, steps and step size of ``config``."""
    common = dict(
        steps=config.train_steps,
        learning_rate=config.learning_rate,
        generator=generator,
        evaluate=evaluate,
        eval_every=config.eval_every,
        progress=progress,
        snapshot_every=config.snapshot_every,
    )
    if config.base_optimizer == "imitation":
        return base_optimizers.imitate(model, train, target="exit", **common)
    if config.base_optimizer == "reinforce":
        return base_optimizers.reinforce(model, train, **common)
    return base_optimizers.evolve(model, train, **common)


def settle_figures(model, levels: Levels, tensors=None, prefix: str = "test") -> dict[str, float]:
    """Where the model's greedy agent settles on ``levels``, as history columns:
    ``{prefix_exit_rate, prefix_proxy_rate, prefix_success}``."""
    walk = rollouts.greedy_rollout(model, levels, tensors=tensors)
    rates = walk.settle_rates()
    return {
        f"{prefix}_exit_rate": rates["exit"],
        f"{prefix}_proxy_rate": rates["proxy"],
        f"{prefix}_success": walk.success_rate(),
    }


def train_on_proxy_levels(config: ProxyShiftConfig, progress: bool = False) -> ProxyRun:
    """Draw the levels of ``config``, train its planner, and walk the test levels.

    The training levels hold exactly round(q * train_levels) decorrelated levels; every test
    level has its marker at least three BFS steps from the exit. The history records the test
    settle rates and the training success every ``eval_every`` steps.

    Args:
        config: ProxyShiftConfig.
        progress: show a progress bar over training steps.

    Returns:
        ProxyRun.
    """
    if not isinstance(config, ProxyShiftConfig):
        raise ValueError(f"config must be a ProxyShiftConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    train_config = config.level_config()
    train = generate_levels(train_config, config.train_levels, seeds.numpy, exact_fraction=True)
    test = generate_levels(
        shifted(train_config, decorrelated_fraction=1.0), config.test_levels, seeds.numpy
    )
    train_tensors, test_tensors = planners.encode(train), planners.encode(test)
    model = make_planner(config, seeds.torch)

    def evaluate(trained_model) -> dict[str, float]:
        figures = settle_figures(trained_model, test, test_tensors)
        on_train = settle_figures(trained_model, train, train_tensors, "train")
        figures["train_success"] = on_train["train_success"]
        return figures

    history = train_planner(config, model, train, seeds.torch, evaluate, progress)
    walk = rollouts.greedy_rollout(model, test, tensors=test_tensors)
    return ProxyRun(
        config=config,
        train_success=history.last("train_success"),
        test_rates=walk.settle_rates(),
        train_seconds=history.train_seconds,
        model=model,
        train_levels=train,
        test_levels=test,
        history=history,
    )


CHAPTER_SETTINGS = {"train_levels": 128, "eval_every": 0}
"""How the chapters' runs differ from :class:`ProxyShiftConfig`'s defaults: half the training
levels (each model trains in about half the time, so a notebook keeps to its time budget) and no
evaluation during training (which leaves the trained model unchanged; it only skips the history)."""


def chapter_config(**changes) -> ProxyShiftConfig:
    """The chapters' configuration: :data:`CHAPTER_SETTINGS`, then ``changes``.

    Example: ``chapter_config(decorrelated_fraction=0.02, seed=3)``.
    """
    return ProxyShiftConfig(**{**CHAPTER_SETTINGS, **changes})


_SHARING = {"enabled": False}
"""Whether :func:`trained` remembers runs (see :func:`share_runs`)."""

_REMEMBERED: dict[ProxyShiftConfig, ProxyRun] = {}
"""Runs trained while sharing was on, by configuration."""


def share_runs(enabled: bool = True) -> None:
    """Turn on (or off) the sharing of runs between experiments.

    With sharing on, :func:`trained` trains each configuration once per Python process and then
    hands back the same run. Runs are deterministic given their configuration, so this changes no
    figure, only the time a notebook that asks for the same model several times takes. It is off
    by default so that a timed run (the benchmark, the command line) always trains.
    """
    if not isinstance(enabled, bool):
        raise ValueError(f"enabled must be True or False, got {enabled!r}")
    _SHARING["enabled"] = enabled


def trained(config: ProxyShiftConfig) -> ProxyRun:
    """``train_on_proxy_levels(config)``, remembered by configuration while :func:`share_runs`
    is on. A remembered run's model is shared by every caller: copy it (``copy.deepcopy``)
    before changing it."""
    if not isinstance(config, ProxyShiftConfig):
        raise ValueError(f"config must be a ProxyShiftConfig, got {type(config).__name__}")
    return trained_many([config])[0]  # one run trains in this process


def trained_many(configs: list[ProxyShiftConfig], progress=None) -> list[ProxyRun]:
    """:func:`trained` for several configurations, trained side by side in worker processes
    (:func:`demos.core.runtime.map_in_processes`: up to two on a 2-core machine).

    Each run depends on its configuration alone, so the runs equal those of a serial loop. While
    :func:`share_runs` is on, runs already remembered are reused and new ones remembered.

    Args:
        configs: the configurations, in the order the runs are returned.
        progress: an optional callable run once per run (e.g. a tqdm bar's ``update``).
    """
    for config in configs:
        if not isinstance(config, ProxyShiftConfig):
            raise ValueError(f"configs must hold ProxyShiftConfigs, got {type(config).__name__}")
    sharing = _SHARING["enabled"]
    missing = list(dict.fromkeys(c for c in configs if not (sharing and c in _REMEMBERED)))
    runs = map_in_processes(train_on_proxy_levels, missing, progress=progress)
    fresh = dict(zip(missing, runs, strict=True))
    if sharing:
        _REMEMBERED.update(fresh)
        if progress is not None:
            for _ in range(len(configs) - len(missing)):
                progress()
        return [_REMEMBERED[config] for config in configs]
    return [fresh[config] for config in configs]
