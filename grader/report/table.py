"""The grades table as values (numbers stay numbers), and the CSV file that holds it: UTF-8 with BOM so that
Excel shows Cyrillic names."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.report.model import Report


def table_header(report: Report) -> list[str]:
    hws = report.assignments
    return ["student", "last_name", "first_name", *(f"{hw}_completion" for hw in hws), *(f"{hw}_mark" for hw in hws),
            *(f"{hw}_status" for hw in hws), "homework_mean", "homework_points", "defence", "project_points",
            "bonuses", "bonus_points", "exact", "grade", "pending", "flags"]


def table_rows(report: Report) -> list[list[object]]:
    """The grades table as values (numbers stay numbers): what the CSV and the Excel grades sheet hold."""
    out: list[list[object]] = []
    for row in report.rows:
        entry = report.names.get(row.student)
        per_hw = report.outcomes[row.student]
        out.append([row.student, (entry.last_name if entry else "") or "", (entry.first_name if entry else "") or "",
                    *(row.completions[hw] for hw in report.assignments), *(row.marks[hw] for hw in report.assignments),
                    *(per_hw[hw].shown_status for hw in report.assignments), row.homework_mean, row.homework_points,
                    None if "defence" in row.pending else row.defence, row.project_points, ", ".join(row.bonuses),
                    row.bonus_points, row.exact, row.grade, "; ".join(row.pending),
                    "; ".join(report.flags(row.student))])
    return out


def _csv_value(header: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if header.endswith("_mark") or header in ("defence", "bonus_points", "grade") \
            else f"{value:.4f}"
    return str(value)


def write_csv(report: Report, path: Path, delimiter: str = ",") -> Path:
    """UTF-8 with BOM, so that Excel shows Cyrillic names correctly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = table_header(report)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for values in table_rows(report):
            writer.writerow([_csv_value(h, v) for h, v in zip(header, values, strict=True)])
    return path
