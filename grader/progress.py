"""The one progress bar of long commands (``grader autograde``, ``grader collect``): a rich bar with done/total
and elapsed time, whose description names the last item finished and its status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Tick = Callable[[Any, int, int], None]


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[Tick]:
    """Yields ``tick(outcome, done, total)``, the ``progress=`` callback the batch functions take; the bar reads
    ``outcome.student`` and ``outcome.status``."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def tick(outcome: Any, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"{label} ({outcome.student}: {outcome.status})")

        yield tick
