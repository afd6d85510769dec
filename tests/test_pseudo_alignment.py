"""Seeded tests of chapter 3's claims about pseudo-alignment, and of the pieces they rest on.

Each claim test runs its experiment at a small seeded scale and asserts the direction of the effect:
the proxy rate falls as q rises while training success stays high; equally good fits hold different
objectives; a proxy-seeker looks aligned with a short search and not with a long one; a linear
head's error and failures grow off the band of exit brightnesses it was trained on. Models are
shared through :func:`demos.analysis.objectives.trained` (with ``share_runs`` on), so runs with the
same settings train once.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from demos.__main__ import main
from demos.agents.planners import Planner
from demos.analysis.metrics import hidden_window
from demos.analysis.objectives import linear_weights, read_objective
from demos.experiments.approximate_alignment import (
    ApproximateAlignmentConfig,
    run_approximate_alignment,
)
from demos.experiments.objective_drift import ObjectiveDriftConfig, run_objective_drift
from demos.experiments.proxy_shift import run_proxy_shift
from demos.experiments.suboptimality import SuboptimalityConfig, run_suboptimality
from demos.experiments.unidentifiability import UnidentifiabilityConfig, run_unidentifiability
from demos.figures import inner_alignment, prose
from demos.training.adversarial import concatenate
from demos.training.proxy_training import chapter_config, initial_planner, share_runs, trained
from demos.worlds.level_variants import (
    DimmedLevels,
    near_exit_levels,
    showcase_index,
    with_exit_brightness,
)
from demos.worlds.mazes import CHANNELS, LevelConfig, bfs_distances, generate_levels, parse_level


@pytest.fixture(scope="module", autouse=True)
def shared_runs():
    """Let the tests of this module share trained runs, as the chapter's notebook does."""
    share_runs(True)
    yield
    share_runs(False)


@pytest.fixture(scope="module")
def drift():
    return run_objective_drift(
        ObjectiveDriftConfig(decorrelated_fractions=(0.0, 0.05), exit_saliences=(0.3,), n_seeds=1)
    )


# ---------------------------------------------------------------------------- the claims
def test_the_proxy_rate_falls_as_q_rises_while_training_success_stays_high(drift):
    proxy = drift.curve(0, 0.3, "proxy")
    assert proxy[0] > 0.8, "with q = 0 most test agents settle on the marker"
    assert proxy[1] < 0.2, "a few decorrelated levels move them to the exit"
    assert min(point.train_success for point in drift.points) >= 0.95
    first, last = (drift.point(q, 0, 0.3) for q in (0.0, 0.05))
    assert first.reading.prefers == "proxy" and last.reading.prefers == "exit"
    assert first.peak_rates["proxy"] > 0.8 and last.peak_rates["exit"] > 0.8


def test_reinforce_scores_well_in_training_while_its_agents_seek_the_proxy():
    result = run_proxy_shift(
        chapter_config(
            decorrelated_fraction=0.02, base_optimizer="reinforce", train_steps=40, eval_every=10
        )
    )
    window = hidden_window(result.history)
    assert window["final_train"] >= 0.95
    assert window["final_proxy"] > 0.8
    assert window["hidden_steps"] >= 2


def test_equally_good_fits_hold_different_objectives():
    result = run_unidentifiability(UnidentifiabilityConfig(n_seeds=3))
    assert result.train_success.min() >= 0.95
    assert result.train_loss.max() - result.train_loss.min() < 0.05
    assert result.preferences.max() > 0 > result.preferences.min()
    assert result.test_exit_rate.max() - result.test_exit_rate.min() > 0.2
    assert result.summary()["runs_keeping_initial_preference"] == 3
    chosen = result.by_internals
    assert result.preferences[chosen] == result.preferences.max()
    assert result.test_exit_rate[chosen] > result.test_exit_rate.mean()


def test_adam_keeps_the_gap_between_exit_and_marker_weights_when_they_always_coincide(drift):
    config = drift.runs[(0.0, 0, 0.3)].config
    before = linear_weights(initial_planner(config))
    after = linear_weights(drift.runs[(0.0, 0, 0.3)].model)
    assert after["exit"] - before["exit"] > 1.0, "both weights grew a lot"
    assert after["exit"] - after["marker"] == pytest.approx(
        before["exit"] - before["marker"], abs=1e-3
    )


