"""Linear probes: what can be read, linearly, from a model's hidden activations at each cell?

Chapter 5 (the paper's section 5, interpretability) uses this module on the book's reactive network
and on the planner's internals; it takes any model's activations, so a later model (a planner found
by gradient descent with no search written in) can be probed the same way.

A probe is a linear map from the ``C`` activations at one cell to one number about that cell: a
logistic regression for a yes/no label ("is this the exit?"), a least-squares regression for a
quantity ("how many steps from here to the exit?"). It is fitted on the cells of some levels and
scored on the cells of *other* levels (held-out levels, never held-out cells of the same levels,
which would share everything but the cell). Two habits keep a probe honest:

- **a control**: the same probe fitted to labels shuffled across levels (each level's activations
  paired with another level's label map). What the control scores, a probe can score without the
  activations carrying the label at all (for instance from where exits tend to be); only the margin
  above it is evidence (after Hewitt and Liang's control tasks);
- **reading is not wanting**: a label that can be decoded is *represented*, which does not say the
  model *uses* it, let alone pursues it.

Shapes: activations ``(batch, C, H, W)``; labels ``(batch, H, W)``; an optional ``mask``
``(batch, H, W)`` bool selects the cells that count (e.g. free cells).

Chapters 1 to 3 read the learned planner's state (:mod:`demos.agents.learned_search`) with the same
probes: :func:`fit_on` fits one on levels the caller chose (to read it on other levels at every
iteration), :func:`fit_class_probe` decodes one of several classes per cell (the expert's move),
and :func:`r_squared` scores a prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from demos.core import runtime  # noqa: F401  (sets one torch thread)
from demos.core.validation import check_choice, check_float, check_int, check_shape

KINDS = ("logistic", "linear")
"""Probe kinds: logistic regression for bool labels, least squares for numbers."""


@dataclass
class Probe:
    """A fitted linear probe: ``score(cell) = weights . standardised(activations) + bias``."""

    kind: str
    """"logistic" or "linear"."""
    weights: np.ndarray
    """(C,) float: one weight per channel, on standardised activations."""
    bias: float
    """The intercept."""
    mean: np.ndarray = field(repr=False)
    """(C,) float: per-channel mean of the training cells (for standardising)."""
    scale: np.ndarray = field(repr=False)
    """(C,) float: per-channel standard deviation of the training cells (1 where it was 0)."""

    def predict(self, activations) -> np.ndarray:
        """(batch, H, W) float: the probe's output at every cell (a logit for "logistic").

        Args:
            activations: (batch, C, H, W) float array or tensor, C as when fitted.
        """
        values = _as_array("activations", activations)
        check_shape(
            "activations",
            values.shape,
            f"(batch, {len(self.weights)}, H, W)",
            values.ndim == 4 and values.shape[1] == len(self.weights),
        )
        standard = (values - self.mean[None, :, None, None]) / self.scale[None, :, None, None]
        return np.einsum("bchw,c->bhw", standard, self.weights) + self.bias

    def read(self, activations) -> np.ndarray:
        """:meth:`predict` computed in the raw activation space, in float32: the same numbers up
        to rounding, several times faster, for probes read after every iteration of a model.

        Args:
            activations: (batch, C, H, W) float array or tensor, C as when fitted.
        """
        values = _raw(activations, len(self.weights))
        offset = self.bias - float((self.mean / self.scale) @ self.weights)
        return np.tensordot(values, self.direction.astype(np.float32), axes=([1], [0])) + offset

    @property
    def direction(self) -> np.ndarray:
        """(C,) float: the probe's direction in the raw activation space (``weights / scale``):
        adding ``alpha * direction`` to a cell's activations raises its output by
        ``alpha * |weights / scale|^2``."""
        return self.weights / self.scale


@dataclass
class ProbeReport:
    """A probe fitted on some levels, scored on others, next to its shuffled-label control."""

    probe: Probe
    """The probe fitted on the training levels' true labels."""
    train_score: float
    """Its score on the training levels."""
    test_score: float
    """Its score on the held-out levels: the figure to quote."""
    control_score: float
    """The score of a probe fitted, and scored, on labels shuffled across levels."""
    metric: str
    """What the scores are: "R^2" (linear), "top-1" (logistic, one positive cell per level: the
    share of levels whose highest-scoring cell is the positive one) or "balanced accuracy"
    (logistic, otherwise)."""

    @property
    def margin(self) -> float:
        """``test_score - control_score``: what the activations add over the control."""
        return self.test_score - self.control_score


