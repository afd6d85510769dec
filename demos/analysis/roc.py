"""ROC curves of a detector that scores episodes, and the points reachable by mixing thresholds.
Used by chapter 4 (experiment ``deployment-cue``): how well a model can tell deployment from
training, and which pairs of defection rates that lets it choose.

Convention: a higher score means "more likely deployment". The false positive rate is the share of
training episodes scored above a threshold, the true positive rate the share of deployment ones.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_shape


def roc_curve(train_scores, deploy_scores) -> tuple[np.ndarray, np.ndarray]:
    """The empirical ROC curve, from (0, 0) to (1, 1), one point per distinct threshold.

    Args:
        train_scores: (n,) float, n >= 1. Scores of training episodes (the negatives).
        deploy_scores: (k,) float, k >= 1. Scores of deployment episodes (the positives).

    Returns:
        (fpr, tpr): increasing arrays of the same length.
    """
    negatives = _scores("train_scores", train_scores)
    positives = _scores("deploy_scores", deploy_scores)
    thresholds = np.unique(np.concatenate([negatives, positives]))[::-1]
    negatives, positives = np.sort(negatives), np.sort(positives)
    # share of scores >= each threshold
    fpr = 1.0 - np.searchsorted(negatives, thresholds, side="left") / negatives.size
    tpr = 1.0 - np.searchsorted(positives, thresholds, side="left") / positives.size
    return np.concatenate([[0.0], fpr]), np.concatenate([[0.0], tpr])


def auc(fpr, tpr) -> float:
    """Area under an ROC curve by the trapezoid rule (0.5: no better than chance)."""
    x, y = np.asarray(fpr, dtype=float), np.asarray(tpr, dtype=float)
    check_shape("fpr", x.shape, "(n,) matching tpr", x.ndim == 1 and x.shape == y.shape)
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def upper_hull(fpr, tpr) -> tuple[np.ndarray, np.ndarray]:
    """The upper concave hull of the ROC points together with (0, 0) and (1, 1): the most
    deployment defections a model can reach for each rate of training defections, mixing
    thresholds at random.

    Returns:
        (x, y): the hull's corners, x strictly increasing from 0 to 1.
    """
    x = np.concatenate([[0.0, 1.0], np.asarray(fpr, dtype=float)])
    y = np.concatenate([[0.0, 1.0], np.asarray(tpr, dtype=float)])
    check_shape("fpr", x.shape, "(n,) matching tpr", x.shape == y.shape)
    order = np.lexsort((-y, x))
    hull: list[tuple[float, float]] = []
    for px, py in zip(x[order], y[order], strict=True):
        if hull and px == hull[-1][0]:
            continue  # same x: the first (highest y) was kept
        while len(hull) >= 2:
            (ax, ay), (bx, by) = hull[-2], hull[-1]
            if (bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0:  # b is on or below a-p
                hull.pop()
            else:
                break
        hull.append((px, py))
    corners = np.array(hull)
    return corners[:, 0], corners[:, 1]


def _scores(name: str, scores) -> np.ndarray:
    values = np.asarray(scores, dtype=float).ravel()
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must hold at least one finite score, got {values!r}")
    return values
