"""The bench data set's generator (``bench.dataset``) at a tiny scale: consistent rows, and a commission
run over them gives one statement per bench rep. ``make bench`` runs it at full scale on PostgreSQL."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F, Sum

from bench import dataset
from channelhub.formatting import round_cent
from channelhub.periods import Month
from channelhub.roles import Role, has_role
from commissions.models import PlanAssignment, Statement
from commissions.services.runs import run_start
from kpi.models import Collection, SalesRecord, Target
from partners.models import Dealer
from visits.models import Visit

User = get_user_model()
RUN_MONTH = Month(2026, 6)
pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    return dataset.build(0.01, run_month=RUN_MONTH, months=3)


def test_a_tiny_build_writes_consistent_rows(built):
    size = built.size
    assert (size.reps, size.managers, size.dealers, size.sales_per_month) == (5, 1, 100, 1000)
    reps = User.objects.filter(username__startswith="bench_rep_")
    assert reps.count() == 5
    assert all(has_role(rep, Role.FIELD_REP) and rep.profile.manager.username == "bench_mgr_01" for rep in reps)
    assert has_role(User.objects.get(username="bench_finance"), Role.FINANCE)
    assert User.objects.get(username="bench_finance").check_password(dataset.PASSWORD)
    # every dealer is owned by a bench rep and every fact is on one of its rep's dealers
    assert Dealer.objects.filter(code__startswith="B", owner__in=reps).count() == 100
    sales = SalesRecord.objects.filter(reference__startswith="BS")
    assert sales.count() == 3 * 1000
    assert not sales.exclude(dealer__owner=F("rep")).exists()
    assert sales.filter(date__range=(RUN_MONTH.first_day, RUN_MONTH.last_day)).count() == 1000
    assert Collection.objects.filter(reference__startswith="BC").exclude(dealer__owner=F("rep")).count() == 0
    # collections are 60–105 % of each rep's positive net sales, so the gate has something to decide
    for rep in reps:
        net = sales.filter(rep=rep, date__gte=RUN_MONTH.first_day).aggregate(total=Sum("amount"))["total"]
        collected = Collection.objects.filter(rep=rep, date__gte=RUN_MONTH.first_day).aggregate(total=Sum("amount"))
        assert Decimal("0.59") * net <= collected["total"] <= Decimal("1.06") * net
    assert PlanAssignment.objects.filter(rep__in=reps, end_date__isnull=True).count() == 5
    assert Target.objects.filter(rep__in=reps, period=str(RUN_MONTH), status="acknowledged").count() == 5
    assert Visit.objects.filter(rep__in=reps, visited_on__gte=RUN_MONTH.first_day).count() >= 5 * 18
    assert dataset.is_complete(size)


def test_building_again_skips_a_complete_data_set_and_refuses_another_size(built):
    again = dataset.build(0.01, run_month=RUN_MONTH, months=3)
    assert again.existed and SalesRecord.objects.filter(reference__startswith="BS").count() == 3000
    with pytest.raises(RuntimeError, match="Another bench data set"):
        dataset.build(0.02, run_month=RUN_MONTH, months=3)


def test_a_run_over_the_data_set_gives_one_statement_per_bench_rep(built, django_capture_on_commit_callbacks):
    finance = User.objects.get(username="bench_finance")
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=finance, period=str(RUN_MONTH))
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.skipped) == ("done", 5, 5, 0)
    statements = Statement.objects.filter(period=str(RUN_MONTH), rep__username__startswith="bench_rep_")
    assert statements.count() == 5
    assert {statement.lines.count() for statement in statements} <= {8, 9}
    sold = SalesRecord.objects.filter(reference__startswith=f"BS{RUN_MONTH.year}{RUN_MONTH.month:02d}-")
    total = round_cent(sold.aggregate(total=Sum("amount"))["total"])
    assert sum(statement.base_amount for statement in statements) == total


def test_the_data_set_comes_with_its_roll_ups(built):
    """Written with COPY past the services, the facts and visits are rolled up by the build."""
    from kpi.services.rollups import rollups_differences
    from visits.services.rollups import visit_rollups_differences

    assert rollups_differences() == {"repmonthtotal": [], "dealermonthtotal": []}
    assert visit_rollups_differences() == []
