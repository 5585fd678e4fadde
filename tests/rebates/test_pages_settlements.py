"""The rebate settlement pages (SPEC §15): the list with its filters and totals, a settlement with its lines, links
and actions, and the action pages — each for the roles that may see it, 404 out of scope, POST-only actions with
their refusals, and pinned query counts.

The world (``tests.rebates.pages_world``): 2026-Q3 settlements of F1 (draft, net 16 640.00), F2 (submitted by
manager, net 0.00), P1 (approved, net 9 000.00) — rep's F1 and F2, rep_peer's P1, all under manager — and O1 of
other_rep (draft, net 9 876.54); a paid 2026-Q2 settlement of F1 (net 8 000.00).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from channelhub.roles import Role
from rebates.models import RebateLine, RebateSettlement
from tests.factories import UserFactory
from tests.rebates.pages_world import settle

pytestmark = pytest.mark.django_db

D = Decimal
LIST = reverse("rebates:settlement-list")


def detail(settlement) -> str:
    return reverse("rebates:settlement-detail", args=[settlement.pk])


def action(settlement, name: str) -> str:
    return reverse(f"rebates:settlement-{name}", args=[settlement.pk])


def shown(response) -> set[int]:
    """The settlements a list page shows (its desktop rows)."""
    return {int(pk) for pk in re.findall(r'data-settlement="(\d+)"', response.content.decode())}


def totals(response) -> dict[str, str]:
    return dict(re.findall(r'data-total="(\w+)">([^<]*)<', response.content.decode()))


def said(response) -> list[str]:
    """What the action told (the messages it added; those of earlier requests not shown yet left out)."""
    return [str(message) for message in get_messages(response.wsgi_request)._queued_messages]


# --- the list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "keys", "count", "basis", "net"),
    [
        # rep: F1 + F2 = 1 040 000.00 + 500 000.00; 16 640.00 + 0.00
        ("rep", {"F1", "F2"}, "2", "¥1,540,000.00", "¥16,640.00"),
        ("rep_peer", {"P1"}, "1", "¥900,000.00", "¥9,000.00"),
        # manager: F1 + F2 + P1 = 2 440 000.00; 16 640.00 + 9 000.00 = 25 640.00
        ("manager", {"F1", "F2", "P1"}, "3", "¥2,440,000.00", "¥25,640.00"),
        ("other_rep", {"O1"}, "1", "¥987,654.32", "¥9,876.54"),
        ("other_manager", {"O1"}, "1", "¥987,654.32", "¥9,876.54"),
        # finance: all four = 3 427 654.32; 16 640.00 + 9 000.00 + 9 876.54 = 35 516.54
        ("finance", {"F1", "F2", "P1", "O1"}, "4", "¥3,427,654.32", "¥35,516.54"),
        ("admin", {"F1", "F2", "P1", "O1"}, "4", "¥3,427,654.32", "¥35,516.54"),
    ],
)
def test_each_role_lists_and_totals_only_the_settlements_it_may_see(
    page_as, everyone, settlements, who, keys, count, basis, net
):
    response = page_as(everyone[who]).get(LIST)
    assert response.status_code == 200
    assert shown(response) == {settlements[key].pk for key in keys}
    assert totals(response) == {"count": count, "basis": basis, "net": net}
    body = response.content.decode()
    assert 'data-testid="settlement-cards"' in body  # the phone's cards
    assert "2026-Q2" not in body.split('data-testid="settlement-table"')[1]  # the latest period only


def test_the_default_period_is_the_latest_the_reader_may_see(page_as, rep, other_rep, dealers, program, settlements):
    settle(dealers["O1"], program, "2026-Q4", basis="1.00", net="0.00")  # another team's later quarter
    response = page_as(rep).get(LIST)
    assert 'data-testid="default-period"' in response.content.decode() and "2026-Q3" in response.content.decode()
    assert shown(response) == {settlements["F1"].pk, settlements["F2"].pk}
    assert shown(page_as(other_rep).get(LIST)) == {RebateSettlement.objects.get(period="2026-Q4").pk}


def test_every_period_when_asked_or_when_another_filter_is_given(page_as, rep, settlements):
    client = page_as(rep)
    everything = {settlements[key].pk for key in ("F1", "F2", "F1-Q2")}
    assert shown(client.get(LIST, {"period": ""})) == everything
    # the to-do links name a status and no period: every period's
    assert shown(client.get(LIST, {"status": "paid"})) == {settlements["F1-Q2"].pk}
    response = client.get(LIST, {"period": "2026-q2"})
    assert shown(response) == {settlements["F1-Q2"].pk}
    assert totals(response) == {"count": "1", "basis": "¥800,000.00", "net": "¥8,000.00"}


def test_the_filters(page_as, finance, covered, program, settlements, dealers):
    client = page_as(finance)
    pk = {key: settlement.pk for key, settlement in settlements.items()}
    q3 = {"period": "2026-Q3"}
    assert shown(client.get(LIST, {**q3, "status": ["draft", "approved"]})) == {pk["F1"], pk["P1"], pk["O1"]}
    assert shown(client.get(LIST, {**q3, "territory": covered["SH"].pk})) == {pk["F1"], pk["F2"]}
    assert shown(client.get(LIST, {**q3, "territory": covered["SOUTH"].pk})) == {pk["O1"]}
    assert shown(client.get(LIST, {**q3, "q": "南京"})) == {pk["P1"]}
    assert shown(client.get(LIST, {**q3, "q": "f2"})) == {pk["F2"]}
    assert shown(client.get(LIST, {"period": "", "dealer": dealers["F1"].pk})) == {pk["F1"], pk["F1-Q2"]}
    assert shown(client.get(LIST, {**q3, "program": program.pk})) == {pk["F1"], pk["F2"], pk["P1"], pk["O1"]}
    response = client.get(LIST, {"dealer": dealers["F1"].pk})
    assert 'data-testid="settlement-dealer"' in response.content.decode() and "浦东华丰" in response.content.decode()


def test_a_bad_period_is_an_error_and_shows_nothing(page_as, finance, settlements):
    response = page_as(finance).get(LIST, {"period": "2026-Q5"})
    assert response.status_code == 200
    assert "Enter a period as YYYY-Qn or YYYY" in response.content.decode()
    assert shown(response) == set() and totals(response)["count"] == "0"


def test_a_rep_cannot_reach_another_reps_dealer_by_its_id(page_as, rep, dealers, settlements):
    response = page_as(rep).get(LIST, {"dealer": dealers["O1"].pk, "period": ""})
    assert shown(response) == set() and "广州信达" not in response.content.decode()


# --- a settlement -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep", 200),
        ("manager", 200),
        ("finance", 200),
        ("admin", 200),
        ("rep_peer", 404),
        ("other_rep", 404),
        ("other_manager", 404),
    ],
)
def test_who_may_open_rep_s_settlement(page_as, everyone, settlements, who, status):
    assert page_as(everyone[who]).get(detail(settlements["F1"])).status_code == status


def test_the_page_shows_the_figures_the_lines_and_links_to_their_rows(page_as, manager, dealers, settlements):
    f1 = settlements["F1"]
    body = page_as(manager).get(detail(f1)).content.decode()
    rows = f"dealer={dealers['F1'].pk}&amp;date_from=2026-07-01&amp;date_to=2026-09-30"
    assert f'href="{reverse("kpi:sales-list")}?{rows}" data-figure="basis"' in body  # the basis → the sales
    assert f'href="{reverse("kpi:conflicts")}?{rows}" data-figure="conflicts"' in body  # the flagged count
    assert f'href="{reverse("partners:dealer-detail", args=[dealers["F1"].pk])}" data-testid="dealer-link"' in body
    for figure, value in [
        ("basis", "¥1,040,000.00"),
        ("target", "¥1,000,000.00"),
        ("attainment", "104.00 %"),
        ("rate", "2.00 %"),
        ("collection-rate", "95.00 %"),
        ("conflicts", "0"),
        ("gross", "¥16,640.00"),
        ("penalty", "¥0.00"),
        ("clawback", "¥0.00"),
        ("net", "¥16,640.00"),
    ]:
        assert re.search(rf'data-figure="{figure}"[^>]*>{re.escape(value)}<', body), figure
    # the lines, rendered from their facts in the reader's language
    assert "Net sales of all product lines on the days the agreement covers (2026-07-01 – 2026-09-30)" in body
    assert "Net rebate = gross ¥16,640.00 − penalty ¥0.00 + claw-back ¥0.00 = ¥16,640.00" in body
    assert 'data-testid="state-log"' in body and 'data-testid="history"' in body


def test_a_collections_program_links_its_basis_to_the_collections(page_as, finance, dealers, settlements, program):
    program.basis = "collections"
    program.save()
    body = page_as(finance).get(detail(settlements["F1"])).content.decode()
    assert f'href="{reverse("kpi:collection-list")}?dealer={dealers["F1"].pk}&amp;date_from=2026-07-01' in body


def test_a_claw_back_line_links_to_the_settlement_it_claws_from(page_as, rep, dealers, program, settlements):
    q4 = settle(dealers["F1"], program, "2026-Q4", basis="900000.00", net="8168.00", clawback_amount=D("-832.00"))
    RebateLine.objects.create(
        settlement=q4,
        position=3,
        step="clawback",
        inputs={
            "returned": "52000.00",
            "settled_period": "2026-Q3",
            "paid_rate": "1.60",
            "settled_net": "16640.00",
            "settled_basis": "1040000.00",
        },
        amount=D("-832.00"),
        clawed_from=settlements["F1"],
    )
    body = page_as(rep).get(detail(q4)).content.decode()
    assert f'href="{detail(settlements["F1"])}" data-testid="clawed-from"' in body
    assert "Credit notes of ¥52,000.00 return goods of 2026-Q3, which paid 1.60 %" in body
    assert re.search(r'data-figure="clawback"[^>]*>-¥832.00<', body)


@pytest.mark.parametrize(
    ("who", "key", "buttons"),
    [
        ("manager", "F1", ["submit-settlement"]),
        ("rep", "F1", []),
        ("finance", "F1", []),
        ("finance", "F2", ["approve-settlement", "reject-settlement"]),
        ("manager", "F2", []),
        ("finance", "P1", ["pay-settlement"]),
        ("admin", "P1", ["pay-settlement"]),
        ("finance", "F1-Q2", []),
    ],
)
def test_the_page_offers_the_actions_allowed_now(page_as, everyone, settlements, who, key, buttons):
    body = page_as(everyone[who]).get(detail(settlements[key])).content.decode()
    offered = re.findall(r'data-testid="((?:submit|approve|reject|pay)-settlement)"', body)
    assert offered == buttons


# --- the actions ------------------------------------------------------------------------------------------


def test_the_life_cycle_from_the_pages(page_as, manager, finance, finance_b, settlements):
    f1 = settlements["F1"]
    response = page_as(manager).post(action(f1, "submit"))
    assert response.status_code == 302 and response["Location"] == detail(f1)
    assert said(response) == ["Rebate settlement submitted to finance."]
    f1.refresh_from_db()
    assert (f1.status, f1.submitted_by) == ("submitted", manager)

    # finance rejects with a reason: a draft again, the reason shown to the manager
    response = page_as(finance).post(action(f1, "reject"), {"reason": "目标口径有误"})
    assert response.status_code == 302
    f1.refresh_from_db()
    assert (f1.status, f1.rejection_reason) == ("draft", "目标口径有误")
    body = page_as(manager).get(detail(f1)).content.decode()
    assert 'data-testid="rejection-reason"' in body and "目标口径有误" in body
    assert 'data-testid="submit-settlement"' in body

    page_as(manager).post(action(f1, "submit"))
    response = page_as(finance_b).post(action(f1, "approve"))
    assert said(response) == ["Rebate settlement approved; the dealer's manager is told."]
    f1.refresh_from_db()
    assert (f1.status, f1.approved_by) == ("approved", finance_b)

    response = page_as(finance).post(
        action(f1, "mark-paid"), {"payment_reference": "CN-2026-0042", "paid_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302 and said(response) == ["Rebate settlement marked paid."]
    f1.refresh_from_db()
    assert (f1.status, f1.payment_reference, f1.paid_on, f1.paid_by) == (
        "paid",
        "CN-2026-0042",
        timezone.localdate(),  # not before the approval, made a moment ago
        finance,
    )
    body = page_as(manager).get(detail(f1)).content.decode()
    log = body.split('data-testid="state-log"')[1].split("</table>")[0]
    assert [label for label in ("Submit", "Reject", "Approve", "Mark paid") if label in log] == [
        "Submit",
        "Reject",
        "Approve",
        "Mark paid",
    ]
    assert f"{timezone.localdate():%Y-%m-%d} · CN-2026-0042" in body


def test_nobody_decides_a_settlement_they_submitted(page_as, admin_user, finance, settlements):
    f1 = settlements["F1"]
    client = page_as(admin_user)
    client.post(action(f1, "submit"))
    f1.refresh_from_db()
    assert f1.submitted_by == admin_user
    body = client.get(detail(f1)).content.decode()
    assert 'data-testid="segregation-note"' in body and 'data-testid="approve-settlement"' not in body
    for name, data in (("approve", {}), ("reject", {"reason": "自己驳回"})):
        response = client.post(action(f1, name), data, follow=True)
        assert response.redirect_chain == [(detail(f1), 302)]
        assert "You cannot decide a rebate settlement you submitted yourself." in response.content.decode()
    f1.refresh_from_db()
    assert f1.status == "submitted"
    page_as(finance).post(action(f1, "approve"))  # another member of finance may
    f1.refresh_from_db()
    assert f1.status == "approved"


def test_a_finance_user_who_manages_the_territory_may_submit_but_not_approve(page_as, covered, settlements):
    both = UserFactory(username="fin_mgr", roles=[Role.FINANCE, Role.CHANNEL_MANAGER])
    both.profile.territories.add(covered["EAST"])
    f1 = settlements["F1"]
    client = page_as(both)
    assert client.post(action(f1, "submit")).status_code == 302
    response = client.post(action(f1, "approve"))
    assert said(response) == ["You cannot decide a rebate settlement you submitted yourself."]
    f1.refresh_from_db()
    assert f1.status == "submitted"


@pytest.mark.parametrize(
    ("who", "name", "status"),
    [
        ("rep", "submit", 403),
        ("finance", "submit", 403),
        ("manager", "approve", 403),
        ("manager", "reject", 403),
        ("manager", "mark-paid", 403),
        ("rep", "approve", 403),
        ("other_manager", "submit", 404),
        ("rep_peer", "approve", 404),
    ],
)
def test_a_role_that_never_takes_the_action_is_refused(page_as, everyone, settlements, who, name, status):
    f1 = settlements["F1"]
    client = page_as(everyone[who])
    assert client.post(action(f1, name), {"reason": "x", "payment_reference": "x"}).status_code == status
    assert client.get(action(f1, name)).status_code == status
    f1.refresh_from_db()
    assert f1.status == "draft"


def test_an_action_page_answers_a_get_with_the_settlement(page_as, manager, settlements):
    response = page_as(manager).get(action(settlements["F1"], "submit"))
    assert response.status_code == 302 and response["Location"] == detail(settlements["F1"])
    settlements["F1"].refresh_from_db()
    assert settlements["F1"].status == "draft"


def test_an_action_the_state_refuses_is_said_and_changes_nothing(page_as, finance, manager, settlements):
    response = page_as(finance).post(action(settlements["F1"], "approve"))
    assert response.status_code == 302 and response["Location"] == detail(settlements["F1"])
    assert said(response) == ["Cannot “Approve”: this rebate settlement is “draft”."]
    response = page_as(manager).post(action(settlements["F2"], "submit"))
    assert said(response) == ["This rebate settlement is “submitted” already."]
    response = page_as(finance).post(action(settlements["F1-Q2"], "mark-paid"), {"payment_reference": "X"})
    assert said(response) == ["This rebate settlement is “paid” already."]
    assert [s.status for s in RebateSettlement.objects.order_by("pk")] == [
        "draft",
        "submitted",
        "approved",
        "draft",
        "paid",
    ]


def test_bad_input_comes_back_on_the_form(page_as, finance, settlements):
    client = page_as(finance)
    response = client.post(action(settlements["F2"], "reject"), {"reason": "  "})
    assert response.status_code == 400
    body = response.content.decode()
    assert '<details data-testid="reject-settlement" open>' in body and "This field is required." in body
    response = client.post(action(settlements["P1"], "mark-paid"), {"payment_reference": "", "paid_on": "2026-13-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert '<details data-testid="pay-settlement" open>' in body
    assert body.count("is-invalid") >= 2 and "Enter a valid date." in body
    response = client.post(action(settlements["P1"], "mark-paid"), {"payment_reference": "X" * 65})
    assert response.status_code == 400 and "at most 64 characters" in response.content.decode()
    assert RebateSettlement.objects.get(pk=settlements["F2"].pk).status == "submitted"
    assert RebateSettlement.objects.get(pk=settlements["P1"].pk).status == "approved"


def test_a_credit_note_program_asks_for_the_credit_note_number(page_as, finance, settlements):
    body = page_as(finance).get(detail(settlements["P1"])).content.decode()
    assert "Credit note number" in body
    settlements["P1"].program.payout = "cash"
    settlements["P1"].program.save()
    body = page_as(finance).get(detail(settlements["P1"])).content.decode()
    assert "Payment reference" in body and "Credit note number" not in body


# --- query counts -----------------------------------------------------------------------------------------

# The list as a manager, no filter: 1 session, 2 user, 3 the user's role groups, 4 the manager's territories (the
# scope), 5 the latest period with settlements, 6 COUNT of the rows (the paginator), 7 the page of rows (settlements
# ⋈ dealer, territory, program, submitted_by, approved_by), 8 the totals (count, basis, net in one aggregate), 9 the
# territory choices, 10 the program choices, 11 the notification bell's count.
LIST_QUERIES = 11
# A settlement as a manager: 1 session, 2 user, 3 groups, 4 the manager's territories, 5 the settlement ⋈ dealer,
# territory, owner, program, run, submitted_by, approved_by, paid_by, 6 its lines ⋈ clawed_from, 7 the state log
# (⋈ by; its content type is cached once read), 8 the history (⋈ user; no m2m fields), 9 the bell.
DETAIL_QUERIES = 9


def test_the_list_query_count_is_pinned_and_does_not_grow(
    page_as, manager, dealers, program, settlements, django_assert_num_queries
):
    client = page_as(manager)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200
    for n in range(20):
        dealer = dealers["F1"] if n % 2 else dealers["P1"]
        settle(dealer, program, f"{2000 + n}", basis="1.00", net="0.00")  # years before: not on the default page
    from rebates.models import RebateProgram

    for n in range(5):
        settle(dealers["F2"], RebateProgram.objects.create(name=f"P{n}"), "2026-Q3", basis="2.00", net="0.00")
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert len(shown(response)) == 8


def test_the_detail_query_count_is_pinned(page_as, manager, finance, settlements, django_assert_num_queries):
    client = page_as(manager)
    client.get(detail(settlements["F1"]))  # the state log's content type, read once a process
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(detail(settlements["F1"])).status_code == 200
    client.post(action(settlements["F1"], "submit"))
    page_as(finance).post(action(settlements["F1"], "reject"), {"reason": "再核"})
    client = page_as(manager)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(detail(settlements["F1"])).status_code == 200
