"""``grader collect hwN``: every active submission of an assignment, fetched at its pinned commit and laid out
in ``submitted/<student>/<hwN>/``.

Stages, in order:
    plan      active rows of the Submission table; skip what is already collected and on disk
    release   the released notebook name(s) and their nbgrader cell ids
    fetch     per submission, in parallel (GitHubSettings.workers) within the shared rate limit:
                  repository check (one conditional API request; none when the commit is cached already)
                  → size check → shallow fetch of the pinned SHA → find the notebook → lay it out
    record    each outcome written to the database as it arrives (a crash loses nothing done)

An outcome is ``collected``, ``failed`` (permanent: repository gone, no access, notebook missing or not JSON,
repository too large; the reason is stored for the report and the bot) or left ``pinned`` (temporary: a GitHub
server error, or the batch stopped at the rate limit) so that the next run picks it up. Nothing is collected
twice: a re-run with nothing new makes no request at all.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select

from grader import lifecycle
from grader.collect import layout
from grader.collect.finder import Found, find_notebook, grade_ids
from grader.collect.releases import is_released, other_ids
from grader.course import CourseFolder
from grader.errors import (
    AccessDeniedError,
    BadCredentialsError,
    CourseError,
    ExternalServiceError,
    GraderError,
    NotFoundError,
    RateLimitedError,
)
from grader.github import GitHub, RepoRef
from grader.store.db import session_scope
from grader.store.models import Submission
from grader.timeutil import aware


@dataclass(frozen=True)
class FetchJob:
    submission_id: int
    student: str
    repo: RepoRef
    sha: str
    received_at: datetime


@dataclass(frozen=True)
class Outcome:
    """What happened to one submission: status collected | failed | pinned (not yet; retried next run)."""

    student: str
    submission_id: int
    status: str
    reason: str
    kind: str = ""  # failure kind: repo_gone | no_access | too_large | notebook_missing | notebook_not_json ...
    notebook: str = ""  # path of the notebook in the repository
    params: dict[str, str] = field(default_factory=dict)  # the kind's details (path, other assignment)


@dataclass
class CollectSummary:
    assignment: str
    planned: int = 0
    skipped: int = 0  # already collected and on disk
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str = ""  # why the batch stopped early (rate limit, bad token), if it did
    retry_after: float | None = None
    api_requests: int = 0
    fetches: int = 0

    @property
    def statuses(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)




@dataclass
class _Release:
    names: list[str]
    ids: dict[str, frozenset[str]]
    others: dict[str, frozenset[str]] = field(default_factory=dict)  # other released assignments' cell ids


def _plan(course: CourseFolder, assignment: str, students: list[str] | None, retry_failed: bool,
          names: list[str]) -> tuple[list[FetchJob], int]:
    jobs, skipped = [], 0
    zone = course.settings.timezone
    with session_scope(course.database_url) as session:
        query = select(Submission).where(Submission.assignment == assignment, Submission.active.is_(True))
        rows = list(session.scalars(query.order_by(Submission.student_id)))
    for row in rows:
        if students and row.student_id not in students:
            continue
        received = aware(row.received_at)
        target = course.submitted(row.student_id, assignment)
        if row.status == "collected" and layout.is_current(target, received, zone, names):
            skipped += 1
            continue
        if row.status == "failed" and not retry_failed:
            skipped += 1
            continue
        owner, _, name = row.repo_full_name.partition("/")
        jobs.append(FetchJob(row.id, row.student_id, RepoRef(owner, name), row.commit_sha, received))
    return jobs, skipped


def _collect_one(course: CourseFolder, gh: GitHub, assignment: str, release: _Release, job: FetchJob) -> Outcome:
    """Fetch, find and lay out one submission. Raises only what stops the batch (rate limit, bad token)."""
    def failed(kind: str, reason: str) -> Outcome:
        layout.withdraw(target)
        return Outcome(job.student, job.submission_id, "failed", reason, kind)

    settings = gh.settings
    target = layout.safe_target(course.root / "submitted", course.submitted(job.student, assignment))
    try:
        if not gh.has_commit(job.repo, job.sha):
            info = gh.repo_info(job.repo)
            if info.size_kb > settings.max_repo_mb * 1024:
                return failed("too_large", f"repository {job.repo} is {info.size_kb / 1024:.0f} MB, over the "
                              f"{settings.max_repo_mb:.0f} MB limit (GitHubSettings.max_repo_mb): keep data and "
                              "checkpoints out of it and submit again")
        entries = gh.tree(job.repo, job.sha)
    except (RateLimitedError, BadCredentialsError):
        raise
    except NotFoundError as exc:
        return failed("repo_gone", f"{exc} (pinned commit {job.sha[:12]})")
    except AccessDeniedError as exc:
        return failed("no_access", str(exc))
    except ExternalServiceError as exc:
        return Outcome(job.student, job.submission_id, "pinned", f"not collected yet: {exc}", "temporary")
    total = sum(e.size or 0 for e in entries if e.is_file)
    if total > settings.max_repo_mb * 2**20:
        return failed("too_large", f"the files at the pinned commit take {total / 2**20:.0f} MB, over the "
                      f"{settings.max_repo_mb:.0f} MB limit (GitHubSettings.max_repo_mb)")
    chosen: dict[str, bytes] = {}
    paths, notes = [], []
    for name in release.names:
        found = find_notebook(entries, lambda e: gh.read(job.repo, e), name, release.ids[name],
                              int(settings.max_notebook_mb * 2**20), release.others)
        if not isinstance(found, Found):
            return replace(failed(found.kind, found.reason),
                           params={k: v for k, v in (("path", found.path), ("other", found.other)) if v})
        chosen[name] = found.content
        paths.append(found.path)
        notes.append(f"{name} ← {found.path}" + (f" ({found.note})" if found.note else ""))
    layout.lay_out(target, course.release(assignment), chosen, job.received_at, course.settings.timezone)
    return Outcome(job.student, job.submission_id, "collected", "; ".join(notes), "", ", ".join(paths))


def _record(course: CourseFolder, outcome: Outcome) -> None:
    with session_scope(course.database_url) as session:
        row = session.get(Submission, outcome.submission_id)
        if row is not None:
            row.status, row.reason = outcome.status, outcome.reason[:2000]
            state = {"collected": "fetched", "failed": "fetch_failed"}.get(outcome.status, "fetch_retry")
            lifecycle.record(session, row.id, state, outcome.kind, _params(outcome))


def _params(outcome: Outcome) -> dict[str, str]:
    """What a student's text needs besides the code (the notebook's path, the assignment it belongs to)."""
    params = {"path": outcome.notebook} if outcome.notebook else {}
    params.update(outcome.params)
    return params


def _release_of(course: CourseFolder, assignment: str) -> _Release:
    names, _ = layout.release_files(course.release(assignment))
    return _Release([n.name for n in names], {n.name: grade_ids(course.release(assignment) / n) for n in names},
                    other_ids(course, assignment))


def collect_submission(course: CourseFolder, gh: GitHub, submission_id: int) -> Outcome | None:
    """Fetch one stored submission now and record its outcome (``grader serve``'s fetch stage); None when the
    submission no longer exists. A rate limit or a bad token is an outcome left ``pinned`` (retried later)."""
    with session_scope(course.database_url) as session:
        row = session.get(Submission, submission_id)
        if row is None:
            return None
        owner, _, name = row.repo_full_name.partition("/")
        assignment = row.assignment
        job = FetchJob(row.id, row.student_id, RepoRef(owner, name), row.commit_sha, aware(row.received_at))
    try:
        outcome = _collect_one(course, gh, assignment, _release_of(course, assignment), job)
    except GraderError as exc:  # a rate limit, a bad token, a fault of ours: never the student's, retried
        outcome = Outcome(job.student, job.submission_id, "pinned", f"not collected yet: {exc}", "temporary")
    _record(course, outcome)
    return outcome


def collect_assignment(course: CourseFolder, assignment: str, *, github: GitHub | None = None,
                       students: list[str] | None = None, workers: int | None = None, retry_failed: bool = False,
                       progress: Callable[[Outcome, int, int], None] | None = None) -> CollectSummary:
    """Collect every active submission of ``assignment``; see the module docstring."""
    course.check_assignment(assignment)
    if not is_released(course, assignment):
        raise CourseError(f"{assignment} is not released: run 'grader release {assignment}' first")
    release = _release_of(course, assignment)
    jobs, skipped = _plan(course, assignment, students, retry_failed, release.names)
    summary = CollectSummary(assignment, planned=len(jobs), skipped=skipped)
    if not jobs:
        return summary
    gh = github or GitHub.from_course(course)
    before, fetches_before = gh.requests, gh.git.fetches
    stop = threading.Event()

    def run(job: FetchJob) -> Outcome:
        if stop.is_set():
            return Outcome(job.student, job.submission_id, "pinned", f"not collected yet: {summary.stopped}",
                           "stopped")
        try:
            return _collect_one(course, gh, assignment, release, job)
        except (RateLimitedError, BadCredentialsError) as exc:
            if not stop.is_set():
                summary.stopped = str(exc)
                summary.retry_after = getattr(exc, "retry_after", None)
                stop.set()
            return Outcome(job.student, job.submission_id, "pinned", f"not collected yet: {exc}", "stopped")
        except GraderError as exc:  # a fault of ours with this one submission: kept for the next run, never zeroed
            return Outcome(job.student, job.submission_id, "pinned", f"not collected yet: {exc}", "error")

    try:
        with ThreadPoolExecutor(max_workers=workers or gh.settings.workers,
                                thread_name_prefix="collect") as pool:
            futures = [pool.submit(run, job) for job in jobs]
            for done, future in enumerate(as_completed(futures), start=1):
                outcome = future.result()
                _record(course, outcome)
                summary.outcomes.append(outcome)
                if progress is not None:
                    progress(outcome, done, len(jobs))
    finally:
        gh.close()
        summary.api_requests = gh.requests - before
        summary.fetches = gh.git.fetches - fetches_before
    summary.outcomes.sort(key=lambda o: o.student)
    return summary
