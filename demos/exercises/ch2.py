"""Checks for the exercises of chapter 2 (the paper's section 2: conditions for mesa-optimization).

The reader's formulas are tried on random inputs and compared with references computed here in
another way: a brute-force scan of the toy model's power over a grid of search powers, free cells
counted on generated mazes, and a move-by-move simulation of a planner whose search deepens as it
walks. Typical wrong formulas get a message that names the mistake.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from demos.exercises.checking import Feedback, as_number, right, wrong

RANDOM_TRIALS = 40
"""Random inputs each formula is tried on."""


def _formula(answer, name: str) -> Callable | Feedback:
    if not callable(answer):
        return wrong(f"return the function {name} itself, not a value (got {answer!r}).")
    return answer


def _evaluate(function, args, what: str) -> float | Feedback:
    try:
        value = function(*args)
    except NotImplementedError:
        raise
    except Exception as error:  # the reader's code failed: say where, not crash the check
        return wrong(f"{what}{args} raised {type(error).__name__}: {error}")
    return as_number(value, f"{what}{args}")


def _first_mismatch(function, reference, inputs, what, tolerance):
    """The first input where ``function`` differs from ``reference`` (relative tolerance), or
    None; a Feedback if the function fails."""
    for args in inputs:
        value = _evaluate(function, args, what)
        if isinstance(value, Feedback):
            return value
        expected = reference(*args)
        if abs(value - expected) > tolerance * max(1.0, abs(expected)):
            return args, value, expected
    return None


def _matches(candidate, inputs, reference, tolerance=1e-6) -> bool:
    """Whether ``candidate`` equals the typical wrong formula ``reference`` on every input."""
    try:
        return all(
            abs(float(candidate(*args)) - reference(*args))
            <= tolerance * max(1.0, abs(reference(*args)))
            for args in inputs
        )
    except Exception:  # the reader's function fails somewhere: it is not this formula
        return False


# --- ex-conditions-quadratic and ex-conditions-linear: the toy model's optimum ----------------


def scanned_optimum(budget: float, tasks: float, kind: str, scale: float) -> float:
    """The search power that maximises power per instance, ``(P - f(x)) / N + x``, by scanning a
    fine grid of affordable powers (``f(x) <= P``), independent of any closed form."""
    top = math.sqrt(budget / scale) if kind == "quadratic" else budget / scale
    xs = np.linspace(0.0, top, 200_001)
    cost = scale * xs**2 if kind == "quadratic" else scale * xs
    power = (budget - cost) / tasks + xs
    best = power.max()
    # ties (the linear cost at N = c): the smallest x, search only where it strictly helps
    return float(xs[np.flatnonzero(power >= best - 1e-12 * max(1.0, abs(best)))[0]])


def _toy_inputs(rng: np.random.Generator) -> list[tuple[float, float, float]]:
    """Random (P, N, c) covering both sides of every threshold."""
    inputs = []
    for _ in range(RANDOM_TRIALS):
        budget = float(rng.uniform(1.0, 200.0))
        scale = float(rng.uniform(0.5, 10.0))
        tasks = float(rng.uniform(1.0, 4.0 * max(math.sqrt(budget * scale), scale)))
        inputs.append((budget, tasks, scale))
    return inputs


def check_quadratic_optimum(answer) -> Feedback:
    """``answer``: a function ``x_star(P, N, c)``, the best search power with cost ``c x**2``,
    compared with a scan of the power per instance on random inputs."""
    function = _formula(answer, "x_star")
    if isinstance(function, Feedback):
        return function
    inputs = _toy_inputs(np.random.default_rng(2))
    mismatch = _first_mismatch(
        function, lambda p, n, c: scanned_optimum(p, n, "quadratic", c), inputs, "x_star", 1e-3
    )
    if mismatch is None:
        return right(
            "x* = min(N / (2c), sqrt(P / c)) agrees with a scan of the power per instance on "
            f"{len(inputs)} random (P, N, c); the budget runs out once N >= 2 sqrt(P c)."
        )
    if isinstance(mismatch, Feedback):
        return mismatch
    (p, n, c), value, expected = mismatch
    typical = {
        "The budget is missing: N / (2c) costs c x^2 = N^2 / (4c), more than P once "
        "N > 2 sqrt(P c). Cap x at sqrt(P / c).": lambda p, n, c: n / (2 * c),
        "Off by a factor of two: the derivative of (P - c x^2) / N + x is 1 - 2 c x / N.": (
            lambda p, n, c: min(n / c, math.sqrt(p / c))
        ),
        "The cap is wrong: the budget allows c x^2 <= P, so x <= sqrt(P / c), not P / c.": (
            lambda p, n, c: min(n / (2 * c), p / c)
        ),
        "That spends the whole budget on search whatever N is; the interior optimum "
        "N / (2c) applies until the budget runs out.": lambda p, n, c: math.sqrt(p / c),
    }
    for message, formula in typical.items():
        if _matches(function, inputs, formula):
            return wrong(message)
    return wrong(
        f"At P = {p:.4g}, N = {n:.4g}, c = {c:.4g} your x_star gives {value:.4g}; the best search "
        f"power is {expected:.4g}. Maximise (P - c x^2) / N + x over 0 <= x <= sqrt(P / c)."
    )


def check_linear_optimum(answer) -> Feedback:
    """``answer``: a function ``x_star(P, N, c)``, the best search power with cost ``c x``,
    compared with a scan on random inputs (none at the tie N = c, where every x is best)."""
    function = _formula(answer, "x_star")
    if isinstance(function, Feedback):
        return function
    inputs = _toy_inputs(np.random.default_rng(3))
    mismatch = _first_mismatch(
        function, lambda p, n, c: scanned_optimum(p, n, "linear", c), inputs, "x_star", 1e-3
    )
    if mismatch is None:
        return right(
            "x* is 0 for N <= c and P / c for N > c: a step, since the power per instance "
            "P / N + x (1 - c / N) is a straight line in x."
        )
    if isinstance(mismatch, Feedback):
        return mismatch
    typical = {
        "The step is reversed: the slope 1 - c / N is positive, so search pays, when N > c.": (
            lambda p, n, c: p / c if n < c else 0.0
        ),
        "There is no interior optimum with a linear cost: the power is a straight line in x, "
        "so the best x is at an end of [0, P / c].": lambda p, n, c: min(n / (2 * c), p / c),
        "The cap is wrong: the budget allows c x <= P, so x <= P / c.": (
            lambda p, n, c: math.sqrt(p / c) if n > c else 0.0
        ),
    }
    for message, formula in typical.items():
        if _matches(function, inputs, formula):
            return wrong(message)
    (p, n, c), value, expected = mismatch
    return wrong(
        f"At P = {p:.4g}, N = {n:.4g}, c = {c:.4g} your x_star gives {value:.4g}; the best "
        f"search power is {expected:.4g}. Look at the sign of the slope 1 - c / N."
    )


# --- ex-conditions-size: where the table overtakes the planner on bigger mazes ----------------


def free_cells(size: int, wall_density: float = 0.3) -> int:
    """Free cells of a generated maze of side ``size``, counted on one generated level."""
    from demos.worlds.mazes import LevelConfig, generate_levels

    level = generate_levels(
        LevelConfig(size=size, wall_density=wall_density), 1, np.random.default_rng(0)
    )
    return int((~np.asarray(level.walls[0], dtype=bool)).sum())


def check_crossing_estimate(answer) -> Feedback:
    """``answer``: a function ``estimate(crossing, size_from, size_to)``, the number of mazes after
    which the table overtakes the planner at side ``size_to``, given the crossing at
    ``size_from``. Compared with the table's cost counted in free cells of generated mazes."""
    function = _formula(answer, "estimate")
    if isinstance(function, Feedback):
        return function
    rng = np.random.default_rng(4)
    inputs = [
        (float(rng.uniform(5.0, 200.0)), int(a), int(b))
        for a, b in rng.integers(6, 21, size=(12, 2))
        if a != b
    ]
    free = {size: free_cells(size) for size in range(6, 21)}

    def reference(crossing, size_from, size_to):
        return crossing * free[size_from] / free[size_to]

    mismatch = _first_mismatch(function, reference, inputs, "estimate", 0.12)
    if mismatch is None:
        return right(
            "The table's bits grow with the free cells, about s^2, and the planner's stay "
            "fixed, so the crossing scales like (s0 / s)^2."
        )
    if isinstance(mismatch, Feedback):
        return mismatch
    typical = {
        "That scales with the side, not the area: the table stores an answer per free cell, "
        "and their number grows like s^2.": lambda c, a, b: c * a / b,
        "The ratio is upside down: bigger mazes make the table expensive sooner, so the "
        "crossing comes after fewer mazes.": lambda c, a, b: c * (b / a) ** 2,
        "The crossing does move: the planner's description is fixed but the table's grows "
        "with the maze.": lambda c, a, b: c,
    }
    for message, formula in typical.items():
        if _matches(function, inputs, formula, tolerance=1e-6):
            return wrong(message)
    (c, a, b), value, expected = mismatch
    return wrong(
        f"From a crossing of {c:.4g} mazes at side {a}, your estimate for side {b} is "
        f"{value:.4g}; counting free cells gives about {expected:.4g}."
    )


