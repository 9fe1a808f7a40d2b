"""Stages added to nbgrader's autograde pipeline, each one small nbgrader preprocessor.

Order (``SANITIZE`` and ``AUTOGRADE`` in ``grader.autograde.runner``):
  sanitize:  ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata, GpuCellGate,
             GuardTestCells
  autograde: SandboxedExecute, StderrIsNotFailure, CheckGuardMarkers, IgnorePattern, ClearMetadataPreprocessor,
             LimitOutput, SaveAutoGrades, CheckCellMetadata
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade
from traitlets import Bool, Unicode

from grader.autograde.records import GPU_TAG

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


def is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


class GuardTestCells(NbGraderPreprocessor):
    """Wraps every test cell between the guard's ``enter`` and ``leave`` (see ``grader/sandbox/guard.py``)."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        if is_test_cell(cell) and GPU_SKIP_MESSAGE not in cell.source:
            grade_id = cell.metadata.nbgrader.get("grade_id", f"cell{index}")
            cell.source = (f"__grader_guard__.enter({grade_id!r})\n{cell.source}\n"
                           f"__grader_guard__.leave({grade_id!r})")
        return cell, resources


class CheckGuardMarkers(NbGraderPreprocessor):
    """A test cell with no error must print the guard's end marker for this run's key; one that does not was
    changed at run time (an input transformer, say): it gets an error output, so it scores 0."""

    key = Unicode("", help="Hex of this run's guard key.").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int
                        ) -> tuple[NotebookNode, dict[str, Any]]:
        import hashlib
        import hmac

        if not is_test_cell(cell):
            return cell, resources
        outputs = cell.get("outputs", [])
        if any(o.get("output_type") == "error" for o in outputs):
            return cell, resources
        if GPU_SKIP_MESSAGE in cell.source:  # a skipped GPU cell that raised nothing was altered: still 0
            cell.outputs = [*outputs, NotebookNode(output_type="error", ename="RuntimeError",
                                                   evalue=GPU_SKIP_MESSAGE, traceback=[])]
            return cell, resources
        grade_id = cell.metadata.nbgrader.get("grade_id", f"cell{index}")
        mac = hmac.new(bytes.fromhex(self.key), grade_id.encode(), hashlib.sha256).hexdigest()[:32]
        printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        if f"GRADER-END {grade_id} {mac}" not in printed:
            evidence = {"cell": grade_id, "evidence": ["the test cell did not run to its end as written "
                                                       "(altered at run time)"]}
            import json

            cell.outputs = [*outputs, NotebookNode(output_type="error", ename="TamperingDetected",
                                                   evalue="GRADER-TAMPERING: " + json.dumps(evidence),
                                                   traceback=[])]
        return cell, resources
