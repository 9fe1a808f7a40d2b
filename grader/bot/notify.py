"""Sending each student their result through the bot, from other commands (``grader feedback``, ``grader report``).

``notify_students(course, {student: Note})`` delivers prepared texts (and an optional file) to every registered
student. Prepared notes: ``result_notes(course, "hw3")``, the result of one assignment (score, mark, lateness,
the feedback HTML when it exists) in each student's language; ``report_notes(course)``, each student's grade
report. A student who never registered, or who blocked the bot, is listed in the summary; the others still get
theirs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from grader.completion import class_outcomes, database_records
from grader.course import CourseFolder
from grader.errors import ExternalServiceError
from grader.extensions import deadline_for
from grader.lifecycle import latest
from grader.result import result_of
from grader.store.db import session_scope
from grader.store.models import Submission

from .answers import result_text
from .boundary import make_bot, send_document, send_text
from .config import BotSettings, bot_settings, bot_token
from .queries import registered_students
from .texts import say


@dataclass(frozen=True)
class Note:
    """What one student receives: a text, and optionally a file (sent as a document with ``caption``)."""

    text: str
    document: Path | None = None
    caption: str = ""


@dataclass
class NotifySummary:
    sent: list[str] = field(default_factory=list)
    not_registered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def result_notes(course: CourseFolder, assignment: str, students: list[str] | None = None) -> dict[str, Note]:
    """The result of ``assignment`` (``grader.result``, as every view shows it) for each student with a
    submission or a grading outcome, in the student's language: a failed collection is told too."""
    course.check_assignment(assignment)
    languages = {s.student_id: s.language for s in registered_students(course)}
    records = database_records(course)
    concerned = {s for s, hw in (*records.results, *records.submitted) if hw == assignment}
    names = [s for s in (students or sorted(concerned)) if s in concerned]
    if not names:
        return {}
    outcomes = class_outcomes(course, records)
    with session_scope(course.database_url) as session:
        ids = {row.id: row.student_id for row in session.scalars(select(Submission).where(
            Submission.assignment == assignment, Submission.active.is_(True)))}
    events = {ids[sid]: event for sid, event in latest(course.database_url, list(ids)).items()}
    now = datetime.now(UTC)
    notes: dict[str, Note] = {}
    for student in names:
        outcome = outcomes.get(student, {}).get(assignment)
        if outcome is None:  # not on the roster
            continue
        lang = languages.get(student, "ru")
        result = result_of(outcome, deadline_for(course, student, assignment), now, course.settings.grade,
                           events.get(student))
        html = sorted(course.feedback(student, assignment).glob("*.html"))
        notes[student] = Note(result_text(lang, result), html[0] if html else None,
                              say(lang, "feedback_caption", assignment=assignment) if html else "")
    return notes


async def _deliver(course: CourseFolder, notes: Mapping[str, Note], token: str, concurrency: int,
                   settings: BotSettings) -> NotifySummary:
    chats = {s.student_id: s.telegram_id for s in registered_students(course)}
    summary = NotifySummary(not_registered=sorted(s for s in notes if s not in chats))
    gate = asyncio.Semaphore(concurrency)
    bot = make_bot(settings, token)

    async def one(student: str, note: Note) -> None:
        async with gate:
            try:
                await send_text(bot, chats[student], note.text, retries=settings.send_retries)
                if note.document is not None:
                    await send_document(bot, chats[student], note.document, note.caption,
                                        retries=settings.send_retries)
                summary.sent.append(student)
            except ExternalServiceError as exc:
                summary.failed[student] = str(exc)

    async with bot:
        await asyncio.gather(*(one(s, n) for s, n in notes.items() if s in chats))
    summary.sent.sort()
    return summary


def notify_students(course: CourseFolder, notes: Mapping[str, Note], *, token: str | None = None,
                    concurrency: int = 8, settings: BotSettings | None = None) -> NotifySummary:
    """Deliver ``notes`` (student id → Note) through the bot; the token comes from TELEGRAM_BOT_TOKEN."""
    return asyncio.run(_deliver(course, notes, token or bot_token(), concurrency,
                                settings or bot_settings(course.config)))


def notify_results(course: CourseFolder, assignment: str, students: list[str] | None = None, *,
                   token: str | None = None, settings: BotSettings | None = None) -> NotifySummary:
    """Each student's result of ``assignment`` (with their feedback file when there is one)."""
    return notify_students(course, result_notes(course, assignment, students), token=token, settings=settings)


def report_notes(course: CourseFolder, students: list[str] | None = None) -> dict[str, Note]:
    """Each registered student's own grade report (``grader.report.student``), in their language."""
    from grader.report.student import student_report

    return {s.student_id: Note(student_report(course, s.student_id, s.language))
            for s in registered_students(course) if not students or s.student_id in students}


def notify_reports(course: CourseFolder, students: list[str] | None = None, *,
                   token: str | None = None) -> NotifySummary:
    """Each registered student's grade report (what ``grader report`` computed), through the bot."""
    return notify_students(course, report_notes(course, students), token=token)
