"""Repository links as students paste them, turned into an ``owner/name`` reference.

Accepted (host ``github.com`` or the configured GitHub Enterprise host)::

    https://github.com/owner/name            http://www.github.com/owner/name/
    https://github.com/owner/name.git        github.com/owner/name
    git@github.com:owner/name.git            ssh://git@github.com/owner/name
    https://github.com/owner/name/tree/main/hw1         (a branch or folder inside: the repository is taken)
    https://github.com/owner/name/blob/main/hw1.ipynb   (a file inside: the repository is taken)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from grader.errors import LinkError

OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$")
NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
SSH_SCP = re.compile(r"^(?:[A-Za-z0-9_.-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
# First path segments that are GitHub pages, not users or organisations.
NOT_OWNERS = frozenset({"orgs", "settings", "features", "marketplace", "topics", "sponsors", "login", "about",
                        "pricing", "explore", "notifications", "new", "search", "apps", "collections", "gist"})
EXAMPLE = "https://github.com/<login>/<repository> (or git@github.com:<login>/<repository>.git)"


@dataclass(frozen=True)
class RepoRef:
    """A GitHub repository: ``owner/name`` on ``host``."""

    owner: str
    name: str
    host: str = "github.com"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def html_url(self) -> str:
        """The canonical web address (what is stored and shown back to the student)."""
        return f"https://{self.host}/{self.full_name}"

    def __str__(self) -> str:
        return self.full_name


def _fail(link: str, why: str) -> LinkError:
    shown = link if len(link) <= 200 else link[:200] + "…"
    return LinkError(f"{shown!r} is not a GitHub repository link: {why}. Send a link like {EXAMPLE}")


def _split(link: str) -> tuple[str, str]:
    """(host, path) of an https/http/ssh URL, an scp-like ssh address, or a scheme-less 'host/path'."""
    if "://" in link:
        parts = urlsplit(link)
        if parts.scheme not in ("https", "http", "ssh", "git"):
            raise _fail(link, f"the scheme {parts.scheme!r} is not https or ssh")
        return (parts.hostname or "").lower(), parts.path
    scp = SSH_SCP.match(link)
    if scp and "/" not in scp.group("host"):
        return scp.group("host").lower(), scp.group("path")
    host, _, path = link.partition("/")
    return host.lower(), "/" + path


def parse_repo_link(link: str, hosts: tuple[str, ...] = ("github.com",)) -> RepoRef:
    """The repository a link points to; raises ``LinkError`` saying what a valid link looks like."""
    text = (link or "").strip().strip("<>").strip()
    if not text:
        raise _fail(link or "", "the link is empty")
    if any(ch.isspace() for ch in text):
        raise _fail(link, "it contains spaces")
    host, path = _split(text)
    host = host.removeprefix("www.")
    allowed = {h.lower().removeprefix("www.") for h in hosts}
    if host not in allowed:
        raise _fail(link, f"the host is {host or 'missing'}, expected {' or '.join(sorted(allowed))}")
    path = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        raise _fail(link, "it names no repository (owner and repository name are both needed)")
    owner, name = segments[0], segments[1]
    if name.endswith(".git"):
        name = name[: -len(".git")]
    if owner.lower() in NOT_OWNERS or not OWNER.match(owner):
        raise _fail(link, f"{owner!r} is not a GitHub user or organisation name")
    if not NAME.match(name) or name in (".", ".."):
        raise _fail(link, f"{name!r} is not a repository name")
    return RepoRef(owner=owner, name=name, host=host)
