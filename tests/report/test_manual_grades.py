"""A 'conclusions' answer graded by hand: pending (not zero) until the instructor enters the score, the way
formgrader does it (nbgrader's Gradebook API), then counted."""

from __future__ import annotations

from nbgrader.api import Gradebook

from grader.course import CourseFolder
from grader.report.build import build_report
from grader.report.student import student_report


def test_pending_manual_grade_then_entered_through_nbgrader_shows_in_the_report(fixed_class: CourseFolder) -> None:
    before = build_report(fixed_class)
    hw5 = before.outcomes["s05"]["hw5"]
    assert hw5.shown_status == "pending" and hw5.pending == ("conclusions",)
    assert "hw5" in before.row("s05").pending
    assert any(a.kind == "pending_manual" and a.assignment == "hw5" for a in before.attention_for("s05"))

    with Gradebook(fixed_class.gradebook_url) as gb:  # what formgrader does when the instructor saves a score
        grade = gb.find_grade("conclusions", "hw5", "hw5", "s05")
        grade.manual_score = 1.0
        gb.db.commit()

    after = build_report(fixed_class)
    hw5 = after.outcomes["s05"]["hw5"]
    assert hw5.shown_status == "graded" and hw5.score == 100.0 and after.row("s05").marks["hw5"] == 8.0
    assert "hw5" not in after.row("s05").pending
    assert not any(a.kind == "pending_manual" for a in after.attention_for("s05"))
    assert after.row("s05").exact == before.row("s05").exact + 0.5 * (8 - 7) / 8
    assert "hw5: 100% → 8" in student_report(fixed_class, "s05")
