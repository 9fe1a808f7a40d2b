"""What the bot reports: one student's status, the upcoming deadlines, the instructor's statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from grader.course import CourseFolder
from grader.extensions import deadline_for
from grader.policy.lateness import days_late
from grader.result import Result, student_results
from grader.store.db import session_scope
from grader.store.models import GradingResult, Registration, Submission
from grader.timeutil import aware

from .projects import ProjectState, project_of, project_state
from .service import Student


@dataclass(frozen=True)
class HomeworkLine:
    """One assignment of one student, as far as the system got with it.

    submission_status: '' (nothing submitted) | pinned | collected | failed; grading_status: '' (not graded
    yet) or GradingResult.status; score/max_score/mark only for a graded one.
    """

    assignment: str
    commit_sha: str = ""
    received_at: datetime | None = None
    days_late: float = 0.0
    submission_status: str = ""
    submission_reason: str = ""
    grading_status: str = ""
    grading_reason: str = ""
    score: float | None = None
    max_score: float | None = None
    mark: float | None = None
    pending_manual: bool = False
    late_multiplier: float = 1.0
    result: Result | None = None  # grader.result: what every view shows (the fields above: the raw records)


@dataclass(frozen=True)
class StudentStatus:
    student_id: str
    github_login: str
    homework: tuple[HomeworkLine, ...]
    homework_mean: float
    homework_points: float
    project: ProjectState | None




def student_status(course: CourseFolder, student: Student) -> StudentStatus:
    settings = course.settings
    with session_scope(course.database_url) as session:
        active = {s.assignment: s for s in session.scalars(select(Submission).where(
            Submission.student_id == student.student_id, Submission.active.is_(True)))}
        graded = {r.assignment: r for r in session.scalars(select(GradingResult).where(
            GradingResult.student == student.student_id))}
    results, breakdown = student_results(course, student.student_id)
    lines = []
    for hw in settings.assignments:
        sub, row, result = active.get(hw), graded.get(hw), results[hw]
        line = HomeworkLine(hw, result=result)
        if sub is not None:
            received = aware(sub.received_at)
            deadline = deadline_for(course, student.student_id, hw)
            line = HomeworkLine(hw, sub.commit_sha, received, days_late(received, deadline) if received else 0.0,
                                sub.status, sub.reason, result=result)
        if row is not None:
            line = replace(line, grading_status=row.status, grading_reason=row.reason)
        if result.mark is not None and result.status in ("graded", "failed"):
            line = replace(line, score=result.points, max_score=result.max_points, mark=result.mark,
                           pending_manual=bool(result.pending_manual), late_multiplier=result.multiplier)
        lines.append(line)
    project = project_of(course, student.student_id)
    return StudentStatus(student.student_id, student.github_login, tuple(lines), breakdown.homework_mean,
                         breakdown.homework_points, project_state(project) if project is not None else None)


def upcoming_deadlines(course: CourseFolder, now: datetime | None = None) -> list[tuple[str, datetime]]:
    now = now or datetime.now(UTC)
    deadlines = course.settings.deadlines
    return sorted(((hw, deadlines[hw]) for hw in course.settings.assignments
                   if hw in deadlines and deadlines[hw] > now), key=lambda item: item[1])


@dataclass(frozen=True)
class AssignmentStats:
    assignment: str
    submitted: int
    late: int
    graded: int
    failed: int


def course_stats(course: CourseFolder) -> tuple[int, list[AssignmentStats]]:
    """(students registered, per assignment: active submissions, late ones, graded, failed)."""
    with session_scope(course.database_url) as session:
        registered = session.scalar(select(func.count()).select_from(Registration)) or 0
        submitted: Counter[str] = Counter()
        late: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        for row in session.execute(select(Submission.assignment, Submission.received_at, Submission.status,
                                          Submission.student_id).where(Submission.active.is_(True))):
            submitted[row.assignment] += 1
            deadline = deadline_for(course, row.student_id, row.assignment)
            if deadline is not None and aware(row.received_at) > deadline:  # type: ignore[operator]
                late[row.assignment] += 1
            if row.status == "failed":
                failed[row.assignment] += 1
        graded: Counter[str] = Counter()
        for row in session.execute(select(GradingResult.assignment, GradingResult.status)):
            if row.status == "graded":
                graded[row.assignment] += 1
            elif row.status not in ("missing", "waiting_gpu"):
                failed[row.assignment] += 1
    return int(registered), [AssignmentStats(hw, submitted[hw], late[hw], graded[hw], failed[hw])
                             for hw in course.settings.assignments]


def registered_students(course: CourseFolder) -> list[Student]:
    with session_scope(course.database_url) as session:
        return [Student(r.student_id, r.telegram_id, r.github_login, r.language)
                for r in session.scalars(select(Registration).order_by(Registration.student_id))]
