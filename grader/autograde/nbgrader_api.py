"""nbgrader's API on a course folder, and whether this process has a CUDA device."""

from __future__ import annotations

import copy
from functools import lru_cache

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from grader.course import CourseFolder


@lru_cache(maxsize=1)
def cuda_available() -> bool:
    """Whether this process sees a CUDA device (torch is imported only when asked)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def nbgrader_api(course: CourseFolder, config: Config | None = None) -> NbGraderAPI:
    config = copy.deepcopy(config if config is not None else course.config)
    if "root" not in config.get("Exchange", {}):
        # nbgrader's file exchange is not used (submissions come from GitHub); keep it inside the course.
        exchange = course.gradebook_dir / "exchange"
        exchange.mkdir(parents=True, exist_ok=True)
        config.Exchange.root = str(exchange)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course.root)
    return NbGraderAPI(coursedir=coursedir, config=config)
