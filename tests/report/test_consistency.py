"""The "needs attention" section: nothing that needs a human look is dropped."""

from __future__ import annotations

import pytest

from grader.course import CourseFolder
from grader.report.build import build_report
from grader.report.model import Report
from grader.report.terminal import render_table


@pytest.fixture
def report(fixed_class: CourseFolder) -> Report:
    return build_report(fixed_class)


def kinds(report: Report, student: str) -> set[tuple[str, str]]:
    return {(a.kind, a.assignment) for a in report.attention if a.student == student}


def test_roster_student_without_any_data_is_listed(report: Report) -> None:
    assert kinds(report, "s06") == {("roster_no_data", "")}


def test_data_from_someone_not_on_the_roster_is_listed_not_dropped(report: Report) -> None:
    [line] = [a for a in report.attention if a.student == "x99"]
    assert line.kind == "not_on_roster" and "hw1" in line.message
    assert "x99" not in [r.student for r in report.rows]


def test_a_submitted_folder_of_an_unknown_student_is_listed(fixed_class: CourseFolder) -> None:
    (fixed_class.root / "submitted" / "ghost" / "hw2").mkdir(parents=True)
    lines = [a for a in build_report(fixed_class).attention if a.student == "ghost"]
    assert lines and lines[0].kind == "not_on_roster" and "hw2" in lines[0].message


def test_score_above_maximum_pending_grades_and_autograde_statuses_are_listed(report: Report) -> None:
    found = kinds(report, "s05")
    assert {("over_max", "hw8"), ("pending_manual", "hw5"), ("autograde", "hw4"), ("autograde", "hw7"),
            ("late", "hw6")} <= found


def test_non_graded_statuses_are_shown_as_such_never_as_a_silent_zero(report: Report) -> None:
    s05 = report.outcomes["s05"]
    assert (s05["hw4"].shown_status, s05["hw7"].shown_status) == ("timeout", "waiting_gpu")
    assert "hw4: timeout: cell time limit hit in cell(s) tests" in report.flags("s05")
    assert report.row("s05").marks["hw4"] == 1.0  # what was graded still counts, and the status says why


def test_gpu_cells_not_run_are_left_out_of_the_maximum_and_flagged(report: Report) -> None:
    s03 = report.outcomes["s03"]["hw7"]
    assert s03.gpu_skipped == ("gpu",) and s03.max_score == 100.0 and s03.completion == pytest.approx(0.8)
    assert ("flag", "hw7") in kinds(report, "s03")
    assert report.outcomes["s01"]["hw7"].max_score == 110.0  # graded on a GPU worker: the cell counts


def test_project_problems_and_missing_projects_are_listed(report: Report) -> None:
    assert {a.message for a in report.attention if a.kind == "project"} == {
        "#3 README lacks the 'quality' part", "#3 README lacks the 'results' part",
        "#3 DmitryRyumin not invited to the repository"}
    assert ("defence_pending", "project") in kinds(report, "s04")


def test_terminal_shows_the_table_and_every_section(report: Report) -> None:
    from rich.console import Console

    console = Console(record=True, width=220)
    render_table(report, console)
    text = console.export_text()
    assert "Final grades" in text and "Дарья Соколова" in text and "≥7" in text and "1 timeout" in text
    assert "needs attention (14)" in text and "students on the roster with no data (1)" in text


def test_terminal_limits_each_section_but_says_how_many_more(report: Report) -> None:
    from rich.console import Console

    console = Console(record=True, width=220)
    render_table(report, console, attention_limit=1)
    assert "… and 2 more" in console.export_text()
