"""Results reach students through the bot: ``grader bot notify hwN`` (what ``grader feedback`` calls) sends each
registered student their score, mark and feedback file in their language; nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grader.bot.notify import notify_results
from grader.cli import main
from grader.store.db import session_scope
from grader.store.models import GradingResult

from .conftest import World, grade

FEEDBACK = "<html><body>tiny: 5 / 5</body></html>"


@pytest.fixture(scope="module")
def graded(world: World) -> World:
    for student, lang in (("s001", "ru"), ("s002", "en"), ("s004", "ru")):
        world.registered(student, language=lang)
    grade(world, "s001", "tiny", 5.0, 5.0)
    grade(world, "s003", "tiny", 2.0, 5.0)  # graded, never registered with the bot
    grade(world, "s004", "tiny", 3.0, 5.0)
    with session_scope(world.course.database_url) as session:
        session.merge(GradingResult(assignment="tiny", student="s002", status="timeout",
                                    reason="the notebook ran over 1800 s", graded_at=datetime.now(UTC)))
    folder = world.course.feedback("s001", "tiny")
    folder.mkdir(parents=True)
    (folder / "tiny.html").write_text(FEEDBACK, encoding="utf-8")
    return world


def test_each_student_gets_their_result_and_feedback_file_in_their_language(graded: World) -> None:
    world = graded
    world.tg.block(world.users["s004"].id)
    summary = notify_results(world.course, "tiny", token=world.tg.token)
    assert summary.sent == ["s001", "s002"] and summary.not_registered == ["s003"]
    assert list(summary.failed) == ["s004"] and "blocked" in summary.failed["s004"]
    anna = [s for s in world.users["s001"].replies() if s.reply_to is None]
    assert anna[0].text == "tiny проверено: 5/5 баллов, оценка 8 из 8."
    assert anna[1].method == "sendDocument" and anna[1].document_name == "tiny.html"
    assert anna[1].document == FEEDBACK.encode() and anna[1].text == "Отзыв по tiny"
    bob = [s.text for s in world.users["s002"].replies() if s.reply_to is None]
    assert bob == ["tiny: grading failed (timeout). Reason: the notebook ran over 1800 s"]


def test_grader_bot_notify_sends_through_the_cli_and_needs_the_token(graded: World,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    world = graded
    root = str(world.course.root)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["--course", root, "bot", "notify", "tiny"]) == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", world.tg.token)
    before = len(world.users["s001"].replies())
    assert main(["--course", root, "bot", "notify", "tiny", "--student", "s001"]) == 0
    assert "sent through the bot to 1 students" in capsys.readouterr().out
    assert len(world.users["s001"].replies()) == before + 2
    assert main(["--course", root, "bot", "notify"]) == 1
    assert main(["--course", root, "bot", "notify", "--report", "--student", "s001"]) == 0
    assert "s001" in world.users["s001"].replies()[-1].text
