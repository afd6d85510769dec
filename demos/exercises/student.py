"""Student versions of the chapters, and nbgrader source versions for instructors.

``make student`` (``python -m demos.exercises.student``) reads the chapters in ``notebooks/`` (the
instructors' versions, with worked solutions) and writes two sets of notebooks:

- ``_build/student/NN_chapter.ipynb``: solutions removed. Each checked exercise's answer cell
  keeps its function header, with ``raise NotImplementedError()`` where the reference solution
  was; each exercise answered in words gets an empty answer cell; cells that only compute numbers
  for the worked solutions are dropped. Every answer and check cell carries nbgrader metadata,
  so an instructor who uses nbgrader can release and autograde these notebooks as they are.
- ``_build/nbgrader/source/NN_chapter/NN_chapter.ipynb``: the same cells with the solutions kept
  between nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers, ready for nbgrader's
  own ``generate_assignment`` (whose output equals the student version; a test checks it).

How a chapter marks its exercises (tags are cell tags in the notebook's metadata):

- the exercise's text is a Markdown ``exercise`` directive with a ``:label:``; its worked solution
  a ``solution`` directive (both from sphinx-exercise), in the same or a later Markdown cell;
- ``exercise-answer``: a code cell defining the function that returns the answer, its body
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (hidden on the site with ``remove-cell``);
- ``exercise-check``: the code cell that checks it, calling :func:`demos.exercises.checking.check`
  (autograded; ``"points"`` in the cell's metadata, default 1);
- ``solution-support``: a hidden cell that computes numbers only the worked solutions use.

An exercise with no ``exercise-answer`` cell is answered in words and graded by hand with the
rubric at the end of its worked solution (a paragraph that starts ``**Rubric``); a checked
exercise whose solution has a rubric also gets a cell for the part answered in words.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
WRITTEN_STUB = "YOUR ANSWER HERE"
SCHEMA_VERSION = 3

_LABEL = re.compile(r"^\s*:label:\s*(\S+)\s*$", re.M)
_EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}", re.M)
_SOLUTION_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}[^\n]*\n", re.M)


@dataclass
class Exercise:
    """What the converter found about one exercise of a chapter."""

    label: str
    """The exercise's ``:label:``."""
    checked: bool = False
    """True if the exercise has an ``exercise-answer`` cell (checked by code)."""
    solutions: list[str] = field(default_factory=list)
    """The worked solutions' Markdown (the ``solution`` blocks) found for it."""

    @property
    def has_rubric(self) -> bool:
        """True if a worked solution holds a ``**Rubric`` paragraph (graded by hand)."""
        return any("**Rubric" in text for text in self.solutions)


