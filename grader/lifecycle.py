"""One life per submission: its states, the allowed transitions, and the record of each (table
``submission_events``, one row per transition, written before anything acts on it).

    received ──► fetched ──► graded         (after the deadline: the hidden tests too)
        │           │   ├──► checked ──► graded / grade_failed
        │           │   │    (before the deadline, ``grader serve``: the visible tests ran; code: their run's status)
        │           │   └──► grade_failed   (code: timeout | kernel_died | memory_limit | tampering |
        │           │                              invalid_notebook | missing | waiting_gpu)
        │           └──► fetch_failed       (code: the collector's kind: repo_gone | no_access | too_large |
        ├──► fetch_failed                          notebook_missing | notebook_not_json | notebook_other_assignment …)
        └──► fetch_retry                    (GitHub unreachable, the batch stopped: retried, never zeroed)

A failure (``fetch_failed``, ``grade_failed`` but a wait for a GPU) also writes a message to the student's
outbox in the same transaction (``grader.outbox`` delivers it). A refused link (``grader.collect.intake``)
never becomes a submission: the bot answers the refusal and the
previous submission stays active. Any state may go back to ``fetched`` (collected again) or ``fetch_retry``;
``received`` may go straight to grading (a submission laid out by hand in ``submitted/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Submission, SubmissionEvent
from grader.timeutil import aware

STATES = ("received", "fetched", "fetch_failed", "fetch_retry", "checked", "graded", "grade_failed")
NEXT: dict[str | None, frozenset[str]] = {
    None: frozenset(STATES),  # a submission stored before its life was recorded starts wherever it is
    "received": frozenset({"fetched", "fetch_failed", "fetch_retry", "graded", "grade_failed"}),
    "fetch_retry": frozenset({"fetched", "fetch_failed", "fetch_retry"}),
    "fetch_failed": frozenset({"fetched", "fetch_failed", "fetch_retry"}),
    "fetched": frozenset({"fetched", "fetch_failed", "fetch_retry", "checked", "graded", "grade_failed"}),
    "checked": frozenset({"fetched", "fetch_failed", "fetch_retry", "checked", "graded", "grade_failed"}),
    "graded": frozenset({"fetched", "fetch_failed", "fetch_retry", "graded", "grade_failed"}),
    "grade_failed": frozenset({"fetched", "fetch_failed", "fetch_retry", "graded", "grade_failed"}),
}


# failures the student is told of at once (grader.outbox), with what to do; not the waits that are ours
TOLD = frozenset({"fetch_failed", "grade_failed"})
SILENT = frozenset({"waiting_gpu"})


class TransitionError(ValueError):
    """A transition the life of a submission does not allow (a programming error, never a student's)."""


@dataclass(frozen=True)
class Event:
    """One recorded transition."""

    submission_id: int
    state: str
    at: datetime
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)


def _event(row: SubmissionEvent) -> Event:
    try:
        params = json.loads(row.params or "{}")
    except ValueError:
        params = {}
    return Event(row.submission_id, row.state, aware(row.at) or row.at, row.code or "",
                 params if isinstance(params, dict) else {})


def _latest(session: Session, submission_ids: list[int]) -> dict[int, Event]:
    out: dict[int, Event] = {}
    if not submission_ids:
        return out
    query = (select(SubmissionEvent).where(SubmissionEvent.submission_id.in_(submission_ids))
             .order_by(SubmissionEvent.id))
    for row in session.scalars(query):
        out[row.submission_id] = _event(row)
    return out


def record(session: Session, submission_id: int, state: str, code: str = "",
           params: dict[str, Any] | None = None, at: datetime | None = None) -> Event:
    """Write one transition in ``session`` (the caller's transaction: with the change it describes).
    Raises TransitionError for a state the submission cannot enter from where it is."""
    if state not in STATES:
        raise TransitionError(f"unknown state {state!r}; states: {', '.join(STATES)}")
    current = _latest(session, [submission_id]).get(submission_id)
    if state not in NEXT[current.state if current else None]:
        raise TransitionError(f"submission {submission_id}: {current.state if current else 'nothing'} → {state} "
                              "is not a transition of its life")
    when = at or datetime.now(UTC)
    session.add(SubmissionEvent(submission_id=submission_id, state=state, code=code[:64],
                                params=json.dumps(params or {}, ensure_ascii=False, default=str)[:2000], at=when))
    if state in TOLD and code not in SILENT:
        submission = session.get(Submission, submission_id)
        if submission is not None and submission.active:
            session.add(OutboxMessage(submission_id=submission_id, student_id=submission.student_id,
                                      assignment=submission.assignment, state=state, created_at=when))
    return Event(submission_id, state, when, code, dict(params or {}))


def move(url: str, submission_id: int, state: str, code: str = "", params: dict[str, Any] | None = None) -> Event:
    """``record`` in a transaction of its own."""
    with session_scope(url) as session:
        return record(session, submission_id, state, code, params)


def latest_in(session: Session, submission_ids: list[int]) -> dict[int, Event]:
    """``latest`` in the caller's session."""
    return _latest(session, submission_ids)


def latest(url: str, submission_ids: list[int]) -> dict[int, Event]:
    """The current state of each submission (absent: nothing recorded, e.g. stored before this module)."""
    with session_scope(url) as session:
        return _latest(session, submission_ids)


def history(url: str, submission_id: int) -> list[Event]:
    """Every transition of one submission, oldest first."""
    with session_scope(url) as session:
        rows = session.scalars(select(SubmissionEvent).where(SubmissionEvent.submission_id == submission_id)
                               .order_by(SubmissionEvent.id))
        return [_event(row) for row in rows]


def active_states(url: str, student_id: str) -> dict[str, Event]:
    """The current state of a student's active submissions, by assignment."""
    with session_scope(url) as session:
        ids = {row.id: row.assignment for row in session.scalars(select(Submission).where(
            Submission.student_id == student_id, Submission.active.is_(True)))}
        return {ids[sid]: event for sid, event in _latest(session, list(ids)).items()}
