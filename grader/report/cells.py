"""Per test cell, the share of students passing it: a broken test (nobody passes) or a hard task shows at a
glance in the HTML report. Read from the report's outcomes only (autograded cells of graded submissions; GPU
cells not run are left out)."""

from __future__ import annotations

from dataclasses import dataclass

from grader.report.model import Report

TOLERANCE = 1e-9


@dataclass(frozen=True)
class CellShare:
    """One autograded cell: how many graded submissions have it, how many got its full score, and the share."""

    assignment: str
    cell: str
    max_score: float
    graded: int
    passed: int

    @property
    def share(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def cell_shares(report: Report) -> list[CellShare]:
    """Every autograded cell of every assignment, in the order the outcomes list them (the source notebook's)."""
    counts: dict[tuple[str, str], list[float]] = {}
    for per_hw in report.outcomes.values():
        for hw in report.assignments:
            outcome = per_hw.get(hw)
            if outcome is None or outcome.status != "graded":
                continue
            for cell in outcome.cells:
                if cell.kind != "auto" or cell.gpu_skipped or cell.score is None:
                    continue
                entry = counts.setdefault((hw, cell.name), [cell.max_score, 0, 0])
                entry[1] += 1
                entry[2] += 1 if cell.score >= cell.max_score - TOLERANCE else 0
    order = {hw: i for i, hw in enumerate(report.assignments)}
    shares = [CellShare(hw, name, top, int(graded), int(passed))
              for (hw, name), (top, graded, passed) in counts.items()]
    return sorted(shares, key=lambda s: order[s.assignment])  # stable: cells keep their order inside a homework


@dataclass(frozen=True)
class GpuGap:
    """Why formgrader's maximum of an assignment is above the report's for some submissions: GPU cells not run
    (``GpuPolicy.mode = 'skip'``) count in nbgrader's maximum and are left out of the report's."""

    assignment: str
    cells: tuple[str, ...]
    points: float
    submissions: int


def gpu_gaps(report: Report) -> list[GpuGap]:
    gaps: dict[str, tuple[dict[str, float], int]] = {}
    for per_hw in report.outcomes.values():
        for hw in report.assignments:
            outcome = per_hw.get(hw)
            if outcome is None or not outcome.gpu_skipped:
                continue
            cells, count = gaps.get(hw, ({}, 0))
            cells.update({c.name: c.max_score for c in outcome.cells if c.gpu_skipped})
            gaps[hw] = (cells, count + 1)
    return [GpuGap(hw, tuple(sorted(cells)), sum(cells.values()), count)
            for hw in report.assignments if hw in gaps for cells, count in [gaps[hw]]]
