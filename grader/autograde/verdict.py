"""How a job's run ends: one pure function from what the run left behind (each test cell's errors, the GPU cells
not run, whether the wall-clock watchdog fired, whether nbgrader finished, the static scan) to a status, a
one-sentence reason, flags and evidence. No I/O: ``job.py`` gathers the observation, this decides.

Precedence, strongest first: the notebook ran past its wall-clock limit → ``timeout``; the kernel died →
``kernel_died``; nbgrader could not take the notebook (old or damaged nbgrader metadata) →
``invalid_notebook``; nbgrader could not finish otherwise → ``kernel_died``; a test cell caught tampering →
``tampering``; a memory limit → ``memory_limit``; a cell time limit → ``timeout``; suspicious code found by
the static scan → ``tampering``; otherwise ``graded``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode

from grader.autograde.preprocessors import GPU_SKIP_MESSAGE, TAMPER_PREFIX, cell_tags
from grader.autograde.records import Status


@dataclass(frozen=True)
class CellError:
    """An error output of a graded notebook's cell."""

    cell: str
    ename: str
    evalue: str

    @property
    def text(self) -> str:
        return f"{self.ename}: {self.evalue}"


@dataclass(frozen=True)
class Observation:
    """What one run left behind."""

    errors: tuple[CellError, ...] = ()
    gpu_skipped: tuple[str, ...] = ()
    wall_timeout: float | None = None  # the wall-clock limit, when the watchdog had to stop the run
    finished: bool = True  # nbgrader's autograde finished (its own verdict)
    kernel_died: bool = False  # nbgrader's log says the kernel died
    graded_notebook: bool = True  # nbgrader got as far as writing the graded notebook (its cells matched)
    old_metadata: bool = False  # nbgrader's log says the notebook's nbgrader metadata is of an older format
    static_evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str
    flags: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


def cell_errors(notebooks: Iterable[NotebookNode]) -> tuple[CellError, ...]:
    """Every error output of the graded notebooks, with its cell's grade id."""
    found = []
    for nb in notebooks:
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    found.append(CellError(grade_id, str(output.get("ename")), str(output.get("evalue"))))
    return tuple(found)


def gpu_skipped_cells(notebooks: Iterable[NotebookNode], tag: str) -> tuple[str, ...]:
    """The GPU-tagged cells ``GpuCellGate`` left out of a graded notebook: the one way they are found."""
    skipped = {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
               for nb in notebooks for cell in nb.cells
               if tag in cell_tags(cell) and GPU_SKIP_MESSAGE in cell.get("source", "")}
    return tuple(sorted(s for s in skipped if s))


def _is_memory(error: CellError) -> bool:
    return any(s in error.text for s in ("MemoryError", "can't allocate memory", "out of memory"))


def _is_cell_timeout(error: CellError) -> bool:
    return "CellTimeoutError" in error.text or "Timeout" in error.ename


def decide(obs: Observation) -> Verdict:
    """The status, reason, flags and evidence of one run (see the module's precedence)."""
    flags: list[str] = []
    if any("Resource temporarily unavailable" in e.text for e in obs.errors):
        flags.append("process_limit")
    if any("File too large" in e.text for e in obs.errors):
        flags.append("file_size_limit")
    if obs.gpu_skipped:
        flags.append(f"gpu_skipped: {len(obs.gpu_skipped)} GPU cell(s) not run, excluded from max_score")
    tamper = [f"{e.cell}: {e.text.split(TAMPER_PREFIX, 1)[-1].strip()}" for e in obs.errors
              if TAMPER_PREFIX in e.text]
    evidence = (*tamper, *obs.static_evidence)
    memory = list(dict.fromkeys(e.cell for e in obs.errors if _is_memory(e)))
    timeouts = list(dict.fromkeys(e.cell for e in obs.errors if _is_cell_timeout(e)))

    def verdict(status: Status, reason: str) -> Verdict:
        return Verdict(status, reason, tuple(flags), evidence)

    if obs.wall_timeout is not None:
        return verdict(Status.TIMEOUT, f"the notebook ran past its wall-clock limit of {obs.wall_timeout:g} s")
    if not obs.finished and obs.kernel_died:
        return verdict(Status.KERNEL_DIED, "the kernel died during execution (os._exit, a crash or a signal)")
    if not obs.finished and obs.old_metadata:
        return verdict(Status.INVALID_NOTEBOOK, "the notebook carries nbgrader metadata of an older format: "
                       "copy the answers into the released notebook and submit that")
    if not obs.finished and not obs.graded_notebook:
        return verdict(Status.INVALID_NOTEBOOK, "the notebook's cells could not be matched with the assignment's "
                       "(its nbgrader metadata is missing or damaged): copy the answers into the released notebook")
    if not obs.finished:
        return verdict(Status.KERNEL_DIED, "nbgrader could not finish grading the notebook")
    if tamper:
        return verdict(Status.TAMPERING, f"tampering detected in {len(tamper)} test cell(s)")
    if memory:
        return verdict(Status.MEMORY_LIMIT, f"memory limit hit in cell(s) {', '.join(memory)}")
    if timeouts:
        return verdict(Status.TIMEOUT, f"cell time limit hit in cell(s) {', '.join(timeouts)}")
    if obs.static_evidence:
        return verdict(Status.TAMPERING, "suspicious code in the submission (see evidence)")
    return verdict(Status.GRADED, "")
