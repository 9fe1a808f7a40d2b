"""Deadline reminders: the running bot tells each registered student who has not submitted an assignment, a
configurable time before its deadline (the student's own one, ``grader extend``), once. ``/mute`` turns them off.

Once means once across restarts: a reminder is claimed in the database (``ReminderSent``, keyed by student,
assignment and the deadline itself) *before* it is sent. A crash between the claim and the send loses that one
reminder; it never sends one twice. A new deadline (an extension) is a new reminder.

    c.Reminders.hours_before = 24     # how long before the deadline
    c.Reminders.check_every = 300     # seconds between two looks at the deadlines
    c.Reminders.enabled = True
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grader.configurable import configured
from grader.course import CourseFolder
from grader.errors import ExternalServiceError
from grader.extensions import deadline_for
from grader.store.db import session_scope
from grader.store.models import Registration, Submission
from grader.store.term import Muted, ReminderSent, Withdrawal

from .boundary import send_text
from .config import Reminders
from .texts import duration, moment, say

log = logging.getLogger("grader.bot")


@dataclass(frozen=True)
class Reminder:
    student: str
    telegram_id: int
    language: str
    assignment: str
    deadline: datetime


def set_muted(course: CourseFolder, student: str, muted: bool) -> None:
    with session_scope(course.database_url) as session:
        row = session.get(Muted, student)
        if muted and row is None:
            session.add(Muted(student_id=student, muted_at=datetime.now(UTC)))
        elif not muted and row is not None:
            session.delete(row)


def _key(deadline: datetime) -> str:
    return deadline.astimezone(UTC).isoformat(timespec="seconds")


def due_reminders(course: CourseFolder, now: datetime, before: timedelta) -> list[Reminder]:
    """Reminders due now: a registered, unmuted student still in the class, without an active submission, whose
    deadline for the assignment is within ``before`` from ``now``, not reminded for that deadline yet."""
    with session_scope(course.database_url) as session:
        students = list(session.scalars(select(Registration).order_by(Registration.student_id)))
        quiet = set(session.scalars(select(Muted.student_id))) | set(session.scalars(select(Withdrawal.student_id)))
        done = {(r.student_id, r.assignment, r.deadline) for r in session.scalars(select(ReminderSent))}
        submitted = {(s.student_id, s.assignment) for s in session.scalars(select(Submission).where(
            Submission.active.is_(True)))}
    due = []
    for student in students:
        if student.student_id in quiet:
            continue
        for hw in course.settings.assignments:
            deadline = deadline_for(course, student.student_id, hw)
            if deadline is None or not now < deadline <= now + before or (student.student_id, hw) in submitted:
                continue
            if (student.student_id, hw, _key(deadline)) not in done:
                due.append(Reminder(student.student_id, student.telegram_id, student.language, hw, deadline))
    return due


def claim(course: CourseFolder, reminder: Reminder) -> bool:
    """Record the reminder as sent; False when it already was (another process, or before a restart)."""
    try:
        with session_scope(course.database_url) as session:
            session.add(ReminderSent(student_id=reminder.student, assignment=reminder.assignment,
                                     deadline=_key(reminder.deadline), sent_at=datetime.now(UTC)))
    except IntegrityError:
        return False
    return True


async def send_due(app: Any, now: datetime | None = None) -> int:
    """One look: send every reminder due now through ``app``'s bot. Returns how many were sent."""
    deps = app.bot_data["deps"]
    course: CourseFolder = deps.course
    settings = configured(Reminders, course.config)
    now = now or datetime.now(UTC)
    sent = 0
    for reminder in await deps.run(due_reminders, course, now, timedelta(hours=settings.hours_before)):
        if not await deps.run(claim, course, reminder):
            continue
        text = say(reminder.language, "reminder", assignment=reminder.assignment,
                   deadline=moment(reminder.deadline, course.settings.timezone),
                   left=duration((reminder.deadline - now).total_seconds(), reminder.language))
        try:
            await send_text(app.bot, reminder.telegram_id, text, retries=deps.settings.send_retries)
            sent += 1
        except ExternalServiceError as exc:
            log.warning("reminder to %s for %s not delivered: %s", reminder.student, reminder.assignment, exc)
    return sent


async def _loop(app: Any, every: float) -> None:
    while True:
        try:
            count = await send_due(app)
            if count:
                log.info("sent %d deadline reminder(s)", count)
        except Exception as exc:  # noqa: BLE001 (a failed look is logged; the next one tries again)
            log.error("deadline reminders: %s: %s", type(exc).__name__, exc)
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def reminders_running(app: Any) -> AsyncIterator[None]:
    """While the bot serves: look at the deadlines now and every ``Reminders.check_every`` seconds."""
    settings = configured(Reminders, app.bot_data["deps"].course.config)
    task = asyncio.ensure_future(_loop(app, settings.check_every)) if settings.enabled else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
