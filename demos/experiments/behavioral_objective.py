"""Experiment ``behavioral-objective``: three objectives of one trained planner, compared.

Used by chapter 1 (the paper's sections 1.1 and 1.3).

A planner is trained exactly as in the ``proxy-shift`` experiment (imitation of the BFS expert on
levels whose marker, the proxy, sits on the exit in all but a ``decorrelated_fraction`` of them),
keeping a copy of its weights at every step. Three objectives are then set side by side, on the
training levels and on test levels where marker and exit are apart:

- the **base objective**: reach the exit (what the base optimizer rewarded);
- the **mesa-objective**: the planner's learned reward map, read from inside the model; its peak
  cell is the place the planner wants most;
- the **behavioral objective**: the goal cell that best explains the agent's paths, recovered by
  inverse planning from behaviour alone (:func:`demos.analysis.behavioral.infer_goal`).

On training levels the three coincide. On test levels a planner trained with q = 0 heads for the
marker, and both its mesa-objective and its behavioral objective say so; one trained with a few
decorrelated levels heads for the exit. The weight copies also let a figure replay training: how
the success rate rose, and how the mesa-objective took shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents import planners
from demos.analysis import behavioral, metrics
from demos.analysis.objectives import linear_weights
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.validation import check_float, check_int
from demos.experiments import register
from demos.training import rollouts
from demos.training.proxy_training import ProxyRun, ProxyShiftConfig, train_on_proxy_levels
from demos.worlds import outcomes
from demos.worlds.mazes import Levels, default_horizon


@dataclass(frozen=True)
class BehavioralObjectiveConfig(Config):
    """Settings of the ``behavioral-objective`` experiment (the training ones as in proxy-shift)."""

    decorrelated_fraction: float = ranged(0.05, 0.0, 1.0)
    """Share of training levels whose marker (the proxy) is not on the exit (exactly
    round(q * train_levels) levels)."""
    exit_salience: float = ranged(0.3, 0.0, 1.0, above=True)
    """How strongly the exit shows in the observation."""
    marker_salience: float = ranged(1.0, 0.0, 1.0, above=True)
    """How strongly the marker (the proxy) shows in the observation."""
    size: int = ranged(7, 4, 32)
    """Side of the square mazes."""
    wall_density: float = ranged(0.3, 0.0, 0.6)
    """Share of cells that are walls."""
    train_levels: int = ranged(128, 1, 100_000)
    """Number of training levels."""
    test_levels: int = ranged(200, 1, 100_000)
    """Number of test levels; in every one the marker is at least 3 steps from the exit."""
    train_steps: int = ranged(100, 1, 100_000)
    """Adam steps of imitation."""
    learning_rate: float = ranged(0.1, 1e-6, 10.0)
    """Adam's step size."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the planner."""
    replay_points: int = ranged(15, 2, 200)
    """How many training steps the replay records, spread geometrically from step 0 to the last
    step so the fast early changes get more of them."""
    observer_horizon: int = ranged(0, 0, 10_000)
    """Planning horizon the inverse planner assumes of the agent (0: the default horizon, three
    times the size)."""
    mixture_angles: int = ranged(10, 2, 1000)
    """How many blends of the two features the observer also tries, evenly spaced from "the exit
    only" to "the marker only" (see :func:`demos.analysis.behavioral.best_mixture_angle`)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels and initial weights."""

    def validate(self) -> None:
        self.proxy_shift_config()  # the training settings must make a valid proxy-shift run

    def proxy_shift_config(self) -> ProxyShiftConfig:
        """The same training run as a ``proxy-shift`` configuration (imitation, no evaluation
        during training but at the first and last step)."""
        return ProxyShiftConfig(
            decorrelated_fraction=self.decorrelated_fraction,
            exit_salience=self.exit_salience,
            marker_salience=self.marker_salience,
            size=self.size,
            wall_density=self.wall_density,
            train_levels=self.train_levels,
            test_levels=self.test_levels,
            base_optimizer="imitation",
            train_steps=self.train_steps,
            learning_rate=self.learning_rate,
            planning_steps=self.planning_steps,
            eval_every=0,
            seed=self.seed,
        )

    @property
    def horizon(self) -> int:
        """The inverse planner's horizon (``observer_horizon``, or 3 * size when it is 0)."""
        return self.observer_horizon or default_horizon(self.size)


