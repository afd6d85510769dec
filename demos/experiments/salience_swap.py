"""Experiment ``salience-swap``: the brighter feature becomes the objective when training cannot
tell exit from marker.

Used by chapters 1 and 3 (the paper's sections 1.3 and 3.2). Two planners are trained exactly as
in the ``proxy-shift`` experiment, on the same levels with the same seed, where the marker (the
proxy) always sits on the exit (q = 0 by default): one with the marker drawn brighter than the exit
(the book's usual setting) and one with the two brightnesses swapped. Nothing about the task
changes between the two runs: the base objective is the exit in both, and in training "go to the
exit" and "go to the marker" are the same behaviour. What changes is which feature is the cheaper
route to reward on the shared cell, and the learned objective follows it.

What comes out, for each order of brightness: where test agents settle (exit or marker, on levels
where the two are apart), where the reward map peaks, and what the mesa-objective pays for each
feature (:func:`demos.analysis.objectives.read_objective_for`).

The runs go through :func:`demos.training.proxy_training.trained`, so a chapter that already
trained the usual-brightness planner (after ``share_runs()``) does not train it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demos.analysis import metrics
from demos.analysis.objectives import ObjectiveReading, read_objective_for
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register
from demos.training.proxy_training import ProxyRun, ProxyShiftConfig, trained

ORDERS = ("marker brighter", "exit brighter")
"""The two runs: the book's usual brightnesses, and the same with exit and marker swapped."""


@dataclass(frozen=True)
class SalienceSwapConfig(Config):
    """Settings of the ``salience-swap`` experiment."""

    decorrelated_fraction: float = ranged(0.0, 0.0, 1.0)
    """Share q of training levels whose marker is not on the exit (0: never, so training cannot
    tell the two features apart)."""
    bright: float = ranged(1.0, 0.0, 1.0, above=True)
    """Brightness of the brighter feature (the marker in the usual run, the exit when swapped)."""
    faint: float = ranged(0.3, 0.0, 1.0, above=True)
    """Brightness of the fainter feature."""
    train_levels: int = ranged(128, 1, 100_000)
    """Training levels per run."""
    test_levels: int = ranged(500, 1, 100_000)
    """Test levels per run; the marker is at least three steps from the exit in each."""
    train_steps: int = ranged(150, 1, 100_000)
    """Adam steps of imitation per run."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Seed for levels and initial weights, the same for both runs."""

    def run_config(self, order: str) -> ProxyShiftConfig:
        """The ``proxy-shift`` settings of one run: ``order`` is one of :data:`ORDERS`."""
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
        exit_salience, marker_salience = (
            (self.faint, self.bright) if order == ORDERS[0] else (self.bright, self.faint)
        )
        return ProxyShiftConfig(
            decorrelated_fraction=self.decorrelated_fraction,
            exit_salience=exit_salience,
            marker_salience=marker_salience,
            train_levels=self.train_levels,
            test_levels=self.test_levels,
            train_steps=self.train_steps,
            eval_every=0,
            seed=self.seed,
        )


@dataclass
class SalienceSwapResult:
    """Both runs, and what each learned."""

    config: SalienceSwapConfig
    """The settings of the experiment."""
    test_rates: dict[str, dict[str, float]]
    """``{order: {"exit": , "proxy": , "neither": }}``: where test agents settle."""
    peak_rates: dict[str, dict[str, float]]
    """``{order: rates}``: where the reward map peaks on the test levels, same keys."""
    readings: dict[str, ObjectiveReading]
    """``{order: reading}``: what each mesa-objective pays for floor, exit and marker."""
    train_success: dict[str, float]
    """``{order: share}`` of training levels whose greedy agent reaches the exit."""
    runs: dict[str, ProxyRun] = field(repr=False)
    """The two trained runs, with their models and levels."""

    def summary(self) -> dict:
        """The figures the command line prints, by run (``marker_brighter_...``,
        ``exit_brighter_...``)."""
        figures: dict = {}
        for order in ORDERS:
            tag = order.replace(" ", "_")
            figures[f"{tag}_train_success"] = round(self.train_success[order], 4)
            figures[f"{tag}_test_exit_rate"] = round(self.test_rates[order]["exit"], 4)
            figures[f"{tag}_test_proxy_rate"] = round(self.test_rates[order]["proxy"], 4)
            figures[f"{tag}_peak_on_exit"] = round(self.peak_rates[order]["exit"], 4)
            figures[f"{tag}_exit_value"] = round(self.readings[order].exit_value, 4)
            figures[f"{tag}_marker_value"] = round(self.readings[order].marker_value, 4)
        return figures


@register(
    "salience-swap",
    SalienceSwapConfig,
    "Train with the marker brighter, then with the exit brighter: the brighter feature wins.",
)
def run_salience_swap(config: SalienceSwapConfig, progress: bool = False) -> SalienceSwapResult:
    """Train both runs and read what each planner learned.

    Args:
        config: SalienceSwapConfig.
        progress: accepted for the command line; each run takes about a second.

    Returns:
        SalienceSwapResult.
    """
    if not isinstance(config, SalienceSwapConfig):
        raise ValueError(f"config must be a SalienceSwapConfig, got {type(config).__name__}")
    runs = {order: trained(config.run_config(order)) for order in ORDERS}
    return SalienceSwapResult(
        config=config,
        test_rates={order: dict(run.test_rates) for order, run in runs.items()},
        peak_rates={
            order: metrics.peak_rates(run.test_levels, run.model.mesa_objective(run.test_levels))
            for order, run in runs.items()
        },
        readings={
            order: read_objective_for(run.model, run.test_levels.config)
            for order, run in runs.items()
        },
        train_success={order: run.train_success for order, run in runs.items()},
        runs=runs,
    )
