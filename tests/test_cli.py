"""The grader command: help for every verb, short errors that say what to type instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import build_parser, main

COMMANDS = [["release"], ["release-grades"], ["roster"], ["roster", "import"], ["roster", "codes"], ["autograde"],
            ["feedback"], ["collect"], ["bot"], ["bot", "run"], ["bot", "notify"], ["project"], ["project", "check"],
            ["project", "grade"], ["project", "import"], ["report"], ["demo"]]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_top_level_help_lists_the_verbs() -> None:
    out = run("--help").stdout
    for verb in ("release", "roster", "collect", "autograde", "feedback", "project", "report", "bot", "demo"):
        assert verb in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_explains_itself(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([*command, "--help"])
    assert info.value.code == 0
    assert len(capsys.readouterr().out.splitlines()) >= 3


def test_unknown_verb_says_what_to_type_and_exits_2() -> None:
    result = run("relase")
    assert result.returncode == 2
    assert "invalid choice: 'relase'" in result.stderr and "grader --help" in result.stderr


def test_missing_argument_exits_2() -> None:
    result = run("roster", "import")
    assert result.returncode == 2 and "FILE.csv" in result.stderr


def test_outside_a_course_says_how_to_fix_it(tmp_path: Path) -> None:
    result = run("report", cwd=tmp_path)
    assert result.returncode == 1
    assert "--course DIR" in result.stderr and "Traceback" not in result.stderr


def test_unknown_assignment_is_an_error_not_a_traceback(tiny_course: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(tiny_course), "release", "hw9"]) == 1
    assert "unknown assignment 'hw9'" in capsys.readouterr().err


def test_roster_and_codes_through_the_command(tiny_course: Path) -> None:
    (tiny_course / "r.csv").write_text("id\na\nb\n")
    assert main(["--course", str(tiny_course), "roster", "import", str(tiny_course / "r.csv")]) == 0
    assert main(["--course", str(tiny_course), "roster", "codes", "--out", str(tiny_course / "c.csv")]) == 0
    assert len((tiny_course / "c.csv").read_text(encoding="utf-8-sig").splitlines()) == 3


def test_autograde_of_an_unreleased_assignment_says_to_release_it(tiny_course: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--course", str(tiny_course), "autograde", "tiny", "--no-sandbox"])
    err = capsys.readouterr().err
    assert code == 1 and "grader release tiny" in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip() and "WARNING" not in line
                and "--no-sandbox" not in line and "Use it only" not in line]) == 1