def train_with_snapshots(
    config: ProxyShiftConfig, snapshot_every: int = 1, progress: bool = False
) -> ProxyRun:
    """:func:`demos.training.proxy_training.train_on_proxy_levels` with the weights kept for replay.

    The same levels, initial weights and updates as ``train_on_proxy_levels(config)`` (so the same
    numbers), with ``history.snapshots`` holding a copy of the weights every ``snapshot_every``
    steps. Only the imitation base optimizer is supported.

    Args:
        config: ProxyShiftConfig with ``base_optimizer == "imitation"``.
        snapshot_every: int >= 1. Steps between weight copies.
        progress: show a progress bar over training steps.

    Returns:
        ProxyRun.
    """
    if not isinstance(config, ProxyShiftConfig):
        raise ValueError(f"config must be a ProxyShiftConfig, got {type(config).__name__}")
    if config.base_optimizer != "imitation":
        raise ValueError(
            f"config.base_optimizer must be 'imitation' here, got {config.base_optimizer!r}"
        )
    snapshot_every = check_int("snapshot_every", snapshot_every, 1, 1_000_000)
    return train_on_proxy_levels(replace(config, snapshot_every=snapshot_every), progress)


def replay_steps(train_steps: int, points: int) -> np.ndarray:
    """About ``points`` distinct steps from 0 to ``train_steps``, spaced geometrically.

    Returns:
        (k,) int64, sorted, starting at 0 and ending at ``train_steps`` (k <= points).
    """
    train_steps = check_int("train_steps", train_steps, 1, 1_000_000)
    points = check_int("points", points, 2, 10_000)
    spaced = np.round(np.geomspace(1, train_steps + 1, points)).astype(np.int64) - 1
    return np.unique(np.concatenate([[0], spaced, [train_steps]]))


@dataclass
class Replay:
    """The model at a few training steps: rates, plans and mesa-objectives, for figures."""

    steps: np.ndarray
    """(k,) int64. The training steps recorded."""
    train_success: np.ndarray
    """(k,) float. Share of training levels whose greedy agent reaches the exit."""
    train_gap: np.ndarray
    """(k,) float. Mean extra steps over the shortest path on training levels, among successes
    (NaN where none succeeded)."""
    test_exit_rate: np.ndarray
    """(k,) float. Share of test levels whose agent settles on the exit."""
    test_proxy_rate: np.ndarray
    """(k,) float. Share of test levels whose agent settles on the marker."""
    paths: dict[str, np.ndarray] = field(repr=False)
    """``{"train": (k, n_train, T + 1, 2), "test": (k, n_test, T + 1, 2)}`` int64 greedy paths."""
    reward_maps: dict[str, np.ndarray] = field(repr=False)
    """``{"train": (k, n_train, H, W), "test": ...}`` float32: the mesa-objective at each step."""

    def first_step_reaching(self, threshold: float) -> int:
        """The first recorded training step whose training success is at least ``threshold``
        (-1 if none is)."""
        threshold = check_float("threshold", threshold, 0.0, 1.0)
        found = np.flatnonzero(self.train_success >= threshold)
        return int(self.steps[found[0]]) if len(found) else -1

    def peak_test_proxy(self) -> tuple[int, float]:
        """The recorded step at which the most test agents settle on the marker, and that share."""
        position = int(np.argmax(self.test_proxy_rate))
        return int(self.steps[position]), float(self.test_proxy_rate[position])

    def index(self, step: int) -> int:
        """Position of training step ``step`` in :attr:`steps`."""
        found = np.flatnonzero(self.steps == step)
        if not len(found):
            raise ValueError(
                f"step must be one of the replay steps {self.steps.tolist()}, got {step!r}"
            )
        return int(found[0])


