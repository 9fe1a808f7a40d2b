"""How long the final report takes for a large class: N students × 8 homeworks written into nbgrader's gradebook
with its API (no notebook is run), then build_report, the terminal table, CSV, Excel and HTML, timed apart.

    .venv/bin/python bench/report_bench.py --students 300
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook
from rich.console import Console

from grader.course import open_course
from grader.report.build import build_report
from grader.report.excel import write_xlsx
from grader.report.html import write_html
from grader.report.table import write_csv
from grader.report.terminal import render_table

REPO = Path(__file__).resolve().parents[1]
CELLS = {"tests": 6.0, "visible": 2.0, "conclusions": 2.0}


def make_class(root: Path, students: int, seed: int = 7) -> None:
    shutil.copytree(REPO / "tests" / "files" / "tiny", root)
    start = datetime(2026, 9, 1, 23, 59)
    deadlines = {f"hw{i}": (start + timedelta(days=14 * i)).strftime("%Y-%m-%d %H:%M") for i in range(1, 9)}
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(f'\nc.Course.assignments = {list(deadlines)!r}\nc.Deadlines.deadlines = {deadlines!r}\n'
                     'c.LatePolicy.kind = "per_day"\n')
    course = open_course(root)
    rng = random.Random(seed)
    with Gradebook(course.gradebook_url) as gb:
        for i in range(1, 9):
            hw = f"hw{i}"
            gb.update_or_create_assignment(hw)
            gb.update_or_create_notebook(hw, hw)
            for cell, points in CELLS.items():
                gb.update_or_create_grade_cell(cell, hw, hw, max_score=points,
                                               cell_type="markdown" if cell == "conclusions" else "code")
            gb.update_or_create_solution_cell("conclusions", hw, hw)
        for n in range(students):
            sid = f"st{n:04d}"
            gb.update_or_create_student(sid, first_name="Студент", last_name=f"Номер {n}")
            for i in range(1, 9):
                if rng.random() < 0.1:
                    continue
                hw = f"hw{i}"
                stamp = course.settings.deadlines[hw] + timedelta(days=rng.uniform(-3, 1))
                gb.add_submission(hw, sid, timestamp=stamp)
                for cell, points in CELLS.items():
                    grade = gb.find_grade(cell, hw, hw, sid)
                    score = round(rng.uniform(0, points), 1) if rng.random() < 0.9 else None
                    if cell == "conclusions":
                        grade.manual_score = score
                    else:
                        grade.auto_score = points if score is None else score
        gb.db.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "course"
        started = time.perf_counter()
        make_class(root, args.students)
        setup = time.perf_counter() - started
        course = open_course(root)
        timings: dict[str, float] = {}

        def timed(name: str, func, *a):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            result = func(*a)
            timings[name] = time.perf_counter() - began
            return result

        report = timed("build_report", build_report, course)
        timed("terminal table", render_table, report, Console(file=open("/dev/null", "w"), width=200))  # noqa: SIM115
        timed("CSV", write_csv, report, root / "out" / "grades.csv")
        timed("Excel", write_xlsx, report, root / "out" / "grades.xlsx")
        timed("HTML (3 plots)", write_html, report, root / "out" / "grades.html")
        sizes = {p.suffix: p.stat().st_size for p in (root / "out").iterdir()}
    print(f"class: {args.students} students x 8 homeworks, {len(report.attention)} attention lines "
          f"(setup {setup:.1f} s)")
    for name, seconds in timings.items():
        print(f"  {name:<16} {seconds:7.2f} s")
    print("  sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()
