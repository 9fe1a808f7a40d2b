"""The worked examples of the grading policy page, end to end: gradebook rows → completion → marks → the grade
in the exported CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.course import CourseFolder
from grader.report.build import build_report
from grader.report.table import write_csv


@pytest.fixture(scope="module")
def exported(class_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    from grader.course import open_course

    path = write_csv(build_report(open_course(class_template)), tmp_path_factory.mktemp("csv") / "grades.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


HW = [f"hw{i}" for i in range(1, 9)]


def test_all_complete_defence_8_both_bonuses_is_10(exported: dict[str, dict[str, str]]) -> None:
    row = exported["s01"]
    assert [row[f"{hw}_mark"] for hw in HW] == ["8"] * 8
    assert (row["homework_points"], row["project_points"], row["bonus_points"]) == ("4.0000", "4.0000", "2")
    assert (row["exact"], row["grade"]) == ("10.0000", "10")


def test_seven_complete_one_missing_defence_8_is_7_5_rounded_to_8(exported: dict[str, dict[str, str]]) -> None:
    row = exported["s02"]
    assert row["hw8_status"] == "missing" and row["hw8_mark"] == "0"
    assert (row["homework_mean"], row["exact"], row["grade"]) == ("7.0000", "7.5000", "8")


def test_every_homework_at_0_8_gives_marks_6_and_3_points(exported: dict[str, dict[str, str]]) -> None:
    row = exported["s03"]
    assert {row[f"{hw}_completion"] for hw in HW} == {"0.8000"} and {row[f"{hw}_mark"] for hw in HW} == {"6"}
    assert row["homework_points"] == "3.0000"


def test_every_homework_at_0_81_gives_marks_7_and_3_5_points(exported: dict[str, dict[str, str]]) -> None:
    row = exported["s04"]
    assert {row[f"{hw}_completion"] for hw in HW} == {"0.8100"} and {row[f"{hw}_mark"] for hw in HW} == {"7"}
    assert row["homework_points"] == "3.5000"


def test_band_examples_0_4_to_3_0_1_to_1_and_0_to_0(exported: dict[str, dict[str, str]]) -> None:
    row = exported["s05"]
    assert [(row[f"{hw}_completion"], row[f"{hw}_mark"]) for hw in ("hw1", "hw2", "hw3")] == [
        ("0.4000", "3"), ("0.1000", "1"), ("0.0000", "0")]


def test_pair_partners_both_get_the_project_marks(exported: dict[str, dict[str, str]]) -> None:
    assert exported["s02"]["defence"] == exported["s03"]["defence"] == "8"
    assert exported["s03"]["exact"] == "7.0000"


def test_late_penalty_and_capped_score_reach_the_grade(exported: dict[str, dict[str, str]]) -> None:
    row = exported["s05"]
    assert (row["hw6_completion"], row["hw6_mark"]) == ("0.8000", "6")  # 100 % × 0.8 (two started days late)
    assert (row["hw8_completion"], row["hw8_mark"]) == ("1.0000", "8")  # 121/100 capped at 1, and flagged
    assert (row["exact"], row["grade"]) == ("4.1250", "4")


def test_ceil_rounding_is_an_option(fixed_class: CourseFolder) -> None:
    from grader.course import open_course

    with (fixed_class.root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write('\nc.GradeFormula.rounding = "ceil"\n')
    report = build_report(open_course(fixed_class.root))
    assert report.row("s05").exact == 4.125 and report.row("s05").grade == 5.0