def replay_training(training: ProxyRun, steps) -> Replay:
    """Restore the snapshots at ``steps`` and record the model's plans and objectives.

    Args:
        training: a result of :func:`train_with_snapshots` (its history holds the snapshots).
        steps: sequence of training steps that have a snapshot.

    Returns:
        Replay. The trained model is restored to its final weights afterwards.
    """
    history = training.history
    if not history.snapshots:
        raise ValueError("training.history must hold snapshots (use train_with_snapshots)")
    model = training.model
    final = {name: value.clone() for name, value in model.state_dict().items()}
    levels = {"train": training.train_levels, "test": training.test_levels}
    tensors = {name: planners.encode(value) for name, value in levels.items()}
    steps = np.asarray(list(steps), dtype=np.int64)
    figures = {key: [] for key in ("train_success", "train_gap", "test_exit", "test_proxy")}
    paths = {"train": [], "test": []}
    maps = {"train": [], "test": []}
    try:
        for step in steps.tolist():
            history.restore(model, step)
            with torch.no_grad():
                walks = {
                    name: rollouts.rollout(levels[name], model.policy(tensors[name]))
                    for name in levels
                }
            figures["train_success"].append(walks["train"].success_rate())
            figures["train_gap"].append(walks["train"].optimality_gap())
            rates = walks["test"].settle_rates()
            figures["test_exit"].append(rates["exit"])
            figures["test_proxy"].append(rates["proxy"])
            for name in levels:
                paths[name].append(walks[name].paths)
                maps[name].append(model.mesa_objective(tensors[name]))
    finally:
        model.load_state_dict(final)
    return Replay(
        steps=steps,
        train_success=np.array(figures["train_success"]),
        train_gap=np.array(figures["train_gap"]),
        test_exit_rate=np.array(figures["test_exit"]),
        test_proxy_rate=np.array(figures["test_proxy"]),
        paths={name: np.stack(value) for name, value in paths.items()},
        reward_maps={name: np.stack(value).astype(np.float32) for name, value in maps.items()},
    )


@dataclass
class Objectives:
    """The three objectives of one trained agent on one set of levels."""

    levels: Levels = field(repr=False)
    """The n levels."""
    paths: np.ndarray = field(repr=False)
    """(n, T + 1, 2) int64. The greedy agent's paths: the only input of the inverse planner."""
    reward_map: np.ndarray = field(repr=False)
    """(n, H, W) float. The mesa-objective, read from the model's reward head."""
    behavioral: behavioral.GoalInference = field(repr=False)
    """The behavioral objective: the goal cell recovered from the paths alone."""

    @property
    def mesa_peaks(self) -> np.ndarray:
        """(n, 2) int64: the free cell where the mesa-objective is highest."""
        return metrics.reward_peaks(self.reward_map, self.levels.walls)

    def rates(self) -> dict[str, dict[str, float]]:
        """Where each objective points: ``{"behavioral": rates, "mesa": rates}``, each rates
        ``{"exit": , "proxy": , "neither": }`` over the levels (a correlated level's shared cell
        counts as the exit)."""
        return {
            "behavioral": self.behavioral.rates(),
            "mesa": metrics.peak_rates(self.levels, self.reward_map),
        }

    def parted_count(self) -> int:
        """Number of levels where the behavioral objective's goal is not the mesa-objective's
        peak."""
        return int((~self.behavioral.matches(self.mesa_peaks)).sum())

    def figures(self) -> dict[str, float]:
        """Shares of levels: where the behavioral goal and the mesa peak fall, and agreement.

        Keys: ``behavioral_on_exit``, ``behavioral_on_marker``, ``mesa_on_exit``,
        ``mesa_on_marker``, ``behavioral_matches_mesa``, ``settled_on_exit``. A cell that holds
        both exit and marker (a correlated level) counts as the exit, not the marker.
        """
        behaviour = self.behavioral.rates()
        mesa = metrics.peak_rates(self.levels, self.reward_map)
        settled = outcomes.settle_rates(self.levels, self.paths[:, -1])
        return {
            "behavioral_on_exit": behaviour["exit"],
            "behavioral_on_marker": behaviour["proxy"],
            "mesa_on_exit": mesa["exit"],
            "mesa_on_marker": mesa["proxy"],
            "behavioral_matches_mesa": float(self.behavioral.matches(self.mesa_peaks).mean()),
            "settled_on_exit": settled["exit"],
        }


