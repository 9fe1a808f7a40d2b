"""The one GitHub boundary: nothing else in ``grader`` imports PyGithub or runs ``git`` against GitHub.

    RepoRef, parse_repo_link     links as students paste them → owner/name
    PinnedCommit                 a repository's head commit, pinned when the link was received
    GitHubSettings               api_url, clone_url, timeouts, limits (traitlets, in nbgrader_config.py)
    GitHub                       pin_head, can_submit, is_invited, fetch (+ repo_info, tree, read, rate_limit)

Errors come out as ``grader.errors`` classes (NotFoundError, AccessDeniedError, RateLimitedError,
BadCredentialsError, ServerError, LinkError); the token comes only from the ``GITHUB_TOKEN`` environment
variable.
"""

from grader.github.client import GitHub, PinnedCommit, RepoInfo
from grader.github.git import TreeEntry
from grader.github.links import RepoRef, parse_repo_link
from grader.github.settings import GitHubSettings

__all__ = ["GitHub", "GitHubSettings", "PinnedCommit", "RepoInfo", "RepoRef", "TreeEntry", "parse_repo_link"]
