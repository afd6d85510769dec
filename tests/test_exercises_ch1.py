"""Chapter 1's exercise checks: the reference answers pass, stubs are reported as unanswered, and
each typical wrong answer is rejected with the message that names its mistake."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demos.analysis import behavioral
from demos.exercises import ch1
from demos.exercises.checking import NotAnswered, WrongAnswer, check
from demos.experiments.bottle_cap import EDITS, BottleCapConfig, run_bottle_cap


def stub():
    raise NotImplementedError()


def best_angle(levels, paths):
    angles = np.linspace(0, np.pi / 2, 10)
    scores = behavioral.path_log_likelihood(
        levels, paths, behavioral.feature_mixture_maps(levels, angles)
    )
    return float(np.degrees(angles[scores.sum(axis=0).argmax()]))


@pytest.mark.parametrize(
    ("checker", "reference"),
    [
        (ch1.check_which_feature_wins, "exit"),
        (ch1.check_weak_search, ["start moved", "wall removed"]),
        (ch1.check_blind_direction, (1.0, -0.3)),
        (ch1.check_best_angle, best_angle),
        (ch1.check_outer_or_inner, {"a": "outer", "b": "inner", "c": "neither", "d": "neither"}),
    ],
)
def test_reference_answers_pass_and_stubs_are_unanswered(checker, reference):
    assert check(checker, lambda: reference).correct
    with pytest.raises(NotAnswered):
        check(checker, stub)


def test_a_function_answer_that_is_still_a_stub_is_unanswered():
    def unwritten(levels, paths):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check(ch1.check_best_angle, lambda: unwritten)


@pytest.mark.parametrize(
    ("checker", "answer", "message"),
    [
        (ch1.check_which_feature_wins, "marker", "brighter"),
        (ch1.check_which_feature_wins, "the exit sign", "must be one of"),
        (ch1.check_weak_search, list(EDITS), "Not every maze"),
        (ch1.check_weak_search, ["wall removed"], "Off by one"),
        (ch1.check_weak_search, ["start moved"], "within reach"),
        (ch1.check_weak_search, ["nowhere"], "not maze names"),
        (ch1.check_blind_direction, (0.3, 1.0), "gradient's direction"),
        (ch1.check_blind_direction, (0.3, -1.0), "swapped"),
        (ch1.check_blind_direction, (1.0, -1.0), "ignores the brightnesses"),
        (ch1.check_blind_direction, (0.0, 0.0), "zero vector"),
        (ch1.check_blind_direction, (1.0, 0.0), "changes"),
        (ch1.check_best_angle, lambda lv, p: math.radians(best_angle(lv, p)), "radians"),
        (ch1.check_best_angle, lambda lv, p: 90.0 - best_angle(lv, p), "reversed"),
        (ch1.check_best_angle, lambda lv, p: 45.0, "walks straight"),
        (
            ch1.check_outer_or_inner,
            {"a": "outer", "b": "outer", "c": "neither", "d": "neither"},
            "Outer and inner are swapped",
        ),
        (
            ch1.check_outer_or_inner,
            {"a": "inner", "b": "inner", "c": "neither", "d": "neither"},
            "no learned objective",
        ),
        (
            ch1.check_outer_or_inner,
            {"a": "outer", "b": "inner", "c": "neither", "d": "inner"},
            "capability failure",
        ),
        (ch1.check_outer_or_inner, {"a": "outer"}, "one kind for each"),
    ],
)
def test_typical_wrong_answers_get_their_own_message(checker, answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check(checker, lambda: answer)


def test_the_weak_search_reference_matches_a_fresh_run_of_the_planner():
    # BFS distances (the check's reference) against the trained planner itself
    run = run_bottle_cap(BottleCapConfig(planning_steps=ch1.WEAK_PLANNING_STEPS, seed=1))
    assert sorted(run.solved("planner")) == sorted(ch1.weak_search_solves())
    assert all(
        ch1.shortest_path(EDITS[edit]) == outcomes["planner"].shortest
        for edit, outcomes in run.outcomes.items()
    )


def test_the_blind_direction_leaves_the_shared_cell_reward_unchanged_on_random_weights():
    rng = np.random.default_rng(0)
    for _ in range(20):
        s_e, s_m = rng.uniform(0.1, 1.0, 2)
        d = ch1.blind_direction(s_e, s_m)
        w = rng.normal(size=2)
        moved = w + 0.7 * d
        assert s_e * moved[0] + s_m * moved[1] == pytest.approx(s_e * w[0] + s_m * w[1])
