"""``/api/v1/rebate-settlements/`` (SPEC §2, §8, §15): scope (a rep their own dealers', a manager their
territories', finance all; out of scope a 404), the detail's lines in the reader's language and its allowed
actions, the four transitions with segregation of duties, the order of refusals (404 scope, 403 role, 409 state,
400 input), filters, and the pinned query counts of the list and the detail.

The world is ``tests.rebates.api_world`` computed for 2026-Q3 (drafts): F1 20 800.00, F2 0.00 (rep's, SH-PD),
P1 8 500.00 (rep_peer's, JS-NJ), O1 39 000.00 (other_rep's, GD-GZ).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rebates.models import RebateLine, RebateRun, RebateSettlement
from rebates.services import runs
from rebates.services.settlements import settlement_approve, settlement_mark_paid, settlement_submit
from tests.factories import UserFactory
from tests.partners.world import make_dealer
from tests.rebates.api_world import NET, Q3, build, settlement_of
from tests.rebates.world import make_program, record, sign

SETTLEMENTS = "/api/v1/rebate-settlements/"
D = Decimal


@pytest.fixture
def rw(dealers, covered, lines, manager, other_manager, finance, program):
    world = build(
        dealers=dealers,
        covered=covered,
        lines=lines,
        manager=manager,
        other_manager=other_manager,
        finance=finance,
        program=program,
    )
    compute_all(finance)
    return world


def compute_all(finance, period=Q3) -> RebateRun:
    """A run of ``period`` carried out chunk by chunk, as the workers do."""
    run = RebateRun.objects.create(period=period, started_by=finance)
    plan = runs.run_begin(run_id=run.pk)
    for chunk in plan.chunks:
        runs.run_compute_chunk(run_id=run.pk, dealer_ids=chunk, period=plan.period)
    return runs.run_finish(run_id=run.pk)


def url(settlement, action: str = "") -> str:
    return f"{SETTLEMENTS}{settlement.pk}/" + (f"{action}/" if action else "")


def codes(response) -> list[str]:
    return sorted(row["dealer_code"] for row in response.json()["results"])


# --- scope -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", ["F1", "F2"]),
        ("rep_peer", ["P1"]),
        ("other_rep", ["O1"]),
        ("manager", ["F1", "F2", "P1"]),
        ("other_manager", ["O1"]),
        ("finance", ["F1", "F2", "O1", "P1"]),
        ("admin", ["F1", "F2", "O1", "P1"]),
    ],
)
def test_each_role_lists_the_settlements_of_the_dealers_it_sees(rw, api_as, everyone, who, expected):
    assert codes(api_as(everyone[who]).get(SETTLEMENTS)) == expected


@pytest.mark.parametrize(
    ("who", "dealer", "status"),
    [
        ("rep", "O1", 404),
        ("rep", "P1", 404),  # a peer's dealer
        ("manager", "O1", 404),
        ("other_manager", "F1", 404),
        ("other_manager", "O1", 200),
        ("finance", "O1", 200),
        ("finance", "F1", 200),
    ],
)
def test_a_settlement_out_of_scope_is_a_404(rw, api_as, everyone, who, dealer, status):
    assert api_as(everyone[who]).get(url(settlement_of(rw["dealers"][dealer]))).status_code == status


def test_a_rep_sees_own_settlement_with_figures_but_no_actions(rw, api_as, rep):
    body = api_as(rep).get(url(settlement_of(rw["dealers"]["F1"]))).json()
    assert (body["dealer_code"], body["dealer_name"], body["period"], body["status"]) == ("F1", "浦东华丰", Q3, "draft")
    assert (body["net_amount"], body["rate"], body["attainment"]) == ("20800.00", "2.00", "104.00")
    assert body["allowed_actions"] == []


# --- detail ----------------------------------------------------------------------------------------


def test_the_detail_explains_each_step_in_the_readers_language(rw, api_as, finance):
    response = api_as(finance).get(url(settlement_of(rw["dealers"]["F1"])), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    body = response.json()
    assert [(line["position"], line["step"], line["amount"]) for line in body["lines"]] == [
        (1, "basis", "1040000.00"),
        (2, "target", "1000000.00"),
        (3, "attainment", None),
        (4, "gross", "20800.00"),
        (5, "penalty", "0.00"),
        (6, "net", "20800.00"),
    ]
    basis, target, attainment, gross = (line["text"] for line in body["lines"][:4])
    assert (
        basis
        == "Net sales of all product lines on the days the agreement covers (2026-07-01 – 2026-09-30) = ¥1,040,000.00"
    )
    assert "1,000,000.00" in target
    assert "104.0000 %" in attainment and "band from 100.00 %, rate 2.00 %" in attainment
    assert gross == "The whole basis ¥1,040,000.00 at 2.00 % = ¥20,800.00"
    assert body["lines"][0]["inputs"]["basis"] == "sell_in" and body["lines"][0]["clawed_from"] is None
    assert (body["program_name"], body["payout"], body["run"]) == ("Tiered 2026", "credit_note", body["run"])


def test_a_line_is_rendered_from_its_inputs_when_read_never_stored(rw, api_as, finance):
    settlement = settlement_of(rw["dealers"]["F1"])
    RebateLine.objects.filter(settlement=settlement, step="gross").update(inputs={"basis": "5.00", "rate": "1.00"})
    lines = api_as(finance).get(url(settlement), HTTP_ACCEPT_LANGUAGE="en").json()["lines"]
    assert lines[3]["text"] == "The whole basis ¥5.00 at 1.00 % = ¥20,800.00"


def test_a_clawback_line_names_the_settlement_it_takes_back_from(rw, api_as, finance, manager):
    f1 = rw["dealers"]["F1"]
    q2 = RebateSettlement.objects.create(dealer=f1, program=rw["program"], period="2026-Q2", status="paid")
    settlement = settlement_of(f1)
    RebateLine.objects.create(
        settlement=settlement, position=9, step="clawback", amount=D("-40.00"), clawed_from=q2, inputs={}
    )
    (line,) = [line for line in api_as(finance).get(url(settlement)).json()["lines"] if line["step"] == "clawback"]
    assert (line["clawed_from"], line["clawed_from_period"], line["amount"]) == (q2.pk, "2026-Q2", "-40.00")


# --- transitions -------------------------------------------------------------------------------------------


def test_the_life_cycle_through_the_api(rw, api_as, manager, finance):
    f1 = settlement_of(rw["dealers"]["F1"])
    assert api_as(manager).get(url(f1)).json()["allowed_actions"] == ["submit"]
    assert api_as(finance).get(url(f1)).json()["allowed_actions"] == []

    submitted = api_as(manager).post(url(f1, "submit"), {"comment": "请审核"}, format="json")
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["submitted_by"]) == ("submitted", manager.pk)
    assert submitted.json()["allowed_actions"] == [] and len(submitted.json()["lines"]) == 6

    assert api_as(finance).get(url(f1)).json()["allowed_actions"] == ["approve", "reject"]
    approved = api_as(finance).post(url(f1, "approve"), {}, format="json").json()
    assert (approved["status"], approved["approved_by"], approved["allowed_actions"]) == (
        "approved",
        finance.pk,
        ["mark-paid"],
    )

    paid = api_as(finance).post(url(f1, "mark-paid"), {"payment_reference": " HZ-2026-0042 "}, format="json")
    assert paid.status_code == 200
    body = paid.json()
    assert (body["status"], body["payment_reference"], body["paid_on"]) == (
        "paid",
        "HZ-2026-0042",
        timezone.localdate().isoformat(),
    )
    assert (body["paid_by"], body["allowed_actions"], body["net_amount"]) == (finance.pk, [], "20800.00")


def test_finance_rejects_with_a_reason_and_the_settlement_is_a_draft_again(rw, api_as, manager, finance):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    body = api_as(finance).post(url(f1, "reject"), {"reason": "目标口径不对"}, format="json").json()
    assert (body["status"], body["rejection_reason"]) == ("draft", "目标口径不对")
    assert api_as(manager).get(url(f1)).json()["allowed_actions"] == ["submit"]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_rejection_needs_a_reason(rw, api_as, manager, finance, reason):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    response = api_as(finance).post(url(f1, "reject"), {} if reason is None else {"reason": reason}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    f1.refresh_from_db()
    assert f1.status == "submitted"


def test_the_admin_who_submitted_may_neither_approve_nor_reject_403(rw, api_as, admin_user):
    f1 = settlement_of(rw["dealers"]["F1"])
    client = api_as(admin_user)
    assert client.post(url(f1, "submit"), {}, format="json").status_code == 200
    assert client.get(url(f1)).json()["allowed_actions"] == []
    for action, body in (("approve", {}), ("reject", {"reason": "不对"})):
        response = client.post(url(f1, action), body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403
        assert response.json()["detail"] == "You cannot decide a rebate settlement you submitted yourself."
    f1.refresh_from_db()
    assert (f1.status, f1.approved_by) == ("submitted", None)


def test_another_admin_approves_what_an_admin_submitted(rw, api_as, admin_user):
    other_admin = UserFactory(username="admin2", roles=["admin"])
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=admin_user, settlement=f1)
    assert api_as(other_admin).post(url(f1, "approve"), {}, format="json").json()["status"] == "approved"


def test_approving_twice_the_second_is_a_409_naming_the_state(rw, api_as, manager, finance, finance_b):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    assert api_as(finance).post(url(f1, "approve"), {}, format="json").status_code == 200
    again = api_as(finance_b).post(url(f1, "approve"), {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert again.json()["current_state"] == "approved" and "approved" in again.json()["detail"]
    f1.refresh_from_db()
    assert f1.approved_by == finance


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "payment_reference"),
        ({"payment_reference": "   "}, "payment_reference"),
        ({"payment_reference": "X" * 65}, "payment_reference"),
        ({"payment_reference": "CN-1", "paid_on": "31/10/2026"}, "paid_on"),
        ({"payment_reference": "CN-1", "paid_on": "tomorrow"}, "paid_on"),
    ],
)
def test_marking_paid_needs_a_reference_and_a_good_date(rw, api_as, manager, finance, body, field):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    settlement_approve(actor=finance, settlement=f1)
    response = api_as(finance).post(url(f1, "mark-paid"), body, format="json")
    assert response.status_code == 400 and list(response.json()) == [field]
    f1.refresh_from_db()
    assert (f1.status, f1.payment_reference) == ("approved", "")


def test_a_payment_date_in_the_future_or_before_the_approval_is_refused(rw, api_as, manager, finance):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    settlement_approve(actor=finance, settlement=f1)
    client = api_as(finance)
    for day in (timezone.localdate() + timedelta(days=1), timezone.localdate() - timedelta(days=1)):
        body = {"payment_reference": "CN-1", "paid_on": day.isoformat()}
        assert list(client.post(url(f1, "mark-paid"), body, format="json").json()) == ["paid_on"]
    today = {"payment_reference": "CN-1", "paid_on": timezone.localdate().isoformat()}
    assert client.post(url(f1, "mark-paid"), today, format="json").json()["status"] == "paid"


# --- the order of refusals: 404 scope, 403 role, 409 state, 400 input --------------------------------------


def test_out_of_scope_is_404_before_anything_else(rw, api_as, rep, manager):
    o1 = settlement_of(rw["dealers"]["O1"])
    for who in (rep, manager):
        for action in ("submit", "approve", "reject", "mark-paid"):
            assert api_as(who).post(url(o1, action), {}, format="json").status_code == 404, (who, action)


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("rep", "submit"),
        ("rep", "approve"),
        ("rep", "reject"),  # no reason given: the role is refused first
        ("rep", "mark-paid"),  # no reference given: likewise
        ("manager", "approve"),
        ("manager", "reject"),
        ("manager", "mark-paid"),
        ("finance", "submit"),
    ],
)
def test_a_role_that_never_takes_the_action_gets_403_whatever_the_input(rw, api_as, everyone, who, action):
    f1 = settlement_of(rw["dealers"]["F1"])
    assert api_as(everyone[who]).post(url(f1, action), {}, format="json").status_code == 403


@pytest.mark.parametrize("action", ["approve", "reject", "mark-paid"])
def test_a_decision_on_a_paid_settlement_is_still_403_for_a_rep(rw, api_as, rep, manager, finance, action):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    settlement_approve(actor=finance, settlement=f1)
    settlement_mark_paid(actor=finance, settlement=f1, payment_reference="CN-1")
    assert api_as(rep).post(url(f1, action), {}, format="json").status_code == 403


@pytest.mark.parametrize(("action", "state"), [("approve", "draft"), ("reject", "draft"), ("mark-paid", "draft")])
def test_the_state_is_checked_before_the_input(rw, api_as, finance, action, state):
    f1 = settlement_of(rw["dealers"]["F1"])
    response = api_as(finance).post(url(f1, action), {}, format="json")  # no reason, no reference
    assert response.status_code == 409 and response.json()["current_state"] == state


def test_submitting_a_submitted_settlement_is_a_409(rw, api_as, manager):
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    assert api_as(manager).post(url(f1, "submit"), {}, format="json").status_code == 409


def test_settlements_are_written_only_by_runs(rw, api_as, admin_user):
    client = api_as(admin_user)
    f1 = settlement_of(rw["dealers"]["F1"])
    assert client.post(SETTLEMENTS, {}, format="json").status_code == 405
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(url(f1), {"net_amount": "1.00"}, format="json").status_code == 405


# --- filters -----------------------------------------------------------------------------------------------


def test_the_list_filters_by_period_status_dealer_program_and_territory(
    rw, api_as, finance, manager, covered, dealers, lines
):
    other = make_program("Annual 2026", frequency="annual")
    sign(manager, finance, dealers["F1"], covered["SH-PD"], [lines["water"]], other)
    compute_all(finance, "2025")  # nothing: no agreement of 2025
    settlement_submit(actor=manager, settlement=settlement_of(dealers["P1"]))
    client = api_as(finance)
    assert codes(client.get(SETTLEMENTS, {"period": "2026-q3"})) == ["F1", "F2", "O1", "P1"]
    assert codes(client.get(SETTLEMENTS, {"period": "2026-Q2"})) == []
    assert codes(client.get(SETTLEMENTS, {"status": "submitted"})) == ["P1"]
    assert codes(client.get(SETTLEMENTS, {"status": ["submitted", "draft"]})) == ["F1", "F2", "O1", "P1"]
    assert codes(client.get(SETTLEMENTS, {"dealer": dealers["O1"].pk})) == ["O1"]
    assert codes(client.get(SETTLEMENTS, {"program": rw["program"].pk})) == ["F1", "F2", "O1", "P1"]
    assert codes(client.get(SETTLEMENTS, {"program": other.pk})) == []
    assert codes(client.get(SETTLEMENTS, {"territory": covered["SH"].pk})) == ["F1", "F2"]
    assert codes(client.get(SETTLEMENTS, {"territory": covered["EAST"].pk})) == ["F1", "F2", "P1"]
    assert codes(client.get(SETTLEMENTS, {"territory": covered["SOUTH"].pk})) == ["O1"]
    for bad in ({"period": "2026-07"}, {"status": "lost"}, {"territory": 999999}):
        assert client.get(SETTLEMENTS, bad).status_code == 400, bad


def test_a_dealer_out_of_scope_in_the_filter_is_refused_like_an_unknown_one(rw, api_as, rep, dealers):
    response = api_as(rep).get(SETTLEMENTS, {"dealer": dealers["O1"].pk})
    assert response.status_code == 400 and list(response.json()) == ["dealer"]


# --- query counts --------------------------------------------------------------------------------------------


def more_dealers(manager, finance, covered, lines, program, count: int) -> None:
    owner = UserFactory(username="rep_more", roles=["field_rep"], manager=manager)
    for number in range(count):
        dealer = make_dealer(manager, covered["SH-PD"], owner, f"M{number}", name=f"更多{number}")
        sign(manager, finance, dealer, covered["SH-PD"], [lines["kitchen"]], program)
        record(finance, "sales", dealer, date(2026, 8, 1), "900000.00", category="kitchen")


@pytest.mark.parametrize("who", ["finance", "manager"])
def test_the_list_takes_the_same_queries_for_4_or_10_settlements(
    rw, api_as, everyone, covered, lines, django_assert_num_queries, who
):
    client = api_as(everyone[who])
    client.get(SETTLEMENTS)
    # session, user, roles, (a manager: the territories covered), count, the page with dealer, territory,
    # program, submitter and approver joined
    expected = 5 if who == "finance" else 6
    with django_assert_num_queries(expected):
        first = client.get(SETTLEMENTS)
    more_dealers(everyone["manager"], everyone["finance"], covered, lines, rw["program"], 6)
    compute_all(everyone["finance"])
    with django_assert_num_queries(expected):
        second = client.get(SETTLEMENTS)
    assert second.json()["count"] == first.json()["count"] + 6


def test_the_detail_takes_a_fixed_number_of_queries(rw, api_as, manager, django_assert_num_queries):
    f1 = settlement_of(rw["dealers"]["F1"])
    client = api_as(manager)
    client.get(url(f1))
    # session, user, roles, territories covered, the settlement with its dealer, territory, owner, program,
    # people and run, its lines with the settlements they claw back from
    with django_assert_num_queries(6):
        body = client.get(url(f1)).json()
    assert len(body["lines"]) == 6 and body["allowed_actions"] == ["submit"]
    assert NET["F1"] == D(body["net_amount"])
