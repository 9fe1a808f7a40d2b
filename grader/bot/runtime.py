"""What the running bot holds: its dependencies, the per-student rate limit, and the update tracker that makes
long polling at-least-once (an update is confirmed to Telegram only after it was processed)."""

from __future__ import annotations

import asyncio
import functools
import time
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from grader.course import CourseFolder

from .config import BotSettings
from .service import GitHubPort, StoredSubmission, SubmitRequest, submit_many

T = TypeVar("T")


class RateLimiter:
    """A token bucket per student: ``burst`` messages at once, refilled at ``per_minute``."""

    def __init__(self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.rate, self.clock = float(burst), per_minute / 60.0, clock
        self._buckets: dict[int, tuple[float, float, bool]] = {}  # user -> (tokens, at, warned)

    def check(self, user_id: int) -> tuple[bool, float, bool]:
        """(allowed, seconds until the next message is allowed, whether to tell the user now)."""
        now = self.clock()
        tokens, at, warned = self._buckets.get(user_id, (self.burst, now, False))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[user_id] = (tokens - 1.0, now, False)
            return True, 0.0, False
        self._buckets[user_id] = (tokens, now, True)
        return False, (1.0 - tokens) / self.rate, not warned


Item = TypeVar("Item")


class Batcher(Generic[Item, T]):
    """Calls that arrive while a batch is running wait and go together in the next one (a group commit): a
    burst of N submissions costs a few transactions and one GitHub request per repository, not N of each.
    ``fn`` maps a batch to one result per item, an exception instance for an item that failed; it runs through
    ``run`` (the worker pool). Each caller gets its own result, or its exception raised."""

    def __init__(self, fn: Callable[[list[Item]], list[T | Exception]],
                 run: Callable[..., Awaitable[list[T | Exception]]], max_size: int = 256) -> None:
        self.fn, self.run, self.max_size = fn, run, max_size
        self._pending: list[tuple[Item, asyncio.Future[T]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def call(self, item: Item) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        await asyncio.sleep(0)  # the other updates of the same fetch join this batch
        while self._pending:
            batch, self._pending = self._pending[:self.max_size], self._pending[self.max_size:]
            try:
                results = await self.run(self.fn, [item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001 (the whole batch failed: every caller gets the error)
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # the caller gave up (its update timed out)
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)


@dataclass
class Deps:
    """Everything a handler needs, built once when the bot starts."""

    course: CourseFolder
    settings: BotSettings
    github: GitHubPort
    hosts: tuple[str, ...] = ("github.com",)
    instructor_login: str = ""
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(16, "grader-bot"))
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(8, 20.0))
    github_pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(16, "grader-bot-github"))
    on_stored: Callable[[], None] | None = None  # called after each stored batch (grader serve: look now)
    _submits: Batcher[SubmitRequest, StoredSubmission] | None = None

    async def submit(self, request: SubmitRequest) -> StoredSubmission:
        """A ``/submit``, stored with the others that arrive meanwhile (``service.submit_many``)."""
        if self._submits is None:
            self._submits = Batcher(self._submit_batch, self.run)
        return await self._submits.call(request)

    def close(self) -> None:
        """Wait for the blocking work in flight, then stop the thread pools."""
        self.executor.shutdown(wait=True)
        self.github_pool.shutdown(wait=True)

    def _submit_batch(self, requests: list[SubmitRequest]) -> list[StoredSubmission | Exception]:
        results = submit_many(self.course, self.github, requests, hosts=self.hosts,
                              instructor=self.instructor_login, pool=self.github_pool)
        if self.on_stored is not None and any(isinstance(r, StoredSubmission) for r in results):
            self.on_stored()
        return results

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Blocking work (database, GitHub) in the bot's thread pool, never on the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))


class Tracker:
    """Which fetched updates are still being processed. ``offset`` confirms only finished ones, so an update
    fetched but not yet processed when the bot dies is delivered again after a restart."""

    def __init__(self) -> None:
        self._inflight: set[int] = set()
        self._seen: set[int] = set()
        self._floor = 0
        self._progress = asyncio.Event()

    def fetched(self, update_id: int) -> bool:
        """True for an update not seen before in this process (it must be processed)."""
        if update_id < self._floor or update_id in self._seen:
            return False
        self._seen.add(update_id)
        self._inflight.add(update_id)
        return True

    def done(self, update_id: int) -> None:
        self._inflight.discard(update_id)
        self._progress.set()

    @property
    def busy(self) -> int:
        return len(self._inflight)

    @property
    def offset(self) -> int | None:
        """What to send as getUpdates' offset: the oldest unfinished update, or one past the newest seen."""
        if self._inflight:
            floor = min(self._inflight)
        elif self._seen:
            floor = max(self._seen) + 1
        else:
            return None
        self._floor = floor
        self._seen = {u for u in self._seen if u >= floor}
        return floor

    async def wait_progress(self, advance: int, timeout: float) -> None:
        """Wait until nothing is in flight or the oldest unfinished update moved ``advance`` past ``floor``
        as it was at the last fetch (each fetch returns the unfinished updates again: fetching after every
        single completion would re-read up to 100 updates each time), or ``timeout`` seconds at most."""
        floor = self._floor
        deadline = asyncio.get_running_loop().time() + timeout
        while self._inflight and min(self._inflight) < floor + advance:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            self._progress.clear()
            try:
                await asyncio.wait_for(self._progress.wait(), left)
            except TimeoutError:
                return


class OrderedProcessor(BaseUpdateProcessor):
    """Updates run concurrently, but one user's updates one at a time and in order (the per-user lock is taken
    before a concurrency slot, so a flood from one user does not occupy the others' slots). Each finished update
    is reported to the tracker; one that runs past ``timeout`` seconds is abandoned with a log line."""

    def __init__(self, max_concurrent_updates: int, tracker: Tracker, timeout: float, on_timeout:
                 Callable[[object], None] | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.tracker = tracker
        self.timeout = timeout
        self.on_timeout = on_timeout
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, update: object) -> asyncio.Lock | None:
        if not isinstance(update, Update):
            return None
        key = update.effective_user.id if update.effective_user else (
            update.effective_chat.id if update.effective_chat else None)
        if key is None:
            return None
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def process_update(self, update: object, coroutine: Any) -> None:
        lock = self._lock(update)
        try:
            if lock is None:
                await super().process_update(update, coroutine)
            else:
                async with lock:
                    await super().process_update(update, coroutine)
        finally:
            if isinstance(update, Update):
                self.tracker.done(update.update_id)

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        try:
            await asyncio.wait_for(coroutine, self.timeout)
        except TimeoutError:
            if self.on_timeout is not None:
                self.on_timeout(update)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
