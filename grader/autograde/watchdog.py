"""The wall-clock limit of one job: when the notebook runs past it, this job's sandbox (found by its private
kernel folder on the command line) is killed, and nothing else."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType


def kill_kernel(kernel_dir: Path) -> None:
    """Kill the processes of this job's sandbox: the children whose command line names ``kernel_dir``."""
    import psutil

    for proc in psutil.Process().children(recursive=True):
        try:
            if str(kernel_dir) in " ".join(proc.cmdline()):
                proc.kill()
        except psutil.Error:
            continue


class Watchdog:
    """``with Watchdog(kernel_dir, seconds) as dog: ...``; afterwards ``dog.fired`` says whether it had to kill.

    Once fired it keeps killing until the block ends (the kernel may not have started yet)."""

    def __init__(self, kernel_dir: Path, seconds: float) -> None:
        self.kernel_dir = kernel_dir
        self.seconds = seconds
        self._finished = threading.Event()
        self._fired = threading.Event()

    @property
    def fired(self) -> bool:
        return self._fired.is_set()

    def _watch(self) -> None:
        if not self._finished.wait(self.seconds):
            self._fired.set()
            while not self._finished.wait(0.5):
                kill_kernel(self.kernel_dir)

    def __enter__(self) -> Watchdog:
        threading.Thread(target=self._watch, daemon=True).start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._finished.set()
