"""``GitHubSettings``: where GitHub is and how hard to lean on it, from the course's ``nbgrader_config.py``::

    c.GitHubSettings.api_url = "https://github.example.edu/api/v3"      # GitHub Enterprise
    c.GitHubSettings.clone_url = "https://github.example.edu/{full_name}.git"
    c.GitHubSettings.instructor_login = "course-bot"

The token is never a setting: it is read from the ``GITHUB_TOKEN`` environment variable only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from traitlets import Float, Int, TraitError, Unicode, validate
from traitlets.config import Configurable


class GitHubSettings(Configurable):
    """How the grader talks to GitHub (REST API through PyGithub, content through git)."""

    api_url = Unicode("https://api.github.com", help="Base URL of the GitHub REST API. For GitHub Enterprise "
                      "Server: 'https://HOST/api/v3'.").tag(config=True)
    clone_url = Unicode("https://github.com/{full_name}.git", help="How git reaches a repository: a template "
                        "with {full_name} (or {owner} and {name}). https:// sends the token in a header taken "
                        "from the environment (never on the command line); file:// is for local tests.").tag(
        config=True)
    web_hosts = Unicode("github.com", help="Comma-separated host names accepted in repository links "
                        "(add your GitHub Enterprise host).").tag(config=True)
    timeout = Int(15, help="Whole seconds to wait for any single GitHub API response before giving up "
                  "(then retried like a server error).").tag(config=True)
    fetch_timeout = Float(300.0, help="Seconds one 'git fetch' of a submission may take.").tag(config=True)
    retries = Int(3, help="How many times a server error (5xx), a timeout or a dropped connection is retried, "
                  "with exponential back-off and jitter.").tag(config=True)
    backoff = Float(1.0, help="First back-off delay in seconds for retries; doubles each time, plus jitter.").tag(
        config=True)
    max_wait = Float(120.0, help="Longest wait, in seconds, for GitHub's rate limit to reset. A longer wait stops "
                     "the batch cleanly (run it again later; nothing is lost or collected twice).").tag(config=True)
    rate_limit_reserve = Int(0, help="Requests left untouched at the end of each rate-limit window (for example "
                             "for the bot while a batch runs): the batch waits once only this many remain.").tag(
        config=True)
    max_repo_mb = Float(200.0, help="A repository larger than this (GitHub's reported size, then the pinned "
                        "tree) is refused with status 'failed' instead of being downloaded.").tag(config=True)
    max_notebook_mb = Float(50.0, help="A notebook file larger than this is not read.").tag(config=True)
    workers = Int(8, help="Repositories fetched at once by 'grader collect' (threads; the rate limit is "
                  "shared).").tag(config=True)
    instructor_login = Unicode("", help="The course's GitHub account (the token's owner). Students add it as a "
                               "collaborator to private repositories; messages name it.").tag(config=True)
    cache_dir = Unicode(".cache/github", help="Local cache of shallow clones and API answers (ETags); relative "
                        "to the course folder. Safe to delete.").tag(config=True)

    @validate("api_url")
    def _check_api_url(self, proposal: Any) -> str:
        value = str(proposal["value"]).rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise TraitError(f"GitHubSettings.api_url: {value!r} is not an http(s) URL such as "
                             "'https://api.github.com'")
        return value

    @validate("clone_url")
    def _check_clone_url(self, proposal: Any) -> str:
        value = str(proposal["value"])
        if "{full_name}" not in value and not ("{owner}" in value and "{name}" in value):
            raise TraitError(f"GitHubSettings.clone_url: {value!r} needs {{full_name}} (or {{owner}} and {{name}}),"
                             " e.g. 'https://github.com/{full_name}.git'")
        if urlsplit(value).scheme not in ("https", "http", "file", "ssh"):
            raise TraitError(f"GitHubSettings.clone_url: {value!r} must start with https://, ssh:// or file://")
        return value

    @validate("timeout")
    def _check_timeout(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 600:
            raise TraitError(f"GitHubSettings.timeout: must be 1..600 seconds, got {value}")
        return value

    @validate("fetch_timeout", "max_repo_mb", "max_notebook_mb")
    def _check_positive(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value > 0:
            raise TraitError(f"GitHubSettings.{proposal['trait'].name}: must be positive, got {value}")
        return value

    @validate("backoff", "max_wait")
    def _check_non_negative(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value >= 0:
            raise TraitError(f"GitHubSettings.{proposal['trait'].name}: must be >= 0, got {value}")
        return value

    @validate("retries", "rate_limit_reserve")
    def _check_count(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"GitHubSettings.{proposal['trait'].name}: must be >= 0, got {value}")
        return value

    @validate("workers")
    def _check_workers(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 64:
            raise TraitError(f"GitHubSettings.workers: must be between 1 and 64, got {value}")
        return value

    def clone_url_for(self, full_name: str) -> str:
        owner, _, name = full_name.partition("/")
        return self.clone_url.format(full_name=full_name, owner=owner, name=name)

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(h.strip() for h in self.web_hosts.split(",") if h.strip())
