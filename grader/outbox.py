"""Messages owed to students about their submissions, by kind (``OutboxMessage.state``):

    fetch_failed, grade_failed   a failure found after intake, told at once with what to do (written by
                                 ``grader.lifecycle.record`` in the same transaction as the failure)
    checked                      the visible tests of a submission before the deadline (``grader serve``)
    released                     the grades of an assignment are out: the student's result

The running bot (``grader bot run``, ``grader serve``) drains the outbox every few seconds (``deliver``): each
message is composed when sent (the student's current result, ``grader.result``, or the stored visible report) in
their language, within Telegram's limits (``Pacer``: at most 30 messages a second for the bot, one a second per
chat), and marked sent only when Telegram confirmed it, so a crash repeats at most the message being sent, never
loses one. A student who never registered with the bot keeps theirs until they do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from grader.bot.answers import result_text
from grader.bot.texts import visible_result
from grader.course import CourseFolder
from grader.errors import ExternalServiceError, RateLimitedError, ServerError
from grader.result import student_results
from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Registration, VisibleCheck

log = logging.getLogger(__name__)
BOT_INTERVAL = 1 / 28  # seconds between two messages of the bot: under Telegram's 30 per second, with a margin
CHAT_INTERVAL = 1.05  # seconds between two messages to one chat: Telegram's one per second, with a margin
MAX_ATTEMPTS = 5  # a message Telegram refuses this many times is left for the instructor's log


class Pacer:
    """Telegram's limits in one place: ``wait(chat)`` returns when a message may go to ``chat`` without passing
    ``BOT_INTERVAL`` for the bot or ``CHAT_INTERVAL`` for the chat; ``ready(chat)`` says whether it may go now.
    Kept for the life of the bot (the limits span successive drains of the outbox)."""

    def __init__(self, bot_interval: float = BOT_INTERVAL, chat_interval: float = CHAT_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bot_interval, self.chat_interval, self.clock = bot_interval, chat_interval, clock
        self._next_bot = 0.0
        self._next_chat: dict[int, float] = {}

    def ready(self, chat: int) -> bool:
        return self._next_chat.get(chat, 0.0) <= self.clock()

    async def wait(self, chat: int) -> None:
        now = self.clock()
        start = max(now, self._next_bot, self._next_chat.get(chat, 0.0))
        self._next_bot = start + self.bot_interval
        self._next_chat[chat] = start + self.chat_interval
        if start > now:
            await asyncio.sleep(start - now)


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
        checks = {r.submission_id: r.tests for r in session.scalars(select(VisibleCheck).where(
            VisibleCheck.submission_id.in_({m.submission_id for m in rows if m.state == "checked"})))}
    out: list[Owed] = []
    cache: dict[str, dict] = {}
    for message in rows:
        if message.student_id not in chats:
            continue
        telegram_id, language = chats[message.student_id]
        lang = "en" if language == "en" else "ru"
        if message.state == "checked":
            if message.submission_id in checks:
                from grader.autograde.visible import VisibleReport

                out.append(Owed(message.id, telegram_id,
                                visible_result(lang, VisibleReport.from_json(checks[message.submission_id]))))
            continue
        if message.student_id not in cache:
            cache[message.student_id] = student_results(course, message.student_id)[0]
        result = cache[message.student_id].get(message.assignment)
        if result is not None:
            out.append(Owed(message.id, telegram_id, result_text(lang, result)))
    return out


def _mark(course: CourseFolder, message_id: int, sent: bool) -> None:
    with session_scope(course.database_url) as session:
        row = session.get(OutboxMessage, message_id)
        if row is not None:
            row.attempts += 1
            if sent:
                row.sent_at = datetime.now(UTC)


def _rounds(messages: list[Owed]) -> list[Owed]:
    """Oldest first within a chat; one message of each chat per round."""
    by_chat: dict[int, list[Owed]] = {}
    for message in messages:
        by_chat.setdefault(message.telegram_id, []).append(message)
    rounds = max((len(m) for m in by_chat.values()), default=0)
    return [m[index] for index in range(rounds) for m in by_chat.values() if index < len(m)]


async def deliver(course: CourseFolder, send: Callable[[int, str], Awaitable[None]],
                  run: Callable[..., Awaitable[object]] | None = None, pacer: Pacer | None = None) -> int:
    """Send what is owed through ``send(chat_id, text)`` within ``pacer``'s limits; returns how many were sent.
    Chats take turns (one message each, then the second of each, …), so a chat owed several messages
    does not hold up the others. ``run`` moves the database work off the event loop (the bot's worker
    threads); without it, it runs inline."""
    async def call(function: Callable[..., object], *args: object) -> object:
        return await run(function, *args) if run is not None else function(*args)

    pacer = pacer or Pacer()
    messages: list[Owed] = await call(owed, course)  # type: ignore[assignment]
    sent = 0
    for message in _rounds(messages):
        await pacer.wait(message.telegram_id)
        try:
            await send(message.telegram_id, message.text)
        except (ServerError, RateLimitedError) as exc:  # Telegram is down or busy: all of it waits, nothing counted
            log.warning("outbox: Telegram unavailable (%s); %d message(s) wait for the next drain", exc,
                        len(messages) - sent)
            break
        except ExternalServiceError as exc:  # this chat refused it (blocked, unknown): counted, given up at last
            log.warning("outbox message %d not delivered: %s", message.message_id, exc)
            await call(_mark, course, message.message_id, False)
            continue
        await call(_mark, course, message.message_id, True)
        sent += 1
    return sent
