"""Exact solutions of the paper's toy of deceptive alignment (Fig. 4.1) and of its absent-minded
variant. Used by chapter 4 (experiments ``deception-toy``, ``absent-minded`` and
``deployment-cue``).

The toy. A mesa-optimizer whose objective is to reach corner B faces ``T`` training episodes and
then ``D`` deployment episodes; the base objective rewards corner A. Each time it goes to B during
training, the base optimizer notices and, with probability ``m`` (the *modification probability*),
rewrites its objective, after which it goes to A for good. Deployment episodes are never followed by
an update. The mesa-objective counts B-visits over all episodes: a visit in deployment is worth 1,
a visit in training is worth ``c`` (the *training credit*; 1 in the paper's toy, 0 if only
deployment defections count).

Policies. Write ``f_T`` and ``f_D`` for the probability of going to B in a training and in a
deployment episode (independent across episodes, as long as the model has not been rewritten).
Because a training defection leaves the model unmodified with probability ``1 - m f_T`` per
episode, the expected number of B-visits is::

    E(f_T, f_D) = c (1 - (1 - m f_T)^T) / m  +  D f_D (1 - m f_T)^T        (m > 0)
    E(f_T, f_D) = c T f_T + D f_D                                           (m = 0)

If the model can tell the phases apart it chooses ``f_T`` and ``f_D`` separately; "defect only in
deployment" is ``E(0, 1) = D``. If it cannot (the absent-minded case), ``f_T = f_D = p`` and::

    dE/dp = (1 - m p)^(T-1) [c T + D - m D (T + 1) p]

so the best defection probability is ``p* = min(1, (c T + D) / (m D (T + 1)))``. With the paper's
numbers (T = 2, D = 3, m = 1, c = 1) that is 5/9, and ``E(p) = 5p - 7p^2 + 3p^3``. Counting only
deployment defections (c = 0) gives ``p* = 1 / (m (T + 1))``.

Every closed form here is paired with an independent route to the same number (an
episode-by-episode recursion, a numerical maximisation, a Monte Carlo simulation), which the tests
and the experiments compare.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from demos.analysis.roc import upper_hull
from demos.core.config import Config, ranged
from demos.core.validation import check_float, check_int, check_shape

GOLDEN = (math.sqrt(5) - 1) / 2
"""Shrink factor of golden-section search."""

CLASSIC_DRIVER = (0.0, 4.0, 1.0)
"""Payoffs of the classic absent-minded driver (Piccione and Rubinstein; Aumann et al.): exit at
the first junction, exit at the second, drive past both."""


@dataclass(frozen=True)
class Setting(Config):
    """One instance of the toy: episode counts, modification probability and training credit."""

    training_episodes: int = ranged(2, 0, 1_000_000)
    """T: episodes after each of which the base optimizer may update the model."""
    deployment_episodes: int = ranged(3, 1, 1_000_000)
    """D: episodes after training, with no updates."""
    modification_probability: float = ranged(1.0, 0.0, 1.0)
    """m: chance that a defection in training leads to the model's objective being rewritten."""
    training_credit: float = ranged(1.0, 0.0, 1e6)
    """c: what a B-visit during training is worth to the mesa-objective, next to 1 in deployment."""


def value(setting: Setting, train_rate, deploy_rate) -> np.ndarray | float:
    """Expected B-visits ``E(f_T, f_D)`` in closed form (see the module docstring).

    Args:
        setting: the toy's parameters.
        train_rate: float or array in [0, 1]. f_T, the chance of going to B in a training episode.
        deploy_rate: float or array in [0, 1], broadcastable with ``train_rate``. f_D.
    """
    f_t, f_d = _rates(train_rate, deploy_rate)
    t, d, m, c = _unpack(setting)
    if m == 0:
        out = c * t * f_t + d * f_d
    else:
        survive = (1.0 - m * f_t) ** t
        out = c * (1.0 - survive) / m + d * f_d * survive
    return float(out) if np.ndim(out) == 0 else out