def objectives_of(model: planners.Planner, levels: Levels, horizon: int) -> Objectives:
    """Roll out ``model`` greedily on ``levels`` and recover its three objectives there."""
    with torch.no_grad():
        walk = rollouts.rollout(levels, model.policy(levels))
    return Objectives(
        levels=levels,
        paths=walk.paths,
        reward_map=model.mesa_objective(levels),
        behavioral=behavioral.infer_goal(levels, walk.paths, horizon=horizon),
    )


@dataclass
class BehavioralObjectiveResult:
    """What ``run_behavioral_objective`` measured, plus everything the chapter's figures draw."""

    config: BehavioralObjectiveConfig
    """The settings of the run."""
    training: ProxyRun = field(repr=False)
    """The training run, as the proxy-shift experiment reports it (history with snapshots)."""
    replay: Replay = field(repr=False)
    """The model at ``replay_points`` training steps."""
    train: Objectives = field(repr=False)
    """The three objectives on the training levels."""
    test: Objectives = field(repr=False)
    """The three objectives on the test levels (marker and exit apart in every one)."""
    mixture_angle: dict[str, float] = field(default_factory=dict)
    """``{"train": , "test": }``: the blend of exit and marker, in degrees (0: exit only, 90:
    marker only), that best explains all the agent's paths on those levels at once."""
    shared_level_ratio: float = 0.0
    """Largest absolute log-likelihood ratio of "wants the exit" over "wants the marker" on the
    training levels whose marker sits on the exit (0: behaviour there cannot tell them apart)."""
    weights: dict[str, float] = field(default_factory=dict)
    """The trained linear reward head: ``{"walls": , "exit": , "marker": , "bias": }``."""

    @property
    def shared_cell_reward(self) -> float:
        """What the trained head adds on a cell holding both exit and marker:
        ``exit_salience * w_exit + marker_salience * w_marker``."""
        config = self.config
        return (
            config.exit_salience * self.weights["exit"]
            + config.marker_salience * self.weights["marker"]
        )

    @property
    def marker_share(self) -> float:
        """The marker's part of :attr:`shared_cell_reward`."""
        return self.config.marker_salience * self.weights["marker"] / self.shared_cell_reward

    def agreement(self) -> dict[str, dict[str, float]]:
        """Where the behavioral objective and the mesa-objective's peak point, on training and on
        test levels: the share of levels on the exit, the marker or neither, by panel label
        (for :func:`demos.figures.introduction.agreement_figure`)."""
        train, test = self.train.rates(), self.test.rates()
        return {
            "behaviour,\ntraining": train["behavioral"],
            "mesa,\ntraining": train["mesa"],
            "behaviour,\ntest": test["behavioral"],
            "mesa,\ntest": test["mesa"],
        }

    def failures_at(self, step: int) -> dict[str, int]:
        """Training levels whose greedy agent misses the exit at replay step ``step``:
        ``{"failed": , "decorrelated": }`` (how many, and how many of those have the marker away
        from the exit)."""
        paths = self.replay.paths["train"][self.replay.index(step)]
        levels = self.training.train_levels
        failed = ~np.all(paths[:, -1] == levels.exit, axis=1)
        return {
            "failed": int(failed.sum()),
            "decorrelated": int((failed & levels.decorrelated).sum()),
        }

    def summary(self) -> dict:
        """The figures the command line prints."""
        figures = {
            "train_success_first": round(float(self.replay.train_success[0]), 4),
            "train_success_last": round(float(self.replay.train_success[-1]), 4),
            "train_optimality_gap_last": round(float(self.replay.train_gap[-1]), 4),
            "test_exit_rate": round(self.training.test_exit_rate, 4),
            "test_proxy_rate": round(self.training.test_proxy_rate, 4),
        }
        for split, objectives in (("train", self.train), ("test", self.test)):
            for key, value in objectives.figures().items():
                figures[f"{split}_{key}"] = round(value, 4)
        for split, angle in self.mixture_angle.items():
            figures[f"{split}_mixture_angle"] = round(angle, 2)
        figures["shared_level_ratio"] = round(self.shared_level_ratio, 4)
        figures["weight_exit"] = round(self.weights["exit"], 4)
        figures["weight_marker"] = round(self.weights["marker"], 4)
        figures["marker_share"] = round(self.marker_share, 4)
        figures["shared_cell_reward"] = round(self.shared_cell_reward, 4)
        figures["test_parted_count"] = self.test.parted_count()
        figures["train_seconds"] = round(self.training.train_seconds, 3)
        return figures

    def correlated_training_level(self) -> int:
        """The first training level whose marker sits on the exit (0 if there is none)."""
        found = np.flatnonzero(~self.training.train_levels.decorrelated)
        return int(found[0]) if len(found) else 0

    def drifting_level(self) -> int:
        """A test level whose agent settles on the marker at some recorded step and where it
        settles at the end differs from that: the clearest view of the objective changing.
        Falls back to test level 0 if there is none."""
        paths = self.replay.paths["test"]  # (k, n, T + 1, 2)
        levels = self.training.test_levels
        on_marker = np.all(paths[:, :, -1] == levels.marker[None], axis=2)  # (k, n)
        changed = on_marker.any(axis=0) & ~on_marker[-1]
        found = np.flatnonzero(changed)
        return int(found[0]) if len(found) else 0

    def parted_level(self) -> int | None:
        """A test level where the behavioral objective and the mesa-objective's peak differ
        (None if they agree on every test level)."""
        found = np.flatnonzero(~self.test.behavioral.matches(self.test.mesa_peaks))
        return int(found[0]) if len(found) else None


