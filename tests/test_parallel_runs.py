"""Training runs spread over worker processes equal the same runs trained one after another."""

from __future__ import annotations

import pytest
import torch

from demos.core import runtime
from demos.training import proxy_training
from demos.training.proxy_training import chapter_config, train_on_proxy_levels, trained_many


def _square(x: int) -> int:
    return x * x


def test_map_in_processes_keeps_order_and_counts_progress():
    ticks = []
    results = runtime.map_in_processes(
        _square, list(range(7)), workers=2, progress=lambda: ticks.append(1)
    )
    assert results == [x * x for x in range(7)] and len(ticks) == 7


def _negate(x: int) -> int:
    return -x


def test_call_in_processes_runs_different_functions_in_order():
    calls = [(_square, 3), (_negate, 4), (_square, 5)]
    assert runtime.call_in_processes(calls, workers=2) == [9, -4, 25]
    with pytest.raises(ValueError, match="calls must hold \\(function, argument\\) pairs"):
        runtime.call_in_processes([(_square, 3), 4])


def test_worker_count_reads_the_environment(monkeypatch):
    monkeypatch.setenv(runtime.WORKERS_ENV, "3")
    assert runtime.worker_count() == 3
    monkeypatch.setenv(runtime.WORKERS_ENV, "none")
    with pytest.raises(ValueError, match="DEMOS_WORKERS must be an integer >= 1, got 'none'"):
        runtime.worker_count()


def test_runs_trained_in_two_processes_equal_serial_runs(monkeypatch):
    configs = [
        chapter_config(decorrelated_fraction=q, seed=seed, train_levels=16, test_levels=20,
                       train_steps=10)
        for q in (0.0, 0.05) for seed in (0, 1)
    ]  # fmt: skip
    monkeypatch.setenv(runtime.WORKERS_ENV, "2")
    parallel = trained_many(configs)
    for config, run in zip(configs, parallel, strict=True):
        alone = train_on_proxy_levels(config)
        assert run.config == config
        for ours, theirs in zip(run.model.parameters(), alone.model.parameters(), strict=True):
            assert torch.equal(ours, theirs)


def test_shared_runs_are_reused(monkeypatch):
    monkeypatch.setenv(runtime.WORKERS_ENV, "1")
    config = chapter_config(train_levels=16, test_levels=20, train_steps=5, seed=7)
    proxy_training.share_runs(True)
    try:
        first = trained_many([config, config])
        again = proxy_training.trained(config)
    finally:
        proxy_training.share_runs(False)
        proxy_training._REMEMBERED.pop(config, None)
    assert first[0] is first[1] is again
