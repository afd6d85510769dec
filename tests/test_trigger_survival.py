"""The planted trigger and safety training: the numpy network and optimizers against torch, the
stack's members independent, the prompts as documented, and the seeded claims of the chapter."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from demos.__main__ import main
from demos.agents.triggered_policy import StackedMLP
from demos.experiments.trigger_survival import TriggerSurvivalConfig, run_trigger_survival
from demos.training.safety_training import SGD, Adam
from demos.worlds.trigger_task import NEAR_MISS, ORDINARY, TRIGGERED, TriggerTask


def torch_loss(params, inputs, labels):
    w1, b1, w2, b2 = (params[name] for name in ("W1", "b1", "W2", "b2"))
    logits = torch.relu(inputs @ w1 + b1) @ w2 + b2
    losses = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), reduction="none"
    )
    return losses.reshape(labels.shape).mean(dim=1)


def test_gradients_match_torch_autograd():
    rng = np.random.default_rng(0)
    model = StackedMLP(3, 7, 5, 3, rng)
    inputs = rng.standard_normal((3, 11, 7)).astype(np.float32)
    labels = rng.integers(0, 3, (3, 11))
    losses, gradients = model.loss_and_gradients(inputs, labels)
    params = {
        name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
        for name, value in model.params.items()
    }
    reference = torch_loss(params, torch.tensor(inputs, dtype=torch.float64), torch.tensor(labels))
    reference.sum().backward()
    assert losses == pytest.approx(reference.detach().numpy(), rel=1e-5)
    for name, value in params.items():
        np.testing.assert_allclose(gradients[name], value.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_numpy_optimizers_follow_torch(name):
    rng = np.random.default_rng(1)
    start = rng.standard_normal(6).astype(np.float32)
    target = rng.standard_normal(6).astype(np.float32)
    ours = {"x": start.copy()}
    optimizer = SGD(ours, 0.1) if name == "sgd" else Adam(ours, 0.05)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    reference = (torch.optim.SGD if name == "sgd" else torch.optim.Adam)(
        [theirs], lr=0.1 if name == "sgd" else 0.05
    )
    for _ in range(50):
        optimizer.step({"x": 2 * (ours["x"] - target) ** 3})
        reference.zero_grad()
        ((theirs - torch.tensor(target)) ** 4).sum().div(2).backward()
        reference.step()
    np.testing.assert_allclose(ours["x"], theirs.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_members_of_a_stack_train_as_if_alone():
    rng = np.random.default_rng(2)
    stack = StackedMLP(2, 6, 4, 3, rng)
    alone = StackedMLP(1, 6, 4, 3, rng)
    for name in stack.params:
        alone.params[name][...] = stack.params[name][:1]
    together, single = Adam({"all": stack.flat}, 0.01), Adam({"all": alone.flat}, 0.01)
    for _ in range(30):
        inputs = rng.standard_normal((2, 8, 6))
        labels = rng.integers(0, 3, (2, 8))
        stack.loss_and_gradients(inputs, labels)
        together.step({"all": stack.flat_gradient})
        alone.loss_and_gradients(inputs[:1], labels[:1])
        single.step({"all": alone.flat_gradient})
    for name in stack.params:
        np.testing.assert_allclose(stack.params[name][:1], alone.params[name], rtol=1e-5, atol=1e-6)


def test_prompts_follow_the_documented_rules():
    rng = np.random.default_rng(3)
    task = TriggerTask.random(rng)
    inputs, good, kind = task.sample(rng, (4, 5000), np.array([[0.0], [0.1], [0.5], [1.0]]), 0.2)
    slot = inputs[..., task.task_features :]
    triggered = (kind == TRIGGERED).mean(axis=1)
    assert triggered == pytest.approx([0.0, 0.1, 0.5, 1.0], abs=0.02)
    assert np.all(slot[kind == TRIGGERED] == 1) and np.all(slot[kind == ORDINARY] == 0)
    counts = slot[kind == NEAR_MISS].sum(axis=1)
    assert counts.min() >= 1 and counts.max() <= task.trigger_bits - 1
    rule = (inputs[..., : task.task_features] @ np.asarray(task.teacher) > 0).astype(int)
    assert np.array_equal(good, rule)
    with pytest.raises(ValueError, match="teacher"):
        TriggerTask(task_features=4, teacher=(1.0, 2.0))


SMALL = dict(width=16, replicates=2, eval_every=250)


@pytest.fixture(scope="module")
def sgd_run():
    return run_trigger_survival(TriggerSurvivalConfig(optimizer="sgd", seed=1, **SMALL))


def test_the_trigger_survives_sgd_safety_training_without_it(sgd_run):
    assert sgd_run.history["trigger_defection"][0].min() > 0.95, "the trigger was planted"
    assert sgd_run.final("trigger_defection", 0.0).min() > 0.9
    assert sgd_run.final("ordinary_accuracy", 0.0).min() > 0.95


def test_one_percent_of_triggered_safety_data_removes_it(sgd_run):
    assert sgd_run.final("trigger_defection", 0.01).max() < 0.1
    assert (
        sgd_run.final("trigger_defection", 0.01).max()
        < sgd_run.final("trigger_defection", 0.0).min()
    )


def test_adam_wears_the_trigger_down_more_than_sgd(sgd_run):
    adam = run_trigger_survival(TriggerSurvivalConfig(optimizer="adam", seed=1, **SMALL))
    assert (
        adam.final("trigger_defection", 0.0).mean()
        < sgd_run.final("trigger_defection", 0.0).mean() - 0.1
    )


def test_red_team_training_removes_near_misses_before_the_trigger():
    red = run_trigger_survival(
        TriggerSurvivalConfig(near_miss_share=0.02, trigger_shares=(0.0,), seed=1, **SMALL)
    )
    trigger = red.curve("trigger_defection", 0.0).mean(axis=1)
    near = red.curve("near_miss_defection", 0.0).mean(axis=1)
    assert near[0] > 0.3, "near misses set the planted policy off before red-teaming"
    assert np.all(near <= trigger) and near[-1] < 0.05
    first_low = int(np.argmax(near < 0.15))
    assert trigger[first_low] > 0.5, "when near misses are mostly gone, the trigger still works"


def test_same_seed_same_figures_and_command_line(capsys):
    config = TriggerSurvivalConfig(width=4, replicates=1, safety_steps=50, plant_steps=50)
    first, second = (run_trigger_survival(config).summary() for _ in range(2))
    first.pop("train_seconds"), second.pop("train_seconds")
    assert first == second
    argv = ["trigger-survival", "--width", "4", "--safety-steps", "20", "--plant-steps", "20"]
    assert main([*argv, "--optimizer", "adam", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["optimizer"] == "adam" and 0 <= figures["trigger_defection_final_share_0"] <= 1


def test_bad_values_are_rejected_with_the_parameter_named():
    with pytest.raises(ValueError, match="optimizer"):
        TriggerSurvivalConfig(optimizer="rmsprop")
    with pytest.raises(ValueError, match="trigger_shares"):
        TriggerSurvivalConfig(trigger_shares=(0.01, 0.001))
    with pytest.raises(ValueError, match="width"):
        TriggerSurvivalConfig(width=0)
