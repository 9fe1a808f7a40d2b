"""``submit_link``: a student's repository link → a pinned, stored submission (what the bot calls).

The repository's default-branch head is pinned now; ``received_at`` (the caller's clock when the link
arrived) is stored as the submission time and decides lateness — never a commit date. The previous active
submission of the same student and assignment is deactivated and kept as history. A retried delivery with the
same ``source_key`` (e.g. the Telegram update id) returns the stored submission without asking GitHub again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grader.course import CourseFolder
from grader.errors import AccessDeniedError, GraderError
from grader.github import GitHub, parse_repo_link
from grader.store.db import session_scope
from grader.store.models import Submission


def _by_key(course: CourseFolder, source_key: str) -> Submission | None:
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
        existing = _by_key(course, source_key)
        if existing is not None:
            return existing
    gh = github or GitHub.from_course(course)
    settings = getattr(gh, "settings", None)  # the bot may hand in any object with pin_head and can_submit
    ref = parse_repo_link(link, settings.hosts if settings is not None else ("github.com",))
    try:
        if github_login and not gh.can_submit(ref, github_login):
            raise AccessDeniedError(f"{github_login!r} neither owns {ref.full_name} nor is a collaborator on it: "
                                    "submit your own repository")
        pin = gh.pin_head(ref)
    finally:
        if github is None:
            gh.close()
    row = Submission(student_id=student_id, assignment=assignment, repo_url=ref.html_url,
                     repo_full_name=ref.full_name, commit_sha=pin.sha, received_at=received_at.astimezone(UTC),
                     active=True, status="pinned", reason=f"pinned {pin.branch} at {pin.sha[:12]}",
                     source_key=source_key)
    try:
        with session_scope(course.database_url) as session:
            session.execute(update(Submission)
                            .where(Submission.student_id == student_id, Submission.assignment == assignment,
                                   Submission.active.is_(True))
                            .values(active=False))
            session.add(row)
    except IntegrityError:
        if source_key is not None:  # the same delivery, stored by a concurrent call
            again = _by_key(course, source_key)
            if again is not None:
                return again
        raise
    return row
