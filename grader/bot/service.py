"""What the bot's commands do, as plain synchronous functions over the course database and the GitHub boundary.

Handlers call these in a worker thread and turn the result into text. A request the system will not accept
raises ``Refused`` (its ``reason`` picks the answer); a failure of GitHub or the database propagates as the
project's own error (``grader.errors``) and becomes a "try again in a minute" answer and a log line.

``/submit`` goes through ``submit_many``: the submissions that arrive while one batch is being stored go
together in the next (one read and one write of the database, one GitHub request per repository); its stages
are listed there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grader import lifecycle
from grader.collect import NewSubmission, store_submissions, stored_by_key
from grader.collect.intake import Accepted, check_submission, release_of
from grader.collect.pin import PinRequest, pin_links
from grader.collect.releases import is_released
from grader.course import CourseFolder
from grader.errors import AccessDeniedError, GraderError, LinkError, NotFoundError, NotOwnerError, RateLimitedError
from grader.extensions import deadline_for
from grader.github import PinnedCommit, RepoRef, parse_repo_link
from grader.policy.lateness import days_late, late_multiplier
from grader.roster import CODE_ALPHABET, hash_code
from grader.store.db import session_scope
from grader.store.models import Registration, RegistrationCode, Submission
from grader.timeutil import aware

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

    # and, for the notebook check at intake: tree(repo, sha) and read(repo, entry), as grader.github.GitHub


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
class StoredSubmission:
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
    checked: bool = True  # False: GitHub did not answer the notebook check; collection checks it again




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
            duplicate: bool) -> StoredSubmission:
    received = aware(row.received_at)
    late = days_late(received, deadline)
    return StoredSubmission(row.assignment, row.repo_full_name, row.repo_url, row.commit_sha, received, deadline,
                     late, late_multiplier(late, course.settings.late), replaced, duplicate)


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


def as_refusal(error: Exception, repo: RepoRef, login: str | None, instructor: str) -> Exception:
    """A pinning error (``grader.collect.pin``) as the student's refusal where they can act on it."""
    if isinstance(error, NotOwnerError):
        return Refused("repo_not_yours", repo=repo.full_name, login=login)
    try:
        with github_refusals(repo, instructor):
            raise error
    except Exception as translated:  # noqa: BLE001 (the refusal, or the error itself)
        return translated


def pin_one(gh: GitHubPort, repo: RepoRef, login: str | None, instructor: str) -> PinnedCommit:
    """The repository exists, is readable, belongs to ``login`` (unless None), and its head, pinned; raises the
    refusal the student gets otherwise."""
    pin = pin_links(gh, [PinRequest(repo, login)])[0]
    if isinstance(pin, Exception):
        raise as_refusal(pin, repo, login, instructor)
    return pin


@dataclass(frozen=True)
class SubmitRequest:
    """One ``/submit`` as the bot received it."""

    telegram_id: int
    assignment_text: str
    link: str
    received_at: datetime
    source_key: str | None = None  # "tg:<update_id>": a redelivered update is answered, not stored again


@dataclass(frozen=True)
class _Checked:
    """A request that passed the checks that need no GitHub."""

    index: int
    student: Student
    assignment: str
    repo: RepoRef
    received_at: datetime
    deadline: datetime | None
    source_key: str | None


@dataclass
class _Known:
    """What the database says about a batch, read once: who sent it, what was stored from these very updates,
    and each student's active submissions as (received_at, commit) by (student, assignment)."""

    students: dict[int, Student]
    stored: dict[str, Submission]
    active: dict[tuple[str, str], tuple[datetime, str]]
    released: dict[str, bool] = field(default_factory=dict)  # asked once per assignment and batch


def submit(course: CourseFolder, gh: GitHubPort, request: SubmitRequest, *, hosts: tuple[str, ...] = ("github.com",),
           instructor: str = "") -> StoredSubmission:
    """One submission: ``submit_many`` with a batch of one; raises its refusal or error."""
    result = submit_many(course, gh, [request], hosts=hosts, instructor=instructor)[0]
    if isinstance(result, Exception):
        raise result
    return result


