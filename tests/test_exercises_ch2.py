"""Chapter 2's exercise checks: reference formulas pass on random inputs, stubs are reported as
unanswered, typical wrong formulas are named, and the checks' references agree with the closed
forms of :mod:`demos.analysis.optimization_power` and with the step-budget rollout."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demos.analysis import optimization_power as toy
from demos.exercises import ch2
from demos.exercises.checking import NotAnswered, WrongAnswer, check


def unwritten(*args):
    raise NotImplementedError()


@pytest.mark.parametrize(
    ("checker", "reference"),
    [
        (ch2.check_quadratic_optimum, lambda p, n, c: min(n / (2 * c), math.sqrt(p / c))),
        (ch2.check_linear_optimum, lambda p, n, c: p / c if n > c else 0.0),
        (ch2.check_crossing_estimate, lambda crossing, a, b: crossing * (a / b) ** 2),
        (ch2.check_moves_to_exit, lambda d, b: math.ceil(d / b) + d - 1),
    ],
)
def test_reference_formulas_pass_and_stubs_are_unanswered(checker, reference):
    assert check(checker, lambda: reference).correct
    with pytest.raises(NotAnswered):
        check(checker, lambda: unwritten)


@pytest.mark.parametrize(
    ("checker", "answer", "message"),
    [
        (ch2.check_quadratic_optimum, lambda p, n, c: n / (2 * c), "budget is missing"),
        (
            ch2.check_quadratic_optimum,
            lambda p, n, c: min(n / c, math.sqrt(p / c)),
            "factor of two",
        ),
        (ch2.check_quadratic_optimum, lambda p, n, c: min(n / (2 * c), p / c), "cap is wrong"),
        (ch2.check_quadratic_optimum, lambda p, n, c: math.sqrt(p / c), "whole budget"),
        (ch2.check_quadratic_optimum, lambda p, n, c: "x", "must be a number"),
        (ch2.check_quadratic_optimum, 3.0, "function"),
        (ch2.check_linear_optimum, lambda p, n, c: p / c if n < c else 0.0, "reversed"),
        (ch2.check_linear_optimum, lambda p, n, c: min(n / (2 * c), p / c), "interior"),
        (
            ch2.check_linear_optimum,
            lambda p, n, c: math.sqrt(p / c) if n > c else 0.0,
            "cap is wrong",
        ),
        (ch2.check_crossing_estimate, lambda c, a, b: c * a / b, "not the area"),
        (ch2.check_crossing_estimate, lambda c, a, b: c * (b / a) ** 2, "upside down"),
        (ch2.check_crossing_estimate, lambda c, a, b: c, "does move"),
        (ch2.check_moves_to_exit, lambda d, b: d, "shortest path alone"),
        (ch2.check_moves_to_exit, lambda d, b: math.ceil(d / b) + d, "Off by one"),
        (ch2.check_moves_to_exit, lambda d, b: d / b + d - 1, "ceiling is missing"),
        (ch2.check_moves_to_exit, lambda d, b: d // b + d - 1, "Round up"),
        (ch2.check_moves_to_exit, lambda d, b: math.ceil(d / b), "only the wait"),
        (ch2.check_moves_to_exit, lambda d: d, "raised TypeError"),
    ],
)
def test_typical_wrong_formulas_get_their_own_message(checker, answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check(checker, lambda: answer)


@pytest.mark.parametrize("kind", ["quadratic", "linear"])
def test_the_scanned_optimum_agrees_with_the_closed_form_on_random_inputs(kind):
    rng = np.random.default_rng(11)
    for _ in range(30):
        budget, scale = rng.uniform(1, 200), rng.uniform(0.5, 10)
        tasks = rng.uniform(1, 60)
        if kind == "linear" and abs(tasks - scale) < 1e-6:
            continue
        closed = toy.optimal_mesa_power(budget, tasks, kind, scale)
        assert ch2.scanned_optimum(budget, tasks, kind, scale) == pytest.approx(
            closed, rel=1e-3, abs=1e-3
        )


def test_the_simulated_moves_match_the_step_budget_rollout():
    from demos.training import step_budget
    from demos.worlds.mazes import LevelConfig, generate_levels

    levels = generate_levels(LevelConfig(size=7), 30, np.random.default_rng(3))
    reward = np.zeros((len(levels), 7, 7), dtype=np.float32)
    reward[np.arange(len(levels)), levels.exit[:, 0], levels.exit[:, 1]] = 1.0
    distance = levels.distances("exit")[
        np.arange(len(levels)), levels.start[:, 0], levels.start[:, 1]
    ]
    for backups in (1, 2, 3):
        walk = step_budget.stateful_rollout(levels, reward, backups, 40, 0.9)
        arrived = walk.first_exit_step[walk.reached_exit]
        expected = [ch2.simulated_moves(int(d), backups) for d in distance[walk.reached_exit]]
        assert walk.reached_exit.all()
        assert list(arrived) == expected
