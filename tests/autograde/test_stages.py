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


def test_guard_cells_names_each_test_cell_by_its_source_and_leaves_every_cell_as_it_was(tmp_path) -> None:
    import json

    from nbformat.v4 import new_notebook

    from grader.autograde.preprocessors import GuardTestCells, source_digest

    cells = [graded_cell("assert f() == 1"), graded_cell(f"raise RuntimeError({GPU_SKIP_MESSAGE!r})"),
             new_code_cell("x = 1", metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "s"}}),
             new_code_cell("assert f() == 1", metadata={"nbgrader": {"grade": True, "solution": False,
                                                                      "grade_id": "t2", "points": 1}})]
    nb = new_notebook(cells=[c.copy() for c in cells])
    out = tmp_path / "cells.json"
    nb, _ = GuardTestCells(cells_file=str(out)).preprocess(nb, {})
    assert [c.source for c in nb.cells] == [c.source for c in cells]  # nothing rewritten: values stay the cell's
    assert json.loads(out.read_text()) == {source_digest("assert f() == 1"): ["t1", "t2"]}


def marked(cell: NotebookNode, *texts: str, error: bool = False) -> NotebookNode:
    cell.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    cell.outputs += [new_output("stream", name="stdout", text=t) for t in texts]
    if error:
        cell.outputs.append(new_output("error", ename="AssertionError", evalue="", traceback=[]))
    return cell


def test_a_test_cell_with_its_end_marker_keeps_its_outputs() -> None:
    import hashlib
    import hmac

    from grader.autograde.preprocessors import CheckGuardMarkers

    key = bytes(range(32))
    mac = hmac.new(key, b"t1", hashlib.sha256).hexdigest()[:32]
    cell = marked(graded_cell(), f"GRADER-END t1 {mac}\n")
    cell, _ = CheckGuardMarkers(key=key.hex()).preprocess_cell(cell, {}, 0)
    assert [o.output_type for o in cell.outputs] == ["execute_result", "stream"]


def test_a_test_cell_without_a_valid_marker_fails_first_whatever_its_value() -> None:
    from grader.autograde.preprocessors import CheckGuardMarkers

    stage = CheckGuardMarkers(key=bytes(32).hex())
    forged, _ = stage.preprocess_cell(marked(graded_cell(), "GRADER-END t1 0123456789abcdef0123456789abcdef\n"),
                                      {}, 0)
    assert forged.outputs[0].output_type == "error" and forged.outputs[0].ename == "TamperingDetected"
    assert "did not run to its end as written" in forged.outputs[0].evalue
    reported, _ = stage.preprocess_cell(marked(graded_cell(), 'GRADER-TAMPERING: {"cell": "t1", "evidence": ["x"]}\n'),
                                        {}, 0)
    assert reported.outputs[0].evalue == 'GRADER-TAMPERING: {"cell": "t1", "evidence": ["x"]}'
    failed, _ = stage.preprocess_cell(marked(graded_cell(), error=True), {}, 0)
    assert failed.outputs[0].output_type == "execute_result"  # already an error: scored 0 as it is
    gpu, _ = stage.preprocess_cell(graded_cell(f"raise RuntimeError({GPU_SKIP_MESSAGE!r})"), {}, 0)
    assert gpu.outputs[0].output_type == "error"
