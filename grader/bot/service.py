"""What the bot's commands do, as plain synchronous functions over the course database and the GitHub boundary.

Handlers call these in a worker thread and turn the result into text. A request the system will not accept
raises ``Refused`` (its ``reason`` picks the answer); a failure of GitHub or the database propagates as the
project's own error (``grader.errors``) and becomes a "try again in a minute" answer and a log line.

Stages of ``submit`` in order: who → which assignment → which repository → seen before? → deadline →
ownership (GitHub) → pin and store (one transaction, committed before the bot answers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grader.collect import submit_link
from grader.course import CourseFolder
from grader.errors import AccessDeniedError, LinkError, NotFoundError, RateLimitedError
from grader.github import RepoRef, parse_repo_link
from grader.policy.lateness import days_late, late_multiplier
from grader.roster import CODE_ALPHABET, hash_code
from grader.store.db import session_scope
from grader.store.models import Registration, RegistrationCode, Submission

CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-?[{CODE_ALPHABET}]{{4}}$")
GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
URLISH = re.compile(r"^(?:[a-z+]+://|git@|www\.)|^[A-Za-z0-9.-]+\.[a-z]{2,}/", re.I)


class Refused(Exception):
    """A request the bot answers with an explanation instead of doing it.

    ``reason`` is the key of the answer in ``grader.bot.texts``; ``fields`` fill it. Never leaves grader.bot.
    """

    def __init__(self, reason: str, **fields: Any) -> None:
        self.reason = reason
        self.fields = fields
        super().__init__(reason)


class GitHubPort(Protocol):
    """The part of ``grader.github.GitHub`` the bot uses."""

    def pin_head(self, repo: RepoRef) -> Any: ...

    def can_submit(self, repo: RepoRef, login: str) -> bool: ...


@dataclass(frozen=True)
class Student:
    """A registered student as the bot knows them."""

    student_id: str
    telegram_id: int
    github_login: str
    language: str


@dataclass(frozen=True)
class Registered:
    """status: 'registered' (new link), 'login_updated' (same account and code, new GitHub login)."""

    status: str
    student_id: str
    github_login: str


@dataclass(frozen=True)
class Submitted:
    """A stored submission. ``duplicate``: this very message had been stored before (a redelivery)."""

    assignment: str
    repo_full_name: str
    repo_url: str
    commit_sha: str
    received_at: datetime
    deadline: datetime | None
    days_late: float
    multiplier: float
    replaced: bool
    duplicate: bool


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- registration ---------------------------------------------------------------------------------------------
def student_of(course: CourseFolder, telegram_id: int) -> Student | None:
    with session_scope(course.database_url) as session:
        row = session.scalar(select(Registration).where(Registration.telegram_id == telegram_id))
        if row is None:
            return None
        return Student(row.student_id, row.telegram_id, row.github_login, row.language)


def require_student(course: CourseFolder, telegram_id: int) -> Student:
    student = student_of(course, telegram_id)
    if student is None:
        raise Refused("not_registered")
    return student


def clean_login(text: str) -> str:
    """'@login', 'github.com/login' and 'https://github.com/login/' all mean 'login'."""
    login = text.strip().removeprefix("@").rstrip("/")
    for prefix in ("https://", "http://", "www."):
        login = login.removeprefix(prefix)
    if login.lower().startswith("github.com/"):
        login = login.split("/", 1)[1]
    return login


def register(course: CourseFolder, telegram_id: int, code: str, login_text: str, language: str,
             now: datetime | None = None) -> Registered:
    """Link a Telegram account to the roster entry of a one-time code (one account per student and back)."""
    shown = code.strip()[:40]
    normal = shown.upper().replace(" ", "")
    if not CODE.match(normal):
        raise Refused("code_mistyped", code=shown)
    normal = f"{normal.replace('-', '')[:4]}-{normal.replace('-', '')[4:]}"
    login = clean_login(login_text)
    if not GITHUB_LOGIN.match(login):
        raise Refused("bad_login", login=login_text.strip()[:60])
    now = now or datetime.now(UTC)
    try:
        with session_scope(course.database_url) as session:
            entry = session.scalar(select(RegistrationCode).where(RegistrationCode.code_hash == hash_code(normal)))
            if entry is None:
                raise Refused("code_unknown", code=shown)
            mine = session.scalar(select(Registration).where(Registration.telegram_id == telegram_id))
            if mine is not None and mine.student_id != entry.student_id:
                raise Refused("account_taken", student=mine.student_id)
            if entry.used_at is not None:
                if entry.telegram_id != telegram_id or mine is None:
                    raise Refused("code_used")
                mine.github_login, mine.language = login, language
                return Registered("login_updated", entry.student_id, login)
            claimed = session.execute(
                update(RegistrationCode)
                .where(RegistrationCode.student_id == entry.student_id, RegistrationCode.used_at.is_(None))
                .values(used_at=now, telegram_id=telegram_id))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]  # another account won the race
                raise Refused("code_used")
            previous = session.get(Registration, entry.student_id)
            if previous is not None:  # the instructor reissued the code: the new account replaces the old one
                session.delete(previous)
                session.flush()
            session.add(Registration(student_id=entry.student_id, telegram_id=telegram_id, github_login=login,
                                     language=language, registered_at=now))
            return Registered("registered", entry.student_id, login)
    except IntegrityError as exc:  # the same account registered concurrently from two messages
        raise Refused("code_used") from exc


# -- submission -----------------------------------------------------------------------------------------------
def assignment_name(course: CourseFolder, text: str) -> str:
    name = text.strip().lower()
    if name.isdigit():
        name = f"hw{name}"
    if name not in course.settings.assignments:
        raise Refused("unknown_assignment", name=text.strip()[:40], known=", ".join(course.settings.assignments))
    return name


def repository(link: str, hosts: tuple[str, ...]) -> RepoRef:
    try:
        return parse_repo_link(link, hosts)
    except LinkError as exc:
        host = _host_of(link)
        if host and host.removeprefix("www.") not in hosts:
            raise Refused("link_other_host", host=host[:80], hosts=", ".join(hosts)) from exc
        raise Refused("link_bad", why=str(exc)[:300]) from exc


def _host_of(link: str) -> str:
    text = link.strip().strip("<>")
    if not URLISH.match(text):
        return ""
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("@", 1)[-1]
    return re.split(r"[/:?#]", text, maxsplit=1)[0].lower()


def _stored(row: Submission, deadline: datetime | None, course: CourseFolder, *, replaced: bool,
            duplicate: bool) -> Submitted:
    received = _aware(row.received_at)
    late = days_late(received, deadline)
    return Submitted(row.assignment, row.repo_full_name, row.repo_url, row.commit_sha, received, deadline,
                     late, late_multiplier(late, course.settings.late), replaced, duplicate)


def previous_submission(course: CourseFolder, student_id: str, assignment: str,
                        source_key: str | None) -> tuple[Submission | None, Submission | None]:
    """(the submission stored from this very message, the active one) — either may be None."""
    with session_scope(course.database_url) as session:
        same = None
        if source_key is not None:
            same = session.scalar(select(Submission).where(Submission.source_key == source_key))
        active = session.scalar(select(Submission).where(
            Submission.student_id == student_id, Submission.assignment == assignment, Submission.active.is_(True)))
        return same, active


@contextmanager
def github_refusals(repo: RepoRef, instructor: str) -> Iterator[None]:
    """GitHub's answers a student can act on become refusals: missing, private or empty repository, rate limit.
    Other failures (bad credentials, server errors) propagate: "try again in a minute" and a log line."""
    try:
        yield
    except RateLimitedError as exc:
        raise Refused("github_busy", minutes=max(1, int(-(-exc.retry_after // 60)))) from exc
    except NotFoundError as exc:
        if "no commits" in str(exc):
            raise Refused("repo_empty", repo=repo.full_name) from exc
        raise Refused("repo_not_found", repo=repo.full_name, instructor=instructor or "the instructor") from exc
    except AccessDeniedError as exc:
        raise Refused("repo_not_found", repo=repo.full_name, instructor=instructor or "the instructor") from exc


def check_repository(gh: GitHubPort, repo: RepoRef, login: str, instructor: str) -> None:
    """The repository exists, is readable, and belongs to ``login`` (or ``login`` collaborates on it)."""
    with github_refusals(repo, instructor):
        allowed = gh.can_submit(repo, login)
    if not allowed:
        raise Refused("repo_not_yours", repo=repo.full_name, login=login)


def submit(course: CourseFolder, gh: GitHubPort, student: Student, assignment_text: str, link: str,
           received_at: datetime, *, source_key: str | None, hosts: tuple[str, ...] = ("github.com",),
           instructor: str = "") -> Submitted:
    """Validate, pin the head commit and store one submission; idempotent on ``source_key``."""
    assignment = assignment_name(course, assignment_text)
    repo = repository(link, hosts)
    received_at = _aware(received_at)
    deadline = course.settings.deadlines.get(assignment)
    same, active = previous_submission(course, student.student_id, assignment, source_key)
    if same is not None:
        return _stored(same, deadline, course, replaced=False, duplicate=True)
    late = days_late(received_at, deadline)
    if deadline is not None and late > 0:
        if late_multiplier(late, course.settings.late) <= 0:
            raise Refused("deadline_closed", assignment=assignment, deadline=deadline)
        if active is not None and _aware(active.received_at) <= deadline:
            raise Refused("keep_on_time", assignment=assignment, deadline=deadline,
                          sha=active.commit_sha[:7], received=_aware(active.received_at))
    check_repository(gh, repo, student.github_login, instructor)
    with github_refusals(repo, instructor):
        row = pin_and_store(course, gh, student.student_id, assignment, repo, received_at, source_key)
    return _stored(row, deadline, course, replaced=active is not None, duplicate=False)


def pin_and_store(course: CourseFolder, gh: GitHubPort, student_id: str, assignment: str, repo: RepoRef,
                  received_at: datetime, source_key: str | None) -> Submission:
    """Pin the default branch's head and store the submission (the previous one becomes history), through the
    collection issue's one writer of submissions; committed when this returns."""
    return submit_link(course, student_id, assignment, repo.html_url, received_at, source_key=source_key,
                       github=gh)
