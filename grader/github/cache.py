"""Answers GitHub already gave, keyed by URL, with their ETags: the next ask is a conditional request.

GitHub answers an unchanged resource with 304 Not Modified, which does not count against the rate limit. Only
the few fields the grader uses are kept (no tokens, nothing personal beyond logins), in one small JSON file
under ``GitHubSettings.cache_dir``; deleting it is always safe.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


class ApiCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._dirty = False
        self._entries: dict[str, dict[str, Any]] = {}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._entries = {k: v for k, v in loaded.items()
                                     if isinstance(v, dict) and "etag" in v and "data" in v}
            except (OSError, ValueError):
                self._entries = {}  # a damaged cache only costs full requests

    def get(self, url: str) -> tuple[str, Any] | None:
        with self._lock:
            entry = self._entries.get(url)
            return (entry["etag"], entry["data"]) if entry else None

    def put(self, url: str, etag: str | None, data: Any) -> None:
        with self._lock:
            if etag:
                self._entries[url] = {"etag": etag, "data": data}
            else:
                self._entries.pop(url, None)
            self._dirty = True

    def drop(self, url: str) -> None:
        with self._lock:
            if self._entries.pop(url, None) is not None:
                self._dirty = True

    def save(self) -> None:
        """Write the cache (atomically) if anything changed."""
        if self.path is None:
            return
        with self._lock:
            if not self._dirty:
                return
            text = json.dumps(self._entries, sort_keys=True)
            self._dirty = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)
