"""A code typed from the wrong Telegram account: ``grader bot unlink`` frees the account, the bot tells both
accounts, and each student then registers with their own code."""

from __future__ import annotations

import pytest

from grader.cli import main
from grader.store.db import session_scope
from grader.store.models import Registration

from .conftest import World


def test_unlink_frees_the_wrong_account_and_tells_both(world: World, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    owner, other = world.user("s040"), world.user("s041")
    assert "s040" in other.ask(f"/register {world.codes['s040']} s041-gh")  # the mistake
    assert "уже использован" in owner.ask(f"/register {world.codes['s040']} s040-gh")
    assert "уже привязан к студенту s040" in other.ask(f"/register {world.codes['s041']} s041-gh")
    root = str(world.course.root)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["--course", root, "bot", "unlink", "s040"]) == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err
    with session_scope(world.course.database_url) as session:
        assert session.get(Registration, "s040") is not None  # without a token nothing changed
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", world.tg.token)
    assert main(["--course", root, "bot", "unlink", "s040"]) == 0
    assert "told through the bot: 2 account(s)" in capsys.readouterr().out
    assert "отвязал этот аккаунт Telegram от студента s040" in other.wait_reply().text
    assert "освободил код студента s040" in owner.wait_reply().text
    assert "s041" in other.ask(f"/register {world.codes['s041']} s041-gh")
    assert "s040" in owner.ask(f"/register {world.codes['s040']} s040-gh")
    with session_scope(world.course.database_url) as session:
        assert session.get(Registration, "s040").telegram_id == owner.id  # type: ignore[union-attr]
        assert session.get(Registration, "s041").telegram_id == other.id  # type: ignore[union-attr]


def test_unlink_refuses_a_student_without_an_account_or_not_on_the_roster(world: World,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", world.tg.token)
    root = str(world.course.root)
    assert main(["--course", root, "bot", "unlink", "s042"]) == 1
    assert "s042 has no Telegram account linked" in capsys.readouterr().err
    assert main(["--course", root, "bot", "unlink", "nobody"]) == 1
    assert "'nobody' is not on the roster" in capsys.readouterr().err
