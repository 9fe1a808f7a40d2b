"""A real course for ``grader serve``: the 'tiny' assignment released by nbgrader, three students registered,
their repositories on the fake GitHub, and ``grader serve`` itself run as a process against the fakes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from fakes.github_api import TOKEN as GITHUB_TOKEN
from fakes.github_api import FakeGitHub
from fakes.telegram_api import FakeTelegram, FakeUser
from sqlalchemy import select

from grader.authoring import build_submission
from grader.bot.service import register
from grader.course import CourseFolder, open_course
from grader.demo.serve_stage import fake_settings
from grader.release import release_assignment
from grader.roster import import_roster, issue_codes
from grader.serve.status import read_heartbeat
from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Submission, SubmissionEvent

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests" / "files" / "tiny"
# the students' 'add': correct; right on the visible test only (abs(-5) + 5 != 0); wrong on the visible test too
SOLUTIONS = {"s01": "def add(a, b):\n    return a + b\n",
             "s02": "def add(a, b):\n    return abs(a) + b\n",
             "s03": "def add(a, b):\n    return a - b\n"}


def serve_config(tg: FakeTelegram, gh: FakeGitHub, deadline: datetime) -> str:
    return f"""
c.Deadlines.deadlines = {{"tiny": {deadline.isoformat(timespec="seconds")!r}}}
c.GitHubSettings.timeout = 5.0
c.GitHubSettings.retries = 1
c.GitHubSettings.backoff = 0.05
c.ServeSettings.fetch_retry_after = 1.0
""" + fake_settings(tg, gh, pace=0.3)


@dataclass
class Term:
    course: CourseFolder
    tg: FakeTelegram
    gh: FakeGitHub
    tmp: Path
    users: dict[str, FakeUser] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log(self) -> Path:
        return self.tmp / "serve.out"

    def set_deadline(self, deadline: datetime) -> None:
        config = self.course.root / "nbgrader_config.py"
        base = config.read_text(encoding="utf-8").split("# --- serve test ---")[0]
        config.write_text(base + "# --- serve test ---\n" + serve_config(self.tg, self.gh, deadline),
                          encoding="utf-8")
        self.course = open_course(self.course.root)

    def start(self) -> None:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": self.tg.token, "GITHUB_TOKEN": GITHUB_TOKEN,
               "PYTHONPATH": str(REPO)}
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.starts} ===\n".encode())
            command = [sys.executable, "-m", "grader.cli", "--course", str(self.course.root), "serve", "--workers", "1"]
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None

    def logs(self) -> str:
        service = self.course.root / "gradebook" / "logs" / "serve.log"
        text = self.log.read_text(errors="replace")[-2000:]
        if service.is_file():
            text += "\n--- serve.log ---\n" + service.read_text(errors="replace")[-4000:]
        return text

    def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"grader serve exited ({self.process.returncode}) while waiting for {what}:\n"
                                     + self.logs())
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout} s:\n" + self.logs())
            time.sleep(0.1)

    def in_flight(self, stage: str) -> bool:
        beat = read_heartbeat(self.course)
        return bool(beat and any(f.stage == stage for f in beat.in_flight))

    def submit(self, student: str) -> None:
        user = self.users[student]
        count = len(user.replies())
        user.send(f"/submit tiny https://github.com/{student}-gh/dl")
        self.tg.wait_for(lambda: len(user.replies()) > count, 30, f"the answer to {student}'s /submit")
        assert "Принято" in user.replies()[count].text, user.replies()[count].text

    def texts(self, student: str, marker: str) -> list[str]:
        return [s.text for s in self.users[student].replies() if marker in s.text]

    def events(self, state: str) -> dict[str, int]:
        """How many times each student's submissions entered ``state``."""
        with session_scope(self.course.database_url) as session:
            rows = session.execute(select(Submission.student_id).join(
                SubmissionEvent, SubmissionEvent.submission_id == Submission.id).where(SubmissionEvent.state == state))
            out: dict[str, int] = {}
            for (student,) in rows:
                out[student] = out.get(student, 0) + 1
            return out

    def outbox(self, state: str) -> dict[str, int]:
        """How many messages of kind ``state`` each student is owed or was sent."""
        with session_scope(self.course.database_url) as session:
            out: dict[str, int] = {}
            for row in session.scalars(select(OutboxMessage).where(OutboxMessage.state == state)):
                out[row.student_id] = out.get(row.student_id, 0) + 1
            return out


    def tg_refusals(self) -> int:
        """sendMessage calls made after the last answered /submit (refused while Telegram is made to fail)."""
        return sum(1 for method, _ in self.tg.calls if method == "sendMessage") - sum(
            len(u.replies()) for u in self.users.values())

    def outbox_attempts(self, student: str) -> int:
        with session_scope(self.course.database_url) as session:
            return sum(row.attempts for row in session.scalars(select(OutboxMessage).where(
                OutboxMessage.student_id == student)))


def student_notebook(course: CourseFolder, student: str) -> str:
    source = nbformat.read(course.source("tiny") / "tiny.ipynb", as_version=4)
    release = nbformat.read(course.release("tiny") / "tiny.ipynb", as_version=4)
    return nbformat.writes(build_submission(source, release, {"add": SOLUTIONS[student]}))


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Term]:
    root = tmp_path / "course"
    shutil.copytree(TINY, root)
    with FakeTelegram() as tg, FakeGitHub(tmp_path / "github") as gh:
        course = open_course(root)
        release_assignment(course, "tiny")
        roster = root / "roster.csv"
        roster.write_text("id\n" + "".join(f"{s}\n" for s in SOLUTIONS), encoding="utf-8")
        import_roster(course, roster)
        issue_codes(course, root / "codes.csv")
        import csv

        with (root / "codes.csv").open(encoding="utf-8-sig") as handle:
            codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
        term = Term(course, tg, gh, tmp_path)
        term.set_deadline(datetime.now(UTC) + timedelta(days=1))
        for index, student in enumerate(SOLUTIONS):
            gh.add_repo(f"{student}-gh/dl", {"tiny.ipynb": student_notebook(term.course, student)})
            register(term.course, 500 + index, codes[student], f"{student}-gh", "ru")
            term.users[student] = tg.user(500 + index, student, "ru")
        try:
            yield term
        finally:
            term.stop()
