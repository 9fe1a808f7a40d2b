"""``grader bot run``: the bot for a course, until Ctrl-C or SIGTERM.

Stages in order: logging (the ``httpx`` logger at WARNING and the token redacted from every record, since Bot
API URLs carry it) → settings and token → the GitHub boundary → the Application → polling or webhook.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from grader.course import CourseFolder
from grader.github import GitHub

from .app import build_application, make_deps, serve
from .config import BotSettings, bot_settings, bot_token
from .service import GitHubPort

log = logging.getLogger("grader.bot")


class RedactToken(logging.Filter):
    """Replaces the token in every log record (message and arguments) with '<token>'."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "<token>")
            record.args = None
        return True


def configure_logging(token: str, level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # httpx logs every request URL, token included
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


def github_for_bot(course: CourseFolder, settings: BotSettings, token: str | None = None) -> GitHub:
    """The course's GitHub boundary, waiting at most ``BotSettings.github_max_wait`` for a rate limit (a
    student is answered 'try again later' instead of waiting for minutes)."""
    gh = GitHub.from_course(course, token=token)
    gh.gate.max_wait = min(gh.gate.max_wait, settings.github_max_wait)
    return gh


async def _until_signalled(app: Any, settings: BotSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(app, stop, webhook=settings if settings.webhook_url else None)


def run_bot(course: CourseFolder, *, github: GitHubPort | None = None, token: str | None = None,
            log_level: int = logging.INFO) -> None:
    """Serve the course's bot until interrupted. The token comes from TELEGRAM_BOT_TOKEN unless given."""
    settings = bot_settings(course.config)
    token = token or bot_token()
    configure_logging(token, log_level)
    gh = github_for_bot(course, settings)
    deps = make_deps(course, settings, github or gh, hosts=gh.settings.hosts,
                     instructor_login=gh.settings.instructor_login)
    app = build_application(deps, token, webhook=bool(settings.webhook_url))
    try:
        asyncio.run(_until_signalled(app, settings))
    finally:
        deps.close()
        gh.close()
        log.info("bot stopped")
