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


def draw_descent(ax, loss: str, path: np.ndarray, title: str | None = None):
    """Draw ``loss`` and the gradient-descent ``path`` (from :func:`gradient_descent`) on ``ax``."""
    from demos.figures.style import COLORS

    chosen = LOSSES[check_choice("loss", loss, LOSSES)]
    xs = np.linspace(*chosen.xlim, 300)
    ax.plot(
        xs, chosen.value(xs), color=COLORS["base_objective"], lw=2, label="loss (base objective)"
    )
    shown = np.clip(path, *chosen.xlim)
    ax.plot(
        shown,
        chosen.value(shown),
        color=COLORS["path"],
        marker="o",
        ms=4,
        lw=1,
        label="gradient descent path",
    )
    ax.plot(shown[:1], chosen.value(shown[:1]), "s", color=COLORS["agent"], ms=8, label="start")
    ax.set_xlim(*chosen.xlim)
    ax.set_xlabel("parameter x")
    ax.set_ylabel("loss")
    ax.set_title(title or f"Gradient descent on '{loss}'")
    ax.legend(loc="upper center", fontsize=11)
    return ax


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


def describe_run(loss: str, learning_rate: float, steps: int = 20) -> str:
    """One sentence saying what a run does, used as the figure's alt text."""
    path = gradient_descent(loss, learning_rate, steps=steps)
    chosen = LOSSES[loss]
    moves = np.diff(path)
    final_slope = abs(float(chosen.slope(np.asarray(path[-1]))))
    if chosen.value(np.asarray(path[-1])) > chosen.value(np.asarray(path[0])):
        outcome = "the loss grows: each step overshoots further than the last"
    elif final_slope < 1e-2:
        outcome = f"it settles at x = {round(path[-1], 2) + 0.0:.2f}"  # + 0.0 avoids "-0.00"
    else:
        outcome = f"after {steps} steps it is at x = {round(path[-1], 2) + 0.0:.2f}, still moving"
    bounces = int(np.sum(np.sign(moves[1:]) != np.sign(moves[:-1])))
    bouncing = f", reversing direction {bounces} times" if bounces else ""
    return (
        f"Gradient descent on the {loss} loss with learning rate {learning_rate:g}, starting at "
        f"x = {path[0]:.1f}: {outcome}{bouncing}. Right panel: loss after each step."
    )


def draw_loss_by_step(ax, loss: str, path: np.ndarray, title: str = "Loss after each step"):
    """Draw the loss of each iterate of ``path`` against the step number.

    The vertical range is that of the loss over its plotted x-range, so a diverging run leaves
    the top of the panel instead of squashing everything else flat.
    """
    from demos.figures.style import COLORS

    chosen = LOSSES[check_choice("loss", loss, LOSSES)]
    curve = chosen.value(np.linspace(*chosen.xlim, 300))
    margin = 0.05 * (curve.max() - curve.min())
    ax.plot(np.arange(len(path)), chosen.value(path), color=COLORS["path"], marker="o", ms=3)
    ax.set_ylim(curve.min() - margin, curve.max() + margin)
    ax.set_xlabel("step t")
    ax.set_ylabel("loss")
    ax.set_title(title)
    return ax


def draw_descent_panels(fig, loss: str, learning_rate: float, steps: int = 20):
    """The first notebook's figure: the path on the loss (left) and the loss per step (right).

    Margins are fixed rather than fitted (``tight_layout`` would add ~45 ms to every redraw of
    the explorable, a third of its budget).
    """
    path = gradient_descent(loss, learning_rate, steps=steps)
    left, right = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.28)
    draw_descent(left, loss, path)
    draw_loss_by_step(right, loss, path)
    return left, right
