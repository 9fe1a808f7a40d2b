"""nbgrader's own due date for an assignment (what formgrader shows), set from ``Deadlines.deadlines`` when the
assignment is released. nbgrader keeps due dates as naive UTC. Per-student extensions (``grader extend``) live in
the grader's database: formgrader shows the course deadline only."""

from __future__ import annotations

from datetime import UTC, datetime

from nbgrader.api import Gradebook

from grader.course import CourseFolder


def set_due_date(course: CourseFolder, assignment: str) -> datetime | None:
    """Write the course deadline of ``assignment`` into nbgrader's gradebook (none: no due date). Returns it."""
    deadline = course.settings.deadlines.get(assignment)
    with Gradebook(course.gradebook_url) as gb:
        gb.update_or_create_assignment(assignment, duedate=deadline.astimezone(UTC).replace(tzinfo=None)
                                       if deadline else None)
    return deadline
