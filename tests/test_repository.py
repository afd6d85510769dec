"""Repository hygiene: clean notebooks, a complete table of contents, glossary and bibliography."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

SEED_GLOSSARY = (
    # Section 1
    "Base optimizer", "Base objective", "Behavioral objective", "Inner alignment",
    "Learned algorithm", "Mesa-optimizer", "Mesa-objective", "Meta-optimizer", "Optimizer",
    "Outer alignment", "Pseudo-alignment", "Robust alignment",
    # Section 2
    "Algorithmic range", "Local optimization process", "Reachability",
    # Section 3
    "Approximate alignment", "Proxy alignment", "Instrumental alignment", "Side-effect alignment",
    "Suboptimality alignment",
    # Section 4
    "Corrigible alignment", "Deceptive alignment", "Internal alignment",
)  # fmt: skip

SEED_BIBLIOGRAPHY = (
    # one distinctive word or phrase from the title of each of the seed's 35 works
    "Bottle caps", "TreeQN", "Universal planning networks", "Learning to learn by gradient descent",
    "Fast reinforcement learning via slow", "Optimization daemons", "opposite of meta",
    "Scalable agent alignment", "Measuring optimization power", "chess, shogi",
    "Reframing superintelligence", "Thoughts on human models", "universal prior",
    "Neural turing machines", "parameter-function map", "minimal circuits",
    "principal-agent problem", "human preferences and demonstrations", "One pixel attack",
    "unidentifiability in inverse reinforcement learning", "model-based planning from scratch",
    "Goodhart", "Superintelligence: Paths", "What failure looks like", "Corrigibility",
    "Worst-case guarantees", "Absent-Minded Driver", "Learning to reinforcement learn",
    "Concrete problems", "Occam", "Safety verification of deep neural networks", "Reluplex",
    "practical verification of machine learning", "amplifying weak experts", "debate",
)  # fmt: skip


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebooks_are_committed_clean(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    for cell in cells:
        source = "".join(cell["source"])
        assert "# NBVAL_" not in source, "use cell tags, not # NBVAL_ comments"
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{notebook.name} holds outputs: clear them"
            assert cell.get("execution_count") is None


def test_every_notebook_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {chapter["file"] for part in toc["parts"] for chapter in part.get("chapters", [])} | {
        toc["root"]
    }
    for notebook in NOTEBOOKS:
        assert f"notebooks/{notebook.stem}" in files, f"{notebook.name} is missing from _toc.yml"
    for name in files:
        assert list(ROOT.glob(name + ".*")), f"_toc.yml lists {name}, which does not exist"


def test_glossary_defines_every_seed_term():
    text = (ROOT / "book" / "glossary.md").read_text()
    blocks = re.findall(r"```\{glossary\}\n(.*?)```", text, flags=re.S)
    terms = {line.strip() for block in blocks for line in block.splitlines() if line[:1].isalpha()}
    missing = [term for term in SEED_GLOSSARY if term not in terms]
    assert not missing, f"glossary lacks {missing}"


def test_bibliography_holds_every_seed_work_and_the_paper():
    import pybtex.database

    database = pybtex.database.parse_file(str(ROOT / "book" / "references.bib"))
    titles = " | ".join(entry.fields.get("title", "") for entry in database.entries.values())
    flat = re.sub(r"[{}$\\^]", "", titles).lower()
    missing = [work for work in SEED_BIBLIOGRAPHY if work.lower() not in flat]
    assert not missing, f"references.bib lacks {missing}"
    assert database.entries["hubinger2019risks"].fields["eprint"] == "1906.01820"
    for key, entry in database.entries.items():
        assert entry.persons.get("author"), f"{key} has no authors"
        assert entry.fields.get("year"), f"{key} has no year"
