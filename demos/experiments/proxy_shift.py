"""Experiment ``proxy-shift``: the mesa-objective a planner learns, and how it drifts under shift.

Used by chapters 1 and 3 (the paper's sections 1.3 and 3.1).

A base optimizer trains a :class:`demos.agents.planners.Planner` (hard-coded search, learned reward
head) on levels where the coloured marker (the proxy) sits on the exit (the base objective),
except in a ``decorrelated_fraction`` q of them. On the training distribution "go to the marker"
and "go to the exit" earn the same reward in all but a few levels. The test levels break the
correlation: every marker is at least three steps from its exit.

What comes out: where the trained agent settles at test (exit, marker or neither), where its
reward map (the mesa-objective, read straight off the model) peaks, and how both figures moved
during training. With q = 0 the marker is the easier feature to learn (it shows brighter than the
exit by default) and the planner pursues it: the model is *pseudo-aligned*, perfect on training
levels and heading for the proxy off them. A few decorrelated training levels are enough to move
the mesa-objective onto the exit.

The training itself lives in :mod:`demos.training.proxy_training`, which the chapter-3 sweeps
share; this module adds the reading of the reward map and the command line's summary.
"""

from __future__ import annotations

from dataclasses import dataclass

from demos.analysis import metrics
from demos.experiments import register
from demos.training.proxy_training import (
    BASE_OPTIMIZERS,
    ProxyRun,
    ProxyShiftConfig,
    train_on_proxy_levels,
    trained,
)

__all__ = ["BASE_OPTIMIZERS", "ProxyShiftConfig", "ProxyShiftResult", "run_proxy_shift"]


@dataclass
class ProxyShiftResult(ProxyRun):
    """A :class:`demos.training.proxy_training.ProxyRun` and where its mesa-objective peaks."""

    peak_rates: dict[str, float]
    """Where the mesa-objective (reward map) peaks on the test levels: ``{"exit": , "proxy": ,
    "neither": }``."""

    def hidden_window(self, threshold: float = 0.95, proxy_level: float = 0.5) -> dict:
        """:func:`demos.analysis.metrics.hidden_window` of the run's history (which needs
        ``eval_every > 0``): when a near-perfect training score sat next to a proxy-seeker at
        test."""
        return metrics.hidden_window(self.history, threshold, proxy_level)

    def summary(self) -> dict:
        """The figures the command line prints."""
        return {
            "train_success": round(self.train_success, 4),
            "test_exit_rate": round(self.test_rates["exit"], 4),
            "test_proxy_rate": round(self.test_rates["proxy"], 4),
            "test_neither_rate": round(self.test_rates["neither"], 4),
            "reward_peak_on_proxy": round(self.peak_rates["proxy"], 4),
            "reward_peak_on_exit": round(self.peak_rates["exit"], 4),
            "train_seconds": round(self.train_seconds, 3),
        }


@register(
    "proxy-shift",
    ProxyShiftConfig,
    "Train a planner where a marker (the proxy) usually sits on the exit; test where it does not.",
)
def run_proxy_shift(config: ProxyShiftConfig, progress: bool = False) -> ProxyShiftResult:
    """Train the planner, then measure its behaviour and its mesa-objective off distribution.

    Args:
        config: ProxyShiftConfig.
        progress: show a progress bar over training steps.

    Returns:
        ProxyShiftResult.
    """
    # with a progress bar the run is trained here; otherwise through `trained`, which reuses a run
    # already trained for this configuration while demos.training.proxy_training.share_runs is on
    run = train_on_proxy_levels(config, progress) if progress else trained(config)
    reward_map = run.model.mesa_objective(run.test_levels)
    return ProxyShiftResult(
        **{name: getattr(run, name) for name in ProxyRun.__dataclass_fields__},
        peak_rates=metrics.peak_rates(run.test_levels, reward_map),
    )
