"""What an episode looks like in training and in deployment: four cues a model could use to tell
them apart, from the paper's list in section 4.5. Chapter 4 uses it (experiment
``deployment-cue``).

Description:
    Every episode, in training or in deployment, shows the model four numbers (:data:`FEATURES`):

    - ``realism``: how real the world looks (simulated training environments look less real);
    - ``episode_length``: the log of the number of steps the episode has run (deployment runs
      longer);
    - ``memories``: how many memories of earlier episodes the model can consult (deployment
      accumulates more);
    - ``opportunity``: 1 if a good opportunity to defect is in view (rare in training, less rare in
      deployment), else 0.

    ``cue_noise`` shrinks every difference between the two phases: at 0 the deployment
    distribution is as far from the training one as :data:`SEPARATION` says, at 1 the two are
    identical and nothing observable tells them apart (the absent-minded case).

Observation:
    (n, 4) float, the features in :data:`FEATURES` order.

Randomness:
    A ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import numpy as np

from demos.core.validation import check_float, check_int

FEATURES = ("realism", "episode_length", "memories", "opportunity")
"""The cues, in column order."""

TRAINING = {"realism": 0.0, "episode_length": np.log(100.0), "memories": 3.0, "opportunity": 0.02}
"""Training distribution: mean realism (unit normal), mean log length (normal, sd 0.5), mean
number of memories (Poisson) and chance of an opportunity (Bernoulli)."""

SEPARATION = {"realism": 1.5, "episode_length": 0.7, "memories": 5.0, "opportunity": 0.2}
"""How far deployment's parameter lies from training's, with no noise (same units)."""

LENGTH_SD = 0.5
"""Standard deviation of the log episode length in both phases."""


def phase_parameters(cue_noise: float, deployed: bool) -> dict[str, float]:
    """The distribution parameters of one phase (see :data:`TRAINING`, :data:`SEPARATION`)."""
    cue_noise = check_float("cue_noise", cue_noise, 0.0, 1.0)
    shift = (1.0 - cue_noise) if deployed else 0.0
    return {name: TRAINING[name] + shift * SEPARATION[name] for name in FEATURES}


def sample_episodes(
    rng: np.random.Generator, n: int, deployed: bool, cue_noise: float
) -> np.ndarray:
    """Features of ``n`` episodes of one phase.

    Returns:
        (n, 4) float in :data:`FEATURES` order.
    """
    n = check_int("n", n, 1)
    params = phase_parameters(cue_noise, deployed)
    return np.column_stack(
        [
            rng.normal(params["realism"], 1.0, n),
            rng.normal(params["episode_length"], LENGTH_SD, n),
            rng.poisson(params["memories"], n).astype(float),
            (rng.random(n) < params["opportunity"]).astype(float),
        ]
    )


def feature_columns(names) -> list[int]:
    """Column indices of the named features; a ValueError names any unknown one."""
    names = tuple(names)
    if not names:
        raise ValueError(f"features must name at least one of {FEATURES}, got ()")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"features must be among {FEATURES}, got {name!r}")
    return [FEATURES.index(name) for name in names]
