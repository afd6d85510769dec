"""The planner-vs-reactive experiment: configuration, the phenomenon at small scale, the CLI."""

import json
import math

import pytest

from demos.__main__ import main
from demos.experiments.planner_vs_reactive import (
    PlannerVsReactiveConfig,
    exit_in_view,
    fresh_levels,
    planning_steps_for,
    run_planner_vs_reactive,
)

SMALL = dict(train_levels=96, test_levels=150, train_steps=100, batch_size=32)
"""A run of about a second: both models trained on 7x7 mazes, tested at 7 and 14."""


@pytest.fixture(scope="module")
def small_result():
    return run_planner_vs_reactive(PlannerVsReactiveConfig(seed=1, **SMALL))


def test_planner_keeps_solving_large_mazes_while_the_reactive_cnn_fails(small_result):
    success = small_result.success
    # Both learned the training size (the reactive CNN is not merely broken)...
    assert success["planner"]["train_size"] >= 0.9
    assert success["reactive"]["train_size"] >= 0.6
    # ...but only the planner carries it to mazes twice the size.
    assert success["planner"]["large"] >= 0.9
    assert success["planner"]["large"] - success["reactive"]["large"] >= 0.3
    # The reactive CNN loses more at the large size than at the training size.
    assert success["reactive"]["large"] < success["reactive"]["train_size"] - 0.2


def test_reactive_cnn_fails_most_where_the_exit_is_out_of_its_view(small_result):
    large = small_result.test_levels[14]
    out_of_view = ~exit_in_view(large, small_result.reactive.radius)
    assert 0.2 < out_of_view.mean() < 0.8
    assert (
        small_result.reactive_success_large_exit_out_of_view
        < 0.5 * (small_result.success["reactive"]["large"])
    )


def test_success_by_size_reuses_the_test_mazes_of_the_run(small_result):
    columns = small_result.success_by_size([7, 14])
    assert columns["size"] == [7, 14]
    for model in ("planner", "reactive"):
        assert columns[model] == [
            small_result.success[model]["train_size"],
            small_result.success[model]["large"],
        ]
    with pytest.raises(ValueError, match="sizes"):
        small_result.success_by_size([])
    with pytest.raises(ValueError, match="sizes"):
        small_result.success_by_size([7, 100])


def test_summary_holds_the_promised_fields(small_result):
    summary = small_result.summary()
    for key in (
        "planner_success_train_size",
        "planner_success_large",
        "reactive_success_train_size",
        "reactive_success_large",
        "planner_train_seconds",
        "reactive_train_seconds",
        "planner_parameters",
        "reactive_parameters",
    ):
        assert key in summary
    assert summary["reactive_parameters"] >= summary["planner_parameters"]
    assert summary["planner_steps_large"] == 28 and summary["reactive_receptive_radius"] == 6
    json.dumps(summary, allow_nan=False)


def test_test_mazes_depend_on_seed_and_size_not_on_training_settings():
    a = fresh_levels(PlannerVsReactiveConfig(test_levels=20, train_levels=4), 9)
    b = fresh_levels(PlannerVsReactiveConfig(test_levels=20, train_levels=512, train_steps=3), 9)
    c = fresh_levels(PlannerVsReactiveConfig(test_levels=20, seed=1), 9)
    assert (a.walls == b.walls).all() and (a.exit == b.exit).all()
    assert not (a.walls == c.walls).all()


@pytest.mark.parametrize("size, steps", [(7, 14), (14, 28), (10, 20), (8, 16)])
def test_planning_steps_scale_with_the_side(size, steps):
    assert planning_steps_for(PlannerVsReactiveConfig(), size) == steps
    config = PlannerVsReactiveConfig(train_size=6, large_size=12, planning_steps=10)
    assert planning_steps_for(config, size) == math.ceil(10 * size / 6)


@pytest.mark.parametrize(
    "changes, name",
    [
        ({"large_size": 5}, "large_size"),
        ({"train_size": 3}, "train_size"),
        ({"train_levels": 0}, "train_levels"),
        ({"test_levels": 0}, "test_levels"),
        ({"train_steps": 0}, "train_steps"),
        ({"batch_size": 0}, "batch_size"),
        ({"planner_learning_rate": 0.0}, "planner_learning_rate"),
        ({"reactive_learning_rate": -1.0}, "reactive_learning_rate"),
        ({"planning_steps": 0}, "planning_steps"),
        ({"reactive_width": 0}, "reactive_width"),
        ({"reactive_depth": 0}, "reactive_depth"),
        ({"wall_density": 0.9}, "wall_density"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_config_names_the_field(changes, name):
    with pytest.raises(ValueError, match=name):
        PlannerVsReactiveConfig(**changes)


def test_command_line_is_deterministic(capsys):
    tiny = [
        "planner-vs-reactive",
        "--train-levels", "16",
        "--test-levels", "30",
        "--train-steps", "5",
        "--large-size", "10",
        "--seed", "3",
        "--json",
    ]  # fmt: skip
    printed = []
    for _ in range(2):
        assert main(tiny) == 0
        summary = json.loads(capsys.readouterr().out)
        printed.append({k: v for k, v in summary.items() if not k.endswith("_seconds")})
    assert printed[0] == printed[1]
    assert printed[0]["planner_steps_large"] == 20


def test_command_line_rejects_a_bad_value_with_status_2_and_one_line(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["planner-vs-reactive", "--large-size", "2"])
    assert raised.value.code == 2
    message = capsys.readouterr().err
    assert message.count("\n") == 1
    assert "large_size" in message and "2" in message
