"""Regrade requests: a student sends ``/appeal hwN TEXT`` through the bot; the instructor lists them
(``grader appeals list``, and the report's "needs attention") and answers (``grader appeals answer ID TEXT``);
the bot tells the student the answer (``grader.bot.appeal_notify``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from grader.course import CourseFolder
from grader.errors import GraderError
from grader.store.db import session_scope
from grader.store.term import Appeal
from grader.timeutil import aware

if TYPE_CHECKING:
    from grader.report.model import Attention

MAX_TEXT = 2000
OPEN_PER_STUDENT = 5  # open appeals one student may have at once (a flood guard, not a policy)


class AppealError(GraderError):
    """An appeal that cannot be recorded or answered; ``reason`` picks the bot's answer."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class AppealRecord:
    id: int
    student: str
    assignment: str
    text: str
    created_at: datetime
    answer: str | None
    answered_at: datetime | None
    notified_at: datetime | None

    @property
    def open(self) -> bool:
        return self.answer is None


def _record(row: Appeal) -> AppealRecord:
    return AppealRecord(row.id, row.student_id, row.assignment, row.text, aware(row.created_at), row.answer,
                        aware(row.answered_at), aware(row.notified_at))


def file_appeal(course: CourseFolder, student: str, assignment: str, text: str) -> AppealRecord:
    """Record a regrade request of ``student`` for ``assignment``."""
    course.check_assignment(assignment)
    text = text.strip()
    if not text:
        raise AppealError("appeal_empty", "an appeal needs a text: what should be looked at again, and why")
    now = datetime.now(UTC)
    with session_scope(course.database_url) as session:
        open_ones = list(session.scalars(select(Appeal).where(Appeal.student_id == student,
                                                              Appeal.answer.is_(None))))
        if len(open_ones) >= OPEN_PER_STUDENT:
            raise AppealError("appeal_too_many", f"{student} already has {len(open_ones)} open appeals")
        row = Appeal(student_id=student, assignment=assignment, text=text[:MAX_TEXT], created_at=now)
        session.add(row)
        session.flush()
        return _record(row)


def list_appeals(course: CourseFolder, *, everything: bool = False) -> list[AppealRecord]:
    """Open appeals (every one with ``everything``), oldest first."""
    with session_scope(course.database_url) as session:
        query = select(Appeal).order_by(Appeal.id)
        if not everything:
            query = query.where(Appeal.answer.is_(None))
        return [_record(row) for row in session.scalars(query)]


def answer_appeal(course: CourseFolder, appeal_id: int, text: str) -> AppealRecord:
    """Store the instructor's answer (replacing an earlier one, which is then sent again)."""
    if not text.strip():
        raise AppealError("answer_empty", "the answer is empty: grader appeals answer ID 'TEXT'")
    with session_scope(course.database_url) as session:
        row = session.get(Appeal, appeal_id)
        if row is None:
            raise AppealError("appeal_unknown", f"no appeal #{appeal_id} (see 'grader appeals list --all')")
        row.answer, row.answered_at, row.notified_at = text.strip()[:MAX_TEXT], datetime.now(UTC), None
        return _record(row)


def unsent_answers(course: CourseFolder) -> list[AppealRecord]:
    with session_scope(course.database_url) as session:
        return [_record(row) for row in session.scalars(select(Appeal).where(
            Appeal.answer.is_not(None), Appeal.notified_at.is_(None)).order_by(Appeal.id))]


def mark_sent(course: CourseFolder, appeal_id: int) -> None:
    with session_scope(course.database_url) as session:
        row = session.get(Appeal, appeal_id)
        if row is not None:
            row.notified_at = datetime.now(UTC)


def appeal_lines(course: CourseFolder, students: Iterable[str]) -> list[Attention]:
    """The report's "regrade requests" lines: every open appeal of the students it shows."""
    from grader.report.model import Attention

    shown = set(students)
    return [Attention("appeal", a.student, a.assignment, f"appeal #{a.id}: {a.text[:300]} (answer: grader appeals "
                      f"answer {a.id} 'TEXT')") for a in list_appeals(course) if a.student in shown]