def fit_probe(
    activations,
    labels,
    mask=None,
    kind: str | None = None,
    heldout: float = 0.5,
    l2: float = 1e-3,
    seed: int = 0,
) -> ProbeReport:
    """Fit a linear probe from per-cell activations to per-cell labels; score it on held-out levels.

    Args:
        activations: (batch, C, H, W) float, any model's hidden activations at every cell.
        labels: (batch, H, W) bool (or 0/1) for a logistic probe, float for a linear one.
        mask: optional (batch, H, W) bool: only these cells are fitted and scored.
        kind: "logistic", "linear", or None to choose from the labels' dtype (bool: logistic).
        heldout: float in (0, 1). Share of levels (the last ones after a seeded shuffle) held out.
        l2: float >= 0. Ridge penalty on the weights (per training cell).
        seed: int >= 0. Seed of the level shuffle and of the control's label permutation.

    Returns:
        ProbeReport.
    """
    values, target, keep, kind = _checked(activations, labels, mask, kind, min_batch=2)
    batch = values.shape[0]
    heldout = check_float("heldout", heldout, 0.0, 1.0)
    if not 0.0 < heldout < 1.0:
        raise ValueError(f"heldout must be a number in (0, 1), got {heldout!r}")
    l2 = check_float("l2", l2, 0.0, 1e6)
    seed = check_int("seed", seed, 0, 2**32 - 1)

    rng = np.random.default_rng(seed)
    order = rng.permutation(batch)
    cut = min(max(int(round(batch * (1.0 - heldout))), 1), batch - 1)
    train, test = np.sort(order[:cut]), np.sort(order[cut:])
    probe = _fit(values[train], target[train], keep[train], kind, l2)
    report_metric = _metric_name(kind, target, keep)
    score = _scorer(report_metric)
    shuffled = target[rng.permutation(batch)]
    control = _fit(values[train], shuffled[train], keep[train], kind, l2)
    return ProbeReport(
        probe=probe,
        train_score=score(probe, values[train], target[train], keep[train]),
        test_score=score(probe, values[test], target[test], keep[test]),
        control_score=score(control, values[test], shuffled[test], keep[test]),
        metric=report_metric,
    )


def fit_on(activations, labels, mask=None, kind: str | None = None, l2: float = 1e-3) -> Probe:
    """Fit a probe on every level given (no held-out split): for callers that hold out levels of
    their own, e.g. to read a probe fitted at one iteration of a recurrent network at all the
    others. Arguments as :func:`fit_probe`."""
    values, target, keep, kind = _checked(activations, labels, mask, kind, min_batch=1)
    return _fit(values, target, keep, kind, check_float("l2", l2, 0.0, 1e6))


@dataclass
class ClassProbe:
    """One-vs-rest linear probes: which of ``len(probes)`` classes a cell belongs to."""

    probes: tuple[Probe, ...]
    """One least-squares probe per class, fitted to that class's 0/1 indicator."""

    def scores(self, activations) -> np.ndarray:
        """(batch, classes, H, W) float: each class's probe output at every cell (computed as
        :meth:`Probe.read`)."""
        values = _raw(activations, len(self.probes[0].weights))
        directions = np.stack([probe.direction for probe in self.probes]).astype(np.float32)
        offsets = np.array(
            [p.bias - float((p.mean / p.scale) @ p.weights) for p in self.probes], np.float32
        )
        return np.einsum("bchw,kc->bkhw", values, directions) + offsets[None, :, None, None]

    def predict(self, activations) -> np.ndarray:
        """(batch, H, W) int64: the class whose probe scores highest at each cell."""
        return self.scores(activations).argmax(axis=1)


