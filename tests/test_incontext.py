"""In-context learning by gradient descent: the reference optimizer, the layer, the phenomenon."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from demos.__main__ import main
from demos.agents import linear_attention
from demos.analysis import gradient_step
from demos.experiments.incontext_gd import IncontextGDConfig, run_incontext_gd
from demos.worlds import regression_tasks


def tiny_prompt():
    xs = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]])  # (1, N=2, d=2)
    ys = torch.tensor([[3.0, -1.0]])  # (1, 2)
    query = torch.tensor([[1.0, 1.0]])  # (1, 2)
    return xs, ys, query


def test_gd_prediction_matches_the_hand_computed_closed_form():
    # (eta / N) * sum_i y_i x_i . x_q = 0.5 / 2 * ((3 * [1, 0] - [0, 2]) . [1, 1]) = 0.25
    xs, ys, query = tiny_prompt()
    assert gradient_step.gd_one_step_predict(xs, ys, query, 0.5).item() == pytest.approx(0.25)


def test_gd_prediction_matches_an_explicit_gradient_step():
    generator = torch.Generator().manual_seed(3)
    tasks = regression_tasks.sample_tasks(7, 4, 6, generator)
    eta = 0.3
    w = torch.zeros(7, 4, requires_grad=True)
    in_context_loss = 0.5 * ((torch.einsum("bnd,bd->bn", tasks.xs, w) - tasks.ys) ** 2).mean(1)
    (gradient,) = torch.autograd.grad(in_context_loss.sum(), w)
    expected = ((w - eta * gradient) * tasks.query).sum(-1)
    got = gradient_step.gd_one_step_predict(tasks.xs, tasks.ys, tasks.query, eta)
    assert torch.allclose(got, expected, atol=1e-5)


def test_fitted_step_size_matches_a_grid_search_and_the_population_optimum():
    generator = torch.Generator().manual_seed(1)
    dim, context_size = 4, 12
    tasks = regression_tasks.sample_tasks(4000, dim, context_size, generator)
    fitted = gradient_step.fit_gd_step_size(tasks)
    grid = np.linspace(0.0, 2.0, 2001)
    losses = [
        gradient_step.mean_squared_error(
            gradient_step.gd_one_step_predict(tasks.xs, tasks.ys, tasks.query, e), tasks.target
        )
        for e in grid
    ]
    assert fitted == pytest.approx(grid[int(np.argmin(losses))], abs=1e-3)
    # Noiseless isotropic tasks: E[loss] is minimised at 1 / (s^2 (1 + (d + 1) / N)).
    assert fitted == pytest.approx(1 / (1 + (dim + 1) / context_size), rel=0.05)
    shifted = gradient_step.best_gd_step_size(
        dim, context_size, generator, input_scale=2.0, tasks=4000
    )
    assert shifted == pytest.approx(fitted / 4, rel=0.08)


@pytest.mark.parametrize("key_scale", [1.0, -0.5, 3.0])
def test_the_gd_construction_makes_the_layer_compute_one_gd_step(key_scale):
    generator = torch.Generator().manual_seed(2)
    tasks = regression_tasks.sample_tasks(9, 3, 5, generator)
    layer = linear_attention.LinearSelfAttention(3, generator=generator)
    construction = gradient_step.gd_matrices(3, 0.7, key_scale)
    with torch.no_grad():
        layer.key_query.copy_(torch.from_numpy(construction["key_query"]))
        layer.value.copy_(torch.from_numpy(construction["value"]))
    expected = gradient_step.gd_one_step_predict(tasks.xs, tasks.ys, tasks.query, 0.7)
    assert torch.allclose(layer(tasks.xs, tasks.ys, tasks.query), expected, atol=1e-5)
    full = layer.query_output(tasks.xs, tasks.ys, tasks.query)
    assert full.shape == (9, 4)
    assert torch.allclose(full[:, -1], expected, atol=1e-5)
    assert np.allclose(linear_attention.layer_matrices(layer)["step_matrix"], 0.7 * np.eye(3))


def test_shapes():
    tasks = regression_tasks.sample_tasks(6, 3, 4, torch.Generator().manual_seed(0))
    assert tasks.xs.shape == (6, 4, 3) and tasks.ys.shape == (6, 4)
    assert tasks.query.shape == (6, 3) and tasks.target.shape == (6,)
    assert torch.allclose(tasks.target, (tasks.weights * tasks.query).sum(-1))
    layer = linear_attention.LinearSelfAttention(3)
    assert layer(tasks.xs, tasks.ys, tasks.query).shape == (6,)
    learned = linear_attention.layer_matrices(layer)
    assert learned["key_query"].shape == learned["value"].shape == (4, 4)
    assert learned["step_matrix"].shape == (3, 3)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"dim": 0}, "dim"), ({"context_size": 0}, "context_size"), ({"batch": 0}, "batch")],
)
def test_bad_task_settings_name_the_parameter(kwargs, name):
    arguments = {"batch": 2, "dim": 3, "context_size": 4} | kwargs
    with pytest.raises(ValueError, match=name):
        regression_tasks.sample_tasks(generator=torch.Generator(), **arguments)


def test_wrong_tensor_shapes_raise_value_errors():
    xs, ys, query = tiny_prompt()
    with pytest.raises(ValueError, match="ys"):
        gradient_step.gd_one_step_predict(xs, ys[:, :1], query, 0.1)
    with pytest.raises(ValueError, match="query"):
        gradient_step.gd_one_step_predict(xs, ys, query[:, :1], 0.1)
    with pytest.raises(ValueError, match="xs"):
        linear_attention.LinearSelfAttention(2)(xs[0], ys, query)
    with pytest.raises(ValueError, match="xs"):
        linear_attention.LinearSelfAttention(5)(xs, ys, query)  # the layer expects d = 5


@pytest.mark.parametrize("field, value", [("dim", 0), ("context_size", 0), ("shift_scale", 0)])
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        IncontextGDConfig(**{field: value})


SMALL = dict(train_steps=250, batch_size=128, eval_tasks=1024, snapshot_every=50)


def test_same_seed_gives_the_same_summary():
    def figures(seed):
        summary = run_incontext_gd(
            IncontextGDConfig(seed=seed, train_steps=30, eval_tasks=256)
        ).summary()
        summary.pop("train_seconds")
        return summary

    assert figures(4) == figures(4)
    assert figures(4) != figures(5)


def test_trained_layer_matches_gd_and_overshoots_when_inputs_grow():
    result = run_incontext_gd(IncontextGDConfig(seed=0, **SMALL))
    assert result.cosine_to_gd >= 0.95
    assert result.loss_ratio_to_gd < 1.2
    # It keeps the training-time step: on larger inputs it does like fixed-step GD, far worse
    # than GD re-tuned for the larger inputs.
    assert result.shift_loss_ratio_to_retuned_gd > 5
    assert result.shift_loss_ratio_to_fixed_gd == pytest.approx(1.0, abs=0.2)
    assert [step for step, _ in result.snapshots] == [0, 50, 100, 150, 200, 250]
    learned, _ = result.matrices()
    d, n, eta = result.config.dim, result.config.context_size, result.gd_step_size
    # An independent reading of what the layer computes: regress its predictions on the features
    # (1 / N) sum_i y_i x_i[j] x_query[k] of fresh prompts. One GD step of size eta is the linear
    # map M = eta * I on these features.
    tasks = regression_tasks.sample_tasks(3000, d, n, torch.Generator().manual_seed(11))
    features = torch.einsum("bn,bnj,bk->bjk", tasks.ys, tasks.xs, tasks.query) / n
    with torch.no_grad():
        predictions = result.layer(tasks.xs, tasks.ys, tasks.query)
    fitted = torch.linalg.lstsq(
        features.reshape(len(predictions), -1).double(), predictions.double()
    )
    behaviour = fitted.solution.reshape(d, d).numpy()
    assert np.abs(behaviour - eta * np.eye(d)).max() < 0.1 * eta  # it behaves like one GD step
    # ... and the step matrix read off its weights is the map it computes.
    assert np.abs(learned["step_matrix"] - behaviour).max() < 0.05 * eta


def test_command_line_prints_json_and_rejects_bad_options(capsys):
    assert main(["incontext-gd", "--seed", "0", "--train-steps", "20", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) >= {
        "cosine_to_gd",
        "loss_ratio_to_gd",
        "shift_loss_ratio_to_retuned_gd",
        "train_seconds",
    }
    with pytest.raises(SystemExit) as stopped:
        main(["incontext-gd", "--dim", "0"])
    assert stopped.value.code == 2
    message = capsys.readouterr().err.strip()
    assert "dim" in message and len(message.splitlines()) == 1
