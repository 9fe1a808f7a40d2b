"""The demo: the whole pipeline on a synthetic class, ending with the grade table and its CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rich.console import Console

from grader.course import open_course
from grader.demo.run import run_demo
from grader.errors import GraderError


@pytest.mark.slow
def test_demo_grades_a_synthetic_class_end_to_end(tiny_course: Path, tmp_path: Path) -> None:
    console = Console(record=True, width=200)
    csv_path = run_demo(open_course(tiny_course), tmp_path / "demo", students=4, assignments=None, console=console)
    text = console.export_text()
    assert "Final grades" in text and "graded 4, failed 0" in text
    # the term ran through grader serve: links accepted, results told, a refused link, a failure told and fixed
    assert "Принято" in text and "tiny проверено:" in text
    assert "это не блокнот" in text or "нет тетради" in text or "не найден" in text or "отклон" in text.lower()
    assert "ядро" in text  # the kernel that died is told in the student's language
    assert "grader serve: running" in text  # the instructor's /queue
    assert "pairs flagged at similarity" in text and "planted: archive:2025/x01" in text  # grader similarity ran
    rows = {r["student"]: r for r in csv.DictReader(csv_path.open(encoding="utf-8-sig"))}
    assert set(rows) == {"s01", "s02", "s03", "s04"}
    # complete: every CPU cell right; the GPU cell is left out of the maximum, so completion is 1.
    assert float(rows["s01"]["tiny_completion"]) == 1.0 and rows["s01"]["tiny_mark"] == "8"
    # complete + defence 8 + one bonus → 4 + 4 + 1 = 9
    assert rows["s01"]["exact"] == "9.0000" and rows["s01"]["grade"] == "9"
    assert "GPU cells not run" in rows["s01"]["flags"]
    # late by 2 days 6 hours with 10 % per started day → 0.7 of the score.
    assert float(rows["s03"]["tiny_completion"]) == pytest.approx(0.7)
    assert "days late" in rows["s03"]["flags"]
    # partial: the only code task unanswered, half the conclusions point → 0.5/4
    assert float(rows["s02"]["tiny_completion"]) == pytest.approx(0.5 / 4)


def test_demo_refuses_to_wipe_a_folder_it_did_not_make(tiny_course: Path, tmp_path: Path) -> None:
    (tmp_path / "precious").mkdir()
    with pytest.raises(GraderError, match="not a demo folder"):
        run_demo(open_course(tiny_course), tmp_path / "precious", students=4, assignments=None,
                 console=Console(file=open("/dev/null", "w")))  # noqa: SIM115
