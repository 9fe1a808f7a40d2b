"""Stage 1: the code a student wrote in an assignment's notebooks: solution cells only, release template subtracted.

Solution cells are those nbgrader marks ``solution: true``; each is matched to the release's cell of the same
``grade_id`` and the lines it shares with it (signatures, docstrings, the ``# YOUR CODE HERE`` stub, in order,
found with ``difflib``) are marked as template, so that two students who kept only the template share nothing.
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from grader.authoring import grade_id, is_solution_cell, reference_code
from grader.errors import GraderError


class SimilarityError(GraderError):
    """Similarity cannot be computed (no release, nothing collected, a bad archive); the message says what to do."""


@dataclass(frozen=True)
class Cell:
    """One solution cell as the student left it."""

    name: str                   # the nbgrader grade_id (or "cell N")
    code: str                   # the cell's source, whole
    template: frozenset[int]    # 1-based line numbers of ``code`` that come from the release


@dataclass(frozen=True)
class Source:
    """One document to compare: a submission, an archived one, or the reference solution."""

    id: str                     # student id, "archive:<path>" or "reference"
    kind: str                   # "student", "archive" or "reference"
    cells: tuple[Cell, ...]
    names_used: frozenset[str]  # every identifier the notebooks read (to tell unused definitions)


WORD = re.compile(r"[A-Za-z_]\w*")


def _line_key(line: str) -> str:
    """A line as the template comparison sees it: names as V (keywords kept), no spaces, no comment."""
    code = line.split("#", 1)[0] if "'" not in line and '"' not in line else line
    return "".join(WORD.sub(lambda m: m.group() if keyword.iskeyword(m.group()) else "V", code).split())


def _lines(text: str) -> list[str]:
    return [_line_key(line) for line in text.splitlines()]


def template_lines(code: str, template: str) -> frozenset[int]:
    """Lines of ``code`` (1-based) matched, in order, to non-blank lines of ``template`` (names and spacing
    ignored, so a renamed parameter in a given signature is still the template)."""
    if not template.strip():
        return frozenset()
    mine, theirs = _lines(code), _lines(template)
    matcher = difflib.SequenceMatcher(None, theirs, mine, autojunk=False)
    out: set[int] = set()
    for block in matcher.get_matching_blocks():
        out.update(block.b + i + 1 for i in range(block.size) if mine[block.b + i])
    given = {key for key in theirs if len(key) >= 8}  # long template lines count anywhere (reordered code)
    out.update(n for n, key in enumerate(mine, start=1) if key in given)
    return frozenset(out)


def _names(cells: Iterable[NotebookNode]) -> set[str]:
    words: set[str] = set()
    for cell in cells:
        if cell.cell_type == "code":
            words.update(re.findall(r"[A-Za-z_]\w*", cell.source))
    return words


def solution_cells(notebook: NotebookNode, release: NotebookNode | None, *, reference: bool = False) -> list[Cell]:
    """The solution cells of ``notebook`` with their template lines (``release``'s cell of the same id).

    A notebook whose nbgrader metadata was lost: every code cell, the whole release as the template."""
    templates = {grade_id(c): c.source for c in (release.cells if release else []) if is_solution_cell(c)}
    whole_release = "\n".join(c.source for c in (release.cells if release else []) if c.cell_type == "code")
    chosen = [c for c in notebook.cells if c.cell_type == "code" and is_solution_cell(c)]
    fallback = not chosen
    if fallback:
        chosen = [c for c in notebook.cells if c.cell_type == "code"]
    out = []
    for index, cell in enumerate(chosen):
        cid = grade_id(cell) or f"cell {index + 1}"
        code = reference_code(cell) if reference else cell.source
        template = whole_release if fallback or cid not in templates else templates[cid]
        out.append(Cell(name=cid, code=code, template=template_lines(code, template)))
    return out


def read_notebook(path: Path) -> NotebookNode | None:
    """The notebook at ``path``, or None when it is not a readable notebook (the batch goes on)."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception:  # a student's broken file is a result (no code), never a stopped batch
        return None


def source_of(doc_id: str, kind: str, notebooks: Sequence[Path], releases: dict[str, NotebookNode],
              *, reference: bool = False) -> Source:
    """One document from a folder's notebooks (matched to the release by file name)."""
    cells: list[Cell] = []
    names: set[str] = set()
    for path in sorted(notebooks):
        notebook = read_notebook(path)
        if notebook is None:
            continue
        cells += solution_cells(notebook, releases.get(path.name), reference=reference)
        names |= _names(c for c in notebook.cells if not is_solution_cell(c))
    return Source(id=doc_id, kind=kind, cells=tuple(cells), names_used=frozenset(names))


def release_notebooks(release_dir: Path) -> dict[str, NotebookNode]:
    if not release_dir.is_dir() or not any(release_dir.glob("*.ipynb")):
        raise SimilarityError(f"{release_dir} has no notebook: run 'grader release {release_dir.name}' first "
                              "(the release is subtracted from every submission)")
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(release_dir.glob("*.ipynb"))}


def release_source(release_dir: Path) -> Source:
    """The release's solution cells as a document: its k-grams are subtracted from every submission."""
    releases = release_notebooks(release_dir)
    cells = [Cell(c.name, c.code, frozenset()) for nb in releases.values() for c in solution_cells(nb, None)]
    return Source(id="release", kind="release", cells=tuple(cells), names_used=frozenset())


def collect_sources(submitted: Path, assignment: str, release_dir: Path, source_dir: Path | None,
                    archive: Path | None) -> list[Source]:
    """Every document of ``assignment``: ``submitted/<student>/<assignment>/``, the archive's folders named
    ``<assignment>`` at any depth (``archive/2025/s17/hw1/``), and the reference solution from ``source/``."""
    releases = release_notebooks(release_dir)
    names = list(releases)
    out: list[Source] = []
    if submitted.is_dir():
        for folder in sorted(p for p in submitted.iterdir() if (p / assignment).is_dir()):
            books = [folder / assignment / n for n in names if (folder / assignment / n).is_file()]
            books = books or sorted((folder / assignment).glob("*.ipynb"))
            if books:
                out.append(source_of(folder.name, "student", books, releases))
    if not out:
        raise SimilarityError(f"nothing collected for {assignment}: {submitted}/<student>/{assignment}/ holds no "
                              f"notebook (run 'grader collect {assignment}' first)")
    if archive is not None:
        if not archive.is_dir():
            raise SimilarityError(f"Similarity.archive_dir: {archive} does not exist (create it, or set it to '' "
                                  "in nbgrader_config.py)")
        for folder in sorted(p for p in archive.rglob(assignment) if p.is_dir()):
            books = sorted(folder.glob("*.ipynb"))
            if books:
                label = folder.parent.relative_to(archive).as_posix()
                out.append(source_of(f"archive:{label}", "archive", books, releases))
    if source_dir is not None and source_dir.is_dir():
        books = [source_dir / n for n in names if (source_dir / n).is_file()]
        if books:
            out.append(source_of("reference", "reference", books, releases, reference=True))
    return out
