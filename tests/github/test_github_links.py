"""Repository links in every form students paste them."""

from __future__ import annotations

import pytest

from grader.errors import GraderError, LinkError
from grader.github import RepoRef, parse_repo_link


@pytest.mark.parametrize("link", [
    "https://github.com/alice/dl-hw",
    "https://github.com/alice/dl-hw/",
    "https://github.com/alice/dl-hw.git",
    "https://github.com/alice/dl-hw.git/",
    "http://github.com/alice/dl-hw",
    "https://www.github.com/alice/dl-hw",
    "github.com/alice/dl-hw",
    "  <https://github.com/alice/dl-hw>  ",
    "git@github.com:alice/dl-hw.git",
    "git@github.com:alice/dl-hw",
    "ssh://git@github.com/alice/dl-hw.git",
    "https://github.com/alice/dl-hw/tree/main",
    "https://github.com/alice/dl-hw/tree/feature/x/hw1",
    "https://github.com/alice/dl-hw/blob/main/hw1/hw1.ipynb",
    "https://github.com/alice/dl-hw?tab=readme-ov-file#setup",
    "HTTPS://GitHub.com/alice/dl-hw",
])
def test_every_link_form_names_the_same_repository(link: str) -> None:
    ref = parse_repo_link(link)
    assert ref == RepoRef("alice", "dl-hw")
    assert ref.full_name == "alice/dl-hw"
    assert ref.html_url == "https://github.com/alice/dl-hw"


def test_dots_and_underscores_in_names_are_kept() -> None:
    assert parse_repo_link("https://github.com/a-b_c/my.repo_1.git").full_name == "a-b_c/my.repo_1"


def test_an_enterprise_host_is_accepted_when_configured() -> None:
    ref = parse_repo_link("https://git.hse.ru/alice/hw", hosts=("github.com", "git.hse.ru"))
    assert ref.full_name == "alice/hw" and ref.html_url == "https://git.hse.ru/alice/hw"


@pytest.mark.parametrize("link, why", [
    ("", "empty"),
    ("https://gitlab.com/alice/hw", "host is gitlab.com"),
    ("https://github.com/alice", "names no repository"),
    ("https://github.com/", "names no repository"),
    ("https://github.com/orgs/hse/repositories", "not a GitHub user"),
    ("ftp://github.com/alice/hw", "scheme"),
    ("https://github.com/alice/..", "not a repository name"),
    ("https://github.com/-alice/hw", "not a GitHub user"),
    ("https://github.com/alice/h w", "spaces"),
    ("alice/hw", "host"),
])
def test_a_bad_link_is_refused_with_what_a_valid_one_looks_like(link: str, why: str) -> None:
    with pytest.raises(LinkError, match=why) as info:
        parse_repo_link(link)
    assert "https://github.com/<login>/<repository>" in str(info.value)
    assert isinstance(info.value, GraderError)
