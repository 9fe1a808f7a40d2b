"""One result everywhere: every case of a submission's life, through every view, shows the same numbers and mark.

Cases (one student each, on hw1 whose deadline has passed, or hw2 whose deadline is ahead): graded, partial,
timeout, kernel died, memory limit, tampering, invalid notebook, missing, late, GPU cells skipped, manual grading
pending, not yet due, a failed collection. Views: the result itself, the bot's /status line and its notify
message, the per-student report, the terminal table, CSV, the HTML report and the Excel homework sheet.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from grader.bot.answers import result_state, result_text
from grader.completion import Autograde, HomeworkOutcome, grade_inputs
from grader.lifecycle import Event
from grader.policy.grade import GradePolicy, band_mark, grade_class
from grader.report.excel import homework_sheet
from grader.report.html import render_html
from grader.report.model import Report
from grader.report.student import render_student, results_of
from grader.report.table import write_csv
from grader.report.terminal import mark_cell
from grader.result import Result, result_of

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
DEADLINES = {"hw1": NOW - timedelta(days=3), "hw2": NOW + timedelta(days=3)}
POLICY = GradePolicy(assignments=("hw1", "hw2"))
RECEIVED = NOW - timedelta(days=4)


def _graded(student: str, score: float, top: float, *, status: str = "graded", late: float = 0.0,
            multiplier: float = 1.0, gpu: tuple[str, ...] = (), pending: tuple[str, ...] = ()) -> HomeworkOutcome:
    raw = score / top
    return HomeworkOutcome(student, "hw1", "graded", score=score, max_score=top, raw_completion=raw,
                           completion=min(1.0, raw * multiplier), received=RECEIVED, days_late=late,
                           late_multiplier=multiplier, gpu_skipped=gpu, pending=pending,
                           autograde=Autograde(status=status, received=RECEIVED, submission_status="collected"))


def _unscored(student: str, hw: str, auto: Autograde) -> HomeworkOutcome:
    return HomeworkOutcome(student, hw, "ungraded" if auto.received or auto.status else "missing",
                           received=auto.received, autograde=auto)


# case → (its outcome on hw1 or hw2, the status and reason the result must carry, whether a mark stands)
CASES: dict[str, tuple[HomeworkOutcome, str, str, bool]] = {
    "graded": (_graded("graded", 10, 10), "graded", "", True),
    "partial": (_graded("partial", 6, 10), "graded", "", True),
    "timeout": (_graded("timeout", 5, 10, status="timeout"), "failed", "timeout", True),
    "kernel_died": (_graded("kernel_died", 3, 10, status="kernel_died"), "failed", "kernel_died", True),
    "memory_limit": (_unscored("memory_limit", "hw1", Autograde(status="memory_limit", received=RECEIVED,
                                                                submission_status="collected")),
                     "failed", "memory_limit", True),
    "tampering": (_graded("tampering", 4, 10, status="tampering"), "failed", "tampering", True),
    "invalid_notebook": (_unscored("invalid_notebook", "hw1", Autograde(status="invalid_notebook",
                                                                        received=RECEIVED,
                                                                        submission_status="collected")),
                         "failed", "invalid_notebook", True),
    "missing": (_unscored("missing", "hw1", Autograde()), "missing", "", True),
    "late": (_graded("late", 10, 10, late=1.5, multiplier=0.8), "graded", "", True),
    "gpu_skipped": (_graded("gpu_skipped", 8, 8, gpu=("test_gpu",)), "graded", "", True),
    "pending_manual": (_graded("pending_manual", 7, 10, pending=("conclusions",)), "graded", "", True),
    "not_due": (_unscored("not_due", "hw2", Autograde()), "not_due", "", False),
    "fetch_failed": (_unscored("fetch_failed", "hw1", Autograde(received=RECEIVED, submission_status="failed")),
                     "fetch_failed", "notebook_other_assignment", True),
}
EVENTS = {"fetch_failed": Event(1, "fetch_failed", NOW, "notebook_other_assignment",
                                {"path": "hw1/hw1.ipynb", "other": "hw0"})}


def _filler(student: str, hw: str) -> HomeworkOutcome:
    return _unscored(student, hw, Autograde())


@pytest.fixture(scope="module")
def report() -> Report:
    outcomes = {}
    for case, (outcome, _, _, _) in CASES.items():
        per_hw = {hw: _filler(case, hw) for hw in POLICY.assignments}
        per_hw[outcome.assignment] = outcome
        outcomes[case] = per_hw
    rows = grade_class(grade_inputs(outcomes), POLICY)
    return Report(POLICY.assignments, rows, outcomes, policy=POLICY, course_name="Test", deadlines=DEADLINES,
                  timezone=ZoneInfo("Europe/Moscow"), generated_at=NOW)


@pytest.fixture(scope="module")
def files(report: Report, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict[str, str]], str]:
    """The CSV rows by student and the HTML report, written once."""
    path = write_csv(report, tmp_path_factory.mktemp("report") / "grades.csv")
    with path.open(encoding="utf-8-sig") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    return rows, render_html(report)


def _result(report: Report, case: str) -> Result:
    outcome = CASES[case][0]
    return results_of(report, case, {outcome.assignment: EVENTS[case]} if case in EVENTS else None)[
        outcome.assignment]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_view_shows_the_same_result(report: Report, files: tuple[dict[str, dict[str, str]], str],
                                          case: str) -> None:
    outcome, status, reason, counted = CASES[case]
    hw = outcome.assignment
    result = _result(report, case)
    assert result == result_of(outcome, DEADLINES[hw], NOW, POLICY, EVENTS.get(case))  # one function
    assert (result.status, result.reason, result.counted) == (status, reason, counted)
    row = report.row(case)
    if counted:  # the policy's mark is the result's mark, in every view
        assert result.mark == row.marks[hw] == band_mark(result.completion or 0.0, POLICY)
        mark = f"{result.mark:g}"
        assert mark_cell(outcome, row.marks[hw]).split(" ")[0] in (mark, f"≥{mark}", "—")
        table = files[0][case]
        assert table[f"{hw}_mark"] == mark and table[f"{hw}_status"] == outcome.shown_status
        header, sheet = homework_sheet(report, hw)
        assert dict(zip(header, next(r for r in sheet if r[0] == case), strict=True))["mark"] == result.mark
        assert f"<td title='p = {row.completions[hw]:.4f}; {outcome.shown_status}'>" in files[1]
    student_text = render_student(report, case, "ru", {hw: EVENTS[case]} if case in EVENTS else None)
    line = next(x for x in student_text.splitlines() if x.startswith(f"- {hw}:"))
    english = render_student(report, case, "en", {hw: EVENTS[case]} if case in EVENTS else None)
    bot_ru, bot_en = result_text("ru", result), result_text("en", result)
    if status in ("graded", "failed") and result.max_points:
        points = f"{result.points:g}/{result.max_points:g}"
        for text in (bot_ru, bot_en, result_state("ru", result)):
            assert points in text and f"оценка {result.mark:g} из 8" in text or f"mark {result.mark:g} of 8" in text
        shown = re.search(r"(\d+)% → (?:ждёт ручной проверки, пока )?([\d.]+)", line)
        assert shown is not None and shown.groups() == (f"{round(100 * (result.completion or 0))}",
                                                        f"{result.mark:g}"), line
    if status == "not_due":
        assert "ещё не сдано (дедлайн" in line and "→ 0" not in line
    if status == "missing":
        assert line == f"- {hw}: не сдано → 0"
    if status == "fetch_failed":
        assert "hw1/hw1.ipynb — тетрадь hw0" in line and "hw1/hw1.ipynb — тетрадь hw0" in bot_ru
    for text in (line, bot_ru):  # the student's language only: no status code or English reason inside
        codes = [c for c in (reason, "graded", "failed", "timeout", "kernel", "not_due", "missing") if c]
        assert not any(code in text for code in codes), text
    assert "не " not in english and "проверка" not in english
