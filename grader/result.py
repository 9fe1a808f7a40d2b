"""A student's result on one assignment: the one function every view formats (the bot's /status and notify,
the per-student report, the terminal table, CSV, Excel, HTML, the feedback page).

    result_of(outcome, deadline, now, policy, event=None) -> Result          (pure)
    student_results(course, student) -> ({assignment: Result}, GradeBreakdown)   (one student, from the records)

``outcome`` is ``grader.completion.HomeworkOutcome`` (the gradebook's scores, GPU cells left out, lateness, the
autograde record); ``event`` the submission's current state (``grader.lifecycle``), which names a collection
failure by its code. ``status`` and ``reason`` are codes (``STATUSES``; ``reason`` a collector kind or an
autograde status) that each view words in its reader's language (``grader.bot.texts``: ``result_<status>``,
``reason_<code>``). The numbers are the policy's: ``completion`` is what enters H (``None``: not counted yet),
``mark`` its band mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nbgrader.api import Gradebook

from grader.completion import (
    DatabaseRecords,
    HomeworkOutcome,
    database_records,
    grade_inputs,
    homework_outcome,
    outcome_from,
)
from grader.course import CourseFolder
from grader.extensions import deadline_for
from grader.lifecycle import Event, active_states
from grader.policy.grade import GradeBreakdown, GradePolicy, band_mark, grade_class

# not_due:   nothing submitted, the deadline ahead (never "0" before the deadline)
# missing:   nothing submitted and the deadline passed (counts 0)
# received:  submitted, not collected yet (or being retried: GitHub unreachable; never zeroed)
# fetch_failed: the collector could not use it (reason: its kind); the student can fix it and resubmit
# collected: collected, waiting to be graded (also waiting for a GPU worker)
# graded:    graded (pending_manual: a written answer still to be marked, counting 0 until then)
# failed:    grading ended with a failure status (reason); cells that ran keep their points
STATUSES = ("not_due", "missing", "received", "fetch_failed", "collected", "graded", "failed")
WAITING_STATUSES = ("waiting_gpu",)  # autograde statuses that wait for the grader, not for the student


@dataclass(frozen=True)
class Result:
    """One student's result on one assignment. Points are after leaving GPU-skipped cells out of both the score
    and the maximum; ``completion`` is after the late multiplier (what enters H; None: not counted yet)."""

    student: str
    assignment: str
    status: str
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    points: float = 0.0
    max_points: float = 0.0
    completion: float | None = None
    mark: float | None = None
    days_late: float = 0.0
    multiplier: float = 1.0
    pending_manual: tuple[str, ...] = ()
    gpu_skipped: tuple[str, ...] = ()
    deadline: datetime | None = None
    due: bool = True
    received: datetime | None = None
    flags: tuple[str, ...] = ()
    released: bool = True  # the mark may be shown to the student (grader.grade_release); views for students check

    @property
    def counted(self) -> bool:
        """Whether a number stands for this assignment yet (a mark, possibly 0)."""
        return self.mark is not None


def result_of(outcome: HomeworkOutcome, deadline: datetime | None, now: datetime, policy: GradePolicy,
              event: Event | None = None, released: bool = True) -> Result:
    """The result of ``outcome`` at ``now``; see the module docstring. ``released``: whether the student may see
    the mark yet (the numbers are computed either way; the student's views hold them back)."""
    due = deadline is None or now >= deadline
    auto = outcome.autograde
    base: dict[str, Any] = {"student": outcome.student, "assignment": outcome.assignment, "deadline": deadline,
                            "due": due, "days_late": outcome.days_late, "multiplier": outcome.late_multiplier,
                            "received": outcome.received, "flags": auto.flags, "released": released}
    if outcome.status == "graded":
        numbers = {"points": outcome.score, "max_points": outcome.max_score, "completion": outcome.completion,
                   "mark": band_mark(outcome.completion, policy), "pending_manual": outcome.pending,
                   "gpu_skipped": outcome.gpu_skipped}
        if auto.status and auto.status != "graded":
            return Result(status="failed", reason=auto.status, **base, **numbers)
        return Result(status="graded", **base, **numbers)
    if outcome.status == "missing" and not auto.submission_status:
        if not due:
            return Result(status="not_due", **base)
        return Result(status="missing", completion=0.0, mark=band_mark(0.0, policy), **base)
    # submitted, nothing scored yet
    if auto.status in WAITING_STATUSES:
        return Result(status="collected", reason=auto.status, **base)
    if auto.status and auto.status != "graded":  # a failure that left no score (invalid notebook, …)
        return Result(status="failed", reason=auto.status, completion=0.0, mark=band_mark(0.0, policy), **base)
    if auto.submission_status == "failed":
        code = event.code if event is not None and event.state == "fetch_failed" else ""
        params = dict(event.params) if event is not None and event.state == "fetch_failed" else {}
        zero = {"completion": 0.0, "mark": band_mark(0.0, policy)} if due else {}
        return Result(status="fetch_failed", reason=code, params=params, **base, **zero)
    if auto.submission_status == "collected":
        if event is not None and event.state == "checked":  # grader serve ran the visible tests
            code = "checked" if event.code == "graded" else event.code
            return Result(status="collected", reason=code, params=dict(event.params), **base)
        return Result(status="collected", **base)
    code = event.code if event is not None and event.state == "fetch_retry" else ""
    return Result(status="received", reason=code, **base)


def _outcomes(course: CourseFolder, student_id: str, records: DatabaseRecords) -> dict[str, HomeworkOutcome]:
    """Every assignment's outcome, computed as the report computes it (the gradebook is opened only when
    something was graded: opening it costs)."""
    autograde = {hw: records.autograde(student_id, hw) for hw in course.settings.assignments}
    if not any(a.status for a in autograde.values()):
        return {hw: outcome_from(course, student_id, hw, None, a) for hw, a in autograde.items()}
    with Gradebook(course.gradebook_url) as gb:
        return {hw: homework_outcome(course, gb, student_id, hw, a, records.cells.get((student_id, hw)))
                for hw, a in autograde.items()}


def _released(course: CourseFolder, student_id: str, assignment: str, outcome: HomeworkOutcome,
              now: datetime) -> bool:
    """Whether the student may see this assignment's mark (asked only when there is one to show). Under the
    default policy (``deadline``) a mark is shown once it exists: ``grader serve`` grades with the hidden tests
    only after the student's deadline, and a batch run earlier is the instructor's own choice; the other
    policies hold it back until the release (``grader.grade_release``)."""
    if outcome.status != "graded":
        return True
    from grader.grade_release import grades_released, policy_of

    if policy_of(course) == "deadline":
        return True
    return grades_released(course, assignment, now, student_id)


def student_results(course: CourseFolder, student_id: str, now: datetime | None = None
                    ) -> tuple[dict[str, Result], GradeBreakdown]:
    """One student's ``Result`` per assignment and their grade breakdown, as the report computes them (for the
    views that show one student: the bot's /status, the feedback page)."""
    outcomes = _outcomes(course, student_id, database_records(course, student_id))
    events = active_states(course.database_url, student_id)
    moment = now or datetime.now(UTC)
    settings = course.settings
    results = {hw: result_of(o, deadline_for(course, student_id, hw), moment, settings.grade, events.get(hw),
                             released=_released(course, student_id, hw, o, moment))
               for hw, o in outcomes.items()}
    [breakdown] = grade_class(grade_inputs({student_id: outcomes}), settings.grade)
    return results, breakdown
