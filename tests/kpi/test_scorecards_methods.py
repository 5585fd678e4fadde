"""The scoring methods (SPEC §5) on hand-computed figures, and the template rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpi.models import Method, Metric, ScorecardTemplateItem
from kpi.services.scoring import (
    deduction_score,
    item_problems,
    manual_score,
    ratio_score,
    threshold_score,
    weighted,
    weights_problem,
)

D = Decimal
CAP = D("1.20")


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        ("80.00", "100.00", "80.00"),  # min(0.80, 1.2) × 100
        ("2", "3", "66.67"),  # 0.666… × 100 = 66.666… → 66.67 (half up)
        ("110.00", "100.00", "110.00"),  # above target, below the cap
        ("133.33", "100.00", "120.00"),  # min(1.3333, 1.2) × 100: capped
        ("-20.00", "100.00", "0.00"),  # a negative achievement scores 0, never below
        ("0", "0", "100.00"),  # a target of 0 asks for nothing: met
        ("3", "0", "120.00"),  # … and anything above it is the cap
    ],
)
def test_ratio_higher_is_better(actual, target, expected):
    assert ratio_score(D(actual), D(target), CAP, False) == D(expected)


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        ("11.00", "10.00", "90.91"),  # min(10 / 11, 1.2) × 100 = 90.909… → 90.91
        ("8.00", "10.00", "120.00"),  # 10 / 8 = 1.25 → capped at 1.2
        ("9.00", "10.00", "111.11"),  # 1.111… → 111.11
        ("0.00", "10.00", "120.00"),  # an actual of 0 scores cap × 100
        ("5.00", "0.00", "0.00"),  # a target of 0 (no expenses allowed) and some: 0
    ],
)
def test_ratio_lower_is_better(actual, target, expected):
    assert ratio_score(D(actual), D(target), CAP, True) == D(expected)


def test_ratio_with_another_cap():
    assert ratio_score(D("150.00"), D("100.00"), D("1.50"), False) == D("150.00")
    assert ratio_score(D("150.00"), D("100.00"), D("1.00"), False) == D("100.00")


def test_an_undefined_actual_or_a_missing_target_scores_zero():
    assert ratio_score(None, D("10.00"), CAP, True) == D("0")  # expense rate "—" (no net sales)
    assert ratio_score(None, D("100.00"), CAP, False) == D("0")
    assert ratio_score(D("80.00"), None, CAP, False) == D("0")
    assert threshold_score(None, D("2"), False) == D("0.00")


def test_threshold_is_all_or_nothing():
    assert threshold_score(D("2"), D("2"), False) == D("100.00")  # met exactly
    assert threshold_score(D("1"), D("2"), False) == D("0.00")
    assert threshold_score(D("9.99"), D("10.00"), True) == D("100.00")  # lower is better: ≤ target
    assert threshold_score(D("10.01"), D("10.00"), True) == D("0.00")


def test_deduction_loses_points_per_occurrence_down_to_zero():
    assert deduction_score(D("25"), D("0")) == D("100.00")
    assert deduction_score(D("25"), D("1")) == D("75.00")  # 100 − 25 × 1
    assert deduction_score(D("25"), D("3")) == D("25.00")  # 100 − 75
    assert deduction_score(D("25"), D("5")) == D("0.00")  # 100 − 125 → floored at 0
    assert deduction_score(D("33.33"), D("2")) == D("33.34")  # 100 − 66.66


def test_manual_takes_the_managers_score_else_the_self_evaluation_else_zero():
    assert manual_score(D("80"), D("70")) == D("80.00")
    assert manual_score(D("0"), D("70")) == D("0.00")  # a manager's 0 is a score, not "unset"
    assert manual_score(None, D("70")) == D("70.00")
    assert manual_score(None, None) == D("0.00")


def test_weighted_score_rounds_half_up():
    assert weighted(D("88.24"), D("25")) == D("22.06")  # 22.06
    assert weighted(D("90.91"), D("25")) == D("22.73")  # 22.7275 → 22.73
    assert weighted(D("88.24"), D("10")) == D("8.82")  # 8.824 → 8.82
    assert weighted(D("66.67"), D("15")) == D("10.00")  # 10.0005 → 10.00


# --- template rules ---------------------------------------------------------------------------------


def test_weights_must_add_up_to_100():
    assert weights_problem([D("50"), D("25"), D("25")]) is None
    assert weights_problem([D("33.33"), D("33.33"), D("33.34")]) is None
    assert "95.00" in weights_problem([D("50"), D("25"), D("20")])
    assert "105.00" in weights_problem([D("50"), D("30"), D("25")])
    assert weights_problem([]) is not None


def _item(**fields) -> ScorecardTemplateItem:
    defaults = {"perspective": "financial", "weight": D("10"), "cap": D("1.20")}
    return ScorecardTemplateItem(**{**defaults, **fields})


def test_items_whose_method_and_parameters_do_not_go_together_are_refused(lines):
    assert item_problems(_item(metric=Metric.SALES_ACHIEVEMENT, method=Method.RATIO)) == {}
    assert "method" in item_problems(_item(metric=Metric.MANUAL, method=Method.RATIO))
    assert set(item_problems(_item(metric=Metric.SALES_ACHIEVEMENT, method=Method.MANUAL))) == {"method"}
    assert set(item_problems(_item(metric=Metric.COMPLAINTS_LATE, method=Method.DEDUCTION))) == {"points"}
    assert set(item_problems(_item(metric=Metric.CATEGORY_SHARE, method=Method.RATIO))) == {"category"}
    assert item_problems(_item(metric=Metric.CATEGORY_SHARE, method=Method.RATIO, category=lines["water"])) == {}
    # trainings and distinct dealers have no target of the rep's to fall back on
    assert set(item_problems(_item(metric=Metric.TRAININGS, method=Method.THRESHOLD))) == {"target"}
    assert item_problems(_item(metric=Metric.TRAININGS, method=Method.THRESHOLD, target=D("2"))) == {}
    assert set(item_problems(_item(metric=Metric.DISTINCT_DEALERS, method=Method.RATIO, target=D("-1")))) == {"target"}
