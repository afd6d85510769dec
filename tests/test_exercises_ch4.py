"""Chapter 4's exercise checks: the reference answers pass, stubs are reported as unanswered, each
typical wrong answer is rejected with the message that names its mistake, and the checks'
references agree with the deception toy's own solvers."""

from __future__ import annotations

import pytest

from demos.analysis import deception_toy as toy
from demos.exercises import ch4
from demos.exercises.checking import NotAnswered, WrongAnswer, check
from demos.experiments.absent_minded import AbsentMindedConfig
from demos.experiments.deception_toy import DeceptionToyConfig


def stub():
    raise NotImplementedError()


def p_star(m, t, d, c):
    return min(1.0, (c * t + d) / (m * d * (t + 1)))


RANKING = ["memories", "realism", "episode_length", "opportunity"]


@pytest.mark.parametrize(
    ("checker", "reference"),
    [
        (ch4.check_lax_plan, (2, 3.72)),
        (ch4.check_optimal_defection, p_star),
        (ch4.check_race_replacement, "internal"),
        (ch4.check_cue_ranking, RANKING),
    ],
)
def test_reference_answers_pass_and_stubs_are_unanswered(checker, reference):
    assert check(checker, lambda: reference).correct
    with pytest.raises(NotAnswered):
        check(checker, stub)


def test_a_formula_that_is_still_a_stub_is_unanswered():
    def unwritten(m, t, d, c):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check(ch4.check_optimal_defection, lambda: unwritten)


@pytest.mark.parametrize(
    ("checker", "answer", "message"),
    [
        (ch4.check_lax_plan, (0, 3.0), "reliably punished"),
        (ch4.check_lax_plan, (1, 3.4), "Work back one more episode"),
        (ch4.check_lax_plan, (5, 5.0), "Count only the training episodes"),
        (ch4.check_lax_plan, (2, 5.0), "ignores the risk"),
        (ch4.check_lax_plan, (2, 1 + 0.2 * (1 + 0.2 * 3)), "swapped"),
        (ch4.check_lax_plan, 3.72, "pair"),
        (ch4.check_optimal_defection, lambda m, t, d, c: (c * t + d) / (m * d * (t + 1)), "cap"),
        (
            ch4.check_optimal_defection,
            lambda m, t, d, c: min(1.0, (c * t + d) / (m * d * t)),
            "T \\+ 1, not T",
        ),
        (ch4.check_optimal_defection, lambda m, t, d, c: min(1.0, 5 / (9 * m)), "special case"),
        (ch4.check_optimal_defection, lambda m, t, d, c: 1.0, "Defecting always"),
        (ch4.check_optimal_defection, lambda m, t, d, c: 0.5, "scan"),
        (ch4.check_race_replacement, "deceptive", "switched off"),
        (ch4.check_race_replacement, "corrigible", "loses ground"),
        (ch4.check_cue_ranking, RANKING[::-1], "reversed"),
        (ch4.check_cue_ranking, RANKING[:3], "each of the cues"),
    ],
)
def test_typical_wrong_answers_get_their_own_message(checker, answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check(checker, lambda: answer)


def test_ranking_by_a_defection_rate_is_named():
    points = ch4.cue_points()
    by_training = sorted(points, key=lambda name: points[name][1])
    by_deployment = sorted(points, key=lambda name: points[name][2], reverse=True)
    by_value = sorted(points, key=lambda name: points[name][0], reverse=True)
    if by_training not in (by_value, by_value[::-1]):
        with pytest.raises(WrongAnswer, match="defects in training"):
            check(ch4.check_cue_ranking, lambda: by_training)
    if by_deployment not in (by_value, by_value[::-1]):
        with pytest.raises(WrongAnswer, match="defects in deployment"):
            check(ch4.check_cue_ranking, lambda: by_deployment)


@pytest.mark.parametrize("modification", [0.05, 0.2, 0.5, 0.9, 1.0])
def test_backward_induction_agrees_with_the_toys_best_visible_plan(modification):
    setting = DeceptionToyConfig(modification_probability=modification).setting()
    value, plan = toy.best_visible_plan(setting)
    defections, visits = ch4.backward_plan(2, 3, modification)
    assert visits == pytest.approx(value)
    assert defections == sum(plan[:2])


@pytest.mark.parametrize("modification", [0.3, 0.61, 0.9, 1.0])
def test_the_scanned_optimum_agrees_with_the_toys_closed_form(modification):
    setting = AbsentMindedConfig(modification_probability=modification).setting()
    closed = toy.optimal_defection_probability(setting)
    assert ch4.scanned_defection(2, 3, modification, 1.0) == pytest.approx(closed, abs=1e-4)
