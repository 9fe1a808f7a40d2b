"""A course with a roster, the fake Telegram and GitHub servers, and the real bot Application between them.

The bot runs in a background thread with its own event loop (``serve``, exactly as ``grader bot run`` does,
only started from a test); the process tests start ``grader bot run`` itself.
"""

from __future__ import annotations

import asyncio
import csv
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes.github_api import TOKEN as GITHUB_TOKEN
from fakes.github_api import FakeGitHub, notebook
from fakes.telegram_api import FakeTelegram, FakeUser
from nbgrader.api import Gradebook

from grader.bot.app import build_application, make_deps, serve
from grader.bot.config import bot_settings
from grader.bot.run import github_for_bot
from grader.course import CourseFolder, open_course
from grader.github import GitHub
from grader.roster import import_roster, issue_codes
from grader.store.db import session_scope
from grader.store.models import GradingResult

TINY = Path(__file__).resolve().parents[1] / "files" / "tiny"
INSTRUCTOR_TG = 9000
NOTEBOOK = notebook(["answer"])
ASSIGNMENTS = ("tiny", "hw1", "hw2", "hw3")
# each assignment's released notebook: the bot accepts a link only with that homework's notebook in it
HOMEWORK = {"tiny": NOTEBOOK, **{hw: notebook(["setup", f"{hw}_task", f"test_{hw}"]) for hw in ASSIGNMENTS[1:]}}


def repo_files() -> dict[str, str]:
    """A student's repository holding every homework's notebook, as many keep them."""
    return {f"{hw}.ipynb": HOMEWORK[hw] for hw in ASSIGNMENTS}


def write_releases(course: CourseFolder) -> None:
    """release/<hw>/<hw>.ipynb and the gradebook's entry for every assignment of the bot's course (what
    ``grader release`` leaves)."""
    with Gradebook(course.gradebook_url) as gradebook:
        for hw in ASSIGNMENTS:
            (course.release(hw)).mkdir(parents=True, exist_ok=True)
            (course.release(hw) / f"{hw}.ipynb").write_text(HOMEWORK[hw], encoding="utf-8")
            gradebook.update_or_create_assignment(hw)


def course_config(tg: FakeTelegram, gh: FakeGitHub, now: datetime, extra: str = "") -> str:
    deadlines = {"tiny": now + timedelta(days=7), "hw1": now - timedelta(days=2, hours=1),
                 "hw2": now + timedelta(days=1), "hw3": now - timedelta(days=15)}
    text = {k: v.isoformat(timespec="seconds") for k, v in deadlines.items()}
    return f"""
c.Course.assignments = ["tiny", "hw1", "hw2", "hw3"]
c.Deadlines.deadlines = {text!r}
c.LatePolicy.kind = "per_day"
c.LatePolicy.penalty_per_day = 0.1
c.BotSettings.api_base_url = {tg.base_url!r}
c.BotSettings.file_base_url = {tg.file_base_url!r}
c.BotSettings.instructor_ids = [{INSTRUCTOR_TG}]
c.BotSettings.poll_timeout = 1
c.Reminders.enabled = False  # test_reminders.py turns them on; elsewhere they would add unexpected messages
c.BotSettings.outbox_interval = 0.3
c.GitHubSettings.api_url = {gh.api_url!r}
c.GitHubSettings.clone_url = {gh.clone_url!r}
c.GitHubSettings.instructor_login = "instructor"
c.GitHubSettings.timeout = 5.0
c.GitHubSettings.retries = 1
c.GitHubSettings.backoff = 0.05
{extra}
"""