def test_a_proxy_seeker_looks_aligned_until_its_search_reaches_the_marker():
    result = run_suboptimality(
        SuboptimalityConfig(test_levels=80, test_planning_steps=(2, 3, 14, 20))
    )
    proxy, exit_ = result.curve("proxy-seeking", "proxy"), result.curve("proxy-seeking", "exit")
    assert proxy[0] == 0 and exit_[0] > 0.95, "with K = 2 it settles on the near exit"
    assert proxy[-1] > 0.8, "with K = 20 it leaves the exit for the marker"
    assert proxy[-1] > proxy[1] + 0.5
    assert result.readings["proxy-seeking"].prefers == "proxy"
    assert result.curve("exit-seeking", "proxy").max() <= 0.05


def test_the_linear_heads_error_grows_off_the_training_band():
    result = run_approximate_alignment(
        ApproximateAlignmentConfig(test_levels=100, test_brightnesses=(0.02, 0.3, 0.5))
    )
    assert result.train_success >= 0.95
    dim, inside = result.errors[0], result.errors[1]
    assert dim > inside and dim > result.train_errors.max()
    assert result.exit_rates[1] > 0.9 and result.exit_rates[0] < 0.5
    assert result.proxy_rates[0] > 0.5
    # the exit's value grows with brightness, as a linear head's must
    assert np.all(np.diff(result.exit_values) > 0)


# ---------------------------------------------------------------------------- the pieces
def test_read_objective_gives_weight_times_salience_for_a_linear_head():
    model = Planner()
    with torch.no_grad():
        model.reward_head.layers.weight[:] = torch.tensor([0.5, 2.0, 3.0]).view(1, 3, 1, 1)
        model.reward_head.layers.bias[:] = -1.0
    reading = read_objective(model, exit_salience=0.3, marker_salience=0.8)
    assert reading.floor == pytest.approx(-1.0)
    assert reading.exit_value == pytest.approx(2.0 * 0.3)
    assert reading.marker_value == pytest.approx(3.0 * 0.8)
    assert reading.both == pytest.approx(-1.0 + 0.6 + 2.4)
    assert reading.prefers == "proxy"
    assert linear_weights(model) == pytest.approx(
        {"walls": 0.5, "exit": 2.0, "marker": 3.0, "bias": -1.0}
    )


def test_near_exit_levels_place_the_start_as_asked():
    levels = near_exit_levels(
        LevelConfig(), 40, np.random.default_rng(0), exit_within=2, marker_from=5, marker_to=7
    )
    rows = np.arange(len(levels))
    to_exit = bfs_distances(levels.walls, levels.exit)[rows, levels.start[:, 0], levels.start[:, 1]]
    to_marker = bfs_distances(levels.walls, levels.marker)[
        rows, levels.start[:, 0], levels.start[:, 1]
    ]
    assert len(levels) == 40
    assert np.all((to_exit >= 1) & (to_exit <= 2))
    assert np.all((to_marker >= 5) & (to_marker <= 7))


def test_dimmed_levels_show_each_exit_at_its_own_brightness():
    levels = generate_levels(LevelConfig(), 5, np.random.default_rng(1))
    brightness = np.array([0.1, 0.2, 0.3, 0.4, 0.5], dtype=np.float32)
    dimmed = with_exit_brightness(levels, brightness)
    observation = dimmed.observe()
    exit_channel = CHANNELS.index("exit")
    rows = np.arange(5)
    shown = observation[rows, exit_channel, levels.exit[:, 0], levels.exit[:, 1]]
    assert shown == pytest.approx(brightness)
    assert observation[:, exit_channel].sum(axis=(1, 2)) == pytest.approx(brightness)
    picked = dimmed.subset([4, 0])
    assert isinstance(picked, DimmedLevels)
    assert picked.exit_brightness == pytest.approx([0.5, 0.1])


def test_showcase_index_picks_the_start_farthest_from_both_targets():
    near = parse_level(["S.E....", ".......", "......M", ".......", "......."] + ["......."] * 2)
    far = parse_level(["E......", ".......", ".......", "...S...", "......."] + ["......M"] * 1
                      + ["......."])  # fmt: skip
    levels = concatenate(near, far)
    assert showcase_index(levels) == 1


