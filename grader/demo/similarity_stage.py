"""``grader demo``'s similarity stage: one planted copy, then ``grader similarity`` on the first assignment.

The synthetic class hands in the reference solution (that is how the demo knows every grade), so its complete
submissions match the reference and each other, as they should. The planted copy shows what the comparison
sees through: an earlier term's submission (``archive/2025/x01/``) that is student s01's work renamed,
reordered, reformatted, commented, with prints and dead code.
"""

from __future__ import annotations

import nbformat
from rich.console import Console

from grader.authoring import is_solution_cell
from grader.course import CourseFolder
from grader.demo import plant
from grader.similarity.cli import render
from grader.similarity.config import load_similarity_config
from grader.similarity.run import compare_assignment, write_results

ARCHIVE = "archive"


def plant_copy(course: CourseFolder, assignment: str, student: str) -> str | None:
    """A disguised copy of ``student``'s ``assignment`` in the archive; its document id, or None."""
    folder = course.submitted(student, assignment)
    books = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not books:
        return None
    target = course.root / ARCHIVE / "2025" / "x01" / assignment
    target.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(books):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code" and is_solution_cell(cell):
                cell.source = plant.apply("all", cell.source, seed=n)
        nbformat.write(notebook, target / path.name)
    return "archive:2025/x01"


def similarity_stage(course: CourseFolder, assignments: list[str], console: Console) -> None:
    assignment = assignments[0]
    planted = plant_copy(course, assignment, "s01")
    config = load_similarity_config(course.config)
    config.archive_dir = ARCHIVE
    outcome = compare_assignment(course, assignment, config)
    data, page = write_results(course, outcome, config.page_pairs)
    render(outcome, console, 8)
    found = next((s for s in outcome.scores if planted in (s.a, s.b)), None)
    if planted:
        console.print(f"planted: {planted} is s01's {assignment} disguised (renamed, reordered, reformatted, "
                      f"comments, prints, dead code): similarity {found.similarity:.0%}" if found else
                      f"planted: {planted} (s01's {assignment} disguised) was not found")
    console.print("the synthetic students hand in the reference solution, so their complete submissions match "
                  f"it and each other; side by side: {page}")