def submit_many(course: CourseFolder, gh: GitHubPort, requests: list[SubmitRequest], *,
                hosts: tuple[str, ...] = ("github.com",), instructor: str = "",
                pool: Executor | None = None) -> list[StoredSubmission | Exception]:
    """Validate, pin and store a batch of submissions in arrival order; each gets its own answer: what it would
    have got alone (a ``StoredSubmission``, or the ``Refused`` or error it would have raised). Idempotent on
    ``source_key``. A failure of the database fails the whole batch (raised).

    Stages, in order: who → which assignment (released?) → which repository → seen before? (one read of the
    database for the batch) → deadline → ownership and pin (GitHub: each repository once, ``pool`` runs several
    at a time) → the homework's notebook at the pinned commit (``grader.collect.intake``: one git fetch per
    repository and commit, kept for ``grader collect``; a refused link never replaces the active submission;
    GitHub unreachable: kept as received, checked again at collection) → deadline again (an earlier
    submission of the batch may now be the active one) → store (one transaction,
    committed before this returns, so nothing answered is lost)."""
    results: list[StoredSubmission | Exception | None] = [None] * len(requests)
    known = _known(course, requests)
    checked: list[_Checked] = []
    for index, request in enumerate(requests):
        try:
            item = _check(course, known, index, request, hosts)
        except Refused as refusal:
            results[index] = refusal
            continue
        if isinstance(item, StoredSubmission):
            results[index] = item
        else:
            checked.append(item)
    pins = _pin_all(gh, checked, instructor, pool)
    intake, unchecked = _intake_all(course, gh, checked, pins, pool)
    active = dict(known.active)
    ready: list[tuple[_Checked, PinnedCommit, bool]] = []
    for item in checked:
        pin = pins[item.index]
        key = (item.student.student_id, item.assignment)
        try:
            if isinstance(pin, Exception):
                raise pin
            refusal = intake.get(item.index)
            if refusal is not None:
                raise refusal
            _check_deadline(course, item.assignment, item.deadline, item.received_at, active.get(key))
        except Exception as exc:  # noqa: BLE001 (each request gets its own refusal or error)
            results[item.index] = exc
            continue
        ready.append((item, pin, key in active))
        active[key] = (item.received_at, pin.sha)
    stored = _store(course, ready)
    _record_unchecked(course, [row for (item, _, _), (row, duplicate) in zip(ready, stored, strict=True)
                               if item.index in unchecked and not duplicate])
    for (item, _, replaced), (row, duplicate) in zip(ready, stored, strict=True):
        results[item.index] = replace(_stored(row, item.deadline, course, replaced=replaced and not duplicate,
                                              duplicate=duplicate), checked=item.index not in unchecked)
    answered = [r for r in results if r is not None]
    assert len(answered) == len(requests), "every request of the batch gets its answer"
    return answered


def _known(course: CourseFolder, requests: list[SubmitRequest]) -> _Known:
    ids = {r.telegram_id for r in requests}
    keys = [r.source_key for r in requests if r.source_key is not None]
    with session_scope(course.database_url) as session:
        students = {row.telegram_id: Student(row.student_id, row.telegram_id, row.github_login, row.language)
                    for row in session.scalars(select(Registration).where(Registration.telegram_id.in_(ids)))}
        stored = {str(row.source_key): row for row in session.scalars(
            select(Submission).where(Submission.source_key.in_(keys)))} if keys else {}
        active = {(row.student_id, row.assignment): (aware(row.received_at), row.commit_sha)
                  for row in session.scalars(select(Submission).where(
                      Submission.student_id.in_({s.student_id for s in students.values()}),
                      Submission.active.is_(True)))}
    return _Known(students, stored, active)


def _check(course: CourseFolder, known: _Known, index: int, request: SubmitRequest,
           hosts: tuple[str, ...]) -> _Checked | StoredSubmission:
    student = known.students.get(request.telegram_id)
    if student is None:
        raise Refused("not_registered")
    assignment = assignment_name(course, request.assignment_text)
    if known.released.setdefault(assignment, is_released(course, assignment)) is False:
        raise Refused("intake_not_released", assignment=assignment)
    repo = repository(request.link, hosts)
    received_at = aware(request.received_at)
    deadline = deadline_for(course, student.student_id, assignment)  # the student's extension, if any
    same = known.stored.get(request.source_key) if request.source_key is not None else None
    if same is not None:
        return _stored(same, deadline, course, replaced=False, duplicate=True)
    _check_deadline(course, assignment, deadline, received_at, known.active.get((student.student_id, assignment)))
    return _Checked(index, student, assignment, repo, received_at, deadline, request.source_key)


