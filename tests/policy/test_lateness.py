from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import PolicyInputError
from grader.policy.lateness import LatePolicySpec, days_late, late_multiplier

DEADLINE = datetime(2026, 10, 1, 20, 59, tzinfo=UTC)


def test_on_time_and_no_deadline_are_not_late() -> None:
    assert days_late(DEADLINE - timedelta(seconds=1), DEADLINE) == 0.0
    assert days_late(DEADLINE + timedelta(days=3), None) == 0.0


def test_days_late_counts_fractions() -> None:
    assert days_late(DEADLINE + timedelta(hours=36), DEADLINE) == pytest.approx(1.5)


def test_naive_times_are_refused() -> None:
    with pytest.raises(PolicyInputError, match="time zone"):
        days_late(datetime(2026, 10, 2), DEADLINE)


@pytest.mark.parametrize(("spec", "days", "factor"), [
    (LatePolicySpec("none"), 5.0, 1.0),
    (LatePolicySpec("per_day", penalty_per_day=0.1), 0.2, 0.9),
    (LatePolicySpec("per_day", penalty_per_day=0.1), 2.5, 0.7),
    (LatePolicySpec("per_day", penalty_per_day=0.4), 9.0, 0.0),
    (LatePolicySpec("cutoff", cutoff_days=1.0), 0.5, 1.0),
    (LatePolicySpec("cutoff", cutoff_days=1.0), 1.5, 0.0),
    (LatePolicySpec("per_day"), 0.0, 1.0),
])
def test_late_multipliers(spec: LatePolicySpec, days: float, factor: float) -> None:
    assert late_multiplier(days, spec) == pytest.approx(factor)


def test_custom_policy_by_import_path_is_called_with_days_late() -> None:
    assert late_multiplier(2.0, LatePolicySpec("math:erfc")) == pytest.approx(math.erfc(2.0))


def test_custom_policy_returning_more_than_1_is_refused() -> None:
    with pytest.raises(PolicyInputError, match="must return 0..1"):
        late_multiplier(2.0, LatePolicySpec("math:exp"))
