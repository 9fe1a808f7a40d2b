"""``ServeSettings``: how ``grader serve`` runs, from the course's ``nbgrader_config.py``::

    c.ServeSettings.workers = 2            # grading processes (0: one per core)
    c.ServeSettings.poll_interval = 2.0    # seconds between looks at the database for new work
"""

from __future__ import annotations

from typing import Any

from traitlets import Bool, Float, Int, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.configurable import configured


class ServeSettings(Configurable):
    """The pipeline of ``grader serve``."""

    workers = Int(0, help="Grading processes of the local pool (0: one per core). With --scheduler the Dask "
                  "cluster's workers grade instead.").tag(config=True)
    fetchers = Int(4, help="Submissions fetched from GitHub at the same time.").tag(config=True)
    poll_interval = Float(2.0, help="Seconds between looks at the database for new work (a submission stored "
                          "by the bot of the same process wakes the pipeline at once).").tag(config=True)
    release_interval = Float(10.0, help="Seconds between looks at which homeworks' grades are released "
                             "(c.GradeRelease.policy; it may open the gradebook).").tag(config=True)
    fetch_retry_after = Float(60.0, help="Seconds before a fetch that failed for a reason outside the student's "
                              "control (GitHub unreachable, the grader stopped) is tried again.").tag(config=True)
    visible_checks = Bool(True, help="Before the deadline, run each new submission against the release's visible "
                          "tests and tell the student which passed (never anything of the hidden tests).").tag(
        config=True)
    wall_seconds = Float(1800.0, help="Wall-clock limit of one grading job, in seconds.").tag(config=True)
    log_file = Unicode("gradebook/logs/serve.log", help="The service's log, relative to the course; rotated "
                       "at log_max_mb, log_backups old files kept.").tag(config=True)
    log_max_mb = Float(20.0, help="Size at which the log rotates, in MB.").tag(config=True)
    log_backups = Int(5, help="Rotated logs kept.").tag(config=True)
    failures_shown = Int(5, help="Last failures listed by 'grader serve status' and /queue.").tag(config=True)

    @validate("workers")
    def _check_workers(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"ServeSettings.workers: must be 0 (one per core) or more, got {value}")
        return value

    @validate("fetchers", "log_backups", "failures_shown")
    def _check_positive(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError(f"ServeSettings.{proposal['trait'].name}: must be at least 1, got {value}")
        return value

    @validate("poll_interval", "release_interval", "fetch_retry_after", "wall_seconds", "log_max_mb")
    def _check_seconds(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if value <= 0:
            raise TraitError(f"ServeSettings.{proposal['trait'].name}: must be positive, got {value}")
        return value


def serve_settings(config: Any) -> ServeSettings:
    return configured(ServeSettings, config)
