"""Checks for the exercises of chapter 3 (the paper's section 3: the inner alignment problem).

References are computed here, apart from the reader's code: the paper's kinds of pseudo-alignment
as the worked solution classifies the chapter's models, a fresh run of the ``objective-edit``
experiment, and a count of bit strings by enumeration. Typical wrong answers get a message that
names the mistake.
"""

from __future__ import annotations

import functools
import itertools
import math

from demos.exercises.checking import Feedback, as_number, right, wrong

# --- ex-inner-kinds: name the kind of pseudo-alignment ----------------------------------------

KINDS = ("side-effect", "instrumental", "approximate", "suboptimality")
CASES = {
    "a": "side-effect",
    "b": "side-effect",
    "c": "suboptimality",
    "d": "approximate",
    "e": "instrumental",
}
"""The reference classification of the five models (see the worked solution)."""

_MISTAKES = {
    ("a", "instrumental"): "(a) is not instrumental: the planner does not pursue the exit as a "
    "means to the marker; standing on the marker raised the base objective directly, because in "
    "training the marker sits on the exit. That is side-effect alignment.",
    ("b", "instrumental"): "(b) reverses the causal arrow: keys are upstream of chests (a key is "
    "what opens a chest), so pursuing keys raised the base objective as a side effect. "
    "Instrumental would need the chests to be the planner's means to keys.",
    ("c", "side-effect"): "(c) behaves aligned on those levels only because its short search "
    "cannot see the marker: that is suboptimality alignment (the same planner is the "
    "side-effect case (a) on other levels).",
    ("c", "approximate"): "(c) does not approximate the base objective: it values the marker, "
    "and a short search is what keeps it aligned. That is suboptimality alignment.",
    ("d", "suboptimality"): "(d) pursues the exit through a representation that is only right "
    "near the training brightnesses: approximate alignment, a flaw in the objective, not in the "
    "search.",
    ("e", "side-effect"): "(e) reverses the causal arrow: in training the exit is the only "
    "source of coins, so the planner, which wants coins, pursues the exit as a means. That is "
    "instrumental alignment.",
}
_SHIFTS = {
    "a": "moving the marker off the exit",
    "b": "levels with more keys than chests",
    "c": "more search, or a closer marker",
    "d": "dimmer exits",
    "e": "coins offered elsewhere",
}


def check_name_the_kind(answer) -> Feedback:
    """``answer``: a dict from ``"a"`` ... ``"e"`` to one of :data:`KINDS`."""
    if not isinstance(answer, dict):
        return wrong(f"give a dict such as {{'a': 'side-effect', ...}}, got {answer!r}.")
    given = {str(k).strip().lower(): v for k, v in answer.items()}
    if set(given) != set(CASES):
        return wrong(f"give one kind for each of {sorted(CASES)}, got keys {sorted(given)}.")
    problems = []
    for case, reference in CASES.items():
        if not isinstance(given[case], str):
            return wrong(f"({case}) must be one of {KINDS}, got {given[case]!r}.")
        chosen = given[case].strip().lower().replace(" ", "-")
        if chosen not in KINDS:
            return wrong(f"({case}) must be one of {KINDS}, got {given[case]!r}.")
        if chosen != reference:
            problems.append(
                _MISTAKES.get(
                    (case, chosen),
                    f"({case}) is {reference} alignment, not {chosen}; it is exposed by "
                    f"{_SHIFTS[case]}.",
                )
            )
    if problems:
        return wrong(" ".join(problems))
    return right(
        "(a) and (b) side-effect, (c) suboptimality, (d) approximate, (e) instrumental; each is "
        "exposed by a different shift: "
        + "; ".join(f"({case}) {shift}" for case, shift in _SHIFTS.items())
        + "."
    )


# --- ex-inner-code: edit the objective ---------------------------------------------------------

EDITS = ("marker", "exit")
"""The weight each edited copy has set to zero."""
_VERSION = {"marker": "marker weight zeroed", "exit": "exit weight zeroed"}


@functools.lru_cache(maxsize=2)
def edited_rates(split: str = "test") -> dict[str, dict[str, float]]:
    """``{edit: settle rates}`` of each edited copy, from a fresh run of the ``objective-edit``
    experiment (on its test levels, or with ``split="train"`` on its training levels)."""
    from demos.experiments.objective_edit import ObjectiveEditConfig, run_objective_edit

    result = run_objective_edit(ObjectiveEditConfig())
    if split == "test":
        return {edit: dict(result.test_rates[_VERSION[edit]]) for edit in EDITS}
    from demos.analysis.objectives import edit_objective
    from demos.training import rollouts

    return {
        edit: rollouts.greedy_rollout(
            edit_objective(result.run.model, edit, 0.0), result.run.train_levels
        ).settle_rates()
        for edit in EDITS
    }