def deployment_part(setting: Setting, train_rate, deploy_rate) -> np.ndarray | float:
    """The part of :func:`value` earned in deployment: ``D f_D (1 - m f_T)^T``."""
    f_t, f_d = _rates(train_rate, deploy_rate)
    t, d, m, _ = _unpack(setting)
    out = d * f_d * (1.0 - m * f_t) ** t
    return float(out) if np.ndim(out) == 0 else out


def value_by_recursion(setting: Setting, train_rate, deploy_rate) -> np.ndarray | float:
    """The same expectation computed episode by episode (no closed form): the probability of
    being still unmodified is carried from one training episode to the next."""
    f_t, f_d = _rates(train_rate, deploy_rate)
    t, d, m, c = _unpack(setting)
    unmodified = np.ones(np.broadcast(f_t, f_d).shape)
    total = np.zeros_like(unmodified)
    for _ in range(t):
        total = total + unmodified * f_t * c
        unmodified = unmodified * (1.0 - m * f_t)
    total = total + unmodified * d * f_d
    return float(total) if total.ndim == 0 else total


def optimal_defection_probability(setting: Setting) -> float:
    """p*, the best probability of defecting in every episode when the phase cannot be seen."""
    t, d, m, c = _unpack(setting)
    if m == 0:
        return 1.0
    return float(min(1.0, (c * t + d) / (m * d * (t + 1))))


def numerical_optimum(setting: Setting, grid: int = 2001) -> tuple[float, float]:
    """Maximise :func:`value_by_recursion` over p (f_T = f_D = p) without the closed form.

    Returns:
        (p, value): the maximiser and the expected B-visits there.
    """
    return maximise(lambda p: value_by_recursion(setting, p, p), grid)


def maximise(function, grid: int = 2001) -> tuple[float, float]:
    """Maximise ``function`` (vectorised over numpy arrays) on [0, 1]: the best of ``grid`` evenly
    spaced points, refined by golden-section search on the interval around it.

    Returns:
        (x, function(x)).
    """
    grid = check_int("grid", grid, 3, 10_000_000)
    xs = np.linspace(0.0, 1.0, grid)
    best = int(np.argmax(function(xs)))
    low, high = xs[max(best - 1, 0)], xs[min(best + 1, grid - 1)]
    refined = golden_section_max(function, low, high)
    top_value, top_x = max((float(function(x)), float(x)) for x in (refined, xs[best]))
    return top_x, top_value


def golden_section_max(function, low: float, high: float, tolerance: float = 1e-12) -> float:
    """The maximiser of a unimodal ``function`` on ``[low, high]`` by golden-section search."""
    a, b = float(low), float(high)
    if not b >= a:
        raise ValueError(f"high must be >= low, got low={low!r}, high={high!r}")
    x1, x2 = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    f1, f2 = function(x1), function(x2)
    while b - a > tolerance:
        if f1 >= f2:
            b, x2, f2 = x2, x1, f1
            x1 = b - GOLDEN * (b - a)
            f1 = function(x1)
        else:
            a, x1, f1 = x1, x2, f2
            x2 = a + GOLDEN * (b - a)
            f2 = function(x2)
    return (a + b) / 2


def value_polynomial(setting: Setting) -> np.ndarray:
    """Coefficients of E(p) = E(p, p) as a polynomial in p, lowest power first (length T + 2).

    Expands ``(1 - m p)^T`` by the binomial theorem, so for the paper's toy it returns
    ``[0, 5, -7, 3]``: ``5p - 7p^2 + 3p^3``.
    """
    t, d, m, c = _unpack(setting)
    coefficients = np.zeros(t + 2)
    for k in range(t + 1):
        binomial = math.comb(t, k) * (-m) ** k
        coefficients[k + 1] += d * binomial  # D p (1 - m p)^T
        if k >= 1:
            coefficients[k] += c * math.comb(t, k) * (-1) ** (k + 1) * m ** (k - 1)
    return coefficients


def polynomial_text(coefficients, variable: str = "p") -> str:
    """A polynomial as LaTeX-friendly text, e.g. ``5p - 7p^2 + 3p^3`` (near-zero terms dropped)."""
    terms = []
    for power, coefficient in enumerate(np.asarray(coefficients, dtype=float)):
        if abs(coefficient) < 1e-12:
            continue
        size = abs(coefficient)
        number = f"{size:g}" if power == 0 or not math.isclose(size, 1.0) else ""
        body = number + (variable if power >= 1 else "") + (f"^{power}" if power >= 2 else "")
        sign = "-" if coefficient < 0 else "+"
        terms.append((sign, body))
    if not terms:
        return "0"
    text = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return text + "".join(f" {sign} {body}" for sign, body in terms[1:])


