"""Seeding and thread settings shared by every experiment.

Determinism: each experiment calls :func:`seeded` once with its ``seed`` and draws all of its
randomness from the two generators it returns (numpy for levels, torch for weights and sampling).
The same seed then gives the same numbers on any CPU run.

Speed: the models in this book are tiny. On a shared 2-core machine torch with two threads can
be 100 times slower per step than with one while another process holds a core, so experiments
run with one thread unless the caller asks otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from demos.core.validation import check_int

DEFAULT_THREADS = 1
"""Torch intra-op threads used by experiments (1 wins for models this small; see BENCHMARKS.md)."""

# Importing any torch-using module of ``demos`` (they all import this one) sets one thread, so even
# code run before :func:`seeded` is fast; call ``torch.set_num_threads`` afterwards to change it.
torch.set_num_threads(DEFAULT_THREADS)


@dataclass(frozen=True)
class Seeds:
    """The two sources of randomness an experiment may use."""

    numpy: np.random.Generator
    """Levels, shuffles and anything else drawn in numpy."""
    torch: torch.Generator
    """Weight initialisation and action sampling in torch."""


def seeded(seed: int, threads: int = DEFAULT_THREADS) -> Seeds:
    """Return fresh generators for ``seed`` and set torch's thread count.

    Args:
        seed: int >= 0. The experiment's seed.
        threads: int >= 1. Torch intra-op threads.
    """
    seed = check_int("seed", seed, 0, 2**32 - 1)
    threads = check_int("threads", threads, 1)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # modules built without an explicit generator stay reproducible too
    return Seeds(numpy=np.random.default_rng(seed), torch=generator)


def seed_stream(seed: int, tag: int) -> torch.Generator:
    """A torch generator for stream ``tag`` of ``seed``, independent of the other streams.

    An experiment that trains several models gives each its own stream, so adding, removing or
    reordering one model leaves the others' random draws, and so their figures, unchanged.
    """
    seed = check_int("seed", seed, 0, 2**32 - 1)
    tag = check_int("tag", tag, 0)
    state = np.random.SeedSequence((seed, tag)).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(state))
