"""An answered submission is never lost and never stored twice: a redelivered update, and ``grader bot run``
killed with SIGKILL in the middle of a burst, then started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.github_api import TOKEN as GITHUB_TOKEN
from fakes.github_api import FakeGitHub
from fakes.telegram_api import FakeTelegram
from sqlalchemy import select

from grader.bot.config import bot_settings
from grader.bot.run import github_for_bot
from grader.bot.service import register
from grader.course import CourseFolder
from grader.store.db import session_scope
from grader.store.models import Submission

from .conftest import BotThread, make_course, repo_files

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[FakeTelegram, FakeGitHub]]:
    with FakeTelegram() as tg, FakeGitHub(tmp_path / "github") as gh:
        yield tg, gh


def rows_by_key(course: CourseFolder) -> dict[str, list[Submission]]:
    out: dict[str, list[Submission]] = {}
    with session_scope(course.database_url) as session:
        for row in session.scalars(select(Submission)):
            out.setdefault(row.source_key or "", []).append(row)
    return out


def test_a_redelivered_update_is_answered_again_and_stored_once(class_template: Path, tmp_path: Path,
                                                                  servers: tuple[FakeTelegram, FakeGitHub]) -> None:
    tg, gh = servers
    course, codes = make_course(class_template, tmp_path / "course", tg, gh)
    gh.add_repo("s001-gh/dl", repo_files())
    register(course, 42, codes["s001"], "s001-gh", "ru")
    user = tg.user(42, "Anna")
    github = github_for_bot(course, bot_settings(course.config), token=GITHUB_TOKEN)
    bot = BotThread(course, tg.token, github).start()
    update_id = user.send("/submit tiny https://github.com/s001-gh/dl")
    first = user.wait_reply().text
    bot.stop()
    tg.redeliver(update_id)  # Telegram never got the confirmation
    bot = BotThread(course, tg.token, github).start()
    again = user.wait_reply().text
    bot.stop()
    assert "Принято" in first and again == first
    assert len(rows_by_key(course)[f"tg:{update_id}"]) == 1


def start_bot(course: CourseFolder, tg: FakeTelegram, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": tg.token, "GITHUB_TOKEN": GITHUB_TOKEN, "PYTHONPATH": str(REPO)}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "grader.cli", "--course", str(course.root), "bot", "run",
                                 "--verbose"], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)


def test_killed_mid_burst_and_restarted_every_answered_submission_is_stored_once(
        class_template: Path, tmp_path: Path, servers: tuple[FakeTelegram, FakeGitHub]) -> None:
    tg, gh = servers
    course, codes = make_course(class_template, tmp_path / "course", tg, gh)
    students = [f"s{i:03d}" for i in range(1, 21)]
    users = {}
    for index, student in enumerate(students):
        gh.add_repo(f"{student}-gh/dl", repo_files())
        register(course, 100 + index, codes[student], f"{student}-gh", "ru")
        users[student] = tg.user(100 + index, student)
    gh.latency = 0.03  # slow enough for the kill to land in the middle
    log = tmp_path / "bot.log"
    bot = start_bot(course, tg, log)
    try:
        burst = [(users[s], f"/submit {hw} https://github.com/{s}-gh/dl") for hw in ("tiny", "hw2", "tiny")
                 for s in students]
        ids = tg.enqueue_many(burst)
        tg.wait_for(lambda: sum(1 for s in tg.sent if s.reply_to) >= 12, 60, "a dozen answers")
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=10)
        answered_before = {s.reply_to for s in list(tg.sent) if s.reply_to}
        assert len(answered_before) < len(ids), "the burst finished before the kill: nothing was tested"
        bot = start_bot(course, tg, log)
        messages = {tg.message_of_update[u] for u in ids}
        tg.wait_for(lambda: messages <= {s.reply_to for s in tg.sent}, 90, "an answer to every update")
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=30)
    stored = rows_by_key(course)
    assert {f"tg:{u}" for u in ids} == set(stored)  # every update stored ...
    assert all(len(rows) == 1 for rows in stored.values())  # ... once
    for update_id in ids:  # every answer before the kill was backed by a stored row
        if tg.message_of_update[update_id] in answered_before:
            assert stored[f"tg:{update_id}"][0].commit_sha
    with session_scope(course.database_url) as session:
        active = [(r.student_id, r.assignment) for r in session.scalars(select(Submission).where(
            Submission.active.is_(True)))]
    assert len(active) == len(set(active)) == 2 * len(students)
    text = log.read_text()
    assert tg.token not in text and tg.token.split(":")[1] not in text  # the token never reaches a log
    assert "polling for updates" in text
