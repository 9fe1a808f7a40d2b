"""The pipeline loop in this process, with the grading worker stood in for (the sandboxed job has its own tests;
``test_serve.py`` runs the whole service): what is outside the student's control (GitHub unreachable, a crash of
the grader) is retried and never zeroed, and the student is told the outcome once it comes."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import pytest
from fakes.github_api import TOKEN as GITHUB_TOKEN
from fakes.github_api import FakeGitHub, configure_course
from sqlalchemy import select

from grader.authoring import build_submission
from grader.autograde.records import Job
from grader.autograde.visible import VisibleReport, VisibleTest, run_visible
from grader.bot.service import SubmitRequest, register, submit
from grader.course import CourseFolder, open_course
from grader.errors import ServerError
from grader.github import GitHub
from grader.lifecycle import history
from grader.outbox import owed
from grader.release import release_assignment
from grader.roster import import_roster, issue_codes
from grader.serve import loop
from grader.serve.config import ServeSettings
from grader.serve.loop import Pipeline, Workers
from grader.store.db import session_scope
from grader.store.models import Submission

TINY = Path(__file__).resolve().parents[1] / "files" / "tiny"
pytestmark = pytest.mark.slow  # the loop's own timing (seconds), a release and real git fetches


class Worker:
    """Stands in for the pool: answers a visible run with a passing report; fails the first ``crashes`` calls."""

    def __init__(self, crashes: int = 0) -> None:
        self.crashes = crashes
        self.calls: list[Job] = []

    async def submit(self, function: Callable[[Job], Any], job: Job) -> Any:
        self.calls.append(job)
        assert function is run_visible and job.tests == "visible"
        if len(self.calls) <= self.crashes:
            raise RuntimeError("a worker process died (BrokenProcessPool)")
        return VisibleReport(job.assignment, job.student, "graded", (VisibleTest("test_add", "passed"),))


@pytest.fixture
def world(tmp_path: Path) -> tuple[CourseFolder, GitHub, str]:
    root = tmp_path / "course"
    shutil.copytree(TINY, root)
    fake = FakeGitHub(tmp_path / "github").start()
    configure_course(root, fake, timeout=2)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write('\nc.Deadlines.deadlines = {"tiny": "2099-01-01 23:59"}\n')
    course = open_course(root)
    release_assignment(course, "tiny")
    (root / "roster.csv").write_text("id\ns01\n", encoding="utf-8")
    import_roster(course, root / "roster.csv")
    issue_codes(course, root / "codes.csv")
    code = (root / "codes.csv").read_text(encoding="utf-8-sig").splitlines()[1].split(",")[-1]
    register(course, 501, code, "s01-gh", "ru")
    source = nbformat.read(course.source("tiny") / "tiny.ipynb", as_version=4)
    release = nbformat.read(course.release("tiny") / "tiny.ipynb", as_version=4)
    fake.add_repo("s01-gh/dl", {"tiny.ipynb": nbformat.writes(build_submission(source, release))})
    gh = GitHub.from_course(course, token=GITHUB_TOKEN)
    yield course, gh, "https://github.com/s01-gh/dl"
    gh.close()
    fake.stop()


def run_until(pipeline: Pipeline, done: Callable[[], bool], timeout: float = 30.0,
              allow_timeout: bool = False) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(pipeline.run(stop))
        deadline = asyncio.get_running_loop().time() + timeout
        while not done():
            if allow_timeout and asyncio.get_running_loop().time() >= deadline:
                break
            assert asyncio.get_running_loop().time() < deadline, "the pipeline did not get there in time"
            assert not task.done(), task.exception()
            await asyncio.sleep(0.1)
        stop.set()
        await task

    asyncio.run(main())


def settings() -> ServeSettings:
    serve = ServeSettings()
    serve.poll_interval, serve.fetch_retry_after = 0.1, 0.3
    return serve


def only_submission(course: CourseFolder) -> int:
    with session_scope(course.database_url) as session:
        [submission_id] = [row.id for row in session.scalars(select(Submission))]
        return submission_id


def states(course: CourseFolder, submission_id: int) -> list[str]:
    return [event.state for event in history(course.database_url, submission_id)]


def test_github_unreachable_the_link_is_kept_retried_and_the_student_told_once_it_answers(
        world: tuple[CourseFolder, GitHub, str], monkeypatch: pytest.MonkeyPatch) -> None:
    course, gh, link = world
    down = {"git": True}
    real_tree = gh.tree

    def tree(*args: object) -> Any:
        if down["git"]:
            raise ServerError("git did not finish within 300 s")
        return real_tree(*args)

    monkeypatch.setattr(gh, "tree", tree)
    stored = submit(course, gh, SubmitRequest(501, "tiny", link, datetime.now(UTC)))
    assert not stored.checked  # accepted as received, said so
    submission_id = only_submission(course)
    pipeline = Pipeline(course, gh, settings(), Workers(1, 0, Worker().submit))
    run_until(pipeline, lambda: states(course, submission_id).count("fetch_retry") >= 3)
    assert "fetch_failed" not in states(course, submission_id)  # retried, never the student's failure
    assert not owed(course)  # nothing to tell yet
    down["git"] = False
    run_until(pipeline, lambda: "checked" in states(course, submission_id))
    assert states(course, submission_id)[-2:] == ["fetched", "checked"]
    [message] = owed(course)
    assert message.telegram_id == 501 and "Открытые тесты tiny: пройдено 1 из 1" in message.text


def test_a_crash_of_the_grader_is_retried_not_zeroed(world: tuple[CourseFolder, GitHub, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    course, gh, link = world
    monkeypatch.setattr(loop, "CRASH_BACKOFF", (0.2,))
    submit(course, gh, SubmitRequest(501, "tiny", link, datetime.now(UTC)))
    worker = Worker(crashes=2)
    pipeline = Pipeline(course, gh, settings(), Workers(1, 0, worker.submit))
    submission_id = only_submission(course)
    run_until(pipeline, lambda: "checked" in states(course, submission_id))
    assert len(worker.calls) == 3
    assert states(course, submission_id).count("checked") == 1
    assert not any(state.endswith("failed") for state in states(course, submission_id))


def test_work_that_ends_while_the_queue_is_read_is_not_started_again(world: tuple[CourseFolder, GitHub, str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A look reads what waits, then (after its other reads) starts it; a check that ends in between is still
    'fetched' in what was read, and must not run, nor be told, twice."""
    course, gh, link = world
    submit(course, gh, SubmitRequest(501, "tiny", link, datetime.now(UTC)))
    submission_id = only_submission(course)
    gate: dict[str, Any] = {}
    calls: list[Job] = []

    async def gated(function: Callable[[Job], Any], job: Job) -> Any:
        """The check's run ends only once the next look has read the queue."""
        calls.append(job)
        gate["loop"], gate["event"] = asyncio.get_running_loop(), asyncio.Event()
        await gate["event"].wait()
        return VisibleReport(job.assignment, job.student, "graded", (VisibleTest("test_add", "passed"),))

    read = loop.waiting_work

    def waiting_work(*args: Any, **kwargs: Any) -> Any:
        out = read(*args, **kwargs)
        if "event" in gate and any(w.stage == "check" for w in out):
            gate["loop"].call_soon_threadsafe(gate["event"].set)  # the check ends now: its record queues up
            time.sleep(0.3)
        return out

    monkeypatch.setattr(loop, "waiting_work", waiting_work)
    serve = settings()
    serve.release_interval = 0.01  # every look also reads the released grades: the window this test needs
    pipeline = Pipeline(course, gh, serve, Workers(1, 0, gated))
    run_until(pipeline, lambda: "checked" in states(course, submission_id))
    run_until(pipeline, lambda: False, timeout=2.0, allow_timeout=True)
    assert len(calls) == 1
    assert states(course, submission_id).count("checked") == 1
