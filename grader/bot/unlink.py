"""``grader bot unlink ID``: free the Telegram account linked to a student (``grader.enrolment.unlink``) and tell
both sides through the bot: the account that was linked, and every account that tried the student's code in vain
since (the real owner, usually)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from grader.course import CourseFolder
from grader.enrolment import Unlinked, unlink
from grader.errors import ExternalServiceError

from .boundary import make_bot, send_text
from .config import bot_settings, bot_token
from .texts import say


@dataclass
class UnlinkReport:
    unlinked: Unlinked
    told: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


async def _tell(course: CourseFolder, token: str, messages: list[tuple[int, str]], report: UnlinkReport) -> None:
    settings = bot_settings(course.config)
    async with make_bot(settings, token) as bot:
        for chat, text in messages:
            try:
                await send_text(bot, chat, text, retries=settings.send_retries)
                report.told.append(chat)
            except ExternalServiceError as exc:
                report.failed[chat] = str(exc)


def unlink_and_tell(course: CourseFolder, student: str, *, token: str | None = None) -> UnlinkReport:
    """Unlink, then message both accounts. The token is checked first: without one nothing changes."""
    token = token or bot_token()
    done = unlink(course, student)
    report = UnlinkReport(done)
    messages = [(done.telegram_id, say(done.language, "unlinked_account", student=student))]
    messages += [(chat, say("ru", "unlinked_code_free", student=student)) for chat in done.tried]
    asyncio.run(_tell(course, token, messages, report))
    return report
