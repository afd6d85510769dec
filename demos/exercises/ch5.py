"""Checks for the exercises of chapter 5 (the paper's section 5: related work).

References are computed here, apart from the planners the reader runs: the shortest paths that the
single-cell edits leave (breadth-first distances stored with the edits) and the cases of the
exhaustive verification whose start lies beyond a planner's horizon, counted by breadth-first
search over every connected layout. Typical wrong answers get a message that names the mistake.
"""

from __future__ import annotations

from collections.abc import Callable

from demos.exercises.checking import Feedback, as_number, right, wrong

LONG_SEARCH = 28
"""Planning steps of the long search in the exercise on single-cell edits."""
SHORT_SEARCH = 6
"""Planning steps of the short-sighted planner in the verification exercise."""


def _count(answer, what: str) -> float | Feedback:
    if isinstance(answer, str):
        return wrong(f"{what} must be a number, not text such as {answer!r} (no separators).")
    number = as_number(answer, what)
    if isinstance(number, Feedback):
        return number
    if not float(number).is_integer() or number < 0:
        return wrong(f"{what} is a count of cases, a whole number >= 0; got {answer!r}.")
    return number


def check_long_search_for(edits) -> Callable[[object], Feedback]:
    """The check of ``ex-related-horizon`` for the chapter's edits (a
    :class:`demos.analysis.cell_edits.CellEdits`): ``answer`` is the number of edits that break
    the planner when it searches 28 steps."""
    from demos.experiments.one_cell_edits import OneCellEditsConfig

    beyond = int((edits.distance_after > LONG_SEARCH).sum())
    default = OneCellEditsConfig().planning_steps
    beyond_default = int((edits.distance_after > default).sum())
    longest = int(edits.distance_after.max())

    def checker(answer) -> Feedback:
        number = _count(answer, "the number of breaking edits")
        if isinstance(number, Feedback):
            return number
        if number == beyond:
            return right(
                f"{beyond}: no edit leaves a shortest path longer than {longest} steps, so with "
                f"{LONG_SEARCH} planning steps the exit is always within reach."
            )
        if number == beyond_default and beyond_default != beyond:
            return wrong(
                f"That is the count at the chapter's {default} planning steps. With "
                f"{LONG_SEARCH}, count the edits whose shortest path is longer than "
                f"{LONG_SEARCH} steps."
            )
        return wrong(
            f"Every edit that broke the planner pushed the exit beyond its horizon; count the "
            f"edits whose shortest path after the edit exceeds {LONG_SEARCH} steps."
        )

    return checker


def check_short_verification_for(layouts) -> Callable[[object], Feedback]:
    """The check of ``ex-related-verify`` for the chapter's layouts ((L, 4, 4) bool walls):
    ``answer`` is the number of violations the verifier finds for the planner with six steps."""
    from demos.analysis.verification import count_cases, count_cases_farther

    far = count_cases_farther(layouts, SHORT_SEARCH)
    off_by_one = count_cases_farther(layouts, SHORT_SEARCH - 1)
    cases = count_cases(layouts)

    def checker(answer) -> Feedback:
        if isinstance(answer, str) and answer.replace(",", "").isdigit():
            return wrong(
                "Give the number itself, not the formatted text (write 18576, not '18,576')."
            )
        share = as_number(answer, "the number of violations")
        if not isinstance(share, Feedback) and 0 < share < 1 and abs(share - far / cases) < 1e-4:
            return wrong("That is the share of cases; give the number of violations.")
        number = _count(answer, "the number of violations")
        if isinstance(number, Feedback):
            return number
        if number == far:
            return right(
                f"{far} violations: exactly the cases whose start is more than {SHORT_SEARCH} "
                "steps from the exit, where the planner sees no reward and stays put."
            )
        if number == 0:
            return wrong(
                f"Zero is the planner at its full search. With {SHORT_SEARCH} planning steps it "
                "cannot see an exit farther away than that, so every such case fails."
            )
        if number == off_by_one:
            return wrong(
                f"Off by one: a start exactly {SHORT_SEARCH} steps away is still within reach "
                f"of {SHORT_SEARCH} planning steps; count the starts farther than that."
            )
        return wrong(
            f"Count the cases (layout, exit, start) whose start is more than {SHORT_SEARCH} "
            "steps from the exit: those are the ones the short search cannot solve."
        )

    return checker
