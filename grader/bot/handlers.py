"""One async handler per command, plus the gate every update passes first and the one error handler.

Each handler parses its arguments, calls one service function in the worker pool, and answers. Refusals and
failures are raised and answered by ``on_error``: a refusal with its specific text, a GitHub or database
failure with "try again in a minute" and a log line, never a traceback to the student.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from grader.enrolment import record_attempt
from grader.errors import ExternalServiceError, GraderError

from . import answers, projects, queries, service
from .boundary import send_text
from .open_work import deadlines_text, open_assignments
from .runtime import Deps
from .service import Refused
from .texts import language_of, say

log = logging.getLogger("grader.bot")
Context = ContextTypes.DEFAULT_TYPE


def deps_of(context: Context) -> Deps:
    deps: Deps = context.application.bot_data["deps"]
    return deps


def lang_of(update: Update) -> str:
    return language_of(update.effective_user.language_code if update.effective_user else None)


async def answer(update: Update, context: Context, text: str) -> None:
    """Reply to the update's message; Telegram's 429 is waited out; a message that cannot be delivered is
    logged, never retried through the error handler."""
    message = update.effective_message
    if message is None:
        return
    try:
        await send_text(context.bot, message.chat_id, text, reply_to=message.message_id,
                        retries=deps_of(context).settings.send_retries)
    except ExternalServiceError as exc:
        log.warning("update %s: answer not delivered: %s", update.update_id, exc)


async def _student(update: Update, context: Context) -> service.Student:
    deps = deps_of(context)
    return await deps.run(service.require_student, deps.course, update.effective_user.id)  # type: ignore[union-attr]


# -- the gate: every update, before any command ---------------------------------------------------------------
async def gate(update: Update, context: Context) -> None:
    """Group chats, edits, floods and absurdly long messages stop here, each with its answer (or silence)."""
    deps, lang, message = deps_of(context), lang_of(update), update.message
    if message is None or update.effective_user is None:  # edits, channel posts, anything not a new message
        raise ApplicationHandlerStop
    allowed, wait, tell = deps.limiter.check(update.effective_user.id)
    if not allowed:
        if tell:
            await answer(update, context, say(lang, "slow_down", seconds=max(1, round(wait))))
        raise ApplicationHandlerStop
    if message.chat.type != "private":
        if (message.text or "").startswith("/"):
            await answer(update, context, say(lang, "group_chat"))
        raise ApplicationHandlerStop
    if len(message.text or message.caption or "") > deps.settings.max_message_length:
        await answer(update, context, say(lang, "too_long", limit=deps.settings.max_message_length))
        raise ApplicationHandlerStop


# -- student commands -----------------------------------------------------------------------------------------
async def cmd_help(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    text = say(lang, "help", course=deps.course.settings.course_name, telegram_id=update.effective_user.id)  # type: ignore[union-attr]
    if update.effective_user.id in deps.settings.instructor_ids:  # type: ignore[union-attr]
        text += say(lang, "help_instructor")
    await answer(update, context, text)


async def cmd_register(update: Update, context: Context) -> None:
    deps, lang, args = deps_of(context), lang_of(update), context.args or []
    if len(args) != 2:
        await answer(update, context, say(lang, "usage_register"))
        return
    try:
        result = await deps.run(service.register, deps.course, update.effective_user.id, args[0], args[1], lang)  # type: ignore[union-attr]
    except Refused as refused:  # who tried whose code: 'grader bot unlink' tells them when it is free again
        if refused.reason in ("code_used", "account_taken"):
            await deps.run(record_attempt, deps.course, update.effective_user.id, args[0], refused.reason)  # type: ignore[union-attr]
        raise
    key = "registered" if result.status == "registered" else "login_updated"
    await answer(update, context, say(lang, key, student=result.student_id, login=result.github_login,
                                      first=deps.course.settings.assignments[0]))


async def cmd_submit(update: Update, context: Context) -> None:
    deps, lang, args = deps_of(context), lang_of(update), context.args or []
    if len(args) != 2:
        await answer(update, context, say(lang, "usage_submit"))
        return
    received = update.message.date if update.message else datetime.now(UTC)
    result = await deps.submit(service.SubmitRequest(update.effective_user.id, args[0], args[1], received,  # type: ignore[union-attr]
                                                     source_key=f"tg:{update.update_id}"))
    await answer(update, context, answers.submitted(lang, result, deps.course.settings.timezone))


async def cmd_project(update: Update, context: Context) -> None:
    deps, lang, args = deps_of(context), lang_of(update), context.args or []
    if len(args) not in (1, 2):
        await answer(update, context, say(lang, "usage_project"))
        return
    student = await _student(update, context)
    partner = args[1] if len(args) == 2 else None
    state = await deps.run(projects.register_project, deps.course, deps.github, student, args[0], partner,
                           hosts=deps.hosts, instructor=deps.instructor_login)
    await answer(update, context, answers.project(lang, state))
    if state.state == "waiting" and state.partner_telegram_id is not None:
        partner_student = await deps.run(service.student_of, deps.course, state.partner_telegram_id)
        partner_lang = partner_student.language if partner_student else lang
        text = say(partner_lang, "project_invite", student=student.student_id, repo=state.repo_full_name,
                   link=state.repo_url)
        await _notify(context, state.partner_telegram_id, text)
    elif state.state == "confirmed" and state.partner_telegram_id is not None:
        await _notify(context, state.partner_telegram_id, answers.project(lang, state))


async def _notify(context: Context, chat_id: int, text: str) -> None:
    try:
        await send_text(context.bot, chat_id, text, retries=deps_of(context).settings.send_retries)
    except ExternalServiceError as exc:
        log.warning("message to %s not delivered: %s", chat_id, exc)


async def cmd_status(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    student = await _student(update, context)
    report = await deps.run(queries.student_status, deps.course, student)
    await answer(update, context, answers.status(lang, report, deps.course.settings.timezone))


async def cmd_deadlines(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    student = await deps.run(service.student_of, deps.course, update.effective_user.id)  # type: ignore[union-attr]
    items = await deps.run(open_assignments, deps.course, student.student_id if student else None)
    await answer(update, context, deadlines_text(lang, items, deps.course.settings.timezone))


# -- instructor commands --------------------------------------------------------------------------------------
def _instructor(update: Update, context: Context) -> bool:
    return bool(update.effective_user and update.effective_user.id in deps_of(context).settings.instructor_ids)


async def cmd_stats(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    if not _instructor(update, context):
        await answer(update, context, say(lang, "instructor_only"))
        return
    registered, rows = await deps.run(queries.course_stats, deps.course)
    await answer(update, context, answers.stats(lang, registered, rows))


async def cmd_queue(update: Update, context: Context) -> None:
    """The instructor's view of ``grader serve``: queue, jobs in flight, workers, last failures."""
    from grader.serve.status import render, snapshot

    deps, lang = deps_of(context), lang_of(update)
    if not _instructor(update, context):
        await answer(update, context, say(lang, "instructor_only"))
        return
    await answer(update, context, render(await deps.run(snapshot, deps.course)))