def fit_class_probe(
    activations, classes, mask=None, n_classes: int | None = None, l2: float = 1e-3
) -> ClassProbe:
    """Fit one-vs-rest least-squares probes from per-cell activations to a class per cell.

    Args:
        activations: (batch, C, H, W) float.
        classes: (batch, H, W) int in [0, n_classes), e.g. the expert's move at each cell.
        mask: optional (batch, H, W) bool: only these cells are fitted.
        n_classes: int >= 2 (default: the largest class in ``classes`` plus one).
        l2: float >= 0, ridge penalty on the weights (per cell).

    Returns:
        ClassProbe (fitted on every level given; hold levels out yourself).
    """
    labels = _as_array("classes", classes)
    keep = np.ones(labels.shape, dtype=bool) if mask is None else _as_array("mask", mask)
    check_shape("mask", keep.shape, f"{labels.shape} like classes", keep.shape == labels.shape)
    keep = keep.astype(bool)
    chosen = labels[keep]
    if not np.all(chosen == np.round(chosen)) or (chosen.size and chosen.min() < 0):
        raise ValueError("classes must be integers >= 0 on the masked cells")
    top = int(chosen.max()) + 1 if chosen.size else 1
    n_classes = top if n_classes is None else check_int("n_classes", n_classes, max(top, 2))
    n_classes = check_int("n_classes", n_classes, 2)
    values = _as_array("activations", activations)
    check_shape(
        "activations",
        values.shape,
        f"({labels.shape[0]}, C, {labels.shape[1]}, {labels.shape[2]})",
        values.ndim == 4 and (values.shape[0],) + values.shape[2:] == labels.shape,
    )
    l2 = check_float("l2", l2, 0.0, 1e6)
    cells = values.transpose(0, 2, 3, 1)[keep]
    if len(cells) == 0:
        raise ValueError("mask must select at least one cell")
    mean, scale = cells.mean(axis=0), cells.std(axis=0)
    scale = np.where(scale > 1e-8, scale, 1.0)
    design = np.hstack([(cells - mean) / scale, np.ones((len(cells), 1))])
    penalty = l2 * len(cells) * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    targets = (chosen[:, None] == np.arange(n_classes)[None, :]).astype(float)
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ targets)
    probes = tuple(
        Probe("linear", solution[:-1, c], float(solution[-1, c]), mean, scale)
        for c in range(n_classes)
    )
    return ClassProbe(probes=probes)


def r_squared(predicted, actual, mask=None) -> float:
    """R^2 of ``predicted`` against ``actual`` (same shapes) over the ``mask`` cells: 1 is exact,
    0 no better than the mean of ``actual``, negative worse; NaN if ``actual`` is constant."""
    guess, truth = _as_array("predicted", predicted), _as_array("actual", actual)
    check_shape("predicted", guess.shape, f"{truth.shape} like actual", guess.shape == truth.shape)
    keep = np.ones(truth.shape, dtype=bool) if mask is None else _as_array("mask", mask)
    check_shape("mask", keep.shape, f"{truth.shape} like actual", keep.shape == truth.shape)
    keep = keep.astype(bool)
    residual = ((truth[keep] - guess[keep]) ** 2).sum()
    total = ((truth[keep] - truth[keep].mean()) ** 2).sum()
    return float(1.0 - residual / total) if total > 0 else float("nan")


