"""Named experiments: a ``Config`` dataclass in, a ``Result`` dataclass out.

Each experiment lives in its own module and registers itself with :func:`register`. The command
line (``python -m demos NAME``), the benchmark (``python -m demos.bench``) and the notebooks all
call the same ``run`` function, so no result is computed two ways.

The contract every experiment keeps:

- ``Config`` is a frozen dataclass inheriting :class:`demos.core.config.Config`, with a default
  for every field, its valid range declared once in the field (``ranged`` or ``choice``), a
  docstring under each field, and an integer ``seed`` field. Constructing it checks every field
  (a ``ValueError`` naming the field, the value and the valid range).
- ``run(config, progress=False) -> Result`` is deterministic given ``config.seed`` (apart from
  wall-clock timing fields, whose names end in ``_seconds``). It shows a ``tqdm.auto`` progress bar
  when ``progress`` is true and the run takes more than a couple of seconds.
- ``Result`` is a dataclass with a ``summary() -> dict`` method that returns the flat,
  JSON-serialisable figures the command line prints. Histories, models and levels may be further
  fields of the result for notebooks to plot.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Experiment:
    """One named experiment, as the command line and the benchmark see it."""

    name: str
    """Command-line name, e.g. ``proxy-shift``."""
    config_cls: type
    """The frozen ``Config`` dataclass the experiment takes."""
    run: Callable[..., Any]
    """``run(config, progress=False) -> Result``."""
    summary: str
    """One line saying what the experiment shows."""


_REGISTRY: dict[str, Experiment] = {}


def register(name: str, config_cls: type, summary: str) -> Callable[[Callable], Callable]:
    """Decorator that registers ``run`` under ``name``; returns ``run`` unchanged."""
    if not dataclasses.is_dataclass(config_cls):
        raise TypeError(f"{config_cls!r} is not a dataclass")

    def decorate(run: Callable) -> Callable:
        _REGISTRY[name] = Experiment(name, config_cls, run, summary)
        return run

    return decorate


def registry() -> dict[str, Experiment]:
    """Every experiment of the modules in this package, by command-line name.

    Each module under ``demos.experiments`` is imported once; importing it registers its
    experiments. A new experiment therefore needs only a new module here.
    """
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))


def get(name: str) -> Experiment:
    """The experiment called ``name``; a ``ValueError`` listing the valid names otherwise."""
    experiments = registry()
    if name not in experiments:
        raise ValueError(f"experiment must be one of {', '.join(experiments)}, got {name!r}")
    return experiments[name]
