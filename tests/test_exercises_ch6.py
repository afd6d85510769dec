"""Chapter 6's exercise checks: the reference answer passes, a stub is "not answered", and each
typical wrong answer gets its own message."""

from __future__ import annotations

import pytest

from demos.analysis.book_claims import CLAIMS
from demos.exercises import ch6
from demos.exercises.checking import NotAnswered, WrongAnswer, check
from demos.experiments.objective_drift import ObjectiveDriftConfig, run_objective_drift
from demos.training.proxy_training import share_runs


@pytest.fixture(scope="module")
def faint_sweep():
    """The chapter's sweep at the faint exit, as a reader would run it (runs shared with the
    check, as in the notebook)."""
    share_runs(True)
    yield run_objective_drift(
        ObjectiveDriftConfig(
            decorrelated_fractions=ch6.SWEEP_FRACTIONS,
            exit_saliences=(ch6.FAINT,),
            test_levels=ch6.SWEEP_TEST_LEVELS,
        )
    )
    share_runs(False)


def reader_answer(result) -> int:
    """The worked solution's route: read the sweep's points."""
    return min(
        result.decorrelated_levels(point.decorrelated_fraction)
        for point in result.points
        if point.test_rates["exit"] >= ch6.ENOUGH
    )


def test_the_worked_solution_passes_the_levels_check(faint_sweep, capsys):
    check(ch6.check_levels_needed, lambda: reader_answer(faint_sweep))
    assert capsys.readouterr().out.startswith("Correct.")


def test_the_reference_counts_levels_the_way_the_sweep_does(faint_sweep):
    reference, table = ch6.levels_needed()
    for q, (levels, exit_rate) in table.items():
        assert levels == faint_sweep.decorrelated_levels(q)
        point = faint_sweep.point(q, 0, ch6.FAINT)
        assert exit_rate == pytest.approx(point.test_rates["exit"])
    assert reference > 0  # with no decorrelated level the faint exit loses to the marker


def test_a_stub_is_not_answered():
    def stub():
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check(ch6.check_levels_needed, stub)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (0.02, "decorrelated fraction q, not a number of levels"),
        (0, "With no decorrelated level"),
        (2, "not the decorrelated-level count of any run"),
        (6, "Not the fewest"),
        ("three", "must be a number"),
    ],
)
def test_typical_wrong_level_counts_get_their_own_message(faint_sweep, answer, message):
    reference, _ = ch6.levels_needed()
    assert answer != reference
    with pytest.raises(WrongAnswer, match=message):
        check(ch6.check_levels_needed, answer)


REFERENCE_ORIGINS = {
    "bottle-cap": "built in",
    "drift": "found",
    "description-length": "built in",
    "unidentifiability": "found",
}


def test_the_reference_verdicts_pass_and_match_the_chapters(capsys):
    check(ch6.check_origins, REFERENCE_ORIGINS)
    assert capsys.readouterr().out.startswith("Correct.")
    assert set(REFERENCE_ORIGINS) == set(ch6.ORIGIN_QUESTIONS)


def test_a_wrong_verdict_is_explained_with_the_chapters_reason():
    flipped = {**REFERENCE_ORIGINS, "description-length": "found"}
    why = next(c.why for c in CLAIMS if c.name == "description-length")
    with pytest.raises(WrongAnswer, match="description-length .* is built in") as error:
        check(ch6.check_origins, flipped)
    assert why in str(error.value)
    assert "bottle-cap" not in str(error.value)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (["found"], "Answer with a dict"),
        ({"drift": "found"}, "missing: bottle-cap, description-length, unidentifiability"),
        ({**REFERENCE_ORIGINS, "drift": "both"}, "answer 'found' or 'built in'"),
    ],
)
def test_malformed_verdicts_say_what_is_wrong(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check(ch6.check_origins, answer)
