"""Laying a collected submission out for nbgrader: ``submitted/<student>/<hwN>/``.

The folder holds the student's notebook(s) under the released name(s), the release's other files (the
instructor's versions: a student cannot swap a helper module), and ``timestamp.txt`` with the time the system
received the link (ISO 8601 with offset; nbgrader reads it to decide lateness). It is built beside the target
and moved into place, so a crash never leaves a half-written submission.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import datetime, tzinfo
from pathlib import Path

from grader.errors import CourseError

TIMESTAMP = "timestamp.txt"


def timestamp_text(received_at: datetime, zone: tzinfo) -> str:
    return received_at.astimezone(zone).isoformat() + "\n"


def release_files(release: Path) -> tuple[list[Path], list[Path]]:
    """(notebooks, other files) of a released assignment, relative to its folder."""
    if not release.is_dir():
        raise CourseError(f"{release} does not exist: release the assignment first (grader release "
                          f"{release.name})")
    files = sorted(p.relative_to(release) for p in release.rglob("*") if p.is_file()
                   and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts)
    notebooks = [p for p in files if p.suffix == ".ipynb" and len(p.parts) == 1]
    if not notebooks:
        raise CourseError(f"{release} holds no notebook: release the assignment again")
    return notebooks, [p for p in files if p not in notebooks]


def safe_target(submitted_root: Path, target: Path) -> Path:
    """``target`` if it lies inside ``submitted/`` (a student id can never escape it)."""
    resolved = target.resolve()
    if submitted_root.resolve() not in resolved.parents:
        raise CourseError(f"refusing to write outside {submitted_root}: {target}")
    return resolved


def lay_out(target: Path, release: Path, notebooks: dict[str, bytes], received_at: datetime, zone: tzinfo) -> None:
    """Replace ``target`` with the release's other files, ``notebooks`` (name → bytes) and timestamp.txt."""
    _, others = release_files(release)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.collecting-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
        for relative in others:
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(release / relative, staging / relative)
        for name, content in notebooks.items():
            (staging / name).write_bytes(content)
        (staging / TIMESTAMP).write_text(timestamp_text(received_at, zone), encoding="utf-8")
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def is_current(target: Path, received_at: datetime, zone: tzinfo, names: list[str]) -> bool:
    """Whether ``target`` already holds this submission (same received time, every notebook present)."""
    stamp = target / TIMESTAMP
    try:
        current = stamp.read_text(encoding="utf-8")
    except OSError:
        return False
    return current == timestamp_text(received_at, zone) and all((target / n).is_file() for n in names)


def withdraw(target: Path) -> bool:
    """Remove a stale collected folder (the active submission failed): nothing outdated gets graded."""
    if target.is_dir():
        shutil.rmtree(target)
        return True
    return False
