"""The paper's toy model of how much optimization power a base optimizer hands to search.

Used by chapter 2 (the paper's section 2.1).

Hubinger et al. (2019, section 2.1) give a back-of-the-envelope model of why diverse tasks favour
mesa-optimization. A base optimizer has a fixed budget ``P`` of optimization power (think of bits
of selection: how far it can narrow down the space of learned algorithms). It can spend it in two
ways:

- **directly**, choosing a policy that does well on each task instance. Whatever it spends this way
  is shared among the ``N`` distinct task instances the policy must handle, so each instance gets
  ``(P - f(x)) / N``;
- **on a mesa-optimizer** of power ``x``: a learned algorithm that itself searches with power ``x``
  on *every* instance it meets. Building such a searcher costs the base optimizer ``f(x)`` of its
  budget, but the searcher's power is not divided by ``N``.

The optimization power that reaches each task instance is then::

    power(x) = (P - f(x)) / N + x,        0 <= x <= x_max,   f(x_max) = P

and the base optimizer does best with ``x* = argmax_x power(x)``. Where ``f`` is smooth and the
optimum is inside the interval, ``f'(x*) = N``: the search grows until the marginal cost of one
more unit of search power equals the number of instances it serves. More instances, more search.

Cost functions (:data:`COSTS`), each with ``f(0) = 0`` and a scale ``c > 0``:

- ``"linear"``: ``f(x) = c x``. No interior optimum: all or nothing. Search wins outright once
  ``N > c`` (``x* = x_max = P / c``) and is absent below (``x* = 0``; at ``N = c`` every ``x``
  ties and we return 0, search only when it strictly helps).
- ``"quadratic"``: ``f(x) = c x**2``. ``x* = min(N / (2 c), sqrt(P / c))``: grows in proportion
  to ``N`` until the budget runs out.
- ``"exponential"``: ``f(x) = c (exp(x) - 1)``. ``x* = clip(log(N / c), 0, log(1 + P / c))``:
  each extra unit of search costs more than the last, so search grows only like ``log N``.

Everything here is closed form in numpy: a figure redraws in milliseconds and the tests check the
closed forms against a brute-force search over ``x``.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_choice, check_float

COSTS = ("linear", "quadratic", "exponential")
"""Cost functions ``f``: what a mesa-optimizer of power x costs the base optimizer."""

FORMULAS = {
    "linear": "f(x) = c·x",
    "quadratic": "f(x) = c·x²",
    "exponential": "f(x) = c·(eˣ − 1)",
}
"""Each cost function written out, for legends and captions."""


def _check(budget, tasks, kind, scale) -> tuple[float, float, str, float]:
    budget = check_float("budget", budget, 0.0)
    if budget <= 0:
        raise ValueError(f"budget must be a number > 0, got {budget!r}")
    tasks = check_float("tasks", tasks, 1.0)
    kind = check_choice("kind", kind, COSTS)
    scale = check_float("scale", scale, 0.0)
    if scale <= 0:
        raise ValueError(f"scale must be a number > 0, got {scale!r}")
    return budget, tasks, kind, scale


def cost(x, kind: str = "quadratic", scale: float = 1.0) -> np.ndarray:
    """``f(x)``: the base optimizer's power spent on a mesa-optimizer of power ``x``.

    Args:
        x: float or (n,) float array, >= 0. Power of the mesa-optimizer.
        kind: one of :data:`COSTS`.
        scale: float > 0. The constant ``c``.

    Returns:
        float array shaped like ``x``.
    """
    kind = check_choice("kind", kind, COSTS)
    scale = check_float("scale", scale, 1e-12)
    x = np.asarray(x, dtype=float)
    if np.any(x < 0) or not np.all(np.isfinite(x)):
        raise ValueError("x must hold finite numbers >= 0")
    if kind == "linear":
        return scale * x
    if kind == "quadratic":
        return scale * x**2
    return scale * np.expm1(x)


def max_mesa_power(budget: float, kind: str = "quadratic", scale: float = 1.0) -> float:
    """``x_max``, the most search power the budget can buy: the root of ``f(x) = P``."""
    budget, _, kind, scale = _check(budget, 1.0, kind, scale)
    if kind == "linear":
        return budget / scale
    if kind == "quadratic":
        return float(np.sqrt(budget / scale))
    return float(np.log1p(budget / scale))


def power_per_task(
    x, budget: float, tasks: float, kind: str = "quadratic", scale: float = 1.0
) -> np.ndarray:
    """``(P - f(x)) / N + x``: optimization power reaching each task instance.

    Args:
        x: float or (n,) float array in [0, x_max]. Power of the mesa-optimizer.
        budget: float > 0. The base optimizer's total power ``P``.
        tasks: float >= 1. The number ``N`` of distinct task instances.
        kind, scale: the cost function (see :func:`cost`).

    Returns:
        float array shaped like ``x``.
    """
    budget, tasks, kind, scale = _check(budget, tasks, kind, scale)
    x = np.asarray(x, dtype=float)
    if np.any(x > max_mesa_power(budget, kind, scale) * (1 + 1e-9)):
        raise ValueError("x must not exceed max_mesa_power(budget, kind, scale)")
    return (budget - cost(x, kind, scale)) / tasks + x


def optimal_mesa_power(
    budget: float, tasks: float, kind: str = "quadratic", scale: float = 1.0
) -> float:
    """``x* = argmax_x (P - f(x)) / N + x`` over ``[0, x_max]``, in closed form.

    Args:
        budget: float > 0. The base optimizer's total power ``P``.
        tasks: float >= 1. The number ``N`` of distinct task instances.
        kind: one of :data:`COSTS`.
        scale: float > 0. The constant ``c`` of the cost.

    Returns:
        float in [0, x_max]: the search power the base optimizer should build in.
    """
    budget, tasks, kind, scale = _check(budget, tasks, kind, scale)
    cap = max_mesa_power(budget, kind, scale)
    if kind == "linear":
        return cap if tasks > scale else 0.0
    if kind == "quadratic":
        return float(min(tasks / (2 * scale), cap))
    return float(np.clip(np.log(tasks / scale), 0.0, cap))


def mesa_share(budget: float, tasks: float, kind: str = "quadratic", scale: float = 1.0) -> float:
    """Share of the per-task optimization power that comes from the mesa-optimizer at ``x*``.

    ``x* / power(x*)``, in [0, 1]: 0 when the base optimizer builds no search, 1 when it spends
    its whole budget on search.
    """
    best = optimal_mesa_power(budget, tasks, kind, scale)
    total = float(power_per_task(best, budget, tasks, kind, scale))
    return best / total if total > 0 else 0.0


def threshold_tasks(kind: str = "quadratic", scale: float = 1.0) -> float:
    """The number of task instances above which any search pays: ``N > f'(0)``.

    ``f'(0)`` is ``c`` for the linear and exponential costs and 0 for the quadratic one (so a
    little search always pays there).
    """
    kind = check_choice("kind", kind, COSTS)
    scale = check_float("scale", scale, 1e-12)
    return 0.0 if kind == "quadratic" else scale


def exhausting_tasks(budget: float, kind: str = "quadratic", scale: float = 1.0) -> float:
    """The number of task instances N from which ``x*`` is the whole budget, ``x_max``.

    Linear cost: any N above ``c`` (the value returned; at N = c exactly no search is built).
    Quadratic: ``N = 2 sqrt(P c)``, where ``N / (2 c)`` reaches ``sqrt(P / c)``. Exponential:
    ``N = c + P``, where ``log(N / c)`` reaches ``log(1 + P / c)``.
    """
    budget, _, kind, scale = _check(budget, 1.0, kind, scale)
    if kind == "linear":
        return scale
    if kind == "quadratic":
        return float(2.0 * np.sqrt(budget * scale))
    return float(scale + budget)
