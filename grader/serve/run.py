"""``grader serve``: the bot and the pipeline in one process, for a whole term, until Ctrl-C or SIGTERM.

Stages when it starts, in order: settings and tokens → logging (a rotating file under ``gradebook/logs``, the
token redacted; the terminal gets warnings only) → the GitHub boundaries (the bot's waits little for a rate
limit; the pipeline's as the collector's) → the grading workers (a local pool, or Dask with ``--scheduler``) →
the bot's Application, whose ``/submit`` wakes the pipeline → the bot (updates, the outbox, reminders) and the
pipeline run side by side; either one failing stops both.

Everything it does is recorded in the course database as it happens (``grader.lifecycle``, the outbox), so it
can be stopped at any moment, even with ``kill -9``, and started again: nothing is lost, nothing finished is
done again, no message is sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.handlers
import os
import signal
from datetime import datetime
from typing import Any

from grader.bot.app import build_application, make_deps, serve
from grader.bot.config import bot_settings, bot_token
from grader.bot.run import RedactToken, github_for_bot
from grader.course import CourseFolder
from grader.github import GitHub
from grader.serve.config import ServeSettings, serve_settings
from grader.serve.loop import Pipeline, Workers, dask_workers, local_workers

log = logging.getLogger("grader.serve")


def configure_logging(course: CourseFolder, settings: ServeSettings, token: str, *, verbose: bool) -> str:
    """The service's log file (rotated) and a quiet terminal; returns the log's path."""
    path = course.root / settings.log_file
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redact = RedactToken(token)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=int(settings.log_max_mb * 2**20),
                                                   backupCount=settings.log_backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    terminal = logging.StreamHandler()
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    terminal.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    for one in (handler, terminal):
        one.addFilter(redact)
        root.addHandler(one)
    for noisy in ("httpx", "httpcore", "distributed", "traitlets"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return str(path)


def grades_released(course: CourseFolder, now: datetime) -> dict[str, datetime]:
    """The assignments whose grades are out at ``now``, with the moment of each release: what the policy
    releases now is recorded first (``grader.grade_release``), then every release on record counts (by hand
    ones included)."""
    from grader.grade_release import newly_released, recorded

    newly_released(course, now)
    return {hw: row.at for hw, row in recorded(course).items() if row.state == "released"}


def make_workers(course: CourseFolder, settings: ServeSettings, workers: int | None,
                 scheduler: str | None) -> Workers:
    if scheduler:
        return dask_workers(scheduler)
    return local_workers(workers or settings.workers or os.cpu_count() or 1)


async def serve_course(course: CourseFolder, stop: asyncio.Event, *, token: str, workers: Workers,
                       bot_github: Any = None, pipeline_github: Any = None) -> None:
    """The bot and the pipeline until ``stop`` is set (or one of them fails: then both stop, and it raises)."""
    settings = serve_settings(course.config)
    bot = bot_settings(course.config)
    own: list[GitHub] = []
    if bot_github is None:
        bot_github = github_for_bot(course, bot)
        own.append(bot_github)
    if pipeline_github is None:
        pipeline_github = GitHub.from_course(course)
        own.append(pipeline_github)
    pipeline = Pipeline(course, pipeline_github, settings, workers, grades_released=grades_released)
    loop = asyncio.get_running_loop()
    deps = make_deps(course, bot, bot_github, hosts=bot_github.settings.hosts,
                     instructor_login=bot_github.settings.instructor_login)
    deps.on_stored = lambda: loop.call_soon_threadsafe(pipeline.wake)
    app = build_application(deps, token, webhook=bool(bot.webhook_url))
    tasks = [asyncio.create_task(serve(app, stop, webhook=bot if bot.webhook_url else None), name="bot"),
             asyncio.create_task(pipeline.run(stop), name="pipeline")]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        deps.close()
        for gh in own:
            gh.close()


def run_service(course: CourseFolder, *, workers: int | None = None, scheduler: str | None = None,
                verbose: bool = False) -> str:
    """``grader serve`` until interrupted; returns the log's path."""
    settings = serve_settings(course.config)
    token = bot_token()
    path = configure_logging(course, settings, token, verbose=verbose)
    pool = make_workers(course, settings, workers, scheduler)

    async def main() -> None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        await serve_course(course, stop, token=token, workers=pool)

    log.info("grader serve starting for %s", course.root)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    log.info("grader serve stopped")
    return path
