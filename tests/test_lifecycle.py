"""One life per submission: each transition recorded with its time; the collector and the grader write theirs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader import lifecycle
from grader.collect import NewSubmission, store_submissions
from grader.course import open_course
from grader.github import PinnedCommit, RepoRef


def _stored(tiny_course: Path) -> tuple[str, int]:
    course = open_course(tiny_course)
    ref = RepoRef("alice", "dl")
    now = datetime(2026, 9, 1, 12, tzinfo=UTC)
    row = store_submissions(course, [NewSubmission("alice", "tiny", ref, PinnedCommit(ref, "a" * 40, "HEAD", now),
                                                   now)])[0]
    return course.database_url, row.id


def test_a_stored_submission_starts_received_at_its_received_time(tiny_course: Path) -> None:
    url, sid = _stored(tiny_course)
    [event] = lifecycle.history(url, sid)
    assert event.state == "received" and event.at == datetime(2026, 9, 1, 12, tzinfo=UTC)
    assert event.params == {"sha": "a" * 40}


def test_transitions_are_kept_in_order_with_codes_and_the_latest_is_the_state(tiny_course: Path) -> None:
    url, sid = _stored(tiny_course)
    lifecycle.move(url, sid, "fetch_failed", "notebook_other_assignment", {"path": "hw1/hw1.ipynb", "other": "hw1"})
    lifecycle.move(url, sid, "fetched", params={"path": "tiny.ipynb"})
    lifecycle.move(url, sid, "grade_failed", "timeout")
    states = [(e.state, e.code) for e in lifecycle.history(url, sid)]
    assert states == [("received", ""), ("fetch_failed", "notebook_other_assignment"), ("fetched", ""),
                      ("grade_failed", "timeout")]
    assert lifecycle.latest(url, [sid])[sid].code == "timeout"


def test_a_transition_outside_the_life_is_a_programming_error(tiny_course: Path) -> None:
    url, sid = _stored(tiny_course)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.move(url, sid, "received")
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.move(url, sid, "released")
