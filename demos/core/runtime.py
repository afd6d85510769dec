"""Seeding and thread settings shared by every experiment.

Determinism: each experiment calls :func:`seeded` once with its ``seed`` and draws all of its
randomness from the two generators it returns (numpy for levels, torch for weights and sampling).
The same seed then gives the same numbers on any CPU run.

Speed: the models in this book are tiny. On a shared 2-core machine torch with two threads can
be 100 times slower per step than with one while another process holds a core, so experiments
run with one thread unless the caller asks otherwise.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
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


WORKERS_ENV = "DEMOS_WORKERS"
"""Environment variable: how many processes :func:`map_in_processes` may use (default: up to 2)."""


def worker_count() -> int:
    """Processes for independent training runs: ``$DEMOS_WORKERS`` if set, else the CPU count
    capped at 2 (the book's budgets assume a 2-core machine; each process runs torch on one
    thread, so two processes use both cores without the slowdown of two threads per model)."""
    text = os.environ.get(WORKERS_ENV)
    if text is None:
        return max(1, min(2, os.cpu_count() or 1))
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{WORKERS_ENV} must be an integer >= 1, got {text!r}")
    return int(text)


def map_in_processes(function, items: list, workers: int | None = None, progress=None) -> list:
    """``[function(item) for item in items]``, spread over worker processes.

    Each item's result must depend on the item alone (a seeded configuration), so the results are
    the same as a serial loop's, in the same order. Workers are forked (Linux only, the way torch's
    own data loaders start theirs: no script is imported again, so it works the same from Jupyter,
    a script or the command line) and run torch on one thread. Elsewhere, with one worker, or with
    one item, the loop runs in this process.

    Args:
        function: a module-level function (it is pickled by name).
        items: the arguments, each picklable.
        workers: processes to use; default :func:`worker_count`.
        progress: an optional callable run once per finished item (e.g. a tqdm bar's ``update``).
    """
    workers = worker_count() if workers is None else check_int("workers", workers, 1)
    workers = min(workers, len(items))
    if workers <= 1 or not sys.platform.startswith("linux"):
        results = []
        for item in items:
            results.append(function(item))
            if progress is not None:
                progress()
        return results
    import torch._dynamo  # noqa: F401  (the first optimizer step imports it: once here, not per worker)

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread) as pool:
        futures = [pool.submit(function, item) for item in items]
        for future in as_completed(futures):
            future.result()  # raise a worker's error here, not after every run has finished
            if progress is not None:
                progress()
        return [future.result() for future in futures]


def call_in_processes(calls: list, workers: int | None = None) -> list:
    """``[function(argument) for function, argument in calls]``, spread over worker processes
    as in :func:`map_in_processes`: several different experiments side by side, one per core.

    Args:
        calls: ``(function, argument)`` pairs; each function module-level, each argument
            picklable, each result depending on its argument alone.
        workers: processes to use; default :func:`worker_count`.
    """
    for pair in calls:
        if not (isinstance(pair, tuple) and len(pair) == 2 and callable(pair[0])):
            raise ValueError(f"calls must hold (function, argument) pairs, got {pair!r}")
    return map_in_processes(_call, list(calls), workers)


def _call(pair: tuple):
    function, argument = pair
    return function(argument)


def _one_thread() -> None:
    torch.set_num_threads(DEFAULT_THREADS)
