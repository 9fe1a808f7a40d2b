"""Release: nbgrader generates the student version; the check refuses anything secret in it."""

from __future__ import annotations

import filecmp
import shutil
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from course_helpers import REPO

from grader.course import CONFIG_NAME, open_course
from grader.errors import ReleaseError
from grader.release import release_assignment, verify_release

ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()) if (REPO / "source").is_dir() else []


def plant(course_root: Path, text: str) -> None:
    path = course_root / "release" / "tiny" / "tiny.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source += "\n" + text
    nbformat.write(nb, path)


def test_release_of_the_fixture_passes_the_check(tiny_course: Path) -> None:
    report = release_assignment(open_course(tiny_course), "tiny")
    assert report.ok and report.files == ["tiny.ipynb"]
    released = (tiny_course / "release" / "tiny" / "tiny.ipynb").read_text()
    assert "a + b" not in released and "add(-5, 5)" not in released


def test_release_sets_nbgraders_due_date_from_the_deadlines(tiny_course: Path) -> None:
    from course_helpers import write_config
    from nbgrader.api import Gradebook

    write_config(tiny_course, 'c.Deadlines.deadlines = {"tiny": "2026-10-01 23:59"}')
    course = open_course(tiny_course)
    release_assignment(course, "tiny")
    with Gradebook(course.gradebook_url) as gb:
        due = gb.find_assignment("tiny").duedate
    assert due == datetime(2026, 10, 1, 20, 59)  # 23:59 Moscow time, as nbgrader keeps it: naive UTC


@pytest.mark.parametrize(("planted", "problem"), [
    ("    return a + b", "line from a solution"),
    ("assert add(-5, 5) == 0", "line from a solution or hidden test"),
    ("### BEGIN HIDDEN TESTS", "marker"),
])
def test_check_fails_when_secret_line_is_planted(tiny_course: Path, planted: str, problem: str) -> None:
    course = open_course(tiny_course)
    release_assignment(course, "tiny")
    plant(tiny_course, planted)
    report = verify_release(course, "tiny")
    assert not report.ok and any(problem in p for p in report.problems)


def test_check_fails_on_instructor_only_file(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    release_assignment(course, "tiny")
    (tiny_course / "release" / "tiny" / "answers.instructor.py").write_text("x = 1\n")
    assert any("instructor-only" in p for p in verify_release(course, "tiny").problems)


def test_instructor_only_source_files_are_not_released(tiny_course: Path) -> None:
    (tiny_course / "source" / "tiny" / "instructor").mkdir()
    (tiny_course / "source" / "tiny" / "instructor" / "notes.md").write_text("secret")
    report = release_assignment(open_course(tiny_course), "tiny")
    assert report.files == ["tiny.ipynb"]


def test_release_of_a_missing_source_is_refused(tiny_course: Path) -> None:
    shutil.rmtree(tiny_course / "source" / "tiny")
    with pytest.raises(ReleaseError, match="does not exist"):
        release_assignment(open_course(tiny_course), "tiny")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_matches_what_the_command_generates(tmp_path: Path, assignment: str) -> None:
    shutil.copy(REPO / CONFIG_NAME, tmp_path / CONFIG_NAME)
    shutil.copytree(REPO / "source" / assignment, tmp_path / "source" / assignment)
    release_assignment(open_course(tmp_path), assignment)
    generated, committed = tmp_path / "release" / assignment, REPO / "release" / assignment
    names = sorted(str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(committed)) for p in committed.rglob("*") if p.is_file()), \
        f"release/{assignment} is stale: run 'grader release {assignment}' and commit it"
    for name in names:
        if name.endswith(".ipynb"):
            ours = nbformat.read(generated / name, as_version=4)
            theirs = nbformat.read(committed / name, as_version=4)
            assert [(c.cell_type, c.source, c.metadata) for c in ours.cells] == \
                [(c.cell_type, c.source, c.metadata) for c in theirs.cells], \
                f"release/{assignment}/{name} is stale: run 'grader release {assignment}' and commit it"
        else:
            assert filecmp.cmp(generated / name, committed / name, shallow=False), f"{name} differs"
