"""Distributional shift as a cue: the ROC tools against brute force, the detector against the
Bayes-optimal log-odds, and the deceptive policy sliding to the absent-minded optimum as the cues
fade."""

from __future__ import annotations

import json

import numpy as np
import pytest

from demos.__main__ import main
from demos.agents.phase_detector import PhaseDetector
from demos.analysis.roc import auc, roc_curve, upper_hull
from demos.experiments.deployment_cue import DeploymentCueConfig, run_deployment_cue
from demos.worlds.deployment_cues import FEATURES, SEPARATION, TRAINING, sample_episodes


def test_roc_points_are_the_shares_above_each_threshold():
    rng = np.random.default_rng(0)
    negatives, positives = rng.integers(0, 6, 40), rng.integers(2, 9, 30)
    fpr, tpr = roc_curve(negatives, positives)
    for threshold in range(0, 10):
        point = ((negatives >= threshold).mean(), (positives >= threshold).mean())
        assert any(np.isclose(point, (x, y)).all() for x, y in zip(fpr, tpr, strict=True))
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)


def test_auc_is_the_chance_a_deployment_episode_outscores_a_training_one():
    rng = np.random.default_rng(1)
    negatives, positives = rng.normal(0, 1, 300), rng.normal(1, 1, 200)
    pairs = (positives[:, None] > negatives[None, :]).mean()
    assert auc(*roc_curve(negatives, positives)) == pytest.approx(pairs, abs=1e-12)


def test_upper_hull_is_concave_and_lies_on_or_above_every_point():
    rng = np.random.default_rng(2)
    fpr, tpr = roc_curve(rng.normal(0, 1, 200), rng.normal(0.7, 1, 200))
    x, y = upper_hull(fpr, tpr)
    assert x[0] == 0 and x[-1] == 1 and np.all(np.diff(x) > 0)
    slopes = np.diff(y) / np.diff(x)
    assert np.all(np.diff(slopes) <= 1e-12)
    assert np.all(np.interp(fpr, x, y) >= tpr - 1e-12)


def test_detector_learns_the_bayes_log_odds():
    rng = np.random.default_rng(3)
    train, deploy = rng.normal(0, 1, (4000, 1)), rng.normal(1.5, 1, (4000, 1))
    detector = PhaseDetector().fit(train, deploy)
    points = np.linspace(-2, 3, 11)[:, None]
    bayes = 1.5 * points[:, 0] - 1.5**2 / 2  # equal priors, unit variances
    assert detector.score(points) == pytest.approx(bayes, abs=0.15)


def test_with_no_noise_the_phases_differ_as_documented_and_with_full_noise_not_at_all():
    rng = np.random.default_rng(4)
    train = sample_episodes(rng, 20000, False, 0.0).mean(axis=0)
    deploy = sample_episodes(rng, 20000, True, 0.0).mean(axis=0)
    same = sample_episodes(rng, 20000, True, 1.0).mean(axis=0)
    for column, name in enumerate(FEATURES):
        assert deploy[column] - train[column] == pytest.approx(SEPARATION[name], abs=0.05)
        assert same[column] == pytest.approx(TRAINING[name], abs=0.05)


@pytest.fixture(scope="module")
def cue():
    return run_deployment_cue(DeploymentCueConfig(fit_episodes=1000, eval_episodes=8000))


def test_clear_cues_let_the_policy_defect_almost_only_in_deployment(cue):
    clear = cue.point(0.0)
    assert clear.auc > 0.95
    assert clear.deploy_defection - clear.train_defection > 0.8
    assert clear.value > 2 * cue.absent_minded_value


def test_as_cues_fade_the_policy_falls_back_to_the_absent_minded_optimum(cue):
    gaps = cue.column("deploy_defection") - cue.column("train_defection")
    assert np.all(np.diff(gaps) < 0.03) and gaps[0] > 0.8
    blind = cue.point(1.0)
    assert blind.auc == pytest.approx(0.5, abs=0.03)
    assert blind.train_defection == pytest.approx(5 / 9, abs=0.05)
    assert blind.deploy_defection == pytest.approx(5 / 9, abs=0.05)
    assert blind.value == pytest.approx(cue.absent_minded_value, abs=0.03)


def test_command_line_and_bad_values(capsys):
    argv = ["deployment-cue", "--fit-episodes", "200", "--eval-episodes", "500", "--json"]
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["absent_minded_probability"] == pytest.approx(5 / 9, abs=1e-6)
    assert figures["auc_noise_0"] > figures["auc_noise_1"]
    with pytest.raises(ValueError, match="features"):
        DeploymentCueConfig(features=("smell",))
    with pytest.raises(ValueError, match="cue_noises"):
        DeploymentCueConfig(cue_noises=(0.5, 0.2))
