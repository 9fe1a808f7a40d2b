"""Stages added to nbgrader's autograde pipeline, each one small nbgrader preprocessor.

Order (see ``grader.autograde.pipeline``):
  sanitize:  ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata, GpuCellGate
  autograde: Execute, StderrIsNotFailure, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
             AssignLatePenalties, CheckCellMetadata
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade
from traitlets import Bool, Unicode

GPU_SKIP_MESSAGE = "requires-gpu: not run, no CUDA device on this grading worker (excluded from max_score)"


def cell_tags(cell: NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


class GpuCellGate(NbGraderPreprocessor):
    """Where no GPU is present, a test cell tagged ``requires-gpu`` is not run: its code is replaced by an
    exception that names why, so it scores 0 here and the grader leaves its points out of ``max_score``."""

    gpu_available = Bool(False, help="Whether this worker has a CUDA device.").tag(config=True)
    tag = Unicode("requires-gpu", help="The cell tag marking GPU-only test cells.").tag(config=True)

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
