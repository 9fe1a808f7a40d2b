"""Telegram's limits in one place: 30 messages a second for the bot, one a second per chat."""

from __future__ import annotations

import asyncio

from grader.outbox import Owed, Pacer, _rounds


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pacer_spaces_messages_per_bot_and_per_chat(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    pacer = Pacer(clock=clock)
    sent: list[tuple[float, int]] = []

    async def send_all(chats: list[int]) -> None:
        for chat in chats:
            await pacer.wait(chat)
            sent.append((clock.now, chat))

    asyncio.run(send_all([1, 2, 3, 1, 1]))
    times = [t for t, _ in sent]
    assert all(b - a >= 1 / 30 for a, b in zip(times, times[1:], strict=False))  # 30 per second at most
    ones = [t for t, chat in sent if chat == 1]
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(ones, ones[1:], strict=False))  # one per second per chat
    assert len(times) == 5 and 2.0 <= times[-1] < 2.2


def test_chats_take_turns_in_a_drain() -> None:
    owed = [Owed(1, 10, "a1"), Owed(2, 10, "a2"), Owed(3, 10, "a3"), Owed(4, 20, "b1"), Owed(5, 30, "c1")]
    assert [m.message_id for m in _rounds(owed)] == [1, 4, 5, 2, 3]
