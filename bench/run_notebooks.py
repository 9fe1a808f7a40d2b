"""Run every source (reference) notebook cell by cell, GPU cells included, and report each graded cell.

Meant for a GPU machine that has torch but no Jupyter stack: the notebook JSON is read with the standard
library and its code cells are executed in order in one namespace (what a kernel does), from the
assignment's folder. Usage:

    python bench/run_notebooks.py [--out results.json] [hw1 hw2 ...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_notebook(path: Path) -> dict:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {"__name__": "__main__"}
    results = []
    start_all = time.perf_counter()
    cwd = os.getcwd()
    os.chdir(path.parent)
    sys.path.insert(0, str(path.parent))
    try:
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            meta = cell.get("metadata", {})
            nbg = meta.get("nbgrader", {})
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith("%")]
            start = time.perf_counter()
            error = None
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    exec(compile("\n".join(lines), f"{path.name}:{nbg.get('grade_id', '?')}", "exec"), namespace)
                except BaseException:  # noqa: BLE001 - a failing cell is a result
                    error = traceback.format_exc(limit=3)[-1500:]
            if nbg.get("grade"):
                results.append({"cell": nbg.get("grade_id"), "points": nbg.get("points"),
                                "gpu": "requires-gpu" in meta.get("tags", []), "passed": error is None,
                                "seconds": round(time.perf_counter() - start, 3), "error": error})
    finally:
        os.chdir(cwd)
        sys.path.remove(str(path.parent))
    return {"notebook": str(path.relative_to(REPO)), "seconds": round(time.perf_counter() - start_all, 2),
            "cells": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--out", default="notebook-run.json")
    args = parser.parse_args()
    names = args.assignments or sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    try:
        import torch

        device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
        info = {"torch": torch.__version__, "device": device}
    except ImportError:
        info = {"torch": None, "device": "cpu"}
    report = {"env": info, "python": sys.version.split()[0], "runs": []}
    for name in names:
        run = run_notebook(REPO / "source" / name / f"{name}.ipynb")
        report["runs"].append(run)
        failed = [c["cell"] for c in run["cells"] if not c["passed"]]
        gpu = [c["cell"] for c in run["cells"] if c["gpu"]]
        print(f"{name}: {run['seconds']} s, {len(run['cells'])} graded cells, GPU cells {gpu}, failed {failed}",
              flush=True)
        Path(args.out).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
