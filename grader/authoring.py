"""Authoring checks: build submissions from an assignment's source notebook (the reference solution, or a
variant of it) so that hidden tests can be proven to accept correct work and reject known mistakes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.errors import GraderError

MARKER_LINE = re.compile(r"^\s*#+\s*(BEGIN|END) SOLUTION\s*$\n?", re.M)
Edit = str | Callable[[str], str]


@dataclass(frozen=True)
class Replace:
    """Edit the reference solution of a cell: replace ``old`` with ``new`` (``old`` must be present)."""

    old: str
    new: str
    count: int = -1

    def __call__(self, code: str) -> str:
        if self.old not in code:
            raise GraderError(f"variant edit does not apply: {self.old!r} is not in the reference solution")
        return code.replace(self.old, self.new, self.count)


def grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution_cell(cell: NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def reference_code(cell: NotebookNode) -> str:
    """The source solution cell with nbgrader's solution markers removed."""
    return MARKER_LINE.sub("", cell.source)


def build_submission(source_nb: NotebookNode, release_nb: NotebookNode, edits: Mapping[str, Edit] | None = None
                     ) -> NotebookNode:
    """The released notebook with every solution cell filled in from the source (a perfect student), then
    ``edits`` applied per cell id: a string replaces the cell, a callable rewrites the reference code."""
    edits = dict(edits or {})
    reference = {grade_id(c): reference_code(c) for c in source_nb.cells if is_solution_cell(c)}
    submission = nbformat.from_dict(release_nb)
    for cell in submission.cells:
        cid = grade_id(cell)
        if not is_solution_cell(cell) or cid is None:
            continue
        code = reference.get(cid, cell.source)
        if cid in edits:
            edit = edits.pop(cid)
            code = edit if isinstance(edit, str) else edit(code)
        cell.source = code
    if edits:
        raise GraderError(f"variant edits name cells that are not solution cells: {sorted(edits)}")
    return submission
