"""``grader report``: the table, "needs attention", and the three files; ``--student`` traces one student."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.cli import main
from grader.course import CourseFolder
from grader.errors import ConfigError
from grader.report.config import load_report_config


def test_report_writes_csv_xlsx_html_and_prints_their_paths(fixed_class: CourseFolder, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(fixed_class.root), "report", "--html", str(tmp_path / "copy.html")]) == 0
    out = capsys.readouterr().out
    gradebook = fixed_class.gradebook_dir
    for name in ("grades.csv", "grades.xlsx", "grades.html"):
        assert (gradebook / name).is_file() and str(gradebook / name) in out.replace("\n", "")
    assert (tmp_path / "copy.html").is_file()
    assert "Final grades" in out and "needs attention" in out


def test_report_csv_option_of_the_original_verb_still_works(fixed_class: CourseFolder, tmp_path: Path) -> None:
    assert main(["--course", str(fixed_class.root), "report", "--csv", str(tmp_path / "x.csv")]) == 0
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_report_for_one_student_traces_every_number(fixed_class: CourseFolder,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(fixed_class.root), "report", "--student", "s05", "--language", "en"]) == 0
    out = capsys.readouterr().out
    assert "conclusions 1/1 (manual), tests 39/99 → 40/100 = 0.4 → p = 0.4 → band Unsatisfactory" in out
    assert "1.50 days after the deadline" in out and "×0.8 → p = 0.8" in out
    assert "(3 + 1 + 0 + 1 + 7 + 6 + 0 + 8) / 8 = 3.25" in out and "1.625 + 2.5 + 0 = 4.125" in out
    assert "Total: 4.125 → grade 4 (provisional)" in out


def test_unknown_student_exits_1(fixed_class: CourseFolder, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(fixed_class.root), "report", "--student", "nobody"]) == 1
    assert "no student 'nobody'" in capsys.readouterr().err


def test_formats_and_folder_come_from_the_course_config(fixed_class: CourseFolder,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    with (fixed_class.root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write('\nc.GradeReport.formats = ["html"]\nc.GradeReport.folder = "exports"\n')
    assert main(["--course", str(fixed_class.root), "report"]) == 0
    assert sorted(p.name for p in (fixed_class.root / "exports").iterdir()) == ["grades.html"]


def test_an_unknown_format_names_the_key() -> None:
    from traitlets.config import Config

    config = Config()
    config.GradeReport.formats = ["pdf"]
    with pytest.raises(ConfigError, match="GradeReport.formats: unknown format 'pdf'"):
        load_report_config(config)


def test_report_verb_parses_its_options() -> None:
    import argparse

    from grader.report.cli import cmd_report, register

    parser = argparse.ArgumentParser(prog="grader")
    register(parser.add_subparsers())
    args = parser.parse_args(["report", "--csv", "a.csv", "--xlsx", "b.xlsx", "--student", "s1"])
    assert (args.csv, args.xlsx, args.student, args.func) == ("a.csv", "b.xlsx", "s1", cmd_report)
