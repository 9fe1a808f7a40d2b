"""Bad input never crashes the bot and never leaks internals: each gets its specific answer (or, in a group or
for an edit, deliberate silence), and the bot answers the next update as usual."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import World

LEAKS = ("Traceback", "Error", "Exception", "sqlalchemy", "grader.", "/work/", "None")


def assert_clean(text: str) -> None:
    for word in LEAKS:
        assert word not in text, f"internal detail {word!r} leaked into: {text}"


@pytest.mark.parametrize(("student", "message", "expected"), [
    ("s001", "/frobnicate now", "Команды /frobnicate нет"),
    ("s002", "/register", "/register КОД github-логин"),
    ("s003", "/register ONLYCODE", "/register КОД github-логин"),
    ("s004", "/submit", "/submit hwN ССЫЛКА"),
    ("s005", "/submit hw1", "/submit hwN ССЫЛКА"),
    ("s006", "/submit hw1 a b c", "/submit hwN ССЫЛКА"),
    ("s007", "/project", "/project ССЫЛКА [id напарника]"),
    ("s008", "/submit tiny " + "x" * 5000, "Слишком длинное сообщение"),
    ("s009", "y" * 4000, "Слишком длинное сообщение"),
    ("s010", "привет, вот моя домашка", "Я понимаю только команды"),
    ("s011", "/submit tiny https://gitlab.com/s005-gh/dl", "только ссылки на GitHub"),
    ("s012", "/submit tiny gitlab.com/s005-gh/dl", "эта ведёт на gitlab.com"),
    ("s013", "/submit tiny my-homework", "Это не ссылка на репозиторий GitHub"),
    ("s014", "/submit tiny https://github.com/s006-gh", "Это не ссылка на репозиторий GitHub"),
    ("s015", "/submit hw99 https://github.com/s006-gh/dl", "Задания «hw99» нет. Задания курса: tiny, hw1"),
    ("s016", "/submit ../../etc https://github.com/s006-gh/dl", "Задания «../../etc» нет"),
    ("s017", "/project https://bitbucket.org/a/b", "только ссылки на GitHub"),
    ("s018", "/SUBMIT", "/submit hwN ССЫЛКА"),
])
def test_each_bad_command_gets_its_specific_answer_and_the_bot_keeps_serving(world: World, student: str,
                                                                             message: str, expected: str) -> None:
    user = world.registered(student)
    answer = user.ask(message)
    assert expected in answer
    assert_clean(answer)
    assert "/register КОД" in user.ask("/help")


def test_commands_of_an_unregistered_user_ask_to_register_first(world: World) -> None:
    stranger = world.tg.user(555001, "Stranger")
    for command in ("/submit tiny https://github.com/x/y", "/status", "/project https://github.com/x/y"):
        assert "Сначала зарегистрируйтесь" in stranger.ask(command)


@pytest.mark.parametrize("kind", ["photo", "document", "sticker"])
def test_files_photos_and_stickers_are_refused_politely(world: World, kind: str) -> None:
    user = world.tg.user(555100 + len(kind), "Files")
    getattr(user, f"send_{kind}")()
    answer = user.wait_reply().text
    assert "Файлы, фото и стикеры я не принимаю" in answer
    assert "Я бот курса" in user.ask("/start")


def test_group_chats_get_one_pointer_to_the_private_chat_and_plain_talk_is_ignored(world: World) -> None:
    user = world.tg.user(555200, "Grouper")
    user.send_in_group("всем привет")
    user.send_in_group("/submit hw1 https://github.com/a/b")
    assert "только в личных сообщениях" in world.tg.wait_reply_in(-1001234567890)
    user.send_in_group("/status@grader_test_bot")
    time.sleep(0.5)
    assert len(world.tg.sent_to(-1001234567890)) == 2
    assert "Я бот курса" in user.ask("/help")


def test_an_edited_message_is_not_processed_again(world: World) -> None:
    user = world.tg.user(555300, "Editor")
    assert "Я бот курса" in user.ask("/help")
    user.edit(1, "/submit hw1 https://github.com/a/b")
    assert "Я бот курса" in user.ask("/help")
    assert len(user.replies()) == 2


def test_a_flood_from_one_user_gets_one_polite_answer_and_others_are_served(world: World) -> None:
    flooder, other = world.tg.user(555400, "Flood"), world.tg.user(555401, "Calm")
    ids = [flooder.send("/deadlines") for _ in range(30)]
    assert "принимаются сейчас" in other.ask("/deadlines")
    world.tg.wait_for(lambda: len(flooder.replies()) >= 9, 10, "flood answers")
    time.sleep(0.5)
    texts = [s.text for s in flooder.replies()]
    slow = [t for t in texts if "Слишком много сообщений" in t]
    assert len(slow) == 1 and len(texts) <= 10 and len(ids) == 30  # (the refill: test_boundary.py)
    assert "не будут обработаны" in slow[0] and re.search(r"ближайшие \d+ с", slow[0])  # dropped, and how long
