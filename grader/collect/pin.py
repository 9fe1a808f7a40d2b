"""Pinning links: whether each login may submit its repository (owner or collaborator) and the head commit of
each repository, asked of GitHub once per (repository, login) and once per repository, however many links of a
batch name them. ``submit_link`` pins one link through it; the bot's ``/submit`` batches pin through it too.

Every failure comes back as the ``grader.errors`` exception GitHub's answer maps to, in the link's own slot;
``NotOwnerError`` when the repository is readable but the login neither owns it nor collaborates on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

from grader.errors import NotOwnerError
from grader.github import PinnedCommit, RepoRef


class PinningGitHub(Protocol):
    def pin_head(self, repo: RepoRef) -> PinnedCommit: ...

    def can_submit(self, repo: RepoRef, login: str) -> bool: ...


@dataclass(frozen=True)
class PinRequest:
    """One link to pin; ``login``: the student's GitHub login, who must own the repository or collaborate on it
    (``None``: not checked)."""

    repo: RepoRef
    login: str | None = None


def _caught(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 (handed back to the links it concerns)
        return exc


def pin_links(gh: PinningGitHub, requests: Sequence[PinRequest],
              pool: Executor | None = None) -> list[PinnedCommit | Exception]:
    """Each request's pinned head, or the error it would have raised alone; ``pool`` asks several at a time."""
    run: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] = pool.map if pool is not None else map

    def owned(pair: tuple[RepoRef, str]) -> Exception | None:
        repo, login = pair
        allowed = _caught(lambda: gh.can_submit(repo, login))
        if isinstance(allowed, Exception):
            return allowed
        return None if allowed else NotOwnerError(
            f"{login!r} neither owns {repo.full_name} nor is a collaborator on it: submit your own repository")

    pairs = {(r.repo.full_name.lower(), r.login.lower()): (r.repo, r.login) for r in requests if r.login}
    ownership = dict(zip(pairs, run(owned, pairs.values()), strict=True))

    def refusal(request: PinRequest) -> Exception | None:
        return ownership[(request.repo.full_name.lower(), request.login.lower())] if request.login else None

    repos = {r.repo.full_name.lower(): r.repo for r in requests if refusal(r) is None}
    heads = dict(zip(repos, run(lambda repo: _caught(lambda: gh.pin_head(repo)), repos.values()), strict=True))
    return [refusal(r) or heads[r.repo.full_name.lower()] for r in requests]
