"""Project repositories as real local git repositories, and a fetch that checks one out at a pinned commit
(what the GitHub boundary's ``fetch(repo, sha, dest)`` does, without the network)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader.course import CourseFolder, open_course, tools_on_path

GIT_ENV = {"GIT_AUTHOR_NAME": "Student", "GIT_AUTHOR_EMAIL": "s@edu.example", "GIT_COMMITTER_NAME": "Student",
           "GIT_COMMITTER_EMAIL": "s@edu.example", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           "PATH": "/usr/bin:/bin"}

README_RU = """# Классификация тональности отзывов

## Цель работы
Научиться определять тональность отзывов на фильмы по тексту и сравнить несколько моделей.

## Описание исходных данных
Корпус IMDB: пятьдесят тысяч отзывов с разметкой, поровну положительных и отрицательных.

## Используемые алгоритмы с обоснованием
Логистическая регрессия как базовая модель, LSTM и дообученный BERT, потому что они учитывают порядок слов.

## Как измерялось качество моделей
Доля верных ответов и F1 на отложенной выборке, пять запусков с разными зернами.

## Итоговые результаты
BERT лучше всех: F1 0.93 против 0.88 у LSTM; выводы и разбор ошибок в конце ноутбука.
"""

README_EN = """---
title: Emotion
sdk: gradio
app_file: app.py
---
Emotion recognition
===================

**Goal.** Recognise six emotions in short English texts and explain which model works best and why.

Data
----
The dair-ai/emotion corpus of twenty thousand tweets, split into train, validation and test sets.

### Models and why we chose them
A TF-IDF baseline, a small CNN and DistilBERT, chosen to compare cost against quality honestly.

### Evaluation metrics
Macro F1 and accuracy on the held-out test split, with a confusion matrix for every model we trained.

### Results and conclusions
DistilBERT reaches macro F1 0.91; the CNN is close at a tenth of the cost, which we recommend for CPUs.
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip()


def commit_files(repo: Path, files: dict[str, str], message: str = "work") -> str:
    """Write ``files`` into the repository, commit them, and return the commit's sha."""
    if not (repo / ".git").is_dir():
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q", "-b", "main")
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., tuple[Path, str]]:
    """make_repo(files, name='project') -> (folder of a real git repository, sha of its only commit)."""

    def make(files: dict[str, str], name: str = "project") -> tuple[Path, str]:
        repo = tmp_path / "repos" / name
        return repo, commit_files(repo, files)

    return make


@pytest.fixture
def local_fetch(tmp_path: Path) -> Callable[[str, str, Path], None]:
    """fetch(owner/name, sha, dest) from tmp_path/repos/<name>: a clone checked out at exactly ``sha``."""

    def fetch(repo: str, sha: str, dest: Path) -> None:
        source = tmp_path / "repos" / repo.split("/", 1)[1]
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(source), str(dest)], env=GIT_ENV, check=True,
                       capture_output=True, timeout=30)
        git(dest, "checkout", "-q", sha)

    return fetch


@pytest.fixture(scope="session")
def blank_gradebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty nbgrader gradebook, made once (nbgrader runs alembic to create one: seconds each time)."""
    path = tmp_path_factory.mktemp("blank") / "gradebook.db"
    tools_on_path()
    with Gradebook(f"sqlite:///{path}"):
        pass
    return path


@pytest.fixture
def course(tiny_course: Path, blank_gradebook: Path) -> CourseFolder:
    """The tiny course with an empty gradebook and the instructor's login configured."""
    (tiny_course / "gradebook").mkdir(exist_ok=True)
    shutil.copy(blank_gradebook, tiny_course / "gradebook" / "gradebook.db")
    with (tiny_course / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write('\nc.ProjectChecks.instructor_login = "DmitryRyumin"\n')
    return open_course(tiny_course)
