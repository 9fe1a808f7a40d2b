"""One project's check, stage by stage, at its pinned commit.

Stages, in order:
  1. fetch       the repository at the pinned commit into a local folder (the GitHub boundary, or a given folder)
  2. readme      README present and covering the required parts (``readme.py``)
  3. datasets    open datasets used, counted and listed (``datasets.py``)
  4. space       Hugging Face Space link and whether it is a Gradio app (``space.py``)
  5. invitation  whether the instructor's GitHub account was invited (the GitHub boundary, or an injected callable)
  6. suggest     which bonuses the checks support; only the instructor confirms them
A failure in one stage is a recorded note, never a stopped batch.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.errors import ExternalServiceError, ProjectError
from grader.project.config import ProjectChecks
from grader.project.datasets import DatasetRef, find_datasets
from grader.project.readme import ReadmeCheck, check_readme
from grader.project.space import SpaceCheck, check_space
from grader.project.text import repo_texts

Fetch = Callable[[str, str, Path], object]        # (owner/name, commit sha, destination folder)
Invited = Callable[[str, str], bool]               # (owner/name, instructor login) -> invited?


@dataclass(frozen=True)
class Invitation:
    """invited: True/False, or None when it could not be told (``note`` says why)."""

    login: str
    invited: bool | None
    note: str = ""


@dataclass(frozen=True)
class ProjectCheck:
    """Everything the checks found; stored as JSON in ``Project.checks``."""

    repo: str
    commit: str
    checked_at: str
    readme: ReadmeCheck = field(default_factory=ReadmeCheck)
    datasets: tuple[DatasetRef, ...] = ()
    space: SpaceCheck = field(default_factory=SpaceCheck)
    invitation: Invitation = field(default_factory=lambda: Invitation("", None, "not checked"))
    suggested: dict[str, str] = field(default_factory=dict)
    error: str = ""

    def problems(self) -> list[str]:
        """What the instructor should look at (empty when the project meets every requirement)."""
        if self.error:
            return [f"not checked: {self.error}"]
        out = []
        if not self.readme.present:
            out.append("no README")
        else:
            out += [f"README lacks the '{part}' part" for part in self.readme.missing]
            out += [f"README '{part}' part is nearly empty" for part in self.readme.thin]
        if self.invitation.invited is False:
            out.append(f"{self.invitation.login} not invited to the repository")
        elif self.invitation.invited is None:
            out.append(f"invitation unknown: {self.invitation.note}")
        return out

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> ProjectCheck | None:
        try:
            data: dict[str, Any] = json.loads(text or "{}")
        except ValueError:
            return None
        if not data.get("checked_at"):
            return None
        readme = data.get("readme", {})
        return ProjectCheck(
            repo=data.get("repo", ""), commit=data.get("commit", ""), checked_at=data["checked_at"],
            readme=ReadmeCheck(readme.get("path", ""), dict(readme.get("parts", {})), tuple(readme.get("thin", ()))),
            datasets=tuple(DatasetRef(d["source"], d["id"], tuple(d.get("found_in", ()))) for d in data.get("datasets",
                                                                                                          [])),
            space=SpaceCheck(tuple(data.get("space", {}).get("links", ())),
                             tuple(data.get("space", {}).get("gradio_evidence", ()))),
            invitation=Invitation(**data.get("invitation", {"login": "", "invited": None, "note": "not checked"})),
            suggested=dict(data.get("suggested", {})), error=data.get("error", ""),
        )


def stage_invitation(repo: str, login: str, invited: Invited | None) -> Invitation:
    if not login:
        return Invitation("", None, "no instructor login configured (c.ProjectChecks.instructor_login)")
    if invited is None:
        return Invitation(login, None, "GitHub not reachable from here")
    try:
        return Invitation(login, bool(invited(repo, login)))
    except ExternalServiceError as exc:
        return Invitation(login, None, f"GitHub: {exc}")


def stage_suggest(datasets: tuple[DatasetRef, ...], space: SpaceCheck, bonus_points: Mapping[str, float],
                  min_datasets: int) -> dict[str, str]:
    """Bonus criteria the checks support, with the reason; never an award (the instructor confirms)."""
    out: dict[str, str] = {}
    if "open_datasets" in bonus_points and len(datasets) >= min_datasets:
        out["open_datasets"] = f"{len(datasets)} open datasets: {', '.join(str(d) for d in datasets)}"
    if "gradio_space" in bonus_points and space.has_link and space.gradio:
        out["gradio_space"] = f"{space.links[0]} ({space.gradio_evidence[0]})"
    return out


def check_folder(folder: Path, *, repo: str, commit: str, checks: ProjectChecks, login: str,
                 invited: Invited | None, bonus_points: Mapping[str, float], min_datasets: int) -> ProjectCheck:
    """Stages 2-6 on a local copy of the repository at its pinned commit."""
    readme = check_readme(folder, checks.readme_sections, checks.min_section_words)
    texts = list(repo_texts(folder, checks.max_file_kb))
    datasets = find_datasets(texts, checks.dataset_links)
    space = check_space(texts)
    invitation = stage_invitation(repo, login, invited)
    suggested = stage_suggest(datasets, space, bonus_points, min_datasets)
    return ProjectCheck(repo, commit, datetime.now(UTC).isoformat(timespec="seconds"), readme, datasets, space,
                        invitation, suggested)


def fetch_pinned(repo: str, commit: str, dest: Path, fetch: Fetch) -> Path:
    """Stage 1: a fresh copy of ``repo`` at ``commit`` in ``dest``."""
    if not commit:
        raise ProjectError(f"{repo}: no pinned commit; the students register the project again with the bot, "
                           "or check a local copy with --from DIR")
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fetch(repo, commit, dest)
    if not dest.is_dir():
        raise ProjectError(f"{repo}@{commit[:12]}: nothing was fetched into {dest}")
    return dest