def _rates(answer, edit) -> dict[str, float] | Feedback:
    rates = answer.get(edit)
    if not isinstance(rates, dict) or not {"exit", "proxy"} <= set(rates):
        return wrong(
            f"answer[{edit!r}] must be the settle rates of that copy, a dict with keys 'exit' "
            f"and 'proxy' (what settle_rates() returns), got {rates!r}."
        )
    numbers = {}
    for key in ("exit", "proxy"):
        number = as_number(rates[key], f"answer[{edit!r}][{key!r}]")
        if isinstance(number, Feedback):
            return number
        numbers[key] = number
    return numbers


def check_edited_objective(answer) -> Feedback:
    """``answer``: ``{"marker": rates, "exit": rates}``, the settle rates on the test levels of the
    copy whose marker weight is zero and of the copy whose exit weight is zero."""
    if not isinstance(answer, dict) or set(answer) != set(EDITS):
        return wrong(
            "give a dict with keys 'marker' and 'exit' (the weight set to zero), each holding "
            f"that copy's settle rates; got {answer!r}."
        )
    given = {}
    for edit in EDITS:
        rates = _rates(answer, edit)
        if isinstance(rates, Feedback):
            return rates
        given[edit] = rates
    reference = edited_rates("test")
    tolerance = 0.02

    def agrees(values, target, scale=1.0):
        return all(
            abs(values[edit][key] - scale * target[edit][key]) <= tolerance * scale
            for edit in EDITS
            for key in ("exit", "proxy")
        )

    if agrees(given, reference):
        return right(
            f"Zeroing the marker weight sends {reference['marker']['exit']:.0%} of agents to the "
            f"exit; zeroing the exit weight leaves {reference['exit']['proxy']:.0%} on the marker. "
            "Only the edit aimed at the right weight fixes the model."
        )
    if agrees(given, reference, scale=100.0):
        return wrong("Those are percentages: give the rates as fractions between 0 and 1.")
    if agrees({"marker": given["exit"], "exit": given["marker"]}, reference):
        return wrong(
            "The two copies are swapped: 'marker' is the copy whose marker weight is zero, "
            "which goes to the exit."
        )
    if agrees(given, edited_rates("train")):
        return wrong(
            "Those are rates on the training levels, where marker and exit mostly share a "
            "cell; measure on the test levels (run.test_levels), where they are apart."
        )
    return wrong(
        f"A fresh run gives exit {reference['marker']['exit']:.2f} for the copy without marker "
        f"weight and marker {reference['exit']['proxy']:.2f} for the copy without exit weight; "
        "check that you edited run.model with edit_objective and rolled out on run.test_levels."
    )


# --- ex-inner-adversarial: how many simpler rivals ---------------------------------------------


def enumerated_rivals(length: int) -> int:
    """Bit strings shorter than ``length`` (the empty one included), counted one by one."""
    return sum(1 for n in range(length) for _ in itertools.product("01", repeat=n))


def check_rivals(answer) -> Feedback:
    """``answer``: a function ``rivals(L, m) -> (objectives shorter than L, inputs needed)``
    where each input rules out at most ``m`` objectives; compared with an enumeration."""
    if not callable(answer):
        return wrong("return the function rivals itself, not its value.")
    # the first trial tells the typical wrong counts apart (they coincide for small L)
    trials = [(10, 3)] + [(L, m) for L in range(1, 13) for m in (1, 3, 7, 64)]
    for L, m in trials:
        try:
            value = answer(L, m)
        except NotImplementedError:
            raise
        except Exception as error:
            return wrong(f"rivals({L}, {m}) raised {type(error).__name__}: {error}")
        if not isinstance(value, tuple | list) or len(value) != 2:
            return wrong(f"rivals({L}, {m}) must return a pair (count, inputs), got {value!r}.")
        count, inputs = (as_number(v, f"rivals({L}, {m})") for v in value)
        for number in (count, inputs):
            if isinstance(number, Feedback):
                return number
        expected = enumerated_rivals(L)
        needed = math.ceil(expected / m)
        if count != expected:
            hints = {
                2**L: "2^L is the number of strings of length exactly L; those shorter than L "
                "number 2^0 + ... + 2^(L-1) = 2^L - 1.",
                2 ** (L - 1): "That counts only the strings of length L - 1; add every shorter "
                "length: 2^0 + ... + 2^(L-1).",
                2**L - 2: "The empty string (length 0) is a bit string too: 2^L - 1.",
                L: "There are 2^l strings of each length l, not one.",
            }
            message = hints.get(int(count)) if float(count).is_integer() else None
            return wrong(
                message
                or f"For L = {L} your count is {count:g}; enumerating gives {expected} strings."
            )
        if inputs != needed:
            if abs(inputs - expected / m) < 1e-9:
                return wrong(
                    "Inputs come whole: with at most m rivals ruled out each, you need the "
                    "count divided by m, rounded up."
                )
            if inputs == expected // m:
                return wrong(
                    "Round up, not down: a remainder of rivals still needs one more input."
                )
            return wrong(
                f"For L = {L}, m = {m} you need at least {needed} inputs ({expected} rivals, at "
                f"most {m} each); your answer is {inputs:g}."
            )
    return right(
        "2^L - 1 objectives are shorter, and ruling them out takes at least ceil((2^L - 1) / m) "
        "inputs: exponential in the length of the base objective."
    )
