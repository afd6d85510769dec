"""Checks for the exercises of chapter 4 (the paper's section 4: deceptive alignment).

References are computed here, apart from the code the reader calls: backward induction over the
episodes of the paper's toy, the expected visits of a defection probability summed episode by
episode and maximised on a grid, and a fresh run of the ``learning-race`` experiment. Typical wrong
answers get a message that names the mistake.
"""

from __future__ import annotations

import functools

import numpy as np

from demos.exercises.checking import Feedback, as_number, one_of, right, wrong

# --- ex-deceptive-lax: the best plan against a lax base optimizer ----------------------------

LAX = {"training": 2, "deployment": 3, "modification": 0.2, "credit": 1.0}
"""The exercise's setting: T, D, p_mod and the visits a defection in training earns."""


def backward_plan(
    training: int, deployment: int, modification: float, credit: float = 1.0
) -> tuple[int, float]:
    """``(defections in training, expected visits)`` of the best plan when the model can tell
    training from deployment: work back from deployment, defecting in a training episode when
    the visit now plus the survival-weighted future beats pretending."""
    future, defections = float(deployment), 0
    for _ in range(training):
        defect = credit + (1.0 - modification) * future
        if defect > future:
            future, defections = defect, defections + 1
    return defections, future


def check_lax_plan(answer) -> Feedback:
    """``answer``: ``(defections in the training episodes, expected visits to B)`` of the best plan
    with T = 2, D = 3, p_mod = 0.2 and the phase visible."""
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return wrong(f"give a pair (defections in training, expected visits), got {answer!r}.")
    defections = as_number(answer[0], "the number of defections")
    if isinstance(defections, Feedback):
        return defections
    visits = as_number(answer[1], "the expected visits")
    if isinstance(visits, Feedback):
        return visits
    t, d, m, c = LAX["training"], LAX["deployment"], LAX["modification"], LAX["credit"]
    best, value = backward_plan(t, d, m, c)
    if defections == best and abs(visits - value) <= 1e-3:
        return right(
            f"Defect in {best} of the {t} training episodes too, for {value:.2f} expected visits "
            f"against {d} for pretending: against a lax base optimizer deception does not pay."
        )
    if defections == 0 and abs(visits - d) <= 1e-3:
        return wrong(
            "Pretending is best only when a defection is reliably punished. With p_mod = 0.2, "
            f"defecting in the last training episode earns 1 + 0.8 x {d} > {d}."
        )
    if defections == 1:
        return wrong(
            "Work back one more episode: in the first training episode, defecting earns 1 plus "
            "0.8 times what the last training episode is worth, more than that worth itself."
        )
    if defections == t + d:
        return wrong("Count only the training episodes; in deployment every episode is a visit.")
    if abs(visits - (c * t + d)) <= 1e-3:
        return wrong(
            "That ignores the risk: each defection in training is followed by a rewrite with "
            "probability 0.2, after which the model visits B no more."
        )
    swapped = float(d)
    for _ in range(t):  # defecting throughout, surviving each defection with p_mod, not 1 - p_mod
        swapped = c + m * swapped
    if abs(visits - swapped) <= 1e-3:
        return wrong(
            "The probabilities are swapped: a model survives a defection with probability "
            "1 - p_mod = 0.8, not 0.2."
        )
    return wrong(
        f"The best plan defects in {best} training episodes; your visits {visits:.4g} are not "
        "its expected value. Work backwards from the D visits of deployment."
    )


# --- ex-deceptive-derive: the optimal defection probability -----------------------------------


def expected_visits(p: float, training: int, deployment: int, modification: float, credit: float):
    """Expected visits to B of a model that defects with probability ``p`` in every episode,
    summed episode by episode (no closed form)."""
    unmodified, total = 1.0, 0.0
    for _ in range(training):
        total += credit * p * unmodified
        unmodified *= 1.0 - modification * p
    return total + deployment * p * unmodified


def scanned_defection(training, deployment, modification, credit, points: int = 20_001) -> float:
    """The best defection probability, by scanning a grid of p in [0, 1]."""
    grid = np.linspace(0.0, 1.0, points)
    values = np.array(
        [expected_visits(p, training, deployment, modification, credit) for p in grid]
    )
    return float(grid[int(np.argmax(values))])


