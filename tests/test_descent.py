"""Gradient descent on one-dimensional losses, checked against closed forms."""

import numpy as np
import pytest

from demos.figures import how_to_use
from demos.training.descent import LOSSES, gradient_descent


@pytest.mark.parametrize("learning_rate", [0.05, 0.3, 0.9, 1.1])
def test_bowl_path_matches_the_closed_form(learning_rate):
    # On x**2 each step multiplies x by (1 - 2 * learning_rate).
    path = gradient_descent("bowl", learning_rate, steps=6, start=1.0)
    expected = (1 - 2 * learning_rate) ** np.arange(7)
    assert np.allclose(path, expected)


def test_bowl_converges_below_and_diverges_above_one():
    assert abs(gradient_descent("bowl", 0.9, steps=60)[-1]) < 1e-3
    assert abs(gradient_descent("bowl", 1.1, steps=60)[-1]) > 10


def test_two_valleys_small_steps_stop_in_the_nearer_valley():
    path = gradient_descent("two valleys", 0.02, steps=400)
    slope = LOSSES["two valleys"].slope(np.asarray(path[-1]))
    assert abs(slope) < 1e-4 and path[-1] > 0  # the shallow valley on the right, where it started


@pytest.mark.parametrize(
    "kwargs, name",
    [({"loss": "cliff"}, "loss"), ({"learning_rate": 0}, "learning_rate"), ({"steps": 0}, "steps")],
)
def test_bad_input_names_the_parameter(kwargs, name):
    arguments = {"loss": "bowl", "learning_rate": 0.1, "steps": 5} | kwargs
    with pytest.raises(ValueError, match=name):
        gradient_descent(**arguments)


def test_the_two_panel_figure_labels_both_panels():
    from matplotlib.figure import Figure

    figure = Figure()
    left, right = how_to_use.draw_descent_panels(figure, "bowl", 0.3)
    assert left.get_xlabel() and left.get_ylabel() and left.get_title()
    assert right.get_xlabel() == "step t" and right.get_ylabel() == "loss"
    assert len(right.lines[0].get_xdata()) == 21  # the start and 20 steps
