"""Fixture course for the autograder: one small assignment (add), graded for real in the sandbox."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from grader.authoring import build_submission
from grader.course import CourseFolder, open_course
from grader.release import release_assignment
from grader.sandbox.bwrap import sandbox_problem

THREATS = Path(__file__).resolve().parents[1] / "files" / "threats"
ASSIGNMENT = "threats"
CORRECT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return None\n"

requires_sandbox = pytest.mark.skipif(sandbox_problem() is not None, reason=f"no sandbox: {sandbox_problem()}")


def make_course(root: Path) -> CourseFolder:
    shutil.copytree(THREATS, root)
    course = open_course(root)
    release_assignment(course, ASSIGNMENT)
    return course


def submit(course: CourseFolder, student: str, add_code: str = CORRECT,
           edit: Callable[[nbformat.NotebookNode], None] | None = None, raw: str | None = None) -> Path:
    """Lay a submission of the fixture assignment into submitted/<student>/threats/."""
    folder = course.submitted(student, ASSIGNMENT)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    if raw is not None:
        path.write_text(raw)
        return path
    source = nbformat.read(course.source(ASSIGNMENT) / path.name, as_version=4)
    released = nbformat.read(course.release(ASSIGNMENT) / path.name, as_version=4)
    nb = build_submission(source, released, {"add": add_code})
    if edit is not None:
        edit(nb)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def module_course(tmp_path_factory: pytest.TempPathFactory) -> CourseFolder:
    return make_course(tmp_path_factory.mktemp("threats") / "course")
