"""The demo's term: ``grader serve`` (the real bot and pipeline) against a local fake Telegram and a local fake
GitHub, both real HTTP servers on 127.0.0.1; no token, nothing leaves the machine.

Every student of the demo class registers with their one-time code and hands in a GitHub link for each homework
they do (``/submit``, sent at the moment their profile gives: a day before the deadline, or late). The pipeline
fetches each submission at its pinned commit, runs the visible tests of a homework whose deadline is ahead and
tells the student which passed, grades in full the homeworks whose deadline has passed, writes the feedback page
and sends each student their result. Then what goes wrong at the seams: a link to a repository without the
homework's notebook is refused with its reason, and a notebook that kills its kernel is told at once, fixed and
handed in again. The first student's conversation is printed as it happens, with the instructor's /queue.
"""

from __future__ import annotations

import asyncio
import csv
import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select

from grader.course import CONFIG_NAME, CourseFolder, open_course
from grader.demo.fake_github import FakeGitHub
from grader.demo.fake_telegram import FakeTelegram, FakeUser
from grader.errors import GraderError
from grader.github import GitHub, GitHubSettings
from grader.lifecycle import latest
from grader.serve.loop import local_workers
from grader.serve.run import serve_course
from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Submission

INSTRUCTOR = 424242
REPO = "dl-homeworks"
DONE = frozenset({"graded", "grade_failed", "fetch_failed", "checked"})
Notebooks = Callable[[str, str], dict[str, bytes] | None]  # (student, assignment) → notebook files, or None


class Service:
    """``serve_course`` in a background thread until ``stop()``."""

    def __init__(self, course: CourseFolder, token: str, github: GitHub, workers: int) -> None:
        self.args = (course, token, github, workers)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._main, name="demo-serve", daemon=True)

    def _main(self) -> None:
        course, token, github, workers = self.args

        async def main() -> None:
            self.loop, self.stop_event = asyncio.get_running_loop(), asyncio.Event()
            self.ready.set()
            await serve_course(course, self.stop_event, token=token, workers=local_workers(workers),
                               bot_github=github, pipeline_github=github)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by stop()
            self.error = exc
            self.ready.set()

    def __enter__(self) -> Service:
        self.thread.start()
        self.ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self.stop_event is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout=120)
        if self.error is not None and exc[0] is None:
            raise GraderError(f"grader serve stopped with an error: {self.error}") from self.error


def fake_settings(telegram: FakeTelegram, github: FakeGitHub, *, pace: float = 0.5) -> str:
    """``nbgrader_config.py`` lines aiming a course at the local fakes (what a real course sets to Telegram and
    GitHub), with the service looking for work every ``pace`` seconds."""
    return f"""
# --- the local fakes (grader demo, bench/serve.py, tests/serve) ---
c.BotSettings.api_base_url = {telegram.base_url!r}
c.BotSettings.file_base_url = {telegram.file_base_url!r}
c.BotSettings.instructor_ids = [{INSTRUCTOR}]
c.BotSettings.poll_timeout = 1
c.BotSettings.outbox_interval = {pace!r}
c.Reminders.enabled = False
c.GitHubSettings.api_url = {github.api_url!r}
c.GitHubSettings.clone_url = {github.clone_url!r}
c.GitHubSettings.instructor_login = {github.login!r}
c.ServeSettings.poll_interval = {pace!r}
c.ServeSettings.release_interval = {max(1.0, pace)!r}
"""


def _point_at(course: CourseFolder, telegram: FakeTelegram, github: FakeGitHub) -> CourseFolder:
    with (course.root / CONFIG_NAME).open("a", encoding="utf-8") as handle:
        handle.write(fake_settings(telegram, github))
        # a term's links handed in within seconds: each student's burst is above what the bot lets one person send
        handle.write("c.BotSettings.rate_limit_messages = 100\nc.BotSettings.rate_limit_per_minute = 600.0\n")
    return open_course(course.root)


