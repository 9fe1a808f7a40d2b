"""What every view reads from the model: the formula's headers come from the configured weights."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from grader.policy.grade import GradePolicy
from grader.report.html import render_html
from grader.report.model import Report
from grader.report.terminal import render_table


def test_headers_follow_the_configured_weights() -> None:
    policy = replace(GradePolicy(), homework_weight=0.4, project_weight=0.6)
    report = Report(assignments=("hw1",), rows=[], outcomes={}, policy=policy)
    assert (report.weighted_h, report.formula) == ("0.4·H", "0.4·H + 0.6·E + bonuses")
    console = Console(record=True, width=200)
    render_table(report, console)
    text = console.export_text()
    assert "0.4·H + 0.6·E + bonuses" in text and "0.5" not in text
    page = render_html(report)
    assert "<th class=''>0.4·H</th>" in page and "0.5·H" not in page


def test_the_default_policy_keeps_the_course_rule() -> None:
    assert Report(assignments=(), rows=[], outcomes={}).formula == "0.5·H + 0.5·E + bonuses"
