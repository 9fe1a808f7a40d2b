"""Completion → band mark → homework component; defence and bonuses → exact final value → rounded grade.

Implements ``shared/brief/grading-policy.md`` with every number taken from a ``GradePolicy``:

    mark(p)   = low + (high - low)·(p - min)/(next_min - min), rounded in the student's favour
    H         = mean of the marks of every course assignment (not submitted → p = 0)
    final     = min(max_grade, homework_weight·H + project_weight·E + bonuses)
    grade     = final rounded half up (default) or up
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from grader.errors import PolicyInputError

EPS = 1e-9


@dataclass(frozen=True)
class Band:
    """One completion band: ``min`` <= p, mark from ``low`` (at ``min``) towards ``high``."""

    name: str
    min: float
    low: float
    high: float


@dataclass(frozen=True)
class GradePolicy:
    """Every number of the grade formula (built from ``nbgrader_config.py`` by ``grader.settings``)."""

    assignments: tuple[str, ...] = tuple(f"hw{i}" for i in range(1, 9))
    bands: tuple[Band, ...] = (
        Band("Excellent", 1.0, 8, 8),
        Band("Good", 0.8, 6, 7),
        Band("Satisfactory", 0.5, 4, 5),
        Band("Unsatisfactory", 0.0, 0, 3),
    )
    tolerance: float = 1e-9
    mark_rounding: str = "ceil"
    homework_weight: float = 0.5
    project_weight: float = 0.5
    max_mark: float = 8.0
    max_grade: float = 10.0
    rounding: str = "half_up"
    bonus_points: Mapping[str, float] = field(
        default_factory=lambda: {"open_datasets": 1.0, "gradio_space": 1.0})


@dataclass(frozen=True)
class StudentGradeInput:
    """What one student's grade is computed from.

    completions: assignment -> p in [0, 1] after late penalty; ``None`` or absent = not submitted (p = 0).
    defence: the project defence mark (0 .. max_mark); ``None`` = not yet graded (counts 0, listed as pending).
    bonuses: the bonus criteria the instructor confirmed.
    pending: assignments whose manual grading is not finished (shown, not counted as missing work).
    """

    student: str
    completions: Mapping[str, float | None]
    defence: float | None = None
    bonuses: frozenset[str] = frozenset()
    pending: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GradeBreakdown:
    """Every number of one student's grade, so that each can be traced to its inputs."""

    student: str
    completions: dict[str, float]
    marks: dict[str, float]
    bands: dict[str, str]
    homework_mean: float
    homework_points: float
    defence: float
    project_points: float
    bonus_points: float
    bonuses: tuple[str, ...]
    exact: float
    grade: float
    pending: tuple[str, ...]


def _round(value: float, mode: str) -> float:
    if mode == "ceil":
        return float(math.ceil(value - EPS))
    if mode == "half_up":
        return float(math.floor(value + 0.5 + EPS))
    if mode == "none":
        return value
    raise PolicyInputError(None, "rounding", f"unknown rounding mode {mode!r} (use half_up, ceil or none)")


def round_grade(value: float, mode: str = "half_up") -> float:
    """Round the exact final value in the student's favour: 'half_up' (6.5 → 7), 'ceil' or 'none'."""
    return _round(value, mode)


