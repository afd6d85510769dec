"""Experiment ``task-diversity``: a planner against a reactive policy as the training mazes vary.

Used by chapter 2 (the paper's section 2.1).

The paper (section 2.1) argues that the more diverse the task instances a base optimizer must
handle, the more it gains from a learned algorithm that searches, since search handles each new
instance on the spot while heuristics must be paid for case by case. This experiment runs
``planner-vs-reactive`` (:mod:`demos.experiments.planner_vs_reactive`) once for each number of
distinct training mazes in ``train_levels`` (the task diversity) and scores both trained models

- on their own training mazes (what the base optimizer sees), and
- on fresh mazes of each side in ``test_sizes`` (how far each learned algorithm generalises),
  the planner running value iteration in proportion to the side.

For the figures it also keeps, at every diversity and size, the path each agent walks in one
example test maze.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from tqdm.auto import tqdm

from demos.agents.reactive import parameter_count
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.validation import check_int
from demos.experiments import register
from demos.training import rollouts
from demos.training.maze_imitation import (
    MAX_SIZE,
    MIN_SIZE,
    PlannerVsReactiveConfig,
    fresh_levels,
    planning_steps_for,
    success_by_size,
    train_pair,
)
from demos.worlds.mazes import Levels

MODELS = ("planner", "reactive")
"""The two learned algorithms compared: one that searches, one that reacts."""


@dataclass(frozen=True)
class TaskDiversityConfig(Config):
    """Settings of the ``task-diversity`` experiment."""

    train_levels: tuple[int, ...] = ranged((1, 4, 16, 64, 256), 1, 100_000, increasing=True)
    """Numbers of distinct training mazes."""
    test_sizes: tuple[int, ...] = ranged((5, 7, 9, 11, 14), MIN_SIZE, MAX_SIZE, increasing=True)
    """Sides of the fresh test mazes."""
    train_size: int = ranged(7, MIN_SIZE, MAX_SIZE)
    """Side of the training mazes."""
    test_levels: int = ranged(200, 1, 100_000)
    """Fresh test mazes per side, the same for every diversity."""
    train_steps: int = ranged(120, 1, 100_000)
    """Adam steps of imitation for each model; a little fewer than ``planner-vs-reactive``'s
    default, so the five runs fit a chapter's time budget."""
    example: int = ranged(0, 0, 100_000)
    """Which test maze of each side to keep agents' paths for (less than test_levels)."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for mazes, weights and mini-batches (shared by every run)."""

    def validate(self) -> None:
        check_int("example", self.example, 0, self.test_levels - 1)

    def base(self, train_levels: int) -> PlannerVsReactiveConfig:
        """The ``planner-vs-reactive`` settings of one run."""
        return PlannerVsReactiveConfig(
            train_size=self.train_size,
            large_size=max(self.train_size, self.test_sizes[-1]),
            train_levels=train_levels,
            test_levels=self.test_levels,
            train_steps=self.train_steps,
            seed=self.seed,
        )


@dataclass
class TaskDiversityResult:
    """What ``run_task_diversity`` measured."""

    config: TaskDiversityConfig
    """The settings of the run."""
    train_success: dict[str, np.ndarray]
    """``{model: (d,) float}``: share of its own training mazes each model solves, by diversity."""
    test_success: dict[str, np.ndarray]
    """``{model: (d, s) float}``: share of fresh test mazes solved, by diversity and side."""
    parameters: dict[str, int]
    """Trainable scalars of each model."""
    planning_steps: np.ndarray
    """(s,) int. Value-iteration steps the planner runs at each test side."""
    example_levels: dict[int, Levels] = field(repr=False)
    """One example test maze per side (a batch of one)."""
    example_paths: dict[str, list[list[np.ndarray]]] = field(repr=False)
    """``{model: paths[d][s]}``: (T + 1, 2) cells the agent walks in the example maze."""
    train_seconds: float = 0.0
    """Wall-clock seconds of all the runs."""

    def summary(self) -> dict:
        """The figures the command line prints."""
        out = {}
        sizes = self.config.test_sizes
        large = len(sizes) - 1
        for i, n in enumerate(self.config.train_levels):
            for model in MODELS:
                out[f"{model}_train_success_n{n}"] = round(float(self.train_success[model][i]), 4)
                out[f"{model}_success_size{sizes[large]}_n{n}"] = round(
                    float(self.test_success[model][i, large]), 4
                )
                if self.config.train_size in sizes and self.config.train_size != sizes[large]:
                    same = sizes.index(self.config.train_size)
                    out[f"{model}_success_size{self.config.train_size}_n{n}"] = round(
                        float(self.test_success[model][i, same]), 4
                    )
        for model in MODELS:
            out[f"{model}_worst_test_success"] = round(float(self.test_success[model].min()), 4)
            out[f"{model}_parameters"] = self.parameters[model]
        out["train_seconds"] = round(self.train_seconds, 3)
        return out


@register(
    "task-diversity",
    TaskDiversityConfig,
    "Planner against reactive CNN as the number of distinct training mazes and test size grow.",
)
def run_task_diversity(config: TaskDiversityConfig, progress: bool = False) -> TaskDiversityResult:
    """Run ``planner-vs-reactive`` at each diversity and score both models at each test size.

    Args:
        config: TaskDiversityConfig.
        progress: show a progress bar over the diversities.

    Returns:
        TaskDiversityResult.
    """
    if not isinstance(config, TaskDiversityConfig):
        raise ValueError(f"config must be a TaskDiversityConfig, got {type(config).__name__}")
    began = time.perf_counter()
    sizes = config.test_sizes
    base = config.base(config.train_levels[0])
    steps = [planning_steps_for(base, size) for size in sizes]
    examples = {size: fresh_levels(base, size).subset(config.example) for size in sizes}
    train_success = {model: [] for model in MODELS}
    test_success = {model: [] for model in MODELS}
    paths = {model: [] for model in MODELS}
    parameters = {}
    for n in tqdm(config.train_levels, desc="task diversity", disable=not progress):
        pair = train_pair(replace(base, train_levels=n))
        models = pair.models
        parameters = {name: parameter_count(model) for name, model in models.items()}
        by_size = success_by_size(pair, list(sizes))
        for model in MODELS:
            train_success[model].append(
                rollouts.success_rate(models[model], pair.train_levels, base.planning_steps)
            )
            test_success[model].append(by_size[model])
            row = []
            for size, k in zip(sizes, steps, strict=True):
                with torch.no_grad():
                    logits = models[model].policy(examples[size], k)
                row.append(rollouts.rollout(examples[size], logits).paths[0])
            paths[model].append(row)
    return TaskDiversityResult(
        config=config,
        train_success={m: np.array(v) for m, v in train_success.items()},
        test_success={m: np.array(v) for m, v in test_success.items()},
        parameters=parameters,
        planning_steps=np.array(steps),
        example_levels=examples,
        example_paths=paths,
        train_seconds=time.perf_counter() - began,
    )
