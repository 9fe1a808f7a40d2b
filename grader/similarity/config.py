"""``Similarity``: how ``grader similarity`` compares submissions, from the course's ``nbgrader_config.py``::

    c.Similarity.threshold = 0.4
    c.Similarity.archive_dir = "archive"     # archive/<term>/<student>/hwN/*.ipynb
"""

from __future__ import annotations

from typing import Any

from traitlets import Bool, Float, Int, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.errors import ConfigError


class Similarity(Configurable):
    """Similarity between submissions (nothing is penalised: flagged pairs are for the instructor to look at)."""

    threshold = Float(0.4, help="A pair is flagged when the share of one side's code (its fingerprints) found in "
                      "the other reaches this value, 0-1. bench/similarity.py measures what it catches.").tag(
        config=True)
    min_shared = Int(15, help="A pair sharing fewer fingerprints than this is never flagged (a few lines in common "
                     "are not a copy).").tag(config=True)
    archive_dir = Unicode("", help="Folder of earlier terms' submissions, relative to the course (or absolute): "
                          "every folder named after the assignment below it is one document, e.g. "
                          "archive/2025/s17/hw1/*.ipynb. Empty: no archive.").tag(config=True)
    reference = Bool(True, help="Compare against the reference solution in source/ (a leaked solution).").tag(
        config=True)
    kgram = Int(12, help="Tokens per k-gram: no match shorter than this counts.").tag(config=True)
    window = Int(6, help="Winnowing window: every match of at least kgram + window - 1 tokens is found.").tag(
        config=True)
    common_share = Float(0.5, help="A fingerprint found in more than this share of the documents (and in more "
                         "than 10) is an idiom everyone writes, not a copy, and is ignored.").tag(config=True)
    page_pairs = Int(200, help="Flagged pairs shown side by side on the page, most similar first (its table and "
                     "the JSON list every flagged pair).").tag(config=True)
    workers = Int(0, help="Processes that read and normalise the submissions (0: one per core). Classes under "
                  "64 submissions are done in one process.").tag(config=True)
    show = Int(20, help="Pairs listed on the terminal (the JSON and HTML files hold every flagged pair).").tag(
        config=True)

    @validate("workers")
    def _check_workers(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"Similarity.workers: must be 0 (one per core) or more, got {value}")
        return value

    @validate("threshold", "common_share")
    def _check_share(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not 0.0 < value <= 1.0:
            raise TraitError(f"Similarity.{proposal['trait'].name}: must be in (0, 1], got {value}")
        return value

    @validate("kgram", "window", "min_shared", "show", "page_pairs")
    def _check_positive(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError(f"Similarity.{proposal['trait'].name}: must be at least 1, got {value}")
        return value


def load_similarity_config(config: Any) -> Similarity:
    """``Similarity(config=course.config)``; a bad value raises ``ConfigError`` naming its key."""
    try:
        return Similarity(config=config)
    except TraitError as exc:
        key, _, message = str(exc).partition(":")
        raise ConfigError(key if message else "Similarity", (message or key).strip() +
                          " (fix it in nbgrader_config.py)") from exc
