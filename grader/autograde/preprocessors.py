"""Stages added to nbgrader's autograde pipeline, each one small nbgrader preprocessor.

Order (``SANITIZE`` and ``AUTOGRADE`` in ``grader.autograde.runner``):
  sanitize:  ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata, GpuCellGate,
             GuardTestCells
  autograde: SandboxedExecute, StderrIsNotFailure, CheckGuardMarkers, IgnorePattern, ClearMetadataPreprocessor,
             LimitOutput, SaveAutoGrades, CheckCellMetadata
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade
from traitlets import Bool, Unicode

from grader.autograde.records import GPU_TAG

TAMPER_PREFIX = "GRADER-TAMPERING:"
GPU_SKIP_MESSAGE = "requires-gpu: not run, no CUDA device on this grading worker (excluded from max_score)"


def cell_tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


class GpuCellGate(NbGraderPreprocessor):
    """Where no GPU is present, a test cell tagged ``requires-gpu`` is not run: its code is replaced by an
    exception that names why, so it scores 0 here and the grader leaves its points out of ``max_score``."""

    gpu_available = Bool(False, help="Whether this worker has a CUDA device.").tag(config=True)
    tag = Unicode(GPU_TAG, help="The cell tag marking GPU-only test cells.").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if not self.gpu_available and cell.cell_type == "code" and self.tag in cell_tags(cell):
            cell.source = f"raise RuntimeError({GPU_SKIP_MESSAGE!r})"
        return cell, resources


class StderrIsNotFailure(NbGraderPreprocessor):
    """nbgrader scores a test cell 0 when anything reaches stderr; torch prints warnings there from correct
    code. Only an error output fails a cell: stderr text stays visible, as display data."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                output = NotebookNode(output_type="display_data", metadata={"grader": {"stream": "stderr"}},
                                      data={"text/plain": output.get("text", "")})
            outputs.append(output)
        cell.outputs = outputs
        return cell, resources


def nbgrader_meta(cell: NotebookNode) -> dict[str, Any]:
    """A cell's nbgrader metadata, as a plain mapping (cells OverwriteCells put back hold plain dicts)."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def is_test_cell(cell: NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def grade_id_of(cell: NotebookNode, index: int) -> str:
    return str(nbgrader_meta(cell).get("grade_id") or f"cell{index}")


def source_digest(source: str) -> str:
    """How the guard recognises a test cell: the SHA-256 of the exact source the kernel receives."""
    return hashlib.sha256(source.encode()).hexdigest()


class GuardTestCells(NbGraderPreprocessor):
    """Tells the kernel's guard (``grader/sandbox/guard.py``) which cells are test cells: the digest of each
    test cell's source (as restored by OverwriteCells) and its grade id, written to ``cells_file``, which the
    guard reads and deletes at start-up. The cells themselves are not changed, so their value and outputs (and
    so their partial credit) are exactly what nbgrader sees without the guard."""

    cells_file = Unicode("", help="Where to write the test cells' digests for the guard ('' writes none).").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        cells: dict[str, list[str]] = {}
        for index, cell in enumerate(nb.cells):
            if is_test_cell(cell) and GPU_SKIP_MESSAGE not in cell.source:
                cells.setdefault(source_digest(cell.source), []).append(grade_id_of(cell, index))
        if self.cells_file:
            Path(self.cells_file).write_text(json.dumps(cells), encoding="utf-8")
        return nb, resources


class CheckGuardMarkers(NbGraderPreprocessor):
    """A test cell with no error must print the guard's end marker for this run's key; one that does not was
    changed at run time (an input transformer, silenced cell events, …) or the guard found tampering: it gets
    an error output *before* its other outputs, so nbgrader scores it 0 whatever number it evaluated to."""

    key = Unicode("", help="Hex of this run's guard key.").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if not is_test_cell(cell):
            return cell, resources
        outputs = list(cell.get("outputs", []))
        if any(o.get("output_type") == "error" for o in outputs):
            return cell, resources
        if GPU_SKIP_MESSAGE in cell.source:  # a skipped GPU cell that raised nothing was altered: still 0
            cell.outputs = [_error("RuntimeError", GPU_SKIP_MESSAGE), *outputs]
            return cell, resources
        grade_id = grade_id_of(cell, index)
        mac = hmac.new(bytes.fromhex(self.key), grade_id.encode(), hashlib.sha256).hexdigest()[:32]
        printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        if f"GRADER-END {grade_id} {mac}" in printed.splitlines():
            return cell, resources
        reported = [line.split(TAMPER_PREFIX, 1)[1].strip() for line in printed.splitlines()
                    if line.startswith(TAMPER_PREFIX)]
        evidence = reported[-1] if reported else json.dumps(
            {"cell": grade_id, "evidence": ["the test cell did not run to its end as written (altered at run "
                                            "time)"]})
        cell.outputs = [_error("TamperingDetected", f"{TAMPER_PREFIX} {evidence}"), *outputs]
        return cell, resources


def _error(name: str, value: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=value, traceback=[])
