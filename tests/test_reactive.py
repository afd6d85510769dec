"""The reactive CNN policy: shapes, receptive field, validation, seeding, trainability."""

import numpy as np
import pytest
import torch

from demos.agents import planners
from demos.agents.reactive import ReactivePolicy, parameter_count
from demos.core.runtime import seeded
from demos.training import base_optimizers, rollouts
from demos.worlds.mazes import LevelConfig, generate_levels


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One torch thread, as the experiments use (two are far slower on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _levels(size, n=4, seed=0):
    return generate_levels(LevelConfig(size=size), n, np.random.default_rng(seed))


def _model(width=8, depth=3, seed=0):
    return ReactivePolicy(width=width, depth=depth, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("size", [5, 12])
def test_logits_cover_every_cell_of_any_size(size):
    levels = _levels(size, n=3)
    model = _model()
    logits = model.policy(levels)
    assert logits.shape == (3, 5, size, size)
    assert torch.isfinite(logits).all()
    # Encoded levels give the same logits, and the rollout accepts them.
    assert torch.equal(model.policy(planners.encode(levels)), logits)
    assert rollouts.rollout(levels, logits.detach()).paths.shape == (3, 3 * size + 1, 2)


def test_steps_is_accepted_and_ignored():
    levels = _levels(7)
    model = _model()
    assert torch.equal(model.policy(levels, steps=1), model.policy(levels, steps=50))
    assert torch.equal(model.policy(levels, steps=None), model.policy(levels))


@pytest.mark.parametrize("depth, size, cell", [(3, 11, (5, 5)), (6, 15, (7, 7)), (4, 9, (0, 1))])
def test_a_cell_sees_exactly_the_cells_within_its_radius(depth, size, cell):
    """Perturb each cell of the input in turn; the logits at ``cell`` must change exactly when the
    perturbed cell is within Chebyshev distance ``radius`` (the geometry is the reference)."""
    # float64: a corner cell's influence after six layers can be ~1e-7, about the rounding noise
    # float32 convolutions add when a batch reorders their sums; in float64 the two stand apart
    # and a cell out of view changes the logits by exactly 0.
    model = _model(depth=depth, seed=1).double()
    assert model.radius == depth
    base = planners.encode(_levels(size, n=1, seed=2)).features.double()
    every = np.arange(size * size)
    rows, cols = np.divmod(every, size)
    copies = base.repeat(size * size, 1, 1, 1)
    copies[every, 0, rows, cols] = 1.0 - copies[every, 0, rows, cols]  # toggle a wall
    copies[every, 2, rows, cols] += 0.5  # and brighten the marker channel there
    with torch.no_grad():
        here = model(base)[0, :, cell[0], cell[1]]
        moved = model(copies)[:, :, cell[0], cell[1]]
    changed = (moved - here).abs().amax(dim=1) > 0
    within = np.maximum(np.abs(rows - cell[0]), np.abs(cols - cell[1])) <= depth
    assert changed.numpy().tolist() == within.tolist()


def test_the_grid_edge_looks_like_a_wall():
    """Padding the walls channel with 1 is what the network does itself at the edge: a maze
    whose features are surrounded by a ring of walls gives, at the cells next to that ring, the
    same first-layer response as the bare maze."""
    model = _model(depth=1)
    features = planners.encode(_levels(6, n=2)).features
    ringed = torch.nn.functional.pad(features, (1, 1, 1, 1))
    ringed[:, 0, 0, :] = ringed[:, 0, -1, :] = ringed[:, 0, :, 0] = ringed[:, 0, :, -1] = 1.0
    with torch.no_grad():
        bare = model(features)
        inner = model(ringed)[:, :, 1:-1, 1:-1]
    assert torch.allclose(bare, inner, atol=1e-6)


def test_parameter_count_matches_the_architecture_and_exceeds_the_planner():
    width, depth = 8, 3
    expected = (3 * 9 * width + width) + (depth - 1) * (width * width * 9 + width) + 5 * width + 5
    assert parameter_count(_model(width, depth)) == expected
    assert parameter_count(ReactivePolicy()) > parameter_count(planners.Planner())
    assert parameter_count(planners.Planner()) == 5  # 3 feature weights, a bias, a temperature


def test_same_generator_seed_same_weights_and_global_seed_works_too():
    a, b, c = _model(seed=3), _model(seed=3), _model(seed=4)
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert torch.equal(pa, pb)
        assert not torch.equal(pa, pc)
    seeded(5)
    d = ReactivePolicy(width=8, depth=3)
    seeded(5)
    e = ReactivePolicy(width=8, depth=3)
    assert all(torch.equal(x, y) for x, y in zip(d.parameters(), e.parameters(), strict=True))


@pytest.mark.parametrize(
    "build, name",
    [
        (lambda: ReactivePolicy(width=0), "width"),
        (lambda: ReactivePolicy(depth=0), "depth"),
        (lambda: ReactivePolicy(depth=2.5), "depth"),
        (lambda: ReactivePolicy(generator=7), "generator"),
        (lambda: _model().policy(np.zeros((1, 3, 5, 5))), "levels"),
        (lambda: _model().policy(_levels(5), steps=0), "steps"),
        (lambda: _model()(torch.zeros(1, 4, 5, 5)), "features"),
        (lambda: _model()(torch.zeros(3, 5, 5)), "features"),
        (lambda: _model()(torch.full((1, 3, 5, 5), float("nan"))), "features"),
        (lambda: parameter_count("model"), "model"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(build, name):
    with pytest.raises(ValueError, match=name):
        build()


def test_imitation_trains_it():
    """The base optimizer takes the reactive model unchanged and lowers its imitation loss."""
    levels = _levels(6, n=32)
    model = _model(width=8, depth=5)
    history = base_optimizers.imitate(
        model, levels, steps=40, learning_rate=0.01, generator=torch.Generator().manual_seed(0)
    )
    assert history.last("loss") < 0.7 * history.rows[0]["loss"]
