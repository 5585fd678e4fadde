"""``bench.pages`` (the page figures of ``make bench``) on a tiny bench data set, with few repetitions:
every page answers 200, is counted, and its query count does not grow from the small case to the
large one; nothing but sessions is written. ``make bench`` runs it at full scale on PostgreSQL."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from bench import dataset, funds, pages
from channelhub.periods import Month
from commissions.services.runs import run_start
from kpi.scorecard_defaults import ensure_default_templates

User = get_user_model()
RUN_MONTH = Month(2026, 6)
pytestmark = pytest.mark.django_db

REQUIRED = {
    ("dashboard", "field_rep"),
    ("dashboard", "channel_manager"),
    ("dashboard", "finance"),
    ("dashboard", "admin"),
    ("dealer list", "channel_manager"),
    ("dealer list", "finance"),
    ("dealer detail", "admin"),
    ("visit list", "field_rep"),
    ("visit list", "channel_manager"),
    ("compliance page", "channel_manager"),
    ("scorecard page", "admin"),
    ("statement page", "finance"),
    ("API dealers", "channel_manager"),
    ("API visits", "channel_manager"),
    ("API visit-compliance", "admin"),
    ("API scorecards", "finance"),
    ("API commission-statements", "finance"),
    ("fund requests", "field_rep"),
    ("fund requests", "channel_manager"),
    ("fund requests", "finance"),
    ("fund approvals", "channel_manager"),
    ("fund approvals", "finance"),
    ("fund budgets", "finance"),
    ("funds summary", "finance"),
    ("deposits", "finance"),
    ("materials", "channel_manager"),
    ("fund request detail", "finance"),
    ("API fund-requests", "finance"),
    ("API fund-budgets", "finance"),
    ("rebate settlements", "channel_manager"),
    ("rebate settlements", "finance"),
    ("aging report", "finance"),
    ("statement of account", "finance"),
    ("API rebate-settlements", "finance"),
    ("API aging", "finance"),
}


@pytest.fixture
def bench_world(django_capture_on_commit_callbacks):
    dataset.build(0.01, run_month=RUN_MONTH, months=2)
    ensure_default_templates()
    with django_capture_on_commit_callbacks(execute=True):
        run_start(actor=User.objects.get(username="bench_finance"), period=str(RUN_MONTH))
    assert pages.prepare_scorecards(RUN_MONTH) == 5
    assert funds.prepare(RUN_MONTH, log=lambda line: None)["requests"] > 0


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label != "sessions.Session" and model._meta.managed
    }


def test_every_page_is_measured_answers_200_and_keeps_its_query_count(bench_world):
    before = _counts()
    rows = pages.run(repeat=3, warmup=1)
    assert _counts() == before  # nothing written but sessions
    assert {(row["name"], row["role"]) for row in rows} >= REQUIRED
    for row in rows:
        assert row["status"] == 200, row
        assert 0 < row["p50_ms"] <= row["p95_ms"], row
        assert row["queries"] > 0, row
        # a list narrowed to one row, a smaller team, an object with fewer lines: never fewer queries
        assert row["small_queries"] is None or row["flat_ok"], row
        assert row["queries_ok"] == (row["queries"] <= pages.QUERY_GOAL)
    statement = next(row for row in rows if row["name"] == "statement page")
    assert statement["user"] == "bench_finance" and statement["url"].startswith("/kpi/statements/")
    assert "bench_rep_" in pages.format_table(rows)


def test_pages_without_their_object_are_reported_not_measured(db):
    """An empty database: no scorecard or statement to show, said so rather than left out."""
    rows = [pages.measure(probe, repeat=1, warmup=1) for probe in pages.probes() if not probe.url]
    assert {row["name"] for row in rows} == {"scorecard page", "statement page"}
    assert all(row["status"] is None and not row["ok"] and "no " in row["note"] for row in rows)


def test_the_goals_and_the_percentiles():
    row = {"status": 200, "p95_ms": 150.0, "queries": 15, "small_queries": 15}
    assert pages._goals(row) == {"time_ok": True, "queries_ok": True, "flat_ok": True, "ok": True}
    grown = pages._goals({**row, "queries": 16, "small_queries": 9})
    assert (grown["queries_ok"], grown["flat_ok"], grown["ok"]) == (False, False, False)
    slow = pages._goals({**row, "p95_ms": 150.1, "small_queries": None})
    assert (slow["time_ok"], slow["flat_ok"], slow["ok"]) == (False, None, False)
    assert pages.percentile([float(n) for n in range(1, 101)], 0.95) == pytest.approx(95.05)
    assert pages.percentile([7.0], 0.5) == 7.0