def _check_deadline(course: CourseFolder, assignment: str, deadline: datetime | None, received_at: datetime,
                    active: tuple[datetime, str] | None) -> None:
    """Past the deadline: refused once the late penalty reaches zero, and never replacing an on-time
    submission."""
    late = days_late(received_at, deadline)
    if deadline is None or late <= 0:
        return
    if late_multiplier(late, course.settings.late) <= 0:
        raise Refused("deadline_closed", assignment=assignment, deadline=deadline)
    if active is not None and active[0] <= deadline:
        raise Refused("keep_on_time", assignment=assignment, deadline=deadline, sha=active[1][:7],
                      received=active[0])


def _pin_all(gh: GitHubPort, checked: list[_Checked], instructor: str,
             pool: Executor | None) -> dict[int, PinnedCommit | Exception]:
    """Ownership for each (repository, login) and the head of each repository, asked once per batch
    (``grader.collect.pin``); each request gets the answer for its own repository and login."""
    pins = pin_links(gh, [PinRequest(i.repo, i.student.github_login) for i in checked], pool)
    return {item.index: as_refusal(pin, item.repo, item.student.github_login, instructor)
            if isinstance(pin, Exception) else pin for item, pin in zip(checked, pins, strict=True)}


def _intake_all(course: CourseFolder, gh: GitHubPort, checked: list[_Checked],
                pins: dict[int, PinnedCommit | Exception], pool: Executor | None
                ) -> tuple[dict[int, Refused], set[int]]:
    """The notebook check for each pinned request, once per (repository, commit, assignment): the refusal of
    each refused request (``Refused("intake_<code>")``), and the requests GitHub did not let us check (kept as
    received: ``grader collect`` checks them again, and a failure then reaches the student through the
    outbox)."""
    def one(key: tuple[str, str, str]) -> Refused | None | bool:
        repo, sha, assignment = todo[key]
        try:
            verdict = check_submission(course, gh, repo, sha, assignment, releases[assignment])
        except GraderError:
            return False  # not checked
        if isinstance(verdict, Accepted):
            return None
        return Refused(f"intake_{verdict.code}", **verdict.params)

    todo: dict[tuple[str, str, str], tuple[RepoRef, str, str]] = {}
    for item in checked:
        pin = pins[item.index]
        if isinstance(pin, PinnedCommit):
            todo[(item.repo.full_name.lower(), pin.sha, item.assignment)] = (item.repo, pin.sha, item.assignment)
    releases = {assignment: release_of(course, assignment) for _, _, assignment in todo.values()}
    run = pool.map if pool is not None else map
    verdicts = dict(zip(todo, run(one, list(todo)), strict=True))
    out: dict[int, Refused] = {}
    unchecked: set[int] = set()
    for item in checked:
        pin = pins[item.index]
        if isinstance(pin, PinnedCommit):
            verdict = verdicts[(item.repo.full_name.lower(), pin.sha, item.assignment)]
            if isinstance(verdict, Refused):
                out[item.index] = verdict
            elif verdict is False:
                unchecked.add(item.index)
    return out, unchecked


def _record_unchecked(course: CourseFolder, rows: list[Submission]) -> None:
    """Submissions GitHub did not let us check: ``fetch_retry`` in their life (checked again at collection)."""
    if rows:
        with session_scope(course.database_url) as session:
            for row in rows:
                lifecycle.record(session, row.id, "fetch_retry", "temporary")


def _store(course: CourseFolder, ready: list[tuple[_Checked, PinnedCommit, bool]]) -> list[tuple[Submission, bool]]:
    """One transaction for the batch: (row, whether it had been stored before) for each. If one of its updates
    was stored meanwhile (another process answered a redelivery), each is stored on its own instead."""
    new = [NewSubmission(item.student.student_id, item.assignment, item.repo, pin, item.received_at, item.source_key)
           for item, pin, _ in ready]
    if not new:
        return []
    try:
        return [(row, False) for row in store_submissions(course, new)]
    except IntegrityError:
        pass
    out: list[tuple[Submission, bool]] = []
    for one in new:
        try:
            out.append((store_submissions(course, [one])[0], False))
        except IntegrityError:
            again = stored_by_key(course, one.source_key) if one.source_key is not None else None
            if again is None:
                raise
            out.append((again, True))
    return out
