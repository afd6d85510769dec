"""Student versions: solutions out, stubs and nbgrader metadata in, and nbgrader agrees.

The converter (:mod:`demos.exercises.student`) is checked on a small notebook written here, and
against nbgrader's own ``generate_assignment`` and ``autograde``: the release nbgrader makes from
the converter's source version must equal the converter's student version, a solved submission
must earn the autograded points and a blank one none.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from demos.exercises import checking
from demos.exercises.student import BEGIN, END, convert, write_versions

ROOT = Path(__file__).resolve().parents[1]


def small_chapter() -> dict:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            "# A chapter\n\n```{exercise} Add\n:label: ex-add\n\nWhat is 2 + 2?\n```\n\n"
            "```{solution} ex-add\n:class: dropdown\n\nFour: {glue:text}`four`.\n```"
        ),
        nbformat.v4.new_code_cell(
            f"def added():\n    {BEGIN}\n    return 2 + 2\n    {END}",
            metadata={"tags": ["exercise-answer", "remove-cell"]},
        ),
        nbformat.v4.new_code_cell(
            "from demos.exercises.checking import check, right, wrong\n"
            "check(lambda v: right('2 + 2 = 4') if v == 4 else wrong('count again'), added)",
            metadata={"tags": ["exercise-check", "remove-cell"], "points": 2},
        ),
        nbformat.v4.new_markdown_cell("````{exercise} Argue\n:label: ex-argue\n\nWhy?\n````"),
        nbformat.v4.new_code_cell("four = 4", metadata={"tags": ["solution-support"]}),
        nbformat.v4.new_markdown_cell(
            "````{solution} ex-argue\n:class: dropdown\n\nBecause.\n````"
        ),
    ]
    return json.loads(nbformat.writes(notebook))


def cells_text(notebook: dict) -> list[str]:
    return ["".join(cell["source"]) for cell in notebook["cells"]]


def test_student_version_drops_solutions_and_stubs_answers():
    student, exercises = convert(small_chapter(), student=True)
    text = "\n".join(cells_text(student))
    assert "Four" not in text and "Because" not in text and "{solution}" not in text
    assert "return 2 + 2" not in text and "raise NotImplementedError()" in text
    assert "four = 4" not in text  # solution-support cells are dropped
    assert [(e.label, e.checked) for e in exercises] == [("ex-add", True), ("ex-argue", False)]
    meta = {
        cell["metadata"]["nbgrader"]["grade_id"]: cell["metadata"]["nbgrader"]
        for cell in student["cells"]
        if "nbgrader" in cell["metadata"]
    }
    assert meta["ex-add-answer"]["solution"] and not meta["ex-add-answer"]["grade"]
    assert meta["ex-add-check"]["grade"] and meta["ex-add-check"]["locked"]
    assert meta["ex-add-check"]["points"] == 2
    assert meta["ex-argue-written"]["solution"] and meta["ex-argue-written"]["grade"]


def test_source_version_keeps_solutions_between_markers():
    source, _ = convert(small_chapter(), student=False)
    text = "\n".join(cells_text(source))
    assert "return 2 + 2" in text and "Because." in text and text.count(BEGIN) == 2


def test_bad_markup_is_reported():
    chapter = small_chapter()
    chapter["cells"][1]["source"] = ["def added():\n", "    return 4\n"]
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        convert(chapter, student=True)
    chapter = small_chapter()
    chapter["cells"][0]["source"] = ["```{exercise} No label\n", "Text\n", "```"]
    with pytest.raises(ValueError, match="label"):
        convert(chapter, student=True)


def test_check_gives_feedback_and_raises_for_wrong_or_missing_answers(capsys):
    def doubled(value):
        return checking.close_to(value, 4.0, "the sum", 0.01, {"You multiplied.": 4.0 * 2})

    checking.check(doubled, lambda: 4)
    assert capsys.readouterr().out.startswith("Correct.")
    with pytest.raises(checking.WrongAnswer, match="You multiplied"):
        checking.check(doubled, lambda: 8)
    with pytest.raises(checking.WrongAnswer, match="too low"):
        checking.check(doubled, 3)
    with pytest.raises(checking.WrongAnswer, match="must be a number"):
        checking.check(doubled, "four")

    def stub():
        raise NotImplementedError()

    with pytest.raises(checking.NotAnswered, match="Not answered yet"):
        checking.check(doubled, stub)


@pytest.fixture
def nbgrader_course(tmp_path, monkeypatch):
    """An nbgrader course folder; nbgrader runs ``alembic`` from PATH, so the venv's bin goes
    first."""
    pytest.importorskip("nbgrader")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    config.CourseDirectory.course_id = "book"
    config.CourseDirectory.db_url = f"sqlite:///{tmp_path / 'course' / 'gradebook.db'}"
    return tmp_path / "course", NbGraderAPI(config=config)


def submit(course: Path, api, student: str, assignment: str, notebook: Path) -> float:
    api.gradebook.update_or_create_student(student)
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(notebook, folder / notebook.name)
    (folder / "timestamp.txt").write_text("2026-11-27 12:00:00.000000 UTC")
    outcome = api.autograde(assignment, student, force=True)
    assert outcome["success"], outcome.get("error")
    return api.gradebook.find_submission(assignment, student).score


def test_nbgrader_releases_our_student_version_and_grades_it(tmp_path, nbgrader_course):
    course, api = nbgrader_course
    chapter = tmp_path / "small.ipynb"
    chapter.write_text(json.dumps(small_chapter()))
    write_versions([chapter], tmp_path / "out")
    shutil.copytree(tmp_path / "out" / "nbgrader" / "source", course / "source")
    api.gradebook.update_or_create_assignment("small")
    generated = api.generate_assignment("small", force=True)
    assert generated["success"], generated.get("error")

    released = json.loads((course / "release" / "small" / "small.ipynb").read_text())
    ours = json.loads((tmp_path / "out" / "student" / "small.ipynb").read_text())
    assert cells_text(released) == cells_text(ours)
    for theirs, mine in zip(released["cells"], ours["cells"], strict=True):
        expected = {
            k: v
            for k, v in theirs["metadata"].get("nbgrader", {}).items()
            if k not in ("checksum", "cell_type")
        }
        assert mine["metadata"].get("nbgrader", {}) == expected

    solved = submit(course, api, "solver", "small", course / "source" / "small" / "small.ipynb")
    blank = submit(course, api, "blank", "small", tmp_path / "out" / "student" / "small.ipynb")
    assert solved == 2.0  # the autograded check; the written answer waits for a human
    assert blank == 0.0