def _check_fraction(value: float, student: str | None, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyInputError(student, field_name, f"expected a number in [0, 1], got {value!r}")
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise PolicyInputError(student, field_name, f"completion must be in [0, 1], got {value!r}")
    return float(value)


def band_of(p: float, policy: GradePolicy, *, student: str | None = None, assignment: str = "completion") -> Band:
    """The band a completion falls in (edges compared with the policy's tolerance)."""
    return band_step(p, policy, student=student, assignment=assignment).band


@dataclass(frozen=True)
class BandStep:
    """How one completion became a mark: its band, the band's upper edge, the exact value inside the band
    (``raw``; ``None`` for a band of one mark) and the mark after rounding in the student's favour."""

    p: float
    band: Band
    upper: float
    raw: float | None
    mark: float


def band_step(p: float, policy: GradePolicy, *, student: str | None = None,
              assignment: str = "completion") -> BandStep:
    """The band of completion ``p`` and the mark it gives, with every intermediate number (the report's trace
    shows them)."""
    p = _check_fraction(p, student, assignment)
    bands = policy.bands
    for index, band in enumerate(bands):
        if p >= band.min - policy.tolerance:
            upper = bands[index - 1].min if index > 0 else 1.0
            if band.high == band.low or upper <= band.min:
                return BandStep(p, band, upper, None, float(band.low))
            position = max(0.0, (p - band.min) / (upper - band.min))
            raw = band.low + (band.high - band.low) * position
            mark = min(float(band.high), max(float(band.low), _round(raw, policy.mark_rounding)))
            return BandStep(p, band, upper, raw, mark)
    last = bands[-1]
    return BandStep(p, last, bands[-2].min if len(bands) > 1 else 1.0, None, float(last.low))


def band_mark(p: float, policy: GradePolicy, *, student: str | None = None, assignment: str = "completion") -> float:
    """Mark of one homework (0..max_mark) from its completion p, rounded in the student's favour in its band."""
    return band_step(p, policy, student=student, assignment=assignment).mark


def homework_component(marks: Mapping[str, float], policy: GradePolicy) -> float:
    """H: the mean mark over every course assignment (an absent assignment counts 0)."""
    return sum(marks.get(name, 0.0) for name in policy.assignments) / len(policy.assignments)


def final_grade(entry: StudentGradeInput, policy: GradePolicy) -> GradeBreakdown:
    """The whole grade of one student."""
    who = entry.student
    unknown = set(entry.completions) - set(policy.assignments)
    if unknown:
        raise PolicyInputError(who, sorted(unknown)[0],
                               f"unknown assignment; the course has {', '.join(policy.assignments)}")
    completions: dict[str, float] = {}
    marks: dict[str, float] = {}
    bands: dict[str, str] = {}
    for name in policy.assignments:
        raw = entry.completions.get(name)
        p = 0.0 if raw is None else _check_fraction(raw, who, name)
        completions[name] = p
        step = band_step(p, policy, student=who, assignment=name)
        marks[name] = step.mark
        bands[name] = step.band.name
    h = homework_component(marks, policy)
    defence = 0.0 if entry.defence is None else entry.defence
    if isinstance(defence, bool) or not isinstance(defence, int | float) or math.isnan(defence) \
            or not 0.0 <= defence <= policy.max_mark:
        raise PolicyInputError(who, "defence", f"defence mark must be in [0, {policy.max_mark:g}], got {defence!r}")
    bogus = set(entry.bonuses) - set(policy.bonus_points)
    if bogus:
        raise PolicyInputError(who, "bonuses", f"unknown bonus criterion {sorted(bogus)[0]!r}; "
                               f"known: {', '.join(policy.bonus_points)}")
    bonus = sum(policy.bonus_points[name] for name in entry.bonuses)
    homework_points = policy.homework_weight * h
    project_points = policy.project_weight * float(defence)
    exact = min(policy.max_grade, homework_points + project_points + bonus)
    pending = sorted(entry.pending) + (["defence"] if entry.defence is None else [])
    return GradeBreakdown(
        student=who,
        completions=completions,
        marks=marks,
        bands=bands,
        homework_mean=h,
        homework_points=homework_points,
        defence=float(defence),
        project_points=project_points,
        bonus_points=bonus,
        bonuses=tuple(sorted(entry.bonuses)),
        exact=exact,
        grade=min(policy.max_grade, _round(exact, policy.rounding)),
        pending=tuple(pending),
    )


def grade_class(entries: Iterable[StudentGradeInput], policy: GradePolicy) -> list[GradeBreakdown]:
    """Grades of a whole class; a student listed twice is an error."""
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.student in seen:
            raise PolicyInputError(entry.student, "student", "listed twice; each student must appear once")
        seen.add(entry.student)
        out.append(final_grade(entry, policy))
    return out


@dataclass(frozen=True)
class ProjectMarks:
    """A project (one student or a pair) and its marks; every member gets them."""

    members: tuple[str, ...]
    defence: float | None = None
    bonuses: frozenset[str] = frozenset()


def project_marks_by_student(projects: Sequence[ProjectMarks]) -> dict[str, ProjectMarks]:
    """Spread each project's marks to all its members; a student in two projects is an error."""
    out: dict[str, ProjectMarks] = {}
    for project in projects:
        if not project.members:
            raise PolicyInputError(None, "members", "a project needs at least one member")
        for member in project.members:
            if member in out:
                raise PolicyInputError(member, "project", "belongs to two projects; a student has one project")
            out[member] = project
    return out
