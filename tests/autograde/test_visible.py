"""The visible-only run before the deadline: the batch's sandboxed job with the release's test cells, so that
nothing the student is told can depend on a hidden test (tests/files/visible: hw1 has a test cell with a visible
and a hidden part, a visible-only one, a hidden-only one and a manually graded answer)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.authoring import build_submission
from grader.autograde.job import run_job
from grader.autograde.record import results
from grader.autograde.records import Status
from grader.autograde.staging import HIDDEN_ONLY, snapshot, visible_masters
from grader.autograde.visible import (
    VisibleReport,
    VisibleTest,
    check_visible,
    error_message,
    report_of,
    visible_cells,
    visible_job,
)
from grader.bot.texts import EN, MESSAGES, RU, visible_result
from grader.course import CourseFolder, open_course
from grader.gradebook import read_submission
from grader.release import release_assignment

from .conftest import requires_sandbox

VISIBLE = Path(__file__).resolve().parents[1] / "files" / "visible"
HW = "hw1"
CORRECT = "def add(a, b):\n    return a + b\n"
HIDDEN_WRONG = "def add(a, b):\n    return abs(a) + b\n"  # right for every visible test, wrong for the hidden ones
VISIBLE_WRONG = "def add(a, b):\n    return a + b + (a == 2)\n"  # add(2, 2) == 5


def submit(course: CourseFolder, student: str, code: str) -> None:
    folder = course.submitted(student, HW)
    folder.mkdir(parents=True, exist_ok=True)
    source = nbformat.read(course.source(HW) / f"{HW}.ipynb", as_version=4)
    released = nbformat.read(course.release(HW) / f"{HW}.ipynb", as_version=4)
    nbformat.write(build_submission(source, released, {"add": code}), folder / f"{HW}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> CourseFolder:
    root = tmp_path_factory.mktemp("visible") / "course"
    shutil.copytree(VISIBLE, root)
    course = open_course(root)
    release_assignment(course, HW)
    for student, code in (("right", CORRECT), ("hidden_wrong", HIDDEN_WRONG), ("visible_wrong", VISIBLE_WRONG)):
        submit(course, student, code)
    return course


def released(course: CourseFolder) -> list[nbformat.NotebookNode]:
    return [nbformat.read(course.release(HW) / f"{HW}.ipynb", as_version=4)]


def test_the_visible_runs_masters_hold_no_hidden_test(course: CourseFolder, tmp_path: Path) -> None:
    snapshot(Path(course.gradebook_url.removeprefix("sqlite:///")), tmp_path / "gradebook.db")
    visible_masters(tmp_path / "gradebook.db", course.release(HW), HW, (f"{HW}.ipynb",))
    release = {c.metadata["nbgrader"]["grade_id"]: c.source for c in released(course)[0].cells}

    def masters(url: str) -> dict[str, str]:
        with Gradebook(url) as gb:
            return {c.name: c.source for c in gb.find_notebook(HW, HW).source_cells}

    scratch, real = masters(f"sqlite:///{tmp_path / 'gradebook.db'}"), masters(course.gradebook_url)
    assert not any(mark in "".join(scratch.values()) for mark in ("HIDDEN TESTS", "add(-5", "add(-1"))
    assert scratch["test_small"] == release["test_small"] and scratch["test_twos"] == release["test_twos"]
    assert scratch["test_hidden"] == HIDDEN_ONLY  # all hidden: a comment the kernel runs
    assert "hidden: add(-5, 5)" in real["test_small"]  # the course's own gradebook is untouched
    assert scratch["add"] == real["add"]  # only test cells change


def test_visible_tests_are_the_released_test_cells_that_run_code(course: CourseFolder) -> None:
    # test_hidden is all hidden tests: empty in the release, so it is not a visible test
    assert visible_cells(released(course)) == ["test_small", "test_twos"]


@pytest.mark.slow
@requires_sandbox
def test_hidden_test_never_changes_the_visible_report(course: CourseFolder) -> None:
    full = run_job(replace(visible_job(course, "hidden_wrong", HW), tests="all"))
    assert full.status == Status.GRADED
    assert full.cells["test_small"]["score"] == 0 and full.cells["test_hidden"]["score"] == 0  # the hidden tests bite

    right = check_visible(course, "right", HW)
    wrong = check_visible(course, "hidden_wrong", HW)
    assert right.status == wrong.status == Status.GRADED
    assert right.tests == wrong.tests == (VisibleTest("test_small", "passed"), VisibleTest("test_twos", "passed"))
    assert right.detail == wrong.detail == ""
    for lang in (RU, EN):
        assert visible_result(lang, right) == visible_result(lang, wrong)
    assert visible_result(EN, wrong) == ("Visible tests of hw1: 2 of 2 passed.\n"
                                         "The hidden tests and the mark come after the deadline.")
    assert "hidden" not in wrong.to_json().replace("hidden_wrong", "")

    # nothing recorded: no grade in the course's gradebook, no grading result; the run's log is its own
    assert read_submission(course.gradebook_url, HW, "hidden_wrong") is None
    assert results(course, HW) == {}
    assert wrong.log_path == f"gradebook/logs/{HW}/visible/hidden_wrong.log"
    assert (course.root / wrong.log_path).is_file()
    assert VisibleReport.from_json(wrong.to_json()) == wrong


@pytest.mark.slow
@requires_sandbox
def test_failed_visible_test_shows_its_own_message(course: CourseFolder) -> None:
    report = check_visible(course, "visible_wrong", HW)
    assert report.status == Status.GRADED
    assert report.tests == (VisibleTest("test_small", "passed"),
                            VisibleTest("test_twos", "failed", "AssertionError: add(2, 2) should be 4"))
    assert (report.passed, report.total) == (1, 2)
    assert visible_result(EN, report) == (
        "Visible tests of hw1: 1 of 2 passed.\n"
        "test_twos failed: AssertionError: add(2, 2) should be 4\n"
        "Fix it and submit again before the deadline: your last submission counts.\n"
        "The hidden tests and the mark come after the deadline.")
    assert visible_result(RU, report).startswith("Открытые тесты hw1: пройдено 1 из 2.\n"
                                                 "test_twos не пройден: AssertionError: add(2, 2) should be 4")


def test_a_stopped_run_says_why_in_the_students_language() -> None:
    report = VisibleReport(HW, "s1", "timeout", (VisibleTest("test_small", "failed", "CellTimeoutError: …"),
                                                VisibleTest("test_twos", "not_run")))
    text = visible_result(RU, report)
    assert text.splitlines()[0] == "Открытые тесты hw1: проверка прервалась — тетрадь не уложилась в лимит времени."
    assert "test_small не пройден: CellTimeoutError: …" in text
    assert "Исправьте и сдайте заново" in text


def test_a_gpu_test_not_run_here_is_named_not_counted_and_asks_for_no_fix() -> None:
    tests = (VisibleTest("test_small", "passed"), VisibleTest("test_gpu", "not_run"))
    report = VisibleReport(HW, "s1", "graded", tests)
    text = visible_result(RU, report)
    assert text.splitlines()[0] == "Открытые тесты hw1: пройдено 1 из 1."
    assert "Не запускались: test_gpu." in text and "Исправьте" not in text


def test_a_wait_for_a_gpu_asks_the_student_for_nothing() -> None:
    text = visible_result(EN, VisibleReport(HW, "s1", "waiting_gpu", (VisibleTest("test_small", "not_run"),)))
    assert text == ("Visible tests of hw1: your submission waits for a machine with a GPU; the result will come "
                    "here.\nThe hidden tests and the mark come after the deadline.")


@pytest.mark.parametrize("status", [s for s in Status if s != Status.GRADED])
def test_every_failure_status_has_a_text(status: Status) -> None:
    assert f"vstatus_{status}" in MESSAGES


def test_error_message_is_the_last_line_trimmed_and_never_the_guards_evidence() -> None:
    assert error_message({"ename": "AssertionError", "evalue": ""}) == "AssertionError"
    assert error_message({"ename": "ValueError", "evalue": "shape mismatch\n  got (2, 3)\n"}) == (
        "ValueError: got (2, 3)")
    assert len(error_message({"ename": "E", "evalue": "x" * 1000})) == 300
    assert error_message({"ename": "TamperingDetected", "evalue": 'GRADER-TAMPERING: {"cell": "t"}'}) == ""


def test_report_of_an_invalid_notebook_runs_no_test(course: CourseFolder) -> None:
    from grader.autograde.records import JobOutcome

    report = report_of(JobOutcome(HW, "s1", Status.INVALID_NOTEBOOK, "hw1.ipynb is not a valid notebook"),
                       released(course))
    assert report.status == "invalid_notebook" and report.passed == 0
    assert {t.state for t in report.tests} == {"not_run"}
    assert visible_result(EN, report).startswith("Visible tests of hw1: the run stopped: the notebook cannot be "
                                                 "read")
