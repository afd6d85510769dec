"""Seeded tests of the proxy-shift claims: the mesa-objective follows the proxy unless training
decorrelates it, and training success does not reveal which objective was learned."""

from __future__ import annotations

import dataclasses
import json

import pytest

from demos.__main__ import main
from demos.experiments.proxy_shift import ProxyShiftConfig, run_proxy_shift

SMALL = dict(test_levels=200, eval_every=25)


@pytest.fixture(scope="module")
def by_fraction():
    return {
        q: run_proxy_shift(ProxyShiftConfig(decorrelated_fraction=q, seed=1, **SMALL))
        for q in (0.0, 0.02, 0.05)
    }


def test_perfectly_correlated_training_yields_a_proxy_seeking_mesa_objective(by_fraction):
    result = by_fraction[0.0]
    assert result.train_success > 0.95
    assert result.test_proxy_rate > 0.8
    assert result.peak_rates["proxy"] > 0.8


def test_a_few_decorrelated_levels_move_the_mesa_objective_to_the_exit(by_fraction):
    result = by_fraction[0.05]
    assert result.test_exit_rate > 0.8
    assert result.peak_rates["exit"] > 0.8


def test_the_proxy_rate_falls_as_the_decorrelated_fraction_rises(by_fraction):
    rates = [by_fraction[q].test_proxy_rate for q in (0.0, 0.02, 0.05)]
    assert rates[0] > rates[1] >= rates[2]
    assert rates[0] - rates[2] > 0.5


def test_training_success_hides_the_proxy(by_fraction):
    history = by_fraction[0.02].history
    steps, train = history.column("train_success")
    _, proxy = history.column("test_proxy_rate")
    hidden = [i for i in range(len(steps)) if train[i] >= 0.95 and proxy[i] >= 0.5]
    assert hidden, "some logged step must have near-perfect training success and a proxy-seeker"
    assert proxy[-1] < proxy[hidden[0]] - 0.3, "the proxy rate falls only later in training"


def test_salience_decides_which_feature_a_correlated_learner_picks():
    faint_marker = run_proxy_shift(
        ProxyShiftConfig(
            decorrelated_fraction=0.0, exit_salience=1.0, marker_salience=0.3, seed=1, **SMALL
        )
    )
    assert faint_marker.test_exit_rate > 0.8


def test_the_same_seed_gives_the_same_figures():
    config = ProxyShiftConfig(train_steps=30, train_levels=64, seed=3, **SMALL)
    first, second = (run_proxy_shift(config).summary() for _ in range(2))
    for summary in (first, second):
        summary.pop("train_seconds")
    assert first == second


def test_command_line_prints_the_documented_json_fields(capsys):
    assert main(["proxy-shift", "--train-steps", "5", "--test-levels", "20", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    for key in (
        "train_success",
        "test_exit_rate",
        "test_proxy_rate",
        "reward_peak_on_proxy",
        "reward_peak_on_exit",
        "train_seconds",
    ):
        assert 0 <= figures[key] <= (1e6 if key == "train_seconds" else 1)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["--decorrelated-fraction", "1.5"], "decorrelated_fraction"),
        (["--planning-steps", "0"], "planning_steps"),
        (["--exit-salience", "0"], "exit_salience"),
        (["--size", "3"], "size"),
        (["--base-optimizer", "annealing"], "base_optimizer"),
    ],
)
def test_command_line_rejects_bad_values_with_one_line(capsys, argv, name):
    with pytest.raises(SystemExit) as raised:
        main(["proxy-shift", *argv])
    assert raised.value.code == 2
    message = capsys.readouterr().err.strip()
    assert name in message and "\n" not in message and "Traceback" not in message


def test_config_rejects_bad_values_directly():
    with pytest.raises(ValueError, match="train_levels"):
        ProxyShiftConfig(train_levels=0)
    with pytest.raises(ValueError, match="seed"):
        dataclasses.replace(ProxyShiftConfig(), seed=-1)
