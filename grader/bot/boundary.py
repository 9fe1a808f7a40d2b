"""The Telegram boundary: sending with Telegram's flood control honoured, and Telegram's errors translated.

    telegram.error            grader.errors
    RetryAfter            →   RateLimitedError(retry_after)     (after ``retries`` waits of the asked length)
    InvalidToken          →   BadCredentialsError
    Forbidden             →   AccessDeniedError                 (the user blocked the bot or never started it)
    BadRequest            →   NotFoundError ("chat not found") or ExternalServiceError (a request Telegram refused)
    EndPointNotFound      →   NotFoundError
    ChatMigrated          →   NotFoundError
    Conflict              →   ExternalServiceError              (another copy of the bot polls, or a webhook is set)
    TimedOut, NetworkError→   ServerError                       (after ``retries`` attempts with back-off)
    any other             →   ExternalServiceError

Nothing outside ``grader.bot`` imports python-telegram-bot.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

# Opt in to python-telegram-bot's time periods as timedelta (its documented switch), so that reading
# RetryAfter.retry_after does not emit the v22.2 deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot, ReplyParameters  # noqa: E402
from telegram.error import (  # noqa: E402
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest  # noqa: E402

from grader.errors import (  # noqa: E402
    AccessDeniedError,
    BadCredentialsError,
    ExternalServiceError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)

from .config import BotSettings  # noqa: E402

log = logging.getLogger("grader.bot")
T = TypeVar("T")


def retry_seconds(exc: RetryAfter) -> float:
    value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def translate(exc: TelegramError) -> ExternalServiceError:
    """The project's error for a Telegram error (its message says what to do)."""
    text = str(exc)
    if isinstance(exc, RetryAfter):
        seconds = retry_seconds(exc)
        return RateLimitedError(f"Telegram asks to wait {seconds:g} s before sending more", seconds)
    if isinstance(exc, InvalidToken):
        return BadCredentialsError("Telegram refused the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)")
    if isinstance(exc, Forbidden):
        return AccessDeniedError(f"Telegram refused to deliver: {text} (the user blocked the bot or never "
                                 "started it)")
    if isinstance(exc, BadRequest):
        if "not found" in text.lower():
            return NotFoundError(f"Telegram: {text} (the user has not written to the bot yet)")
        return ExternalServiceError(f"Telegram refused the request: {text}")
    if isinstance(exc, EndPointNotFound | ChatMigrated):
        return NotFoundError(f"Telegram: {text}")
    if isinstance(exc, Conflict):
        return ExternalServiceError(f"Telegram: {text} (another copy of the bot is running, or a webhook is set: "
                                    "stop the other copy)")
    if isinstance(exc, NetworkError):  # TimedOut included
        return ServerError(f"Telegram could not be reached: {text}; try again later")
    return ExternalServiceError(f"Telegram: {text}")


async def with_retries(call: Callable[[], Awaitable[T]], retries: int) -> T:
    """Run one Bot API call, waiting as long as Telegram asks on 429 and backing off on network errors."""
    backoff = 0.5
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            return await call()
        except RetryAfter as exc:
            if last:
                raise translate(exc) from exc
            wait = retry_seconds(exc)
            log.warning("Telegram flood control: waiting %.1f s (attempt %d)", wait, attempt + 1)
            await asyncio.sleep(wait)
        except BadRequest as exc:
            raise translate(exc) from exc
        except (TimedOut, NetworkError) as exc:
            if last:
                raise translate(exc) from exc
            log.warning("Telegram unreachable (%s): retrying in %.1f s", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
        except TelegramError as exc:
            raise translate(exc) from exc
    raise AssertionError("unreachable")


async def send_text(bot: Bot, chat_id: int, text: str, *, reply_to: int | None = None, retries: int = 4) -> None:
    reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
    await with_retries(lambda: bot.send_message(chat_id, text[:4096], reply_parameters=reply,
                                                link_preview_options=None), retries)


async def send_document(bot: Bot, chat_id: int, path: Path, caption: str, *, retries: int = 4) -> None:
    data = path.read_bytes()
    await with_retries(lambda: bot.send_document(chat_id, data, filename=path.name, caption=caption[:1024]),
                       retries)


def make_bot(settings: BotSettings, token: str) -> Bot:
    """A Bot for sending outside the running Application (notifications from other commands)."""
    request = HTTPXRequest(connection_pool_size=16, connect_timeout=10.0, read_timeout=20.0, write_timeout=20.0)
    return Bot(token, base_url=settings.api_base_url, base_file_url=settings.file_base_url, request=request)
