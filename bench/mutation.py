"""The mutation score of each homework's tests: ``grader lab mutate`` over hw1..hw8 (or the named ones).

    python bench/mutation.py [hw1 hw2 ...] [--sample N | --all] [--seed S] [--workers W] [--write]

For each homework: a seeded sample of mutants of the reference solution (the same as ``grader lab mutate hwN``
with the same seed), each graded through the production path in a scratch course; killed, survived, equivalent
(``source/hwN/instructor/mutants.toml``), not testable here (GPU-only lines on a machine without a GPU), the score
killed / (sample − equivalent − not testable) and the wall time. Survivors are listed under the table.
--write updates the "Mutation score" section of bench/RESULTS.md: the rows and survivors of the homeworks measured
now are replaced, those of the others kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from results import RESULTS, write_section  # noqa: E402

from grader.autograde.nbgrader_api import cuda_available  # noqa: E402
from grader.course import open_course  # noqa: E402
from grader.lab.mutate import MutationReport, mutation_check  # noqa: E402

TITLE = "## Mutation score of the homework tests (bench/mutation.py)"
TARGET = 0.9


def row(report: MutationReport, workers: int) -> str:
    score = "—" if report.score is None else f"{report.score * 100:.0f} %"
    mark = "" if report.score is None or report.score >= TARGET else " (below target)"
    return (f"| {report.assignment} | {len(report.results)} of {report.total} | {report.killed} | "
            f"{report.survived} | {report.equivalent} | {report.not_testable} | {score}{mark} | "
            f"{report.seconds:.0f} s | {time.strftime('%Y-%m-%d')}, seed {report.seed}, {workers} workers, load "
            f"{os.getloadavg()[0]:.1f} |")


def kept_lines(names: list[str]) -> tuple[list[str], list[str]]:
    """The table rows and survivor lines of homeworks not measured this time, from the current section."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    start = text.find(TITLE)
    if start < 0:
        return [], []
    end = text.find("\n## ", start + 1)
    section = text[start:end if end >= 0 else len(text)].splitlines()
    rows = [line for line in section if line.startswith("| hw") and line.split("|")[1].strip() not in names]
    survivors = [line for line in section if line.startswith("- hw") and line.split()[1] not in names]
    return rows, survivors


def main() -> int:
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # raised inside nbgrader's gradebook, as in grader.cli
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--sample", type=int, help="mutants per homework (default: MutationCheck.sample)")
    parser.add_argument("--all", action="store_true", help="every mutant")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    course = open_course(REPO)
    names = args.assignments or [n for n in course.settings.assignments if course.source(n).is_dir()]
    reports = []
    for name in names:
        report = mutation_check(course, name, sample=args.sample, every=args.all, seed=args.seed,
                                workers=args.workers)
        reports.append(report)
        print(row(report, args.workers), flush=True)
    old_rows, old_survivors = kept_lines(names)
    rows = sorted(old_rows + [row(r, args.workers) for r in reports], key=lambda line: line.split("|")[1])
    survivors = sorted(old_survivors + [f"- {r.assignment} `{s.mutant.id}`: {s.mutant.description}"
                                        for r in reports for s in r.survivors], key=lambda line: line.split()[1])
    lines = [TITLE, "", f"`grader lab mutate` per homework, {os.cpu_count()} cores; GPU cells "
             f"{'run' if cuda_available() else 'not run (no GPU)'} where the last run was. Score = killed / (sample "
             f"− equivalent − not testable here); target ≥ {TARGET * 100:.0f} %. A rerun of some homeworks "
             "replaces only their rows.", "",
             "| homework | mutants (sample of all) | killed | survived | equivalent | not testable here | score | "
             "wall time | measured |", "|---|---|---|---|---|---|---|---|---|", *rows]
    if survivors:
        lines += ["", "Survivors (each needs a hidden test that kills it, or a line with its reason in the "
                  "homework's `instructor/mutants.toml`):", "", *survivors]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(TITLE, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
