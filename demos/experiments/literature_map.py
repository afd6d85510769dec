"""Experiment ``literature-map``: the bibliography by theme and by the chapters that cite it.

Chapter 5 (the paper's section 5, related work) places the paper among its neighbours. This
experiment reads the book's own ``book/references.bib`` and the citations in its chapter notebooks
(:mod:`demos.analysis.literature`): no list of works or themes is kept by hand anywhere else. What
comes out: for every work, its theme and the chapters that cite it; per chapter, how many distinct
works it cites; and the works, in particular those of the paper's own bibliography, that no chapter
cites yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from demos.analysis.literature import LiteratureMap, literature_map
from demos.core.config import MAX_SEED, Config, ranged
from demos.experiments import register

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root (the folder holding ``book/`` and ``notebooks/``)."""


@dataclass(frozen=True)
class LiteratureMapConfig(Config):
    """Settings of the ``literature-map`` experiment."""

    include_preface: bool = False
    """Also count the notebook 00 (how to use the book) as a chapter."""
    seed: int = ranged(0, 0, MAX_SEED)
    """Unused: the map is read from files, not drawn at random (kept for the common interface)."""


@dataclass
class LiteratureMapResult:
    """What ``run_literature_map`` read."""

    config: LiteratureMapConfig
    """The settings of the run."""
    map: LiteratureMap = field(repr=False)
    """The joined bibliography and citations."""

    def summary(self) -> dict:
        """The figures the command line prints."""
        literature = self.map
        out = {
            "works": len(literature.works),
            "works_in_paper": sum(work.in_paper for work in literature.works.values()),
            "themes": len(literature.themes),
            "citations": len(literature.citations),
        }
        for chapter in literature.chapters:
            cited = {c.key for c in literature.citations if c.chapter == chapter}
            out[f"works_cited_in_chapter_{chapter}"] = len(cited)
        out["uncited_works"] = len(literature.uncited())
        out["uncited_works_in_paper"] = len(literature.uncited(in_paper_only=True))
        out["unknown_keys"] = len(literature.unknown_keys())
        return out


@register(
    "literature-map",
    LiteratureMapConfig,
    "Group the bibliography by theme and by the chapters that cite each work (read from "
    "references.bib and the notebooks).",
)
def run_literature_map(config: LiteratureMapConfig, progress: bool = False) -> LiteratureMapResult:
    """Read ``book/references.bib`` and every chapter notebook, and join them.

    Args:
        config: LiteratureMapConfig.
        progress: unused (the run takes a fraction of a second).

    Returns:
        LiteratureMapResult.
    """
    if not isinstance(config, LiteratureMapConfig):
        raise ValueError(f"config must be a LiteratureMapConfig, got {type(config).__name__}")
    notebooks = [
        path
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        if config.include_preface or not path.name.startswith("00_")
    ]
    return LiteratureMapResult(
        config=config, map=literature_map(ROOT / "book" / "references.bib", notebooks)
    )
