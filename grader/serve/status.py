"""How ``grader serve`` is doing, for ``grader serve status`` and the instructor's /queue: the pipeline writes a
heartbeat on every look at the queue; ``snapshot`` reads it with the last failures from the submissions' lives.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from grader.course import CourseFolder
from grader.store.db import session_scope
from grader.store.models import ServeHeartbeat, Submission, SubmissionEvent
from grader.timeutil import aware

FAILED_STATES = ("fetch_failed", "grade_failed", "fetch_retry")


@dataclass(frozen=True)
class InFlight:
    """A stage running now."""

    submission_id: int
    student: str
    assignment: str
    stage: str
    started: datetime
    gpu: bool = False


@dataclass
class Heartbeat:
    pid: int
    alive: bool
    started: datetime
    updated: datetime
    grade_slots: int
    gpu_slots: int
    workers: str
    in_flight: list[InFlight] = field(default_factory=list)
    waiting: int = 0
    oldest: datetime | None = None
    done: int = 0


@dataclass(frozen=True)
class Failure:
    student: str
    assignment: str
    state: str
    code: str
    at: datetime


@dataclass
class Snapshot:
    heartbeat: Heartbeat | None
    failures: list[Failure]
    now: datetime

    @property
    def running(self) -> bool:
        """The service is up: alive at its last heartbeat, and that heartbeat recent."""
        hb = self.heartbeat
        return bool(hb and hb.alive and (self.now - hb.updated).total_seconds() < 120)


def _json_default(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def write_heartbeat(course: CourseFolder, beat: Heartbeat) -> None:
    data = json.dumps(asdict(beat), default=_json_default)
    with session_scope(course.database_url) as session:
        row = session.get(ServeHeartbeat, 1)
        if row is None:
            row = ServeHeartbeat(id=1)
            session.add(row)
        row.pid, row.alive, row.updated_at, row.state = beat.pid, beat.alive, beat.updated, data


def _when(text: str | None) -> datetime | None:
    return aware(datetime.fromisoformat(text)) if text else None


def read_heartbeat(course: CourseFolder) -> Heartbeat | None:
    with session_scope(course.database_url) as session:
        row = session.get(ServeHeartbeat, 1)
        if row is None:
            return None
        data = json.loads(row.state or "{}")
    flights = [InFlight(f["submission_id"], f["student"], f["assignment"], f["stage"],
                        _when(f["started"]) or datetime.now(UTC), bool(f.get("gpu")))
               for f in data.get("in_flight", [])]
    return Heartbeat(pid=int(data.get("pid", 0)), alive=bool(data.get("alive")),
                     started=_when(data.get("started")) or datetime.now(UTC),
                     updated=_when(data.get("updated")) or datetime.now(UTC),
                     grade_slots=int(data.get("grade_slots", 0)), gpu_slots=int(data.get("gpu_slots", 0)),
                     workers=str(data.get("workers", "")), in_flight=flights, waiting=int(data.get("waiting", 0)),
                     oldest=_when(data.get("oldest")), done=int(data.get("done", 0)))


def last_failures(course: CourseFolder, count: int) -> list[Failure]:
    with session_scope(course.database_url) as session:
        rows = session.execute(
            select(SubmissionEvent, Submission.student_id, Submission.assignment)
            .join(Submission, Submission.id == SubmissionEvent.submission_id)
            .where(SubmissionEvent.state.in_(FAILED_STATES))
            .order_by(SubmissionEvent.id.desc()).limit(count))
        return [Failure(student, assignment, event.state, event.code or "", aware(event.at) or event.at)
                for event, student, assignment in rows]


def snapshot(course: CourseFolder, failures: int = 5, now: datetime | None = None) -> Snapshot:
    return Snapshot(read_heartbeat(course), last_failures(course, failures), now or datetime.now(UTC))


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def render(snap: Snapshot) -> str:
    """The instructor's view (English), a few lines."""
    hb, now = snap.heartbeat, snap.now
    if hb is None:
        return "grader serve has never run for this course (start it with 'grader serve')."
    state = (f"running (pid {hb.pid}, up {_ago((now - hb.started).total_seconds())})" if snap.running
             else f"NOT running (last seen {_ago((now - hb.updated).total_seconds())} ago)")
    lines = [f"grader serve: {state}",
             f"workers: {hb.grade_slots} grading slot(s), {hb.gpu_slots} with a GPU ({hb.workers})",
             f"queue: {hb.waiting} waiting" + (f", oldest for {_ago((now - hb.oldest).total_seconds())}"
                                               if hb.oldest else ""),
             f"in flight: {len(hb.in_flight)}; done since start: {hb.done}" if snap.running else
             f"in flight when last seen: {len(hb.in_flight)} (started again, they run again); done: {hb.done}"]
    for flight in sorted(hb.in_flight, key=lambda f: f.started) if snap.running else []:
        lines.append(f"  {flight.stage:<8} {flight.student}/{flight.assignment}"
                     f"{' (GPU)' if flight.gpu else ''} for {_ago((now - flight.started).total_seconds())}")
    if snap.failures:
        lines.append("last failures:")
        for failure in snap.failures:
            lines.append(f"  {failure.at:%Y-%m-%d %H:%M} {failure.student}/{failure.assignment}: {failure.state}"
                         + (f" ({failure.code})" if failure.code else ""))
    return "\n".join(lines)
