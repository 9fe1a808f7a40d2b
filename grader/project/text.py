"""The repository's text, file by file: what the dataset and Space stages read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

TEXT_SUFFIXES = {".py", ".md", ".txt", ".rst", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".ipynb", ".sh", ""}
SKIP_DIRS = {".git", ".venv", "venv", "env", "node_modules", "__pycache__", ".ipynb_checkpoints", "site-packages"}


def notebook_text(raw: str) -> str:
    """A notebook's cell sources, one after another (outputs left out: they are not the student's text)."""
    try:
        cells = json.loads(raw).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    chunks = []
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        chunks.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(chunks)


def repo_texts(root: Path, max_kb: int) -> Iterator[tuple[str, str]]:
    """(path relative to the repository, text) of every text file worth scanning, in a stable order."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS for part in rel.parts[:-1]) or not path.is_file() or path.is_symlink():
            continue
        if path.suffix.lower() not in TEXT_SUFFIXES or path.stat().st_size > max_kb * 1024:
            continue
        if path.suffix == "" and not path.name.lower().startswith(("readme", "requirements")):
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix.lower() == ".ipynb":
            raw = notebook_text(raw)
        yield rel.as_posix(), raw
