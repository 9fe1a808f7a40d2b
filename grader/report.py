"""The grade report: the policy applied to every student, as a terminal table and a CSV Excel opens."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.course import CourseFolder
from grader.marks import HomeworkOutcome, class_outcomes, grade_inputs
from grader.policy.grade import GradeBreakdown, ProjectMarks, grade_class


@dataclass(frozen=True)
class Report:
    assignments: tuple[str, ...]
    rows: list[GradeBreakdown]
    outcomes: dict[str, dict[str, HomeworkOutcome]]


def build_report(course: CourseFolder, projects: dict[str, ProjectMarks] | None = None) -> Report:
    outcomes = class_outcomes(course)
    rows = grade_class(grade_inputs(outcomes, projects), course.settings.grade)
    return Report(course.settings.assignments, rows, outcomes)


def _flags(report: Report, student: str) -> list[str]:
    flags = []
    for hw, outcome in report.outcomes[student].items():
        if outcome.status == "missing":
            flags.append(f"{hw}: not submitted")
        elif outcome.status == "ungraded":
            flags.append(f"{hw}: submitted, not graded yet")
        if outcome.days_late > 0:
            flags.append(f"{hw}: {outcome.days_late:.1f} days late (x{outcome.late_multiplier:g})")
        if outcome.gpu_skipped:
            flags.append(f"{hw}: GPU cells not run ({len(outcome.gpu_skipped)})")
        if outcome.pending:
            flags.append(f"{hw}: manual grading pending")
    return flags


def write_csv(report: Report, path: Path) -> Path:
    """UTF-8 with BOM, so that Excel shows Cyrillic names correctly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *(f"{hw}_completion" for hw in report.assignments),
                         *(f"{hw}_mark" for hw in report.assignments), "homework_mean", "homework_points",
                         "defence", "project_points", "bonus_points", "exact", "grade", "pending", "flags"])
        for row in report.rows:
            writer.writerow([row.student, *(f"{row.completions[hw]:.4f}" for hw in report.assignments),
                             *(f"{row.marks[hw]:g}" for hw in report.assignments), f"{row.homework_mean:.4f}",
                             f"{row.homework_points:.4f}", f"{row.defence:g}", f"{row.project_points:.4f}",
                             f"{row.bonus_points:g}", f"{row.exact:.4f}", f"{row.grade:g}",
                             "; ".join(row.pending), "; ".join(_flags(report, row.student))])
    return path


def render_table(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="Final grades: 0.5·H + 0.5·E + bonuses", show_lines=False)
    table.add_column("student")
    for hw in report.assignments:
        table.add_column(hw, justify="right")
    for name in ("H", "0.5·H", "E", "bonus", "exact", "grade"):
        table.add_column(name, justify="right")
    table.add_column("flags")
    for row in report.rows:
        cells = []
        for hw in report.assignments:
            outcome = report.outcomes[row.student][hw]
            cells.append("—" if outcome.status == "missing" else f"{row.marks[hw]:g}")
        flags = _flags(report, row.student)
        table.add_row(row.student, *cells, f"{row.homework_mean:.3f}", f"{row.homework_points:.3f}",
                      "pending" if "defence" in row.pending else f"{row.defence:g}", f"{row.bonus_points:g}",
                      f"{row.exact:.3f}", f"[bold]{row.grade:g}[/bold]",
                      "; ".join(flags[:3]) + (f" (+{len(flags) - 3})" if len(flags) > 3 else ""))
    console.print(table)