# --- ex-conditions-memory: moves to the exit when the search deepens move by move -------------


def simulated_moves(distance: int, backups: int) -> int:
    """Moves a stateful planner needs from ``distance`` steps away, simulated move by move: it
    stays put until its accumulated search depth reaches the exit, then walks the shortest path
    (the move that sees the exit is the first step of that path)."""
    depth, moves, left = 0, 0, distance
    while left > 0:
        moves += 1
        depth += backups
        if depth >= distance:
            left -= 1
    return moves


def check_moves_to_exit(answer) -> Feedback:
    """``answer``: a function ``moves(d, b)``, the move on which a planner with ``b`` backups per
    move arrives from a start ``d`` moves from the exit, compared with a move-by-move
    simulation on random inputs."""
    function = _formula(answer, "moves")
    if isinstance(function, Feedback):
        return function
    rng = np.random.default_rng(5)
    inputs = [
        (int(d), int(b))
        for d, b in zip(rng.integers(1, 40, 40), rng.integers(1, 9, 40), strict=True)
    ]
    inputs += [(7, 7), (8, 1), (1, 5)]
    mismatch = _first_mismatch(function, simulated_moves, inputs, "moves", 1e-9)
    if mismatch is None:
        return right(
            "ceil(d / b) + d - 1: the exit comes into view on move ceil(d / b), and that move is "
            "already the first step of the shortest path."
        )
    if isinstance(mismatch, Feedback):
        return mismatch
    typical = {
        "That is the shortest path alone: until its search reaches the exit the planner "
        "stays put, for ceil(d / b) - 1 moves.": lambda d, b: d,
        "Off by one: the move on which the exit comes into view is already the first step "
        "towards it.": lambda d, b: math.ceil(d / b) + d,
        "The ceiling is missing: the search deepens by whole backups, so the exit comes into "
        "view on move ceil(d / b), a whole number.": lambda d, b: d / b + d - 1,
        "Round up, not down: the search must reach at least d steps deep.": (
            lambda d, b: d // b + d - 1
        ),
        "That counts only the wait: after the exit comes into view the planner still walks "
        "the shortest path.": lambda d, b: math.ceil(d / b),
    }
    for message, formula in typical.items():
        if _matches(function, inputs, formula, tolerance=1e-9):
            return wrong(message)
    (d, b), value, expected = mismatch
    return wrong(
        f"From {d} moves away with {b} backups per move your formula gives {value:.4g}; a "
        f"move-by-move simulation arrives on move {expected}."
    )
