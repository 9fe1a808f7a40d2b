"""The status of a run, decided by one pure function from what the run left behind."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from grader.autograde.preprocessors import GPU_SKIP_MESSAGE
from grader.autograde.records import Status
from grader.autograde.verdict import CellError, Observation, cell_errors, decide, gpu_skipped_cells

TAMPER = CellError("t2", "TamperingDetected", 'GRADER-TAMPERING: {"cell": "t2"}')
MEMORY = CellError("t3", "MemoryError", "")
CELL_TIMEOUT = CellError("t4", "CellTimeoutError", "A cell timed out while it was being executed")
WRONG = CellError("t1", "AssertionError", "expected 3")


def test_a_run_with_only_failed_assertions_is_graded() -> None:
    verdict = decide(Observation(errors=(WRONG,)))
    assert (verdict.status, verdict.reason, verdict.flags, verdict.evidence) == (Status.GRADED, "", (), ())


@pytest.mark.parametrize(("observation", "status", "reason"), [
    (Observation(errors=(TAMPER, MEMORY), wall_timeout=60), Status.TIMEOUT,
     "the notebook ran past its wall-clock limit of 60 s"),
    (Observation(errors=(TAMPER,), finished=False, kernel_died=True), Status.KERNEL_DIED,
     "the kernel died during execution (os._exit, a crash or a signal)"),
    (Observation(finished=False), Status.KERNEL_DIED, "nbgrader could not finish grading the notebook"),
    (Observation(finished=False, old_metadata=True), Status.INVALID_NOTEBOOK,
     "the notebook carries nbgrader metadata of an older format: copy the answers into the released notebook and "
     "submit that"),
    (Observation(finished=False, graded_notebook=False), Status.INVALID_NOTEBOOK,
     "the notebook's cells could not be matched with the assignment's (its nbgrader metadata is missing or "
     "damaged): copy the answers into the released notebook"),
    (Observation(errors=(MEMORY, TAMPER, CELL_TIMEOUT)), Status.TAMPERING, "tampering detected in 1 test cell(s)"),
    (Observation(errors=(CELL_TIMEOUT, MEMORY)), Status.MEMORY_LIMIT, "memory limit hit in cell(s) t3"),
    (Observation(errors=(WRONG, CELL_TIMEOUT)), Status.TIMEOUT, "cell time limit hit in cell(s) t4"),
    (Observation(static_evidence=("hw.ipynb: a1, line 2: touches the grader's guard",)), Status.TAMPERING,
     "suspicious code in the submission (see evidence)"),
])
def test_precedence_strongest_first(observation: Observation, status: Status, reason: str) -> None:
    verdict = decide(observation)
    assert (verdict.status, verdict.reason) == (status, reason)


def test_a_reason_is_one_sentence_never_a_traceback() -> None:
    for obs in (Observation(finished=False), Observation(finished=False, kernel_died=True)):
        reason = decide(obs).reason
        assert "\n" not in reason and "Traceback" not in reason and "|" not in reason


def test_evidence_and_flags() -> None:
    verdict = decide(Observation(
        errors=(TAMPER, CellError("t5", "BlockingIOError", "[Errno 11] Resource temporarily unavailable"),
                CellError("t6", "OSError", "[Errno 27] File too large")),
        gpu_skipped=("gpu1",), static_evidence=("nb: scan hit",)))
    assert verdict.evidence == ('t2: {"cell": "t2"}', "nb: scan hit")
    assert verdict.flags == ("process_limit", "file_size_limit",
                             "gpu_skipped: 1 GPU cell(s) not run, excluded from max_score")


def test_observations_are_read_from_the_graded_notebook() -> None:
    graded = new_code_cell("x", metadata={"nbgrader": {"grade_id": "t1", "grade": True}})
    graded.outputs = [new_output("error", ename="AssertionError", evalue="no", traceback=[])]
    gpu = new_code_cell(f"raise RuntimeError({GPU_SKIP_MESSAGE!r})",
                        metadata={"tags": ["requires-gpu"], "nbgrader": {"grade_id": "g1", "grade": True}})
    nb = new_notebook(cells=[graded, gpu])
    assert cell_errors([nb]) == (CellError("t1", "AssertionError", "no"),)
    assert gpu_skipped_cells([nb], "requires-gpu") == ("g1",)
    assert gpu_skipped_cells([nb], "cuda") == ()
