"""Bandit families and the written learners, against closed forms, enumeration and simulation."""

from __future__ import annotations

import numpy as np
import pytest

from demos.agents.bandit_policies import TIE, UCB1, BayesOptimal, ThompsonSampling
from demos.worlds.bandits import ARM_MEANS, BanditFamily, Episodes, draw_tasks, play, task_prior


def test_task_prior_matches_the_frequencies_of_drawn_tasks():
    family = BanditFamily(favoured_share=0.7, horizon=5)
    means, weights = task_prior(family)
    assert len(means) == 72 and weights.sum() == pytest.approx(1.0)
    drawn = draw_tasks(family, 200_000, np.random.default_rng(0))
    index = {tuple(pair): k for k, pair in enumerate(means)}
    counts = np.bincount([index[tuple(pair)] for pair in drawn], minlength=len(means))
    assert np.abs(counts / len(drawn) - weights).max() < 0.002
    assert (drawn[:, 0] > drawn[:, 1]).mean() == pytest.approx(0.7, abs=0.005)
    assert set(np.unique(drawn)) <= set(ARM_MEANS)


def test_bayes_optimal_with_one_known_task_never_regrets():
    policy = BayesOptimal(np.array([[0.3, 0.8]]), np.array([1.0]), horizon=10)
    assert policy.expected_regret_under_prior() == pytest.approx(0.0, abs=1e-12)
    episodes = play(policy, np.array([[0.3, 0.8]] * 50), 10, np.random.default_rng(0))
    assert (episodes.actions == 1).all()


def test_bayes_optimal_for_one_pull_takes_the_arm_with_the_larger_prior_mean():
    means = np.array([[0.2, 0.9], [0.6, 0.1]])
    weights = np.array([0.3, 0.7])  # prior means: arm 0: 0.48, arm 1: 0.34
    policy = BayesOptimal(means, weights, horizon=1)
    best = weights @ means.max(axis=1)
    assert policy.expected_regret_under_prior() == pytest.approx(best - weights @ means[:, 0])
    assert policy.table[0, 0, 0, 0] == 0


def test_exact_regret_agrees_with_simulation():
    family = BanditFamily(favoured_share=0.85, horizon=12)
    policy = BayesOptimal.for_family(family)
    shifted = BanditFamily(favoured_share=0.15, horizon=12)
    for target in (family, shifted):
        exact = policy.expected_regret(*task_prior(target))
        tasks = draw_tasks(target, 40_000, np.random.default_rng(1))
        simulated = play(policy, tasks, 12, np.random.default_rng(2)).regret()
        assert simulated == pytest.approx(exact, abs=0.03)
    assert policy.expected_regret(*task_prior(family)) == pytest.approx(
        policy.expected_regret_under_prior()
    )


def test_bayes_optimal_beats_the_prior_free_learners_on_its_own_family_and_loses_when_mirrored():
    family = BanditFamily(favoured_share=0.85, horizon=20)
    bayes = BayesOptimal.for_family(family)
    regret = {}
    for label, share in (("own", 0.85), ("mirrored", 0.15)):
        tasks = draw_tasks(BanditFamily(favoured_share=share), 4000, np.random.default_rng(3))
        for name, policy in (("bayes", bayes), ("thompson", ThompsonSampling()), ("ucb", UCB1())):
            regret[(name, label)] = play(policy, tasks, 20, np.random.default_rng(4)).regret()
    assert regret[("bayes", "own")] < 0.5 * regret[("thompson", "own")]
    assert regret[("bayes", "own")] < 0.5 * regret[("ucb", "own")]
    assert regret[("bayes", "mirrored")] > regret[("thompson", "mirrored")]


def test_a_symmetric_prior_has_the_same_regret_on_mirrored_families():
    symmetric = BayesOptimal.for_family(BanditFamily(favoured_share=0.5, horizon=15))
    assert (symmetric.table == TIE).any()  # the first pull is a coin toss
    one = symmetric.expected_regret(*task_prior(BanditFamily(favoured_share=0.9, horizon=15)))
    other = symmetric.expected_regret(*task_prior(BanditFamily(favoured_share=0.1, horizon=15)))
    assert one == pytest.approx(other, abs=1e-12)


def test_ucb_tries_each_arm_once_then_prefers_the_paying_one():
    tasks = np.array([[0.05, 0.95]] * 200)
    episodes = play(UCB1(), tasks, 30, np.random.default_rng(5))
    assert (episodes.actions[:, 0] == 0).all() and (episodes.actions[:, 1] == 1).all()
    assert episodes.better_arm_share()[-5:].mean() > 0.9


def test_episode_figures_by_hand():
    episodes = Episodes(
        means=np.array([[0.2, 0.6]]), actions=np.array([[0, 1, 1]]), rewards=np.array([[0, 1, 0]])
    )
    assert episodes.regret_curve() == pytest.approx([0.4, 0.4, 0.4])
    assert episodes.regret() == pytest.approx(0.4)
    assert episodes.better_arm_share().tolist() == [0.0, 1.0, 1.0]


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="favoured_share"):
        BanditFamily(favoured_share=1.5)
    with pytest.raises(ValueError, match="horizon"):
        BanditFamily(horizon=0)
    with pytest.raises(ValueError, match="means"):
        play(UCB1(), np.array([0.2, 0.3]), 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="weights"):
        BayesOptimal(np.array([[0.2, 0.3]]), np.array([-1.0]), 3)
