"""``submit_link``: one repository link → a pinned, stored submission; ``store_submissions``: pinned links
stored in one transaction (the bot's ``/submit`` batches pin through ``grader.bot.service`` and store here).

The repository's default-branch head is pinned now; ``received_at`` (the caller's clock when the link
arrived) is stored as the submission time and decides lateness — never a commit date. The previous active
submission of the same student and assignment is deactivated and kept as history. A retried delivery with the
same ``source_key`` (e.g. the Telegram update id) returns the stored submission without asking GitHub again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.exc import IntegrityError

from grader import lifecycle
from grader.collect.pin import PinRequest, pin_links
from grader.course import CourseFolder
from grader.errors import GraderError
from grader.github import GitHub, PinnedCommit, RepoRef, parse_repo_link
from grader.store.db import session_scope
from grader.store.models import Submission


def stored_by_key(course: CourseFolder, source_key: str) -> Submission | None:
    with session_scope(course.database_url) as session:
        row: Submission | None = session.scalar(select(Submission).where(Submission.source_key == source_key))
        return row


def submit_link(course: CourseFolder, student_id: str, assignment: str, link: str, received_at: datetime,
                source_key: str | None = None, *, github: GitHub | None = None,
                github_login: str | None = None) -> Submission:
    """Pin ``link``'s head commit and store it as the student's active submission of ``assignment``.

    ``github_login``, if given, must own the repository or be a collaborator on it (AccessDeniedError
    otherwise). Raises LinkError for a link that is not a repository, NotFoundError for a missing, private
    or empty repository, and the other ``grader.errors`` GitHub errors.
    """
    course.check_assignment(assignment)
    if received_at.tzinfo is None:
        raise GraderError("received_at must carry a time zone (the system's clock, e.g. datetime.now(UTC))")
    if source_key is not None:
        existing = stored_by_key(course, source_key)
        if existing is not None:
            return existing
    gh = github or GitHub.from_course(course)
    settings = getattr(gh, "settings", None)  # the bot may hand in any object with pin_head and can_submit
    ref = parse_repo_link(link, settings.hosts if settings is not None else ("github.com",))
    try:
        pin = pin_links(gh, [PinRequest(ref, github_login)])[0]
    finally:
        if github is None:
            gh.close()
    if isinstance(pin, Exception):
        raise pin
    new = NewSubmission(student_id, assignment, ref, pin, received_at, source_key)
    try:
        return store_submissions(course, [new])[0]
    except IntegrityError:
        if source_key is not None:  # the same delivery, stored by a concurrent call
            again = stored_by_key(course, source_key)
            if again is not None:
                return again
        raise


@dataclass(frozen=True)
class NewSubmission:
    """A pinned link, ready to be stored."""

    student_id: str
    assignment: str
    ref: RepoRef
    pin: PinnedCommit
    received_at: datetime
    source_key: str | None = None


def store_submissions(course: CourseFolder, new: list[NewSubmission]) -> list[Submission]:
    """Store pinned links in one transaction, in order: each becomes its student's active submission of its
    assignment, and the one before it history. Raises IntegrityError (nothing stored) if a ``source_key`` is
    stored already."""
    rows = [Submission(student_id=n.student_id, assignment=n.assignment, repo_url=n.ref.html_url,
                       repo_full_name=n.ref.full_name, commit_sha=n.pin.sha,
                       received_at=n.received_at.astimezone(UTC), active=True, status="pinned",
                       reason=f"pinned the default branch at {n.pin.sha[:12]}", source_key=n.source_key) for n in new]
    latest: dict[tuple[str, str], Submission] = {}
    for row in rows:
        before = latest.get((row.student_id, row.assignment))
        if before is not None:
            before.active = False
        latest[(row.student_id, row.assignment)] = row
    with session_scope(course.database_url) as session:
        session.execute(update(Submission)
                        .where(tuple_(Submission.student_id, Submission.assignment).in_(list(latest)),
                               Submission.active.is_(True))
                        .values(active=False), execution_options={"synchronize_session": False})
        session.add_all(rows)
        session.flush()
        for row in rows:
            lifecycle.record(session, row.id, "received", params={"sha": row.commit_sha}, at=row.received_at)
    return rows
