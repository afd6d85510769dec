"""The literature map: parsing a small bibliography and notebooks, and the book's own citations."""

from __future__ import annotations

import json

import pytest

from demos.analysis.literature import literature_map, read_bibliography
from demos.experiments.literature_map import LiteratureMapConfig, run_literature_map

BIB = r"""
% a comment
@misc{first2019,
  keywords = {Theme A, cited-in-paper},
  author   = {Last, First and Other, Second},
  title    = {A {Study} of Things},
  year     = {2019},
}

@article{second2020,
  author = {Solo, Han},
  title  = "Another {\'E}tude",
  year   = 2020,
  keywords = {Theme B},
}

@misc{third2021,
  author = {A, One and B, Two and C, Three},
  title  = {Uncited},
  year   = {2021},
}
"""


def _notebook(path, cells):
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": kind, "metadata": {}, "source": text} for kind, text in cells
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


def test_a_small_bibliography_and_two_chapters(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB)
    _notebook(
        tmp_path / "01_one.ipynb",
        [
            (
                "markdown",
                "# 1. One\n\nAs shown {cite}`first2019`.\n## Part\nSee {cite:t}`second2020`.",
            ),
            ("code", "# {cite}`third2021` in code does not count"),
        ],
    )
    _notebook(
        tmp_path / "02_two.ipynb",
        [("markdown", "# 2. Two\n### Deep\n{cite}`first2019,second2020` and {cite:p}`missing`")],
    )
    literature = literature_map(tmp_path / "refs.bib", tmp_path.glob("*.ipynb"))
    works = literature.works
    assert list(works) == ["first2019", "second2020", "third2021"]
    assert works["first2019"].label == "Last and Other (2019)"
    assert works["first2019"].title == "A Study of Things" and works["first2019"].in_paper
    assert works["second2020"].title == "Another Etude" and works["second2020"].year == "2020"
    assert works["third2021"].authors == "A et al." and works["third2021"].theme == "Other"
    assert literature.titles == {1: "1. One", 2: "2. Two"}
    assert literature.chapters_citing("first2019") == [1, 2]
    assert literature.headings_citing("second2020", 1) == ["Part"]
    assert literature.headings_citing("first2019", 2) == ["Deep"]
    assert literature.uncited() == ["third2021"]
    assert literature.uncited(in_paper_only=True) == []
    assert literature.unknown_keys() == ["missing"]
    assert literature.by_theme() == {
        "Theme A": ["first2019"],
        "Theme B": ["second2020"],
        "Other": ["third2021"],
    }
    keys, chapters, counts = literature.matrix()
    assert chapters == [1, 2] and counts[keys.index("first2019")] == [1, 1]


def test_the_book_cites_only_works_it_lists_and_chapter_5_cites_section_5s_works():
    literature = run_literature_map(LiteratureMapConfig()).map
    assert literature.unknown_keys() == []
    assert sum(work.in_paper for work in literature.works.values()) == 35
    assert all(work.theme != "Other" for work in literature.works.values())
    section_5 = (
        "wang2016learning duan2016rl2 amodei2016concrete leike2018scalable drexler2019reframing "
        "amin2016unidentifiability armstrong2018occam huang2017safety katz2017reluplex "
        "pei2017practical soares2015corrigibility"
    ).split()
    for key in section_5:
        assert 5 in literature.chapters_citing(key), key


def test_bad_input(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB)
    _notebook(tmp_path / "intro.ipynb", [("markdown", "# x")])
    with pytest.raises(ValueError, match="NN_name"):
        literature_map(tmp_path / "refs.bib", [tmp_path / "intro.ipynb"])
    with pytest.raises(ValueError, match="key"):
        literature_map(tmp_path / "refs.bib", []).chapters_citing("nope")
    assert read_bibliography(tmp_path / "refs.bib")["third2021"].in_paper is False
