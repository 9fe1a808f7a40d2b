"""Time each homework's reference notebook through nbgrader's autograde (the same path the tests use).

    python bench/homeworks.py [hw1 hw2 ...] [--write]

--write replaces the "Homework reference notebooks" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "homeworks"))
sys.path.insert(0, str(REPO))

from homework_lab import AssignmentLab, skipped_here  # noqa: E402
from results import write_section  # noqa: E402

TITLE = "## Homework reference notebooks (bench/homeworks.py)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    names = args.assignments or sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    rows = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            lab = AssignmentLab(name, Path(tmp))
            graded = lab.reference()
            skipped = skipped_here(lab)
            full = all(graded.full(c) for c in graded.auto_cells if c not in skipped)
            rows.append((name, graded.seconds, full, len(graded.auto_cells), len(skipped)))
            print(f"{name}: {graded.seconds:.1f} s, full marks on every CPU cell: {full}", flush=True)
    load = os.getloadavg()[0]
    lines = [TITLE, "", f"Reference solution autograded through nbgrader (kernel start to gradebook), "
             f"{os.cpu_count()} cores, load average {load:.1f} at the end, {time.strftime('%Y-%m-%d')}. "
             "Target: under 60 s each.", "", "| homework | autograde wall time | full marks (CPU cells) | "
             "graded cells | GPU cells skipped here |", "|---|---|---|---|---|"]
    lines += [f"| {n} | {s:.1f} s | {'yes' if f else 'NO'} | {c} | {g} |" for n, s, f, c, g in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(TITLE, text)
    return 0 if all(r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
