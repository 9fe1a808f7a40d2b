"""Releasing a class's results at once stays within Telegram's limits: the outbox, through the real Bot, against
the fake Bot API with flood control on (more than 30 messages a second, or two to one chat within a second, are
refused with 429)."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from fakes.telegram_api import FakeTelegram

from grader.autograde.visible import VisibleReport, VisibleTest
from grader.bot.boundary import make_bot, send_text
from grader.bot.config import bot_settings
from grader.course import open_course
from grader.outbox import Pacer, deliver
from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Registration, Submission, VisibleCheck

TINY = Path(__file__).resolve().parents[1] / "files" / "tiny"
STUDENTS = 90
TWICE = 15  # students owed two messages (two submissions checked): the second must wait its second


def owe(root: Path, tg: FakeTelegram) -> None:
    shutil.copytree(TINY, root)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(f"\nc.BotSettings.api_base_url = {tg.base_url!r}\nc.BotSettings.file_base_url = "
                     f"{tg.file_base_url!r}\n")
    course = open_course(root)
    now = datetime.now(UTC)
    report = VisibleReport("tiny", "x", "graded", (VisibleTest("test_add", "passed"),))
    with session_scope(course.database_url) as session:
        for index in range(STUDENTS):
            student = f"s{index:03d}"
            tg.known_chats.add(7000 + index)  # the student wrote to the bot once
            session.add(Registration(student_id=student, telegram_id=7000 + index, github_login=student,
                                     language="ru", registered_at=now))
            for copy in range(2 if index < TWICE else 1):
                row = Submission(student_id=student, assignment="tiny", repo_url="https://github.com/x/y",
                                 repo_full_name="x/y", commit_sha=f"{index:04d}{copy}", received_at=now,
                                 active=copy == 0, status="collected")
                session.add(row)
                session.flush()
                session.add(VisibleCheck(submission_id=row.id, status="graded", tests=report.to_json(), checked_at=now))
                session.add(OutboxMessage(submission_id=row.id, student_id=student, assignment="tiny", state="checked",
                                          created_at=now))


def test_a_burst_of_owed_messages_is_sent_whole_without_tripping_flood_control(tmp_path: Path) -> None:
    with FakeTelegram(flood_control=True) as tg:
        owe(tmp_path / "course", tg)
        course = open_course(tmp_path / "course")
        bot = make_bot(bot_settings(course.config), tg.token)

        async def drain() -> int:  # as the bot drains it: every few seconds, at most 100 a time, one pacer
            pacer, total = Pacer(), 0
            async with bot:
                while sent := await deliver(course, lambda chat, text: send_text(bot, chat, text, retries=0),
                                            pacer=pacer):
                    total += sent
            return total

        started = time.monotonic()
        sent = asyncio.run(drain())
        seconds = time.monotonic() - started
    total = STUDENTS + TWICE
    assert sent == total and len(tg.sent) == total
    assert tg.flood_refusals == 0
    assert seconds >= (total - 1) / 30  # never faster than Telegram allows
    with session_scope(course.database_url) as session:
        assert all(row.sent_at is not None for row in session.query(OutboxMessage))