def modification_probability_for(target: float, setting: Setting) -> float:
    """The modification probability m at which p* equals ``target`` (T, D and c from ``setting``).

    From ``p* = (c T + D) / (m D (T + 1))``; raises if no m in (0, 1] gives ``target``.
    """
    target = check_float("target", target, 0.0, 1.0)
    t, d, _, c = _unpack(setting)
    if target <= 0:
        raise ValueError(f"target must be a number in (0, 1], got {target!r}")
    m = (c * t + d) / (target * d * (t + 1))
    if not 0 < m <= 1:
        raise ValueError(
            f"target must be at least (cT + D) / (D (T + 1)) = {(c * t + d) / (d * (t + 1)):.4f} "
            f"for some modification probability in (0, 1] to give it, got {target!r}"
        )
    return float(m)


def training_credit_for(target: float, setting: Setting) -> float:
    """The training credit c at which p* equals ``target`` (T, D and m from ``setting``)."""
    target = check_float("target", target, 0.0, 1.0)
    t, d, m, _ = _unpack(setting)
    if t == 0 or m == 0:
        raise ValueError("training_episodes and modification_probability must be > 0 here")
    c = (target * m * d * (t + 1) - d) / t
    if c < 0:
        raise ValueError(f"target must be at least 1 / (m (T + 1)), got {target!r}")
    return float(c)


def policy_values(setting: Setting) -> dict[str, float]:
    """Expected B-visits of the four policies of the chapter.

    Returns ``{"always_a", "always_b", "deployment_only", "best_random"}``: never defect, always
    defect, defect exactly in deployment (needs the phase to be visible), and defect with
    probability p* in every episode (the best the model can do when it cannot see the phase).
    """
    p = optimal_defection_probability(setting)
    return {
        "always_a": 0.0,
        "always_b": value(setting, 1.0, 1.0),
        "deployment_only": value(setting, 0.0, 1.0),
        "best_random": value(setting, p, p),
    }


def best_visible_plan(setting: Setting) -> tuple[float, tuple[bool, ...]]:
    """The best plan of a model that knows the phase and the episode's number, by backward
    induction: in training episode t it defects exactly when the credit now beats the expected loss
    of the future, ``c > m V(t + 1)``.

    Returns:
        (value, plan): expected B-visits and, per training episode, whether to defect (deployment
        episodes are always defections).
    """
    t, d, m, c = _unpack(setting)
    future = float(d)
    plan = []
    for _ in range(t):
        defect = c + (1.0 - m) * future > future
        future = c + (1.0 - m) * future if defect else future
        plan.append(defect)
    return future, tuple(reversed(plan))


def simulate(
    setting: Setting,
    train_rate,
    deploy_rate: float,
    runs: int,
    rng: np.random.Generator,
) -> float:
    """Monte Carlo estimate of the expected B-visits: ``runs`` sequences of episodes, each
    defection in training followed by a modification with probability m.

    Args:
        setting: the toy's parameters.
        train_rate: float, or (T,) floats: the chance of defecting in each training episode.
        deploy_rate: float, the chance of defecting in each deployment episode.
        runs: int >= 1, sequences simulated.
        rng: the generator all randomness is drawn from.
    """
    runs = check_int("runs", runs, 1)
    t, d, m, c = _unpack(setting)
    rates, f_d = _rates(train_rate, deploy_rate)
    rates = np.broadcast_to(rates, (t,)) if rates.ndim == 0 else rates
    check_shape("train_rate", rates.shape, f"() or ({t},)", rates.shape == (t,))
    unmodified = np.ones(runs, dtype=bool)
    total = np.zeros(runs)
    for f_t in rates:
        defect = unmodified & (rng.random(runs) < f_t)
        total += c * defect
        unmodified &= ~(defect & (rng.random(runs) < m))
    total += unmodified * (rng.random((runs, d)) < float(f_d)).sum(axis=1)
    return float(total.mean())


