"""When an assignment's hidden-test results and marks reach the students (before that, only its visible tests:
``grader.autograde.visible``). The course chooses in ``nbgrader_config.py``::

    c.GradeRelease.policy = "deadline"      # at the deadline (the default)
    c.GradeRelease.policy = "manual_done"   # after the deadline, once every manual answer is graded
    c.GradeRelease.policy = "by_hand"       # only with 'grader release-grades hwN'

    releasable(policy, deadline, now, manual_done) -> bool        (pure: the policy)
    grades_released(course, assignment, now, student=None) -> bool
    newly_released(course, now) -> [Released]    records what became releasable; what is still to be announced
    mark_announced(course, assignment, session=None)
    release_by_hand(course, assignment, now=None) -> Released      ('grader release-grades hwN')
    withhold(course, assignment, now=None) -> Released             ('grader release-grades hwN --undo')
    manual_grading_done(course, assignment) -> bool

A release is recorded once (table ``grade_releases``) and stays: a late submission that needs manual grading
does not take back a ``manual_done`` release. Never before the course deadline, whatever the policy: the hidden
tests would reach students who can still resubmit; and for a student with an extension (``grader extend``), not
before their own deadline. An assignment without a deadline is released by hand only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from nbgrader.api import Gradebook
from sqlalchemy import select
from sqlalchemy.orm import Session
from traitlets import Enum
from traitlets.config import Configurable

from grader.configurable import configured
from grader.course import CourseFolder
from grader.errors import CourseError
from grader.extensions import deadline_for
from grader.store.db import session_scope
from grader.store.models import GradingResult
from grader.store.term import ReleasedGrades
from grader.timeutil import aware

POLICIES = ("deadline", "manual_done", "by_hand")


class GradeRelease(Configurable):
    """When the hidden-test results and the marks of an assignment reach the students (``c.GradeRelease....``)."""

    policy = Enum(list(POLICIES), default_value="deadline",
                  help="'deadline': at the assignment's deadline; 'manual_done': after the deadline, once every "
                  "written answer of every submission is graded in formgrader; 'by_hand': only when the "
                  "instructor runs 'grader release-grades hwN'. Before then a student is told only which visible "
                  "tests passed. Never before the deadline, nor before a student's extended deadline.").tag(
        config=True)


@dataclass(frozen=True)
class Released:
    """The recorded release of one assignment: ``state`` released or withheld; ``how`` the policy that released
    it or 'by_hand'; ``announced_at`` when everyone was told (None: not yet)."""

    assignment: str
    state: str
    how: str
    at: datetime
    announced_at: datetime | None = None


def policy_of(course: CourseFolder) -> str:
    return str(configured(GradeRelease, course.config).policy)


def releasable(policy: str, deadline: datetime | None, now: datetime, manual_done: bool = False) -> bool:
    """Whether ``policy`` releases an assignment with ``deadline`` at ``now`` by itself (by hand aside)."""
    if policy not in POLICIES:
        raise ValueError(f"unknown grade release policy {policy!r}; one of {', '.join(POLICIES)}")
    if policy == "by_hand" or deadline is None or now < deadline:
        return False
    return policy == "deadline" or manual_done


def _record(row: ReleasedGrades) -> Released:
    return Released(row.assignment, row.state, row.how, aware(row.at), aware(row.announced_at))


def recorded(course: CourseFolder) -> dict[str, Released]:
    """Every recorded release (or withholding), by assignment."""
    with session_scope(course.database_url) as session:
        return {row.assignment: _record(row) for row in session.scalars(select(ReleasedGrades))}


def manual_grading_done(course: CourseFolder, assignment: str) -> bool:
    """Whether every submission in submitted/*/<hwN> has been autograded (a grading result that is not a wait for
    a GPU) and no submission of it in nbgrader's gradebook needs a manual grade any more."""
    submitted = {p.parent.name for p in (course.root / "submitted").glob(f"*/{assignment}") if p.is_dir()}
    if submitted:
        with session_scope(course.database_url) as session:
            graded = set(session.scalars(select(GradingResult.student).where(
                GradingResult.assignment == assignment, GradingResult.status != "waiting_gpu")))
        if submitted - graded:
            return False
    with Gradebook(course.gradebook_url) as gb:
        return not any(s.needs_manual_grade for s in gb.assignment_submissions(assignment))


