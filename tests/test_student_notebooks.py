"""The chapters' exercises as students and instructors get them (issue 16, item 4).

- every exercise of every chapter is checked by code or has a rubric in its worked solution;
- answer and check cells are marked up so that nbgrader accepts them (its own metadata validator,
  and its ``generate_assignment`` on every chapter gives back our student version);
- check cells are never skipped by nbval, so ``make test`` (nbval on the instructors' notebooks)
  runs every check against its reference solution;
- a student version executes: the only errors are ``NotAnswered`` raised by check cells, one per
  checked exercise. Executing a chapter takes about half a minute on a 2-core machine, so one
  chapter runs by default and all of them with ``DEMOS_ALL_STUDENT_NOTEBOOKS=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from demos.exercises.student import BEGIN, END, convert, write_versions

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("0[1-9]_*.ipynb"))
EXECUTED_BY_DEFAULT = {"01_introduction"}


def chapter(path: Path) -> dict:
    return json.loads(path.read_text())


def tagged(notebook: dict, tag: str) -> list[dict]:
    return [c for c in notebook["cells"] if tag in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_is_checked_or_has_a_rubric(path):
    _, exercises = convert(chapter(path), student=False)
    assert len(exercises) >= 3, "a chapter has three to six exercises"
    for exercise in exercises:
        assert exercise.checked or exercise.has_rubric, (
            f"{exercise.label} has neither a check nor a rubric in its solution"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_answer_and_check_cells_are_marked_up_and_never_skipped(path):
    notebook = chapter(path)
    answers, checks = tagged(notebook, "exercise-answer"), tagged(notebook, "exercise-check")
    assert len(answers) == len(checks)
    for cell in answers:
        source = "".join(cell["source"])
        assert BEGIN in source and END in source
    for cell in checks:
        tags = cell["metadata"]["tags"]
        assert "nbval-skip" not in tags and "raises-exception" not in tags
        assert "check(" in "".join(cell["source"])
    student, _ = convert(notebook, student=True)
    ids = [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in student["cells"]
        if "nbgrader" in c["metadata"]
    ]
    assert len(ids) == len(set(ids)), "grade ids must be unique"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_nbgrader_accepts_the_metadata(path):
    pytest.importorskip("nbgrader")
    from nbgrader.nbgraderformat import MetadataValidator

    for student in (True, False):
        converted, _ = convert(chapter(path), student=student)
        MetadataValidator().validate_nb(nbformat.reads(json.dumps(converted), as_version=4))


def test_nbgrader_releases_every_chapter_as_our_student_version(tmp_path, monkeypatch):
    pytest.importorskip("nbgrader")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    course = tmp_path / "course"
    write_versions(CHAPTERS, tmp_path / "out")
    shutil.copytree(tmp_path / "out" / "nbgrader" / "source", course / "source")
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "book"
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    api = NbGraderAPI(config=config)
    for path in CHAPTERS:
        api.gradebook.update_or_create_assignment(path.stem)
        generated = api.generate_assignment(path.stem, force=True)
        assert generated["success"], generated.get("error")
        released = chapter(course / "release" / path.stem / path.name)
        ours = chapter(tmp_path / "out" / "student" / path.name)
        assert ["".join(c["source"]) for c in released["cells"]] == [
            "".join(c["source"]) for c in ours["cells"]
        ]


def execution_params():
    run_all = os.environ.get("DEMOS_ALL_STUDENT_NOTEBOOKS") == "1"
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[]
            if run_all or path.stem in EXECUTED_BY_DEFAULT
            else [pytest.mark.skip(reason="set DEMOS_ALL_STUDENT_NOTEBOOKS=1 to execute it")],
        )
        for path in CHAPTERS
    ]


@pytest.mark.parametrize("path", execution_params())
def test_the_student_version_executes_and_only_its_checks_say_not_answered(path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's demos
    student, exercises = convert(chapter(path), student=True)
    notebook = nbformat.reads(json.dumps(student), as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    unanswered = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        is_check = "exercise-check" in cell.metadata.get("tags", [])
        for error in errors:
            assert is_check and error["ename"] == "NotAnswered", (
                f"cell {index} raised {error['ename']}: {error['evalue']}"
            )
        if is_check:
            assert errors, f"check cell {index} did not report the stub as unanswered"
            unanswered += 1
    assert unanswered == sum(exercise.checked for exercise in exercises)
