"""The bot's commands for running a term: ``/appeal hwN TEXT`` (a regrade request, ``grader.appeals``) and
``/mute`` / ``/unmute`` (deadline reminders off and on, ``grader.bot.reminders``)."""

from __future__ import annotations

from telegram import Update

from grader.appeals import AppealError, file_appeal

from . import service
from .handlers import Context, _student, answer, deps_of, lang_of
from .reminders import set_muted
from .texts import say


async def cmd_appeal(update: Update, context: Context) -> None:
    deps, lang, args = deps_of(context), lang_of(update), context.args or []
    text = (update.message.text or "").split(maxsplit=2)[2:] if update.message else []
    if len(args) < 2 or not text:
        await answer(update, context, say(lang, "usage_appeal"))
        return
    student = await _student(update, context)
    assignment = service.assignment_name(deps.course, args[0])
    try:
        record = await deps.run(file_appeal, deps.course, student.student_id, assignment, text[0])
    except AppealError as exc:
        await answer(update, context, say(lang, exc.reason))
        return
    await answer(update, context, say(lang, "appeal_recorded", id=record.id, assignment=assignment))


async def cmd_mute(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    student = await _student(update, context)
    await deps.run(set_muted, deps.course, student.student_id, True)
    await answer(update, context, say(lang, "muted"))


async def cmd_unmute(update: Update, context: Context) -> None:
    deps, lang = deps_of(context), lang_of(update)
    student = await _student(update, context)
    await deps.run(set_muted, deps.course, student.student_id, False)
    await answer(update, context, say(lang, "unmuted"))
