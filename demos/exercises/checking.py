"""The machinery of the exercises' checks: feedback that says what is wrong, not only "incorrect".

A chapter's checkable exercise has two code cells after its text (tags ``exercise-answer`` and
``exercise-check``; see :mod:`demos.exercises.student`):

- the answer cell defines a function that returns the reader's answer. In the instructor's version
  it holds the reference solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; in the
  student version that part is replaced by ``raise NotImplementedError()``.
- the check cell calls :func:`check` with the chapter's check and that function. A right answer
  prints why it is right; a wrong one raises :class:`WrongAnswer` whose message says what is
  wrong (so an autograder counts it as failed); an unanswered one raises :class:`NotAnswered`.

A check is a function ``check(answer) -> Feedback`` that compares the answer with a reference
computed independently of the reader's code (a closed form, a brute-force count, a fresh run).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class NotAnswered(NotImplementedError):
    """The answer cell still holds its stub."""


class WrongAnswer(AssertionError):
    """The answer is wrong; the message says how."""


@dataclass(frozen=True)
class Feedback:
    """The verdict of a check on one answer."""

    correct: bool
    """Whether the answer passes."""
    message: str
    """What is right or, for a wrong answer, what is wrong and where to look."""

    def __str__(self) -> str:
        return ("Correct. " if self.correct else "Not yet. ") + self.message


def check(checker: Callable[[Any], Feedback], answer: Callable[[], Any] | Any) -> Feedback:
    """Run ``checker`` on the reader's answer and report.

    Args:
        checker: a chapter's check, ``checker(value) -> Feedback``.
        answer: the answer cell's function (called with no arguments), or the value itself.

    Returns:
        The Feedback, after printing it, when the answer is right.

    Raises:
        NotAnswered: the answer function still raises ``NotImplementedError``.
        WrongAnswer: the answer is wrong; its message is the feedback.
    """
    if callable(answer) and not isinstance(answer, type):
        try:
            value = answer()
        except NotImplementedError:
            raise NotAnswered(
                "Not answered yet: replace `raise NotImplementedError()` in the cell above with "
                "your answer, run that cell, then run this one."
            ) from None
    else:
        value = answer
    try:
        feedback = checker(value)
    except NotImplementedError:  # a function the reader returned still holds its stub
        raise NotAnswered(
            "Not answered yet: the function you gave still raises `NotImplementedError`; "
            "write its body, run its cell, then run this one."
        ) from None
    if not isinstance(feedback, Feedback):
        raise TypeError(f"a check must return a Feedback, got {type(feedback).__name__}")
    if not feedback.correct:
        raise WrongAnswer(str(feedback))
    print(feedback)
    return feedback


def right(message: str) -> Feedback:
    """A passing verdict with its explanation."""
    return Feedback(True, message)


def wrong(message: str) -> Feedback:
    """A failing verdict saying what is wrong."""
    return Feedback(False, message)


def as_number(value: Any, what: str) -> float | Feedback:
    """``value`` as a finite float, or a failing Feedback saying that ``what`` must be a number."""
    if isinstance(value, bool):
        return wrong(f"{what} must be a number, got {value!r} (a True/False).")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return wrong(f"{what} must be a number, got {value!r}.")
    if not math.isfinite(number):
        return wrong(f"{what} must be a finite number, got {value!r}.")
    return number


def close_to(
    value: Any,
    reference: float,
    what: str,
    tolerance: float,
    hints: dict[str, float] | None = None,
    why: str = "",
) -> Feedback:
    """Compare a number with ``reference`` within ``tolerance`` (absolute).

    Args:
        value: the reader's answer.
        reference: the independently computed right value.
        what: what the number is, for the messages ("the optimal defection probability").
        tolerance: largest accepted absolute difference.
        hints: typical wrong answers as ``{message: value}``: an answer within ``tolerance`` of
            one of these values gets that message, which says what the mistake was.
        why: the explanation printed with a right answer.
    """
    number = as_number(value, what)
    if isinstance(number, Feedback):
        return number
    if abs(number - reference) <= tolerance:
        return right(why or f"{what} is {reference:.4g}.")
    for message, typical in (hints or {}).items():
        if abs(number - typical) <= tolerance:
            return wrong(message)
    side = "too high" if number > reference else "too low"
    return wrong(f"{what} is {side}: {number:.4g} is not within {tolerance:g} of the answer.")


def one_of(
    value: Any,
    reference: str,
    options: tuple[str, ...],
    what: str,
    reasons: dict[str, str],
    why: str,
) -> Feedback:
    """Check a choice among ``options`` (case and surrounding spaces ignored).

    Args:
        value: the reader's answer.
        reference: the right option.
        options: every valid option.
        what: what is being chosen, for the messages.
        reasons: for each wrong option, what choosing it gets wrong.
        why: the explanation printed with a right answer.
    """
    if not isinstance(value, str):
        return wrong(f"{what} must be one of {', '.join(map(repr, options))}, got {value!r}.")
    chosen = value.strip().lower()
    if chosen not in options:
        return wrong(f"{what} must be one of {', '.join(map(repr, options))}, got {value!r}.")
    if chosen == reference:
        return right(why)
    return wrong(reasons.get(chosen, f"{chosen!r} is not the right {what}."))
