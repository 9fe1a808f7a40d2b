"""When hidden-test results and marks reach the students (``grader.grade_release``): the policy, its record, the
announcement owed once, extensions, manual grading, and ``grader release-grades``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from course_helpers import write_config
from nbgrader.api import Gradebook

from grader.cli import main
from grader.course import CourseFolder, open_course
from grader.errors import ConfigError, CourseError
from grader.extensions import grant
from grader.grade_release import (
    grades_released,
    manual_grading_done,
    mark_announced,
    newly_released,
    policy_of,
    releasable,
    release_by_hand,
    withhold,
)
from grader.release import release_assignment
from grader.roster import import_roster
from grader.store.db import session_scope
from grader.store.models import GradingResult

HW = "tiny"
DEADLINE = datetime.fromisoformat("2026-09-21T23:59+03:00")  # the tiny course's
BEFORE, AFTER = DEADLINE - timedelta(minutes=1), DEADLINE + timedelta(minutes=1)


def course_with(root: Path, policy: str | None = None) -> CourseFolder:
    if policy is not None:
        write_config(root, f"c.GradeRelease.policy = {policy!r}")
    return open_course(root)


@pytest.mark.parametrize(("policy", "deadline", "now", "manual_done", "released"), [
    ("deadline", DEADLINE, BEFORE, True, False),
    ("deadline", DEADLINE, DEADLINE, False, True),
    ("deadline", None, AFTER, True, False),  # no deadline: by hand only
    ("manual_done", DEADLINE, AFTER, False, False),
    ("manual_done", DEADLINE, AFTER, True, True),
    ("manual_done", DEADLINE, BEFORE, True, False),  # graded early, still not before the deadline
    ("by_hand", DEADLINE, AFTER, True, False),
])
def test_policy_releases_only_after_the_deadline(policy: str, deadline: datetime | None, now: datetime,
                                                 manual_done: bool, released: bool) -> None:
    assert releasable(policy, deadline, now, manual_done) is released


def test_the_default_policy_is_the_deadline_and_a_wrong_one_names_its_key(tiny_course: Path) -> None:
    assert policy_of(open_course(tiny_course)) == "deadline"
    with pytest.raises(ConfigError, match="GradeRelease"):
        policy_of(course_with(tiny_course, "never"))


def test_deadline_release_is_recorded_and_announced_once(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    assert not grades_released(course, HW, BEFORE)
    assert newly_released(course, BEFORE) == []
    assert grades_released(course, HW, AFTER)
    [released] = newly_released(course, AFTER)
    assert (released.assignment, released.state, released.how, released.at) == (HW, "released", "deadline", AFTER)
    assert [r.assignment for r in newly_released(course, AFTER + timedelta(hours=1))] == [HW]  # not told yet
    mark_announced(course, HW)
    assert newly_released(course, AFTER + timedelta(hours=2)) == []


def test_a_student_with_an_extension_sees_nothing_before_their_own_deadline(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    (tiny_course / "r.csv").write_text("id\na\nb\n", encoding="utf-8")
    import_roster(course, tiny_course / "r.csv")
    grant(course, HW, "a", "2026-09-25 23:59", "ill")
    assert grades_released(course, HW, AFTER, student="b")
    assert not grades_released(course, HW, AFTER, student="a")
    assert grades_released(course, HW, datetime.fromisoformat("2026-09-26T00:00+03:00"), student="a")


def test_by_hand_only_with_the_command_and_never_before_the_deadline(tiny_course: Path) -> None:
    course = course_with(tiny_course, "by_hand")
    assert not grades_released(course, HW, AFTER + timedelta(days=30))
    assert newly_released(course, AFTER + timedelta(days=30)) == []
    with pytest.raises(CourseError, match="cannot be released before"):
        release_by_hand(course, HW, BEFORE)
    record, now = release_by_hand(course, HW, AFTER)
    assert now and (record.state, record.how) == ("released", "by_hand")
    assert release_by_hand(course, HW, AFTER + timedelta(hours=1)) == (record, False)
    assert grades_released(course, HW, AFTER)
    assert [r.assignment for r in newly_released(course, AFTER)] == [HW]


def test_withheld_grades_stay_hidden_whatever_the_policy_until_released_again(tiny_course: Path) -> None:
    course = open_course(tiny_course)
    withhold(course, HW, AFTER)
    assert not grades_released(course, HW, AFTER + timedelta(days=1))
    assert newly_released(course, AFTER + timedelta(days=1)) == []
    release_by_hand(course, HW, AFTER + timedelta(days=2))
    assert grades_released(course, HW, AFTER + timedelta(days=2))


def _grade(course: CourseFolder, student: str, manual: float | None) -> None:
    """An autograded submission whose written answer ('conclusions') is graded (``manual``) or not (None)."""
    course.submitted(student, HW).mkdir(parents=True)
    with Gradebook(course.gradebook_url) as gb:
        gb.update_or_create_student(student)
        submission = gb.add_submission(HW, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.name == "conclusions":
                    grade.manual_score, grade.needs_manual_grade = manual, manual is None
                else:
                    grade.auto_score, grade.needs_manual_grade = grade.max_score, False
        gb.db.commit()
    with session_scope(course.database_url) as session:
        session.add(GradingResult(assignment=HW, student=student, status="graded", graded_at=datetime.now(UTC)))


def test_manual_done_waits_for_every_written_answer_and_then_stays_released(tiny_course: Path) -> None:
    course = course_with(tiny_course, "manual_done")
    release_assignment(course, HW)
    _grade(course, "s1", 1.0)
    _grade(course, "s2", None)
    assert not manual_grading_done(course, HW)
    assert not grades_released(course, HW, AFTER) and newly_released(course, AFTER) == []
    with Gradebook(course.gradebook_url) as gb:
        grade = gb.find_grade("conclusions", HW, HW, "s2")
        grade.manual_score, grade.needs_manual_grade = 0.5, False
        gb.db.commit()
    assert manual_grading_done(course, HW)
    assert not grades_released(course, HW, BEFORE)  # graded early: still not before the deadline
    [released] = newly_released(course, AFTER)
    assert released.how == "manual_done"
    _grade(course, "s3", None)  # a late submission to grade by hand does not take the release back
    assert not manual_grading_done(course, HW) and grades_released(course, HW, AFTER)


def test_a_submission_not_autograded_yet_keeps_manual_grading_open(tiny_course: Path) -> None:
    course = course_with(tiny_course, "manual_done")
    release_assignment(course, HW)
    _grade(course, "s1", 1.0)
    assert manual_grading_done(course, HW)
    course.submitted("s2", HW).mkdir(parents=True)
    assert not manual_grading_done(course, HW)


def test_release_grades_command_prints_one_line(tiny_course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tiny_course)
    assert main(["--course", root, "release-grades", HW]) == 0  # the tiny course's deadline is past
    assert main(["--course", root, "release-grades", HW]) == 0
    assert main(["--course", root, "release-grades", HW, "--undo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("tiny: grades released;")
    assert lines[1].startswith("tiny: grades already released on ") and "by_hand" in lines[1]
    assert lines[2].startswith("tiny: grades withheld;")
    assert not grades_released(open_course(tiny_course), HW, datetime.now(UTC))
    write_config(tiny_course, 'c.Deadlines.deadlines = {"tiny": "2099-01-01 00:00"}')
    assert main(["--course", root, "release-grades", HW]) == 1
    assert "cannot be released before it" in capsys.readouterr().err
