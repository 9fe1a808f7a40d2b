"""One function decides a deadline (``grader.extensions.deadline_for``): completion, marks and the report measure
lateness against a student's extension, and the report lists it with its reason."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from course_helpers import write_config

from grader.completion import GradebookRow, GradebookSubmission, outcome_from
from grader.course import open_course
from grader.extensions import deadline_for, grant, revoke
from grader.report.build import build_report
from grader.report.trace import trace
from grader.roster import import_roster

RECEIVED = datetime.fromisoformat("2026-10-03T12:00+03:00")  # two and a half days after the course deadline


def test_lateness_and_the_report_follow_the_students_own_deadline(tiny_course: Path) -> None:
    write_config(tiny_course, 'c.Deadlines.deadlines = {"tiny": "2026-10-01 00:00"}\nc.LatePolicy.kind = "per_day"')
    course = open_course(tiny_course)
    (tiny_course / "r.csv").write_text("id\na\nb\n", encoding="utf-8")
    import_roster(course, tiny_course / "r.csv")
    submitted = GradebookSubmission(RECEIVED, (GradebookRow("c", "code", 1.0, 1.0, None),))
    assert outcome_from(course, "a", "tiny", submitted).late_multiplier == 0.7
    grant(course, "tiny", "a", "2026-10-05 23:59", "ill, certificate")
    assert deadline_for(course, "a", "tiny") == datetime.fromisoformat("2026-10-05T23:59+03:00")
    assert deadline_for(course, "b", "tiny") == course.settings.deadlines["tiny"]
    mine = outcome_from(course, "a", "tiny", submitted)
    assert (mine.days_late, mine.late_multiplier, mine.completion) == (0.0, 1.0, 1.0)
    assert outcome_from(course, "b", "tiny", submitted).late_multiplier == 0.7
    report = build_report(course)
    lines = [a for a in report.attention if a.kind == "extension"]
    assert [(a.student, a.assignment) for a in lines] == [("a", "tiny")]
    assert "2026-10-05 23:59" in lines[0].message and "ill, certificate" in lines[0].message
    assert report.deadline("a", "tiny") == datetime.fromisoformat("2026-10-05T23:59+03:00")
    assert trace(report, "a")  # the trace reads the student's deadline
    assert revoke(course, "tiny", "a") and not revoke(course, "tiny", "a")
    assert outcome_from(course, "a", "tiny", submitted).late_multiplier == 0.7
