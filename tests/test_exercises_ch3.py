"""Chapter 3's exercise checks: the reference answers pass, stubs are reported as unanswered, and
each typical wrong answer is rejected with the message that names its mistake."""

from __future__ import annotations

import math

import pytest

from demos.exercises import ch3
from demos.exercises.checking import NotAnswered, WrongAnswer, check

KINDS = {
    "a": "side-effect",
    "b": "side-effect",
    "c": "suboptimality",
    "d": "approximate",
    "e": "instrumental",
}


def stub():
    raise NotImplementedError()


def rivals(L, m):
    count = 2**L - 1
    return count, math.ceil(count / m)


@pytest.fixture(scope="module")
def edited():
    from demos.analysis.objectives import edit_objective
    from demos.training import rollouts
    from demos.training.proxy_training import chapter_config, trained

    run = trained(chapter_config(decorrelated_fraction=0.0))
    return {
        split: {
            feature: rollouts.greedy_rollout(
                edit_objective(run.model, feature, 0.0), levels
            ).settle_rates()
            for feature in ("marker", "exit")
        }
        for split, levels in (("test", run.test_levels), ("train", run.train_levels))
    }


def test_the_kinds_and_the_rivals_pass_and_stubs_are_unanswered():
    assert check(ch3.check_name_the_kind, lambda: dict(KINDS)).correct
    assert check(ch3.check_rivals, lambda: rivals).correct
    for checker in (ch3.check_name_the_kind, ch3.check_rivals, ch3.check_edited_objective):
        with pytest.raises(NotAnswered):
            check(checker, stub)

    def unwritten(L, m):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check(ch3.check_rivals, lambda: unwritten)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"b": "instrumental"}, "reverses the causal arrow: keys"),
        ({"e": "side-effect"}, "reverses the causal arrow: in training"),
        ({"a": "instrumental"}, "not instrumental"),
        ({"c": "side-effect"}, "short search"),
        ({"c": "approximate"}, "does not approximate"),
        ({"d": "suboptimality"}, "not in the\nsearch|not in the search"),
        ({"d": "instrumental"}, "exposed by dimmer exits"),
        ({"a": "deceptive"}, "must be one of"),
    ],
)
def test_each_misnamed_kind_gets_its_own_message(changes, message):
    with pytest.raises(WrongAnswer, match=message):
        check(ch3.check_name_the_kind, lambda: {**KINDS, **changes})


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda L, m: (2**L, math.ceil(2**L / m)), "length exactly L"),
        (lambda L, m: (2 ** (L - 1), 1), "only the strings of length L - 1"),
        (lambda L, m: (2**L - 2, 1), "empty string"),
        (lambda L, m: (L, 1), "2\\^l strings of each length"),
        (lambda L, m: (2**L - 1, (2**L - 1) / m), "Inputs come whole"),
        (lambda L, m: (2**L - 1, (2**L - 1) // m), "Round up"),
        (lambda L, m: 2**L - 1, "must return a pair"),
    ],
)
def test_typical_wrong_counts_get_their_own_message(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check(ch3.check_rivals, lambda: answer)


def test_the_enumeration_counts_every_shorter_string():
    assert [ch3.enumerated_rivals(L) for L in range(1, 6)] == [1, 3, 7, 15, 31]


def test_edited_rates_pass_and_typical_mistakes_are_named(edited):
    test, train = edited["test"], edited["train"]
    assert check(ch3.check_edited_objective, lambda: test).correct
    percent = {k: {kk: 100 * v for kk, v in rates.items()} for k, rates in test.items()}
    swapped = {"marker": test["exit"], "exit": test["marker"]}
    for answer, message in (
        (percent, "percentages"),
        (swapped, "swapped"),
        (train, "training levels"),
        ({"marker": test["marker"]}, "keys 'marker' and 'exit'"),
        ({"marker": {"exit": 1.0}, "exit": test["exit"]}, "settle rates"),
    ):
        with pytest.raises(WrongAnswer, match=message):
            check(ch3.check_edited_objective, lambda answer=answer: answer)
