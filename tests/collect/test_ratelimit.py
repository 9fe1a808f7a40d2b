"""GitHub's rate limit mid-batch: the collector waits for a near reset, or stops cleanly and resumes later;
nothing is collected twice and nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fakes.github_api import FakeGitHub
from fakes.github_fixtures import *  # noqa: F403 (pytest fixtures: course, fake, fake_server, released_notebook)
from sqlalchemy import select

from grader.collect import collect_assignment, submit_link
from grader.course import CourseFolder
from grader.github import GitHub
from grader.store.db import session_scope
from grader.store.models import Submission

ASSIGNMENT = "tiny"
RECEIVED = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)
STUDENTS = [f"s{i}" for i in range(6)]


@pytest.fixture
def class_submitted(course: CourseFolder, fake: FakeGitHub, released_notebook: str) -> list[str]:
    for student in STUDENTS:
        fake.add_repo(f"{student}/dl", {"tiny.ipynb": released_notebook})
        submit_link(course, student, ASSIGNMENT, f"https://github.com/{student}/dl", RECEIVED)
    (course.root / ".cache" / "github" / "api.json").unlink()  # no ETags: every check costs rate limit
    return STUDENTS


def _statuses(course: CourseFolder) -> dict[str, str]:
    with session_scope(course.database_url) as session:
        return {r.student_id: r.status for r in session.scalars(select(Submission).where(Submission.active))}


def test_an_exhausted_limit_far_from_reset_stops_cleanly_and_the_next_run_resumes(
        course: CourseFolder, fake: FakeGitHub, class_submitted: list[str]) -> None:
    fake.set_rate_limit(3, reset_in=3600)
    first = collect_assignment(course, ASSIGNMENT, github=GitHub.from_course(course), workers=2)
    collected_first = {o.student for o in first.outcomes if o.status == "collected"}
    assert first.stopped and "Run again later" in first.stopped and first.retry_after and first.retry_after > 3000
    assert len(collected_first) == 3
    assert {o.status for o in first.outcomes if o.student not in collected_first} == {"pinned"}
    for student in STUDENTS:  # nothing half-written
        assert course.submitted(student, ASSIGNMENT).exists() is (student in collected_first)

    fake.set_rate_limit(5000)  # the window has reset
    second = collect_assignment(course, ASSIGNMENT, github=GitHub.from_course(course), workers=2)
    collected_second = {o.student for o in second.outcomes if o.status == "collected"}
    assert not second.stopped and second.skipped == 3
    assert collected_first.isdisjoint(collected_second)  # nothing collected twice
    assert collected_first | collected_second == set(STUDENTS)  # nothing lost
    assert _statuses(course) == {s: "collected" for s in STUDENTS}


def test_an_exhausted_limit_with_a_near_reset_is_waited_out(course: CourseFolder, fake: FakeGitHub,
                                                            class_submitted: list[str]) -> None:
    fake.set_rate_limit(2, reset_in=1.5)
    gh = GitHub.from_course(course)
    summary = collect_assignment(course, ASSIGNMENT, github=gh, workers=3)
    assert not summary.stopped and summary.statuses == {"collected": len(STUDENTS)}
    assert gh.gate.waited > 0
    assert fake.count("/repos/", status=403) <= 1  # the gate held the others back instead of hammering
