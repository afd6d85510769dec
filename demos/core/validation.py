"""Argument checks that fail early with a message a reader can act on.

Every public function in ``demos`` validates its inputs with these helpers, so bad input gives a
``ValueError`` that names the parameter, the value it got and the valid range, instead of a
traceback from deep inside numpy or torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer in ``[low, high]`` (either bound optional)."""
    if isinstance(value, bool) or not isinstance(value, (int,)) and not _is_integral(value):
        raise ValueError(f"{name} must be an integer{_range_text(low, high)}, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer{_range_text(low, high)}, got {value!r}")
    return value


def check_float(
    name: str, value: Any, low: float | None = None, high: float | None = None
) -> float:
    """Return ``value`` as a float if it is a finite number in ``[low, high]``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number{_range_text(low, high)}, got {value!r}"
        ) from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number{_range_text(low, high)}, got {value!r}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{name} must be a number{_range_text(low, high)}, got {value!r}")
    return number


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    options = list(choices)
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def check_shape(name: str, shape: tuple[int, ...], expected: str, ok: bool) -> None:
    """Raise unless ``ok``; ``expected`` describes the shape in words, e.g. "(batch, H, W)"."""
    if not ok:
        raise ValueError(f"{name} must have shape {expected}, got {tuple(shape)}")


def _is_integral(value: Any) -> bool:
    try:
        return float(value).is_integer() and not isinstance(value, (str, bytes, float))
    except (TypeError, ValueError):
        return False


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def check_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a number in (0, 1] (a brightness, a share > 0)."""
    number = check_float(name, value, 0.0, 1.0)
    if number <= 0.0:
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    return number


def check_cells(name: str, cells: Any, n: int, height: int, width: int | None = None):
    """Return ``cells`` as an (n, 2) int64 array of (row, col) cells inside an H x W grid."""
    import numpy as np

    width = height if width is None else width
    array = as_numpy(cells)
    check_shape(name, array.shape, f"({n}, 2)", array.shape == (n, 2))
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer (row, col) cells, got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and (
        array.min() < 0 or array[:, 0].max() >= height or array[:, 1].max() >= width
    ):
        raise ValueError(f"{name} must hold cells inside the {height}x{width} grid, got {array}")
    return array


def as_numpy(array: Any):
    """A numpy array from a numpy array, a list or a torch tensor (detached, on the CPU)."""
    import numpy as np

    if hasattr(array, "detach"):
        array = array.detach().cpu().numpy()
    return np.asarray(array)


def read_only(array: Any):
    """A read-only copy of ``array`` (for the arrays of frozen dataclasses)."""
    import numpy as np

    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy
