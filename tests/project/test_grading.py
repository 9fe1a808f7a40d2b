"""The instructor's marks: the defence mark (0-8), confirmed bonuses, from the command line or a CSV; both
partners of a pair get them, and the report uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import CourseFolder
from grader.errors import ProjectError
from grader.project.checks import ProjectCheck
from grader.project.grading import export_marks, grade_project, import_marks
from grader.project.store import add_project, find_project, list_projects, project_marks, save_check
from grader.report.build import build_report
from grader.roster import import_roster


@pytest.fixture
def course(course: CourseFolder) -> CourseFolder:
    tiny_course = course.root
    (tiny_course / "roster.csv").write_text("id,first_name,last_name\ns1,Анна,Иванова\ns2,Борис,Петров\n"
                                            "s3,Вера,Смирнова\n", encoding="utf-8")
    import_roster(course, tiny_course / "roster.csv")
    pair = add_project(course, "https://github.com/anna/pair", "anna/pair", ("s1", "s2"), "a" * 40)
    save_check(course, pair.id, ProjectCheck("anna/pair", "a" * 40, "2027-01-15T10:00:00+00:00",
                                             suggested={"open_datasets": "2 open datasets"}))
    add_project(course, "https://github.com/vera/solo", "vera/solo", ("s3",), "b" * 40)
    return course


def test_defence_and_confirmed_bonus_reach_both_partners_in_the_report(course: CourseFolder) -> None:
    grade_project(course, "s2", defence=7, accept_suggested=True)
    report = build_report(course)
    for student in ("s1", "s2"):
        row = report.row(student)
        assert (row.defence, row.bonuses, row.project_points, row.bonus_points) == (7.0, ("open_datasets",), 3.5, 1.0)
    assert "defence" in report.row("s3").pending


def test_defence_outside_0_to_8_is_refused(course: CourseFolder) -> None:
    with pytest.raises(ProjectError, match="between 0 and 8"):
        grade_project(course, "1", defence=9)


def test_unknown_bonus_is_refused_with_the_known_ones(course: CourseFolder) -> None:
    with pytest.raises(ProjectError, match="unknown bonus 'poster'.*open_datasets, gradio_space"):
        grade_project(course, "1", confirm=["poster"])


def test_a_bonus_can_be_withdrawn(course: CourseFolder) -> None:
    grade_project(course, "1", confirm=["open_datasets", "gradio_space"])
    assert grade_project(course, "1", withdraw=["gradio_space"]).bonuses == ("open_datasets",)


def test_unknown_project_lists_the_registered_ones(course: CourseFolder) -> None:
    with pytest.raises(ProjectError, match=r"no project 'zz'.*#1 \(s1\+s2\), #2 \(s3\)"):
        grade_project(course, "zz", defence=5)


def test_marks_import_from_csv_with_russian_yes_no_and_semicolons(course: CourseFolder, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("student;defence;open_datasets;gradio_space\ns1;7,5;да;\ns3;6;нет;yes\n", encoding="utf-8-sig")
    import_marks(course, path)
    assert find_project(course, "s2").defence == 7.5 and find_project(course, "s2").bonuses == ("open_datasets",)
    assert find_project(course, "s3").bonuses == ("gradio_space",)


def test_a_bad_line_stops_the_import_and_nothing_is_written(course: CourseFolder, tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("project,defence\n1,6\n2,11\n", encoding="utf-8")
    with pytest.raises(ProjectError, match="marks.csv, line 3: the defence mark must be between 0 and 8"):
        import_marks(course, path)
    assert [p.defence for p in list_projects(course)] == [None, None]


@pytest.mark.parametrize(("text", "message"), [
    ("defence\n6\n", "needs a 'project'"),
    ("project,defence\n7,6\n", "line 2: no project '7'"),
    ("project,open_datasets\n1,maybe\n", "line 2, column open_datasets: 'maybe' is not yes/no"),
    ("project,defence\n1,6\n1,7\n", "line 3: project #1 again"),
    ("project,defence\n1,six\n", "line 2: defence 'six' is not a number"),
])
def test_import_errors_name_the_line(course: CourseFolder, tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectError, match=message):
        import_marks(course, path)


def test_exported_marks_import_back_unchanged(course: CourseFolder, tmp_path: Path) -> None:
    grade_project(course, "1", defence=8, confirm=["gradio_space"])
    before = list_projects(course)
    import_marks(course, export_marks(course, tmp_path / "projects.csv"))
    assert list_projects(course) == before


def test_a_student_in_two_projects_gets_no_project_marks_and_is_flagged(course: CourseFolder) -> None:
    add_project(course, "https://github.com/anna/other", "anna/other", ("s1",), "c" * 40)
    marks, twice = project_marks(list_projects(course))
    assert twice == {"s1": [1, 3]} and "s1" not in marks and "s2" in marks
    report = build_report(course)
    assert any("member of projects #1, #3" in a.message for a in report.attention_for("s1"))


def test_an_unconfirmed_partner_is_flagged_but_both_get_the_marks(course: CourseFolder) -> None:
    from grader.store.db import session_scope
    from grader.store.models import Project

    with session_scope(course.database_url) as session:
        session.get(Project, 1).confirmed = "s1"  # s2 has not confirmed the pair with the bot yet
    grade_project(course, "1", defence=6)
    report = build_report(course)
    assert report.row("s2").defence == 6.0
    assert any("partner(s) s2 have not confirmed" in a.message for a in report.attention_for("s2"))
