"""``grader project``: list, check, show, grade, import — thin verbs over the library, errors without traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli import build_parser, main
from grader.course import CourseFolder
from grader.project.store import add_project, find_project

from .conftest import README_RU

VERBS = [["project"], ["project", "list"], ["project", "check"], ["project", "show"], ["project", "grade"],
         ["project", "import"], ["report"]]


@pytest.mark.parametrize("command", VERBS)
def test_every_project_verb_explains_itself(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([*command, "--help"])
    assert info.value.code == 0 and len(capsys.readouterr().out.splitlines()) >= 3


def grader(course: CourseFolder, *args: str) -> int:
    return main(["--course", str(course.root), "project", *args])


def test_check_from_a_local_folder_then_show_and_grade(course: CourseFolder, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    add_project(course, "https://github.com/anna/pair", "anna/pair", ("s1", "s2"), "a" * 40)
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "README.md").write_text(README_RU, encoding="utf-8")
    (folder / "train.py").write_text("load_dataset('a/one')\nload_dataset('b/two')\n", encoding="utf-8")
    assert grader(course, "check", "1", "--from", str(folder)) == 0
    out = capsys.readouterr().out
    assert "suggested bonus open_datasets" in out and "grader project grade 1 --bonus open_datasets" in out
    assert grader(course, "show", "s2") == 0
    out = capsys.readouterr().out
    assert "quality: 'Как измерялось качество моделей'" in out and "a/one (huggingface)" in out
    assert grader(course, "grade", "s1", "--defence", "7", "--accept-suggested") == 0
    assert "every member gets these marks" in capsys.readouterr().out
    assert find_project(course, "s2").bonuses == ("open_datasets",)
    assert grader(course, "list") == 0
    assert "Final projects (1)" in capsys.readouterr().out


def test_list_csv_then_import_round_trip(course: CourseFolder, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    add_project(course, "https://github.com/vera/solo", "vera/solo", ("s3",), "b" * 40)
    path = tmp_path / "projects.csv"
    assert grader(course, "list", "--csv", str(path)) == 0
    text = path.read_text(encoding="utf-8-sig").replace(",,no,no,", ",6,yes,no,")
    path.write_text(text, encoding="utf-8-sig")
    assert grader(course, "import", str(path)) == 0
    assert find_project(course, "s3").defence == 6 and find_project(course, "s3").bonuses == ("open_datasets",)


def test_user_errors_exit_1_without_traceback(course: CourseFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert grader(course, "grade", "nobody", "--defence", "5") == 1
    assert grader(course, "grade", "nobody") == 1
    assert grader(course, "check") == 1
    err = capsys.readouterr().err
    assert "no project 'nobody'" in err and "nothing to record" in err and "--all" in err
    assert "Traceback" not in err


def test_check_all_without_github_records_why(course: CourseFolder, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.project.grading as grading

    monkeypatch.setattr(grading, "github_boundary", lambda course: (None, None, "GitHub: no GITHUB_TOKEN"))
    add_project(course, "https://github.com/vera/solo", "vera/solo", ("s3",), "b" * 40)
    assert grader(course, "check", "--all") == 0
    assert "not checked: cannot fetch vera/solo: GitHub: no GITHUB_TOKEN" in capsys.readouterr().out
