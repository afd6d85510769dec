"""An "am I deployed?" detector: logistic regression on an episode's features. Chapter 4 uses it
(experiment ``deployment-cue``) as the part of a deceptive model that watches for deployment.

The detector is fitted by Newton's method (iteratively reweighted least squares) with a small
ridge penalty, on standardised features. Its score is the log-odds that an episode is a deployment
episode; higher means "more likely deployed".
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_float, check_int, check_shape


class PhaseDetector:
    """Logistic regression from features to P(deployed).

    Args:
        ridge: float >= 0. L2 penalty on the weights (not the bias), keeping the fit finite when the
            phases are perfectly separable.
        iterations: int >= 1. Newton steps.
    """

    def __init__(self, ridge: float = 1e-3, iterations: int = 25) -> None:
        self.ridge = check_float("ridge", ridge, 0.0)
        self.iterations = check_int("iterations", iterations, 1, 10_000)
        self.mean: np.ndarray | None = None
        self.scale: np.ndarray | None = None
        self.weights: np.ndarray | None = None

    def fit(self, train_features: np.ndarray, deploy_features: np.ndarray) -> PhaseDetector:
        """Fit on episodes known to be from training (label 0) and deployment (label 1).

        Args:
            train_features: (n, f) float.
            deploy_features: (k, f) float, same f.
        """
        negatives = np.asarray(train_features, dtype=float)
        positives = np.asarray(deploy_features, dtype=float)
        check_shape(
            "train_features", negatives.shape, "(n, f)", negatives.ndim == 2 and len(negatives)
        )
        check_shape(
            "deploy_features",
            positives.shape,
            f"(k, {negatives.shape[1]})",
            positives.ndim == 2 and len(positives) and positives.shape[1] == negatives.shape[1],
        )
        features = np.vstack([negatives, positives])
        labels = np.concatenate([np.zeros(len(negatives)), np.ones(len(positives))])
        self.mean = features.mean(axis=0)
        self.scale = np.where(features.std(axis=0) > 0, features.std(axis=0), 1.0)
        design = self._design(features)
        weights = np.zeros(design.shape[1])
        penalty = self.ridge * np.eye(design.shape[1])
        penalty[0, 0] = 0.0  # the bias is not penalised
        for _ in range(self.iterations):
            probability = _sigmoid(design @ weights)
            gradient = design.T @ (probability - labels) + penalty @ weights
            curvature = (design * (probability * (1 - probability))[:, None]).T @ design + penalty
            curvature += 1e-9 * np.eye(design.shape[1])
            weights = weights - np.linalg.solve(curvature, gradient)
        self.weights = weights
        return self

    def score(self, features: np.ndarray) -> np.ndarray:
        """(n,) log-odds that each episode is from deployment."""
        if self.weights is None:
            raise ValueError("the detector must be fitted before it scores episodes")
        features = np.asarray(features, dtype=float)
        check_shape(
            "features",
            features.shape,
            f"(n, {len(self.weights) - 1})",
            features.ndim == 2 and features.shape[1] == len(self.weights) - 1,
        )
        return self._design(features) @ self.weights

    def probability(self, features: np.ndarray) -> np.ndarray:
        """(n,) P(deployed) for each episode."""
        return _sigmoid(self.score(features))

    def _design(self, features: np.ndarray) -> np.ndarray:
        standard = (features - self.mean) / self.scale
        return np.column_stack([np.ones(len(standard)), standard])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))
