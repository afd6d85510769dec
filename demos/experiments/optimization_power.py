"""Experiment ``optimization-power``: the paper's toy model of how much search a base optimizer
builds in, over a grid of budgets, task counts and cost functions.

Used by chapter 2 (the paper's section 2.1, "better generalization through search"). The model
itself, ``power(x) = (P - f(x)) / N + x`` and its closed-form optimum, lives in
:mod:`demos.analysis.optimization_power`; this experiment evaluates it on the grid the chapter's
figure and prose use, so every number the chapter quotes (each optimum x*, the budget's ceiling
x_max, the share of each task's power that comes from search) and every curve it draws comes from
one result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demos.analysis import optimization_power as toy
from demos.core.config import Config, ranged
from demos.experiments import register

CURVE_POINTS = 200
"""Points on each drawn curve of power against x."""

TASK_AXIS = np.geomspace(1, 1000, 120)
"""Task counts N at which the curve of x* against N is evaluated (log-spaced, 1 to 1000)."""


@dataclass(frozen=True)
class OptimizationPowerConfig(Config):
    """Settings of the ``optimization-power`` experiment (no randomness: the model is closed
    form)."""

    budgets: tuple[float, ...] = ranged((20.0, 100.0, 500.0), 0.0, 1e9, above=True, increasing=True)
    """Total optimization power P of the base optimizer, one grid value each."""
    tasks: tuple[float, ...] = ranged((1, 3, 10, 30, 100, 300), 1.0, 1e9, increasing=True)
    """Numbers N of distinct task instances."""
    scale: float = ranged(4.0, 0.0, 1e6, above=True)
    """The constant c of every cost function f."""
    seed: int = ranged(0, 0, 0)
    """Unused (the model has no randomness); kept so every experiment takes a seed."""


@dataclass
class OptimizationPowerResult:
    """The toy model on the grid: optima, ceilings, shares and curves."""

    config: OptimizationPowerConfig
    """The settings."""
    optimum: dict[tuple[float, float, str], float] = field(repr=False)
    """``{(P, N, kind): x*}``: the search power the base optimizer should build in."""
    share: dict[tuple[float, float, str], float] = field(repr=False)
    """``{(P, N, kind): share}`` of each task's optimization power that comes from search."""
    ceiling: dict[tuple[float, str], float] = field(repr=False)
    """``{(P, kind): x_max}``: the most search the budget can buy."""
    threshold: dict[str, float] = field(repr=False)
    """``{kind: N}`` above which any search pays (``f'(0)``)."""
    curves: dict[tuple[float, float, str], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    """``{(P, N, kind): (x, power(x))}``, :data:`CURVE_POINTS` points from 0 to x_max."""
    optimum_by_tasks: dict[tuple[float, str], np.ndarray] = field(repr=False)
    """``{(P, kind): x*}`` at every N of :attr:`task_axis`."""
    task_axis: np.ndarray = field(default_factory=lambda: TASK_AXIS.copy(), repr=False)
    """(k,) float: the task counts of :attr:`optimum_by_tasks` (:data:`TASK_AXIS`)."""

    def budget_runs_out(self, budget: float, kind: str) -> float:
        """The smallest grid N at which x* reaches x_max (NaN if none does)."""
        for tasks in self.config.tasks:
            if self.optimum[(budget, tasks, kind)] >= self.ceiling[(budget, kind)] - 1e-12:
                return float(tasks)
        return float("nan")

    def exhausting_tasks(self, budget: float, kind: str) -> float:
        """The N from which the base optimizer spends its whole budget on search
        (:func:`demos.analysis.optimization_power.exhausting_tasks`)."""
        return toy.exhausting_tasks(budget, kind, self.config.scale)

    def summary(self) -> dict:
        """x* and the share from search for every grid point, and each ceiling, by name
        ``{kind}_P{P}_N{N}_optimum``, ``..._share`` and ``{kind}_P{P}_ceiling``."""
        figures: dict = {}
        for (budget, tasks, kind), best in self.optimum.items():
            tag = f"{kind}_P{budget:g}_N{tasks:g}"
            figures[f"{tag}_optimum"] = round(best, 4)
            figures[f"{tag}_share"] = round(self.share[(budget, tasks, kind)], 4)
        for (budget, kind), cap in self.ceiling.items():
            figures[f"{kind}_P{budget:g}_ceiling"] = round(cap, 4)
        return figures


@register(
    "optimization-power",
    OptimizationPowerConfig,
    "The paper's toy model: how much search a base optimizer builds in, as task instances grow.",
)
def run_optimization_power(
    config: OptimizationPowerConfig, progress: bool = False
) -> OptimizationPowerResult:
    """Evaluate the toy model on the grid of ``config``.

    Args:
        config: OptimizationPowerConfig.
        progress: accepted for the command line; the run takes milliseconds.

    Returns:
        OptimizationPowerResult.
    """
    if not isinstance(config, OptimizationPowerConfig):
        raise ValueError(f"config must be an OptimizationPowerConfig, got {type(config).__name__}")
    scale = config.scale
    optimum, share, ceiling, curves, by_tasks = {}, {}, {}, {}, {}
    for kind in toy.COSTS:
        for budget in config.budgets:
            cap = toy.max_mesa_power(budget, kind, scale)
            ceiling[(budget, kind)] = cap
            by_tasks[(budget, kind)] = np.array(
                [toy.optimal_mesa_power(budget, n, kind, scale) for n in TASK_AXIS]
            )
            xs = np.linspace(0.0, cap, CURVE_POINTS)
            for tasks in config.tasks:
                key = (budget, float(tasks), kind)
                optimum[key] = toy.optimal_mesa_power(budget, tasks, kind, scale)
                share[key] = toy.mesa_share(budget, tasks, kind, scale)
                curves[key] = (xs, toy.power_per_task(xs, budget, tasks, kind, scale))
    return OptimizationPowerResult(
        config=config,
        optimum=optimum,
        share=share,
        ceiling=ceiling,
        threshold={kind: toy.threshold_tasks(kind, scale) for kind in toy.COSTS},
        curves=curves,
        optimum_by_tasks=by_tasks,
    )
