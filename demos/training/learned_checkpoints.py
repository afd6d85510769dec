"""The learned planner's committed weights: which recipe made each file, loading, retraining.

Chapters 1, 2 and 3 show the learned planner (:mod:`demos.agents.learned_search`) without training
it: a model takes minutes to train and a chapter has a minute to run. Its weights are committed
under ``demos/checkpoints/`` (shipped in the wheel) for seeds 0 to 4, each file holding the weights
*and* the model shape, the full training recipe and the seed that made them. A :class:`ModelSpec`
names what an experiment wants (shape, recipe, seed); :func:`obtain` loads the committed file for
it, or trains it from scratch when asked to (or when there is no file); a file whose stored shape
or recipe differs from the spec is never used silently: :func:`load` raises a ``ValueError`` that
names the fields that differ.

- :func:`main_spec`, :func:`feedforward_spec`, :func:`drift_spec`, :func:`corner_spec`: the specs of
  the committed models (the learned planner, its feed-forward baseline, and the objective-drift
  models of chapter 3).
- :func:`obtain`, :func:`load`, :func:`save`, :func:`snapshots`: files in and out.
- :data:`PREFIX_STEPS`: the first steps of each seed-0 run are committed as well, so a test can
  retrain them in seconds and compare bit for bit.

Reproducibility: on the CPU with one torch thread, the same spec gives bit-identical weights
(checked on the machine that made them; other CPUs or torch builds may differ in the last bits).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import torch

from demos.agents.feedforward import FeedForwardConfig
from demos.agents.learned_search import LearnedSearchConfig
from demos.core.validation import check_choice, check_float, check_int
from demos.training.base_optimizers import TrainingHistory
from demos.training.learned_search_training import (
    DRIFT_RECIPE,
    FEEDFORWARD_MODEL,
    MAIN_RECIPE,
    MODEL,
    SearchTrainingConfig,
    new_model,
    train_model,
)

CHECKPOINTS = Path(__file__).resolve().parents[1] / "checkpoints"
"""The folder of committed weights (package data of ``demos``)."""

COMMITTED_SEEDS = (0, 1, 2, 3, 4)
"""Seeds whose weights are committed for every spec of this module."""

COMMITTED_FRACTIONS = (0.0, 0.02, 0.05)
"""Decorrelated fractions q of the committed objective-drift models."""

SNAPSHOT_EVERY = 100
"""Steps between the committed snapshots of the main model of seed 0 (the search forming)."""

PREFIX_STEPS = 30
"""Steps of the committed prefix checkpoints (the start of a full run, for a quick test)."""

FORMAT = 1
"""Version of the file layout."""

DTYPES = ("float32", "float16")
"""How weights may be stored: as trained, or halved (read back as float32)."""


@dataclass(frozen=True)
class ModelSpec:
    """What a model is: its shape, its training recipe (with the seed) and a name for its file."""

    tag: str
    """Stem of the file name without the seed, e.g. ``"learned_search"`` or ``"drift_q0.05"``."""
    model: LearnedSearchConfig | FeedForwardConfig
    """The model's shape."""
    recipe: SearchTrainingConfig
    """How it is trained, seed included."""

    @property
    def seed(self) -> int:
        """The recipe's seed."""
        return self.recipe.seed

    def path(self, step: int | None = None) -> Path:
        """The committed file ``{tag}_seed{seed}.pt``, or a snapshot's ``..._step{step:04d}.pt``."""
        suffix = "" if step is None else f"_step{check_int('step', step, 0):04d}"
        return CHECKPOINTS / f"{self.tag}_seed{self.seed}{suffix}.pt"

    def described(self) -> dict:
        """The shape and recipe as plain dicts (what a file stores and is checked against)."""
        return {
            "model_kind": type(self.model).__name__,
            "model": self.model.to_dict(),
            "recipe": self.recipe.to_dict(),
        }


def main_spec(seed: int = 0, **recipe_changes) -> ModelSpec:
    """The learned planner: :data:`~demos.training.learned_search_training.MODEL` trained by
    :data:`~demos.training.learned_search_training.MAIN_RECIPE` (with ``recipe_changes``)."""
    return ModelSpec("learned_search", MODEL, MAIN_RECIPE.replace(seed=seed, **recipe_changes))


def feedforward_spec(seed: int = 0, **recipe_changes) -> ModelSpec:
    """The feed-forward baseline, trained by the main recipe on the same stream of levels."""
    recipe = MAIN_RECIPE.replace(seed=seed, **recipe_changes)
    return ModelSpec("feedforward", FEEDFORWARD_MODEL, recipe)


