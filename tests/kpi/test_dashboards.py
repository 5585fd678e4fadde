"""The KPI panels of the dashboards (SPEC §7): the rep's month to date against target, the manager's
sales against target by rep and month, finance's collection rates — scoped, and in a fixed number of
queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from channelhub.periods import Month
from tests.kpi.scorecard_world import collection, sale, target


def _today():
    return timezone.localdate()


def test_rep_sees_month_to_date_sales_against_target(client_as, rep, d):
    month = Month.current()
    target(rep, month, "200000.00")
    sale(rep, d["A1"], _today(), "50000.00")
    sale(rep, d["A2"], _today(), "-2000.00")  # a credit note
    collection(rep, d["A1"], _today(), "36000.00")
    page = client_as(rep).get("/")
    mtd = page.context["sales_mtd"]
    # net 50,000.00 − 2,000.00 = 48,000.00; 48,000 / 200,000 = 24.00 %; collections 36,000 / 48,000 = 75.00 %
    assert (mtd.net_sales, mtd.sales_achievement, mtd.collection_rate) == (
        Decimal("48000.00"),
        Decimal("24.00"),
        Decimal("75.00"),
    )
    assert b'data-testid="sales-mtd"' in page.content


def test_manager_sees_the_team_by_rep_and_month_and_nobody_else(client_as, manager, rep, rep_peer, other_rep, d):
    month = Month.current()
    target(rep, month, "100000.00")
    sale(rep, d["A1"], _today(), "80000.00")
    sale(other_rep, d["O1"], _today(), "999999.00")
    page = client_as(manager).get("/")
    rows = page.context["sales_rows"]
    assert [row["rep"].username for row in rows] == [rep.username, rep_peer.username]
    this_month = rows[0]["cells"][-1]
    assert (this_month.net_sales, this_month.sales_achievement) == (Decimal("80000.00"), Decimal("80.00"))
    assert rows[1]["cells"][-1].sales_achievement is None  # no target: "—", never an error
    chart = page.context["sales_chart"]
    assert chart["labels"][-1] == str(month) and chart["datasets"][0]["data"][-1] == 80.0
    assert b"999999" not in page.content and b"999,999" not in page.content


def test_finance_sees_collection_rates_of_every_rep(client_as, finance, rep, other_rep, d):
    sale(rep, d["A1"], _today(), "10000.00")
    collection(rep, d["A1"], _today(), "6666.67")
    page = client_as(finance).get("/")
    rows = {row["rep"].username: row for row in page.context["collection_rows"]}
    assert set(rows) >= {rep.username, other_rep.username}
    # 6,666.67 / 10,000.00 × 100 = 66.6667 → 66.67 (half up)
    assert rows[rep.username]["cells"][-1].collection_rate == Decimal("66.67")
    assert rows[other_rep.username]["cells"][-1].collection_rate is None  # no sales: undefined


@pytest.mark.parametrize(("collected", "below"), [("79999.99", True), ("80000.00", False)])
def test_below_target_compares_the_exact_rate(client_as, finance, rep, d, collected, below):
    # 79,999.99 / 100,000.00 = 79.99999 % reads 80.00 % when rounded, yet it is below an 80 % target
    target(rep, Month.current(), "100000.00", collection_rate="80.00")
    sale(rep, d["A1"], _today(), "100000.00")
    collection(rep, d["A1"], _today(), collected)
    page = client_as(finance).get("/")
    cell = {row["rep"].username: row for row in page.context["collection_rows"]}[rep.username]["cells"][-1]
    assert (cell.collection_rate, cell.below_collection_target) == (Decimal("80.00"), below)
    # the page shows the decimals the decision needs: 79.99999 % beside its ↓, 80.00 % without
    assert cell.collection_rate_shown == Decimal("79.99999" if below else "80.00")
    assert f"{cell.collection_rate_shown} %" in page.content.decode()


def test_kpi_panels_do_not_add_queries_per_rep(client_as, manager, finance, rep, d, django_assert_max_num_queries):
    from channelhub.roles import Role
    from tests.factories import UserFactory

    for n in range(8):
        UserFactory(username=f"extra{n}", roles=[Role.FIELD_REP], manager=manager)
    for user in (manager, finance):
        client = client_as(user)
        client.get("/")
        with django_assert_max_num_queries(21):  # the inspections panel's queries included (not per rep)
            assert client.get("/").status_code == 200


def test_finance_sees_the_lowest_collection_rates_when_there_are_many_reps(client_as, finance, rep, rep_peer, d):
    """Hundreds of reps would make an unreadable (and slow) table: the lowest rates, and how many reps there are."""
    import kpi.dashboard

    sale(rep, d["A1"], _today(), "10000.00")
    collection(rep, d["A1"], _today(), "9000.00")  # 90 %
    sale(rep_peer, d["P1"], _today(), "10000.00")
    collection(rep_peer, d["P1"], _today(), "4000.00")  # 40 %: the lowest
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kpi.dashboard, "FINANCE_REPS_SHOWN", 1)
        page = client_as(finance).get("/")
    assert [row["rep"] for row in page.context["collection_rows"]] == [rep_peer]
    assert page.context["collection_chart"]["labels"] == [rep_peer.get_full_name() or rep_peer.username]
    assert page.context["collection_reps"] >= 2
    assert "名业务员中回款率最低的 1 名" in page.content.decode()  # zh-hans, the default language
