"""Parallel, resumable, distributed: results do not depend on workers, a killed batch resumes, GPU work is
routed to GPU workers, and feedback carries no hidden test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grader.autograde.orchestrate import autograde
from grader.autograde.record import results
from grader.course import CourseFolder, open_course
from grader.feedback import generate_feedback
from grader.gradebook import read_submission
from grader.result import student_results
from grader.store.db import session_scope
from grader.store.models import GradingResult

from .conftest import ASSIGNMENT, CORRECT, WRONG, make_course, requires_sandbox, submit

pytestmark = [pytest.mark.slow, requires_sandbox]
FLOAT_BUG = "def add(a, b):\n    return int(a + b)\n"  # right on ints, wrong on floats and types
CLASS = {"s1": CORRECT, "s2": WRONG, "s3": FLOAT_BUG, "s4": CORRECT}


def scores(course: CourseFolder) -> dict[str, dict[str, float | None]]:
    out = {}
    for student in CLASS:
        sub = read_submission(course.gradebook_url, ASSIGNMENT, student)
        out[student] = {n: c.score for n, c in sub.cells.items()} if sub else {}
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> CourseFolder:
    course = make_course(tmp_path_factory.mktemp("batch") / "course")
    for student, code in CLASS.items():
        submit(course, student, code)
    return course


def test_same_scores_with_one_and_two_workers(course: CourseFolder) -> None:
    two = autograde(course, ASSIGNMENT, workers=2, cell_timeout=20)
    assert two.statuses == {"graded": len(CLASS)}
    with_two = scores(course)
    assert with_two["s1"]["test_add"] == 2 and with_two["s2"]["test_add"] == 0 and with_two["s3"]["test_close"] == 0
    one = autograde(course, ASSIGNMENT, workers=1, force=True, cell_timeout=20)
    assert one.planned == len(CLASS)
    assert scores(course) == with_two


def test_rerun_grades_nothing_unchanged_and_regrades_a_changed_submission(course: CourseFolder) -> None:
    again = autograde(course, ASSIGNMENT, workers=2)
    assert (again.planned, again.skipped_done) == (0, len(CLASS))
    submit(course, "s2", CORRECT)  # the student fixed the work: the hash changes
    changed = autograde(course, ASSIGNMENT, workers=2)
    assert [o.student for o in changed.outcomes] == ["s2"]
    assert scores(course)["s2"]["test_add"] == 2
    submit(course, "s2", WRONG)
    autograde(course, ASSIGNMENT, workers=2)


def test_killed_batch_resumes_to_the_same_gradebook(course: CourseFolder, tmp_path: Path) -> None:
    expected = scores(course)
    fresh = make_course(tmp_path / "fresh")
    for student, code in CLASS.items():
        submit(fresh, student, code)
    cmd = [sys.executable, "-m", "grader.cli", "--course", str(fresh.root), "autograde", ASSIGNMENT, "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    done = 0
    while time.monotonic() < deadline and done < 1:
        time.sleep(0.5)
        with session_scope(fresh.database_url) as session:
            done = session.scalar(select(func.count()).select_from(GradingResult)) or 0
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert 1 <= done < len(CLASS), "the batch should have been killed halfway"
    rerun = autograde(open_course(fresh.root), ASSIGNMENT, workers=2, cell_timeout=20)
    assert rerun.skipped_done >= 1 and rerun.planned == len(CLASS) - rerun.skipped_done
    assert scores(fresh) == expected
    assert set(results(fresh, ASSIGNMENT)) == {(ASSIGNMENT, s) for s in CLASS}


def test_feedback_has_no_hidden_test_and_no_guard(course: CourseFolder) -> None:
    names = generate_feedback(course, ASSIGNMENT, ["s1", "s2"])
    assert names == ["s1", "s2"]
    for student in names:
        html = (course.root / "feedback" / student / ASSIGNMENT / "threats.html").read_text()
        assert "SECRET-HIDDEN-CHECK" not in html and "add(-5, 5)" not in html
        assert "__grader_guard__" not in html and "GRADER-END" not in html
        assert "Hidden tests:" in html
        result = student_results(course, student)[0][ASSIGNMENT]  # the page shows the one result
        assert f"(Score: {round(result.points, 2)} / {round(result.max_points, 2)})" in html
        assert f"{result.points:g}/{result.max_points:g}" in html or result.status != "graded"
