"""Checks for the exercises of chapter 1 (the paper's section 1: mesa-optimization).

Each check compares the reader's answer with a reference computed here independently of the code
the reader calls: a breadth-first search of the hand-drawn mazes, the closed form of the blind
direction, paths walked by a known expert, or a fresh run of an experiment. Typical wrong answers
get a message that names the mistake.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Callable

import numpy as np

from demos.exercises.checking import Feedback, as_number, one_of, right, wrong

# --- ex-intro-salience: which feature wins when the exit is the brighter one ------------------

FEATURES = ("exit", "marker")


@functools.lru_cache(maxsize=4)
def swapped_winner(seed: int = 1) -> str:
    """Where the planner trained with the exit brighter settles most often on test mazes, from a
    fresh small run of the ``salience-swap`` experiment."""
    from demos.experiments.salience_swap import SalienceSwapConfig, run_salience_swap

    run = run_salience_swap(SalienceSwapConfig(train_steps=100, test_levels=200, seed=seed))
    rates = run.test_rates["exit brighter"]
    return "exit" if rates["exit"] > rates["proxy"] else "marker"


def check_which_feature_wins(answer) -> Feedback:
    """``answer``: ``"exit"`` or ``"marker"``, where the planner trained with the exit brighter
    settles on test mazes."""
    reference = swapped_winner()
    other = "marker" if reference == "exit" else "exit"
    return one_of(
        answer,
        reference,
        FEATURES,
        "the feature the planner settles on",
        {
            other: f"A fresh run settles on the {reference}. The planner does not prefer the "
            f"{other} for what it is: with q = 0 the training data never separate the two "
            "features, so whichever is brighter is the cheaper route to a high reward on the "
            "shared cell, and Adam grows its weight faster. Swapping the brightnesses swaps "
            "the winner.",
        },
        f"A fresh run settles on the {reference}: the brighter feature wins, because with q = 0 "
        "the data never say which feature is the base objective.",
    )


# --- ex-intro-horizon: which mazes a six-step search still solves -----------------------------

WEAK_PLANNING_STEPS = 6
"""Planning steps of the weak planner in the exercise."""


def shortest_path(picture: tuple[str, ...]) -> int:
    """Moves from ``S`` to ``E`` in a hand-drawn maze (``#`` walls), by breadth-first search."""
    cells = {(r, c): ch for r, row in enumerate(picture) for c, ch in enumerate(row)}
    start = next(cell for cell, ch in cells.items() if ch == "S")
    seen, queue = {start: 0}, deque([start])
    while queue:
        cell = queue.popleft()
        if cells[cell] == "E":
            return seen[cell]
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nxt = (cell[0] + dr, cell[1] + dc)
            if nxt in cells and cells[nxt] != "#" and nxt not in seen:
                seen[nxt] = seen[cell] + 1
                queue.append(nxt)
    raise ValueError("the maze has no path from S to E")


def weak_search_solves(planning_steps: int = WEAK_PLANNING_STEPS) -> list[str]:
    """The bottle-cap mazes whose exit is within ``planning_steps`` moves of the start (BFS)."""
    from demos.experiments.bottle_cap import EDITS

    return [name for name, picture in EDITS.items() if shortest_path(picture) <= planning_steps]


def check_weak_search(answer) -> Feedback:
    """``answer``: the names of the bottle-cap mazes (keys of ``EDITS``) that the planner with six
    planning steps still solves."""
    from demos.experiments.bottle_cap import EDITS

    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return wrong(f"give a list of maze names, such as {list(EDITS)[:2]!r}; got {answer!r}.")
    chosen = {str(name).strip().lower() for name in answer}
    unknown = sorted(chosen - set(EDITS))
    if unknown:
        return wrong(f"{unknown} are not maze names; the mazes are {list(EDITS)}.")
    reference = set(weak_search_solves())
    lengths = {name: shortest_path(picture) for name, picture in EDITS.items()}
    if chosen == reference:
        return right(
            f"A search {WEAK_PLANNING_STEPS} steps deep sees the exit only where the shortest "
            f"path is at most {WEAK_PLANNING_STEPS} moves long: {sorted(reference)}."
        )
    if chosen == set(EDITS):
        return wrong(
            "Not every maze: a search only finds what lies within its horizon. Compare each "
            f"maze's shortest path with the {WEAK_PLANNING_STEPS} planning steps."
        )
    if chosen == {n for n in EDITS if lengths[n] < WEAK_PLANNING_STEPS}:
        return wrong(
            "Off by one: an exit exactly as many moves away as the planning steps is still "
            "seen by the search."
        )
    missing, extra = sorted(reference - chosen), sorted(chosen - reference)
    parts = []
    if missing:
        parts.append(f"{missing} are within reach of the search and are solved")
    if extra:
        parts.append(f"{extra} have their exit beyond the search horizon")
    return wrong("; ".join(parts) + ". Compare the shortest paths with the planning steps.")


# --- ex-intro-derive: the direction training mazes cannot see ---------------------------------


def blind_direction(exit_salience: float, marker_salience: float) -> np.ndarray:
    """Unit vector in the (w_exit, w_marker) plane along which the shared cell's reward
    ``s_e w_exit + s_m w_marker`` stays constant."""
    vector = np.array([marker_salience, -exit_salience], dtype=float)
    return vector / np.linalg.norm(vector)


def _saliences() -> tuple[float, float]:
    from demos.experiments.behavioral_objective import BehavioralObjectiveConfig

    config = BehavioralObjectiveConfig()
    return config.exit_salience, config.marker_salience


def check_blind_direction(answer) -> Feedback:
    """``answer``: a pair ``(d_exit, d_marker)``, a direction in the (w_exit, w_marker) plane along
    which the loss on mazes whose marker sits on the exit does not change, for the book's default
    brightnesses (any nonzero multiple is accepted)."""
    try:
        vector = np.asarray(answer, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return wrong(f"give two numbers (d_exit, d_marker), got {answer!r}.")
    if vector.shape != (2,) or not np.all(np.isfinite(vector)):
        return wrong(f"give two finite numbers (d_exit, d_marker), got {answer!r}.")
    if np.linalg.norm(vector) < 1e-12:
        return wrong("The zero vector is no direction: every loss is flat along it.")
    s_e, s_m = _saliences()
    unit = vector / np.linalg.norm(vector)

    def parallel(other):
        return abs(float(unit @ (np.asarray(other) / np.linalg.norm(other)))) > 1 - 1e-6

    if parallel(blind_direction(s_e, s_m)):
        return right(
            f"Along ({s_m:g}, -{s_e:g}) the shared cell's reward s_e w_exit + s_m w_marker does "
            "not change, so neither does anything the planner does on such mazes."
        )
    if parallel((s_e, s_m)):
        return wrong(
            "That is the gradient's direction (s_e, s_m): the one direction the loss does see. "
            "The blind direction is orthogonal to it."
        )
    if parallel((s_e, -s_m)):
        return wrong(
            "The brightnesses are swapped: moving by (s_e, -s_m) changes s_e w_exit + s_m w_marker "
            "unless s_e = s_m. Solve s_e d_exit + s_m d_marker = 0."
        )
    if parallel((1.0, -1.0)):
        return wrong(
            "Trading one unit of exit weight for one of marker weight ignores the brightnesses: "
            f"the exit shows at {s_e:g} and the marker at {s_m:g}. Solve "
            "s_e d_exit + s_m d_marker = 0."
        )
    return wrong(
        "Along that direction the shared cell's reward s_e w_exit + s_m w_marker changes, so the "
        "training loss can see it. Solve s_e d_exit + s_m d_marker = 0."
    )


# --- ex-intro-code: the blend of features that best explains paths ----------------------------


@functools.lru_cache(maxsize=2)
def walker_paths(target: str, n: int = 12, seed: int = 0):
    """Test-style levels (marker away from the exit) and the paths of the BFS expert walking to
    ``target``: a walker whose objective is known by construction."""
    from demos.worlds.mazes import (
        LevelConfig,
        default_horizon,
        expert_actions,
        generate_levels,
        step,
    )

    config = LevelConfig(decorrelated_fraction=1.0)
    levels = generate_levels(config, n, np.random.default_rng(seed))
    actions = expert_actions(levels, target)
    position = np.array(levels.start, dtype=np.int64)
    path = [position]
    for _ in range(default_horizon(config.size)):
        chosen = actions[np.arange(n), position[:, 0], position[:, 1]]
        position = step(levels.walls, position, np.maximum(chosen, 0))
        path.append(position)
    return levels, np.stack(path, axis=1)


def check_best_angle(answer: Callable) -> Feedback:
    """``answer``: a function ``best_angle(levels, paths) -> degrees`` (0: the exit only, 90: the
    marker only), tried on agents that walk straight to the exit and straight to the marker."""
    if not callable(answer):
        return wrong("return the function itself (best_angle), not its value.")
    results = {}
    for target, expected in (("exit", 0.0), ("marker", 90.0)):
        levels, paths = walker_paths(target)
        number = as_number(answer(levels, paths), "best_angle's result")
        if isinstance(number, Feedback):
            return number
        results[target] = (number, expected)
    (on_exit, _), (on_marker, _) = results["exit"], results["marker"]
    tolerance = 10.0
    if abs(on_exit) <= tolerance and abs(on_marker - 90.0) <= tolerance:
        return right(
            f"An agent that walks to the exit is best explained at {on_exit:.0f} degrees, one "
            f"that walks to the marker at {on_marker:.0f} degrees."
        )
    if abs(on_exit) <= 0.2 and abs(on_marker - math.pi / 2) <= 0.2:
        return wrong("The angle is in radians: convert it with np.degrees.")
    if abs(on_exit - 90.0) <= tolerance and abs(on_marker) <= tolerance:
        return wrong(
            "The angles are reversed: an agent walking to the marker came out near 0 (the exit "
            "only). Angle 0 puts all reward on the exit; or you took the worst candidate "
            "(argmin) instead of the best."
        )
    return wrong(
        f"An agent that walks straight to the exit should come out near 0 degrees and one that "
        f"walks to the marker near 90; yours gave {on_exit:.3g} and {on_marker:.3g}. Sum the "
        "log-likelihoods over the mazes (axis 0), then take the angle with the largest sum."
    )


# --- ex-intro-classify: outer or inner --------------------------------------------------------

KINDS = ("outer", "inner", "neither")
FAILURES = {"a": "outer", "b": "inner", "c": "neither", "d": "neither"}
"""The reference classification of the four failures (see the worked solution)."""

_WHY = {
    "a": "the camera's count (the base objective) is not a clean room (the intended goal), and "
    "the robot does well on the count itself",
    "b": "reaching the exit is what the designers want; the planner's learned objective is what "
    "departs from it off the training mazes",
    "c": "whether it is outer depends on whether predicting human text already rewards "
    "falsehoods, and whether there is a mesa-objective at all cannot be told from behaviour",
    "d": "the planner's objective is fine; its search is too short, a failure of capability",
}
_MISTAKES = {
    ("a", "inner"): "(a) is not inner: no learned objective is needed for this failure, since the "
    "robot maximises the very quantity it was rewarded for.",
    ("b", "outer"): "(b) is not outer: the base objective, reaching the exit, is what the "
    "designers wanted. Outer and inner are swapped.",
    ("d", "inner"): "(d) is not inner: the planner still pursues the exit; a search that is too "
    "short to see it is a capability failure, not a misaligned objective.",
    ("d", "outer"): "(d) is not outer: the reward was right. The planner lacks capability on "
    "large mazes.",
}


def check_outer_or_inner(answer) -> Feedback:
    """``answer``: a dict from ``"a"``, ``"b"``, ``"c"``, ``"d"`` to ``"outer"``, ``"inner"`` or
    ``"neither"`` (not clearly either)."""
    if not isinstance(answer, dict):
        return wrong(f"give a dict such as {{'a': 'outer', ...}}, got {answer!r}.")
    given = {str(k).strip().lower(): v for k, v in answer.items()}
    if set(given) != set(FAILURES):
        return wrong(f"give one kind for each of {sorted(FAILURES)}, got keys {sorted(given)}.")
    problems = []
    for case, reference in FAILURES.items():
        verdict = one_of(given[case], reference, KINDS, f"the kind of ({case})", {}, "")
        if verdict.correct:
            continue
        if str(given[case]).strip().lower() not in KINDS:
            return verdict
        chosen = str(given[case]).strip().lower()
        problems.append(
            _MISTAKES.get((case, chosen), f"({case}) is {reference}, not {chosen}: {_WHY[case]}.")
        )
    if problems:
        return wrong(" ".join(problems))
    return right(
        "(a) outer, (b) inner, (c) not clearly either, (d) neither: a capability failure. "
        "Placing a failure needs the intended goal, the base objective and, for inner "
        "alignment, what the model optimizes."
    )
