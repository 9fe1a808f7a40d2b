"""This course's nbgrader stages, one cell at a time, without a kernel: what each does to a notebook."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_code_cell, new_output

from grader.autograde.preprocessors import GPU_SKIP_MESSAGE, GpuCellGate, StderrIsNotFailure


def graded_cell(source: str = "assert f() == 1", tags: tuple[str, ...] = ()) -> NotebookNode:
    return new_code_cell(source, metadata={"tags": list(tags), "nbgrader": {
        "grade": True, "solution": False, "grade_id": "t1", "points": 2}})


def test_without_a_gpu_a_gpu_tagged_test_cell_is_replaced_by_an_error_that_says_why() -> None:
    cell, _ = GpuCellGate(gpu_available=False).preprocess_cell(graded_cell(tags=("requires-gpu",)), {}, 0)
    assert cell.source == f"raise RuntimeError({GPU_SKIP_MESSAGE!r})"


def test_with_a_gpu_or_without_the_tag_the_cell_is_left_alone() -> None:
    for gate, tags in ((GpuCellGate(gpu_available=True), ("requires-gpu",)),
                       (GpuCellGate(gpu_available=False), ("other",)),
                       (GpuCellGate(gpu_available=False, tag="cuda"), ("requires-gpu",))):
        cell, _ = gate.preprocess_cell(graded_cell(tags=tags), {}, 0)
        assert cell.source == "assert f() == 1"


def test_stderr_in_a_graded_cell_becomes_display_data_and_keeps_its_text() -> None:
    cell = graded_cell()
    cell.outputs = [new_output("stream", name="stderr", text="UserWarning: x\n"),
                    new_output("stream", name="stdout", text="ok\n")]
    cell, _ = StderrIsNotFailure().preprocess_cell(cell, {}, 0)
    assert [o.output_type for o in cell.outputs] == ["display_data", "stream"]
    assert cell.outputs[0].data == {"text/plain": "UserWarning: x\n"}
    assert cell.outputs[0].metadata == {"grader": {"stream": "stderr"}}


def test_an_error_still_fails_the_cell_and_ungraded_cells_are_untouched() -> None:
    cell = graded_cell()
    cell.outputs = [new_output("error", ename="AssertionError", evalue="", traceback=[])]
    cell, _ = StderrIsNotFailure().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].output_type == "error"
    plain = new_code_cell("print(1)")
    plain.outputs = [new_output("stream", name="stderr", text="w\n")]
    plain, _ = StderrIsNotFailure().preprocess_cell(plain, {}, 0)
    assert plain.outputs[0].output_type == "stream"
