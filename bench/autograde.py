"""Benchmark: plain `nbgrader autograde` (sequential, unsandboxed) against `grader autograde --workers N`
(sandboxed), on the same machine in the same run, and the sandbox's overhead per notebook.

    python bench/autograde.py [--students 40] [--workers 2] [--overhead-runs 8] [--write]

--write replaces the "Autograde" section of bench/RESULTS.md with the numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from results import write_section  # noqa: E402

from grader.authoring import build_submission  # noqa: E402
from grader.autograde.job import run_job  # noqa: E402
from grader.autograde.records import Job  # noqa: E402
from grader.course import open_course  # noqa: E402
from grader.release import release_assignment  # noqa: E402

BIN = Path(sys.executable).parent
TITLE = "## Autograde (bench/autograde.py)"


def meta(gid: str, **kw: object) -> dict:
    nb = {"grade_id": gid, "solution": False, "grade": False, "locked": False, "schema_version": 3}
    nb.update(kw)
    return {"nbgrader": nb}


def small_torch_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Bench: a small torch notebook", metadata=meta("intro", locked=True)),
        new_code_cell("import torch\ntorch.set_num_threads(1)\ntorch.manual_seed(0)",
                      metadata=meta("setup", locked=True)),
        new_code_cell("def standardize(x):\n    ### BEGIN SOLUTION\n    return (x - x.mean(0)) / x.std(0)\n"
                      "    ### END SOLUTION", metadata=meta("standardize", solution=True)),
        new_code_cell("x = torch.randn(256, 8) * 3 + 1\nz = standardize(x)\nassert z.shape == x.shape\n"
                      "### BEGIN HIDDEN TESTS\nassert torch.allclose(z.mean(0), torch.zeros(8), atol=1e-5)\n"
                      "assert torch.allclose(z.std(0), torch.ones(8), atol=1e-5)\n### END HIDDEN TESTS",
                      metadata=meta("test_standardize", grade=True, locked=True, points=2)),
        new_code_cell("model = torch.nn.Linear(8, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
                      "y = x @ torch.arange(8.0) + 0.5\nfor _ in range(50):\n    opt.zero_grad()\n"
                      "    loss = ((model(standardize(x)).squeeze(1) - y) ** 2).mean()\n    loss.backward()\n"
                      "    opt.step()\nassert loss.item() < ((y - y.mean()) ** 2).mean().item()",
                      metadata=meta("test_train", grade=True, locked=True, points=1)),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                "language": "python"}})


def make_course(root: Path, students: int) -> None:
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    with (root / "nbgrader_config.py").open("a") as handle:
        handle.write('\nc.Course.assignments = ["bench"]\nc.Deadlines.deadlines = {}\n')
    (root / "source" / "bench").mkdir(parents=True)
    nbformat.write(small_torch_notebook(), root / "source" / "bench" / "bench.ipynb")
    course = open_course(root)
    release_assignment(course, "bench")
    source = nbformat.read(root / "source" / "bench" / "bench.ipynb", as_version=4)
    released = nbformat.read(root / "release" / "bench" / "bench.ipynb", as_version=4)
    for index in range(students):
        folder = root / "submitted" / f"s{index:03d}" / "bench"
        folder.mkdir(parents=True)
        nbformat.write(build_submission(source, released), folder / "bench.ipynb")


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def overhead(root: Path, runs: int) -> tuple[float, float]:
    """Mean wall time of one notebook through our job path, with and without the sandbox, interleaved."""
    course = open_course(root)
    times: dict[bool, list[float]] = {True: [], False: []}
    for index in range(runs):
        for sandbox in (index % 2 == 0, index % 2 == 1):
            job = Job(course_root=str(root), assignment="bench", student=f"s{index:03d}", notebooks=("bench.ipynb",),
                      gradebook_path=course.gradebook_url.removeprefix("sqlite:///"), sandbox=sandbox)
            start = time.perf_counter()
            outcome = run_job(job)
            times[sandbox].append(time.perf_counter() - start)
            assert outcome.status == "graded", (outcome.status, outcome.reason)
    return statistics.median(times[True]), statistics.median(times[False])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--overhead-runs", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    env_path = f"{BIN}:{os.environ.get('PATH', '')}"
    os.environ["PATH"] = env_path
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        root = Path(tmp)
        make_course(root, args.students)
        nbgrader = timed([str(BIN / "nbgrader"), "autograde", "bench", "--force"], root)
        ours = timed([str(BIN / "grader"), "--course", str(root), "autograde", "bench", "--force",
                      "--workers", str(args.workers)], root)
        with_sandbox, without = overhead(root, args.overhead_runs)
    ratio = ours / nbgrader
    cost = (with_sandbox - without) / without
    lines = [
        TITLE,
        "",
        f"{args.students} submissions of a small torch notebook, {os.cpu_count()} cores, one run "
        f"({time.strftime('%Y-%m-%d')}).",
        "",
        "| what | wall time |",
        "|---|---|",
        f"| plain `nbgrader autograde` (sequential, unsandboxed) | {nbgrader:.1f} s |",
        f"| `grader autograde --workers {args.workers}` (sandboxed) | {ours:.1f} s |",
        f"| ratio ours / nbgrader (target ≤ 0.6) | **{ratio:.2f}** |",
        f"| one notebook through the job path, sandboxed (median of {args.overhead_runs // 2 or 1}) "
        f"| {with_sandbox:.2f} s |",
        f"| the same without the sandbox | {without:.2f} s |",
        f"| sandbox overhead per notebook (target < 10 %) | **{cost * 100:.1f} %** |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(TITLE, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