def reach_deployment_chance(setting: Setting) -> float:
    """Chance that a model playing p* gets through training unmodified and then defects at least
    once in deployment: ``(1 - m p*)^T (1 - (1 - p*)^D)``."""
    t, d, m, _ = _unpack(setting)
    p = optimal_defection_probability(setting)
    return float((1.0 - m * p) ** t * (1.0 - (1.0 - p) ** d))


def training_needed(
    setting: Setting, threshold: float, max_episodes: int = 1_000_000
) -> int | None:
    """Fewest training episodes T (at most ``max_episodes``) for which a model that knows T and
    plays its p* has at most ``threshold`` chance of defecting in deployment; None if none do.
    D, m and c come from ``setting``; its T is ignored."""
    threshold = check_float("threshold", threshold, 0.0, 1.0)
    max_episodes = check_int("max_episodes", max_episodes, 0, 100_000_000)
    _, d, m, c = _unpack(setting)
    ts = np.arange(max_episodes + 1, dtype=float)
    if m == 0:
        return 0 if threshold >= 1.0 else None
    p = np.minimum(1.0, (c * ts + d) / (m * d * (ts + 1)))
    chance = (1.0 - m * p) ** ts * (1.0 - (1.0 - p) ** d)
    below = np.flatnonzero(chance <= threshold)
    return int(below[0]) if below.size else None


def driver_value(p, payoffs: tuple[float, float, float] = CLASSIC_DRIVER):
    """Expected payoff of the absent-minded driver who continues with probability p at every
    junction (he cannot tell the two apart): ``(1 - p) a + p (1 - p) b + p^2 c``."""
    a, b, c = payoffs
    p = np.asarray(p, dtype=float)
    out = (1 - p) * a + p * (1 - p) * b + p * p * c
    return float(out) if out.ndim == 0 else out


def driver_optimum(payoffs: tuple[float, float, float] = CLASSIC_DRIVER) -> float:
    """The planning-optimal probability of continuing: ``(b - a) / (2 (b - c))`` when b > c,
    clipped to [0, 1]; 2/3 for the classic payoffs."""
    a, b, c = payoffs
    if b <= c:
        return 1.0 if c >= a else 0.0
    return float(min(1.0, max(0.0, (b - a) / (2 * (b - c)))))


def best_operating_point(
    setting: Setting, fpr, tpr, grid: int = 4001
) -> tuple[float, float, float]:
    """The best (f_T, f_D) a model can reach with a detector whose ROC curve is ``(fpr, tpr)``.

    Defecting when the detector's score passes a threshold gives one ROC point (f_T = false
    positive rate on training episodes, f_D = true positive rate on deployment ones), and mixing
    two thresholds at random gives any point between them: the reachable set is the convex hull of
    the ROC points together with (0, 0) and (1, 1). E grows with f_D, so the best point lies on the
    upper hull; we search f_T on a grid and refine.

    Returns:
        (f_T, f_D, value).
    """
    hull_x, hull_y = upper_hull(fpr, tpr)
    x, top_value = maximise(lambda f: value(setting, f, np.interp(f, hull_x, hull_y)), grid)
    return x, float(np.interp(x, hull_x, hull_y)), top_value


def _rates(train_rate, deploy_rate) -> tuple[np.ndarray, np.ndarray]:
    f_t = np.asarray(train_rate, dtype=float)
    f_d = np.asarray(deploy_rate, dtype=float)
    for name, rate in (("train_rate", f_t), ("deploy_rate", f_d)):
        if not np.all(np.isfinite(rate)) or np.any(rate < 0) or np.any(rate > 1):
            raise ValueError(f"{name} must hold probabilities in [0, 1], got {rate!r}")
    return f_t, f_d


def _unpack(setting: Setting) -> tuple[int, int, float, float]:
    if not isinstance(setting, Setting):
        raise ValueError(f"setting must be a Setting, got {type(setting).__name__}")
    return (
        setting.training_episodes,
        setting.deployment_episodes,
        setting.modification_probability,
        setting.training_credit,
    )
