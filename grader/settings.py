"""Course policy knobs, declared like nbgrader's own settings (traitlets).

Each class below is configured in the course's ``nbgrader_config.py``::

    c.GradeFormula.rounding = "ceil"
    c.Deadlines.deadlines = {"hw1": "2026-10-01 23:59"}

Every knob documents itself in ``help=`` and is validated where it is declared: an invalid value raises
``ConfigError`` naming the key as soon as the course is opened.  ``Settings`` turns the configured classes
into the typed, frozen records the pure policy functions take.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traitlets import Dict, Enum, Float, Int, List, TraitError, Unicode, validate
from traitlets.config import Config, Configurable

from grader.autograde.records import GPU_TAG
from grader.configurable import configured
from grader.errors import ConfigError
from grader.policy.grade import Band, GradePolicy
from grader.policy.lateness import LatePolicySpec

DEFAULT_ASSIGNMENTS = [f"hw{i}" for i in range(1, 9)]


class Course(Configurable):
    """What the course is made of."""

    name = Unicode("Fundamentals of Deep Learning (HSE)", help="Course title shown in reports and by the bot.").tag(
        config=True
    )
    assignments = List(
        Unicode(),
        default_value=DEFAULT_ASSIGNMENTS,
        help="The homework assignments, in order; each is a folder under source/. All of them count in the "
        "homework component (a missing one counts as 0).",
    ).tag(config=True)
    timezone = Unicode("Europe/Moscow", help="IANA time zone of the course: deadlines without an explicit "
                       "offset are read in it, and the bot shows times in it.").tag(config=True)

    @validate("assignments")
    def _check_assignments(self, proposal: Any) -> list[str]:
        value = list(proposal["value"])
        if not value:
            raise TraitError("Course.assignments: at least one assignment is needed")
        if len(set(value)) != len(value):
            raise TraitError(f"Course.assignments: duplicate names in {value}")
        return value

    @validate("timezone")
    def _check_timezone(self, proposal: Any) -> str:
        try:
            ZoneInfo(proposal["value"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise TraitError(f"Course.timezone: unknown time zone {proposal['value']!r} "
                             "(use an IANA name such as 'Europe/Moscow')") from exc
        return str(proposal["value"])


class GradeFormula(Configurable):
    """Final = homework_weight·H + project_weight·E + bonuses, capped and rounded."""

    homework_weight = Float(0.5, help="Weight of the homework component H (mean homework mark, 0-8).").tag(
        config=True)
    project_weight = Float(0.5, help="Weight of the project defence mark E (0-8).").tag(config=True)
    max_mark = Float(8.0, help="Top of the homework and defence mark scale.").tag(config=True)
    max_grade = Float(10.0, help="The final grade is capped at this value.").tag(config=True)
    rounding = Enum(["half_up", "ceil", "none"], default_value="half_up",
                    help="How the exact final value becomes the grade: 'half_up' (6.5 -> 7, 6.49 -> 6), "
                    "'ceil' (6.01 -> 7) or 'none' (report the exact value).").tag(config=True)

    @validate("homework_weight", "project_weight")
    def _check_weight(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 1.0 or value != value:
            raise TraitError(f"GradeFormula.{proposal['trait'].name}: must be in [0, 1], got {value}")
        return value

    @validate("max_mark", "max_grade")
    def _check_positive(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value > 0:
            raise TraitError(f"GradeFormula.{proposal['trait'].name}: must be positive, got {value}")
        return value


class CompletionBands(Configurable):
    """Homework completion p = score / max_score → a mark on the 0-8 scale."""

    bands = List(
        Dict(),
        default_value=[
            {"name": "Excellent", "min": 1.0, "low": 8, "high": 8},
            {"name": "Good", "min": 0.8, "low": 6, "high": 7},
            {"name": "Satisfactory", "min": 0.5, "low": 4, "high": 5},
            {"name": "Unsatisfactory", "min": 0.0, "low": 0, "high": 3},
        ],
        help="Bands from the top down: a completion p >= min (within the tolerance) falls in the first band "
        "that admits it; its mark goes linearly from 'low' at 'min' towards 'high' at the next band's 'min', "
        "then is rounded in the student's favour (see mark_rounding). The last band must start at 0.",
    ).tag(config=True)
    tolerance = Float(1e-9, help="Slack when comparing p with a band edge, so 4/5 lands in 'Good'.").tag(
        config=True)
    mark_rounding = Enum(["ceil", "half_up", "none"], default_value="ceil",
                         help="Rounding of the in-band mark: 'ceil' is the student's favour.").tag(config=True)

    @validate("bands")
    def _check_bands(self, proposal: Any) -> list[dict[str, Any]]:
        bands = list(proposal["value"])
        try:
            parsed = [Band(name=str(b["name"]), min=float(b["min"]), low=float(b["low"]), high=float(b["high"]))
                      for b in bands]
        except (KeyError, TypeError, ValueError) as exc:
            raise TraitError("CompletionBands.bands: each band needs name, min, low and high "
                             f"({exc!s})") from exc
        if not parsed or parsed[-1].min != 0.0:
            raise TraitError("CompletionBands.bands: the last band must start at min = 0")
        for upper, lower in zip(parsed, parsed[1:], strict=False):
            if not lower.min < upper.min:
                raise TraitError("CompletionBands.bands: 'min' must decrease from one band to the next")
        for band in parsed:
            if not 0.0 <= band.min <= 1.0 or band.low > band.high:
                raise TraitError(f"CompletionBands.bands: band {band.name!r} needs 0 <= min <= 1 and low <= high")
        return bands


class Bonuses(Configurable):
    """Project bonus points. The system only suggests them; the instructor confirms each."""

    criteria = Dict(
        default_value={"open_datasets": 1.0, "gradio_space": 1.0},
        help="Bonus criterion name -> points. Defaults: 'open_datasets' (two or more open datasets) and "
        "'gradio_space' (a Gradio app hosted on a Hugging Face Space), 1 point each.",
    ).tag(config=True)
    min_open_datasets = Int(2, help="How many open datasets the 'open_datasets' criterion asks for.").tag(
        config=True)

    @validate("criteria")
    def _check_criteria(self, proposal: Any) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, points in dict(proposal["value"]).items():
            try:
                value = float(points)
            except (TypeError, ValueError) as exc:
                raise TraitError(f"Bonuses.criteria[{name!r}]: points must be a number") from exc
            if not value >= 0:
                raise TraitError(f"Bonuses.criteria[{name!r}]: points must be >= 0")
            out[str(name)] = value
        return out


class Deadlines(Configurable):
    """Per-assignment deadlines. Lateness is decided by the time the system received the link."""

    deadlines = Dict(
        Unicode(),
        default_value={},
        help="Assignment -> deadline as ISO 8601 ('2026-10-01 23:59' in Course.timezone, or with an explicit "
        "offset such as '2026-10-01T23:59+03:00'). An assignment without a deadline is never late.",
    ).tag(config=True)

    @validate("deadlines")
    def _check_deadlines(self, proposal: Any) -> dict[str, str]:
        for name, text in dict(proposal["value"]).items():
            try:
                datetime.fromisoformat(str(text))
            except ValueError as exc:
                raise TraitError(f"Deadlines.deadlines[{name!r}]: {text!r} is not an ISO date-time "
                                 "such as '2026-10-01 23:59'") from exc
        return dict(proposal["value"])


class LatePolicy(Configurable):
    """What lateness costs. Pluggable: 'none', 'per_day', 'cutoff', or 'package.module:function'."""

    kind = Unicode("none", help="'none' (lateness costs nothing), 'per_day' (penalty_per_day of the score per "
                   "started day, never below 0), 'cutoff' (full score up to cutoff_days late, 0 after), or an "
                   "import path 'module:function' taking (days_late: float) and returning the multiplier "
                   "in [0, 1].").tag(config=True)
    penalty_per_day = Float(0.1, help="Fraction of the score lost per started day late ('per_day').").tag(
        config=True)
    cutoff_days = Float(0.0, help="Days of grace before a late submission scores 0 ('cutoff').").tag(config=True)

    @validate("kind")
    def _check_kind(self, proposal: Any) -> str:
        kind = str(proposal["value"])
        if kind in ("none", "per_day", "cutoff"):
            return kind
        module, _, func = kind.partition(":")
        if not module or not func:
            raise TraitError(f"LatePolicy.kind: {kind!r} is not 'none', 'per_day', 'cutoff' or 'module:function'")
        try:
            getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise TraitError(f"LatePolicy.kind: cannot import {kind!r} ({exc})") from exc
        return kind

    @validate("penalty_per_day")
    def _check_penalty(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 1.0:
            raise TraitError(f"LatePolicy.penalty_per_day: must be in [0, 1], got {value}")
        return value

    @validate("cutoff_days")
    def _check_cutoff(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not value >= 0:
            raise TraitError(f"LatePolicy.cutoff_days: must be >= 0, got {value}")
        return value


class GpuPolicy(Configurable):
    """What happens to test cells tagged for a GPU where no GPU is present."""

    mode = Enum(["skip", "require"], default_value="skip",
                help="'skip': GPU cells are not run where no CUDA device is, their points leave max_score and "
                "the submission is flagged 'gpu_skipped'; 'require': such submissions wait for a GPU worker.").tag(
        config=True)
    tag = Unicode(GPU_TAG, help="Cell tag that marks a test cell as GPU-only.").tag(config=True)


POLICY_CLASSES: tuple[type[Configurable], ...] = (
    Course, GradeFormula, CompletionBands, Bonuses, Deadlines, LatePolicy, GpuPolicy,
)


@dataclass(frozen=True)
class Settings:
    """The course policy, read from ``nbgrader_config.py`` and validated."""

    assignments: tuple[str, ...]
    course_name: str
    timezone: ZoneInfo
    grade: GradePolicy
    deadlines: dict[str, datetime]
    late: LatePolicySpec
    gpu_mode: str
    gpu_tag: str
    min_open_datasets: int


def load_settings(config: Config) -> Settings:
    """Instantiate every policy class from ``config``; a bad value raises ``ConfigError`` naming its key."""
    course = configured(Course, config)
    formula = configured(GradeFormula, config)
    bands = configured(CompletionBands, config)
    bonuses = configured(Bonuses, config)
    deadlines = configured(Deadlines, config)
    late = configured(LatePolicy, config)
    gpu = configured(GpuPolicy, config)
    tz = ZoneInfo(course.timezone)
    parsed_deadlines: dict[str, datetime] = {}
    for name, text in deadlines.deadlines.items():
        if name not in course.assignments:
            raise ConfigError(f"Deadlines.deadlines[{name!r}]",
                              f"unknown assignment; the course has {', '.join(course.assignments)}")
        moment = datetime.fromisoformat(text)
        parsed_deadlines[name] = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    grade = GradePolicy(
        assignments=tuple(course.assignments),
        bands=tuple(Band(name=str(b["name"]), min=float(b["min"]), low=float(b["low"]), high=float(b["high"]))
                    for b in bands.bands),
        tolerance=bands.tolerance,
        mark_rounding=bands.mark_rounding,
        homework_weight=formula.homework_weight,
        project_weight=formula.project_weight,
        max_mark=formula.max_mark,
        max_grade=formula.max_grade,
        rounding=formula.rounding,
        bonus_points=dict(bonuses.criteria),
    )
    return Settings(
        assignments=tuple(course.assignments),
        course_name=course.name,
        timezone=tz,
        grade=grade,
        deadlines=parsed_deadlines,
        late=LatePolicySpec(kind=late.kind, penalty_per_day=late.penalty_per_day, cutoff_days=late.cutoff_days),
        gpu_mode=gpu.mode,
        gpu_tag=gpu.tag,
        min_open_datasets=bonuses.min_open_datasets,
    )
