"""Flagged pairs reach the report's "needs attention" list, from the JSON ``grader similarity`` wrote."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from grader.cli import main
from grader.course import open_course
from grader.report.build import build_report
from grader.report.checks import for_student
from grader.report.model import KINDS
from grader.report.terminal import render_attention
from grader.similarity.attention import similarity_attention
from similarity.classroom import INDEPENDENT, submit


def test_flagged_pairs_become_attention_lines_for_both_students(course_root: Path) -> None:
    submit(course_root, "s05", INDEPENDENT[0])  # the same code as s02
    assert main(["--course", str(course_root), "similarity", "hw1"]) == 0
    report = build_report(open_course(course_root))
    lines = [a for a in report.attention if a.kind == "similarity"]
    assert [(a.student, a.assignment) for a in lines] == [("s01", "hw1"), ("s02 + s05", "hw1")]
    assert "the reference solution" in lines[0].message and "gradebook/similarity/hw1.html" in lines[0].message
    assert for_student(lines, "s05") == [lines[1]] and for_student(lines, "s02") == [lines[1]]
    console = Console(record=True, width=250)
    render_attention(report, console)
    text = console.export_text()
    assert KINDS["similarity"] in text and "similar code: s02 and s05, 100 %" in text


def test_no_results_no_lines_and_a_broken_file_is_one_line(course_root: Path) -> None:
    course = open_course(course_root)
    assert similarity_attention(course) == []
    (course.gradebook_dir / "similarity").mkdir(parents=True)
    (course.gradebook_dir / "similarity" / "hw1.json").write_text("{not json")
    [line] = similarity_attention(course)
    assert "run grader similarity hw1 again" in line.message
