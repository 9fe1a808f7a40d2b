"""The bot: a python-telegram-bot ``Application`` wired in one place, and the two ways updates reach it.

Stages when it starts, in order: settings and token → GitHub boundary → the Application (handlers, error
handler, ordered concurrent processing) → updates by long polling (default) or by webhook → graceful stop on
SIGINT/SIGTERM (updates already fetched are finished, then confirmed to Telegram).

Long polling is at-least-once: the offset sent to Telegram confirms only updates whose processing finished, so
an update fetched when the process dies is delivered again after a restart. A redelivered ``/submit`` finds its
submission by ``source_key`` ("tg:<update_id>") and answers again without storing it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, CommandHandler, MessageHandler, TypeHandler, filters
from telegram.warnings import PTBUserWarning

from grader.course import CourseFolder
from grader.outbox import Pacer, deliver

from . import handlers, term_commands
from .boundary import retry_seconds, send_text, translate
from .config import WEBHOOK_SECRET_VARIABLE, BotSettings
from .reminders import reminders_running
from .runtime import Deps, OrderedProcessor, RateLimiter, Tracker
from .service import GitHubPort

log = logging.getLogger("grader.bot")
# getUpdates is read as JSON on purpose (see _next_batch); python-telegram-bot warns that it has a method for it
warnings.filterwarnings("ignore", message="Please use 'Bot.getUpdates'", category=PTBUserWarning)
UPDATE_TIMEOUT = 300.0
COMMANDS = {
    "start": handlers.cmd_help, "help": handlers.cmd_help, "register": handlers.cmd_register,
    "submit": handlers.cmd_submit, "project": handlers.cmd_project, "status": handlers.cmd_status,
    "deadlines": handlers.cmd_deadlines, "stats": handlers.cmd_stats, "broadcast": handlers.cmd_broadcast,
    "queue": handlers.cmd_queue,
    "appeal": term_commands.cmd_appeal, "mute": term_commands.cmd_mute, "unmute": term_commands.cmd_unmute,
}


def make_deps(course: CourseFolder, settings: BotSettings, github: GitHubPort, *, hosts: tuple[str, ...],
              instructor_login: str = "") -> Deps:
    return Deps(course=course, settings=settings, github=github, hosts=hosts, instructor_login=instructor_login,
                executor=ThreadPoolExecutor(settings.workers, "grader-bot"),
                github_pool=ThreadPoolExecutor(settings.github_workers, "grader-bot-github"),
                limiter=RateLimiter(settings.rate_limit_messages, settings.rate_limit_per_minute))


def build_application(deps: Deps, token: str, *, webhook: bool = False) -> Application:
    """The whole wiring: the gate, one handler per command, the fallbacks, and the one error handler."""
    settings = deps.settings
    tracker = Tracker()
    builder = (ApplicationBuilder().token(token).base_url(settings.api_base_url)
               .base_file_url(settings.file_base_url)
               .concurrent_updates(OrderedProcessor(settings.max_concurrent_updates, tracker, UPDATE_TIMEOUT,
                                                    handlers.on_timeout))
               .connection_pool_size(settings.telegram_connections).pool_timeout(30.0)
               .connect_timeout(10.0).read_timeout(20.0).write_timeout(20.0)
               .get_updates_read_timeout(settings.poll_timeout + 10.0)
               .job_queue(None))
    if not webhook:
        builder = builder.updater(None)  # our own at-least-once long polling, below
    app = builder.build()
    app.bot_data["deps"] = deps
    app.bot_data["tracker"] = tracker

    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    for name, callback in COMMANDS.items():
        app.add_handler(CommandHandler(name, callback, filters=private))
    app.add_handler(MessageHandler(private & filters.COMMAND, handlers.on_unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, handlers.on_text))
    app.add_handler(MessageHandler(private, handlers.on_not_text))
    app.add_error_handler(handlers.on_error)
    return app


async def _next_batch(app: Application, offset: int | None, timeout: int,
                      stop: asyncio.Event) -> list[dict[str, Any]]:
    """getUpdates' answer as JSON: updates still in flight come back in every answer (their offset is not
    confirmed yet), so only the ones not seen before are turned into ``Update`` objects, by the caller."""
    api_kwargs: dict[str, Any] = {"timeout": timeout, "allowed_updates": ["message"]}
    if offset is not None:
        api_kwargs["offset"] = offset
    fetch = asyncio.ensure_future(app.bot.do_api_request("getUpdates", api_kwargs=api_kwargs))
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if not fetch.done():
        fetch.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await fetch
        return []
    stopped.cancel()
    answer = fetch.result()
    if not isinstance(answer, list):
        raise TypeError(f"getUpdates answered {type(answer).__name__}, not a list")
    return answer


def _fresh(app: Application, tracker: Tracker, answer: list[dict[str, Any]]) -> list[Update]:
    fresh = []
    for data in answer:
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            log.error("getUpdates returned an update without an id; skipped: %.200r", data)
            continue
        if tracker.fetched(update_id):
            try:
                fresh.append(Update.de_json(data, app.bot))
            except Exception as exc:  # one unreadable update must not stop the others
                tracker.done(update_id)
                log.error("update %s could not be read (%s: %s); skipped", update_id, type(exc).__name__, exc)
    return fresh


async def poll(app: Application, stop: asyncio.Event) -> None:
    """Fetch updates until ``stop`` is set; each one is queued once; the offset confirms only finished ones."""
    tracker: Tracker = app.bot_data["tracker"]
    timeout = app.bot_data["deps"].settings.poll_timeout
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await _next_batch(app, tracker.offset, timeout, stop)
        except RetryAfter as exc:
            log.warning("getUpdates: Telegram asks to wait %.0f s", retry_seconds(exc))
            await asyncio.sleep(retry_seconds(exc))
            continue
        except InvalidToken as exc:
            raise translate(exc) from exc
        except TelegramError as exc:
            log.warning("getUpdates failed (%s); retrying in %.0f s", translate(exc), backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        except Exception as exc:  # an answer python-telegram-bot could not read: keep polling, say so
            log.error("getUpdates returned data that could not be read (%s: %s); retrying in %.0f s",
                      type(exc).__name__, exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        for update in _fresh(app, tracker, updates):
            await app.update_queue.put(update)
        if updates:  # what came back stays in flight a while: fetch again once half of it has finished
            await tracker.wait_progress(max(1, len(updates) // 2), 0.5)


async def drain_outbox(app: Application, stop: asyncio.Event) -> None:
    """Every ``BotSettings.outbox_interval`` seconds, send what ``grader.outbox`` owes students."""
    deps: Deps = app.bot_data["deps"]

    async def send(chat_id: int, text: str) -> None:
        await send_text(app.bot, chat_id, text, retries=deps.settings.send_retries)

    pacer = Pacer()  # Telegram's limits hold across drains
    while not stop.is_set():
        try:
            await deliver(deps.course, send, run=deps.run, pacer=pacer)
        except Exception:  # noqa: BLE001 (the outbox waits for the next look; the bot goes on)
            log.exception("the outbox could not be delivered; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), deps.settings.outbox_interval)


async def serve(app: Application, stop: asyncio.Event, *, webhook: BotSettings | None = None) -> None:
    """Run the Application until ``stop`` is set: long polling, or the webhook when settings are given; the
    outbox is drained and deadline reminders go out meanwhile (``drain_outbox``, ``reminders.py``)."""
    outbox = asyncio.create_task(drain_outbox(app, stop))
    try:
        await _serve(app, stop, webhook=webhook)
    finally:
        outbox.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await outbox


async def _serve(app: Application, stop: asyncio.Event, *, webhook: BotSettings | None = None) -> None:
    async with app, reminders_running(app):
        if webhook is None:
            await app.bot.delete_webhook(drop_pending_updates=False)
            await app.start()
            log.info("bot @%s is polling for updates", app.bot.username)
            try:
                await poll(app, stop)
            finally:
                await app.stop()
                tracker: Tracker = app.bot_data["tracker"]
                if tracker.offset is not None:  # confirm what was processed, so a restart does not repeat it
                    with contextlib.suppress(TelegramError):
                        await app.bot.get_updates(offset=tracker.offset, timeout=0)
            return
        assert app.updater is not None
        url_path = webhook.webhook_url.split("://", 1)[-1].partition("/")[2]
        await app.updater.start_webhook(listen=webhook.webhook_listen, port=webhook.webhook_port, url_path=url_path,
                                        webhook_url=webhook.webhook_url,
                                        secret_token=os.environ.get(WEBHOOK_SECRET_VARIABLE) or None)
        await app.start()
        log.info("bot @%s is receiving updates at its webhook", app.bot.username)
        try:
            await stop.wait()
        finally:
            await app.updater.stop()
            await app.stop()
