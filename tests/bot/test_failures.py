"""GitHub, the database or Telegram failing: the student gets "try again", the log gets a line, and the bot goes
on serving. (The last test leaves GitHub's rate-limit gate closed, so it stays last.)"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from .conftest import World

TRY_AGAIN = "Повторите через минуту"


def test_github_server_errors_get_try_again_and_a_log_line(world: World, caplog: pytest.LogCaptureFixture) -> None:
    user = world.registered("s001")
    link = world.repo("s001")
    world.gh.fail(502, times=10, path="/repos/s001-gh/dl")
    with caplog.at_level(logging.ERROR, logger="grader.bot"):
        assert TRY_AGAIN in user.ask(f"/submit tiny {link}")
    assert "ServerError" in caplog.text and "s001-gh/dl" in caplog.text
    world.gh.clear_failures()
    assert "Принято" in user.ask(f"/submit tiny {link}")


def test_github_refusing_the_token_gets_try_again_and_a_log_line(world: World,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    user = world.registered("s002")
    link = world.repo("s002")
    world.gh.fail(401, times=5)
    with caplog.at_level(logging.ERROR, logger="grader.bot"):
        assert TRY_AGAIN in user.ask(f"/submit tiny {link}")
    world.gh.clear_failures()
    assert "BadCredentialsError" in caplog.text and "fake-token" not in caplog.text


def test_a_database_failure_gets_try_again_and_a_log_line(world: World, caplog: pytest.LogCaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    user = world.registered("s003")

    @contextlib.contextmanager
    def broken(url: str) -> Iterator[None]:
        raise OperationalError("SELECT", {}, Exception("database is locked"))
        yield

    monkeypatch.setattr("grader.bot.service.session_scope", broken)
    with caplog.at_level(logging.ERROR, logger="grader.bot"):
        answer = user.ask("/status")
    assert TRY_AGAIN in answer and "locked" not in answer
    assert "OperationalError" in caplog.text
    monkeypatch.undo()
    assert "Студент s003" in user.ask("/status")


def test_telegrams_429_retry_after_is_waited_out(world: World) -> None:
    user = world.tg.user(7001, "Patient")
    world.tg.fail("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    assert "Я бот курса" in user.ask("/help")
    assert time.monotonic() - started >= 1.0
    assert len(user.replies()) == 1


def test_polling_survives_telegram_errors_and_flood_control(world: World) -> None:
    user = world.tg.user(7002, "Poller")
    world.tg.fail("getUpdates", 502)
    world.tg.fail("getUpdates", 429, retry_after=1)
    assert "Я бот курса" in user.ask("/help", timeout=15)


def test_a_user_who_blocked_the_bot_does_not_stop_it(world: World) -> None:
    blocked, other = world.tg.user(7003, "Gone"), world.tg.user(7004, "Here")
    world.tg.block(blocked.id)
    blocked.send("/help")
    assert "Я бот курса" in other.ask("/help")
    assert blocked.replies() == []


def test_github_rate_limit_gets_try_again_in_minutes(world: World) -> None:
    user = world.registered("s004")
    link = world.repo("s004")
    world.gh.fail(429, retry_after=90, times=1)
    answer = user.ask(f"/submit tiny {link}")
    assert "GitHub сейчас перегружен" in answer and "2 мин" in answer
