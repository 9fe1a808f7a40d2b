"""``submit_link``: pinning, history, idempotency — and lateness decided by the received time only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fakes.github_api import FakeGitHub
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: course, fake, fake_server, released_notebook)
from sqlalchemy import select

from grader.collect import collect_assignment, submit_link
from grader.course import CourseFolder
from grader.errors import AccessDeniedError, GraderError, LinkError, NotFoundError
from grader.policy.lateness import days_late
from grader.store.db import session_scope
from grader.store.models import Submission

ASSIGNMENT = "tiny"
BEFORE_DEADLINE = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)  # the tiny course's deadline: 2026-09-21 23:59 MSK


def _all(course: CourseFolder) -> list[Submission]:
    with session_scope(course.database_url) as session:
        return list(session.scalars(select(Submission).order_by(Submission.id)))


def test_submit_pins_the_head_and_stores_the_received_time(course: CourseFolder, fake: FakeGitHub,
                                                           released_notebook: str) -> None:
    sha = fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    row = submit_link(course, "alice", ASSIGNMENT, "git@github.com:alice/dl.git", BEFORE_DEADLINE)
    assert (row.commit_sha, row.repo_full_name, row.repo_url) == (sha, "alice/dl", "https://github.com/alice/dl")
    assert (row.status, row.active) == ("pinned", True) and row.received_at == BEFORE_DEADLINE
    stored = _all(course)[0]
    assert stored.received_at.replace(tzinfo=stored.received_at.tzinfo or UTC) == BEFORE_DEADLINE
    assert stored.reason == f"pinned the default branch at {sha[:12]}"


def test_resubmitting_replaces_the_active_submission_and_keeps_history(course: CourseFolder, fake: FakeGitHub,
                                                                       released_notebook: str) -> None:
    first = fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", BEFORE_DEADLINE)
    second = fake.push("alice/dl", {"tiny.ipynb": released_notebook.replace("add", "add ")})
    submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", BEFORE_DEADLINE + timedelta(hours=2))
    rows = _all(course)
    assert [(r.commit_sha, r.active) for r in rows] == [(first, False), (second, True)]


def test_the_same_delivery_twice_is_stored_once_without_asking_github_again(
        course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    one = submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", BEFORE_DEADLINE, source_key="u:1")
    fake.reset_counts()
    two = submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", BEFORE_DEADLINE, source_key="u:1")
    assert one.id == two.id and len(_all(course)) == 1 and fake.requests == []


def test_submit_refuses_what_cannot_be_pinned(course: CourseFolder, fake: FakeGitHub) -> None:
    with pytest.raises(LinkError):
        submit_link(course, "alice", ASSIGNMENT, "https://gitlab.com/alice/dl", BEFORE_DEADLINE)
    with pytest.raises(NotFoundError):
        submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/nothing", BEFORE_DEADLINE)
    fake.add_repo("alice/empty")
    with pytest.raises(NotFoundError, match="push your notebook first"):
        submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/empty", BEFORE_DEADLINE)
    with pytest.raises(GraderError, match="time zone"):
        submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", datetime(2026, 9, 1))
    with pytest.raises(GraderError, match="unknown assignment"):
        submit_link(course, "alice", "hw9", "https://github.com/alice/dl", BEFORE_DEADLINE)
    assert _all(course) == []


def test_someone_elses_repository_is_refused_when_the_login_is_checked(course: CourseFolder, fake: FakeGitHub,
                                                                       released_notebook: str) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook})
    with pytest.raises(AccessDeniedError, match="neither owns"):
        submit_link(course, "mallory", ASSIGNMENT, "https://github.com/alice/dl", BEFORE_DEADLINE,
                    github_login="mallory")
    assert submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", BEFORE_DEADLINE,
                       github_login="alice").active


@pytest.mark.parametrize("forged", [datetime(2000, 1, 1, tzinfo=UTC), datetime(2099, 12, 31, tzinfo=UTC)],
                         ids=["past", "future"])
@pytest.mark.parametrize("received, late", [(BEFORE_DEADLINE, False),
                                            (BEFORE_DEADLINE + timedelta(days=3), True)],
                         ids=["on-time", "late"])
def test_a_forged_commit_date_does_not_change_lateness(course: CourseFolder, fake: FakeGitHub,
                                                       released_notebook: str, forged: datetime,
                                                       received: datetime, late: bool) -> None:
    fake.add_repo("alice/dl", {"tiny.ipynb": released_notebook}, date=forged)
    submit_link(course, "alice", ASSIGNMENT, "https://github.com/alice/dl", received)
    collect_assignment(course, ASSIGNMENT)
    stamp = (course.submitted("alice", ASSIGNMENT) / "timestamp.txt").read_text().strip()
    deadline = course.settings.deadlines[ASSIGNMENT]
    assert datetime.fromisoformat(stamp) == received
    assert (days_late(datetime.fromisoformat(stamp), deadline) > 0) is late
