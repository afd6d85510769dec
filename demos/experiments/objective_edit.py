"""Experiment ``objective-edit``: fixing a proxy-seeker by editing its objective, and a wrong edit.

Used by chapter 3 (the paper's section 3.3, on using knowledge of a model's internals). The book's
planner keeps its mesa-objective in one readable place, a linear reward head with one weight per
feature, so it can be edited as well as read. A proxy-seeking planner (trained with q = 0, the
marker always on the exit, in the chapter's settings) is copied twice
(:func:`demos.analysis.objectives.edit_objective`): once with the marker's weight set to zero (the
right edit: the weight that means "marker") and once with the exit's weight set to zero (an edit
aimed at the wrong weight). Each copy is walked through the same test levels, where marker and exit
are apart.

What comes out: where each version's agents settle, and what each version's objective pays for
the exit and the marker. The right edit turns the proxy-seeker into an exit-seeker without any
training; the wrong one leaves its behaviour as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demos.analysis.objectives import ObjectiveReading, edit_objective, read_objective_for
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register
from demos.training import rollouts
from demos.training.proxy_training import ProxyRun, chapter_config, trained

VERSIONS = ("trained", "marker weight zeroed", "exit weight zeroed")
"""The planner as trained, the right edit, and an edit of the wrong weight."""


@dataclass(frozen=True)
class ObjectiveEditConfig(Config):
    """Settings of the ``objective-edit`` experiment (the trained planner's, in the chapter's
    settings)."""

    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """Share q of training levels whose marker is not on the exit (0: a proxy-seeker)."""
    train_levels: int = ranged(128, 1, 100_000)
    """Training levels."""
    test_levels: int = ranged(500, 1, 100_000)
    """Test levels, marker and exit apart in each."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels and initial weights."""


@dataclass
class ObjectiveEditResult:
    """Where each version of the planner settles, and what its objective pays."""

    config: ObjectiveEditConfig
    """The settings."""
    test_rates: dict[str, dict[str, float]]
    """``{version: {"exit": , "proxy": , "neither": }}`` on the test levels (:data:`VERSIONS`)."""
    readings: dict[str, ObjectiveReading]
    """``{version: reading}`` of each version's reward head."""
    run: ProxyRun = field(repr=False)
    """The trained run (its model is not changed by the edits)."""

    def summary(self) -> dict:
        """Test settle rates and effective rewards per version."""
        figures: dict = {}
        for version in VERSIONS:
            tag = version.split()[0]
            figures[f"{tag}_test_exit_rate"] = round(self.test_rates[version]["exit"], 4)
            figures[f"{tag}_test_proxy_rate"] = round(self.test_rates[version]["proxy"], 4)
            figures[f"{tag}_exit_value"] = round(self.readings[version].exit_value, 4)
            figures[f"{tag}_marker_value"] = round(self.readings[version].marker_value, 4)
        return figures


@register(
    "objective-edit",
    ObjectiveEditConfig,
    "Zero a proxy-seeker's marker weight (or, wrongly, its exit weight) and test each copy.",
)
def run_objective_edit(config: ObjectiveEditConfig, progress: bool = False) -> ObjectiveEditResult:
    """Train (or reuse) the planner, edit two copies, and walk all three through the test levels.

    Args:
        config: ObjectiveEditConfig.
        progress: accepted for the command line; the run takes about a second.

    Returns:
        ObjectiveEditResult.
    """
    if not isinstance(config, ObjectiveEditConfig):
        raise ValueError(f"config must be an ObjectiveEditConfig, got {type(config).__name__}")
    run = trained(
        chapter_config(
            decorrelated_fraction=config.decorrelated_fraction,
            train_levels=config.train_levels,
            test_levels=config.test_levels,
            train_steps=config.train_steps,
            seed=config.seed,
        )
    )
    models = {
        "trained": run.model,
        "marker weight zeroed": edit_objective(run.model, "marker", 0.0),
        "exit weight zeroed": edit_objective(run.model, "exit", 0.0),
    }
    levels = run.test_levels
    return ObjectiveEditResult(
        config=config,
        test_rates={
            version: rollouts.greedy_rollout(model, levels).settle_rates()
            for version, model in models.items()
        },
        readings={
            version: read_objective_for(model, levels.config) for version, model in models.items()
        },
        run=run,
    )