async def cmd_broadcast(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    if not _instructor(update, context):
        await answer(update, context, say(lang, "instructor_only"))
        return
    text = (update.message.text or "").partition(" ")[2].strip() if update.message else ""
    if not text:
        await answer(update, context, say(lang, "usage_broadcast"))
        return
    students = await deps.run(queries.registered_students, deps.course)
    sent = failed = 0
    for student in students:
        try:
            await send_text(context.bot, student.telegram_id, say(student.language, "broadcast_head", text=text),
                            retries=deps.settings.send_retries)
            sent += 1
        except ExternalServiceError as exc:
            failed += 1
            log.warning("broadcast to %s not delivered: %s", student.student_id, exc)
    await answer(update, context, say(lang, "broadcast_done", sent=sent, failed=failed))


# -- everything else ------------------------------------------------------------------------------------------
async def on_unknown_command(update: Update, context: Context) -> None:
    command = (update.message.text or "/").split(maxsplit=1)[0].split("@")[0][:40] if update.message else "/"
    await answer(update, context, say(lang_of(update), "unknown_command", command=command))


async def on_text(update: Update, context: Context) -> None:
    await answer(update, context, say(lang_of(update), "plain_text"))


async def on_not_text(update: Update, context: Context) -> None:
    await answer(update, context, say(lang_of(update), "not_text"))


async def on_error(update: object, context: Context) -> None:
    """The one error handler: a refusal gets its text; anything else a polite 'try again' and a log line."""
    error = context.error
    if not isinstance(update, Update):
        log.error("error outside an update: %r", error, exc_info=error)
        return
    lang = lang_of(update)
    if isinstance(error, Refused):
        text = answers.refusal(lang, error, deps_of(context).course.settings.timezone)
    elif isinstance(error, GraderError | SQLAlchemyError):  # GitHub, Telegram, the database, the course
        log.error("update %s: %s: %s", update.update_id, type(error).__name__, error)
        text = say(lang, "try_again")
    else:
        log.error("update %s: unexpected %s", update.update_id, type(error).__name__, exc_info=error)
        text = say(lang, "try_again")
    await answer(update, context, text)


def on_timeout(update: object) -> None:
    log.error("update %s: abandoned after the time limit", getattr(update, "update_id", "?"))
