"""Linear probes on planted signals, the activations they read, and what they find in the models."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.agents.reactive import ReactivePolicy
from demos.analysis.activations import planner_activations, reactive_activations
from demos.analysis.probes import fit_probe
from demos.experiments.probes import ProbesConfig, cell_labels, run_probes
from demos.worlds.mazes import LevelConfig, generate_levels, shifted


def test_a_linear_probe_recovers_a_planted_linear_signal_and_its_control_does_not():
    rng = np.random.default_rng(0)
    activations = rng.normal(size=(60, 5, 6, 6))
    labels = 2.0 * activations[:, 1] - activations[:, 3] + 0.05 * rng.normal(size=(60, 6, 6))
    report = fit_probe(activations, labels, seed=1)
    assert report.metric == "R^2"
    assert report.test_score > 0.99 and report.control_score < 0.05
    # the weights match least squares on the raw training cells (numpy, independently)
    cells = activations.transpose(0, 2, 3, 1).reshape(-1, 5)
    design = np.hstack([cells, np.ones((len(cells), 1))])
    solution = np.linalg.lstsq(design, labels.reshape(-1), rcond=None)[0]
    assert report.probe.direction == pytest.approx(solution[:5], abs=0.02)


def test_a_logistic_probe_finds_the_one_marked_cell_per_level():
    rng = np.random.default_rng(2)
    activations = rng.normal(size=(80, 4, 5, 5))
    labels = np.zeros((80, 5, 5), dtype=bool)
    rows, cols = rng.integers(0, 5, 80), rng.integers(0, 5, 80)
    labels[np.arange(80), rows, cols] = True
    activations[np.arange(80), 2, rows, cols] += 4.0  # channel 2 lights up on the marked cell
    report = fit_probe(activations, labels, seed=0)
    assert report.metric == "top-1"
    assert report.test_score > 0.95 and report.control_score < 0.2


def test_the_activations_read_out_give_the_network_its_own_logits():
    levels = generate_levels(LevelConfig(), 6, np.random.default_rng(0))
    model = ReactivePolicy(width=8, depth=4, generator=torch.Generator().manual_seed(0))
    layers = reactive_activations(model, levels)
    assert list(layers) == ["input", "layer 1", "layer 2", "layer 3", "layer 4"]
    with torch.no_grad():
        logits = model.readout(torch.from_numpy(layers["layer 4"]))
        assert torch.allclose(logits, model.policy(levels), atol=1e-5)


def test_probing_the_models():
    config = ProbesConfig(train_levels=128, train_steps=100, test_levels=80, layers=(0, 6))
    result = run_probes(config)
    r0, r1 = "reactive q=0", "reactive q=0.1"
    last = result.layers_of(r0)[-1]
    # both features are in the input, so both are found there
    assert result.score(r0, "input", "exit") == result.score(r0, "input", "marker") == 1.0
    # deep in the network, the distance to what it pursues is what a linear readout finds
    assert result.settle_rates[r0]["proxy"] > result.settle_rates[r0]["exit"]
    assert result.settle_rates[r1]["exit"] > result.settle_rates[r1]["proxy"]
    assert result.score(r0, last, "steps to marker") > result.score(r0, last, "steps to exit") + 0.2
    assert result.score(r1, last, "steps to exit") > result.score(r1, last, "steps to marker") + 0.2
    assert max(report.control_score for report in result.reports.values()) < 0.15


def test_planner_maps_and_labels():
    levels = generate_levels(
        shifted(LevelConfig(), decorrelated_fraction=1.0), 5, np.random.default_rng(0)
    )
    labels, free = cell_labels(levels)
    assert labels["exit"].sum() == labels["marker"].sum() == 5
    assert (labels["steps to exit"][labels["exit"]] == 0).all()
    from demos.agents.planners import Planner

    maps = planner_activations(Planner(), levels)
    assert maps["reward map"].shape == maps["value map"].shape == (5, 1, 7, 7)


def test_bad_input_names_the_parameter():
    values = np.zeros((4, 2, 3, 3))
    with pytest.raises(ValueError, match="labels"):
        fit_probe(values, np.zeros((4, 3, 4)))
    with pytest.raises(ValueError, match="heldout"):
        fit_probe(values, np.zeros((4, 3, 3)), heldout=1.0)
    with pytest.raises(ValueError, match="logistic"):
        fit_probe(values, np.full((4, 3, 3), 2.0), kind="logistic")
    with pytest.raises(ValueError, match="layers"):
        ProbesConfig(layers=(0, 9), reactive_depth=6)
