"""``grader bot``: run the Telegram bot, or send students their results through it.

    grader bot run                       serve the course's bot (long polling; webhook when configured)
    grader bot notify hwN [--student ID] each student's result of hwN (and feedback file), through the bot
    grader bot notify --report           each student's grade report, through the bot

``notify(course, assignment, students)`` does the sending for ``grader bot notify``: with an assignment, each
student's result of it; with ``assignment=None``, each student's grade report. Nothing else calls it: results
go out only when the instructor runs ``grader bot notify``.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from rich.console import Console

from grader.course import CourseFolder, open_course
from grader.errors import GraderError

console = Console()


def notify(course: CourseFolder, assignment: str | None = None, students: list[str] | None = None,
           out: Console | None = None) -> int:
    """Send each student their result of ``assignment`` (``grader feedback``), or with ``assignment=None`` their
    grade report (``grader report``); prints a summary; returns how many students got it."""
    from .notify import notify_reports, notify_results

    summary = notify_results(course, assignment, students) if assignment else notify_reports(course, students)
    what = f"results of {assignment}" if assignment else "grade reports"
    out = out or console
    out.print(f"{what} sent through the bot to {len(summary.sent)} students"
              + (f"; not registered with the bot: {', '.join(summary.not_registered)}" if summary.not_registered
                 else "")
              + (f"; not delivered: {', '.join(summary.failed)}" if summary.failed else ""))
    for student, reason in summary.failed.items():
        out.print(f"  {student}: {reason}")
    return len(summary.sent)


def cmd_bot_run(args: argparse.Namespace) -> int:
    from .run import run_bot

    run_bot(open_course(args.course), log_level=logging.DEBUG if args.verbose else logging.INFO)
    return 0


def cmd_bot_notify(args: argparse.Namespace) -> int:
    if bool(args.assignment) == bool(args.report):
        raise GraderError("name an assignment (grader bot notify hw3) or use --report, not both")
    notify(open_course(args.course), args.assignment, args.student)
    return 0


def cmd_bot_unlink(args: argparse.Namespace) -> int:
    from .unlink import unlink_and_tell

    report = unlink_and_tell(open_course(args.course), args.student)
    console.print(f"{args.student}: Telegram account {report.unlinked.telegram_id} unlinked; the student's code "
                  "works again (if it may have leaked: grader roster codes --student " + args.student + ")")
    console.print(f"told through the bot: {len(report.told)} account(s)"
                  + (f"; not delivered: {', '.join(map(str, report.failed))}" if report.failed else ""))
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bot", help="the Telegram bot: run it, or send students their results",
        description="The course's Telegram bot: students register with their one-time code, hand in GitHub "
        "links and see their results. The token comes from the TELEGRAM_BOT_TOKEN environment variable only; "
        "instructor ids and the webhook are set in nbgrader_config.py (c.BotSettings...). See docs/bot.md.")
    sub = p.add_subparsers(dest="bot_command", metavar="ACTION", parser_class=type(p))
    sub.required = True
    q = sub.add_parser("run", help="serve the bot until Ctrl-C (long polling; a webhook when "
                       "BotSettings.webhook_url is set)",
                       description="Serve the bot: answers /register, /submit, /project, /status, /deadlines and "
                       "the instructors' /stats and /broadcast. Every answered submission is stored before the "
                       "answer; stop it with Ctrl-C or SIGTERM (updates in progress are finished first).")
    q.add_argument("--verbose", action="store_true", help="debug logging (the token is still never logged)")
    q.set_defaults(func=cmd_bot_run)
    q = sub.add_parser("notify", help="send each student their result of an assignment (or their grade "
                       "report) through the bot",
                       description="Send every student who has a grading outcome for the assignment their score, "
                       "mark and lateness (and the feedback HTML as a file when 'grader feedback' made one), in "
                       "their language; with --report, each registered student's grade report instead. Students "
                       "not registered with the bot are listed.")
    q.add_argument("assignment", metavar="hwN", nargs="?", help="the assignment whose results to send")
    q.add_argument("--report", action="store_true", help="send each student their grade report")
    q.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    q.set_defaults(func=cmd_bot_notify)
    q = sub.add_parser("unlink", help="free the Telegram account linked to a student (a code typed from the "
                       "wrong account); the bot tells both accounts",
                       description="Delete the link between a student and their Telegram account; the student's "
                       "code works again. The bot tells the account that was linked, and every account that tried "
                       "the student's code in vain, what happened. Needs TELEGRAM_BOT_TOKEN.")
    q.add_argument("student", metavar="ID")
    q.set_defaults(func=cmd_bot_unlink)
