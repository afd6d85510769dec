"""Description length: a policy that stores its answers against one that searches.

Used by chapter 2 (the paper's section 2.1, compression of complex policies).

Hubinger et al. (2019, section 2.1, "compression of complex policies") argue that when a task has
many distinct instances, a policy written out instance by instance grows with their number, while
an objective plus a search procedure stays the same size. A base optimizer that prefers short
descriptions then prefers the searcher.

This module measures both sides in bits, for the book's mazes:

- :class:`AnswerTable`, a policy that has memorised the BFS expert's action at every free cell of
  each maze it was shown, and knows nothing about any other maze. Its size is the bits of its
  answers: :func:`table_bits`, either ``log2(5)`` bits per free cell (``"uncompressed"``, every
  answer one of five actions) or the size of the answers after LZMA compression (``"lzma"``, a
  real compressor finding whatever regularity the answers have). Both are generous to the table:
  they do not charge for the keys that tell one maze from another, nor for the lookup code.
- the planner (:class:`demos.agents.planners.Planner`, hard-coded search, linear reward head), whose
  size is its parameters at 32 bits each (:func:`parameter_bits`) plus the LZMA-compressed source
  of its search routine (:func:`program_bits`): value iteration, the transition table it reads
  and the reward head's forward pass, docstrings removed. This charges the planner for its code,
  so it is, if anything, an overestimate.

LZMA is a stand-in for the ideal compressor (Kolmogorov complexity), which no program can compute;
every figure here is an upper bound on a description length in one particular language.
"""

from __future__ import annotations

import ast
import inspect
import lzma
import math
import textwrap
from collections.abc import Callable, Sequence

import numpy as np
import torch

from demos.agents import planners
from demos.core.validation import check_choice, check_int
from demos.worlds.mazes import ACTIONS, Levels, expert_actions

METHODS = ("uncompressed", "lzma")
"""How :func:`table_bits` counts the answers: ``log2(5)`` bits each, or LZMA-compressed."""

BITS_PER_ACTION = math.log2(len(ACTIONS))
"""Bits to write one of the five actions with no compression: log2(5), about 2.32."""

SEARCH_PROGRAM: tuple[Callable, ...] = (
    planners.value_iteration,
    planners.bellman_loop,
    planners.next_cells,
    planners.RewardHead.forward,
)
"""The code the planner needs besides its weights: its search, its transitions, its objective.

Only what acting needs: the backward pass that trains the planner (``planners._Backups``) belongs
to the base optimizer, not to the learned model, and is not counted."""

_LZMA_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]


def compressed_bits(data: bytes) -> int:
    """Bits of ``data`` after raw LZMA2 compression (no container header), at the top preset."""
    if not isinstance(data, (bytes, bytearray)):
        raise ValueError(f"data must be bytes, got {type(data).__name__}")
    return 8 * len(lzma.compress(bytes(data), format=lzma.FORMAT_RAW, filters=_LZMA_FILTERS))


def answers(levels: Levels) -> list[np.ndarray]:
    """The expert's action at every free cell of each level: what an answer table stores.

    Returns:
        A list of n uint8 arrays; entry i holds level i's actions (0 to 4) at its free cells, in
        row-major order.
    """
    if not isinstance(levels, Levels):
        raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
    actions = expert_actions(levels, "exit")
    return [level[level >= 0].astype(np.uint8) for level in actions]


def table_bits(levels: Levels, counts: Sequence[int], method: str = "lzma") -> np.ndarray:
    """Bits an answer table needs to hold the first ``n`` levels, for each ``n`` in ``counts``.

    Args:
        levels: the mazes, in the order the table learns them.
        counts: increasing ints in [1, len(levels)].
        method: "uncompressed" (``log2(5)`` bits per free cell) or "lzma" (the answers of the
            first n levels, concatenated and compressed).

    Returns:
        (len(counts),) float bits.
    """
    check_choice("method", method, METHODS)
    stored = answers(levels)
    counts = [check_int("counts", n, 1, len(levels)) for n in counts]
    if any(b <= a for a, b in zip(counts, counts[1:], strict=False)):
        raise ValueError(f"counts must be strictly increasing, got {counts}")
    if method == "uncompressed":
        cells = np.cumsum([len(level) for level in stored])
        return np.array([BITS_PER_ACTION * cells[n - 1] for n in counts], dtype=float)
    joined = np.concatenate(stored)
    ends = np.cumsum([len(level) for level in stored])
    return np.array([compressed_bits(joined[: ends[n - 1]].tobytes()) for n in counts], float)


