"""Adversarial training: search for the levels where a model fails, then train on them.

A remedy from the paper's section 3.3, in the book's maze world, used by chapter 3. An adversary
(:func:`find_failures`) searches a broad family of levels for ones where the current model fails
the base objective (does not reach the exit), and the failures join the training set; the base
optimizer then trains on the enlarged set (:func:`adversarial_training`). A proxy that the old
training set could not tell apart from the base objective now costs loss, so the base optimizer
moves away from it. It only works as far as the adversary can find the failures. (Selection on
internals, the other remedy the chapter tries, reads the objective and so lives in
:mod:`demos.analysis.objectives`.)

Every function takes its randomness from a passed ``numpy.random.Generator`` (levels) and
``torch.Generator`` (training), so runs repeat exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from demos.agents.planners import Planner
from demos.core.validation import check_float, check_int
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import LevelConfig, Levels, generate_levels


def find_failures(
    model: Planner,
    search: LevelConfig,
    pool: int,
    limit: int,
    rng: np.random.Generator,
) -> tuple[Levels | None, int]:
    """The adversary: draw ``pool`` candidate levels of ``search`` and keep those the model fails.

    A failure is a level on which the model's greedy agent never stands on the exit within the
    default horizon (the base objective is missed, whatever else the agent does).

    Args:
        model: the planner under attack (not changed).
        search: the family of levels the adversary searches (e.g. markers away from the exit in
            half of them).
        pool: int >= 1. Candidates examined.
        limit: int >= 1. Most failures returned (the first ones found).
        rng: numpy Generator for the candidates.

    Returns:
        ``(failures, found)``: the first ``limit`` failing levels (None if there are none) and how
        many of the ``pool`` candidates failed in all.
    """
    if not isinstance(model, Planner):
        raise ValueError(f"model must be a Planner, got {type(model).__name__}")
    if not isinstance(search, LevelConfig):
        raise ValueError(f"search must be a LevelConfig, got {type(search).__name__}")
    pool = check_int("pool", pool, 1, 1_000_000)
    limit = check_int("limit", limit, 1, 1_000_000)
    candidates = generate_levels(search, pool, rng)
    with torch.no_grad():
        walk = rollouts.rollout(candidates, model.policy(candidates))
    failed = np.flatnonzero(~walk.reached_exit)
    if len(failed) == 0:
        return None, 0
    return candidates.subset(failed[:limit]), int(len(failed))


def concatenate(first: Levels, second: Levels) -> Levels:
    """One batch holding the levels of ``first`` then ``second`` (same size; ``first``'s config)."""
    if not isinstance(first, Levels) or not isinstance(second, Levels):
        raise ValueError("first and second must both be Levels")
    if first.size != second.size:
        raise ValueError(f"second must have size {first.size} like first, got {second.size}")
    return Levels(
        walls=np.concatenate([first.walls, second.walls]),
        start=np.concatenate([first.start, second.start]),
        exit=np.concatenate([first.exit, second.exit]),
        marker=np.concatenate([first.marker, second.marker]),
        config=first.config,
    )


@dataclass
class AdversarialRound:
    """The model after one round of adversarial training (round 0: before any)."""

    round: int
    """0 for the model before adversarial training, then 1, 2, ..."""
    found: int
    """Candidates the adversary found failing in this round (0 for round 0)."""
    added: int
    """Levels added to the training set so far."""
    train_size: int
    """Training levels after this round."""
    test_rates: dict[str, float]
    """Where the greedy agent settles on the held-out test levels."""
    reading: Any = None
    """What ``read(model)`` returned after this round (None without ``read``): chapter 3 passes
    :func:`demos.analysis.objectives.read_objective_for`, what the mesa-objective pays."""


def adversarial_training(
    model: Planner,
    train: Levels,
    test: Levels,
    search: LevelConfig,
    rounds: int,
    per_round: int,
    pool: int,
    steps_per_round: int,
    rng: np.random.Generator,
    generator: torch.Generator,
    learning_rate: float = 0.1,
    attack: bool = True,
    progress_callback: Callable[[int], None] | None = None,
    read: Callable[[Planner], Any] | None = None,
) -> list[AdversarialRound]:
    """Alternate an adversary's search for failures with more training on what it found.

    Each round the adversary (:func:`find_failures`) examines ``pool`` fresh levels of ``search``
    and adds up to ``per_round`` failing ones to the training set; the base optimizer
    (:func:`demos.training.base_optimizers.imitate`, the BFS expert of the exit) then trains the
    model for ``steps_per_round`` more steps on the whole set. With ``attack=False`` nothing is
    added: the same amount of extra training on the original levels, as a control.

    Args:
        model: the planner to train further, changed in place.
        train: its original training levels.
        test: held-out levels (marker and exit apart) on which progress is measured.
        search: the family of levels the adversary searches.
        rounds: int >= 1. Search-and-train rounds.
        per_round: int >= 1. Most failures added per round.
        pool: int >= 1. Candidates the adversary examines per round.
        steps_per_round: int >= 1. Imitation steps after each round's search.
        rng: numpy Generator for the adversary's candidates.
        generator: torch Generator for training.
        learning_rate: float in (0, 10]. Adam's step size.
        attack: bool. False for the control (train more, add nothing).
        progress_callback: optional ``callback(round)`` after each round.
        read: optional ``read(model)`` recorded as each round's :attr:`AdversarialRound.reading`.

    Returns:
        One :class:`AdversarialRound` per round, preceded by round 0 (the model as given).
    """
    if not isinstance(model, Planner):
        raise ValueError(f"model must be a Planner, got {type(model).__name__}")
    if not isinstance(train, Levels) or not isinstance(test, Levels):
        raise ValueError("train and test must be Levels")
    rounds = check_int("rounds", rounds, 1, 1000)
    per_round = check_int("per_round", per_round, 1, 100_000)
    steps_per_round = check_int("steps_per_round", steps_per_round, 1, 100_000)
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 10.0)
    history = [_measure(model, 0, 0, 0, train, test, read)]
    added = 0
    for number in range(1, rounds + 1):
        found = 0
        if attack:
            failures, found = find_failures(model, search, pool, per_round, rng)
            if failures is not None:
                train = concatenate(train, failures)
                added += len(failures)
        base_optimizers.imitate(
            model,
            train,
            steps=steps_per_round,
            learning_rate=learning_rate,
            generator=generator,
        )
        history.append(_measure(model, number, found, added, train, test, read))
        if progress_callback is not None:
            progress_callback(number)
    return history


def _measure(model, number, found, added, train, test, read) -> AdversarialRound:
    with torch.no_grad():
        walk = rollouts.rollout(test, model.policy(test))
    return AdversarialRound(
        round=number,
        found=found,
        added=added,
        train_size=len(train),
        test_rates=walk.settle_rates(),
        reading=None if read is None else read(model),
    )
