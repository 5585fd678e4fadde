"""Target pages (SPEC §7 "kpi: targets") and the admin: scope by role, the flows through the forms
(propose, set, change, approve with changed figures, acknowledge, annual spread), the buttons each
user sees, and query counts that do not grow with the rows.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kpi.models import Target
from kpi.services.targets import target_acknowledge, target_approve, target_propose, target_update

PERIOD = "2031-07"


def make(actor, rep, period=PERIOD, sales="100000.00", **figures) -> Target:
    return target_propose(actor=actor, rep=rep, period=period, sales_target=sales, **figures)


def detail(target) -> str:
    return reverse("kpi:target-detail", args=[target.pk])


def figures(**overrides) -> dict:
    data = {
        "sales_target": "100000.00",
        "expense_rate_target": "8.00",
        "collection_rate_target": "90.00",
        "new_dealers_target": "2",
    }
    data.update(overrides)
    return data


@pytest.fixture
def world(rep, rep_peer, other_rep, manager):
    return {
        "rep": make(rep, rep, sales="111111.00"),
        "rep_peer": make(manager, rep_peer, sales="222222.00"),
        "other_rep": make(other_rep, other_rep, sales="333333.00"),
    }


# --- list and detail: scope ------------------------------------------------------------------------


def test_lists_show_what_each_role_may_see(page_as, world, everyone):
    amounts = {"rep": "111,111.00", "rep_peer": "222,222.00", "other_rep": "333,333.00"}
    expected = {
        "rep": {"rep"},
        "manager": {"rep", "rep_peer"},
        "other_manager": {"other_rep"},
        "finance": {"rep", "rep_peer", "other_rep"},
        "admin": {"rep", "rep_peer", "other_rep"},
    }
    for who, names in expected.items():
        body = page_as(everyone[who]).get(reverse("kpi:target-list")).content.decode()
        assert {name for name, amount in amounts.items() if amount in body} == names, who


def test_a_rep_sees_my_targets_a_manager_can_filter_and_finance_only_reads(page_as, world, rep, manager, finance):
    rep_page = page_as(rep).get(reverse("kpi:target-list")).content.decode()
    assert "My targets" in rep_page and 'name="rep"' not in rep_page
    assert reverse("kpi:target-create") in rep_page and reverse("kpi:target-annual") in rep_page
    manager_page = page_as(manager).get(reverse("kpi:target-list")).content.decode()
    assert 'name="rep"' in manager_page and 'name="status"' in manager_page and 'name="period"' in manager_page
    assert "Set a target" in manager_page
    finance_page = page_as(finance).get(reverse("kpi:target-list")).content.decode()
    assert reverse("kpi:target-create") not in finance_page
    assert page_as(finance).get(reverse("kpi:target-create")).status_code == 403
    assert page_as(finance).get(reverse("kpi:target-annual")).status_code == 403


def test_the_manager_filters_by_status_and_period(page_as, world, rep, manager):
    target_approve(actor=manager, target=world["rep"])
    make(rep, rep, period="2031-08", sales="444444.00")
    client = page_as(manager)
    approved = client.get(reverse("kpi:target-list"), {"status": "approved"}).content.decode()
    assert "111,111.00" in approved and "222,222.00" not in approved
    august = client.get(reverse("kpi:target-list"), {"period": "2031-08"}).content.decode()
    assert "444,444.00" in august and "111,111.00" not in august
    bad = client.get(reverse("kpi:target-list"), {"period": "soon"})
    assert bad.status_code == 200 and "444,444.00" not in bad.content.decode()


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        ("rep", "rep_peer", 404),
        ("manager", "other_rep", 404),
        ("other_manager", "rep", 404),
        ("finance", "other_rep", 200),
        ("manager", "rep", 200),
    ],
)
def test_details_out_of_scope_are_404(page_as, world, everyone, who, target, code):
    assert page_as(everyone[who]).get(detail(world[target])).status_code == code


def test_detail_shows_figures_shares_state_log_history_and_the_allowed_buttons(
    page_as, rep, manager, lines, django_assert_max_num_queries
):
    target = make(
        rep,
        rep,
        sales="1250.00",
        expense_rate_target="12.5",
        category_shares=[{"category": lines["kitchen"], "share": "40"}],
    )
    client = page_as(manager)
    with django_assert_max_num_queries(16):
        body = client.get(detail(target)).content.decode()
    assert "1,250.00" in body and "12.50 %" in body and "40.00 %" in body
    assert 'data-testid="state-log"' in body and 'data-testid="history"' in body
    assert reverse("kpi:target-approve", args=[target.pk]) in body
    assert reverse("kpi:target-edit", args=[target.pk]) in body
    assert reverse("kpi:target-acknowledge", args=[target.pk]) not in body
    rep_view = page_as(rep).get(detail(target)).content.decode()
    assert reverse("kpi:target-approve", args=[target.pk]) not in rep_view
    assert reverse("kpi:target-edit", args=[target.pk]) in rep_view


def test_the_manager_who_set_a_target_sees_no_approve_button_but_why(page_as, world, manager):
    target = world["rep_peer"]
    body = page_as(manager).get(detail(target)).content.decode()
    assert reverse("kpi:target-approve", args=[target.pk]) not in body
    assert 'data-testid="segregation-note"' in body
    assert page_as(manager).get(reverse("kpi:target-approve", args=[target.pk])).status_code == 403
    assert page_as(manager).post(reverse("kpi:target-approve", args=[target.pk]), figures()).status_code == 403
    assert Target.objects.get(pk=target.pk).status == "proposed"


# --- propose, set, change --------------------------------------------------------------------------


def test_rep_proposes_through_the_form(page_as, rep, lines):
    client = page_as(rep)
    page = client.get(reverse("kpi:target-create"))
    assert page.status_code == 200 and 'name="rep"' not in page.content.decode()
    share = f"share_{lines['water'].pk}"
    response = client.post(
        reverse("kpi:target-create"), {"period": PERIOD, "comment": "自报", **figures(), share: "35"}
    )
    target = Target.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(target)
    assert (target.rep, target.proposed_by, target.sales_target) == (rep, rep, Decimal("100000.00"))
    assert [(s.category.code, s.share) for s in target.category_shares.all()] == [("water", Decimal("35.00"))]


def test_manager_sets_a_target_for_a_team_rep_only(page_as, manager, rep_peer, other_rep):
    client = page_as(manager)
    page = client.get(reverse("kpi:target-create")).content.decode()
    assert "李娜" in page and "刘洋" not in page  # rep_peer is offered, other_rep is not
    refused = client.post(reverse("kpi:target-create"), {"rep": other_rep.pk, "period": PERIOD, **figures()})
    assert refused.status_code == 200 and not Target.objects.exists()
    response = client.post(reverse("kpi:target-create"), {"rep": rep_peer.pk, "period": PERIOD, **figures()})
    assert response.status_code == 302
    assert Target.objects.get().proposed_by == manager


def test_a_second_target_for_the_month_is_refused_on_the_form(page_as, rep):
    make(rep, rep)
    response = page_as(rep).post(reverse("kpi:target-create"), {"period": PERIOD, **figures()})
    assert response.status_code == 200
    assert "already has a target for 2031-07" in response.content.decode()
    assert Target.objects.count() == 1


def test_shares_over_100_percent_are_refused_on_the_form(page_as, rep, lines):
    shares = {f"share_{lines['kitchen'].pk}": "60", f"share_{lines['water'].pk}": "50"}
    response = page_as(rep).post(reverse("kpi:target-create"), {"period": PERIOD, **figures(), **shares})
    assert response.status_code == 200 and "add up to 110.00" in response.content.decode()
    assert not Target.objects.exists()


def test_the_proposer_changes_a_proposed_target_not_an_approved_one(page_as, rep, manager):
    target = make(rep, rep)
    client = page_as(rep)
    assert client.get(reverse("kpi:target-edit", args=[target.pk])).status_code == 200
    response = client.post(reverse("kpi:target-edit", args=[target.pk]), figures(sales_target="95000"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.sales_target == Decimal("95000.00")
    target_approve(actor=manager, target=target)
    late = client.get(reverse("kpi:target-edit", args=[target.pk]), follow=True)
    assert "Only a proposed target can be changed." in late.content.decode()


def test_a_rep_cannot_change_the_managers_target(page_as, world, rep_peer):
    assert page_as(rep_peer).get(reverse("kpi:target-edit", args=[world["rep_peer"].pk])).status_code == 403


# --- approve and acknowledge -----------------------------------------------------------------------


def test_manager_approves_with_changed_figures_and_the_rep_acknowledges(page_as, world, rep, manager, lines):
    target = world["rep"]
    client = page_as(manager)
    page = client.get(reverse("kpi:target-approve", args=[target.pk]))
    assert page.status_code == 200 and 'value="111111.00"' in page.content.decode()
    response = client.post(
        reverse("kpi:target-approve", args=[target.pk]),
        {**figures(sales_target="130000.00"), f"share_{lines['hvac'].pk}": "20", "comment": "上调"},
    )
    assert response.status_code == 302 and response["Location"] == detail(target)
    target.refresh_from_db()
    assert (target.status, target.approved_by, target.sales_target) == ("approved", manager, Decimal("130000.00"))
    assert [(s.category.code, s.share) for s in target.category_shares.all()] == [("hvac", Decimal("20.00"))]
    assert page_as(manager).get(reverse("kpi:target-acknowledge", args=[target.pk])).status_code == 403
    rep_client = page_as(rep)
    assert reverse("kpi:target-acknowledge", args=[target.pk]) in rep_client.get(detail(target)).content.decode()
    assert rep_client.post(reverse("kpi:target-acknowledge", args=[target.pk]), {"comment": "确认"}).status_code == 302
    target.refresh_from_db()
    assert target.status == "acknowledged"
    body = rep_client.get(detail(target)).content.decode()
    assert "上调" in body and "确认" in body  # the state log's comments


def test_rep_cannot_open_the_approve_page_of_their_own_target(page_as, world, rep):
    assert page_as(rep).get(reverse("kpi:target-approve", args=[world["rep"].pk])).status_code == 403


def test_acknowledging_before_approval_says_why(page_as, world, rep):
    response = page_as(rep).get(reverse("kpi:target-acknowledge", args=[world["rep"].pk]), follow=True)
    assert "proposed" in response.content.decode()
    assert Target.objects.get(pk=world["rep"].pk).status == "proposed"


# --- annual spread ---------------------------------------------------------------------------------


def annual(**overrides) -> dict:
    data = {"year": "2031", **figures(sales_target="1000000.00", new_dealers_target="30"), "distribution": "even"}
    data.update(overrides)
    return data


def test_rep_spreads_a_year_evenly_through_the_form(page_as, rep):
    client = page_as(rep)
    assert client.get(reverse("kpi:target-annual")).status_code == 200
    response = client.post(reverse("kpi:target-annual"), annual())
    assert response.status_code == 302 and "period_from=2031-01" in response["Location"]
    amounts = list(Target.objects.filter(rep=rep).order_by("period").values_list("sales_target", flat=True))
    # 1,000,000.00 = 8 × 83,333.33 + 4 × 83,333.34
    assert amounts == [Decimal("83333.33")] * 8 + [Decimal("83333.34")] * 4
    listed = client.get(response["Location"]).content.decode()
    assert listed.count("83,333.34") == 4 and "12 targets" in listed


def test_manager_spreads_by_percentages_for_a_team_rep(page_as, manager, rep_peer):
    months = ["5", "5", "6", "7", "8", "9", "10", "10", "9", "9", "10", "12"]
    data = annual(rep=rep_peer.pk, sales_target="1200000", distribution="percentages")
    data.update({f"month_{m:02d}": value for m, value in zip(range(1, 13), months, strict=True)})
    assert page_as(manager).post(reverse("kpi:target-annual"), data).status_code == 302
    amounts = list(Target.objects.filter(rep=rep_peer).order_by("period").values_list("sales_target", flat=True))
    # 1,200,000.00 × 5 % = 60,000.00 … × 12 % = 144,000.00
    assert amounts[:3] == [Decimal("60000.00"), Decimal("60000.00"), Decimal("72000.00")]
    assert amounts[-1] == Decimal("144000.00") and sum(amounts) == Decimal("1200000.00")


def test_percentages_not_adding_up_to_100_are_refused_on_the_form(page_as, rep):
    data = annual(distribution="percentages")
    data.update({f"month_{m:02d}": "8.33" for m in range(1, 13)})
    response = page_as(rep).post(reverse("kpi:target-annual"), data)
    assert response.status_code == 200 and "they add up to 99.96" in response.content.decode()
    assert not Target.objects.exists()


def test_missing_month_percentages_are_asked_for(page_as, rep):
    response = page_as(rep).post(reverse("kpi:target-annual"), annual(distribution="percentages", month_01="50"))
    assert response.status_code == 200 and "Give this month" in response.content.decode()
    assert not Target.objects.exists()


# --- query counts ----------------------------------------------------------------------------------


def test_list_page_query_count_does_not_grow(page_as, manager, rep, rep_peer, django_assert_max_num_queries):
    for month in (1, 2):
        make(rep, rep, period=f"2031-{month:02d}")
    make(rep_peer, rep_peer, period="2031-01")  # 3 rows
    client = page_as(manager)
    with django_assert_max_num_queries(12) as three:
        assert client.get(reverse("kpi:target-list")).status_code == 200
    for month in range(3, 13):
        make(rep, rep, period=f"2031-{month:02d}")
        target_approve(actor=manager, target=make(rep_peer, rep_peer, period=f"2031-{month:02d}"))
    for month in range(1, 8):
        make(rep, rep, period=f"2030-{month:02d}")
    assert Target.objects.count() == 30
    with django_assert_max_num_queries(len(three.captured_queries)):
        assert client.get(reverse("kpi:target-list")).status_code == 200


def test_detail_page_query_count_does_not_grow_with_its_history(
    page_as, rep, manager, lines, django_assert_max_num_queries
):
    target = make(rep, rep, category_shares=[{"category": lines["kitchen"], "share": "10"}])
    client = page_as(manager)
    with django_assert_max_num_queries(16) as before:
        client.get(detail(target))
    for sales in range(1, 6):
        target = target_update(actor=rep, target=target, sales_target=str(sales))
    target = target_approve(actor=manager, target=target, category_shares=[{"category": lines["water"], "share": "5"}])
    target_acknowledge(actor=rep, target=target)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(detail(target)).status_code == 200


# --- admin -----------------------------------------------------------------------------------------


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:kpi_target_{view}", args=args)


def test_admin_lists_and_shows_targets(page_as, world, admin_user, lines, django_assert_max_num_queries):
    client = page_as(admin_user)
    with django_assert_max_num_queries(15):
        assert client.get(admin_url("changelist")).status_code == 200
    assert client.get(admin_url("changelist"), {"q": "rep_a1"}).status_code == 200
    assert client.get(admin_url("changelist"), {"status__exact": "proposed"}).status_code == 200
    assert client.get(admin_url("change", world["rep"].pk)).status_code == 200
    assert client.get(admin_url("history", world["rep"].pk)).status_code == 200
    assert client.get(admin_url("add")).status_code == 403
    assert client.get(admin_url("delete", world["rep"].pk)).status_code == 403


def _admin_form(target, **changes) -> dict:
    data = {
        "sales_target": str(target.sales_target),
        "expense_rate_target": str(target.expense_rate_target),
        "collection_rate_target": str(target.collection_rate_target),
        "new_dealers_target": str(target.new_dealers_target),
        "category_shares-TOTAL_FORMS": "0",
        "category_shares-INITIAL_FORMS": "0",
        "category_shares-MIN_NUM_FORMS": "0",
        "category_shares-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_admin_corrects_a_proposed_targets_figures_but_never_its_status(page_as, world, admin_user):
    target = world["rep"]
    client = page_as(admin_user)
    response = client.post(
        admin_url("change", target.pk), _admin_form(target, sales_target="99999.99", status="acknowledged")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert (target.sales_target, target.status) == (Decimal("99999.99"), "proposed")


def test_admin_shows_an_approved_targets_figures_read_only(page_as, world, admin_user, manager):
    target = target_approve(actor=manager, target=world["rep"])
    client = page_as(admin_user)
    page = client.get(admin_url("change", target.pk)).content.decode()
    assert 'name="sales_target"' not in page
    client.post(admin_url("change", target.pk), _admin_form(target, sales_target="1.00"))
    target.refresh_from_db()
    assert target.sales_target == Decimal("111111.00")
