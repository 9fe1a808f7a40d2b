"""``grader report``: the final table on the terminal, and the CSV, Excel and HTML files; ``--student ID`` shows
one student's breakdown and the text their report would have. Thin: parse, build, write, print the paths."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

DESCRIPTION = ("Compute every student's homework marks, homework component, project marks, bonuses, the exact final "
               "value and the rounded grade (nbgrader_config.py), list what needs attention, and write the CSV "
               "(UTF-8 with BOM), Excel and HTML report files (GradeReport.formats) to gradebook/.")


def _extra_files(report: Any, args: argparse.Namespace, delimiter: str) -> dict[str, Path]:
    """--csv/--xlsx/--html FILE: a copy where the user asked for one."""
    from grader.report.excel import write_xlsx
    from grader.report.html import write_html
    from grader.report.table import write_csv

    writers = {"csv": lambda r, p: write_csv(r, p, delimiter), "xlsx": write_xlsx, "html": write_html}
    return {fmt: writer(report, Path(getattr(args, fmt))) for fmt, writer in writers.items()
            if getattr(args, fmt, None)}


def cmd_report(args: argparse.Namespace) -> int:
    from grader.course import open_course
    from grader.report.build import build_report
    from grader.report.config import load_report_config
    from grader.report.files import write_all
    from grader.report.terminal import render_table

    course = open_course(args.course)
    console = Console(highlight=False)
    if getattr(args, "student", None):
        from grader.report.student import render_student
        from grader.report.trace import trace

        report = build_report(course, students=[args.student])
        if not report.rows:
            from grader.errors import RosterError

            raise RosterError(f"no student {args.student!r} on the roster")
        for line in trace(report, args.student):
            console.print(f"{line.label:>6}  {line.text}", soft_wrap=True, markup=False)
        console.rule("what the student receives")
        console.print(render_student(report, args.student, args.language), markup=False)
        return 0
    config = load_report_config(course.config)
    report = build_report(course)
    render_table(report, console, config.terminal_attention)
    written = list(write_all(report, course, Path(args.out) if getattr(args, "out", None) else None).items())
    written += _extra_files(report, args, config.csv_delimiter).items()
    for fmt, path in written:
        console.print(f"{fmt.upper()}: {path}", soft_wrap=True)
    return 0


def register(sub: Any) -> None:
    """Add ``grader report`` to the ``grader`` command (``grader/cli.py``'s table of verbs)."""
    parser = sub.add_parser("report", help="final grades: terminal table, CSV, Excel and HTML", description=DESCRIPTION)
    parser.add_argument("--csv", metavar="FILE", help="also write the CSV here")
    parser.add_argument("--xlsx", metavar="FILE", help="also write the Excel workbook here")
    parser.add_argument("--html", metavar="FILE", help="also write the HTML page here")
    parser.add_argument("--out", metavar="DIR", help="folder for the report files (default: GradeReport.folder, "
                        "else gradebook/)")
    parser.add_argument("--student", metavar="ID", help="only this student: the breakdown of every number and "
                        "the text of their report")
    parser.add_argument("--language", choices=("ru", "en"), default="ru", help="language of the student's report "
                        "(with --student; default ru)")
    parser.set_defaults(func=cmd_report)
