"""Experiment ``goal-ambiguity``: many objectives fit training behaviour; chosen mazes split them.

Chapter 5 (the paper's section 5, unidentifiability and goal ambiguity). Two planners are trained
by imitation of the exit expert, one where the marker always sits on the exit (q = 0; it learns to
follow the marker) and one with a few decorrelated levels (q = 0.05; it learns the exit). An
observer who sees only their paths weighs a family of candidate objectives, "reward 1 - lambda on
the exit and lambda on the marker" (:mod:`demos.analysis.goal_ambiguity`), with a Boltzmann-rational
model of the agent, and watches them on mazes chosen three ways: from the training distribution,
at random with the marker elsewhere, or chosen to split the candidates still in play.

What comes out, for each agent and each way of choosing: the belief over lambda after each maze,
its entropy, and its most probable candidate; for reference, the lambda that the agent's own reward
head implies (read off the model, which the observer never sees): its effective reward on the
marker over the sum of its effective rewards on the exit and the marker. On training-like mazes
the belief never moves from the uniform prior: every candidate is the same objective there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.agents.planners import Planner
from demos.analysis.goal_ambiguity import (
    STRATEGIES,
    Observation,
    candidate_log_likelihood,
    observe,
    predicted_outcomes,
)
from demos.analysis.objectives import read_objective_for
from demos.core.config import MAX_SEED, Config, ranged
from demos.core.runtime import seed_stream, seeded
from demos.experiments import register
from demos.training import rollouts
from demos.training.maze_learners import train_planner
from demos.worlds.mazes import LevelConfig, Levels, generate_levels, shifted

_POOL_STREAM, _ORDER_STREAM = 1, 2
"""Tags of the seed streams of the observation pools and of the random orders."""


@dataclass(frozen=True)
class GoalAmbiguityConfig(Config):
    """Settings of the ``goal-ambiguity`` experiment."""

    decorrelated_fractions: tuple[float, ...] = ranged((0.0, 0.05), 0.0, 1.0, increasing=True)
    """Share q of training levels whose marker is away from the exit, one agent per q."""
    lambda_low: float = ranged(-0.5, -5.0, 0.0)
    """Smallest candidate lambda (negative: the marker is avoided)."""
    lambda_high: float = ranged(1.5, 1.0, 6.0)
    """Largest candidate lambda (above 1: the exit is avoided)."""
    candidates: int = ranged(21, 3, 201)
    """Candidates, evenly spaced from lambda_low to lambda_high."""
    pool_levels: int = ranged(200, 2, 10_000)
    """Mazes in each observation pool."""
    rounds: int = ranged(12, 1, 10_000)
    """Mazes the observer watches (at most pool_levels)."""
    train_levels: int = ranged(256, 1, 100_000)
    """Training levels per agent."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation per agent."""
    learning_rate: float = ranged(0.1, 0.0, 10.0, above=True)
    """Adam's step size."""
    planning_steps: int = ranged(14, 1, 1000)
    """Value-iteration steps K of the agents and of the observer's predictions."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels, weights, mini-batches and the random orders."""

    def validate(self) -> None:
        if self.rounds > self.pool_levels:
            raise ValueError(
                f"rounds must be at most pool_levels = {self.pool_levels}, got {self.rounds}"
            )

    @property
    def lambdas(self) -> np.ndarray:
        """(candidates,) float: the candidate objectives' lambda."""
        return np.linspace(self.lambda_low, self.lambda_high, self.candidates)

    def level_config(self, q: float = 0.0) -> LevelConfig:
        """7 x 7 levels with decorrelated fraction ``q`` and the default saliences."""
        return LevelConfig(decorrelated_fraction=q)


def agent_name(q: float) -> str:
    """The name of the agent trained with decorrelated fraction ``q``, e.g. ``"trained at q=0"``."""
    return f"trained at q={q:g}"


