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
    assert bob == ["tiny: grading stopped: the notebook ran out of time; the cells that ran count. Fix it and "
                   "submit again before the deadline."]  # a code worded in the student's language, what to do


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


def test_a_failed_collection_reaches_the_student_with_what_to_do(graded: World) -> None:
    from sqlalchemy import select

    from grader import lifecycle
    from grader.store.models import Submission

    world = graded
    user = world.registered("s030")
    assert "Принято" in user.ask(f"/submit tiny {world.repo('s030')}")
    with session_scope(world.course.database_url) as session:
        row = session.scalar(select(Submission).where(Submission.student_id == "s030", Submission.active.is_(True)))
        assert row is not None
        row.status, row.reason = "failed", "tiny.ipynb is not valid JSON"
        lifecycle.record(session, row.id, "fetch_failed", "notebook_not_json", {"path": "tiny.ipynb"})
    expected = ("tiny: не удалось взять вашу сдачу из GitHub: tiny.ipynb — не тетрадь Jupyter (не читается как "
                "JSON). Исправьте и сдайте заново до дедлайна.")
    assert user.wait_reply().text == expected  # at once, from the outbox the failure wrote (grader.outbox)
    summary = notify_results(world.course, "tiny", token=world.tg.token, students=["s030"])
    assert summary.sent == ["s030"]
    told = [s.text for s in user.replies() if s.reply_to is None]
    assert told == [expected, expected]  # notify says the very same
