"""What the university needs: per test cell the share of students passing it (HTML report), and the grade sheet
in a configurable column layout (``grader gradesheet``, CSV and Excel)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grader.cli import main
from grader.course import CourseFolder, open_course
from grader.errors import ConfigError
from grader.report.build import build_report
from grader.report.cells import cell_shares
from grader.report.html import render_html


def test_each_test_cell_shows_the_share_of_students_passing_it(fixed_class: CourseFolder) -> None:
    report = build_report(fixed_class)
    shares = {(s.assignment, s.cell): s for s in cell_shares(report)}
    assert all(s.graded > 0 and 0 <= s.share <= 1 for s in shares.values())
    hw1 = shares[("hw1", "tests")]
    # every graded submission of hw1's test cell with its full score counts; s01, s02 reach it, s03/s04 do not
    assert hw1.passed >= 2 and hw1.passed < hw1.graded
    assert ("hw7", "gpu") not in shares or shares[("hw7", "gpu")].graded < hw1.graded  # skipped GPU cells left out
    html = render_html(report)
    assert "Test cells: share of students passing" in html and "id='cells'" in html
    assert f"{hw1.share:.0%}" in html


def test_gradesheet_writes_the_configured_columns_as_csv_and_excel(fixed_class: CourseFolder, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with (fixed_class.root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write('\nc.GradeSheet.columns = ["student_id", "name", "grade", "grade_word"]\n'
                     'c.GradeSheet.headers = {"student_id": "Номер", "grade": "Оценка (10)"}\n')
    assert main(["--course", str(fixed_class.root), "gradesheet", "--out", str(tmp_path)]) == 0
    assert "grade sheet of" in capsys.readouterr().out
    with (tmp_path / "grade_sheet.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["Номер", "name", "Оценка (10)", "grade_word"]
    assert rows[1] == ["s01", "Анна Иванова", "10", "отлично"]
    assert ["s02", "Борис Петров", "8", "отлично"] in rows and "x99" not in {r[0] for r in rows}
    book = load_workbook(tmp_path / "grade_sheet.xlsx")
    values = list(book["grades"].iter_rows(values_only=True))
    assert values[0] == ("Номер", "name", "Оценка (10)", "grade_word") and values[1] == ("s01", "Анна Иванова", 10,
                                                                                        "отлично")


@pytest.mark.parametrize(("line", "key"), [
    ('c.GradeSheet.columns = ["student_id", "mark"]', "GradeSheet.columns"),
    ('c.GradeSheet.headers = {"nope": "x"}', "GradeSheet.headers"),
    ('c.GradeSheet.formats = ["pdf"]', "GradeSheet.formats"),
    ('c.GradeSheet.column = ["grade"]', "did you mean c.GradeSheet.columns?"),
])
def test_gradesheet_refuses_a_bad_layout_naming_the_key(fixed_class: CourseFolder, line: str, key: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    with (fixed_class.root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write("\n" + line + "\n")
    assert main(["--course", str(fixed_class.root), "gradesheet"]) == 1
    assert key in capsys.readouterr().err
    if "did you mean" in key:
        with pytest.raises(ConfigError):
            open_course(fixed_class.root)


def test_gradesheet_has_help() -> None:
    with pytest.raises(SystemExit) as info:
        main(["gradesheet", "--help"])
    assert info.value.code == 0


def test_the_report_says_why_its_maximum_differs_from_formgraders(fixed_class: CourseFolder) -> None:
    from grader.report.cells import gpu_gaps

    report = build_report(fixed_class)
    gaps = gpu_gaps(report)
    assert [(g.assignment, g.cells, g.points) for g in gaps] == [("hw7", ("gpu",), 10.0)]
    assert "formgrader's maximum counts the GPU cell(s) gpu (10 points)" in render_html(report)
