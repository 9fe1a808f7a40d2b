"""Writing one benchmark's section of bench/RESULTS.md (replaced in place when it is already there)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(title: str, text: str) -> None:
    """Replace the section headed ``title`` (a '## ...' line) with ``text``, or append it."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    start = current.find(title)
    if start >= 0:
        end = current.find("\n## ", start + 1)
        current = current[:start] + current[end + 1 if end >= 0 else len(current):]
    RESULTS.write_text(current.rstrip() + "\n\n" + text.rstrip() + "\n")
