"""Every policy knob is validated where it is declared; a bad value names its key."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from course_helpers import REPO, write_config

from grader.course import open_course
from grader.errors import ConfigError, CourseError


def test_repository_config_gives_the_policy_page_defaults() -> None:
    settings = open_course(REPO).settings
    assert settings.assignments == tuple(f"hw{i}" for i in range(1, 9))
    assert (settings.grade.homework_weight, settings.grade.project_weight) == (0.5, 0.5)
    assert settings.grade.rounding == "half_up"
    assert [b.name for b in settings.grade.bands] == ["Excellent", "Good", "Satisfactory", "Unsatisfactory"]
    assert settings.gpu_mode == "skip" and settings.late.kind == "none"
    assert settings.deadlines["hw1"].utcoffset() is not None


@pytest.mark.parametrize(("line", "key"), [
    ('c.GradeFormula.rounding = "floor"', "rounding"),
    ("c.GradeFormula.homework_weight = 1.5", "GradeFormula.homework_weight"),
    ('c.Course.timezone = "Mars/Olympus"', "Course.timezone"),
    ('c.Deadlines.deadlines = {"tiny": "next friday"}', "Deadlines.deadlines['tiny']"),
    ('c.Deadlines.deadlines = {"hw42": "2026-10-01 23:59"}', "Deadlines.deadlines['hw42']"),
    ('c.LatePolicy.kind = "weekly"', "LatePolicy.kind"),
    ('c.LatePolicy.kind = "nosuchmodule:f"', "LatePolicy.kind"),
    ("c.LatePolicy.penalty_per_day = 2", "LatePolicy.penalty_per_day"),
    ('c.GpuPolicy.mode = "maybe"', "mode"),
    ('c.CompletionBands.bands = [{"name": "All", "min": 0.5, "low": 0, "high": 8}]', "CompletionBands.bands"),
    ('c.Bonuses.criteria = {"open_datasets": -1}', "Bonuses.criteria['open_datasets']"),
])
def test_invalid_value_fails_at_start_up_with_the_key(tiny_course: Path, line: str, key: str) -> None:
    write_config(tiny_course, line)
    with pytest.raises(ConfigError) as info:
        open_course(tiny_course)
    assert key in str(info.value)


def test_deadline_without_offset_is_read_in_the_course_time_zone(tiny_course: Path) -> None:
    write_config(tiny_course, 'c.Course.timezone = "Asia/Novosibirsk"\n'
                 'c.Deadlines.deadlines = {"tiny": "2026-10-01 23:59"}')
    deadline = open_course(tiny_course).settings.deadlines["tiny"]
    assert deadline == datetime.fromisoformat("2026-10-01T23:59+07:00")


def test_broken_config_file_is_reported_not_raised(tiny_course: Path) -> None:
    write_config(tiny_course, "c.Course.name = (")
    with pytest.raises(CourseError, match="could not be loaded: SyntaxError"):
        open_course(tiny_course)


def test_course_is_found_from_a_subfolder(tiny_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tiny_course / "source" / "tiny")
    assert open_course().root == tiny_course.resolve()


def test_folder_without_config_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(CourseError, match="--course must name an nbgrader course folder"):
        open_course(tmp_path)


@pytest.mark.parametrize(("line", "message"), [
    ('c.Deadline.deadlines = {"tiny": "2026-10-01 23:59"}',
     "c.Deadline.deadlines: no such setting; did you mean c.Deadlines.deadlines?"),
    ("c.LatePolicy.penalty_per_da = 0.2",
     "c.LatePolicy.penalty_per_da: no such setting; did you mean c.LatePolicy.penalty_per_day?"),
    ("c.GradeFormula.rounding_mode = 'ceil'",
     "c.GradeFormula.rounding_mode: no such setting; did you mean c.GradeFormula.rounding?"),
    ("c.BotSettings.instructor_id = [1]",
     "c.BotSettings.instructor_id: no such setting; did you mean c.BotSettings.instructor_ids?"),
    ("c.CourseDirectory.db_uri = 'sqlite://'",
     "c.CourseDirectory.db_uri: no such setting; did you mean c.CourseDirectory.db_url?"),
    ("c.ClearSolution.code_stub = {}",
     "c.ClearSolution.code_stub: no such setting; did you mean c.ClearSolutions.code_stub?"),
    ("c.Exectue.timeout = 10", "c.Exectue.timeout: no such setting; did you mean c.Execute.timeout?"),
    ("c.GpuPolicy.colour = 'red'", "c.GpuPolicy.colour: no such setting; GpuPolicy has mode, tag"),
    ("c.GraderDatabase.uri = 'sqlite://'", "did you mean c.GraderDatabase.url?"),
])
def test_misspelt_setting_stops_with_the_closest_valid_name(tiny_course: Path, line: str, message: str) -> None:
    write_config(tiny_course, line)
    with pytest.raises(ConfigError) as info:
        open_course(tiny_course)
    assert message in str(info.value)
    assert "nbgrader_config.py" in str(info.value)


def test_another_tools_class_and_inherited_knobs_are_accepted(tiny_course: Path) -> None:
    write_config(tiny_course, "c.ServerApp.port = 8888\nc.Execute.timeout = 30\nc.Execute.kernel_name = 'python3'\n"
                 "c.GraderDatabase.url = 'sqlite://'")
    assert open_course(tiny_course).settings.assignments


def test_misspelt_setting_stops_a_cli_command_with_status_1(tiny_course: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from grader.cli import main

    write_config(tiny_course, 'c.Deadline.deadlines = {"tiny": "2026-10-01 23:59"}')
    assert main(["--course", str(tiny_course), "report"]) == 1
    assert "did you mean c.Deadlines.deadlines?" in capsys.readouterr().err


def test_a_misspelt_reminder_setting_stops_too(tiny_course: Path) -> None:
    write_config(tiny_course, "c.Reminders.hours_befor = 12")
    with pytest.raises(ConfigError, match=r"did you mean c\.Reminders\.hours_before\?"):
        open_course(tiny_course)


@pytest.mark.parametrize(("line", "key"), [
    ("c.Autograde.sanitize_preprocessors = []", "c.Autograde.sanitize_preprocessors"),
    ("c.Autograde.autograde_preprocessors = []", "c.Autograde.autograde_preprocessors"),
    ("c.LateSubmissionPlugin.penalty_method = 'zero'", "c.LateSubmissionPlugin.penalty_method"),
])
def test_settings_the_grader_decides_itself_stop_every_command(line: str, key: str) -> None:
    from traitlets.config import Config

    from grader.config_check import check_config

    config = Config()
    exec(line, {"c": config})  # noqa: S102 (the line a course would write in nbgrader_config.py)
    with pytest.raises(ConfigError, match=f"{key}: set by the grader, not by the course"):
        check_config(config)


def test_every_settings_class_of_the_package_is_known_to_the_config_check() -> None:
    """A settings class the check does not import would make every one of its knobs 'no such setting'."""
    import ast

    from grader.config_check import OWN_SETTINGS_MODULES

    declaring = set()
    for path in (REPO / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", getattr(b, "attr", "")) == "Configurable"
                                                      for b in node.bases):
                declaring.add(".".join(path.relative_to(REPO).with_suffix("").parts))
    assert declaring and declaring <= set(OWN_SETTINGS_MODULES), declaring - set(OWN_SETTINGS_MODULES)
