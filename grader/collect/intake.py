"""The check a link passes when it arrives: the homework's notebook at the pinned commit, or the exact reason why
not, before the submission may replace the student's active one.

    check_tree(entries, read, assignment, release, pattern, max_bytes) -> Accepted | Refusal    (pure)
    check_submission(course, gh, repo, sha, assignment) -> Accepted | Refusal                   (fetches)

Accepted only: a valid notebook carrying this assignment's own cell ids (``grader.collect.finder.owner``), where
the course says (``IntakeSettings.notebook_pattern``; default ``{assignment}.ipynb`` anywhere in the repository),
under ``GitHubSettings.max_notebook_mb``. The commit is shallow-fetched into the clone cache (one git fetch per
repository and commit), so ``grader collect`` later finds it there and asks GitHub nothing more for it.

A refusal's ``code`` keys the student's text in ``grader.bot.texts`` (``intake_<code>``); ``params`` fill it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from traitlets import Unicode
from traitlets.config import Configurable

from grader.collect.finder import Found, find_notebook
from grader.collect.releases import assignment_ids, is_released, other_ids
from grader.configurable import configured
from grader.course import CourseFolder
from grader.github import RepoRef, TreeEntry

CODES = ("not_released", "notebook_missing", "notebook_not_json", "notebook_too_large",
         "notebook_other_assignment", "notebook_foreign", "notebook_ambiguous", "notebook_elsewhere")


class IntakeSettings(Configurable):
    """Where a student's notebook must be for a link to be accepted (``c.IntakeSettings....``)."""

    notebook_pattern = Unicode("{assignment}.ipynb", help="Where the homework's notebook must be in the "
                               "student's repository, as a shell pattern; '{assignment}' is the assignment's "
                               "name. Without '/', the file's name anywhere in the repository (e.g. "
                               "'{assignment}.ipynb'); with '/', its whole path (e.g. '{assignment}/*.ipynb'). "
                               "Letter case is ignored.").tag(config=True)


@dataclass(frozen=True)
class Accepted:
    """The homework's notebook was found at ``path`` of the pinned commit."""

    path: str


@dataclass(frozen=True)
class Refusal:
    """Why a link is refused: ``code`` (one of ``CODES``) and the text's ``params``."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # the finder's English reason, for the instructor's log


@dataclass(frozen=True)
class Release:
    """What the check needs of the release: the notebook's name and the cell ids, this and the others'."""

    name: str
    ids: frozenset[str]
    others: dict[str, frozenset[str]]


def matches(pattern: str, assignment: str, path: str) -> bool:
    """Whether ``path`` is where ``pattern`` (``IntakeSettings.notebook_pattern``) puts the notebook."""
    wanted = pattern.format(assignment=assignment).lower()
    subject = path.lower() if "/" in wanted else PurePosixPath(path).name.lower()
    return fnmatch.fnmatchcase(subject, wanted)


def check_tree(entries: list[TreeEntry], read: Callable[[TreeEntry], bytes], assignment: str, release: Release,
               pattern: str, max_bytes: int) -> Accepted | Refusal:
    """The notebook of ``assignment`` among ``entries`` of the pinned commit, or why there is none."""
    found = find_notebook(entries, read, release.name, release.ids, max_bytes, release.others)
    if isinstance(found, Found):
        if not matches(pattern, assignment, found.path):
            return Refusal("notebook_elsewhere", {"assignment": assignment, "path": found.path,
                                                  "pattern": pattern.format(assignment=assignment)})
        return Accepted(found.path)
    params: dict[str, Any] = {"assignment": assignment, "name": release.name, "path": found.path}
    if found.kind == "notebook_other_assignment":
        params["other"] = found.other
    if found.kind == "notebook_too_large":
        params["limit_mb"] = f"{max_bytes / 2**20:.0f}"
    code = found.kind if found.kind in CODES else "notebook_missing"
    return Refusal(code, params, found.reason)


def release_of(course: CourseFolder, assignment: str) -> Release | None:
    """The release the check compares against; None when ``assignment`` is not released."""
    if not is_released(course, assignment):
        return None
    name = sorted(p.name for p in course.release(assignment).glob("*.ipynb"))[0]
    return Release(name, assignment_ids(course, assignment), other_ids(course, assignment))


def check_submission(course: CourseFolder, gh: Any, repo: RepoRef, sha: str, assignment: str,
                     release: Release | None = None) -> Accepted | Refusal:
    """Fetch the pinned commit (into the clone cache) and check it against ``release`` (``release_of``, asked
    here when not given); GitHub's errors propagate (``grader.errors``: the caller decides what the student can
    act on)."""
    release = release or release_of(course, assignment)
    if release is None:
        return Refusal("not_released", {"assignment": assignment})
    settings = getattr(gh, "settings", None)
    max_mb = float(getattr(settings, "max_notebook_mb", 50.0))
    pattern = configured(IntakeSettings, course.config).notebook_pattern
    entries = gh.tree(repo, sha)
    return check_tree(entries, lambda e: gh.read(repo, e), assignment, release, pattern, int(max_mb * 2**20))
