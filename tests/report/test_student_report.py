"""What a student receives through the bot: their marks, what is pending, what was flagged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from grader.course import CourseFolder
from grader.errors import RosterError
from grader.report.student import student_report


def test_russian_report_lists_marks_pending_and_flags(fixed_class: CourseFolder) -> None:
    text = student_report(fixed_class, "s05")
    assert text.splitlines()[1] == "Студент: Дарья Соколова (s05)"
    for line in ("- hw1: 40% → 3", "- hw5: 99% → ждёт ручной проверки, пока 7",
                 "- hw6: 80% → 6 (опоздание 1.5 дн., ×0.8)", "- hw3: 0% → 0",
                 "Проект: #3 dasha/cv; защита 5 → 2.5; бонусов пока нет",
                 "Итог: 4.125 → оценка 4 (предварительно)", "Ожидает: hw5 (ручная проверка)",
                 "- hw4: 1% → 1 (проверка прервалась: тетрадь не уложилась в лимит времени; засчитаны ячейки, "
                 "которые успели выполниться)", "- hw7: получено, ещё не проверено (ждёт машину с GPU)"):
        assert line in text, line
    assert "evidence" not in text and "timeout" not in text and len(text) < 4096  # one Telegram message, all Russian


def test_english_report_of_a_pair_partner(fixed_class: CourseFolder) -> None:
    text = student_report(fixed_class, "s03", language="en")
    assert "Project: #2 boris/speech; defence 8 → 4; no bonus yet" in text
    assert "Total: 7 → grade 7" in text and "provisional" not in text
    assert "- hw7: 80% → 6 (GPU cells were not run and do not count)" in text


def test_a_student_shows_only_their_own_data(fixed_class: CourseFolder) -> None:
    text = student_report(fixed_class, "s01")
    assert "Соколова" not in text and "x99" not in text and "s05" not in text
    assert "бонусы: gradio_space +1, open_datasets +1" in text and "оценка 10" in text


def test_missing_homework_and_missing_defence_are_pending_not_hidden(fixed_class: CourseFolder) -> None:
    text = student_report(fixed_class, "s04", language="en")
    assert "defence: not marked yet" in text and "Pending: project defence" in text
    assert "Total: 3.5 → grade 4 (provisional)" in text


def test_unknown_student_is_an_error_that_names_them(fixed_class: CourseFolder) -> None:
    with pytest.raises(RosterError, match="no student 'x99' on the roster"):
        student_report(fixed_class, "x99")


def test_before_its_deadline_an_unsubmitted_homework_is_not_a_zero(fixed_class: CourseFolder) -> None:
    from datetime import UTC, datetime, timedelta

    from grader.report.build import build_report
    from grader.report.student import render_student

    report = build_report(fixed_class, students=["s05"])
    hw, deadline = "hw3", datetime.now(UTC) + timedelta(days=3)
    report.deadlines[hw] = deadline
    report.outcomes["s05"][hw] = replace(report.outcomes["s05"][hw], status="missing")
    text = render_student(report, "s05")
    assert f"- {hw}: ещё не сдано (дедлайн {deadline.astimezone(report.timezone):%Y-%m-%d %H:%M})" in text
    report.deadlines[hw] = datetime.now(UTC) - timedelta(days=1)
    assert f"- {hw}: не сдано → 0" in render_student(report, "s05")
    assert f"- {hw}: not submitted → 0" in render_student(report, "s05", "en")
