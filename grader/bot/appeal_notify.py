"""Telling students the answers to their appeals through the bot (``grader appeals answer``), each answer once:
it is marked sent after Telegram accepted it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from grader.appeals import mark_sent, unsent_answers
from grader.course import CourseFolder
from grader.errors import ExternalServiceError

from .boundary import make_bot, send_text
from .config import bot_settings, bot_token
from .queries import registered_students
from .texts import say


@dataclass
class AnswersSent:
    sent: list[int] = field(default_factory=list)
    not_registered: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


async def _send(course: CourseFolder, token: str, summary: AnswersSent) -> None:
    settings = bot_settings(course.config)
    students = {s.student_id: s for s in registered_students(course)}
    pending = unsent_answers(course)
    if not pending:
        return
    async with make_bot(settings, token) as bot:
        for appeal in pending:
            student = students.get(appeal.student)
            if student is None:
                summary.not_registered.append(appeal.id)
                continue
            text = say(student.language, "appeal_answered", id=appeal.id, assignment=appeal.assignment,
                       answer=appeal.answer)
            try:
                await send_text(bot, student.telegram_id, text, retries=settings.send_retries)
            except ExternalServiceError as exc:
                summary.failed[appeal.id] = str(exc)
                continue
            mark_sent(course, appeal.id)
            summary.sent.append(appeal.id)


def send_answers(course: CourseFolder, *, token: str | None = None) -> AnswersSent:
    """Every answered appeal not yet told to its student, through the bot (TELEGRAM_BOT_TOKEN)."""
    summary = AnswersSent()
    asyncio.run(_send(course, token or bot_token(), summary))
    return summary
