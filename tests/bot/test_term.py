"""Running a term through the bot: deadline reminders (once, even across a restart; /mute), and appeals
(/appeal, ``grader appeals list|answer``, the report's "needs attention", the answer back to the student)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.github_api import TOKEN as GITHUB_TOKEN
from fakes.github_api import FakeGitHub
from fakes.telegram_api import FakeTelegram
from sqlalchemy import select

from grader.bot.config import bot_settings
from grader.bot.reminders import claim, due_reminders, set_muted
from grader.bot.run import github_for_bot
from grader.cli import main
from grader.extensions import grant
from grader.report.build import build_report
from grader.store.db import session_scope
from grader.store.models import Registration, Submission
from grader.store.term import ReminderSent

from .conftest import BotThread, World, make_course

REMINDING = "c.Reminders.enabled = True\nc.Reminders.check_every = 0.2\n"


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory, class_template: Path) -> Iterator[World]:
    root = tmp_path_factory.mktemp("term")
    with FakeTelegram() as tg, FakeGitHub(root / "github") as gh:
        course, codes = make_course(class_template, root / "course", tg, gh, REMINDING)
        github = github_for_bot(course, bot_settings(course.config), token=GITHUB_TOKEN)
        world = World(course, tg, gh, codes, github, BotThread(course, tg.token, github).start())
        try:
            yield world
        finally:
            assert world.bot is not None
            world.bot.stop()


def reminders_to(world: World, student: str) -> list[str]:
    return [s.text for s in world.users[student].replies() if s.text.startswith("Напоминание")]


def test_a_student_who_has_not_submitted_is_reminded_once_even_across_a_restart(term: World) -> None:
    user = term.registered("s070")
    assert user.wait_reply().text.startswith("Напоминание")
    time.sleep(0.8)  # several more looks at the deadlines
    texts = reminders_to(term, "s070")
    assert len(texts) == 1 and "hw2" in texts[0] and "/mute" in texts[0]  # hw2 is due within 24 h; tiny in 7 days
    assert term.bot is not None
    term.bot.stop()
    term.bot = BotThread(term.course, term.tg.token, term.github).start()
    assert "Я бот курса" in user.ask("/help")
    time.sleep(0.8)
    assert len(reminders_to(term, "s070")) == 1
    assert "отключены" in user.ask("/mute") and "включены" in user.ask("/unmute")


def test_who_is_reminded_muted_submitted_removed_and_extended(term: World) -> None:
    course = term.course
    now = datetime.now(UTC)
    # s080's own deadline 30 h away, granted before s080 registers: outside the running bot's 24 h window (its
    # reminder loop must not take the reminder first), inside the window seen from 'later', 7 h on
    zone = course.settings.timezone
    grant(course, "hw2", "s080", (now + timedelta(hours=30)).astimezone(zone).strftime("%Y-%m-%d %H:%M"), "exam")
    with session_scope(course.database_url) as session:
        for index, student in enumerate(("s080", "s081", "s082", "s083")):
            session.add(Registration(student_id=student, telegram_id=880000 + index, github_login=student,
                                     language="ru", registered_at=now))
        session.add(Submission(student_id="s081", assignment="hw2", repo_url="u", repo_full_name="a/b",
                               commit_sha="0" * 40, received_at=now, active=True))
    set_muted(course, "s082", True)
    assert main(["--course", str(course.root), "roster", "remove", "s083"]) == 0
    later = now + timedelta(hours=7)
    due = [(r.student, r.assignment) for r in due_reminders(course, later, timedelta(hours=24))
           if r.student.startswith("s08")]
    assert due == [("s080", "hw2")]
    assert claim(course, due_reminders(course, later, timedelta(hours=24))[0]) in (True, False)
    for reminder in due_reminders(course, later, timedelta(hours=24)):
        claim(course, reminder)
    assert not [r for r in due_reminders(course, later, timedelta(hours=24)) if r.student == "s080"]
    extended = (now + timedelta(hours=28)).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    grant(course, "hw2", "s080", extended, "a new deadline is a new reminder")
    assert [(r.student, r.assignment) for r in due_reminders(course, later, timedelta(hours=24))
            if r.student == "s080"] == [("s080", "hw2")]
    with session_scope(course.database_url) as session:
        assert len(list(session.scalars(select(ReminderSent).where(ReminderSent.student_id == "s080")))) == 1


def test_an_appeal_is_listed_answered_and_the_answer_reaches_the_student(term: World,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    set_muted(term.course, "s090", True)  # no reminder in the middle of this conversation
    user = term.registered("s090")
    assert "Так: /appeal" in user.ask("/appeal hw1")
    assert "Сначала зарегистрируйтесь" in term.user("s091").ask("/appeal hw1 please")
    assert "Задания «hw42» нет" in user.ask("/appeal hw42 please")
    answer = user.ask("/appeal hw1 Тест 3 упал из-за seed, а у меня всё совпадает")
    assert "Апелляция №" in answer and "hw1" in answer
    appeal_id = int(answer.split("№")[1].split()[0])
    root = str(term.course.root)
    assert main(["--course", root, "appeals", "list"]) == 0
    assert f"#{appeal_id} s090 hw1" in capsys.readouterr().out
    report = build_report(term.course)
    assert [a.student for a in report.attention if a.kind == "appeal"] == ["s090"]
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["--course", root, "appeals", "answer", str(appeal_id), "Пересчитали: +2 балла"]) == 0
    assert "not sent through the bot" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", term.tg.token)
    assert main(["--course", root, "appeals", "send"]) == 0
    assert "answers sent through the bot: 1" in capsys.readouterr().out
    told = user.wait_reply().text
    assert f"Ответ на апелляцию №{appeal_id} по hw1" in told and "+2 балла" in told
    assert main(["--course", root, "appeals", "send"]) == 0
    assert "answers sent through the bot: 0" in capsys.readouterr().out  # each answer once
    assert not [a for a in build_report(term.course).attention if a.kind == "appeal"]
    assert main(["--course", root, "appeals", "answer", "999", "x"]) == 1
    assert "no appeal #999" in capsys.readouterr().err
    for verb in (["appeals", "list"], ["appeals", "answer"], ["appeals", "send"]):
        with pytest.raises(SystemExit) as info:
            main([*verb, "--help"])
        assert info.value.code == 0
