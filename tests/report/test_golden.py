"""Golden files for the CSV and the Excel workbook of the fixed class (``classroom.py``)."""

from __future__ import annotations

from pathlib import Path

from grader.course import CourseFolder
from grader.report.build import build_report
from grader.report.excel import write_xlsx
from grader.report.table import write_csv

from .golden import assert_golden, workbook_as_json


def test_csv_matches_the_golden_file(fixed_class: CourseFolder, tmp_path: Path) -> None:
    path = write_csv(build_report(fixed_class), tmp_path / "grades.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Cyrillic names as UTF-8
    assert "Иванова".encode() in raw
    assert_golden("grades.csv", raw)


def test_csv_delimiter_can_be_a_semicolon(fixed_class: CourseFolder, tmp_path: Path) -> None:
    text = write_csv(build_report(fixed_class), tmp_path / "g.csv", ";").read_text(encoding="utf-8-sig")
    assert text.startswith("student;last_name;first_name;hw1_completion")


def test_excel_matches_the_golden_file(fixed_class: CourseFolder, tmp_path: Path) -> None:
    path = write_xlsx(build_report(fixed_class), tmp_path / "grades.xlsx")
    assert_golden("grades.xlsx.json", workbook_as_json(path).encode())


def test_excel_has_grades_one_sheet_per_homework_and_flags(fixed_class: CourseFolder, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(write_xlsx(build_report(fixed_class), tmp_path / "grades.xlsx"))
    assert book.sheetnames == ["grades", *(f"hw{i}" for i in range(1, 9)), "flags", "projects", "trace"]
    hw7 = list(book["hw7"].iter_rows(values_only=True))
    assert hw7[0][6:9] == ("conclusions (max 1)", "gpu (max 10)", "tests (max 99)")  # source order, else by name
    s02 = next(r for r in hw7 if r[0] == "s02")
    assert s02[6:9] == (1, "GPU: not run", 99) and s02[9:11] == (100, 100)
    flags = {(r[0], r[2], r[4]) for r in book["flags"].iter_rows(min_row=2, values_only=True)}
    assert ("autograde", "s05", "hw4") in flags and ("not_on_roster", "x99", None) in flags