def _codes(course: CourseFolder) -> dict[str, str]:
    with (course.gradebook_dir / "registration_codes.csv").open(encoding="utf-8-sig") as handle:
        return {row["id"]: row["code"] for row in csv.DictReader(handle)}


def _lives(course: CourseFolder) -> dict[tuple[str, str], str]:
    """The current state of every active submission, by (student, assignment)."""
    with session_scope(course.database_url) as session:
        rows = {r.id: (r.student_id, r.assignment) for r in session.scalars(
            select(Submission).where(Submission.active.is_(True)))}
    return {rows[sid]: event.state for sid, event in latest(course.database_url, list(rows)).items()}


def _told(course: CourseFolder) -> tuple[set[tuple[str, str]], int]:
    """The active submissions whose student was sent a message about them, and how many messages are owed."""
    with session_scope(course.database_url) as session:
        rows = session.execute(select(Submission.student_id, Submission.assignment, OutboxMessage.sent_at).join(
            OutboxMessage, OutboxMessage.submission_id == Submission.id).where(Submission.active.is_(True)))
        told, owed = set(), 0
        for student, assignment, sent_at in rows:
            if sent_at is None:
                owed += 1
            else:
                told.add((student, assignment))
        return told, owed


def _print_new(console: Console, user: FakeUser, label: str) -> list[str]:
    new = user.replies()[user._seen:]
    user._seen = len(user.replies())
    for sent in new:
        console.print(f"[green]bot → {label}[/green] {sent.text}", highlight=False)
    return [s.text for s in new]


def _ask(console: Console, user: FakeUser, text: str, *, date: datetime | None = None, show: bool = True) -> str:
    """Send ``text`` and wait for the bot's answer to it; printed when ``show``."""
    message_id = user.server.message_of_update[user.send(text, date=date)]
    user.server.wait_for(lambda: any(s.reply_to == message_id for s in user.replies()), 60,
                         f"the answer to {text!r}")
    answer = next(s.text for s in user.replies() if s.reply_to == message_id)
    if show:
        when = f" [dim](sent {date:%Y-%m-%d %H:%M} UTC)[/dim]" if date else ""
        console.print(f"[cyan]{user.first_name} →[/cyan] {text}{when}", highlight=False)
        _print_new(console, user, user.first_name)
    return answer


def _wait_for_the_pipeline(course: CourseFolder, expected: set[tuple[str, str]], console: Console,
                           timeout: float = 3600.0) -> None:
    """Until every expected submission's life reached a state the pipeline leaves it in, and the outbox is empty."""
    deadline = time.monotonic() + timeout
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("grader serve: fetch → check or grade → tell", total=len(expected))
        while True:
            lives = _lives(course)
            told, owed = _told(course)
            done = sum(1 for key in expected if lives.get(key) in DONE and key in told)
            progress.update(task, completed=done)
            if done == len(expected) and owed == 0:
                return
            if time.monotonic() > deadline:
                raise GraderError(f"grader serve did not finish the demo's submissions within {timeout:.0f} s "
                                  f"({done} of {len(expected)}); see gradebook/logs/serve.log")
            time.sleep(0.5)


