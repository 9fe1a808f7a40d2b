"""The report as an Excel workbook (openpyxl): 'grades', one sheet per homework with per-cell scores, 'flags',
'projects' and 'trace' (every student's breakdown). Numbers are numbers; times are in the course's time zone."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from grader.report.model import KINDS, Report
from grader.report.table import table_header, table_rows
from grader.report.trace import trace

HEADER_FONT = Font(bold=True)
ATTENTION_FILL = PatternFill("solid", start_color="FFF2CC")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet(book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Worksheet:
    sheet = book.create_sheet(BAD_SHEET_CHARS.sub("_", title)[:31])
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "B2"
    for index, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(c.value)) for c in sheet[get_column_letter(index)][1:200]
                                        if c.value is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    return sheet


def _local(report: Report, moment: datetime | None) -> datetime | None:
    """Excel has no time zones: the course's local time, without the zone."""
    return moment.astimezone(report.timezone).replace(tzinfo=None) if moment else None


def homework_sheet(report: Report, hw: str) -> tuple[list[str], list[list[object]]]:
    """One homework: per-cell scores and every step from them to the mark."""
    cell_names: list[str] = []
    maxima: dict[str, float] = {}
    for per_hw in report.outcomes.values():
        for cell in per_hw[hw].cells:
            if cell.name not in maxima:
                cell_names.append(cell.name)
                maxima[cell.name] = cell.max_score
    header = ["student", "name", "state", "received", "days_late", "late_multiplier",
              *(f"{name} (max {maxima[name]:g})" for name in cell_names), "score", "max_score", "raw_completion",
              "completion", "band", "mark", "autograde", "reason", "flags"]
    rows: list[list[object]] = []
    for row in report.rows:
        outcome = report.outcomes[row.student][hw]
        by_name = {cell.name: cell for cell in outcome.cells}
        scores: list[object] = []
        for name in cell_names:
            cell = by_name.get(name)
            scores.append("" if cell is None else "GPU: not run" if cell.gpu_skipped
                          else "pending" if cell.score is None else cell.score)
        graded = outcome.status == "graded"
        rows.append([row.student, report.name(row.student), outcome.shown_status, _local(report, outcome.received),
                     outcome.days_late, outcome.late_multiplier, *scores,
                     outcome.score if graded else None, outcome.max_score if graded else None,
                     outcome.raw_completion if graded else None, row.completions[hw], row.bands[hw], row.marks[hw],
                     outcome.autograde.status, outcome.autograde.reason,
                     "; ".join(a.message for a in report.attention_for(row.student) if a.assignment == hw)])
    return header, rows


def project_rows(report: Report) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in report.projects:
        check = p.check
        rows.append([p.id, " + ".join(p.members), p.repo_url, p.commit,
                     "" if check is None else check.readme.path or "missing",
                     "" if check is None else ", ".join(check.readme.missing),
                     None if check is None else len(check.datasets),
                     "" if check is None else ", ".join(str(d) for d in check.datasets),
                     "" if check is None else ", ".join(check.space.links),
                     None if check is None else check.space.gradio,
                     None if check is None else check.invitation.invited,
                     ", ".join(p.suggested), ", ".join(p.bonuses), p.defence,
                     "not checked" if check is None else "; ".join(check.problems())])
    return rows


def write_xlsx(report: Report, path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    grades = _sheet(book, "grades", table_header(report), table_rows(report))
    flagged = {a.student for a in report.attention}
    for cells in grades.iter_rows(min_row=2):
        if cells[0].value in flagged:
            cells[0].fill = ATTENTION_FILL
    for hw in report.assignments:
        _sheet(book, hw, *homework_sheet(report, hw))
    _sheet(book, "flags", ["kind", "what", "student", "name", "assignment", "message"],
           [[a.kind, KINDS.get(a.kind, a.kind), a.student, report.name(a.student), a.assignment, a.message]
            for a in report.attention])
    _sheet(book, "projects", ["project", "members", "repository", "commit", "readme", "readme_missing", "datasets",
                              "dataset_list", "space", "gradio", "invited", "suggested", "confirmed", "defence",
                              "problems"], project_rows(report))
    _sheet(book, "trace", ["student", "name", "step", "how"],
           [[row.student, report.name(row.student), line.label, line.text]
            for row in report.rows for line in trace(report, row.student)])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