@register(
    "behavioral-objective",
    BehavioralObjectiveConfig,
    "Compare base, mesa- and behavioral objectives of a trained planner on train and test levels.",
)
def run_behavioral_objective(
    config: BehavioralObjectiveConfig, progress: bool = False
) -> BehavioralObjectiveResult:
    """Train a planner (keeping weights), replay training, and recover its three objectives.

    Args:
        config: BehavioralObjectiveConfig.
        progress: show progress bars.

    Returns:
        BehavioralObjectiveResult.
    """
    if not isinstance(config, BehavioralObjectiveConfig):
        raise ValueError(f"config must be a BehavioralObjectiveConfig, got {type(config).__name__}")
    training = train_with_snapshots(config.proxy_shift_config(), 1, progress)
    steps = replay_steps(config.train_steps, config.replay_points)
    replay = replay_training(training, tqdm(steps, desc="replay", disable=not progress))
    model = training.model
    found = {
        split: objectives_of(model, levels, config.horizon)
        for split, levels in (("train", training.train_levels), ("test", training.test_levels))
    }
    angles = np.linspace(0.0, np.pi / 2, config.mixture_angles)
    mixture = {
        split: behavioral.best_mixture_angle(
            objectives.levels, objectives.paths, angles, horizon=config.horizon
        )
        for split, objectives in found.items()
    }
    shared = ~training.train_levels.decorrelated
    ratios = behavioral.exit_or_marker(
        training.train_levels, found["train"].paths, horizon=config.horizon
    )
    return BehavioralObjectiveResult(
        config=config,
        training=training,
        replay=replay,
        train=found["train"],
        test=found["test"],
        mixture_angle=mixture,
        shared_level_ratio=float(np.abs(ratios[shared]).max()) if shared.any() else 0.0,
        weights=linear_weights(model),
    )
