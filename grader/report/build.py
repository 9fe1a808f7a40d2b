"""``build_report``: the policy applied to every student, computed once into a ``Report`` (``model.py``).

Stages, in order:
  1. records    the grader's database: autograde outcomes, the bot's submissions, projects and their checks
  2. outcomes   completion per homework from nbgrader's gradebook (``grader.completion``)
  3. projects   each project's marks spread to its members (the policy's ``project_marks_by_student``)
  4. grades     the policy's ``grade_class``: marks, H, weighted H, E, bonuses, exact value, rounded grade
  5. checks     the "needs attention" list (``checks.py``)
"""

from __future__ import annotations

from grader.appeals import appeal_lines
from grader.completion import class_outcomes, database_records, grade_inputs
from grader.course import CourseFolder
from grader.enrolment import withdrawn
from grader.extensions import extensions
from grader.policy.grade import ProjectMarks, grade_class
from grader.project.store import list_projects, project_marks
from grader.report.checks import consistency_checks, extension_lines, for_student
from grader.report.model import Report
from grader.roster import roster
from grader.similarity.attention import similarity_attention


def build_report(course: CourseFolder, projects: dict[str, ProjectMarks] | None = None, *,
                 students: list[str] | None = None) -> Report:
    """The whole report. ``projects`` overrides the marks stored with ``grader project`` (the demo uses it);
    ``students`` limits it to some students (a student's own report)."""
    records = database_records(course)
    stored = list_projects(course)
    gone = withdrawn(course)  # removed from the class: kept in history, left out of the report
    outcomes = {s: o for s, o in class_outcomes(course, records).items() if s not in gone}
    names = {entry.id: entry for entry in roster(course)}
    roster_ids = sorted(outcomes)
    marks, twice = project_marks(stored)
    if projects is not None:
        marks, twice = projects, {}
    if students is not None:
        outcomes = {s: outcomes[s] for s in students if s in outcomes}
    rows = grade_class(grade_inputs(outcomes, marks), course.settings.grade)
    attention = consistency_checks(roster_ids + sorted(gone), outcomes, records, stored, twice,
                                   course.root / "submitted", course.settings.grade.bonus_points, marked=marks)
    attention = ([a for a in attention if a.student not in gone] + extension_lines(course, outcomes)
                 + appeal_lines(course, outcomes) + similarity_attention(course))
    if students is not None:
        attention = [a for s in students for a in for_student(attention, s)]
    return Report(course.settings.assignments, rows, outcomes, names, stored, attention, course.settings.grade,
                  course.settings.course_name, dict(course.settings.deadlines), course.settings.timezone,
                  student_deadlines={(e.student, e.assignment): e.until for e in extensions(course)})
