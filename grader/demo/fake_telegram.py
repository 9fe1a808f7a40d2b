"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that python-telegram-bot talks to via ``base_url``.

It ships with the package because ``grader demo`` runs the bot against it (no token, nothing leaves the
machine); the tests use it through ``tests/fakes/telegram_api.py``.

Wire protocol as in https://core.telegram.org/bots/api: ``POST /bot<token>/<method>`` with form-encoded,
multipart or JSON parameters; answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": ..., "parameters": {"retry_after": S}}``.

Methods: getMe, getUpdates (offset confirms, limit, long polling with ``timeout``; 409 while a webhook is set),
sendMessage, sendDocument, setWebhook (updates are then POSTed to the webhook, with the secret header),
deleteWebhook (``drop_pending_updates``), getWebhookInfo, close/logOut; anything else is 404. A wrong token
gets 401. Errors and 429 are injected with :meth:`FakeTelegram.fail`; ``FakeTelegram(flood_control=True)``
refuses with 429, as Telegram does, more than 30 messages a second or a second message to a chat within a second.

Python side (the test's)::

    with FakeTelegram() as tg:
        anna = tg.user(1001, "Анна")                 # language_code "ru" by default
        anna.send("/register ABCD-EFGH anna-gh")     # enqueues an update, returns its update_id
        reply = anna.wait_reply()                    # the next message the bot sent to Anna
        tg.fail("sendMessage", 429, retry_after=1)   # the next sendMessage is refused
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from grader.demo.loopback import LoopbackServer

TOKEN = "123456789:TEST-fake-token-for-local-tests"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Grader", "username": "grader_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
JSON_FIELDS = {"chat_id", "offset", "limit", "timeout", "reply_parameters", "reply_to_message_id",
               "allowed_updates", "max_connections", "drop_pending_updates", "disable_notification",
               "link_preview_options", "reply_markup", "entities"}


@dataclass(frozen=True)
class Sent:
    """One message the bot sent. ``reply_to``: the message id it answers (or None); ``at``: monotonic time."""

    method: str
    chat_id: int
    text: str
    reply_to: int | None
    message_id: int
    at: float
    document_name: str | None = None
    document: bytes | None = None


@dataclass
class Failure:
    status: int
    description: str
    retry_after: float | None
    times: int


@dataclass
class FakeUser:
    """A Telegram user writing to the bot in their private chat."""

    server: FakeTelegram
    id: int
    first_name: str
    language_code: str | None = "ru"
    username: str | None = None
    _seen: int = 0

    def _from(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user

    def _chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def send(self, text: str, *, date: datetime | None = None) -> int:
        """Send a text message (commands get their ``bot_command`` entity); returns the update_id."""
        message: dict[str, Any] = {"chat": self._chat(), "from": self._from(), "text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le"))
                                    // 2}]
        return self.server.enqueue_message(message, date=date)

    def send_photo(self, caption: str | None = None) -> int:
        message: dict[str, Any] = {"chat": self._chat(), "from": self._from(), "photo": [
            {"file_id": "AgACPhoto", "file_unique_id": "uniq-photo", "width": 90, "height": 90, "file_size": 1234}]}
        if caption:
            message["caption"] = caption
        return self.server.enqueue_message(message)

    def send_document(self, file_name: str = "hw1.ipynb") -> int:
        message = {"chat": self._chat(), "from": self._from(), "document": {
            "file_id": "BQACDoc", "file_unique_id": "uniq-doc", "file_name": file_name, "file_size": 2048}}
        return self.server.enqueue_message(message)

    def send_sticker(self) -> int:
        message = {"chat": self._chat(), "from": self._from(), "sticker": {
            "file_id": "CAACSticker", "file_unique_id": "uniq-sticker", "type": "regular", "width": 512,
            "height": 512, "is_animated": False, "is_video": False}}
        return self.server.enqueue_message(message)

    def send_in_group(self, text: str, group_id: int = -1001234567890) -> int:
        message: dict[str, Any] = {"chat": {"id": group_id, "type": "supergroup", "title": "DL course chat"},
                                   "from": self._from(), "text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.server.enqueue_message(message)

    def edit(self, message_id: int, text: str) -> int:
        """An edited message (``edited_message`` update)."""
        message = {"message_id": message_id, "date": int(time.time()) - 60, "chat": self._chat(),
                   "from": self._from(), "text": text, "edit_date": int(time.time())}
        return self.server.enqueue({"edited_message": message})

    def replies(self) -> list[Sent]:
        return self.server.sent_to(self.id)

    def wait_reply(self, timeout: float = 10.0) -> Sent:
        """The next message sent to this user after the ones already returned by wait_reply."""
        target = self._seen + 1
        self.server.wait_for(lambda: len(self.server.sent_to(self.id)) >= target, timeout,
                             f"reply #{target} to user {self.id}")
        self._seen = target
        return self.server.sent_to(self.id)[target - 1]

    def ask(self, text: str, timeout: float = 10.0) -> str:
        """Send ``text`` and return the text of the answer to it."""
        self.send(text)
        return self.wait_reply(timeout).text


class FakeTelegram:
    """The server and its state; thread-safe."""

    def __init__(self, token: str = TOKEN, latency: float = 0.0, flood_control: bool = False) -> None:
        self.token = token
        self.latency = latency
        # Telegram's flood control: more than 30 messages in a second for the bot, or a second message to a chat
        # within a second, is refused with 429 and retry_after (counted in flood_refusals)
        self.flood_control = flood_control
        self.flood_refusals = 0
        self._recent_sends: list[float] = []
        self._last_to_chat: dict[int, float] = {}
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []     # pending, not confirmed by an offset
        self.delivered: list[dict[str, Any]] = []    # every update ever enqueued
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, list[Failure]] = {}
        self._blocked: set[int] = set()
        self.known_chats: set[int] = set()
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.enqueued_at: dict[int, float] = {}      # update_id -> monotonic time it was enqueued
        self.message_of_update: dict[int, int] = {}  # update_id -> message_id
        self.update_of_message: dict[int, int] = {}
        self.confirmed_offset = 0
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_deliveries = 0
        self._server: LoopbackServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> FakeTelegram:
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._server = LoopbackServer(Handler)
        serve = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                 name="fake-telegram", daemon=True)
        push = threading.Thread(target=self._push_webhook, name="fake-telegram-webhook", daemon=True)
        self._threads = [serve, push]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's ``base_url`` takes (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- the test's side ------------------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "Student", language_code: str | None = "ru",
             username: str | None = None) -> FakeUser:
        return FakeUser(self, user_id, first_name, language_code, username)

    def enqueue(self, payload: dict[str, Any]) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **payload})
            self.delivered.append(self._updates[-1])
            self.enqueued_at[update_id] = time.monotonic()
            self._lock.notify_all()
            return update_id

    def enqueue_message(self, message: dict[str, Any], *, date: datetime | None = None) -> int:
        with self._lock:
            message_id = int(message.get("message_id") or next(self._message_ids))
            stamp = (date or datetime.now(UTC)).timestamp()
            full = {"message_id": message_id, "date": int(stamp), **message}
            self.known_chats.add(int(message["chat"]["id"]))
            update_id = self.enqueue({"message": full})
            self.message_of_update[update_id] = message_id
            self.update_of_message[message_id] = update_id
            return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again, as Telegram does when its confirmation was lost (same update_id)."""
        with self._lock:
            original = next(u for u in self.delivered if u["update_id"] == update_id)
            self._updates.append(original)
            self._updates.sort(key=lambda u: u["update_id"])
            self.enqueued_at[update_id] = time.monotonic()
            self._lock.notify_all()

    def enqueue_many(self, messages: list[tuple[FakeUser, str]]) -> list[int]:
        """A burst: every message enqueued under one lock, so that they all wait for the bot at once."""
        with self._lock:
            return [user.send(text) for user, text in messages]

    def fail(self, method: str, status: int = 500, description: str | None = None, *,
             retry_after: float | None = None, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` are refused with ``status`` (429 with ``retry_after``)."""
        if description is None:
            description = {429: f"Too Many Requests: retry after {retry_after}", 400: "Bad Request",
                           403: "Forbidden: bot was blocked by the user", 409: "Conflict",
                           502: "Bad Gateway"}.get(status, "Internal Server Error")
        with self._lock:
            self._failures.setdefault(method, []).append(Failure(status, description, retry_after, times))

    def heal(self) -> None:
        """Drop every injected failure not used up yet."""
        with self._lock:
            self._failures.clear()

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sending to them is 403."""
        with self._lock:
            self._blocked.add(user_id)

    def sent_to(self, chat_id: int) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.chat_id == chat_id]

    def wait_reply_in(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> str:
        """The text of the ``count``-th message sent to ``chat_id`` (waiting for it)."""
        self.wait_for(lambda: len(self.sent_to(chat_id)) >= count, timeout, f"message #{count} to chat {chat_id}")
        return self.sent_to(chat_id)[count - 1].text

    def reply_to_update(self, update_id: int) -> Sent | None:
        message_id = self.message_of_update.get(update_id)
        with self._lock:
            return next((s for s in self.sent if s.reply_to == message_id), None) if message_id else None

    def pending(self) -> int:
        with self._lock:
            return len(self._updates)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"fake Telegram: no {what} within {timeout} s")
                self._lock.wait(min(left, 0.2))

    # -- the server's side ----------------------------------------------------------------------------------
    def _failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def handle(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> tuple[int, Any]:
        with self._lock:
            self.calls.append((method, params))
            failure = self._failure(method)
        if failure is not None:
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        if self.latency and method != "getUpdates":
            time.sleep(self.latency)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
        return handler(params, files)

    def _ok(self, result: Any) -> tuple[int, Any]:
        return 200, {"ok": True, "result": result}

    def _m_getMe(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        return self._ok(BOT_USER)

    def _m_getUpdates(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        with self._lock:
            if self.webhook_url:
                return 409, {"ok": False, "error_code": 409, "description": "Conflict: can't use getUpdates "
                             "method while webhook is active; use deleteWebhook to delete the webhook first"}
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self.confirmed_offset = max(self.confirmed_offset, offset)
                self._lock.notify_all()
            while not self._updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return self._ok(list(self._updates[:limit]))

    def _message(self, chat_id: int, text: str, reply_to: int | None, method: str,
                 document: tuple[str, bytes] | None = None) -> tuple[int, Any]:
        with self._lock:
            if chat_id in self._blocked:
                return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            if chat_id not in self.known_chats:
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            if self.flood_control and self._flooded(chat_id):
                self.flood_refusals += 1
                return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                             "parameters": {"retry_after": 1}}
            message_id = next(self._message_ids)
            self.sent.append(Sent(method, chat_id, text, reply_to, message_id, time.monotonic(),
                                  document[0] if document else None, document[1] if document else None))
            self._lock.notify_all()
        result: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                                  "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}}
        if document:
            result["document"] = {"file_id": f"doc{message_id}", "file_unique_id": f"u{message_id}",
                                  "file_name": document[0], "file_size": len(document[1])}
            if text:
                result["caption"] = text
        else:
            result["text"] = text
        if reply_to:
            result["reply_to_message"] = {"message_id": reply_to, "date": int(time.time()),
                                          "chat": result["chat"]}
        return self._ok(result)

    def _flooded(self, chat_id: int) -> bool:
        """Whether this message breaks the limits (called under the lock); records it when it does not. A small
        allowance (2 %) absorbs the clock's jitter between the client's spacing and ours."""
        now = time.monotonic()
        self._recent_sends = [t for t in self._recent_sends if now - t < 1.0]
        if len(self._recent_sends) >= 30 or now - self._last_to_chat.get(chat_id, -10.0) < 0.98:
            return True
        self._recent_sends.append(now)
        self._last_to_chat[chat_id] = now
        return False

    @staticmethod
    def _reply_to(params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            return int(reply["message_id"])
        return int(params["reply_to_message_id"]) if params.get("reply_to_message_id") else None

    def _m_sendMessage(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        text = str(params.get("text", ""))
        if not text.strip():
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        if len(text) > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        return self._message(int(params["chat_id"]), text, self._reply_to(params), "sendMessage")

    def _m_sendDocument(self, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> tuple[int, Any]:
        document = files.get("document")
        if document is None:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: there is no document in "
                         "the request"}
        return self._message(int(params["chat_id"]), str(params.get("caption", "")), self._reply_to(params),
                             "sendDocument", document)

    def _m_setWebhook(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        url = str(params.get("url", ""))
        with self._lock:
            self.webhook_url = url
            self.webhook_secret = params.get("secret_token")
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._lock.notify_all()
        return self._ok(True)

    def _m_deleteWebhook(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        with self._lock:
            self.webhook_url = ""
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._lock.notify_all()
        return self._ok(True)

    def _m_getWebhookInfo(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        with self._lock:
            return self._ok({"url": self.webhook_url, "has_custom_certificate": False,
                             "pending_update_count": len(self._updates)})

    def _m_close(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        return self._ok(True)

    def _m_logOut(self, params: dict[str, Any], files: Any) -> tuple[int, Any]:
        return self._ok(True)

    def _push_webhook(self) -> None:
        """While a webhook is set, POST each pending update to it; an update leaves the queue on a 2xx."""
        while True:
            with self._lock:
                while not self._stopping and not (self.webhook_url and self._updates):
                    self._lock.wait(0.5)
                if self._stopping:
                    return
                url, secret, update = self.webhook_url, self.webhook_secret, self._updates[0]
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            request = urllib.request.Request(url, json.dumps(update).encode(), headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (127.0.0.1 only)
                    delivered = 200 <= response.status < 300
            except OSError:
                delivered = False
            with self._lock:
                if delivered and self._updates and self._updates[0] is update:
                    self._updates.pop(0)
                    self.webhook_deliveries += 1
                    self._lock.notify_all()
            if not delivered:
                time.sleep(0.1)


class _Handler(BaseHTTPRequestHandler):
    server_state: FakeTelegram
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the stdlib's name)
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a cancelled long poll)
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.do_POST()

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        state = self.server_state
        path = urllib.parse.urlsplit(self.path)
        parts = path.path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        if parts[0] != f"bot{state.token}":
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        params, files = _parse_params(self.headers.get("Content-Type", ""), body, path.query)
        status, answer = state.handle(parts[1], params, files)
        self._reply(status, answer)


def _decode(name: str, value: str) -> Any:
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_params(content_type: str, body: bytes, query: str) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = {k: _decode(k, v) for k, v in urllib.parse.parse_qsl(query)}
    files: dict[str, tuple[str, bytes]] = {}
    if content_type.startswith("application/json") and body:
        params.update(json.loads(body))
    elif content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = (filename, payload)
            else:
                params[str(name)] = _decode(str(name), payload.decode())
    elif body:
        params.update({k: _decode(k, v) for k, v in urllib.parse.parse_qsl(body.decode())})
    return params, files


@dataclass
class Timings:
    """Update → answer latencies for a set of updates, from the fake's clock."""

    latencies: list[float] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)


def timings(server: FakeTelegram, update_ids: list[int]) -> Timings:
    out = Timings()
    answered = {s.reply_to: s.at for s in list(server.sent) if s.reply_to is not None}
    for update_id in update_ids:
        message_id = server.message_of_update[update_id]
        if message_id in answered:
            out.latencies.append(answered[message_id] - server.enqueued_at[update_id])
        else:
            out.unanswered.append(update_id)
    return out
