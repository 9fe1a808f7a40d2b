"""Writing every file ``GradeReport.formats`` asks for (CSV, Excel, HTML)."""

from __future__ import annotations

from pathlib import Path

from grader.course import CourseFolder
from grader.report.config import load_report_config
from grader.report.excel import write_xlsx
from grader.report.html import write_html
from grader.report.model import Report
from grader.report.table import write_csv


def write_all(report: Report, course: CourseFolder, folder: Path | None = None) -> dict[str, Path]:
    """Every file ``GradeReport.formats`` asks for, in ``folder`` (default ``GradeReport.folder`` or gradebook/)."""
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