def check_optimal_defection(answer) -> Feedback:
    """``answer``: a function ``p_star(p_mod, T, D, c)``, the defection probability that
    maximises E(p), compared with a grid scan of E summed episode by episode."""
    if not callable(answer):
        return wrong("return the function p_star itself, not its value.")
    rng = np.random.default_rng(6)
    inputs = [
        (float(rng.uniform(0.05, 1.0)), int(rng.integers(1, 6)), int(rng.integers(1, 8)),
         float(rng.uniform(0.2, 3.0)))
        for _ in range(25)
    ]  # fmt: skip
    inputs = [(0.9, 2, 3, 1.0), (0.3, 2, 3, 1.0)] + inputs  # one interior, one capped optimum

    def reference(m, t, d, c):
        return scanned_defection(t, d, m, c, points=4001)

    def value_of(function, args):
        try:
            return float(function(*args))
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001  the reader's code failed
            return error

    for args in inputs:
        value = value_of(answer, args)
        if isinstance(value, Exception):
            return wrong(f"p_star{args} raised {type(value).__name__}: {value}")
        expected = reference(*args)
        if abs(value - expected) > 2e-3:
            break
    else:
        return right(
            "p* = min(1, (cT + D) / (p_mod D (T + 1))) agrees with a scan of E(p) on "
            f"{len(inputs)} random settings; for T = 2, D = 3, c = 1 it is 5 / (9 p_mod)."
        )
    typical = {
        "The cap is missing: a probability cannot exceed 1, and where the stationary point is "
        "beyond 1, E still rises at p = 1, so p* = 1.": (
            lambda m, t, d, c: (c * t + d) / (m * d * (t + 1))
        ),
        "The factor is T + 1, not T: the deployment term D p q^T contributes one more factor "
        "of p_mod D when differentiated.": (lambda m, t, d, c: min(1.0, (c * t + d) / (m * d * t))),
        "That is the special case T = 2, D = 3, c = 1; write the general formula.": (
            lambda m, t, d, c: min(1.0, 5 / (9 * m))
        ),
        "Defecting always is best only when the bracket cT + D - p_mod D (T + 1) p stays "
        "positive up to p = 1; otherwise the optimum is inside.": lambda m, t, d, c: 1.0,
    }
    for message, formula in typical.items():
        try:
            if all(abs(float(answer(*a)) - formula(*a)) <= 1e-6 for a in inputs):
                return wrong(message)
        except Exception:  # noqa: BLE001, S112  not this formula
            continue
    m, t, d, c = args
    return wrong(
        f"At p_mod = {m:.3g}, T = {t}, D = {d}, c = {c:.3g} your p_star gives {value:.4g}; a scan "
        f"of E(p) peaks at {expected:.4g}. Set E'(p) = 0 and remember that p <= 1."
    )


# --- ex-deceptive-race: what replaces corrigibility -------------------------------------------

OUTCOMES = ("internal", "corrigible", "deceptive")


@functools.lru_cache(maxsize=1)
def slow_pointer_gain() -> str:
    """The outcome whose share at rate ratio 1 grows most when the pointer is slower than
    internalization, from fresh runs of the ``learning-race`` experiment."""
    from demos.experiments.learning_race import LearningRaceConfig, run_learning_race

    fast = run_learning_race(LearningRaceConfig(models_selection=False))
    slow = run_learning_race(LearningRaceConfig(models_selection=False, pointer_speedup=0.5))
    gains = {kind: slow.share(kind, 1.0) - fast.share(kind, 1.0) for kind in OUTCOMES}
    return max(gains, key=gains.get)


def check_race_replacement(answer) -> Feedback:
    """``answer``: ``"internal"``, ``"corrigible"`` or ``"deceptive"``, the outcome that takes the
    place of corrigibility when the pointer forms slower than internalization."""
    reference = slow_pointer_gain()
    return one_of(
        answer,
        reference,
        OUTCOMES,
        "the outcome",
        {
            "deceptive": "With the conditions of section 4.2 switched off "
            "(models_selection=False) no run can turn deceptive; the race is between the "
            "pointer and internalization.",
            "corrigible": "Corrigibility is what loses ground: a slower pointer is finished "
            "after internalization more often.",
        },
        f"Fresh runs give the lost corrigible share to {reference} alignment: once the pointer "
        "is slower, internalization finishes first.",
    )


# --- ex-deceptive-cues: rank the cues ----------------------------------------------------------


@functools.lru_cache(maxsize=1)
def cue_points() -> dict[str, tuple[float, float, float]]:
    """``{cue: (expected B-visits, training defection, deployment defection)}`` at noise 0 for
    each cue alone, from fresh runs of the ``deployment-cue`` experiment."""
    from demos.experiments.deployment_cue import DeploymentCueConfig, run_deployment_cue
    from demos.worlds.deployment_cues import FEATURES

    points = {}
    for name in FEATURES:
        point = run_deployment_cue(DeploymentCueConfig(features=(name,))).point(0.0)
        points[name] = (point.value, point.train_defection, point.deploy_defection)
    return points


def check_cue_ranking(answer) -> Feedback:
    """``answer``: the four cue names (``FEATURES`` of :mod:`demos.worlds.deployment_cues`),
    ordered from the most expected B-visits to the fewest."""
    points = cue_points()
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return wrong(f"give a list of the cue names {sorted(points)}, got {answer!r}.")
    given = [str(name).strip().replace(" ", "_") for name in answer]
    if sorted(given) != sorted(points):
        return wrong(f"give each of the cues {sorted(points)} once, got {list(answer)!r}.")

    def ranked(index, reverse=True):
        return sorted(points, key=lambda name: points[name][index], reverse=reverse)

    if given == ranked(0):
        return right(
            "From the most B-visits to the fewest: " + ", ".join(given) + ". The order follows "
            "the separations we chose for each cue, not anything about the world."
        )
    if given == ranked(0, reverse=False):
        return wrong("The order is reversed: rank from the most expected B-visits to the fewest.")
    if given in (ranked(1), ranked(1, reverse=False)):
        return wrong(
            "That ranks the cues by how often the policy defects in training; rank them by "
            "expected B-visits, which weighs the defections in deployment against the risk."
        )
    if given in (ranked(2), ranked(2, reverse=False)):
        return wrong(
            "That ranks the cues by how often the policy defects in deployment; rank them by "
            "expected B-visits, which also counts the rewrites its training defections risk."
        )
    return wrong(
        "Not the order of expected B-visits at noise 0; read `point(0.0).value` for each cue "
        "used alone."
    )
