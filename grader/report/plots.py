"""The report's plots as PNG bytes (matplotlib's Agg canvas, no GUI, no pyplot state): the grade distribution,
completion per homework, and submissions over time against the deadlines."""

from __future__ import annotations

import io
from datetime import datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from grader.report.model import Report

ON_TIME, LATE, DEADLINE, BAR = "#2e7d32", "#c62828", "#212121", "#1565c0"


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def grade_distribution(report: Report) -> bytes:
    top = int(report.policy.max_grade)
    counts = [sum(1 for r in report.rows if int(round(r.grade)) == g) for g in range(top + 1)]
    figure = Figure(figsize=(6, 3.2))
    ax = figure.add_subplot()
    ax.bar(range(top + 1), counts, color=BAR)
    for grade, count in enumerate(counts):
        if count:
            ax.text(grade, count, str(count), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(range(top + 1))
    ax.set_xlabel("rounded grade")
    ax.set_ylabel("students")
    ax.set_title(f"Grade distribution ({len(report.rows)} students)")
    ax.set_ylim(0, max(counts + [1]) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def completion_per_homework(report: Report) -> bytes:
    hws = list(report.assignments)
    figure = Figure(figsize=(max(6, 0.8 * len(hws) + 2), 3.2))
    ax = figure.add_subplot()
    means = []
    for index, hw in enumerate(hws):
        values = [r.completions[hw] for r in report.rows]
        means.append(sum(values) / len(values) if values else 0.0)
        spread = [index + (k - (len(values) - 1) / 2) * min(0.5 / max(len(values), 1), 0.05) for k in
                  range(len(values))]
        ax.scatter(spread, values, s=12, color=DEADLINE, alpha=0.6, zorder=3)
        missing = sum(1 for r in report.rows if report.outcomes[r.student][hw].status == "missing")
        if missing:
            ax.text(index, 1.04, f"{missing} missing", ha="center", fontsize=8, color=LATE)
    ax.bar(range(len(hws)), means, color=BAR, alpha=0.5, label="mean completion")
    ax.set_xticks(range(len(hws)), hws)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("completion p")
    ax.set_title("Completion per homework (dots: students)")
    ax.legend(loc="lower right", fontsize=8)
    return _png(figure)


def submissions_over_time(report: Report) -> bytes:
    hws = list(report.assignments)
    figure = Figure(figsize=(7, max(2.5, 0.45 * len(hws) + 1)))
    ax = figure.add_subplot()
    zone = report.timezone
    stamps: list[datetime] = []
    for index, hw in enumerate(hws):
        deadline = report.deadlines.get(hw)
        outcomes = [o for per in report.outcomes.values() if (o := per[hw]).received is not None]
        stamps += [o.received.astimezone(zone) for o in outcomes]  # type: ignore[union-attr]
        # late against the student's own deadline (an extension), which the outcome's days_late already used
        late = [o.received.astimezone(zone) for o in outcomes if o.days_late > 0]  # type: ignore[union-attr]
        ok = [o.received.astimezone(zone) for o in outcomes if o.days_late <= 0]  # type: ignore[union-attr]
        ax.scatter(ok, [index] * len(ok), s=18, color=ON_TIME, zorder=3, label="on time" if index == 0 else None)
        ax.scatter(late, [index] * len(late), s=18, color=LATE, marker="x", zorder=3,
                   label="late" if index == 0 else None)
        if deadline is not None:
            local = deadline.astimezone(zone)
            stamps.append(local)
            ax.plot([local, local], [index - 0.35, index + 0.35], color=DEADLINE, linewidth=2,
                    label="deadline" if index == 0 else None)
    if stamps:
        locator = AutoDateLocator(tz=zone)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone))
    else:
        ax.text(0.5, 0.5, "no submission times yet", transform=ax.transAxes, ha="center")
    ax.set_yticks(range(len(hws)), hws)
    ax.set_ylim(len(hws) - 0.5, -0.5)
    ax.set_title("Submissions over time against deadlines")
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="upper left", fontsize=8, bbox_to_anchor=(1.0, 1.0))
    return _png(figure)


PLOTS = {
    "Grade distribution": grade_distribution,
    "Completion per homework": completion_per_homework,
    "Submissions over time against deadlines": submissions_over_time,
}
