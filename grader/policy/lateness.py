"""Lateness: decided by the time the system received a submission, never by a commit date."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from grader.errors import PolicyInputError


@dataclass(frozen=True)
class LatePolicySpec:
    """Which late policy applies: 'none', 'per_day', 'cutoff' or an import path 'module:function'."""

    kind: str = "none"
    penalty_per_day: float = 0.1
    cutoff_days: float = 0.0


def days_late(received: datetime, deadline: datetime | None) -> float:
    """Days (fractional) between the deadline and the received time; 0 when on time or without deadline."""
    if deadline is None:
        return 0.0
    if received.tzinfo is None or deadline.tzinfo is None:
        raise PolicyInputError(None, "received", "times must carry a time zone")
    return max(0.0, (received - deadline).total_seconds() / 86400.0)


def _custom(kind: str) -> Callable[[float], float]:
    module, _, name = kind.partition(":")
    func: Callable[[float], float] = getattr(importlib.import_module(module), name)
    return func


def late_multiplier(days: float, spec: LatePolicySpec) -> float:
    """The factor (0..1) a late score is multiplied by."""
    if days <= 0:
        return 1.0
    if spec.kind == "none":
        return 1.0
    if spec.kind == "per_day":
        return max(0.0, 1.0 - spec.penalty_per_day * math.ceil(days))
    if spec.kind == "cutoff":
        return 1.0 if days <= spec.cutoff_days else 0.0
    value = float(_custom(spec.kind)(days))
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise PolicyInputError(None, "LatePolicy.kind", f"{spec.kind} returned {value!r}; it must return 0..1")
    return value
