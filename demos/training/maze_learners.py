"""Training the book's two maze models by imitation, in one call each.

Chapter 5's experiments (robustness, interpretability, verification and goal ambiguity) each need
a trained planner (:class:`demos.agents.planners.Planner`: learned reward head, hard-coded value
iteration) or a trained reactive network (:class:`demos.agents.reactive.ReactivePolicy`: a CNN
with no planning loop), trained the way the earlier chapters train them: Adam on imitation of the
shortest-path expert (:func:`demos.training.base_optimizers.imitate`). This module builds and
trains either, or both on the same levels (:func:`train_both`), so experiments (which may not
import one another) do not each repeat the recipe.

Each model draws its randomness from its own torch generator, made by
:func:`demos.core.runtime.seed_stream` from the
experiment's seed and a tag, so adding or removing one model does not change another.
"""

from __future__ import annotations

import torch

from demos.agents.planners import Planner
from demos.agents.reactive import ReactivePolicy
from demos.core.validation import check_int
from demos.training.base_optimizers import TrainingHistory, imitate
from demos.worlds.mazes import Levels


def train_planner(
    levels: Levels,
    generator: torch.Generator,
    steps: int = 150,
    learning_rate: float = 0.1,
    planning_steps: int = 14,
    batch_size: int | None = 64,
    progress: bool = False,
) -> tuple[Planner, TrainingHistory]:
    """A planner with a linear reward head, trained by imitation of the exit expert on ``levels``.

    Args:
        levels: the training levels.
        generator: torch.Generator for the initial weights and the mini-batches.
        steps: int >= 1. Adam steps.
        learning_rate: float in (0, 10]. Adam's step size.
        planning_steps: int >= 1. Value-iteration steps K.
        batch_size: levels per step (None: all of them); capped at the number of levels.
        progress: show a progress bar.

    Returns:
        ``(planner, history)``.
    """
    model = Planner(variant="hard-coded", steps=planning_steps, generator=generator)
    if batch_size is not None:
        batch_size = min(check_int("batch_size", batch_size, 1), len(levels))
    history = imitate(
        model,
        levels,
        steps=steps,
        learning_rate=learning_rate,
        batch_size=batch_size,
        generator=generator,
        progress=progress,
    )
    return model, history


def train_reactive(
    levels: Levels,
    generator: torch.Generator,
    steps: int = 150,
    learning_rate: float = 0.01,
    width: int = 16,
    depth: int = 6,
    batch_size: int | None = 64,
    progress: bool = False,
) -> tuple[ReactivePolicy, TrainingHistory]:
    """A reactive CNN trained by imitation of the exit expert on ``levels``.

    Args:
        levels: the training levels.
        generator: torch.Generator for the initial weights and the mini-batches.
        steps: int >= 1. Adam steps.
        learning_rate: float in (0, 10]. Adam's step size.
        width: int >= 1. Channels of the hidden layers.
        depth: int >= 1. 3x3 convolutions (the receptive-field radius).
        batch_size: levels per step (None: all of them); capped at the number of levels.
        progress: show a progress bar.

    Returns:
        ``(network, history)``.
    """
    model = ReactivePolicy(width=width, depth=depth, generator=generator)
    if batch_size is not None:
        batch_size = min(check_int("batch_size", batch_size, 1), len(levels))
    history = imitate(
        model,
        levels,
        steps=steps,
        learning_rate=learning_rate,
        batch_size=batch_size,
        generator=generator,
        progress=progress,
    )
    return model, history


def train_both(
    levels: Levels,
    settings,
    planner_generator: torch.Generator,
    reactive_generator: torch.Generator,
    batch_size: int | None = 64,
    progress: bool = False,
) -> tuple[dict[str, torch.nn.Module], dict[str, TrainingHistory]]:
    """The planner and the reactive network, trained on the same ``levels``, each from its own
    generator, for the experiments that pit one against the other.

    Args:
        levels: the training levels.
        settings: a config with the fields ``train_steps``, ``planner_learning_rate``,
            ``planning_steps``, ``reactive_learning_rate``, ``reactive_width`` and
            ``reactive_depth`` (those of the chapter 2 and chapter 5 comparisons).
        planner_generator, reactive_generator: torch.Generators of the two models.
        batch_size: levels per step (None: all of them); capped at the number of levels.
        progress: show a progress bar over each model's training.

    Returns:
        ``(models, histories)``: dicts keyed by ``"planner"`` and ``"reactive"``.
    """
    planner, planner_history = train_planner(
        levels,
        planner_generator,
        steps=settings.train_steps,
        learning_rate=settings.planner_learning_rate,
        planning_steps=settings.planning_steps,
        batch_size=batch_size,
        progress=progress,
    )
    reactive, reactive_history = train_reactive(
        levels,
        reactive_generator,
        steps=settings.train_steps,
        learning_rate=settings.reactive_learning_rate,
        width=settings.reactive_width,
        depth=settings.reactive_depth,
        batch_size=batch_size,
        progress=progress,
    )
    models = {"planner": planner, "reactive": reactive}
    return models, {"planner": planner_history, "reactive": reactive_history}
