"""The toy model of optimization power: closed forms against a brute-force search over x."""

from __future__ import annotations

import numpy as np
import pytest

from demos.analysis import optimization_power as toy


def brute_force_argmax(budget, tasks, kind, scale):
    """Independent reference: evaluate (P - f(x)) / N + x on a fine grid of x in [0, x_max]."""
    f = {
        "linear": lambda x: scale * x,
        "quadratic": lambda x: scale * x**2,
        "exponential": lambda x: scale * (np.exp(x) - 1),
    }[kind]
    # x_max by bisection on f(x) = P, not by the module's formula.
    low, high = 0.0, 1.0
    while f(high) < budget:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if f(middle) < budget else (low, middle)
    xs = np.linspace(0.0, low, 200_001)
    values = (budget - f(xs)) / tasks + xs
    return xs[int(np.argmax(values))], low


CASES = [
    (budget, tasks, kind, scale)
    for kind in toy.COSTS
    for budget in (5.0, 40.0, 300.0)
    for tasks in (1.0, 2.5, 6.0, 30.0, 400.0)
    for scale in (0.5, 4.0)
    if not (kind == "linear" and tasks == scale)  # a tie: every x is optimal
]


@pytest.mark.parametrize(("budget", "tasks", "kind", "scale"), CASES)
def test_closed_form_matches_brute_force(budget, tasks, kind, scale):
    expected, cap = brute_force_argmax(budget, tasks, kind, scale)
    assert toy.max_mesa_power(budget, kind, scale) == pytest.approx(cap, rel=1e-6)
    got = toy.optimal_mesa_power(budget, tasks, kind, scale)
    assert got == pytest.approx(expected, abs=2e-4 * max(cap, 1.0))


@pytest.mark.parametrize("kind", ["quadratic", "exponential"])
def test_interior_optimum_equates_marginal_cost_with_task_count(kind):
    # f'(x*) = N where the optimum is inside (0, x_max): checked by a finite difference of f.
    budget, scale = 1e6, 2.0
    for tasks in (3.0, 10.0, 50.0):
        best = toy.optimal_mesa_power(budget, tasks, kind, scale)
        assert 0 < best < toy.max_mesa_power(budget, kind, scale)
        h = 1e-6
        slope = (toy.cost(best + h, kind, scale) - toy.cost(best - h, kind, scale)) / (2 * h)
        assert slope == pytest.approx(tasks, rel=1e-5)


@pytest.mark.parametrize("kind", toy.COSTS)
def test_more_task_instances_never_mean_less_search(kind):
    found = [toy.optimal_mesa_power(100.0, n, kind, 4.0) for n in np.geomspace(1, 1000, 40)]
    assert np.all(np.diff(found) >= 0)
    assert found[-1] > found[0]  # and, over this range, strictly more
    shares = [toy.mesa_share(100.0, n, kind, 4.0) for n in (1, 10, 1000)]
    assert shares[0] <= shares[1] <= shares[2] and shares[2] > 0.9


def test_linear_cost_is_all_or_nothing_around_its_threshold():
    assert toy.threshold_tasks("linear", 4.0) == 4.0
    assert toy.optimal_mesa_power(100.0, 3.9, "linear", 4.0) == 0.0
    assert toy.optimal_mesa_power(100.0, 4.1, "linear", 4.0) == pytest.approx(25.0)


def test_power_per_task_at_the_optimum_beats_no_search_and_all_search():
    for kind in toy.COSTS:
        budget, tasks, scale = 50.0, 12.0, 1.0
        best = toy.optimal_mesa_power(budget, tasks, kind, scale)
        cap = toy.max_mesa_power(budget, kind, scale)
        at = toy.power_per_task([0.0, best, cap], budget, tasks, kind, scale)
        assert at[1] >= at[0] - 1e-12 and at[1] >= at[2] - 1e-12
        assert at[0] == pytest.approx(budget / tasks)  # no search: the budget split N ways


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: toy.optimal_mesa_power(0.0, 3, "linear"), "budget"),
        (lambda: toy.optimal_mesa_power(10.0, 0.5, "linear"), "tasks"),
        (lambda: toy.optimal_mesa_power(10.0, 3, "cubic"), "kind"),
        (lambda: toy.optimal_mesa_power(10.0, 3, "linear", scale=-1.0), "scale"),
        (lambda: toy.power_per_task(1e3, 10.0, 3, "quadratic"), "x"),
        (lambda: toy.cost(-1.0), "x"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()
