"""Gradient descent on a one-dimensional loss: the smallest possible base optimizer.

The book's first figure. A *base optimizer* searches a space of candidates (here, a single number
``x``) for one that scores well on its *base objective* (here, a loss to minimise). Gradient descent
does it by repeatedly stepping against the slope: ``x <- x - learning_rate * loss'(x)``.

Everything here is plain numpy and closed form, so the figure redraws in milliseconds and the
tests can check the path against exact formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from demos.core.validation import check_choice, check_float, check_int


@dataclass(frozen=True)
class Loss1D:
    """A named one-dimensional loss with its derivative."""

    name: str
    """Short name shown in menus."""
    value: Callable[[np.ndarray], np.ndarray]
    """loss(x): (n,) float -> (n,) float."""
    slope: Callable[[np.ndarray], np.ndarray]
    """loss'(x): (n,) float -> (n,) float."""
    xlim: tuple[float, float]
    """Range of x worth plotting."""
    start: float
    """Where the descent starts by default."""


LOSSES: dict[str, Loss1D] = {
    "bowl": Loss1D(
        name="bowl",
        value=lambda x: x**2,
        slope=lambda x: 2 * x,
        xlim=(-2.2, 2.2),
        start=-1.8,
    ),
    "two valleys": Loss1D(
        name="two valleys",
        value=lambda x: (x**2 - 1) ** 2 + 0.3 * x,
        slope=lambda x: 4 * x * (x**2 - 1) + 0.3,
        xlim=(-1.9, 1.9),
        start=1.7,
    ),
}
"""The losses a reader can pick. "bowl" is ``x**2`` (curvature 2, so steps above 1 diverge);
"two valleys" has a shallow local minimum near ``x = 0.96`` and a deeper one near ``x = -1.04``."""


def gradient_descent(loss: str, learning_rate: float, steps: int = 20, start: float | None = None):
    """Run plain gradient descent on one of :data:`LOSSES`.

    Args:
        loss: a key of :data:`LOSSES`.
        learning_rate: float in (0, 2]. The step size.
        steps: int in [1, 1000]. Number of updates.
        start: initial x (defaults to the loss's own starting point).

    Returns:
        path: (steps + 1,) float. The iterates x_0, ..., x_steps. Iterates that leave the plotted
            range by more than a factor of 100 are clipped there, so a diverging run stays finite.
    """
    chosen = LOSSES[check_choice("loss", loss, LOSSES)]
    learning_rate = check_float("learning_rate", learning_rate, 1e-6, 2.0)
    steps = check_int("steps", steps, 1, 1000)
    x = chosen.start if start is None else check_float("start", start)
    bound = 100 * max(abs(chosen.xlim[0]), abs(chosen.xlim[1]))
    path = [x]
    for _ in range(steps):
        x = float(np.clip(x - learning_rate * chosen.slope(np.asarray(x)), -bound, bound))
        path.append(x)
    return np.asarray(path)


def steps_to_reach(loss: str, learning_rate: float, tolerance: float = 0.01, limit: int = 1000):
    """Steps gradient descent needs to come, and stay, within ``tolerance`` of the minimum.

    Only defined for the "bowl", whose minimum is known exactly (x = 0).

    Returns:
        int, the first step t such that |x_s| <= tolerance for every s >= t up to ``limit``;
        ``None`` if the run is still outside the tolerance after ``limit`` steps.
    """
    check_choice("loss", loss, ["bowl"])
    tolerance = check_float("tolerance", tolerance, 1e-12, 1.0)
    path = gradient_descent(loss, learning_rate, steps=check_int("limit", limit, 1, 1000))
    outside = np.flatnonzero(np.abs(path) > tolerance)
    if len(outside) == 0:
        return 0
    if outside[-1] == len(path) - 1:
        return None
    return int(outside[-1] + 1)
