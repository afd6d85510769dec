"""The claims table of chapter 6 and its figures: every claim points at a real experiment, a real
section and numbers its chapter really glues; the notebook shows the table the registry writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from demos.analysis import book_claims
from demos.analysis.book_claims import CHAPTERS, CLAIMS, ORIGINS, POSSIBILITIES
from demos.experiments import registry
from demos.experiments.objective_drift import ObjectiveDriftConfig, run_objective_drift
from demos.figures import conclusion

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def cells(notebook: str, kind: str) -> list[str]:
    data = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())
    return ["".join(cell["source"]) for cell in data["cells"] if cell["cell_type"] == kind]


def glued_names(notebook: str) -> tuple[set[str], set[str]]:
    """(names glued literally, prefixes of names built in code) in a chapter's code cells: a
    ``glue_summary``/``glue_figures`` prefix, or the literal start of an f-string name."""
    code = "\n".join(cells(notebook, "code"))
    literal = set(re.findall(r'glue\(\s*"([A-Za-z0-9_]+)"', code))
    literal |= set(re.findall(r'\(\s*"([a-z][a-z0-9_]*)",\s*[^)]', code))
    prefixes = {p + "_" for p in re.findall(r'glue_(?:summary|figures)\(\s*"([a-z0-9_]+)"', code)}
    prefixes |= set(re.findall(r'glue(?:_figures)?\(\s*f"([a-z0-9_]+)\{', code))
    for variable in re.findall(r"glue_(?:summary|figures)\(\s*([a-z_]+)\s*,", code):
        prefixes |= set(re.findall(rf'\b{variable} = f"([a-z0-9_]+)\{{', code))
    return literal, prefixes


def test_names_are_unique_and_origins_known():
    names = [claim.name for claim in CLAIMS]
    assert len(names) == len(set(names))
    assert {claim.origin for claim in CLAIMS} <= set(ORIGINS)
    assert sum(book_claims.origin_counts().values()) == len(CLAIMS)


def test_every_claim_names_a_registered_experiment():
    known = set(registry())
    assert [c.command for c in CLAIMS if c.command not in known] == []


def test_every_label_is_a_section_of_its_chapter():
    for claim in CLAIMS:
        if claim.label:
            text = "\n".join(cells(claim.chapter, "markdown"))
            assert f"({claim.label})=" in text, (claim.name, claim.label)


@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_every_glued_figure_is_glued_by_its_chapter(chapter):
    literal, prefixes = glued_names(chapter)
    missing = [
        figure.key
        for claim in CLAIMS
        if claim.chapter == chapter
        for figure in claim.figures
        if figure.key not in literal and not figure.key.startswith(tuple(prefixes))
    ]
    assert missing == []


def test_the_scan_of_glued_names_can_fail():
    literal, prefixes = glued_names("03_inner_alignment")
    assert "q001_proxy_s0" in literal and "unid_" in prefixes
    assert "no_such_figure" not in literal and not "no_such_figure".startswith(tuple(prefixes))


def test_every_claim_bears_on_a_possibility_and_each_possibility_has_evidence():
    names = {p.name for p in POSSIBILITIES}
    for claim in CLAIMS:
        assert claim.worlds and set(claim.worlds) <= names, claim.name
    counted = sum(len(book_claims.bearing(p.name)) for p in POSSIBILITIES)
    assert counted == sum(len(claim.worlds) for claim in CLAIMS)
    assert all(book_claims.bearing(p.name) for p in POSSIBILITIES)


def test_an_unknown_possibility_is_refused_by_name():
    with pytest.raises(ValueError, match="name"):
        book_claims.possibility("likely")


def test_the_chapter_shows_the_table_the_registry_writes():
    table = book_claims.claims_table_markdown()
    assert table.count("\n") == len(CLAIMS) + 1
    assert any(table in text for text in cells("06_conclusion", "markdown"))


def test_results_are_cross_document_glue_roles():
    markdown = CLAIMS[0].result_markdown()
    assert "{glue:text}`01_introduction.ipynb::q05_train_success_first:.0%`" in markdown


@pytest.mark.parametrize("world", [p.name for p in POSSIBILITIES])
def test_each_possibility_frame_draws_and_its_alt_counts_the_claims(world):
    figure = Figure(figsize=(9.5, 3.8), dpi=40)
    conclusion.render_possibilities(figure, world)
    alt = conclusion.possibilities_alt(world)
    chosen = book_claims.bearing(world)
    assert f"the {len(chosen)} of the book's {len(CLAIMS)} tested claims" in alt
    counts = re.findall(r"(\d+) (found|built in|both)", alt)
    assert sum(int(n) for n, _ in counts) == len(chosen)


def test_the_silence_frame_draws_and_its_alt_states_the_spread():
    result = run_objective_drift(
        ObjectiveDriftConfig(
            decorrelated_fractions=(0.0, 0.05), train_levels=32, test_levels=20, train_steps=30
        )
    )
    figure = Figure(figsize=(9.5, 3.8), dpi=40)
    conclusion.render_silence(figure, result, 0.0, 0.3)
    alt = conclusion.silence_alt(result, 0.0, 0.3)
    proxy = [p.test_rates["proxy"] for p in result.points]
    assert f"ranges from {min(proxy):.0%} to {max(proxy):.0%}" in alt
    with pytest.raises(ValueError, match="decorrelated_fraction"):
        conclusion.render_silence(figure, result, 0.5, 0.3)


def test_every_cross_document_glue_role_of_the_chapter_has_a_format_spec():
    # myst-nb splits a glue:text role at its last colon, so "doc.ipynb::key" alone would read
    # "doc.ipynb:" as the key and fail when the book is built.
    text = "\n".join(cells("06_conclusion", "markdown"))
    roles = re.findall(r"\{glue:text\}`([^`]*::[^`]*)`", text)
    assert len(roles) > len(CLAIMS)
    assert [role for role in roles if not re.fullmatch(r"[\w.]+::\w+:[^:`]+", role)] == []
