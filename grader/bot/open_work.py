"""``/deadlines``: every assignment that still accepts work, on time or late, with the multiplier a submission
sent now would get, and the student's own deadline where the instructor extended it (``grader extend``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from grader.course import CourseFolder
from grader.extensions import deadline_for
from grader.policy.lateness import days_late, late_multiplier

from .texts import duration, moment, number, say


@dataclass(frozen=True)
class OpenAssignment:
    """An assignment accepting work now. late: its deadline has passed; multiplier: for a submission now."""

    assignment: str
    deadline: datetime | None
    extended: bool
    late: bool
    multiplier: float


def open_assignments(course: CourseFolder, student: str | None, now: datetime | None = None) -> list[OpenAssignment]:
    """Upcoming deadlines first (soonest first), then those past their deadline still accepted, then those
    without a deadline; assignments whose late multiplier reached 0 are closed and left out."""
    now = now or datetime.now(UTC)
    items = []
    for hw in course.settings.assignments:
        deadline = deadline_for(course, student, hw) if student else course.settings.deadlines.get(hw)
        late = days_late(now, deadline) if deadline is not None else 0.0
        multiplier = late_multiplier(late, course.settings.late)
        if multiplier <= 0:
            continue
        extended = deadline is not None and deadline != course.settings.deadlines.get(hw)
        items.append(OpenAssignment(hw, deadline, extended, late > 0, multiplier))
    order = {False: 0, True: 1}
    return sorted(items, key=lambda i: (i.deadline is None, order[i.late],
                                        i.deadline.timestamp() if i.deadline else 0.0))


def deadlines_text(lang: str, items: list[OpenAssignment], tz: ZoneInfo, now: datetime | None = None) -> str:
    if not items:
        return say(lang, "deadlines_all_closed")
    now = now or datetime.now(UTC)
    lines = [say(lang, "deadlines_open_head", tz=str(tz))]
    for item in items:
        mine = say(lang, "deadline_extended") if item.extended else ""
        if item.deadline is None:
            lines.append(say(lang, "deadline_line_none", assignment=item.assignment))
        elif not item.late:
            lines.append(say(lang, "deadline_line", assignment=item.assignment, deadline=moment(item.deadline, tz),
                             left=duration((item.deadline - now).total_seconds(), lang)) + mine)
        else:
            lines.append(say(lang, "deadline_line_late", assignment=item.assignment,
                             deadline=moment(item.deadline, tz), multiplier=number(item.multiplier)) + mine)
    return "\n".join(lines)
