"""The Telegram boundary and the pieces under the handlers: every Telegram error is translated, every answer
exists in both languages, settings are validated, the rate limit and the offset tracker behave."""

from __future__ import annotations

import string
from datetime import timedelta

import pytest
import telegram.error
import telegram.ext

from grader.bot.boundary import translate
from grader.bot.config import TOKEN_VARIABLE, bot_settings, bot_token
from grader.bot.runtime import RateLimiter, Tracker
from grader.bot.texts import EN, MESSAGES, RU, duration, language_of
from grader.errors import (
    AccessDeniedError,
    BadCredentialsError,
    ConfigError,
    ExternalServiceError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)


def all_subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | all_subclasses(sub)
    return out


def instance(cls: type) -> telegram.error.TelegramError:
    if cls is telegram.error.RetryAfter:
        return cls(timedelta(seconds=7))
    if cls is telegram.error.ChatMigrated:
        return cls(-100123)
    return cls("Bad Request: chat not found" if cls is telegram.error.BadRequest else "boom")


EXPECTED = {
    telegram.error.RetryAfter: RateLimitedError, telegram.error.InvalidToken: BadCredentialsError,
    telegram.error.Forbidden: AccessDeniedError, telegram.error.BadRequest: NotFoundError,
    telegram.error.EndPointNotFound: NotFoundError, telegram.error.ChatMigrated: NotFoundError,
    telegram.error.Conflict: ExternalServiceError, telegram.error.TimedOut: ServerError,
    telegram.error.NetworkError: ServerError, telegram.error.PassportDecryptionError: ExternalServiceError,
    telegram.error.TelegramError: ExternalServiceError,
    telegram.ext.InvalidCallbackData: ExternalServiceError,  # the bot uses no callback data; still mapped
}


@pytest.mark.parametrize("cls", sorted(all_subclasses(telegram.error.TelegramError) | {telegram.error.TelegramError},
                                       key=lambda c: c.__name__))
def test_every_telegram_error_is_translated_to_the_projects_own(cls: type) -> None:
    assert cls in EXPECTED, f"{cls.__name__} has no mapping in grader.bot.boundary.translate"
    error = translate(instance(cls))
    assert type(error) is EXPECTED[cls]
    if isinstance(error, RateLimitedError):
        assert error.retry_after == 7.0


def test_a_bad_request_that_is_not_a_missing_chat_stays_generic() -> None:
    assert type(translate(telegram.error.BadRequest("message is too long"))) is ExternalServiceError


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_answer_exists_in_russian_and_english_with_the_same_fields(key: str) -> None:
    assert set(MESSAGES[key]) == {RU, EN}
    assert fields(MESSAGES[key][RU]) == fields(MESSAGES[key][EN])


def test_language_follows_telegram_and_durations_read_naturally() -> None:
    assert language_of("ru") == language_of("ru-RU") == language_of(None) == RU
    assert language_of("en") == language_of("uk") == EN
    assert duration(2 * 86400 + 3 * 3600 + 60, RU) == "2 д 3 ч" and duration(59, EN) == "1 min"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("instructor_ids", ["teacher"], "instructor_ids"),
    ("api_base_url", "api.telegram.org", "not an http"),
    ("rate_limit_per_minute", 0, "must be positive"),
    ("max_concurrent_updates", 0, "at least 1"),
])
def test_bad_settings_stop_with_the_keys_name(key: str, value: object, message: str) -> None:
    from traitlets.config import Config

    config = Config()
    setattr(config.BotSettings, key, value)
    with pytest.raises(ConfigError, match=message):
        bot_settings(config)


def test_the_token_comes_from_the_environment_and_a_missing_one_says_where_to_get_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    with pytest.raises(BadCredentialsError, match="BotFather"):
        bot_token()
    monkeypatch.setenv(TOKEN_VARIABLE, "not-a-token")
    with pytest.raises(BadCredentialsError, match="does not look like"):
        bot_token()
    monkeypatch.setenv(TOKEN_VARIABLE, " 123:abc\n")
    assert bot_token() == "123:abc"


def test_rate_limit_allows_a_burst_then_refills_and_warns_once() -> None:
    now = [0.0]
    limiter = RateLimiter(burst=3, per_minute=60, clock=lambda: now[0])
    assert [limiter.check(1)[0] for _ in range(3)] == [True] * 3
    assert limiter.check(1) == (False, pytest.approx(1.0), True)
    assert limiter.check(1)[2] is False  # told once
    assert limiter.check(2)[0] is True  # others are not affected
    now[0] = 1.0
    assert limiter.check(1)[0] is True


def test_the_offset_confirms_only_finished_updates() -> None:
    tracker = Tracker()
    assert tracker.offset is None
    assert [tracker.fetched(u) for u in (5, 6, 7)] == [True] * 3
    tracker.done(6)
    tracker.done(7)
    assert tracker.offset == 5  # 5 still running: a crash now redelivers 5, 6, 7
    assert tracker.fetched(6) is False and tracker.fetched(7) is False  # not processed twice in this process
    tracker.done(5)
    assert tracker.offset == 8
    assert tracker.fetched(5) is False and tracker.fetched(8) is True