def drift_spec(decorrelated_fraction: float, seed: int = 0, **recipe_changes) -> ModelSpec:
    """An objective-drift model: the marker on the exit except in a share q of training levels."""
    q = check_float("decorrelated_fraction", decorrelated_fraction, 0.0, 1.0)
    recipe = DRIFT_RECIPE.replace(seed=seed, decorrelated_fraction=q, **recipe_changes)
    return ModelSpec(f"drift_q{q:g}", MODEL, recipe)


def corner_spec(exit_elsewhere_fraction: float, seed: int = 0, **recipe_changes) -> ModelSpec:
    """A corner-setting model: every training exit on the top-right cell except in a share q."""
    q = check_float("exit_elsewhere_fraction", exit_elsewhere_fraction, 0.0, 1.0)
    recipe = DRIFT_RECIPE.replace(
        seed=seed, exit_in_corner=True, exit_elsewhere_fraction=q, **recipe_changes
    )
    return ModelSpec(f"corner_q{q:g}", MODEL, recipe)


@dataclass
class Trained:
    """A model and where it came from."""

    model: torch.nn.Module
    """The model, in eval mode, float32."""
    spec: ModelSpec
    """What it is."""
    train_seconds: float
    """Wall-clock seconds its training took (when it was trained, on the machine that trained
    it, for a committed file)."""
    retrained: bool
    """True if it was trained in this process, False if it was loaded."""
    history: TrainingHistory | None = None
    """The training history, for a model trained in this process."""


def save(
    model: torch.nn.Module,
    spec: ModelSpec,
    path: Path,
    train_seconds: float,
    steps: int | None = None,
    dtype: str = "float32",
) -> int:
    """Write ``model``'s weights with ``spec``'s shape and recipe to ``path``.

    Args:
        model: the trained model.
        spec: what it is.
        path: the file to write.
        train_seconds: how long its training took.
        steps: the steps it was trained for (default the recipe's; fewer for a prefix or a
            snapshot).
        dtype: one of :data:`DTYPES`.

    Returns:
        The file's size in bytes.
    """
    check_choice("dtype", dtype, DTYPES)
    steps = spec.recipe.steps if steps is None else check_int("steps", steps, 0)
    state = {
        name: (value.half() if dtype == "float16" else value).detach().clone()
        for name, value in model.state_dict().items()
    }
    payload = {
        "format": FORMAT,
        **{key: json.dumps(value) for key, value in spec.described().items()},
        "steps": steps,
        "dtype": dtype,
        "train_seconds": float(train_seconds),
        "torch": str(torch.__version__),
        "state_dict": state,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, path)
    return path.stat().st_size


def read(path: Path) -> dict:
    """A checkpoint file's contents: shape and recipe as dicts, the weights as float32."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be a checkpoint file, got {str(path)!r} (no such file)")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if saved.get("format") != FORMAT:
        raise ValueError(f"{path.name} has format {saved.get('format')!r}, expected {FORMAT}")
    out = dict(saved)
    for key in ("model_kind", "model", "recipe"):
        out[key] = json.loads(saved[key])
    out["state_dict"] = {name: value.float() for name, value in saved["state_dict"].items()}
    return out


def load(spec: ModelSpec, step: int | None = None) -> Trained:
    """The committed model of ``spec`` (or its snapshot at ``step``).

    Raises:
        ValueError: no such file (pass ``retrain=True`` to :func:`obtain` to train it), or a file
            whose shape or recipe differs from ``spec`` (the message names the fields).
    """
    path = spec.path(step)
    if not path.is_file():
        raise ValueError(
            f"seed and setting must be committed ones (seeds {list(COMMITTED_SEEDS)}; q in "
            f"{list(COMMITTED_FRACTIONS)} for the drift and corner models), got seed={spec.seed} "
            f"and no file {path.name}: pass retrain=True to train it (a few minutes)"
        )
    saved = read(path)
    differences = _differences(spec.described(), saved)
    if differences:
        raise ValueError(
            f"{path.name} was trained with a different setting than asked for "
            f"({'; '.join(differences)}): pass retrain=True to train this setting"
        )
    model = new_model(spec.model, torch.Generator().manual_seed(0))
    model.load_state_dict(saved["state_dict"])
    model.eval()
    return Trained(model, spec, saved["train_seconds"], retrained=False)


def _differences(expected: dict, saved: dict) -> list[str]:
    out = []
    if expected["model_kind"] != saved["model_kind"]:
        out.append(f"model {saved['model_kind']} instead of {expected['model_kind']}")
    for part in ("model", "recipe"):
        for key in sorted(set(expected[part]) | set(saved[part])):
            want, got = expected[part].get(key), saved[part].get(key)
            if want != got:
                out.append(f"{part} field {key}: stored {got!r}, asked {want!r}")
    return out


def obtain(
    spec: ModelSpec,
    retrain: bool = False,
    progress: bool = False,
    write: bool = False,
    snapshots: bool = False,
) -> Trained:
    """The model of ``spec``: loaded from its committed file, or trained when ``retrain``.

    Loaded models are remembered per process (they are read-only in use: copy one before changing
    it). Training draws a progress bar when ``progress`` and keeps snapshots every
    :data:`SNAPSHOT_EVERY` steps in its history when ``snapshots``; ``write`` then saves the
    weights (and, for seed 0, the prefix, and for the main model of seed 0 the snapshots) over
    the committed files: how a maintainer regenerates them.
    """
    if not isinstance(spec, ModelSpec):
        raise ValueError(f"spec must be a ModelSpec, got {type(spec).__name__}")
    if not retrain:
        if write:
            raise ValueError("write=True needs retrain=True: only a fresh run is written")
        return _loaded(spec)
    keep = snapshots or (write and wants_snapshots(spec))
    snapshot_every = SNAPSHOT_EVERY if keep else 0
    model, history = train_model(
        spec.model, spec.recipe, progress=progress, snapshot_every=snapshot_every
    )
    if write:
        save(model, spec, spec.path(), history.train_seconds)
        for step, state in history.snapshots:
            if step != spec.recipe.steps:
                snapshot = new_model(spec.model, torch.Generator().manual_seed(0))
                snapshot.load_state_dict(state)
                save(snapshot, spec, spec.path(step), history.train_seconds, steps=step)
        if spec.seed == 0:
            write_prefix(spec)
    return Trained(model, spec, history.train_seconds, retrained=True, history=history)


def wants_snapshots(spec: ModelSpec) -> bool:
    """Whether ``spec``'s committed run keeps snapshots (the main model of seed 0)."""
    return spec.tag == "learned_search" and spec.seed == 0


