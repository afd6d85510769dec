"""Figures of the "How to use this book" page: gradient descent on a one-dimensional loss.

The smallest base optimizer (:mod:`demos.training.descent`), drawn as the path of its iterates on
the loss (left) and the loss after each step (right); :func:`describe_run` is the alt text.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_choice
from demos.figures.style import COLORS
from demos.training.descent import LOSSES, gradient_descent


def draw_descent(ax, loss: str, path: np.ndarray, title: str | None = None):
    """Draw ``loss`` and the gradient-descent ``path`` (from :func:`gradient_descent`) on ``ax``."""

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


def draw_loss_by_step(ax, loss: str, path: np.ndarray, title: str = "Loss after each step"):
    """Draw the loss of each iterate of ``path`` against the step number.

    The vertical range is that of the loss over its plotted x-range, so a diverging run leaves
    the top of the panel instead of squashing everything else flat.
    """

    chosen = LOSSES[check_choice("loss", loss, LOSSES)]
    curve = chosen.value(np.linspace(*chosen.xlim, 300))
    margin = 0.05 * (curve.max() - curve.min())
    ax.plot(np.arange(len(path)), chosen.value(path), color=COLORS["path"], marker="o", ms=3)
    ax.set_ylim(curve.min() - margin, curve.max() + margin)
    ax.set_xlabel("step t")
    ax.set_ylabel("loss")
    ax.set_title(title)
    return ax


def descent_layout(fig):
    """The two panels of the first notebook's figure, ``(left, right)`` Axes: the path on the
    loss and the loss per step.

    Margins are fixed rather than fitted (``tight_layout`` would add ~45 ms to every redraw of
    the explorable, a third of its budget).
    """
    left, right = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.28)
    return left, right


def draw_descent_run(panels, loss: str, learning_rate: float, steps: int = 20):
    """One run into :func:`descent_layout`'s ``(left, right)`` panels: the path on the loss
    (left) and the loss per step (right); returns the panels."""
    path = gradient_descent(loss, learning_rate, steps=steps)
    left, right = panels
    draw_descent(left, loss, path)
    draw_loss_by_step(right, loss, path)
    return left, right


def draw_descent_panels(fig, loss: str, learning_rate: float, steps: int = 20):
    """:func:`draw_descent_run` on a new figure; returns the ``(left, right)`` Axes."""
    return draw_descent_run(descent_layout(fig), loss, learning_rate, steps)


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