@pytest.fixture(scope="session")
def class_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny course with a roster of 300 students (s001 …) and their one-time codes in codes.csv, made once
    per test session (nbgrader's first gradebook migration takes seconds) and copied by each user."""
    root = tmp_path_factory.mktemp("template") / "course"
    shutil.copytree(TINY, root)
    course = open_course(root)
    roster = root / "roster.csv"
    roster.write_text("id\n" + "".join(f"s{i:03d}\n" for i in range(1, 301)), encoding="utf-8")
    import_roster(course, roster)
    issue_codes(course, root / "codes.csv")
    write_releases(course)
    return root


def make_course(template: Path, root: Path, tg: FakeTelegram, gh: FakeGitHub, extra: str = "") -> tuple[
        CourseFolder, dict[str, str]]:
    """A copy of the class template pointed at the fake servers; returns it and the students' codes."""
    shutil.copytree(template, root)
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(course_config(tg, gh, datetime.now(UTC), extra))
    with (root / "codes.csv").open(encoding="utf-8-sig") as handle:
        codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
    return open_course(root), codes


class BotThread:
    """The real Application served in a thread until ``stop()``."""

    def __init__(self, course: CourseFolder, token: str, github: GitHub, *, webhook: bool = False) -> None:
        settings = bot_settings(course.config)
        self.deps = make_deps(course, settings, github, hosts=github.settings.hosts,
                              instructor_login=github.settings.instructor_login)
        self.app = build_application(self.deps, token, webhook=webhook)
        self.webhook = settings if webhook else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="bot", daemon=True)

    def _main(self) -> None:
        async def main() -> None:
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await serve(self.app, self._stop, webhook=self.webhook)

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by stop()
            self.error = exc
            self._ready.set()

    def start(self) -> BotThread:
        self._thread.start()
        assert self._ready.wait(10), "the bot did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the bot did not stop within 30 s"
        self.deps.close()
        if self.error is not None:
            raise self.error


@dataclass
class World:
    course: CourseFolder
    tg: FakeTelegram
    gh: FakeGitHub
    codes: dict[str, str]
    github: GitHub
    bot: BotThread | None = None
    users: dict[str, FakeUser] = field(default_factory=dict)
    _next_tg: int = 1000

    def login(self, student: str) -> str:
        return f"{student}-gh"

    def repo(self, student: str, name: str = "dl") -> str:
        """The student's own repository on the fake GitHub (made on first use); returns its link."""
        full = f"{self.login(student)}/{name}"
        if full.lower() not in self.gh.repos:
            self.gh.add_repo(full, repo_files())
        return f"https://github.com/{full}"

    def user(self, student: str, language: str | None = "ru") -> FakeUser:
        if student not in self.users:
            self._next_tg += 1
            self.users[student] = self.tg.user(self._next_tg, student.upper(), language)
        return self.users[student]

    def registered(self, student: str, language: str | None = "ru") -> FakeUser:
        user = self.user(student, language)
        answer = user.ask(f"/register {self.codes[student]} {self.login(student)}")
        assert student in answer, answer
        return user


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, class_template: Path) -> Iterator[World]:
    root = tmp_path_factory.mktemp("bot")
    with FakeTelegram() as tg, FakeGitHub(root / "github") as gh:
        course, codes = make_course(class_template, root / "course", tg, gh)
        github = github_for_bot(course, bot_settings(course.config), token=GITHUB_TOKEN)
        bot = BotThread(course, tg.token, github).start()
        world = World(course, tg, gh, codes, github, bot)
        try:
            yield world
        finally:
            bot.stop()


def grade(world: World, student: str, assignment: str, score: float, max_score: float) -> None:
    """What autograding leaves behind: nbgrader's gradebook rows and the grader's GradingResult."""
    with Gradebook(world.course.gradebook_url) as gb:
        gb.update_or_create_assignment(assignment)
        gb.update_or_create_notebook(assignment, assignment)
        gb.update_or_create_grade_cell("answer", assignment, assignment, max_score=max_score, cell_type="code")
        sub = gb.update_or_create_submission(assignment, student, timestamp=datetime.now(UTC) - timedelta(hours=1))
        for notebook in sub.notebooks:
            for cell in notebook.grades:
                cell.auto_score = score
        gb.db.commit()
    with session_scope(world.course.database_url) as session:
        session.merge(GradingResult(assignment=assignment, student=student, status="graded", reason="",
                                    cells=json.dumps({"answer": {"score": score}}), graded_at=datetime.now(UTC)))
