"""Finding the assignment's notebook in a student's tree: by the released notebook's name anywhere in the tree,
else by the assignment's nbgrader cell ids (a renamed copy); among several candidates, the one that carries
the most of the assignment's cell ids wins, then the exact name, then the shallowest path.

A notebook is this assignment's by its content, never by its name alone: it must carry the assignment's own
cell ids (those no other released assignment has; ``setup``, ``intro``, ``test_gpu`` … are shared by all), and
no other assignment may claim more of it (``owner``). Another homework's notebook (``hw1/hw1.ipynb`` sent as
hw2) is never taken; two equally good candidates with different contents are a recorded ambiguity, not a guess.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from grader.github import TreeEntry

MAX_CANDIDATES = 40  # notebooks read per repository at most (name matches first)


@dataclass(frozen=True)
class Found:
    """The notebook chosen for one released notebook: its path in the repository and its exact bytes."""

    path: str
    content: bytes
    matched_ids: int
    note: str  # '' or why this file and not the obvious one (shown with the status)


@dataclass(frozen=True)
class Missing:
    """No usable notebook; ``status`` is the failure kind, ``reason`` says what to fix."""

    kind: str  # notebook_missing | notebook_not_json | notebook_too_large | notebook_other_assignment |
    #            notebook_foreign (named like it, none of its cells) | notebook_ambiguous
    reason: str
    path: str = ""  # the file concerned, when one is
    other: str = ""  # notebook_other_assignment: the assignment the file belongs to


def owner(found: frozenset[str], ids: frozenset[str], others: dict[str, frozenset[str]]) -> str | None:
    """Whose notebook carries the cell ids ``found``: ``""`` this assignment's (``ids``), another assignment's
    name (``others``: name → its ids), or None when it carries none of anyone's own cells.

    Each assignment is counted by its own ids (those no other assignment has); ties go to this assignment."""
    everyone = {"": ids, **others}

    def own(name: str) -> frozenset[str]:
        rest = frozenset().union(*(v for k, v in everyone.items() if k != name))
        return everyone[name] - rest

    counts = {name: len(found & own(name)) for name in everyone}
    best = max(counts.values())
    if best == 0:
        # no distinctive id anywhere: only this assignment's shared ids, when it has no own ids at all
        return "" if ids and not own("") and found & ids else None
    return "" if counts[""] == best else max((n for n in counts if n), key=lambda n: counts[n])


def grade_ids(notebook: Path) -> frozenset[str]:
    """The nbgrader cell ids (``metadata.nbgrader.grade_id``) of a released notebook."""
    try:
        data = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    return _ids(data)


def _ids(data: Any) -> frozenset[str]:
    ids = set()
    cells = data.get("cells") if isinstance(data, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        if isinstance(nbgrader, dict) and isinstance(nbgrader.get("grade_id"), str):
            ids.add(nbgrader["grade_id"])
    return frozenset(ids)


def _parse(content: bytes) -> tuple[Any, str]:
    """(notebook JSON, '') or (None, why it is not a notebook)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except ValueError as exc:
        return None, f"is not valid JSON ({str(exc)[:120]})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "is JSON but not a Jupyter notebook (no 'cells' list)"
    return data, ""


def find_notebook(entries: list[TreeEntry], read: Callable[[TreeEntry], bytes], name: str,
                  ids: frozenset[str], max_bytes: int,
                  others: dict[str, frozenset[str]] | None = None) -> Found | Missing:
    """Choose the student's copy of the released notebook ``name`` among ``entries`` of their tree;
    ``others``: the other released assignments' cell ids (name → ids), so that theirs is never taken."""
    others = others or {}
    def depth(entry: TreeEntry) -> int:
        return len(PurePosixPath(entry.path).parts)

    def name_rank(entry: TreeEntry) -> int:
        base = PurePosixPath(entry.path).name
        return 2 if base == name else 1 if base.lower() == name.lower() else 0

    notebooks = [e for e in entries if e.path.lower().endswith(".ipynb")
                 and ".ipynb_checkpoints" not in PurePosixPath(e.path).parts]
    links = [e for e in notebooks if not e.is_file and name_rank(e)]
    files = sorted((e for e in notebooks if e.is_file), key=lambda e: (-name_rank(e), depth(e), e.path))
    problems: list[str] = []
    problem_paths: list[str] = []
    foreign: list[Missing] = []  # notebooks that are not this assignment's, for the reason
    scored: list[tuple[tuple[int, int, int], TreeEntry, bytes, int]] = []
    for entry in files[:MAX_CANDIDATES]:
        if entry.size is not None and entry.size > max_bytes:
            if name_rank(entry):
                problems.append(f"{entry.path} is {entry.size / 2**20:.1f} MB (limit: "
                                f"GitHubSettings.max_notebook_mb)")
                problem_paths.append(entry.path)
            continue
        content = read(entry)
        data, why = _parse(content)
        if data is None:
            if name_rank(entry):
                problems.append(f"{entry.path} {why}")
                problem_paths.append(entry.path)
            continue
        carried = _ids(data)
        whose = owner(carried, ids, others) if ids else ""
        if whose is None and name_rank(entry):
            foreign.append(Missing("notebook_foreign", f"{entry.path} carries none of this assignment's cells: "
                                   "download the assignment's notebook again, do the work in it and submit again",
                                   path=entry.path))
        elif whose:
            foreign.append(Missing("notebook_other_assignment", f"{entry.path} is {whose}'s notebook, not this "
                                   f"assignment's: push {name} and submit again", path=entry.path, other=whose))
        elif whose == "":
            matched = len(carried & ids)
            scored.append(((matched, name_rank(entry), -depth(entry)), entry, content, matched))
    if scored:
        _, entry, content, matched = max(scored, key=lambda item: item[0])
        top = max(item[0] for item in scored)
        tied = [item for item in scored if item[0] == top and item[2] != content]
        if tied:
            paths = sorted({entry.path, *(item[1].path for item in tied)})
            return Missing("notebook_ambiguous", f"{len(paths)} different notebooks fit {name} equally well "
                           f"({', '.join(paths[:4])}): keep one of them and submit again", path=paths[0])
        notes = []
        if PurePosixPath(entry.path).name != name:
            notes.append(f"found as {entry.path!r}, saved as {name!r}")
        elif entry.path != name:
            notes.append(f"found in a folder: {entry.path!r}")
        if len(scored) > 1:
            notes.append(f"chosen among {len(scored)} candidates by the assignment's cell ids")
        if ids and not matched:
            notes.append("it carries none of the assignment's cell ids")
        return Found(path=entry.path, content=content, matched_ids=matched, note="; ".join(notes))
    if problems:
        kind = "notebook_too_large" if all("MB" in p for p in problems) else "notebook_not_json"
        return Missing(kind, f"{'; '.join(problems[:3])}: save the notebook from Jupyter and submit again",
                       path=problem_paths[0])
    if foreign:
        return foreign[0]
    where = f" ({len(links)} symbolic link(s) named like it are not files)" if links else ""
    others = f"; notebooks in the repository: {', '.join(e.path for e in files[:5])}" if files else \
        "; the repository holds no notebook at all"
    return Missing("notebook_missing", f"no {name} in the repository at the pinned commit{where}, and no other "
                   f"notebook carries this assignment's cells{others}")
