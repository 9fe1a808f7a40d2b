"""A per-student breakdown: every number of the grade, traced to its inputs (cells → completion → band → mark →
H → final). Shown by ``grader report --student ID``, in the HTML page and in the student's own report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from grader.completion import HomeworkOutcome
from grader.policy.grade import GradeBreakdown, GradePolicy, band_step
from grader.report.model import Report

ROUNDING = {"half_up": "rounded half up", "ceil": "rounded up", "none": "not rounded"}


@dataclass(frozen=True)
class TraceLine:
    label: str
    text: str


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"


def when(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


def _cells(outcome: HomeworkOutcome) -> str:
    parts = []
    for cell in outcome.cells:
        if cell.gpu_skipped:
            parts.append(f"{cell.name} not run (GPU, left out)")
        elif cell.score is None:
            parts.append(f"{cell.name} pending/{_num(cell.max_score)} (manual, counts 0)")
        else:
            parts.append(f"{cell.name} {_num(cell.score)}/{_num(cell.max_score)}"
                         + (" (manual)" if cell.kind == "manual" else ""))
    return ", ".join(parts)


def band_text(p: float, mark: float, policy: GradePolicy) -> str:
    """How a completion became a mark, in words and numbers (the policy's own ``band_step``)."""
    step = band_step(p, policy)
    band = step.band
    if step.raw is None:
        return f"band {band.name} → mark {_num(mark)}"
    return (f"band {band.name}: {_num(band.low)} + ({_num(p)} − {_num(band.min)})/"
            f"{_num(step.upper - band.min)}·{_num(band.high - band.low)} = {_num(step.raw)} → "
            f"{ROUNDING.get(policy.mark_rounding, policy.mark_rounding)} → mark {_num(mark)}")


def homework_line(outcome: HomeworkOutcome, row: GradeBreakdown, policy: GradePolicy, zone: tzinfo,
                  deadline: datetime | None) -> str:
    hw = outcome.assignment
    p, mark = row.completions[hw], row.marks[hw]
    status = outcome.autograde.status
    note = f" [autograde: {status}]" if status and status != "graded" else ""
    if outcome.status == "missing":
        return f"not submitted → p = 0 → mark {_num(mark)}{note}"
    if outcome.status == "ungraded":
        return f"received {when(outcome.received, zone)}, not graded yet → p = 0 → mark {_num(mark)}{note}"
    text = f"{_cells(outcome)} → {_num(outcome.score)}/{_num(outcome.max_score)} = {_num(outcome.raw_completion)}"
    if outcome.days_late > 0:
        text += (f"; received {when(outcome.received, zone)}, {outcome.days_late:.2f} days after the deadline "
                 f"{when(deadline, zone)} → ×{_num(outcome.late_multiplier)}")
    if outcome.over_max:
        text += " (capped at 1: a score above its maximum)"
    return f"{text} → p = {_num(p)} → {band_text(p, mark, policy)}{note}"


def trace(report: Report, student: str) -> list[TraceLine]:
    row = report.row(student)
    policy = report.policy
    lines = [TraceLine(hw, homework_line(report.outcomes[student][hw], row, policy, report.timezone,
                                         report.deadline(student, hw)))
             for hw in report.assignments]
    marks = " + ".join(_num(row.marks[hw]) for hw in report.assignments)
    lines.append(TraceLine("H", f"({marks}) / {len(report.assignments)} = {_num(row.homework_mean)} → "
                                f"{_num(policy.homework_weight)} · H = {_num(row.homework_points)}"))
    project = report.project_of(student)
    where = f" (project #{project.id} {project.repo}, members {' + '.join(project.members)})" if project else ""
    if "defence" in row.pending:
        lines.append(TraceLine("E", f"defence mark not entered yet → counts 0{where}"))
    else:
        lines.append(TraceLine("E", f"defence {_num(row.defence)}{where} → {_num(policy.project_weight)} · E = "
                                    f"{_num(row.project_points)}"))
    bonus = ", ".join(f"{name} (+{_num(policy.bonus_points[name])})" for name in row.bonuses) or "none confirmed"
    lines.append(TraceLine("bonus", f"{bonus} → {_num(row.bonus_points)}"))
    total = row.homework_points + row.project_points + row.bonus_points
    capped = f", capped at {_num(policy.max_grade)}" if total > policy.max_grade else ""
    lines.append(TraceLine("exact", f"{_num(row.homework_points)} + {_num(row.project_points)} + "
                                    f"{_num(row.bonus_points)} = {_num(row.exact)}{capped}"))
    lines.append(TraceLine("grade", f"{_num(row.exact)} {ROUNDING.get(policy.rounding, policy.rounding)} → "
                                    f"{_num(row.grade)}" + (f" (pending: {', '.join(row.pending)})"
                                                            if row.pending else "")))
    return lines
