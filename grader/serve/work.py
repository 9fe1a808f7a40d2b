"""What waits to be done, read from the database: one ``Work`` per active submission of a released assignment
whose life (``grader.lifecycle``) is not finished.

    received, or nothing recorded yet      → fetch
    fetch_retry (GitHub unreachable, …)    → fetch again, ``ServeSettings.fetch_retry_after`` seconds later
    fetched, before the student's deadline → check   (the release's visible tests only)
    fetched or checked, deadline passed    → grade   (the hidden tests too: the final submission)
    grade_failed waiting for a GPU         → grade   (when a GPU worker is there)
    graded or grade_failed, no feedback    → feedback (the grader stopped between the grade and its page)
    fetch_failed, graded, other failures   → nothing (the student was told; a new submission starts a new life)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from grader.collect.releases import is_released
from grader.course import CourseFolder
from grader.extensions import deadline_for
from grader.lifecycle import latest_in
from grader.serve.queue import Work
from grader.store.db import session_scope
from grader.store.models import Submission
from grader.timeutil import aware


def stage_of(state: str | None, code: str, due: bool, *, visible_checks: bool,
             feedback_missing: bool = False) -> str | None:
    """The stage a submission in ``state`` waits for (None: nothing to do)."""
    if state in (None, "received", "fetch_retry"):
        return "fetch"
    if state in ("fetched", "checked") and due:
        return "grade"
    if state == "fetched" and visible_checks:
        return "check"
    if state == "grade_failed" and code == "waiting_gpu":
        return "grade"
    if state in ("graded", "grade_failed") and feedback_missing:
        return "feedback"
    return None


def feedback_missing(course: CourseFolder, student: str, assignment: str) -> bool:
    """An autograded notebook without its feedback page (or with one older than it)."""
    graded = course.autograded(student, assignment)
    pages = course.root / "feedback" / student / assignment
    if not graded.is_dir():
        return False
    newest = max((p.stat().st_mtime for p in graded.glob("*.ipynb")), default=0.0)
    made = min((p.stat().st_mtime for p in pages.glob("*.html")), default=0.0) if pages.is_dir() else 0.0
    return made < newest


def released_assignments(course: CourseFolder) -> frozenset[str]:
    """The assignments handed out to students (``grader release`` ran): only their submissions are worked on."""
    return frozenset(hw for hw in course.settings.assignments if is_released(course, hw))


def waiting_work(course: CourseFolder, now: datetime, *, retry_after: float, visible_checks: bool,
                 gpu_assignments: frozenset[str] = frozenset(), released: frozenset[str] | None = None) -> list[Work]:
    """Every item that can start now (a fetch retried too early is left out until its time). ``released``: the
    caller's copy of ``released_assignments`` (asked here when not given)."""
    released = released_assignments(course) if released is None else released
    with session_scope(course.database_url) as session:
        rows = [(r.id, r.student_id, r.assignment, aware(r.received_at), r.status) for r in session.scalars(
            select(Submission).where(Submission.active.is_(True)))]
        states = latest_in(session, [r[0] for r in rows])
    out: list[Work] = []
    for submission_id, student, assignment, received, status in rows:
        if assignment not in released:
            continue
        event = states.get(submission_id)
        state = event.state if event is not None else {"collected": "fetched", "failed": "fetch_failed"}.get(status)
        deadline = deadline_for(course, student, assignment)
        due = deadline is None or now >= deadline
        missing = state in ("graded", "grade_failed") and feedback_missing(course, student, assignment)
        stage = stage_of(state, event.code if event is not None else "", due, visible_checks=visible_checks,
                         feedback_missing=missing)
        if stage is None:
            continue
        since = event.at if event is not None else received
        if state == "fetch_retry" and now - since < timedelta(seconds=retry_after):
            continue
        out.append(Work(submission_id, student, assignment, stage, since,
                        gpu=stage == "grade" and assignment in gpu_assignments))
    return out
