"""Per-student deadlines: ``grader extend hwN STUDENT --until "…" --reason "…"``.

``deadline_for(course, student, assignment)`` is the one place a deadline is decided: the student's extension when
there is one, else the course's ``Deadlines.deadlines``. Every lateness computation asks it (the bot's /submit,
/status and /deadlines, ``grader collect``, completion and marks, the report).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from grader.course import CourseFolder
from grader.errors import CourseError
from grader.store.db import session_scope
from grader.store.term import Extension
from grader.timeutil import aware

FRESH_SECONDS = 1.0  # a batch (the report, a burst of /submit) reads the table once; a grant is seen at once


@dataclass(frozen=True)
class Granted:
    """One extension: the student's own deadline for one assignment, and why."""

    student: str
    assignment: str
    until: datetime
    reason: str
    granted_at: datetime
    course_deadline: datetime | None


_cache: dict[str, tuple[float, dict[tuple[str, str], tuple[datetime, str, datetime]]]] = {}
_lock = threading.Lock()


def _table(course: CourseFolder) -> dict[tuple[str, str], tuple[datetime, str, datetime]]:
    url = course.database_url
    with _lock:
        hit = _cache.get(url)
        if hit is not None and time.monotonic() - hit[0] < FRESH_SECONDS:
            return hit[1]
    with session_scope(url) as session:
        rows = {(r.student_id, r.assignment): (aware(r.until), r.reason, aware(r.granted_at))
                for r in session.scalars(select(Extension))}
    with _lock:
        _cache[url] = (time.monotonic(), rows)
    return rows


def forget_cache() -> None:
    with _lock:
        _cache.clear()


def deadline_for(course: CourseFolder, student: str, assignment: str) -> datetime | None:
    """The deadline that applies to ``student`` for ``assignment``: their extension, else the course's."""
    extension = _table(course).get((student, assignment))
    return extension[0] if extension is not None else course.settings.deadlines.get(assignment)


def extension_of(course: CourseFolder, student: str, assignment: str) -> Granted | None:
    extension = _table(course).get((student, assignment))
    if extension is None:
        return None
    return Granted(student, assignment, *extension, course.settings.deadlines.get(assignment))


def extensions(course: CourseFolder) -> list[Granted]:
    """Every extension, by student then assignment."""
    return [Granted(s, hw, *value, course.settings.deadlines.get(hw))
            for (s, hw), value in sorted(_table(course).items())]


def parse_moment(course: CourseFolder, text: str) -> datetime:
    """'2026-10-08 23:59' in the course's time zone, or with an explicit offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CourseError(f"--until {text!r} is not a date-time such as '2026-10-08 23:59' (in "
                          f"{course.settings.timezone.key}) or '2026-10-08T23:59+03:00'") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=course.settings.timezone)


def grant(course: CourseFolder, assignment: str, student: str, until: str, reason: str) -> Granted:
    """Give ``student`` their own deadline for ``assignment`` (replacing an earlier extension)."""
    from grader.roster import roster

    course.check_assignment(assignment)
    if student not in {e.id for e in roster(course)}:
        raise CourseError(f"{student!r} is not on the roster (see 'grader roster list')")
    if not reason.strip():
        raise CourseError("--reason is needed: it is shown in the report next to the extension")
    moment = parse_moment(course, until).astimezone(UTC)  # SQLite keeps no time zone: every moment stored is UTC
    now = datetime.now(UTC)
    with session_scope(course.database_url) as session:
        row = session.get(Extension, (student, assignment))
        if row is None:
            session.add(Extension(student_id=student, assignment=assignment, until=moment, reason=reason.strip(),
                                  granted_at=now))
        else:
            row.until, row.reason, row.granted_at = moment, reason.strip(), now
    forget_cache()
    return Granted(student, assignment, moment, reason.strip(), now, course.settings.deadlines.get(assignment))


def revoke(course: CourseFolder, assignment: str, student: str) -> bool:
    """Back to the course deadline; False when there was no extension."""
    course.check_assignment(assignment)
    with session_scope(course.database_url) as session:
        row = session.get(Extension, (student, assignment))
        if row is None:
            return False
        session.delete(row)
    forget_cache()
    return True