def solution_blocks(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of every ``solution`` directive block in a Markdown text."""
    blocks = []
    for opened in _SOLUTION_OPEN.finditer(text):
        fence = opened.group("fence")
        label = text[opened.start() : opened.end()].split("}", 1)[1].strip()
        closing = re.compile(r"^" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", re.M)
        closed = closing.search(text, opened.end())
        if closed is None:
            raise ValueError(f"a solution block for {label!r} is never closed")
        end = closed.end() + (1 if closed.end() < len(text) and text[closed.end()] == "\n" else 0)
        blocks.append((opened.start(), end, label))
    return blocks


def _metadata(grade_id: str, *, solution: bool, grade: bool, locked: bool, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points if points is not None else 1
    return meta


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _stubbed(source: str, grade_id: str) -> str:
    """Replace each BEGIN/END SOLUTION region of a code cell with the stub, indented alike."""
    lines = source.split("\n")
    out, inside, found = [], False, False
    for line in lines:
        stripped = line.strip()
        if stripped == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub_line for stub_line in STUB.split("\n")]
            inside, found = True, True
        elif stripped == END:
            inside = False
        elif not inside:
            out.append(line)
    if inside or not found:
        raise ValueError(f"answer cell {grade_id}: needs one {BEGIN} ... {END} region")
    return "\n".join(out)


def convert(notebook: dict, student: bool) -> tuple[dict, list[Exercise]]:
    """The student version (``student=True``) or nbgrader source version of one chapter.

    Returns:
        ``(notebook, exercises)``: the converted notebook (outputs cleared) and the exercises
        found, in order.
    """
    result = copy.deepcopy(notebook)
    cells, exercises, label = [], [], None
    for cell in result["cells"]:
        tags = _tags(cell)
        source = "".join(cell.get("source", []))
        if "solution-support" in tags:
            continue
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if cell["cell_type"] == "markdown":
            if _EXERCISE.search(source):
                found = _LABEL.findall(source)
                if not found:
                    raise ValueError("every exercise needs a :label:")
                for name in found:
                    if not any(e.label == name for e in exercises):
                        exercises.append(Exercise(name))
                label = found[-1]
            blocks = solution_blocks(source)
            if blocks:
                kept, position = [], 0
                for start, end, solved in blocks:
                    kept.append(source[position:start])
                    position = end
                    match = next((e for e in exercises if e.label == solved), None)
                    if match is None:
                        raise ValueError(f"solution for {solved!r} comes before its exercise")
                    match.solutions.append(source[start:end])
                kept.append(source[position:])
                source = "".join(kept).rstrip("\n")
                cell["source"] = source.splitlines(keepends=True)
                if not source.strip():
                    continue
        elif "exercise-answer" in tags or "exercise-check" in tags:
            if label is None:
                raise ValueError(
                    "an exercise-answer or exercise-check cell precedes every exercise"
                )
            exercise = next(e for e in exercises if e.label == label)
            meta = cell.setdefault("metadata", {})
            if "exercise-answer" in tags:
                exercise.checked = True
                grade_id = f"{label}-answer"
                meta["nbgrader"] = _metadata(grade_id, solution=True, grade=False, locked=False)
                if student:
                    cell["source"] = _stubbed(source, grade_id).splitlines(keepends=True)
                elif BEGIN not in source:
                    raise ValueError(f"answer cell {grade_id}: needs a {BEGIN} region")
            else:
                points = meta.get("points")
                meta["nbgrader"] = _metadata(
                    f"{label}-check", solution=False, grade=True, locked=True, points=points
                )
        cells.append(cell)
    # Exercises answered in words get a graded Markdown answer cell after their last cell; so do
    # checked exercises whose solution has a rubric for a part answered in words.
    placed = []
    for exercise in exercises:
        if exercise.checked and not exercise.has_rubric:
            continue
        answer = {
            "cell_type": "markdown",
            "id": f"{exercise.label}-written"[:64],
            "metadata": {
                "nbgrader": _metadata(
                    f"{exercise.label}-written", solution=True, grade=True, locked=False, points=1
                )
            },
            "source": _written_answer(exercise, student).splitlines(keepends=True),
        }
        index = _after_exercise(cells, exercise.label)
        placed.append((index, answer))
    for index, answer in sorted(placed, key=lambda pair: pair[0], reverse=True):
        cells.insert(index, answer)
    result["cells"] = cells
    return result, exercises


def _written_answer(exercise: Exercise, student: bool) -> str:
    heading = f"**Your answer to {exercise.label}.**\n\n"
    if student:
        return heading + WRITTEN_STUB
    return heading + BEGIN + "\n\n" + "\n".join(exercise.solutions).strip() + "\n\n" + END


def _after_exercise(cells: list[dict], label: str) -> int:
    """Index just after the Markdown cell that states exercise ``label``."""
    for index, cell in enumerate(cells):
        source = "".join(cell.get("source", []))
        if cell["cell_type"] == "markdown" and label in _LABEL.findall(source):
            return index + 1
    raise ValueError(f"exercise {label!r} not found")


def write_versions(
    notebooks: Iterable[Path], out: Path = ROOT / "_build"
) -> dict[str, list[Exercise]]:
    """Write the student and nbgrader source versions of ``notebooks`` under ``out``.

    Returns:
        ``{notebook stem: exercises}``.
    """
    found = {}
    for path in notebooks:
        notebook = json.loads(Path(path).read_text())
        stem = Path(path).stem
        student, exercises = convert(notebook, student=True)
        source, _ = convert(notebook, student=False)
        for version, where in (
            (student, out / "student" / f"{stem}.ipynb"),
            (source, out / "nbgrader" / "source" / stem / f"{stem}.ipynb"),
        ):
            where.parent.mkdir(parents=True, exist_ok=True)
            where.write_text(json.dumps(version, indent=1, ensure_ascii=False) + "\n")
        found[stem] = exercises
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demos.exercises.student",
        description="Write student and nbgrader source versions of the chapters.",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_build", help="output folder")
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="chapters (default: notebooks/0[1-9]*.ipynb)"
    )
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("0[1-9]_*.ipynb"))
    found = write_versions(notebooks, args.out)
    for stem, exercises in found.items():
        checked = sum(exercise.checked for exercise in exercises)
        print(
            f"{stem}: {len(exercises)} exercises, {checked} checked by code, "
            f"{len(exercises) - checked} answered in words"
        )
    print(
        f"student versions in {args.out / 'student'}, nbgrader sources in "
        f"{args.out / 'nbgrader' / 'source'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
