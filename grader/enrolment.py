"""Who is in the class and with which accounts: the roster as the instructor sees it (``grader roster list``),
students removed from the class (``grader roster remove``: kept in history, left out of reports), and freeing a
Telegram account linked by mistake (``grader bot unlink``).

The bot's side of an unlink (telling both accounts) is ``grader.bot.unlink``; this module only changes records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from grader.course import CourseFolder
from grader.errors import RosterError
from grader.roster import hash_code, roster
from grader.store.db import session_scope
from grader.store.models import Registration, RegistrationCode, Submission
from grader.store.term import RegistrationAttempt, Withdrawal
from grader.timeutil import aware


@dataclass(frozen=True)
class RosterLine:
    """One student of the roster. code: 'none' | 'issued' | 'used'; last_*: the newest submission, if any."""

    student: str
    name: str
    email: str
    code: str
    telegram_id: int | None
    github_login: str
    last_assignment: str
    last_received: datetime | None
    removed: bool
    removed_reason: str = ""


@dataclass(frozen=True)
class Unlinked:
    """What ``unlink`` did: the account freed, and the accounts that had tried this student's code since."""

    student: str
    telegram_id: int
    language: str
    tried: tuple[int, ...]


def withdrawn(course: CourseFolder) -> set[str]:
    """Students removed from the class."""
    with session_scope(course.database_url) as session:
        return set(session.scalars(select(Withdrawal.student_id)))


def roster_lines(course: CourseFolder) -> list[RosterLine]:
    entries = roster(course)
    with session_scope(course.database_url) as session:
        codes = {c.student_id: c for c in session.scalars(select(RegistrationCode))}
        links = {r.student_id: r for r in session.scalars(select(Registration))}
        removed = {w.student_id: w for w in session.scalars(select(Withdrawal))}
        newest = select(Submission.student_id, func.max(Submission.received_at).label("at")).group_by(
            Submission.student_id).subquery()
        last = {row.student_id: (row.assignment, aware(row.received_at)) for row in session.execute(
            select(Submission.student_id, Submission.assignment, Submission.received_at).join(
                newest, (Submission.student_id == newest.c.student_id) & (Submission.received_at == newest.c.at)))}
    lines = []
    for entry in sorted(entries, key=lambda e: e.id):
        code, link, gone = codes.get(entry.id), links.get(entry.id), removed.get(entry.id)
        assignment, received = last.get(entry.id, ("", None))
        lines.append(RosterLine(
            entry.id, " ".join(p for p in (entry.first_name, entry.last_name) if p), entry.email or "",
            "none" if code is None else ("used" if code.used_at is not None else "issued"),
            link.telegram_id if link else None, link.github_login if link else "", assignment, received,
            gone is not None, gone.reason if gone else ""))
    return lines


def _on_roster(course: CourseFolder, student: str) -> None:
    if student not in {e.id for e in roster(course)}:
        raise RosterError(f"{student!r} is not on the roster (see 'grader roster list')")


def remove_student(course: CourseFolder, student: str, reason: str = "", *, undo: bool = False) -> bool:
    """Mark ``student`` as removed from the class (or, with ``undo``, back in it). Their submissions, results
    and registration stay as history; reports leave them out. Returns False when nothing changed."""
    _on_roster(course, student)
    with session_scope(course.database_url) as session:
        row = session.get(Withdrawal, student)
        if undo:
            if row is None:
                return False
            session.delete(row)
            return True
        if row is not None:
            return False
        session.add(Withdrawal(student_id=student, removed_at=datetime.now(UTC), reason=reason))
        return True


def record_attempt(course: CourseFolder, telegram_id: int, code: str, reason: str) -> None:
    """Remember a refused ``/register`` with a real code (who tried whose code), for ``unlink``."""
    normal = code.strip().upper().replace(" ", "").replace("-", "")
    with session_scope(course.database_url) as session:
        entry = session.scalar(select(RegistrationCode).where(
            RegistrationCode.code_hash == hash_code(f"{normal[:4]}-{normal[4:]}")))
        if entry is not None:
            session.add(RegistrationAttempt(student_id=entry.student_id, telegram_id=telegram_id, reason=reason,
                                            at=datetime.now(UTC)))


def unlink(course: CourseFolder, student: str) -> Unlinked:
    """Free the Telegram account linked to ``student``: the registration is deleted and the student's code works
    again (for the account that tried it in vain, or any other: reissue it with 'grader roster codes --student'
    if it may have leaked). Returns who to tell."""
    _on_roster(course, student)
    with session_scope(course.database_url) as session:
        link = session.get(Registration, student)
        if link is None:
            raise RosterError(f"{student} has no Telegram account linked: nothing to unlink")
        code = session.get(RegistrationCode, student)
        if code is not None:
            code.used_at, code.telegram_id = None, None
        tried = tuple(sorted({a.telegram_id for a in session.scalars(select(RegistrationAttempt).where(
            RegistrationAttempt.student_id == student)) if a.telegram_id != link.telegram_id}))
        session.execute(delete(RegistrationAttempt).where(RegistrationAttempt.student_id == student))
        result = Unlinked(student, link.telegram_id, link.language, tried)
        session.delete(link)
    return result
