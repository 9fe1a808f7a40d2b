"""Paths and small helpers shared by the top-level tests (a module name no other test folder uses)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TINY = Path(__file__).resolve().parent / "files" / "tiny"


def write_config(root: Path, extra: str) -> None:
    """Append settings to a scratch course's nbgrader_config.py."""
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write("\n" + extra + "\n")
