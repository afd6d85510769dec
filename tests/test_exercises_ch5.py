"""Chapter 5's exercise checks: the reference answers pass, stubs are reported as unanswered, each
typical wrong answer is rejected with the message that names its mistake. (That the BFS count
behind the verification check equals what the verifier finds for the planner with six steps is
asserted by the chapter's hidden cell behind the worked solutions, which nbval runs.)"""

from __future__ import annotations

import numpy as np
import pytest

from demos.analysis.verification import connected_layouts, count_cases, count_cases_farther
from demos.exercises import ch5
from demos.exercises.checking import NotAnswered, WrongAnswer, check


class Edits:
    """The one field of CellEdits the check reads: shortest paths after each edit."""

    distance_after = np.array([3, 9, 16, 20, 15, 4])


def stub():
    raise NotImplementedError()


@pytest.fixture(scope="module")
def layouts():
    return connected_layouts(4)


def test_the_long_search_check(layouts):
    checker = ch5.check_long_search_for(Edits())
    assert check(checker, lambda: 0).correct
    with pytest.raises(NotAnswered):
        check(checker, stub)
    for answer, message in ((3, "chapter's"), (5, "beyond its horizon"), (-1, "whole number")):
        with pytest.raises(WrongAnswer, match=message):
            check(checker, lambda answer=answer: answer)


def test_the_verification_check(layouts):
    checker = ch5.check_short_verification_for(layouts)
    far = count_cases_farther(layouts, 6)
    assert check(checker, lambda: far).correct
    with pytest.raises(NotAnswered):
        check(checker, stub)
    share = far / count_cases(layouts)
    wrong = [
        (0, "full search"),
        (count_cases_farther(layouts, 5), "Off by one"),
        (f"{far:,}", "not the formatted text"),
        (far + 1, "Count the cases"),
    ]
    wrong.append((share, "share"))
    for answer, message in wrong:
        with pytest.raises(WrongAnswer, match=message):
            check(checker, lambda answer=answer: answer)
