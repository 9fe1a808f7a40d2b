"""The pipeline loop of ``grader serve``: look at what waits (``work.py``), start what the fair queue picks
(``queue.py``) while slots last, record each result as it arrives (``stages.py``), and say how it goes (a
heartbeat row read by ``grader serve status`` and the bot's /queue).

Nothing is kept only in memory: what waits is read from the database on every look, so a restart after a
crash (even ``kill -9``) starts exactly the work that had not been recorded as done. Stages that talk to
GitHub or write files run in threads; grading runs in a pool of worker processes (spawned) or on a Dask
cluster (``--scheduler``), the same ``run_job`` as ``grader autograde``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from grader.autograde.job import run_job
from grader.autograde.nbgrader_api import cuda_available
from grader.autograde.records import Job
from grader.autograde.visible import run_visible
from grader.collect.batch import collect_submission
from grader.course import CourseFolder
from grader.serve import stages
from grader.serve.config import ServeSettings
from grader.serve.queue import Work, pick
from grader.serve.status import Heartbeat, InFlight, write_heartbeat
from grader.serve.work import released_assignments, waiting_work

log = logging.getLogger("grader.serve")
T = TypeVar("T")
CRASH_BACKOFF = (5.0, 30.0, 120.0, 600.0)  # seconds before work whose stage crashed (our fault) is tried again


@dataclass
class Workers:
    """Where grading runs: ``grade`` slots in all, ``gpu`` of them on a GPU."""

    grade: int
    gpu: int
    submit: Callable[[Callable[[Job], T], Job], Awaitable[T]]
    close: Callable[[], None] = lambda: None
    kind: str = "local"


def warm() -> None:
    """Import what a grading job imports (nbgrader, nbconvert, the runner), so that the first submission of the
    term does not wait for it."""
    import grader.autograde.runner  # noqa: F401
    import grader.autograde.visible  # noqa: F401


def local_workers(count: int) -> Workers:
    """A pool of ``count`` spawned worker processes on this machine (a GPU for all of them when CUDA is here),
    warmed up as soon as it starts."""
    pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
    for _ in range(count):
        pool.submit(warm)
    gpu = cuda_available()

    async def submit(function: Callable[[Job], T], job: Job) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, function, replace(job, gpu=gpu))

    return Workers(count, count if gpu else 0, submit, lambda: pool.shutdown(wait=False, cancel_futures=True))


def dask_workers(scheduler: str) -> Workers:
    """A Dask cluster: one slot per worker thread; GPU jobs go to workers that declare the resource 'GPU'."""
    from distributed import Client

    client = Client(scheduler, timeout="30s")
    info = client.scheduler_info().get("workers", {})
    threads = sum(int(w.get("nthreads", 1)) for w in info.values()) or 1
    gpus = sum(1 for w in info.values() if w.get("resources", {}).get("GPU", 0) >= 1)

    async def submit(function: Callable[[Job], T], job: Job) -> T:
        resources = {"GPU": 1} if job.gpu else None
        future = client.submit(function, job, resources=resources, pure=False,
                               key=f"serve-{job.assignment}-{job.student}-{time.time_ns()}")
        return await asyncio.get_running_loop().run_in_executor(None, future.result)

    return Workers(threads, gpus, submit, client.close, kind=f"dask {scheduler}")


@dataclass
class Pipeline:
    """One pipeline for one course; ``run`` until the stop event is set. ``wake()`` makes it look now (the bot
    calls it when it stores a submission)."""

    course: CourseFolder
    github: Any
    settings: ServeSettings
    workers: Workers
    grades_released: Callable[[CourseFolder, datetime], dict[str, datetime]] = lambda course, now: {}
    _wake: asyncio.Event | None = None
    _running: dict[int, InFlight] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _crashes: dict[int, tuple[int, float]] = field(default_factory=dict)
    _finished: set[int] = field(default_factory=set)  # ended since the current look began reading the database
    _threads: Executor | None = None
    _db: Executor | None = None
    _released: dict[str, datetime] = field(default_factory=dict)
    _handed_out: frozenset[str] = frozenset()  # released assignments, asked every release_interval, not every look
    _released_at: float = -1e9
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    done: int = 0

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._threads = ThreadPoolExecutor(self.settings.fetchers, "serve-fetch")
        self._db = ThreadPoolExecutor(1, "serve-db")  # one writer: the gradebook and the records
        gpu_assignments = await self._in_db(self._gpu_assignments)
        log.info("pipeline started: %d grading slot(s) (%s), %d with a GPU", self.workers.grade, self.workers.kind,
                 self.workers.gpu)
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    await self._look(gpu_assignments)
                except Exception:  # noqa: BLE001 (a bad look is logged; the next one comes)
                    log.exception("the pipeline could not look for work; trying again")
                waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED),
                                           self.settings.poll_interval)
                for waiter in waits:
                    waiter.cancel()
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await loop.run_in_executor(self._db, self._heartbeat, False)
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._db.shutdown(wait=True)
            self.workers.close()

    async def _in_db(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, function, *args)

    def _gpu_assignments(self) -> frozenset[str]:
        from grader.autograde.orchestrate import needs_gpu
        from grader.collect.releases import release_notebooks

        if self.course.settings.gpu_mode != "require" and not self.workers.gpu:
            return frozenset()  # GPU cells are skipped where there is no GPU: any worker will do
        return frozenset(hw for hw in self.course.settings.assignments
                         if needs_gpu(self.course, hw, [p.name for p in release_notebooks(self.course, hw)]))

    async def _look(self, gpu_assignments: frozenset[str]) -> None:
        now = datetime.now(UTC)
        self._finished = set()  # what ends while the database is read below is still 'waiting' in what it returns
        if time.monotonic() - self._released_at >= self.settings.release_interval:
            self._handed_out = await self._in_db(released_assignments, self.course)
        waiting = await self._in_db(lambda: waiting_work(
            self.course, now, retry_after=self.settings.fetch_retry_after,
            visible_checks=self.settings.visible_checks, gpu_assignments=gpu_assignments,
            released=self._handed_out))
        moment = time.monotonic()
        waiting = [w for w in waiting if self._crashes.get(w.submission_id, (0, 0.0))[1] <= moment]
        try:
            if moment - self._released_at >= self.settings.release_interval:
                self._released_at = moment
                self._released = await self._in_db(self.grades_released, self.course, now)
            if self._released:
                await self._in_db(stages.announce_released, self.course, self._released, now)
        except Exception:  # noqa: BLE001 (grading goes on; the announcement comes at a later look)
            log.exception("the released grades could not be announced; trying again")
        grading = [f for f in self._running.values() if f.stage in ("check", "grade")]
        chosen = pick(waiting, set(self._running) | self._finished, fetch_slots=self.settings.fetchers - (
            len(self._running) - len(grading)), grade_slots=self.workers.grade - len(grading),
            gpu_slots=self.workers.gpu - sum(1 for f in grading if f.gpu))
        for work in chosen:
            self._running[work.submission_id] = InFlight(work.submission_id, work.student, work.assignment,
                                                         work.stage, datetime.now(UTC), work.gpu)
            task = asyncio.create_task(self._do(work))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await self._in_db(self._heartbeat, True, len(waiting), min((w.since for w in waiting), default=None))

    def _heartbeat(self, alive: bool, waiting: int = 0, oldest: datetime | None = None) -> None:
        write_heartbeat(self.course, Heartbeat(
            pid=os.getpid(), alive=alive, started=self.started, updated=datetime.now(UTC),
            grade_slots=self.workers.grade, gpu_slots=self.workers.gpu, workers=self.workers.kind,
            in_flight=list(self._running.values()), waiting=waiting, oldest=oldest, done=self.done))

    async def _do(self, work: Work) -> None:
        started = time.monotonic()
        try:
            await self._stage(work)
            self._crashes.pop(work.submission_id, None)
            self.done += 1
            log.info("%s %s/%s: done in %.1f s", work.stage, work.student, work.assignment,
                     time.monotonic() - started)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 (our fault, not the student's: retried later, never zeroed)
            count = self._crashes.get(work.submission_id, (0, 0.0))[0]
            delay = CRASH_BACKOFF[min(count, len(CRASH_BACKOFF) - 1)]
            self._crashes[work.submission_id] = (count + 1, time.monotonic() + delay)
            log.exception("%s %s/%s crashed; trying again in %.0f s", work.stage, work.student, work.assignment,
                          delay)
        finally:
            self._running.pop(work.submission_id, None)
            self._finished.add(work.submission_id)
            self.wake()

    async def _stage(self, work: Work) -> None:
        loop = asyncio.get_running_loop()
        if work.stage == "fetch":
            await loop.run_in_executor(self._threads, collect_submission, self.course, self.github,
                                       work.submission_id)
            return
        if work.stage == "feedback":
            await self._in_db(stages.write_feedback, self.course, work)
            return
        job = await self._in_db(stages.grading_job, self.course, work, self.settings.wall_seconds)
        if job is None:
            await self._in_db(stages.refetch, self.course, work)
            return
        job = replace(job, gpu=work.gpu)
        if work.stage == "check":
            report = await self.workers.submit(run_visible, replace(job, tests="visible"))
            await self._in_db(stages.finish_check, self.course, work, report)
            return
        outcome = await self.workers.submit(run_job, job)
        await self._in_db(stages.finish_grade, self.course, work, outcome)
