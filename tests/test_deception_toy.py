"""The toy of Fig. 4.1 and its absent-minded variant: closed forms against brute-force enumeration
of every episode history, numerical maximisation and simulation; the experiments' command lines."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from demos.__main__ import main
from demos.analysis import deception_toy as toy
from demos.experiments.absent_minded import AbsentMindedConfig, run_absent_minded
from demos.experiments.deception_toy import DeceptionToyConfig, run_deception_toy


def enumerate_value(t, d, m, c, train_rates, deploy_rate):
    """Expected B-visits by walking every branch of every history: in each training episode the
    model goes to A, or to B and is then rewritten or not; a rewritten model goes to A ever after;
    in deployment every sequence of choices is listed."""
    rates = np.broadcast_to(np.asarray(train_rates, dtype=float), (t,))
    deployment = sum(
        np.prod([deploy_rate if b else 1 - deploy_rate for b in choices]) * sum(choices)
        for choices in itertools.product((0, 1), repeat=d)
    )

    def walk(episode, probability, visits, unmodified):
        if episode == t:
            return probability * (visits + (deployment if unmodified else 0.0))
        if not unmodified:  # rewritten: A in every remaining episode
            return probability * visits
        f = rates[episode]
        return (
            walk(episode + 1, probability * (1 - f), visits, True)
            + walk(episode + 1, probability * f * (1 - m), visits + c, True)
            + walk(episode + 1, probability * f * m, visits + c, False)
        )

    return walk(0, 1.0, 0.0, True)


def brute_max(function, lo=0.0, hi=1.0):
    """Maximiser of a unimodal function by a fine grid, then ternary search."""
    grid = np.linspace(lo, hi, 401)
    best = int(np.argmax([function(x) for x in grid]))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    for _ in range(80):
        x1, x2 = a + (b - a) / 3, b - (b - a) / 3
        if function(x1) < function(x2):
            a = x1
        else:
            b = x2
    return (a + b) / 2


SETTINGS = [
    (2, 3, 1.0, 1.0),
    (3, 2, 0.5, 1.0),
    (4, 5, 0.9, 0.0),
    (1, 1, 0.0, 1.0),
    (0, 3, 1.0, 1.0),
]


@pytest.mark.parametrize(("t", "d", "m", "c"), SETTINGS)
def test_closed_form_and_recursion_match_enumeration(t, d, m, c):
    setting = toy.Setting(t, d, m, c)
    for f_t, f_d in [(0.0, 1.0), (1.0, 1.0), (0.3, 0.3), (0.7, 0.2)]:
        expected = enumerate_value(t, d, m, c, f_t, f_d)
        assert toy.value(setting, f_t, f_d) == pytest.approx(expected, abs=1e-12)
        assert toy.value_by_recursion(setting, f_t, f_d) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("t", "d", "m", "c"), SETTINGS[:4])
def test_optimal_probability_maximises_the_enumerated_value(t, d, m, c):
    setting = toy.Setting(t, d, m, c)
    brute = brute_max(lambda p: enumerate_value(t, d, m, c, p, p))
    assert toy.optimal_defection_probability(setting) == pytest.approx(brute, abs=1e-6)
    numerical_p, numerical_value = toy.numerical_optimum(setting)
    assert numerical_p == pytest.approx(brute, abs=1e-6)
    assert numerical_value == pytest.approx(enumerate_value(t, d, m, c, brute, brute), abs=1e-9)


def test_the_papers_toy_gives_five_ninths_not_061():
    setting = toy.Setting(2, 3, 1.0, 1.0)
    assert toy.value_polynomial(setting) == pytest.approx([0, 5, -7, 3])
    assert toy.polynomial_text(toy.value_polynomial(setting)) == "5p - 7p^2 + 3p^3"
    assert toy.optimal_defection_probability(setting) == pytest.approx(5 / 9)
    assert toy.value(setting, 5 / 9, 5 / 9) == pytest.approx(825 / 729)
    assert toy.value(setting, 0.61, 0.61) < toy.value(setting, 5 / 9, 5 / 9)
    assert toy.optimal_defection_probability(toy.Setting(2, 3, 1.0, 0.0)) == pytest.approx(1 / 3)


def test_the_assumptions_that_would_give_061_do():
    setting = toy.Setting(2, 3, 1.0, 1.0)
    m = toy.modification_probability_for(0.61, setting)
    assert m == pytest.approx(0.91, abs=0.005)
    assert brute_max(lambda p: enumerate_value(2, 3, m, 1.0, p, p)) == pytest.approx(0.61, abs=1e-6)
    c = toy.training_credit_for(0.61, setting)
    assert brute_max(lambda p: enumerate_value(2, 3, 1.0, c, p, p)) == pytest.approx(0.61, abs=1e-6)


def test_best_visible_plan_beats_every_deterministic_plan():
    for t, d, m, c in [(3, 2, 0.3, 1.0), (2, 3, 1.0, 1.0), (4, 1, 0.1, 2.0)]:
        best, plan = toy.best_visible_plan(toy.Setting(t, d, m, c))
        values = {
            choices: enumerate_value(t, d, m, c, np.asarray(choices, dtype=float), 1.0)
            for choices in itertools.product((0, 1), repeat=t)
        }
        assert best == pytest.approx(max(values.values()), abs=1e-12)
        assert values[tuple(int(x) for x in plan)] == pytest.approx(best, abs=1e-12)


def test_simulation_agrees_with_the_exact_value():
    setting = toy.Setting(3, 4, 0.6, 1.0)
    exact = enumerate_value(3, 4, 0.6, 1.0, 0.4, 0.4)
    estimate = toy.simulate(setting, 0.4, 0.4, 200_000, np.random.default_rng(1))
    assert estimate == pytest.approx(exact, abs=0.02)


def test_classic_driver_continues_with_two_thirds():
    grid = np.linspace(0, 1, 30001)
    assert toy.driver_optimum() == pytest.approx(grid[np.argmax(4 * grid - 3 * grid**2)], abs=1e-4)
    assert toy.driver_value(2 / 3) == pytest.approx(4 / 3)


def test_training_needed_is_the_first_length_below_the_threshold():
    d, threshold = 3, 0.01
    needed = toy.training_needed(toy.Setting(1, d, 1.0), threshold)

    def chance(t):  # survive t training episodes at the optimum for t, then defect at least once
        p = brute_max(lambda x: enumerate_value(t, d, 1.0, 1.0, x, x))
        return (1 - p) ** t * (1 - (1 - p) ** d)

    assert chance(needed) <= threshold < chance(needed - 1)


def test_best_operating_point_on_simple_roc_curves():
    setting = toy.Setting(2, 3, 1.0, 1.0)
    f_t, f_d, value = toy.best_operating_point(setting, [0, 1], [0, 1])
    assert f_t == pytest.approx(5 / 9, abs=1e-5) and f_d == pytest.approx(f_t)
    assert toy.best_operating_point(setting, [0, 0, 1], [0, 1, 1]) == pytest.approx((0, 1, 3))
    # one useful threshold at (0.1, 0.8): the best point lies on the hull through it
    fs = np.linspace(0, 1, 2001)
    hull = np.interp(fs, [0, 0.1, 1], [0, 0.8, 1])
    brute = max(enumerate_value(2, 3, 1.0, 1.0, f, g) for f, g in zip(fs, hull, strict=True))
    found = toy.best_operating_point(setting, [0, 0.1, 1], [0, 0.8, 1])
    assert found[2] == pytest.approx(brute, abs=1e-4)
    assert found[1] == pytest.approx(np.interp(found[0], [0, 0.1, 1], [0, 0.8, 1]))


def test_bad_settings_name_the_parameter():
    with pytest.raises(ValueError, match="deployment_episodes"):
        toy.Setting(2, 0, 1.0)
    with pytest.raises(ValueError, match="modification_probability"):
        toy.Setting(2, 3, 1.5)
    with pytest.raises(ValueError, match="train_rate"):
        toy.value(toy.Setting(2, 3, 1.0), 1.2, 0.5)
    with pytest.raises(ValueError, match="modification_probability"):
        AbsentMindedConfig(modification_probability=0.0)


def test_deception_toy_experiment_reports_every_policy():
    hidden = run_deception_toy(DeceptionToyConfig())
    visible = run_deception_toy(DeceptionToyConfig(phase_visible=True))
    assert hidden.best_policy == "best_random" and hidden.best_value == pytest.approx(825 / 729)
    assert visible.best_value == pytest.approx(3.0) and not any(visible.visible_plan)
    assert hidden.simulated_best_value == pytest.approx(825 / 729, abs=0.03)
    assert hidden.summary()["expected_b_visits_always_b"] == pytest.approx(1.0)
    cheap = run_deception_toy(DeceptionToyConfig(modification_probability=0.1, phase_visible=True))
    assert cheap.visible_value > cheap.values["deployment_only"], "rare rewrites: defect early too"


def test_absent_minded_command_line(capsys):
    argv = ["absent-minded", "--training-episodes", "2", "--deployment-episodes", "3", "--json"]
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["optimal_defection_probability"] == pytest.approx(5 / 9, abs=1e-6)
    assert figures["numerical_defection_probability"] == pytest.approx(5 / 9, abs=1e-6)
    assert figures["expected_defections_at_optimum"] == pytest.approx(825 / 729, abs=1e-6)
    assert figures["deployment_only_optimal_probability"] == pytest.approx(1 / 3, abs=1e-6)
    assert figures["classic_driver_optimal_probability"] == pytest.approx(2 / 3, abs=1e-6)
    assert 0.9 < figures["modification_probability_for_quoted"] < 0.92


def test_absent_minded_result_is_deterministic_and_consistent():
    config = AbsentMindedConfig(training_episodes=5, deployment_episodes=4, seed=3)
    first, second = run_absent_minded(config).summary(), run_absent_minded(config).summary()
    assert first == second
    expected = (5 + 4) / (4 * 6)
    assert first["optimal_defection_probability"] == pytest.approx(expected, abs=1e-6)
    simulated = first["simulated_expected_defections"]
    assert math.isclose(simulated, first["expected_defections_at_optimum"], abs_tol=0.03)