@dataclass
class GoalAmbiguityResult:
    """What ``run_goal_ambiguity`` measured, plus the agents and the pools."""

    config: GoalAmbiguityConfig
    """The settings of the run."""
    observations: dict[tuple[str, str], Observation] = field(repr=False)
    """``(agent, strategy) -> Observation``."""
    read_lambda: dict[str, float]
    """Per agent: the lambda implied by its reward head (marker value / (exit + marker value))."""
    flat_gap: float
    """Largest difference, over the training-like pool and both agents, between the best and the
    worst candidate's log-likelihood of a path: 0 up to floating-point rounding, since every
    candidate is the same reward map there."""
    pools: dict[str, Levels] = field(repr=False)
    """``{"training-like": , "apart": }``: the observation pools (random and chosen share one)."""
    paths: dict[tuple[str, str], np.ndarray] = field(repr=False)
    """``(agent, pool) -> (n, T + 1, 2)``: each agent's greedy paths in each pool."""
    agents: dict[str, Planner] = field(repr=False)
    """The trained planners."""

    @property
    def agent_names(self) -> list[str]:
        """The agents, in training order."""
        return list(self.agents)

    def summary(self) -> dict:
        """The figures the command line prints: per agent, the read lambda, and per strategy the
        belief's entropy and most probable lambda after the last round, and how many rounds it
        took to put half the belief within 0.15 of the read lambda (None if never)."""
        out = {"flat_gap": float(f"{self.flat_gap:.3g}")}
        for i, agent in enumerate(self.agents):
            key = f"agent{i}"
            out[f"{key}_q"] = self.config.decorrelated_fractions[i]
            out[f"{key}_read_lambda"] = round(self.read_lambda[agent], 4)
            for strategy in STRATEGIES:
                seen = self.observations[(agent, strategy)]
                name = f"{key}_{strategy.replace('-', '_')}"
                out[f"{name}_entropy_bits"] = round(float(seen.entropy()[-1]), 4)
                estimate = float(seen.map_estimate()[-1])
                out[f"{name}_map_lambda"] = None if np.isnan(estimate) else round(estimate, 4)
                near = np.flatnonzero(seen.mass_near(self.read_lambda[agent]) >= 0.5)
                out[f"{name}_rounds_to_half_mass"] = int(near[0]) if len(near) else None
        return out


@register(
    "goal-ambiguity",
    GoalAmbiguityConfig,
    "Infer which blend of exit and marker two trained planners pursue from their paths, on "
    "training-like, random or chosen mazes.",
)
def run_goal_ambiguity(config: GoalAmbiguityConfig, progress: bool = False) -> GoalAmbiguityResult:
    """Train the agents, record their paths in both pools, and run the three observers.

    Args:
        config: GoalAmbiguityConfig.
        progress: show progress bars over each agent's training steps.

    Returns:
        GoalAmbiguityResult.
    """
    if not isinstance(config, GoalAmbiguityConfig):
        raise ValueError(f"config must be a GoalAmbiguityConfig, got {type(config).__name__}")
    seeds = seeded(config.seed)
    lambdas = config.lambdas
    pool_rng = np.random.default_rng((config.seed, _POOL_STREAM))
    pools = {
        "training-like": generate_levels(config.level_config(0.0), config.pool_levels, pool_rng),
        "apart": generate_levels(
            shifted(config.level_config(0.0), decorrelated_fraction=1.0),
            config.pool_levels,
            pool_rng,
        ),
    }
    outcomes = {
        name: predicted_outcomes(pool, lambdas, config.planning_steps)
        for name, pool in pools.items()
    }
    agents: dict[str, Planner] = {}
    read, paths, scores = {}, {}, {}
    for i, q in enumerate(config.decorrelated_fractions):
        train = generate_levels(
            config.level_config(q), config.train_levels, seeds.numpy, exact_fraction=True
        )
        model, _ = train_planner(
            train,
            seed_stream(config.seed, 3 + i),
            steps=config.train_steps,
            learning_rate=config.learning_rate,
            planning_steps=config.planning_steps,
            progress=progress,
        )
        name = agent_name(q)
        agents[name] = model
        reading = read_objective_for(model, config.level_config(q))
        read[name] = reading.marker_value / (reading.exit_value + reading.marker_value)
        for pool_name, pool in pools.items():
            with torch.no_grad():
                walk = rollouts.rollout(pool, model.policy(pool))
            paths[(name, pool_name)] = walk.paths
            scores[(name, pool_name)] = candidate_log_likelihood(pool, walk.paths, lambdas)
    observations = {}
    flat_gap = 0.0
    for name in agents:
        training_like = scores[(name, "training-like")]
        flat_gap = max(flat_gap, float((training_like.max(1) - training_like.min(1)).max()))
        for strategy in STRATEGIES:
            pool = "training-like" if strategy == "training-like" else "apart"
            seen = observe(
                scores[(name, pool)],
                outcomes[pool],
                strategy,
                config.rounds,
                np.random.default_rng((config.seed, _ORDER_STREAM)),
            )
            seen.lambdas = lambdas
            observations[(name, strategy)] = seen
    return GoalAmbiguityResult(
        config=config,
        observations=observations,
        read_lambda=read,
        flat_gap=flat_gap,
        pools=pools,
        paths=paths,
        agents=agents,
    )
