"""``grader extend``: a student's own deadline is what the bot measures lateness against and shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grader.cli import main

from .conftest import World


def test_an_extension_reopens_a_closed_assignment_for_that_student_only(world: World,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    lucky, other = world.registered("s061"), world.registered("s062")
    link = world.repo("s061")
    assert "hw3" not in lucky.ask("/deadlines")
    until = (datetime.now(UTC) + timedelta(days=3)).astimezone(world.course.settings.timezone)
    root = str(world.course.root)
    assert main(["--course", root, "extend", "hw3", "s061", "--until", until.strftime("%Y-%m-%d %H:%M"),
                 "--reason", "medical certificate"]) == 0
    assert "hw3 s061: deadline" in capsys.readouterr().out
    text = lucky.ask("/deadlines")
    assert "hw3:" in text and "продлён" in text
    assert "hw3" not in other.ask("/deadlines")
    assert "Вовремя" in lucky.ask(f"/submit hw3 {link}")
    assert "Приём hw3 закрыт" in other.ask(f"/submit hw3 {world.repo('s062')}")
    assert main(["--course", root, "extend", "--list"]) == 0
    assert "hw3 s061: until" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["extend", "hw9", "s001", "--until", "2026-10-01 23:59", "--reason", "x"], "unknown assignment 'hw9'"),
    (["extend", "hw1", "nobody", "--until", "2026-10-01 23:59", "--reason", "x"], "'nobody' is not on the roster"),
    (["extend", "hw1", "s001", "--until", "next friday", "--reason", "x"], "is not a date-time"),
    (["extend", "hw1", "s001", "--until", "2026-10-01 23:59"], "--reason is needed"),
    (["extend", "hw1", "s001"], "--until is needed"),
    (["extend", "hw1"], "name the assignment and the student"),
    (["extend", "--list", "hw1"], "--list takes no other argument"),
])
def test_extend_refuses_what_it_cannot_use(world: World, capsys: pytest.CaptureFixture[str], args: list[str],
                                           message: str) -> None:
    assert main(["--course", str(world.course.root), *args]) == 1
    assert message in capsys.readouterr().err


def test_extend_has_help() -> None:
    with pytest.raises(SystemExit) as info:
        main(["extend", "--help"])
    assert info.value.code == 0
