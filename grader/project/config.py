"""``ProjectChecks``: what a project repository is checked for, from the course's ``nbgrader_config.py``::

    c.ProjectChecks.instructor_login = "DmitryRyumin"
    c.ProjectChecks.min_section_words = 5
"""

from __future__ import annotations

import re
from typing import Any

from traitlets import Dict, Int, List, TraitError, Unicode, validate
from traitlets.config import Configurable

from grader.configurable import configured

# The parts the course README asks for (Цель работы, Описание исходных данных, Используемые алгоритмы с
# обоснованием, Как измерялось качество моделей, Итоговые результаты), as patterns matched against headings.
# Order matters: a heading counts for the first part it matches ("Качество моделей" is quality, not algorithms).
DEFAULT_SECTIONS: dict[str, list[str]] = {
    "quality": [r"качеств", r"метрик", r"оценк", r"quality", r"metric", r"evaluat"],
    "results": [r"результат", r"вывод", r"заключени", r"итог", r"result", r"conclusion", r"finding"],
    "data": [r"данн", r"датасет", r"набор", r"корпус", r"\bdata", r"corpus"],
    "algorithms": [r"алгоритм", r"метод", r"модел", r"архитектур", r"подход", r"algorithm", r"method", r"model",
                   r"architecture", r"approach"],
    "goal": [r"\bцел[ьие]", r"задач", r"goal", r"objective", r"\baim", r"purpose", r"problem statement", r"\btask"],
}

DEFAULT_DATASET_LINKS: list[str] = [
    r"kaggle\.com/datasets/[\w.-]+/[\w.-]+",
    r"kaggle\.com/(?:c|competitions)/[\w.-]+",
    r"archive\.ics\.uci\.edu/(?:ml/datasets|dataset)/[\w.%+-]+(?:/[\w.%+-]+)?",
    r"zenodo\.org/records?/\d+",
    r"paperswithcode\.com/dataset/[\w.-]+",
    r"data\.mendeley\.com/datasets/[\w.-]+",
    r"openml\.org/(?:d|search\?type=data&id=)/?\d+",
]


class ProjectChecks(Configurable):
    """What ``grader project check`` looks for in a project repository at its pinned commit."""

    instructor_login = Unicode("", help="GitHub login that each project repository must invite (the course "
                               "README names DmitryRyumin). Empty: GitHubSettings.instructor_login.").tag(config=True)
    readme_sections = Dict(default_value=DEFAULT_SECTIONS, help="Required README part -> regular expressions "
                           "(case-insensitive) matched against the README's headings, Russian or English. A "
                           "heading counts for the first part, in this order, that it matches.").tag(config=True)
    min_section_words = Int(5, help="Words a section needs under its heading to count (a bare heading does not)."
                            ).tag(config=True)
    dataset_links = List(Unicode(), default_value=DEFAULT_DATASET_LINKS, help="Regular expressions of links to "
                         "open datasets outside Hugging Face (Kaggle, UCI, Zenodo, ...); each distinct match is one "
                         "dataset. Hugging Face ids (load_dataset(\"...\"), huggingface.co/datasets/...) are "
                         "always counted.").tag(config=True)
    checkout_dir = Unicode("projects", help="Folder (relative to the course) where each project is checked out at "
                           "its pinned commit.").tag(config=True)
    max_file_kb = Int(2048, help="Files larger than this are not scanned for dataset ids and links.").tag(config=True)

    @validate("readme_sections")
    def _check_sections(self, proposal: Any) -> dict[str, list[str]]:
        value = dict(proposal["value"])
        if not value:
            raise TraitError("ProjectChecks.readme_sections: at least one required part is needed")
        for part, patterns in value.items():
            if not isinstance(patterns, list | tuple) or not patterns:
                raise TraitError(f"ProjectChecks.readme_sections[{part!r}]: needs a list of patterns")
            for pattern in patterns:
                _compile(f"ProjectChecks.readme_sections[{part!r}]", pattern)
        return {str(k): [str(p) for p in v] for k, v in value.items()}

    @validate("dataset_links")
    def _check_links(self, proposal: Any) -> list[str]:
        for pattern in proposal["value"]:
            _compile("ProjectChecks.dataset_links", pattern)
        return list(proposal["value"])

    @validate("min_section_words", "max_file_kb")
    def _check_count(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"ProjectChecks.{proposal['trait'].name}: must be >= 0, got {value}")
        return value


def _compile(key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise TraitError(f"{key}: {pattern!r} is not a regular expression ({exc})") from exc


def instructor_login(checks: ProjectChecks, config: Any) -> str:
    """ProjectChecks.instructor_login, else the GitHub boundary's GitHubSettings.instructor_login."""
    if checks.instructor_login:
        return str(checks.instructor_login)
    return str(config.get("GitHubSettings", {}).get("instructor_login", "") or "")


def load_checks(config: Any) -> ProjectChecks:
    """``ProjectChecks(config=course.config)``; a bad value raises ``ConfigError`` naming its key."""
    return configured(ProjectChecks, config)
