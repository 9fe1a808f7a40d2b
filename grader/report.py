"""The grade report: the policy applied to every student, as a terminal table, CSV, Excel and an HTML page.

Stages of ``build_report``, in order:
  1. records    the grader's database: autograde outcomes, the bot's submissions, projects and their checks
  2. outcomes   completion per homework from nbgrader's gradebook (``grader.marks``)
  3. projects   each project's marks spread to its members (the policy's ``project_marks_by_student``)
  4. grades     the policy's ``grade_class``: marks, H, 0.5·H, E, bonuses, exact value, rounded grade
  5. checks     the "needs attention" list (``grader.report_checks``)
Writers: ``write_csv`` here, ``report_excel.write_xlsx``, ``report_html.write_html``; ``write_all`` runs those
``GradeReport.formats`` asks for.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.course import CourseFolder
from grader.marks import HomeworkOutcome, class_outcomes, database_records, grade_inputs
from grader.policy.grade import GradeBreakdown, GradePolicy, ProjectMarks, grade_class
from grader.project.store import ProjectRecord, list_projects, project_marks
from grader.report_checks import KINDS, Attention, consistency_checks, for_student
from grader.report_config import load_report_config
from grader.roster import RosterEntry, roster

STATE_SHORT = {"pending": "≥", "timeout": "timeout", "kernel_died": "died", "memory_limit": "memory",
               "tampering": "tamper", "invalid_notebook": "invalid", "missing": "missing",
               "waiting_gpu": "GPU wait", "ungraded": "ungraded"}


@dataclass(frozen=True)
class Report:
    """Everything the report shows, computed once; every writer reads only this."""

    assignments: tuple[str, ...]
    rows: list[GradeBreakdown]
    outcomes: dict[str, dict[str, HomeworkOutcome]]
    names: dict[str, RosterEntry] = field(default_factory=dict)
    projects: list[ProjectRecord] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)
    policy: GradePolicy = field(default_factory=GradePolicy)
    course_name: str = ""
    deadlines: dict[str, datetime] = field(default_factory=dict)
    timezone: tzinfo = UTC
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def row(self, student: str) -> GradeBreakdown:
        return next(r for r in self.rows if r.student == student)

    def name(self, student: str) -> str:
        entry = self.names.get(student)
        return " ".join(x for x in (entry.first_name, entry.last_name) if x) if entry else ""

    def project_of(self, student: str) -> ProjectRecord | None:
        return next((p for p in self.projects if student in p.members), None)

    @cached_property
    def _attention_by_student(self) -> dict[str, list[Attention]]:
        index: dict[str, list[Attention]] = {}
        for item in self.attention:
            for who in dict.fromkeys([item.student, *item.student.split(" + ")]):
                index.setdefault(who, []).append(item)
        return index

    def attention_for(self, student: str) -> list[Attention]:
        """The lines about one student (a pair's project lines belong to both partners)."""
        return list(self._attention_by_student.get(student, []))

    def flags(self, student: str) -> list[str]:
        return [a.text for a in self.attention_for(student)]


def build_report(course: CourseFolder, projects: dict[str, ProjectMarks] | None = None, *,
                 students: list[str] | None = None) -> Report:
    """The whole report. ``projects`` overrides the marks stored with ``grader project`` (the demo uses it);
    ``students`` limits it to some students (a student's own report)."""
    records = database_records(course)
    stored = list_projects(course)
    outcomes = class_outcomes(course, records)
    names = {entry.id: entry for entry in roster(course)}
    roster_ids = sorted(outcomes)
    marks, twice = project_marks(stored)
    if projects is not None:
        marks, twice = projects, {}
    if students is not None:
        outcomes = {s: outcomes[s] for s in students if s in outcomes}
    rows = grade_class(grade_inputs(outcomes, marks), course.settings.grade)
    attention = consistency_checks(roster_ids, outcomes, records, stored, twice, course.root / "submitted",
                                   course.settings.grade.bonus_points, marked=marks)
    from grader.similarity.attention import similarity_attention  # pairs 'grader similarity' flagged, from its JSON

    attention += similarity_attention(course)
    if students is not None:
        attention = [a for s in students for a in for_student(attention, s)]
    return Report(course.settings.assignments, rows, outcomes, names, stored, attention, course.settings.grade,
                  course.settings.course_name, dict(course.settings.deadlines), course.settings.timezone)


# --- CSV ------------------------------------------------------------------------------------------------------

def table_header(report: Report) -> list[str]:
    hws = report.assignments
    return ["student", "last_name", "first_name", *(f"{hw}_completion" for hw in hws), *(f"{hw}_mark" for hw in hws),
            *(f"{hw}_status" for hw in hws), "homework_mean", "homework_points", "defence", "project_points",
            "bonuses", "bonus_points", "exact", "grade", "pending", "flags"]


def table_rows(report: Report) -> list[list[object]]:
    """The grades table as values (numbers stay numbers): what the CSV and the Excel grades sheet hold."""
    out: list[list[object]] = []
    for row in report.rows:
        entry = report.names.get(row.student)
        per_hw = report.outcomes[row.student]
        out.append([row.student, (entry.last_name if entry else "") or "", (entry.first_name if entry else "") or "",
                    *(row.completions[hw] for hw in report.assignments), *(row.marks[hw] for hw in report.assignments),
                    *(per_hw[hw].state for hw in report.assignments), row.homework_mean, row.homework_points,
                    None if "defence" in row.pending else row.defence, row.project_points, ", ".join(row.bonuses),
                    row.bonus_points, row.exact, row.grade, "; ".join(row.pending),
                    "; ".join(report.flags(row.student))])
    return out


def _csv_value(header: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if header.endswith("_mark") or header in ("defence", "bonus_points", "grade") \
            else f"{value:.4f}"
    return str(value)


def write_csv(report: Report, path: Path, delimiter: str = ",") -> Path:
    """UTF-8 with BOM, so that Excel shows Cyrillic names correctly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = table_header(report)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for values in table_rows(report):
            writer.writerow([_csv_value(h, v) for h, v in zip(header, values, strict=True)])
    return path


def write_all(report: Report, course: CourseFolder, folder: Path | None = None) -> dict[str, Path]:
    """Every file ``GradeReport.formats`` asks for, in ``folder`` (default ``GradeReport.folder`` or gradebook/)."""
    from grader.report_excel import write_xlsx
    from grader.report_html import write_html

    config = load_report_config(course.config)
    folder = folder or (course.root / config.folder if config.folder else course.gradebook_dir)
    out: dict[str, Path] = {}
    for fmt in config.formats:
        path = folder / f"{config.basename}.{fmt}"
        if fmt == "csv":
            out[fmt] = write_csv(report, path, config.csv_delimiter)
        elif fmt == "xlsx":
            out[fmt] = write_xlsx(report, path)
        else:
            out[fmt] = write_html(report, path)
    return out


# --- terminal -------------------------------------------------------------------------------------------------

def mark_cell(outcome: HomeworkOutcome, mark: float) -> str:
    """A homework's mark as the terminal shows it: '8', '≥6' (manual grading pending), '—' (not submitted),
    '3 timeout' (an autograde status that needs a look)."""
    state = outcome.state
    if state == "graded":
        return f"{mark:g}"
    if state == "pending":
        return f"≥{mark:g}"
    if state == "missing" and outcome.status == "missing":
        return "—"
    return f"{mark:g} {STATE_SHORT.get(state, state)}"


def render_table(report: Report, console: Console | None = None, attention_limit: int = 10) -> None:
    console = console or Console()
    table = Table(title="Final grades: 0.5·H + 0.5·E + bonuses", show_lines=False)
    table.add_column("student")
    table.add_column("name")
    for hw in report.assignments:
        table.add_column(hw, justify="right")
    for name in ("H", "0.5·H", "E", "bonus", "exact", "grade"):
        table.add_column(name, justify="right")
    for row in report.rows:
        cells = [mark_cell(report.outcomes[row.student][hw], row.marks[hw]) for hw in report.assignments]
        marker = " *" if report.attention_for(row.student) else ""
        table.add_row(row.student + marker, report.name(row.student), *cells, f"{row.homework_mean:.3f}",
                      f"{row.homework_points:.3f}", "pending" if "defence" in row.pending else f"{row.defence:g}",
                      f"{row.bonus_points:g}", f"{row.exact:.3f}", f"[bold]{row.grade:g}[/bold]")
    console.print(table)
    console.print("≥N: manual grading pending (the mark can only rise); —: not submitted; *: needs attention")
    render_attention(report, console, attention_limit)


def render_attention(report: Report, console: Console, limit: int = 10) -> None:
    if not report.attention:
        console.print("[green]needs attention: nothing[/green]")
        return
    console.print(f"[bold yellow]needs attention ({len(report.attention)})[/bold yellow]")
    for kind, title in KINDS.items():
        lines = [a for a in report.attention if a.kind == kind]
        if not lines:
            continue
        console.print(f"  [bold]{title}[/bold] ({len(lines)})")
        for item in lines[:limit]:
            console.print(f"    {item.student}: {item.text}", highlight=False, markup=False)
        if len(lines) > limit:
            console.print(f"    … and {len(lines) - limit} more (every line is in the CSV, Excel and HTML files)")