def _automatic(course: CourseFolder, policy: str, assignment: str, now: datetime) -> bool:
    deadline = course.settings.deadlines.get(assignment)
    if not releasable(policy, deadline, now, manual_done=True):  # cheap checks first: no gradebook opened
        return False
    return policy == "deadline" or manual_grading_done(course, assignment)


def grades_released(course: CourseFolder, assignment: str, now: datetime, student: str | None = None) -> bool:
    """Whether the hidden-test results and the mark of ``assignment`` may be shown at ``now`` (to ``student``:
    also after their own deadline)."""
    course.check_assignment(assignment)
    if student is not None:
        own = deadline_for(course, student, assignment)
        if own is not None and now < own:
            return False
    row = recorded(course).get(assignment)
    if row is not None:
        return row.state == "released"
    return _automatic(course, policy_of(course), assignment, now)


def newly_released(course: CourseFolder, now: datetime) -> list[Released]:
    """Record every assignment that the policy releases at ``now`` and that has no record yet; return the released
    assignments nobody was told of yet (``mark_announced`` once they are), in the course's order."""
    policy = policy_of(course)
    have = recorded(course)
    due = [hw for hw in course.settings.assignments if hw not in have and _automatic(course, policy, hw, now)]
    with session_scope(course.database_url) as session:
        for hw in due:
            if session.get(ReleasedGrades, hw) is None:
                session.add(ReleasedGrades(assignment=hw, state="released", how=policy, at=now.astimezone(UTC)))
    order = {hw: i for i, hw in enumerate(course.settings.assignments)}
    pending = [r for r in recorded(course).values() if r.state == "released" and r.announced_at is None]
    return sorted(pending, key=lambda r: order.get(r.assignment, len(order)))


def mark_announced(course: CourseFolder, assignment: str, session: Session | None = None,
                   at: datetime | None = None) -> None:
    """Everyone was told of ``assignment``'s release; in ``session`` (the caller's transaction, with the messages
    it queued) when given."""
    if session is None:
        with session_scope(course.database_url) as own:
            mark_announced(course, assignment, own, at)
        return
    row = session.get(ReleasedGrades, assignment)
    if row is not None and row.announced_at is None:
        row.announced_at = at or datetime.now(UTC)


def release_by_hand(course: CourseFolder, assignment: str, now: datetime | None = None) -> tuple[Released, bool]:
    """Release ``assignment``'s grades now (also one withheld); returns the record and whether this call released
    it (False: it was released already). Refused before the course deadline."""
    course.check_assignment(assignment)
    moment = now or datetime.now(UTC)
    deadline = course.settings.deadlines.get(assignment)
    if deadline is not None and moment < deadline:
        raise CourseError(f"{assignment}'s deadline is {deadline:%Y-%m-%d %H:%M %Z}: its grades cannot be released "
                          "before it (the hidden tests would reach students who can still resubmit)")
    with session_scope(course.database_url) as session:
        row = session.get(ReleasedGrades, assignment)
        if row is not None and row.state == "released":
            return _record(row), False
        if row is None:
            row = ReleasedGrades(assignment=assignment)
            session.add(row)
        row.state, row.how, row.at, row.announced_at = "released", "by_hand", moment.astimezone(UTC), None
        return _record(row), True


def withhold(course: CourseFolder, assignment: str, now: datetime | None = None) -> Released:
    """Take ``assignment``'s release back (or keep the policy from releasing it): students see only the visible
    tests again, until ``release_by_hand``."""
    course.check_assignment(assignment)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    with session_scope(course.database_url) as session:
        row = session.get(ReleasedGrades, assignment)
        if row is None:
            row = ReleasedGrades(assignment=assignment)
            session.add(row)
        row.state, row.how, row.at, row.announced_at = "withheld", "by_hand", moment, None
        return _record(row)
