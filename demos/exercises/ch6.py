"""Checks of chapter 6's exercises (the paper's section 6, the conclusion).

Each check compares the reader's answer with a reference computed apart from the reader's route to
it, and names the typical mistakes:

- :func:`check_levels_needed`: the fewest decorrelated training levels, in the chapter's sweep, at
  which the faint-exit planner settles on the exit in most test levels. The reader reads it off the
  sweep's summaries; the check counts the decorrelated levels of each run's own training batch and
  walks its trained planner through the test levels again.
- :func:`check_origins`: whether four of the book's claims were found by running or built in by
  the setup, against the verdicts of the chapters' own "where the toy breaks".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from demos.analysis.book_claims import CLAIMS
from demos.exercises.checking import Feedback, as_number, right, wrong
from demos.training import rollouts
from demos.training.proxy_training import chapter_config, trained

SWEEP_FRACTIONS = (0.0, 0.01, 0.02, 0.05)
"""The decorrelated fractions q of the chapter's ``objective-drift`` sweep."""
SWEEP_SALIENCES = (0.3, 1.0)
"""The exit saliences of the chapter's sweep (the marker's is 1)."""
SWEEP_TEST_LEVELS = 200
"""Test levels per run in the chapter's sweep."""
FAINT = SWEEP_SALIENCES[0]
"""The exit salience the exercise asks about."""
ENOUGH = 0.9
"""The share of test agents on the exit that counts as "most" in the exercise."""

ORIGIN_QUESTIONS = ("bottle-cap", "drift", "description-length", "unidentifiability")
"""The claims (names in :data:`demos.analysis.book_claims.CLAIMS`) the origins exercise asks
about."""


def _sweep_run(decorrelated_fraction: float, exit_salience: float):
    """The chapter's trained run at one grid point (remembered when runs are shared)."""
    return trained(
        chapter_config(
            decorrelated_fraction=decorrelated_fraction,
            exit_salience=exit_salience,
            test_levels=SWEEP_TEST_LEVELS,
        )
    )


def levels_needed(
    exit_salience: float = FAINT,
) -> tuple[int | None, dict[float, tuple[int, float]]]:
    """The reference: for each q of the sweep, the run's count of decorrelated training levels and
    its test share on the exit from a fresh greedy walk; and the fewest levels reaching
    :data:`ENOUGH` (None if no run does)."""
    table = {}
    for q in SWEEP_FRACTIONS:
        run = _sweep_run(q, exit_salience)
        levels = int(run.train_levels.decorrelated.sum())
        walked = rollouts.greedy_rollout(run.model, run.test_levels).settle_rates()
        table[q] = (levels, float(walked["exit"]))
    enough = [levels for levels, exit_rate in table.values() if exit_rate >= ENOUGH]
    return (min(enough) if enough else None), table


def check_levels_needed(answer: Any) -> Feedback:
    """The fewest decorrelated training levels (a count, not a fraction) at which the planner with
    the faint exit settles on the exit in at least :data:`ENOUGH` of the test levels."""
    number = as_number(answer, "the number of decorrelated training levels")
    if isinstance(number, Feedback):
        return number
    reference, table = levels_needed(FAINT)
    if reference is None:
        raise RuntimeError(
            "no run of the sweep reaches the exit often enough; the exercise is void"
        )
    shares = "; ".join(
        f"{levels} levels (q = {q:g}): {exit_rate:.0%} on the exit"
        for q, (levels, exit_rate) in table.items()
    )
    if number == reference:
        return right(
            f"{reference} decorrelated levels out of {_sweep_run(0.0, FAINT).config.train_levels} "
            f"are enough. Run by run: {shares}. A handful of levels that break the marker's tie "
            "with the exit decides which objective the base optimizer installs."
        )
    if 0 < number < 1 and number in SWEEP_FRACTIONS:
        return wrong(
            f"{number:g} is the decorrelated fraction q, not a number of levels. Count the "
            "levels: `result.decorrelated_levels(q)` or `run.train_levels.decorrelated.sum()`."
        )
    if number == 0:
        return wrong(
            "With no decorrelated level the marker always sits on the exit, and the faint-exit "
            f"planner goes for the marker at test. Run by run: {shares}."
        )
    counts = [levels for levels, _ in table.values()]
    if number not in counts:
        return wrong(
            f"{number:g} is not the decorrelated-level count of any run of the sweep; the runs "
            f"have {', '.join(map(str, counts))}."
        )
    return wrong(f"Not the fewest that reaches {ENOUGH:.0%} on the exit. Run by run: {shares}.")


def check_origins(answer: Any) -> Feedback:
    """A dict from each name in :data:`ORIGIN_QUESTIONS` to "found" or "built in": was the
    claim's outcome found by the run, or does it follow from how the toy was built?"""
    options = ("found", "built in")
    if not isinstance(answer, Mapping):
        return wrong(
            "Answer with a dict from each claim's name to 'found' or 'built in', e.g. "
            f"{{{', '.join(repr(name) + ': ...' for name in ORIGIN_QUESTIONS)}}}."
        )
    missing = [name for name in ORIGIN_QUESTIONS if name not in answer]
    if missing:
        return wrong(f"Give a verdict for every claim; missing: {', '.join(missing)}.")
    claims = {claim.name: claim for claim in CLAIMS}
    problems = []
    for name in ORIGIN_QUESTIONS:
        given = answer[name]
        if not isinstance(given, str) or given.strip().lower() not in options:
            problems.append(f"{name}: answer 'found' or 'built in', got {given!r}")
            continue
        claim = claims[name]
        if given.strip().lower() != claim.origin:
            problems.append(f"{name} ({claim.claim.lower()}) is {claim.origin}: {claim.why}")
    if problems:
        return wrong("; ".join(problems) + ".")
    return right(
        "Each verdict matches the chapter's own account of where its toy breaks. Built-in "
        "outcomes still teach a mechanism; only found ones are evidence about training."
    )