def serve_stage(course: CourseFolder, ids: list[str], submissions: dict[tuple[str, str], datetime],
                notebooks: Notebooks, broken: Callable[[str], dict[str, bytes]], console: Console,
                workers: int = 2) -> CourseFolder:
    """Run the term described in the module docstring; returns the course as reopened with the fakes' settings.
    ``submissions``: (student, assignment) → the moment the student sends the link."""
    if shutil.which("git") is None:
        raise GraderError("git is not installed: the demo's GitHub needs it (apt-get install git)")
    with FakeTelegram() as telegram, FakeGitHub(course.root / ".demo-github") as github_fake:
        course = _point_at(course, telegram, github_fake)
        settings = GitHubSettings(config=course.config)
        gh = GitHub(settings, token=github_fake.token, cache_dir=course.root / ".cache" / "github-demo")
        codes = _codes(course)
        for student in ids:
            files = {f"{hw}/{name}": data for (who, hw) in submissions if who == student
                     for name, data in (notebooks(student, hw) or {}).items()}
            github_fake.add_repo(f"{student}-gh/{REPO}", files or {"README.md": "homework"}, message="homework")
        console.print(f"grader serve runs against a local fake Telegram ({telegram.base_url}…) and a local fake "
                      f"GitHub ({github_fake.api_url}), {workers} grading workers; no token, nothing leaves this "
                      "machine")
        users = {s: telegram.user(1000 + i, s, "ru") for i, s in enumerate(ids)}
        teacher = telegram.user(INSTRUCTOR, "instructor", "en")
        first = ids[0]
        try:
            with Service(course, telegram.token, gh, workers):
                for student in ids:
                    _ask(console, users[student], f"/register {codes[student]} {student}-gh", show=student == first)
                refused: set[tuple[str, str]] = set()
                for (student, hw), moment in sorted(submissions.items(), key=lambda kv: kv[1]):
                    answer = _ask(console, users[student], f"/submit {hw} https://github.com/{student}-gh/{REPO}",
                                  date=moment, show=student == first)
                    if "Принято" not in answer:
                        console.print(f"  [red]{student}/{hw}[/red] refused: {answer}", highlight=False)
                        refused.add((student, hw))
                console.print(f"{len(submissions)} links handed in through the bot; the pipeline takes each "
                              "through fetch → visible tests (deadline ahead) or full grading (deadline passed) → "
                              "the student's message")
                _wait_for_the_pipeline(course, set(submissions) - refused, console)
                console.print(f"[bold]what {first} was told[/bold]")
                _print_new(console, users[first], first)
                _ask(console, users[first], "/status")
                _ask(console, teacher, "/queue")
                _seams(course, console, github_fake, users, submissions, broken)
        finally:
            gh.close()
    return course


def _seams(course: CourseFolder, console: Console, github_fake: FakeGitHub, users: dict[str, FakeUser],
           submissions: dict[tuple[str, str], datetime], broken: Callable[[str], dict[str, bytes]]) -> None:
    """A refused link, and a failure after intake told at once, then fixed (see the module docstring)."""
    (student, hw), moment = min(submissions.items(), key=lambda kv: kv[1])
    anna = users[student]
    console.print("[bold]a link without the homework's notebook is refused; the accepted one stays[/bold]")
    github_fake.add_repo(f"{student}-gh/lecture-notes", {"README.md": "my notes"})
    _ask(console, anna, f"/submit {hw} https://github.com/{student}-gh/lecture-notes", date=moment)
    others = [s for s in users if s != student]
    if not others:
        return
    boris = others[-1]
    console.print(f"[bold]a notebook that kills its kernel is told at once; {boris} fixes it and hands it in "
                  "again[/bold]")
    github_fake.add_repo(f"{boris}-gh/attempt", {f"{hw}/{name}": data for name, data in broken(hw).items()})
    users[boris]._seen = len(users[boris].replies())
    early = moment - timedelta(hours=1)
    _ask(console, users[boris], f"/submit {hw} https://github.com/{boris}-gh/attempt", date=early)
    _wait_for_the_pipeline(course, {(boris, hw)}, console, timeout=600)
    _print_new(console, users[boris], boris)
    fixed = early + timedelta(minutes=30)
    _ask(console, users[boris], f"/submit {hw} https://github.com/{boris}-gh/{REPO}", date=fixed)
    _wait_for_the_pipeline(course, {(boris, hw)}, console, timeout=600)
    _print_new(console, users[boris], boris)


def received_moment(deadline: datetime | None, profile: str) -> datetime:
    """When a profile's student sends the link: a day before the deadline, or late by 2 days 6 hours."""
    base = deadline or datetime.now(UTC)
    return base + (timedelta(days=2, hours=6) if profile == "late" else -timedelta(days=1))

