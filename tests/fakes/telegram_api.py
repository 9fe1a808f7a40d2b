"""A fake Telegram Bot API for tests: a real threaded HTTP server on 127.0.0.1 that python-telegram-bot talks to
through its ``base_url``, speaking the Bot API's wire protocol (getMe, getUpdates with offsets and long polling,
sendMessage, sendDocument, setWebhook/deleteWebhook, error answers and 429 with ``retry_after``).

The server itself is ``grader.demo.fake_telegram.FakeTelegram`` (it ships with the package because ``grader demo`` runs
the bot against it when no token is set); this module re-exports it for the tests.

    from fakes.telegram_api import FakeTelegram

    with FakeTelegram() as tg:                         # start() / stop() also work; tg.token, tg.base_url
        anna = tg.user(1001, "Анна")                   # language_code "ru"; tg.user(2, "Bob", "en")
        anna.send("/register ABCD-EFGH anna-gh")       # an update; returns its update_id
        anna.wait_reply().text                         # the next message the bot sent Anna
        anna.ask("/status")                            # send, then the text of the answer
        anna.send_photo(); anna.send_document(); anna.send_sticker(); anna.send_in_group("/submit ...")
        anna.edit(message_id, "new text")              # an edited_message update
        tg.enqueue_many([(anna, "/submit hw1 ..."), ...])   # a burst, all waiting in getUpdates at once
        tg.redeliver(update_id)                        # Telegram delivers an update again (same update_id)
        tg.fail("sendMessage", 429, retry_after=1)     # the next call is refused; also 400, 403, 502, ...
        tg.block(user_id)                              # the user blocked the bot: sending to them is 403
        tg.sent; tg.sent_to(chat_id); tg.calls; tg.webhook_url; timings(tg, update_ids)
"""

from grader.demo.fake_telegram import TOKEN, FakeTelegram, FakeUser, Sent, Timings, timings

__all__ = ["TOKEN", "FakeTelegram", "FakeUser", "Sent", "Timings", "timings"]
