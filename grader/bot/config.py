"""``BotSettings``: how the Telegram bot runs, from the course's ``nbgrader_config.py``::

    c.BotSettings.instructor_ids = [123456789]          # Telegram user ids allowed /stats and /broadcast
    c.BotSettings.webhook_url = "https://bot.example.edu/telegram"   # empty: long polling (the default)

The token is never a setting: it is read from the ``TELEGRAM_BOT_TOKEN`` environment variable only.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from traitlets import Bool, Float, Int, List, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.configurable import configured
from grader.errors import BadCredentialsError

TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
WEBHOOK_SECRET_VARIABLE = "TELEGRAM_WEBHOOK_SECRET"


class BotSettings(Configurable):
    """The Telegram bot: who the instructors are, how updates arrive, how much one student may send."""

    instructor_ids = List(Int(), default_value=[], help="Telegram user ids of the instructors: only they may use "
                          "/stats and /broadcast. A user finds their id by sending /start to the bot (it is "
                          "shown there).").tag(config=True)
    api_base_url = Unicode("https://api.telegram.org/bot", help="Bot API base URL; the token is appended (or "
                           "replaces '{token}'). Change it for a self-hosted Bot API server or a local "
                           "test server.").tag(config=True)
    file_base_url = Unicode("https://api.telegram.org/file/bot", help="Bot API file download base URL.").tag(
        config=True)
    poll_timeout = Int(10, help="Long polling: seconds one getUpdates call waits for new updates.").tag(config=True)
    webhook_url = Unicode("", help="Public HTTPS URL Telegram should POST updates to. Empty (the default): long "
                          "polling, which needs no public address. The secret token for the webhook comes from "
                          f"the {WEBHOOK_SECRET_VARIABLE} environment variable.").tag(config=True)
    webhook_listen = Unicode("127.0.0.1", help="Address the webhook server listens on (behind a reverse "
                             "proxy that terminates TLS).").tag(config=True)
    webhook_port = Int(8443, help="Port the webhook server listens on.").tag(config=True)
    max_concurrent_updates = Int(256, help="Updates processed at once (one student's updates are always "
                                 "processed in order).").tag(config=True)
    workers = Int(16, help="Threads for blocking work (GitHub requests, the database). More threads wait on "
                  "GitHub in parallel but contend for Python's GIL and SQLite's write lock; 16 was the fastest in "
                  "bench/bot.py on 2 cores.").tag(config=True)
    github_workers = Int(32, help="GitHub requests in flight at once while a batch of submissions is pinned "
                          "(each repository once). GitHub allows up to 100 concurrent requests per token; with "
                          "16 the 1,000-update burst of bench/bot.py waited on GitHub's latency.").tag(config=True)
    telegram_connections = Int(8, help="Connections kept open to the Bot API for answers. A few are faster than "
                                "many: the HTTP client's pool does work per open connection on every request "
                                "(bench/bot.py).").tag(config=True)
    rate_limit_messages = Int(8, help="Messages one student may send in a burst before the bot asks them to "
                              "slow down.").tag(config=True)
    rate_limit_per_minute = Float(20.0, help="Sustained messages per minute allowed to one student (the burst "
                                  "refills at this rate).").tag(config=True)
    outbox_interval = Float(5.0, help="Seconds between two looks at the outbox: failures found after a link was "
                            "accepted (collection, grading) are told to the student within this time "
                            "(grader.outbox).").tag(config=True)
    max_message_length = Int(1000, help="Longer messages are refused with a short answer (no command needs "
                             "more).").tag(config=True)
    github_max_wait = Float(10.0, help="Longest a student's command waits for GitHub's rate limit to reset; "
                            "a longer wait is answered with 'GitHub is busy, try again in N minutes'. Lower than "
                            "GitHubSettings.max_wait, which is for batches.").tag(config=True)
    send_retries = Int(4, help="How many times an answer is re-sent when Telegram says 'retry after' (429) or "
                       "the network fails.").tag(config=True)

    @validate("api_base_url", "file_base_url", "webhook_url")
    def _check_url(self, proposal: Any) -> str:
        value = str(proposal["value"]).strip()
        name = proposal["trait"].name
        if not value and name == "webhook_url":
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise TraitError(f"BotSettings.{name}: {value!r} is not an http(s) URL")
        return value

    @validate("poll_timeout", "max_concurrent_updates", "workers", "github_workers", "telegram_connections",
              "rate_limit_messages", "max_message_length", "webhook_port")
    def _check_positive_int(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError(f"BotSettings.{proposal['trait'].name}: must be at least 1, got {value}")
        return value

    @validate("rate_limit_per_minute")
    def _check_rate(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value > 0:
            raise TraitError(f"BotSettings.rate_limit_per_minute: must be positive, got {value}")
        return value

    @validate("github_max_wait")
    def _check_wait(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value >= 0:
            raise TraitError(f"BotSettings.github_max_wait: must be >= 0, got {value}")
        return value

    @validate("send_retries")
    def _check_retries(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"BotSettings.send_retries: must be >= 0, got {value}")
        return value


def bot_settings(config: Any) -> BotSettings:
    """The validated settings; a wrong value raises ``ConfigError`` naming the key."""
    return configured(BotSettings, config)


def bot_token() -> str:
    """The bot token from the environment, never from a file; a missing one says how to get it."""
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise BadCredentialsError(f"{TOKEN_VARIABLE} is not set: create a bot with @BotFather in Telegram "
                                  f"(/newbot), then 'export {TOKEN_VARIABLE}=<the token>' and run again "
                                  "(see docs/bot.md)")
    if ":" not in token:
        raise BadCredentialsError(f"{TOKEN_VARIABLE} does not look like a bot token (BotFather's tokens look "
                                  "like '123456789:AA...'); copy it again from @BotFather")
    return token


class Reminders(Configurable):
    """Deadline reminders sent by the running bot (``grader bot run``)."""

    enabled = Bool(True, help="Remind registered students who have not submitted an assignment before its "
                   "deadline (each student can turn it off with /mute).").tag(config=True)
    hours_before = Float(24.0, help="How many hours before the deadline the reminder goes out.").tag(config=True)
    check_every = Float(300.0, help="Seconds between two looks at the deadlines (a reminder is at most this "
                        "late).").tag(config=True)

    @validate("hours_before", "check_every")
    def _check_positive(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value > 0:
            raise TraitError(f"Reminders.{proposal['trait'].name}: must be positive, got {value}")
        return value
