"""The university's grade sheet: one line per student with the final grade, in the column layout the sheet asks
for (``GradeSheet`` in ``nbgrader_config.py``), as CSV and Excel: ``grader gradesheet``.

    c.GradeSheet.columns = ["student_id", "last_name", "first_name", "grade", "grade_word"]
    c.GradeSheet.headers = {"student_id": "Номер студента", "grade": "Оценка (10)"}

Students removed from the class (``grader roster remove``) are left out, as in every report.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from traitlets import Dict, List, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.configurable import configured
from grader.report.model import Report

# The HSE 10-point scale in words (the grade sheet's "оценка прописью").
WORDS = ((8, "отлично"), (6, "хорошо"), (4, "удовлетворительно"), (0, "неудовлетворительно"))


def _word(grade: float) -> str:
    return next(word for low, word in WORDS if grade >= low)


def _name(report: Report, student: str, part: str) -> str:
    entry = report.names.get(student)
    return (getattr(entry, part) or "") if entry else ""


# column -> (default header, value of one student's row)
COLUMNS: dict[str, tuple[str, Callable[[Report, Any], object]]] = {
    "student_id": ("student_id", lambda r, row: row.student),
    "last_name": ("last_name", lambda r, row: _name(r, row.student, "last_name")),
    "first_name": ("first_name", lambda r, row: _name(r, row.student, "first_name")),
    "name": ("name", lambda r, row: r.name(row.student)),
    "email": ("email", lambda r, row: _name(r, row.student, "email")),
    "grade": ("grade", lambda r, row: row.grade),
    "grade_word": ("grade_word", lambda r, row: _word(row.grade)),
    "exact": ("exact", lambda r, row: round(row.exact, 4)),
    "homework_mean": ("homework_mean", lambda r, row: round(row.homework_mean, 4)),
    "homework_points": ("homework_points", lambda r, row: round(row.homework_points, 4)),
    "defence": ("defence", lambda r, row: None if "defence" in row.pending else row.defence),
    "bonus_points": ("bonus_points", lambda r, row: row.bonus_points),
    "course": ("course", lambda r, row: r.course_name),
}


class GradeSheet(Configurable):
    """The column layout of the grade sheet ``grader gradesheet`` writes for the university."""

    columns = List(Unicode(), default_value=["student_id", "last_name", "first_name", "grade"],
                   help="Columns in order, from: " + ", ".join(COLUMNS) + ". 'grade' is the rounded 10-point "
                   "grade, 'grade_word' the same in words (отлично 8-10, хорошо 6-7, удовлетворительно 4-5, "
                   "неудовлетворительно 0-3).").tag(config=True)
    headers = Dict(Unicode(), default_value={}, help="Column -> the header the sheet shows (default: the "
                   "column's name), e.g. {'student_id': 'Номер студента'}.").tag(config=True)
    formats = List(Unicode(), default_value=["csv", "xlsx"], help="Files to write: 'csv' (UTF-8 with BOM) "
                   "and/or 'xlsx'.").tag(config=True)
    basename = Unicode("grade_sheet", help="File name without the extension (written to gradebook/).").tag(
        config=True)
    csv_delimiter = Unicode(";", help="CSV separator: ';' (what Excel expects in a Russian locale), ',' or a "
                            "tab.").tag(config=True)

    @validate("columns")
    def _check_columns(self, proposal: Any) -> list[str]:
        value = list(proposal["value"])
        unknown = [c for c in value if c not in COLUMNS]
        if unknown:
            raise TraitError(f"GradeSheet.columns: unknown column {unknown[0]!r} (available: {', '.join(COLUMNS)})")
        if not value:
            raise TraitError("GradeSheet.columns: at least one column is needed")
        return value

    @validate("headers")
    def _check_headers(self, proposal: Any) -> dict[str, str]:
        unknown = [c for c in proposal["value"] if c not in COLUMNS]
        if unknown:
            raise TraitError(f"GradeSheet.headers: unknown column {unknown[0]!r} (available: {', '.join(COLUMNS)})")
        return dict(proposal["value"])

    @validate("formats")
    def _check_formats(self, proposal: Any) -> list[str]:
        unknown = [f for f in proposal["value"] if f not in ("csv", "xlsx")]
        if unknown or not proposal["value"]:
            raise TraitError(f"GradeSheet.formats: use 'csv' and/or 'xlsx', got {list(proposal['value'])}")
        return list(proposal["value"])

    @validate("csv_delimiter")
    def _check_delimiter(self, proposal: Any) -> str:
        if proposal["value"] not in (",", ";", "\t"):
            raise TraitError(f"GradeSheet.csv_delimiter: use ',', ';' or a tab, got {proposal['value']!r}")
        return str(proposal["value"])


def sheet_rows(report: Report, sheet: GradeSheet) -> tuple[list[str], list[list[object]]]:
    header = [sheet.headers.get(c, COLUMNS[c][0]) for c in sheet.columns]
    rows = [[COLUMNS[c][1](report, row) for c in sheet.columns] for row in sorted(report.rows, key=lambda r: r.student)]
    return header, rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def write_gradesheet(report: Report, sheet: GradeSheet, folder: Path) -> dict[str, Path]:
    header, rows = sheet_rows(report, sheet)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    if "csv" in sheet.formats:
        path = folder / f"{sheet.basename}.csv"
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle, delimiter=sheet.csv_delimiter, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows([_cell(v) for v in row] for row in rows)
        out["csv"] = path
    if "xlsx" in sheet.formats:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        page = book.active
        page.title = "grades"
        page.append(header)
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in rows:
            page.append(row)
        path = folder / f"{sheet.basename}.xlsx"
        book.save(path)
        out["xlsx"] = path
    return out


def cmd_gradesheet(args: argparse.Namespace) -> int:
    from rich.console import Console

    from grader.course import open_course
    from grader.report.build import build_report

    course = open_course(args.course)
    sheet = configured(GradeSheet, course.config)
    if args.format:
        sheet.formats = [args.format]
    report = build_report(course)
    written = write_gradesheet(report, sheet, Path(args.out) if args.out else course.gradebook_dir)
    console = Console(highlight=False)
    console.print(f"grade sheet of {len(report.rows)} students, columns {', '.join(sheet.columns)} "
                  "(GradeSheet.columns in nbgrader_config.py)")
    for fmt, path in written.items():
        console.print(f"{fmt.upper()}: {path}", soft_wrap=True)
    pending = [row.student for row in report.rows if row.pending]
    if pending:
        console.print(f"[yellow]not final yet[/yellow] (pending: manual grades or defence marks): "
                      f"{', '.join(pending[:20])}{' …' if len(pending) > 20 else ''}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("gradesheet", help="final grades for the university's grade sheet (CSV, Excel) in a "
                       "configurable column layout",
                       description="Write the final grades, one line per student, in the column layout of "
                       "GradeSheet.columns (student id, names, the 10-point grade, the grade in words, …) to "
                       "gradebook/grade_sheet.csv and .xlsx. Students whose grade is not final yet are listed.")
    p.add_argument("--out", metavar="DIR", help="folder for the files (default: gradebook/)")
    p.add_argument("--format", choices=("csv", "xlsx"), help="only this format (default: GradeSheet.formats)")
    p.set_defaults(func=cmd_gradesheet)
