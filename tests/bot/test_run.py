"""``grader bot``: its help, a missing token, and the webhook mode (Telegram POSTs updates to the bot)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.github_api import TOKEN as GITHUB_TOKEN
from fakes.github_api import FakeGitHub
from fakes.telegram_api import FakeTelegram

from grader.bot.config import bot_settings
from grader.bot.run import github_for_bot
from grader.cli import build_parser, main

from .conftest import BotThread, make_course


@pytest.mark.parametrize("command", [["bot"], ["bot", "run"], ["bot", "notify"]])
def test_every_bot_verb_explains_itself(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([*command, "--help"])
    assert info.value.code == 0
    assert len(capsys.readouterr().out.splitlines()) >= 3


def test_running_without_a_token_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["--course", str(tmp_path), "bot", "run"]) == 1
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN is not set" in err and "BotFather" in err


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[FakeTelegram, FakeGitHub]]:
    with FakeTelegram() as tg, FakeGitHub(tmp_path / "github") as gh:
        yield tg, gh


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_mode_answers_updates_telegram_posts_with_the_secret(
        class_template: Path, tmp_path: Path, servers: tuple[FakeTelegram, FakeGitHub],
        monkeypatch: pytest.MonkeyPatch) -> None:
    tg, gh = servers
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    course, _ = make_course(class_template, tmp_path / "course", tg, gh, extra=(
        f"c.BotSettings.webhook_url = {url!r}\nc.BotSettings.webhook_port = {port}"))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-value")
    github = github_for_bot(course, bot_settings(course.config), token=GITHUB_TOKEN)
    bot = BotThread(course, tg.token, github, webhook=True).start()
    try:
        user = tg.user(77, "Hooked", "en")
        assert "I am the bot of the course" in user.ask("/help", timeout=20)
        assert tg.webhook_url == url and tg.webhook_secret == "s3cret-value"
        # the answer can arrive before the webhook's POST returns and is counted: wait for the count
        waited = time.monotonic() + 10
        while tg.webhook_deliveries < 1 and time.monotonic() < waited:
            time.sleep(0.05)
        assert tg.webhook_deliveries >= 1 and not any(m == "getUpdates" for m, _ in tg.calls)
    finally:
        bot.stop()