def write_prefix(spec: ModelSpec) -> Path:
    """Train the first :data:`PREFIX_STEPS` steps of ``spec``'s run and commit them (float32)."""
    model, history = train_model(spec.model, spec.recipe, stop_after=PREFIX_STEPS)
    path = spec.path(PREFIX_STEPS)
    save(model, spec, path, history.train_seconds, steps=PREFIX_STEPS)
    return path


@functools.lru_cache(maxsize=64)
def _loaded(spec: ModelSpec) -> Trained:
    return load(spec)


def snapshot_models(trained: Trained) -> list[tuple[int, torch.nn.Module]]:
    """The snapshots of ``trained``'s run, ``[(step, model), ...]`` by step (steps 0,
    :data:`SNAPSHOT_EVERY`, ..., and the recipe's last): from its history if it was trained here
    with snapshots, else the committed files of its spec."""
    if not isinstance(trained, Trained):
        raise ValueError(f"trained must be a Trained, got {type(trained).__name__}")
    spec = trained.spec
    if trained.history is not None and trained.history.snapshots:
        found = []
        for step, state in trained.history.snapshots:
            model = new_model(spec.model, torch.Generator().manual_seed(0))
            model.load_state_dict(state)
            found.append((step, model.eval()))
        return found
    found = []
    for step in range(0, spec.recipe.steps, SNAPSHOT_EVERY):
        if spec.path(step).is_file():
            found.append((step, load(spec, step).model))
    if not found:
        raise ValueError(
            f"spec must be one whose snapshots are committed (the main model of seed 0), got "
            f"{spec.path().name}: train with obtain(spec, retrain=True, write=True) to make them"
        )
    found.append((spec.recipe.steps, _loaded(spec).model))
    return found


def spec_of_file(path: Path) -> tuple[ModelSpec, int | None]:
    """The spec a committed file name stands for, and its step (None for a final model):
    ``learned_search_seed0.pt`` -> ``(main_spec(0), None)``, ``drift_q0.05_seed3_step0030.pt``
    -> ``(drift_spec(0.05, 3), 30)``."""
    stem = Path(path).stem
    step = None
    if "_step" in stem:
        stem, step_text = stem.rsplit("_step", 1)
        step = int(step_text)
    tag, _, seed_text = stem.rpartition("_seed")
    if not tag or not seed_text.isdigit():
        raise ValueError(f"path must be named TAG_seedN[_stepS].pt, got {Path(path).name!r}")
    seed = int(seed_text)
    if tag == "learned_search":
        return main_spec(seed), step
    if tag == "feedforward":
        return feedforward_spec(seed), step
    for prefix, make in (("drift_q", drift_spec), ("corner_q", corner_spec)):
        if tag.startswith(prefix):
            return make(float(tag[len(prefix) :]), seed), step
    raise ValueError(f"path must start with a known tag, got {Path(path).name!r}")


def committed_files() -> list[tuple[Path, ModelSpec, int | None]]:
    """Every committed file with the spec it stands for and its step, by name."""
    return [(path, *spec_of_file(path)) for path in sorted(CHECKPOINTS.glob("*.pt"))]