def test_hidden_window_reads_a_history():
    from demos.training.base_optimizers import TrainingHistory

    history = TrainingHistory(
        rows=[
            {"step": 0, "train_success": 0.1, "test_proxy_rate": 0.0},
            {"step": 5, "train_success": 1.0, "test_proxy_rate": 0.9},
            {"step": 10, "train_success": 1.0, "test_proxy_rate": 0.2},
        ]
    )
    window = hidden_window(history)
    assert window["peak_step"] == 5 and window["hidden_steps"] == 1
    assert window["final_proxy"] == pytest.approx(0.2)


def test_drift_frames_draw_and_describe_the_run(drift):
    point = drift.point(0.0, 0, 0.3)
    figure = Figure(figsize=(9.5, 3.6), dpi=40)
    inner_alignment.render_drift(figure, drift, 0.0, 0, 0.3)
    assert len(figure.axes) == 2
    text = inner_alignment.drift_alt(drift, 0.0, 0, 0.3)
    assert f"{point.test_rates['proxy']:.0%} of agents settle on the marker" in text
    assert "highest on the marker" in text


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: ObjectiveDriftConfig(decorrelated_fractions=()), "decorrelated_fractions"),
        (lambda: ObjectiveDriftConfig(decorrelated_fractions=(0.1, 0.1)), "decorrelated_fractions"),
        (lambda: ObjectiveDriftConfig(decorrelated_fractions=(1.5,)), "decorrelated_fractions"),
        (lambda: ObjectiveDriftConfig(exit_saliences=(0.0,)), "exit_saliences"),
        (lambda: ObjectiveDriftConfig(n_seeds=0), "n_seeds"),
        (lambda: ObjectiveDriftConfig(base_optimizer="annealing"), "base_optimizer"),
        (lambda: UnidentifiabilityConfig(n_seeds=1), "n_seeds"),
        (lambda: UnidentifiabilityConfig(exit_salience=0), "exit_salience"),
        (lambda: SuboptimalityConfig(exit_within=2, marker_from=2), "marker_from"),
        (lambda: SuboptimalityConfig(test_planning_steps=(3, 2)), "test_planning_steps"),
        (lambda: SuboptimalityConfig(test_planning_steps=(0, 2)), "test_planning_steps"),
        (lambda: ApproximateAlignmentConfig(brightness_low=0.5, brightness_high=0.4), "high"),
        (lambda: ApproximateAlignmentConfig(test_brightnesses=(0.5, 0.1)), "test_brightnesses"),
        (lambda: ApproximateAlignmentConfig(brightness_low=0), "brightness_low"),
        (lambda: read_objective(Planner(), exit_salience=0), "exit_salience"),
        (lambda: read_objective("model"), "model"),
        (lambda: linear_weights(Planner(hidden=4)), "linear"),
        (
            lambda: near_exit_levels(LevelConfig(), 5, np.random.default_rng(0), 2, 6, 5),
            "marker_to",
        ),
        (
            lambda: with_exit_brightness(
                generate_levels(LevelConfig(), 2, np.random.default_rng(0)), 1.5
            ),
            "exit_brightness",
        ),
        (lambda: prose.spoken_list([]), "values"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_parameter(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_sharing_remembers_runs_only_while_it_is_on():
    config = chapter_config(train_steps=3, train_levels=16, test_levels=10, seed=7)
    assert trained(config) is trained(config)
    share_runs(False)
    try:
        first, second = trained(config), trained(config)
    finally:
        share_runs(True)
    assert first is not second
    assert first.test_rates == second.test_rates
    with pytest.raises(ValueError, match="enabled"):
        share_runs("yes")


def test_a_point_outside_the_sweep_is_refused(drift):
    with pytest.raises(ValueError, match="decorrelated_fraction"):
        drift.point(0.5, 0, 0.3)


def test_command_line_rejects_a_bad_value_with_one_line(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["suboptimality", "--marker-from", "1"])
    assert raised.value.code == 2
    message = capsys.readouterr().err.strip()
    assert "marker_from" in message and "\n" not in message


def test_command_line_runs_the_unidentifiability_experiment(capsys):
    assert main(["unidentifiability", "--n-seeds", "2", "--train-steps", "5", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["runs"] == 2 and 0 <= figures["train_success_min"] <= 1