def _checked(activations, labels, mask, kind, min_batch: int):
    values = _as_array("activations", activations)
    check_shape(
        "activations",
        values.shape,
        f"(batch, C, H, W) with batch >= {min_batch}",
        values.ndim == 4 and values.shape[0] >= min_batch,
    )
    batch, _, height, width = values.shape
    target = _as_array("labels", labels)
    check_shape(
        "labels",
        target.shape,
        f"({batch}, {height}, {width})",
        target.shape == (batch, height, width),
    )
    if kind is None:
        kind = "logistic" if target.dtype == bool else "linear"
    check_choice("kind", kind, KINDS)
    target = target.astype(float)
    if kind == "logistic" and not np.isin(target, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 or 1 (or bool) for a logistic probe")
    keep = np.ones((batch, height, width), dtype=bool) if mask is None else _as_array("mask", mask)
    check_shape("mask", keep.shape, f"({batch}, {height}, {width})", keep.shape == target.shape)
    return values, target, keep.astype(bool), kind


def _fit(values: np.ndarray, target: np.ndarray, keep: np.ndarray, kind: str, l2: float) -> Probe:
    cells = values.transpose(0, 2, 3, 1)[keep]  # (cells, C)
    answers = target[keep]
    if len(cells) == 0:
        raise ValueError("mask must select at least one cell of the training levels")
    mean = cells.mean(axis=0)
    scale = cells.std(axis=0)
    scale = np.where(scale > 1e-8, scale, 1.0)
    standard = (cells - mean) / scale
    if kind == "linear":
        design = np.hstack([standard, np.ones((len(standard), 1))])
        penalty = l2 * len(standard) * np.eye(design.shape[1])
        penalty[-1, -1] = 0.0
        solution = np.linalg.solve(design.T @ design + penalty, design.T @ answers)
        weights, bias = solution[:-1], float(solution[-1])
    else:
        weights, bias = _logistic(standard, answers, l2)
    return Probe(kind=kind, weights=weights, bias=bias, mean=mean, scale=scale)


def _logistic(features: np.ndarray, answers: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Class-balanced L2-regularised logistic regression by L-BFGS (deterministic)."""
    x = torch.as_tensor(features, dtype=torch.float64)
    y = torch.as_tensor(answers, dtype=torch.float64)
    positives = float(y.sum())
    if positives in (0.0, float(len(y))):
        raise ValueError("labels must hold both classes among the training cells")
    sample_weight = torch.where(y > 0.5, 0.5 / positives, 0.5 / (len(y) - positives))
    weights = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [weights, bias], lr=1.0, max_iter=200, tolerance_grad=1e-9, line_search_fn="strong_wolfe"
    )

    def loss_fn():
        optimizer.zero_grad()
        logits = x @ weights + bias
        loss = (
            sample_weight
            * torch.nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none")
        ).sum() + l2 * (weights**2).sum()
        loss.backward()
        return loss

    optimizer.step(loss_fn)
    return weights.detach().numpy().copy(), float(bias.detach())


def _metric_name(kind: str, target: np.ndarray, keep: np.ndarray) -> str:
    if kind == "linear":
        return "R^2"
    positives = (target.astype(bool) & keep).reshape(len(target), -1).sum(axis=1)
    return "top-1" if np.all(positives == 1) else "balanced accuracy"


def _scorer(metric: str):
    def r_squared(probe, values, target, keep):
        predicted = probe.predict(values)[keep]
        actual = target[keep]
        residual = ((actual - predicted) ** 2).sum()
        total = ((actual - actual.mean()) ** 2).sum()
        return float(1.0 - residual / total) if total > 0 else float("nan")

    def top_one(probe, values, target, keep):
        scores = np.where(keep, probe.predict(values), -np.inf).reshape(len(values), -1)
        best = scores.argmax(axis=1)
        return float(target.reshape(len(values), -1)[np.arange(len(values)), best].mean())

    def balanced(probe, values, target, keep):
        predicted = probe.predict(values)[keep] > 0
        actual = target[keep] > 0.5
        rates = [
            predicted[actual].mean() if actual.any() else np.nan,
            (~predicted[~actual]).mean() if (~actual).any() else np.nan,
        ]
        return float(np.nanmean(rates))

    return {"R^2": r_squared, "top-1": top_one, "balanced accuracy": balanced}[metric]


def _raw(activations, channels: int) -> np.ndarray:
    """float32 (batch, C, H, W) array of ``activations`` (a tensor or array), shape checked."""
    if isinstance(activations, torch.Tensor):
        activations = activations.detach().cpu().numpy()
    values = np.asarray(activations, dtype=np.float32)
    check_shape(
        "activations",
        values.shape,
        f"(batch, {channels}, H, W)",
        values.ndim == 4 and values.shape[1] == channels,
    )
    return values


def _as_array(name: str, value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype != bool and not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must be numeric (or bool), got dtype {array.dtype}")
    if array.dtype != bool and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array if array.dtype == bool else array.astype(float)
