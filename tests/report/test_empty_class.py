"""A course with nobody in it yet still gets a report (empty table, empty plots), not a crash."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from grader.report.excel import write_xlsx
from grader.report.html import render_html
from grader.report.model import Report
from grader.report.table import write_csv


def test_every_writer_handles_an_empty_class(tmp_path: Path) -> None:
    report = Report(assignments=("hw1", "hw2"), rows=[], outcomes={})
    assert write_csv(report, tmp_path / "g.csv").read_text(encoding="utf-8-sig").count("\n") == 1
    assert load_workbook(write_xlsx(report, tmp_path / "g.xlsx")).sheetnames[:3] == ["grades", "hw1", "hw2"]
    page = render_html(report)
    assert page.count("data:image/png;base64,") == 3 and "Nothing needs attention." in page
