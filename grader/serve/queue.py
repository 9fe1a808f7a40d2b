"""The fair queue: which waiting work starts next (pure; ``work.py`` reads what waits from the database).

- One item per active submission: a newer submission replaces the student's older one in the database, so
  superseded work is never picked (a job already running for it finishes and is recorded, harmlessly).
- Students are served in turn: each round takes every waiting student's oldest item, students ordered by how
  long that item has waited; a student with twenty resubmissions or eight homeworks waiting gets one slot per
  round like everyone else.
- Work that needs a GPU waits for a GPU slot and never blocks CPU work behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

STAGES = ("fetch", "check", "grade", "feedback")


@dataclass(frozen=True)
class Work:
    """One thing to do for one active submission. ``since``: when it became due (its last transition)."""

    submission_id: int
    student: str
    assignment: str
    stage: str
    since: datetime
    gpu: bool = False


def fair_order(waiting: Iterable[Work]) -> list[Work]:
    """Every waiting item, in the order the queue serves them (round-robin over students)."""
    by_student: dict[str, list[Work]] = {}
    for item in sorted(waiting, key=lambda w: (w.since, w.submission_id)):
        by_student.setdefault(item.student, []).append(item)
    order: list[Work] = []
    rounds = max((len(items) for items in by_student.values()), default=0)
    for index in range(rounds):
        heads = [items[index] for items in by_student.values() if index < len(items)]
        order += sorted(heads, key=lambda w: (w.since, w.submission_id))
    return order


def pick(waiting: Iterable[Work], running: set[int], *, grade_slots: int, gpu_slots: int,
         fetch_slots: int) -> list[Work]:
    """What to start now: in fair order, skipping what already runs, while slots last. Every grading job takes
    a grading slot; a GPU job also a GPU slot (none free: passed over, never waited on, so CPU work behind it
    goes ahead)."""
    free = {"fetch": fetch_slots, "grade": grade_slots, "gpu": gpu_slots}
    chosen: list[Work] = []
    for item in fair_order(waiting):
        kind = slot_kind(item)
        needs = ["fetch"] if kind == "fetch" else (["grade", "gpu"] if kind == "gpu" else ["grade"])
        if item.submission_id in running or any(free[k] <= 0 for k in needs):
            continue
        for k in needs:
            free[k] -= 1
        chosen.append(item)
    return chosen


def slot_kind(item: Work) -> str:
    """fetch and feedback (threads, no sandbox) share the fetch slots; grading takes a CPU or a GPU slot."""
    if item.stage in ("fetch", "feedback"):
        return "fetch"
    return "gpu" if item.gpu else "cpu"
