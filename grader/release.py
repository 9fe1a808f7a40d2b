"""Release: generate ``release/hwN`` with nbgrader, then prove nothing secret leaked into it."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.course import CourseFolder
from grader.duedates import set_due_date
from grader.errors import ReleaseError

SOLUTION_REGION = re.compile(r"^\s*#+\s*BEGIN SOLUTION\s*$(.*?)^\s*#+\s*END SOLUTION\s*$", re.M | re.S)
HIDDEN_REGION = re.compile(r"^\s*#+\s*BEGIN HIDDEN TESTS\s*$(.*?)^\s*#+\s*END HIDDEN TESTS\s*$", re.M | re.S)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MIN_SECRET_LINE = 8  # shorter lines ("pass", "return x") are too common to prove a leak


@dataclass
class ReleaseReport:
    assignment: str
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _secret_and_public_lines(source_nb: nbformat.NotebookNode) -> tuple[set[str], set[str]]:
    secret: set[str] = set()
    public: set[str] = set()
    for cell in source_nb.cells:
        text = cell.source
        regions = SOLUTION_REGION.findall(text) + HIDDEN_REGION.findall(text)
        for region in regions:
            secret.update(line.strip() for line in region.splitlines())
        outside = HIDDEN_REGION.sub("", SOLUTION_REGION.sub("", text))
        public.update(line.strip() for line in outside.splitlines())
    return {line for line in secret - public if len(line) >= MIN_SECRET_LINE and not line.startswith("#")}, public


def verify_release(course: CourseFolder, assignment: str) -> ReleaseReport:
    """Check ``release/<assignment>`` against ``source/<assignment>``: no solution, no hidden test, no
    instructor-only file."""
    source, release = course.source(assignment), course.release(assignment)
    report = ReleaseReport(assignment)
    if not release.is_dir():
        report.problems.append(f"{release} does not exist: run 'grader release {assignment}'")
        return report
    ignore = list(course.config.get("CourseDirectory", {}).get("ignore", []))
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        rel = path.relative_to(release)
        report.files.append(str(rel))
        if any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in ignore):
            report.problems.append(f"{rel}: instructor-only file (matches CourseDirectory.ignore)")
        elif not (source / rel).exists():
            report.problems.append(f"{rel}: not in source/{assignment}; the release holds only generated files")
        if path.suffix != ".ipynb":
            continue
        released = nbformat.read(path, as_version=4)
        secret: set[str] = set()
        if (source / rel).is_file():
            secret, _ = _secret_and_public_lines(nbformat.read(source / rel, as_version=4))
        for index, cell in enumerate(released.cells):
            for marker in MARKERS:
                if marker in cell.source:
                    report.problems.append(f"{rel}, cell {index}: contains the marker '{marker}'")
            for line in cell.source.splitlines():
                if line.strip() in secret:
                    report.problems.append(f"{rel}, cell {index}: line from a solution or hidden test: "
                                           f"{line.strip()[:80]!r}")
    return report


def release_assignment(course: CourseFolder, assignment: str) -> ReleaseReport:
    """Run nbgrader's generate_assignment for one assignment, then verify the result."""
    from grader.autograde.nbgrader_api import nbgrader_api

    course.check_assignment(assignment)
    if not course.source(assignment).is_dir():
        raise ReleaseError(f"{course.source(assignment)} does not exist: write the assignment there first")
    course.gradebook_dir.mkdir(parents=True, exist_ok=True)
    result = nbgrader_api(course).generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise ReleaseError(f"nbgrader generate_assignment failed for {assignment}:\n"
                           f"{result.get('log', '')[-4000:]}\n{result.get('error', '')}")
    report = verify_release(course, assignment)
    if not report.ok:
        raise ReleaseError(f"release/{assignment} leaks instructor material:\n  " + "\n  ".join(report.problems))
    set_due_date(course, assignment)  # formgrader shows the deadline of Deadlines.deadlines
    return report


def notebooks_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb"))