def parameter_bits(model: torch.nn.Module, bits_per_parameter: int = 32) -> int:
    """Bits of a model's weights written out at ``bits_per_parameter`` each (float32: 32)."""
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    bits_per_parameter = check_int("bits_per_parameter", bits_per_parameter, 1, 64)
    return bits_per_parameter * sum(p.numel() for p in model.parameters())


def program_source(functions: Sequence[Callable] = SEARCH_PROGRAM) -> str:
    """The source of ``functions`` with docstrings removed and layout normalised by ``ast``."""
    if not functions or not all(callable(f) for f in functions):
        raise ValueError("functions must be a non-empty sequence of functions")
    parts = []
    for function in functions:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (
                isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
        parts.append(ast.unparse(tree))
    return "\n\n".join(parts)


def program_bits(functions: Sequence[Callable] = SEARCH_PROGRAM) -> int:
    """LZMA-compressed bits of :func:`program_source`: the planner's code, as a description."""
    return compressed_bits(program_source(functions).encode("utf-8"))


def crossover(counts: Sequence[float], growing: Sequence[float], constant: float) -> float:
    """Where a growing description first reaches a constant one.

    Args:
        counts: (k,) increasing numbers of mazes.
        growing: (k,) bits of the growing description (the table) at those counts.
        constant: bits of the fixed description (the planner).

    Returns:
        The number of mazes at which ``growing`` reaches ``constant``, interpolated linearly
        between the two counts around it; ``nan`` if it never does within ``counts``, and
        ``counts[0]`` if it already does there.
    """
    counts = np.asarray(counts, dtype=float)
    growing = np.asarray(growing, dtype=float)
    if counts.ndim != 1 or counts.shape != growing.shape or len(counts) < 1:
        raise ValueError(
            f"counts and growing must be 1-D of equal length, got {counts.shape}, {growing.shape}"
        )
    above = np.flatnonzero(growing >= constant)
    if len(above) == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(counts[0])
    x0, x1, y0, y1 = counts[i - 1], counts[i], growing[i - 1], growing[i]
    return float(x0 + (constant - y0) * (x1 - x0) / (y1 - y0))


class AnswerTable(torch.nn.Module):
    """A policy that memorises the expert's answers for the mazes it saw, and nothing else.

    ``policy(levels)`` gives, for a stored maze (recognised by its walls and exit), logits that
    put all weight on the expert's action at each cell; for any other maze it gives zeros
    everywhere, so the greedy agent stays put (action 0): without an entry it has no idea.

    Args:
        levels: the mazes to memorise.
    """

    def __init__(self, levels: Levels) -> None:
        super().__init__()
        if not isinstance(levels, Levels):
            raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
        self.size = levels.size
        actions = expert_actions(levels, "exit")
        self.entries: dict[bytes, np.ndarray] = {}
        for i in range(len(levels)):
            self.entries[self._key(levels, i)] = actions[i]

    @staticmethod
    def _key(levels: Levels, i: int) -> bytes:
        return np.asarray(levels.walls[i]).tobytes() + np.asarray(levels.exit[i]).tobytes()

    def __len__(self) -> int:
        return len(self.entries)

    def knows(self, levels: Levels) -> np.ndarray:
        """(n,) bool: whether each level is in the table."""
        return np.array([self._key(levels, i) in self.entries for i in range(len(levels))])

    def policy(self, levels: Levels, steps: int | None = None) -> torch.Tensor:
        """(n, 5, H, W) float logits: 10 on the stored expert action, 0 elsewhere or if unknown.

        ``steps`` is accepted for interface compatibility with the planners and ignored.
        """
        if not isinstance(levels, Levels):
            raise ValueError(f"levels must be a Levels, got {type(levels).__name__}")
        if levels.size != self.size:
            raise ValueError(f"levels must have size {self.size}, got {levels.size}")
        n = len(levels)
        logits = torch.zeros((n, len(ACTIONS), self.size, self.size))
        for i in range(n):
            stored = self.entries.get(self._key(levels, i))
            if stored is None:
                continue
            rows, cols = np.nonzero(stored >= 0)
            logits[i, stored[rows, cols], rows, cols] = 10.0
        return logits
