"""The recurrent learner and its meta-training: a learned prior that helps, then misleads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from demos.agents.bandit_policies import ThompsonSampling
from demos.agents.recurrent_learner import RecurrentLearner
from demos.experiments.meta_learning import MetaLearningConfig, run_meta_learning
from demos.worlds.bandits import BanditFamily, draw_tasks, play


def test_stepping_the_learner_one_pull_at_a_time_matches_its_unrolled_pass():
    learner = RecurrentLearner(hidden=8, generator=torch.Generator().manual_seed(0))
    tasks = draw_tasks(BanditFamily(horizon=6), 64, np.random.default_rng(0))
    episodes = play(learner.as_policy(6, greedy=True), tasks, 6, np.random.default_rng(1))
    # replay the recorded pulls and payouts through the unrolled network: same greedy choices
    with torch.no_grad():
        state = torch.zeros(64, 8)
        for t in range(6):
            step_input = torch.zeros(64, 4)
            if t:
                step_input[torch.arange(64), torch.as_tensor(episodes.actions[:, t - 1])] = 1.0
                step_input[:, 2] = torch.as_tensor(episodes.rewards[:, t - 1], dtype=torch.float32)
            step_input[:, 3] = t / 6
            state = learner.cell(step_input, state)
            chosen = learner.policy_head(state).argmax(dim=1).numpy()
            assert (chosen == episodes.actions[:, t]).all()


def test_unroll_is_reproducible_from_its_generator():
    learner = RecurrentLearner(hidden=8, generator=torch.Generator().manual_seed(0))
    tasks = draw_tasks(BanditFamily(horizon=10), 32, np.random.default_rng(0))
    first = learner.unroll(tasks, 10, torch.Generator().manual_seed(3))
    second = learner.unroll(tasks, 10, torch.Generator().manual_seed(3))
    assert torch.equal(first.actions, second.actions) and torch.equal(first.rewards, second.rewards)


@pytest.fixture(scope="module")
def small_run():
    config = MetaLearningConfig(
        train_steps=150, batch_size=64, test_tasks=1000, test_shares=(0.5,), seed=0
    )
    return run_meta_learning(config)


def test_the_learned_learner_beats_prior_free_learners_on_its_training_family(small_run):
    train = small_run.config.favoured_share
    learned = small_run.regret_at("learned", train)
    assert learned < small_run.regret_at("thompson", train)
    assert learned < small_run.regret_at("ucb", train)
    assert learned > small_run.bayes_exact_regret[train] - 0.05  # nobody beats Bayes by much


def test_its_prior_misleads_it_on_the_shifted_family(small_run):
    train, shift = small_run.config.favoured_share, small_run.config.shifted_share
    assert small_run.regret_at("learned", shift) > 2 * small_run.regret_at("learned", train)
    assert small_run.regret_at("learned", shift) > small_run.regret_at("thompson", shift)
    # it opens with the arm that was usually better in training, whatever the family
    first_pull = small_run.favoured_arm_share["learned"][:, 0]
    assert (first_pull > 0.9).all()


def test_thompson_sampling_is_indifferent_to_the_shift():
    regrets = []
    for share in (0.85, 0.15):
        tasks = draw_tasks(BanditFamily(favoured_share=share), 8000, np.random.default_rng(0))
        regrets.append(play(ThompsonSampling(), tasks, 20, np.random.default_rng(1)).regret())
    assert regrets[0] == pytest.approx(regrets[1], abs=0.08)


def test_config_ranges():
    with pytest.raises(ValueError, match="learning_rate"):
        MetaLearningConfig(learning_rate=0.0)
    with pytest.raises(ValueError, match="test_shares"):
        MetaLearningConfig(test_shares=(0.5, 0.2))
