"""The pipeline's stages for one submission, as plain synchronous functions (the loop runs them in threads;
the grading itself runs in a worker process or on a Dask worker).

Each stage ends with one recorded transition (``grader.lifecycle``) written in the same transaction as its
result and the student's message (``grader.outbox``), so a crash at any point leaves the submission in the
state before the stage (done again) or after it (never done twice):

    fetch    ``grader.collect.batch.collect_submission``             → fetched | fetch_failed | fetch_retry
    check    the release's visible tests (``grader.autograde.visible``) → checked, the student told which passed
    grade    the whole assignment, hidden tests included               → graded | grade_failed, feedback written
    announce a released assignment's grades, once per submission     → a message with the result
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from grader import lifecycle
from grader.autograde.orchestrate import course_cell_timeout, plan
from grader.autograde.record import record_outcome
from grader.autograde.records import Job, JobOutcome
from grader.autograde.visible import VisibleReport
from grader.course import CourseFolder
from grader.errors import GraderError
from grader.lifecycle import latest_in
from grader.serve.queue import Work
from grader.store.db import session_scope
from grader.store.models import OutboxMessage, Submission, VisibleCheck
from grader.timeutil import aware

log = logging.getLogger("grader.serve")


def grading_job(course: CourseFolder, work: Work, wall_seconds: float) -> Job | None:
    """The sandboxed job for ``work`` (the same job as ``grader autograde``); None when the submission folder
    is gone (it is fetched again)."""
    if not course.submitted(work.student, work.assignment).is_dir():
        return None
    jobs, _ = plan(course, work.assignment, [work.student], force=True, sandbox=True, wall_seconds=wall_seconds,
                   cell_timeout=course_cell_timeout(course))
    return jobs[0] if jobs else None


def still_active(course: CourseFolder, work: Work) -> bool:
    """Whether ``work``'s submission is still the student's active one (a newer one may have replaced it while
    it ran: its result is then not recorded)."""
    with session_scope(course.database_url) as session:
        row = session.get(Submission, work.submission_id)
        return bool(row is not None and row.active)


def refetch(course: CourseFolder, work: Work) -> None:
    """The submission's folder is gone (deleted by hand): fetch it again."""
    lifecycle.move(course.database_url, work.submission_id, "fetch_retry", "temporary")


def finish_check(course: CourseFolder, work: Work, report: VisibleReport) -> bool:
    """Keep a visible run's report and owe the student its message, with the ``checked`` transition, in one
    transaction; False when the submission was replaced meanwhile (nothing recorded, nothing sent)."""
    when = datetime.now(UTC)
    with session_scope(course.database_url) as session:
        row = session.get(Submission, work.submission_id)
        if row is None or not row.active:
            return False
        check = session.get(VisibleCheck, work.submission_id)
        if check is None:
            check = VisibleCheck(submission_id=work.submission_id)
            session.add(check)
        check.status, check.tests, check.checked_at = report.status, report.to_json(), when
        lifecycle.record(session, work.submission_id, "checked", report.status,
                         {"passed": report.passed, "total": report.passed + len(report.failed)}, at=when)
        session.add(OutboxMessage(submission_id=row.id, student_id=row.student_id, assignment=row.assignment,
                                  state="checked", created_at=when))
    return True


def visible_report(course: CourseFolder, submission_id: int) -> VisibleReport | None:
    with session_scope(course.database_url) as session:
        row = session.get(VisibleCheck, submission_id)
        return VisibleReport.from_json(row.tests) if row is not None else None


def write_feedback(course: CourseFolder, work: Work) -> None:
    """The student's feedback page from the autograded notebook (``grader feedback`` for one student)."""
    from grader.feedback import generate_feedback

    try:
        generate_feedback(course, work.assignment, [work.student])
    except GraderError as exc:  # the grade stands; 'grader feedback' can make the page again
        log.warning("feedback for %s/%s not written: %s", work.student, work.assignment, exc)


def finish_grade(course: CourseFolder, work: Work, outcome: JobOutcome) -> bool:
    """Record a full grading (gradebook, autograded notebook, the life's transition, a failure's message) and
    write the student's feedback page; False when the submission was replaced meanwhile (nothing recorded)."""
    if not still_active(course, work):
        return False
    record_outcome(course, outcome)
    if course.autograded(work.student, work.assignment).is_dir():
        write_feedback(course, work)  # a crash before this: work.py finds the page missing and makes it
    return True


def announce_released(course: CourseFolder, released: dict[str, datetime], now: datetime | None = None) -> int:
    """One message per graded active submission of each assignment whose grades are out (``released``: the
    moment of each release), never twice; returns how many were written. A failure's own message already
    carries the result when it was written after the release, or is still to be sent (composed when sent)."""
    if not released:
        return 0
    when = now or datetime.now(UTC)
    written = 0
    with session_scope(course.database_url) as session:
        rows = list(session.scalars(select(Submission).where(
            Submission.active.is_(True), Submission.assignment.in_(list(released)))))
        told: set[int] = set()
        for message in session.scalars(select(OutboxMessage).where(
                OutboxMessage.submission_id.in_([r.id for r in rows]),
                OutboxMessage.state.in_(("released", "grade_failed")))):
            at = aware(message.created_at) or when
            if message.state == "released" or message.sent_at is None or at >= released[message.assignment]:
                told.add(message.submission_id)
        states = latest_in(session, [r.id for r in rows if r.id not in told])
        for row in rows:
            event = states.get(row.id)
            if row.id in told or event is None or event.state not in ("graded", "grade_failed"):
                continue
            if event.code == "waiting_gpu":
                continue
            session.add(OutboxMessage(submission_id=row.id, student_id=row.student_id, assignment=row.assignment,
                                      state="released", created_at=when))
            written += 1
    return written
