"""nbgrader's autograde, configured with this course's stages, for one submission at a time."""

from __future__ import annotations

import copy
from functools import lru_cache

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    Execute,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets.config import Config

from grader.autograde.preprocessors import GpuCellGate, StderrIsNotFailure
from grader.course import CourseFolder
from grader.errors import GraderError

SANITIZE = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata, GpuCellGate]
AUTOGRADE = [Execute, StderrIsNotFailure, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
             AssignLatePenalties, CheckCellMetadata]


@lru_cache(maxsize=1)
def cuda_available() -> bool:
    """Whether this process sees a CUDA device (torch is imported only when asked)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def autograde_config(course: CourseFolder, gpu_available: bool) -> Config:
    config = copy.deepcopy(course.config)
    config.Autograde.sanitize_preprocessors = SANITIZE
    config.Autograde.autograde_preprocessors = AUTOGRADE
    config.GpuCellGate.gpu_available = gpu_available
    config.GpuCellGate.tag = course.settings.gpu_tag
    return config


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


def autograde_one(course: CourseFolder, assignment: str, student: str, *, gpu_available: bool | None = None) -> str:
    """Autograde one submission through nbgrader; returns nbgrader's log. Raises on nbgrader failure."""
    gpu = cuda_available() if gpu_available is None else gpu_available
    api = nbgrader_api(course, autograde_config(course, gpu))
    result = api.autograde(assignment, student, force=True, create=True)
    if not result.get("success"):
        raise GraderError(f"nbgrader autograde failed for {student}/{assignment}: "
                          f"{result.get('log', '')[-4000:]}\n{result.get('error', '')}")
    return str(result.get("log", ""))
