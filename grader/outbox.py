"""Messages owed to students about their submissions: a failure found after intake (a collection that failed,
a notebook that timed out, died or was not a notebook) is told at once, with what to do.

``grader.lifecycle.record`` writes the message in the same transaction as the failure; the running bot
(``grader bot run``) drains the outbox every few seconds (``deliver``): each message is the student's current
result (``grader.result``) in their language, sent one at a time within Telegram's limits, and marked sent only
when Telegram confirmed it, so a crash repeats a message rather than losing it. A student who never registered
with the bot keeps theirs until they do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from grader.bot.answers import result_text
from grader.course import CourseFolder
from grader.errors import ExternalServiceError
from grader.result import student_results
from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Registration

log = logging.getLogger(__name__)
SEND_INTERVAL = 1 / 25  # seconds between messages: under Telegram's 30 per second per bot
MAX_ATTEMPTS = 5  # a message Telegram refuses this many times is left for the instructor's log


@dataclass(frozen=True)
class Owed:
    """One message to send: where, and what."""

    message_id: int
    telegram_id: int
    text: str


def owed(course: CourseFolder, limit: int = 100) -> list[Owed]:
    """The unsent messages of registered students, oldest first, composed now (the latest result)."""
    with session_scope(course.database_url) as session:
        rows = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(OutboxMessage.id).limit(limit)))
        chats = {r.student_id: (r.telegram_id, r.language) for r in session.scalars(
            select(Registration).where(Registration.student_id.in_({m.student_id for m in rows})))}
    out: list[Owed] = []
    cache: dict[str, dict] = {}
    for message in rows:
        if message.student_id not in chats:
            continue
        telegram_id, language = chats[message.student_id]
        if message.student_id not in cache:
            cache[message.student_id] = student_results(course, message.student_id)[0]
        result = cache[message.student_id].get(message.assignment)
        if result is not None:
            out.append(Owed(message.id, telegram_id, result_text("en" if language == "en" else "ru", result)))
    return out


def _mark(course: CourseFolder, message_id: int, sent: bool) -> None:
    with session_scope(course.database_url) as session:
        row = session.get(OutboxMessage, message_id)
        if row is not None:
            row.attempts += 1
            if sent:
                row.sent_at = datetime.now(UTC)


async def deliver(course: CourseFolder, send: Callable[[int, str], Awaitable[None]],
                  run: Callable[..., Awaitable[object]] | None = None) -> int:
    """Send what is owed through ``send(chat_id, text)``; returns how many were sent. ``run`` moves the
    database work off the event loop (the bot's worker threads); without it, it runs inline."""
    async def call(function: Callable[..., object], *args: object) -> object:
        return await run(function, *args) if run is not None else function(*args)

    messages = await call(owed, course)
    sent = 0
    for message in messages:  # type: ignore[attr-defined]
        try:
            await send(message.telegram_id, message.text)
        except ExternalServiceError as exc:
            log.warning("outbox message %d not delivered: %s", message.message_id, exc)
            await call(_mark, course, message.message_id, False)
            continue
        await call(_mark, course, message.message_id, True)
        sent += 1
        await asyncio.sleep(SEND_INTERVAL)
    return sent
