"""Deposit pages (信誉保证金, SPEC §14): the accounts and one dealer's ledger, scoped (a dealer out of scope
is a 404); a deduction (finance, never beyond the balance), a refund's proposal (the dealer's manager, a
terminated dealer, once) and its decision (finance, not the proposer)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funds.models import DepositEntry, DepositRefund
from partners.models import Dealer
from tests.funds.pages_world import make_dealers, received

pytestmark = pytest.mark.django_db

D = Decimal
LIST = reverse("funds:deposit-list")


@pytest.fixture
def dealers(covered, manager, other_manager, rep, rep_peer, other_rep):
    world = make_dealers(covered, manager, other_manager, rep, rep_peer, other_rep)
    received(world["mine"], "10000.00")
    received(world["peer"], "20000.00")
    received(world["leak"], "987654.32")
    return world


def detail(dealer) -> str:
    return reverse("funds:deposit-detail", args=[dealer.pk])


def terminate(dealer) -> None:
    Dealer.objects.filter(pk=dealer.pk).update(status=Dealer.Status.TERMINATED)
    dealer.refresh_from_db()


def shown(response) -> set[str]:
    return set(re.findall(r'data-dealer="([A-Z]+-D1)"', response.content.decode()))


# --- the list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("finance", {"MINE-D1", "PEER-D1", "LEAK-D1"}),
        ("admin_user", {"MINE-D1", "PEER-D1", "LEAK-D1"}),
        ("manager", {"MINE-D1", "PEER-D1"}),
        ("other_manager", {"LEAK-D1"}),
        ("rep", {"MINE-D1"}),
        ("rep_peer", {"PEER-D1"}),
    ],
)
def test_the_deposit_list_shows_the_dealers_of_the_role(request, page_as, dealers, who, expected):
    response = page_as(request.getfixturevalue(who)).get(LIST)
    assert response.status_code == 200 and shown(response) == expected


def test_the_list_shows_each_dealers_figures(page_as, finance, dealers):
    """Received 10,000.00, deducted 1,500.00 → balance 8,500.00."""
    DepositEntry.objects.create(
        dealer=dealers["mine"], kind="deducted", amount=D("1500.00"), date=dealers["mine"].created_at.date()
    )
    body = page_as(finance).get(LIST, {"q": "MINE"}).content.decode()
    row = body[body.index('data-dealer="MINE-D1"') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"¥[\d,]+\.\d\d", row) == ["¥10,000.00", "¥1,500.00", "¥0.00", "¥8,500.00"]


def test_the_list_filters_by_the_dealers_status(page_as, finance, dealers):
    terminate(dealers["peer"])
    assert shown(page_as(finance).get(LIST, {"status": "terminated"})) == {"PEER-D1"}


#: the frame's 4 — the session, the user, the user's groups (roles), the unread notifications' count
#: + the accounts' count (the paginator) + the page of dealers with their figures and territory
#: + finance's refunds waiting for a decision
LIST_QUERIES = 7


def test_the_list_query_count_is_pinned_with_one_and_many_dealers(
    page_as, finance, manager, covered, rep, django_assert_num_queries
):
    from tests.partners.world import make_dealer

    first = make_dealer(manager, covered["SH-PD"], rep, "DEP-00")
    received(first, "100.00")
    client = page_as(finance)
    client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).content.decode().count("data-dealer=") == 1
    for number in range(1, 8):
        dealer = make_dealer(manager, covered["SH-PD"], rep, f"DEP-{number:02d}")
        received(dealer, "100.00")
        DepositEntry.objects.create(dealer=dealer, kind="deducted", amount=D("10.00"), date=dealer.created_at.date())
        DepositRefund.objects.create(dealer=dealer, balance=D("90.00"), amount=D("90.00"), proposed_by=manager)
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(LIST).content.decode()
    assert body.count("data-dealer=") == 8 and body.count('href="/funds/deposits/') >= 15


# --- one dealer ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "admin_user"])
def test_the_deposit_page_shows_the_ledger_to_those_who_see_the_dealer(request, page_as, dealers, who):
    response = page_as(request.getfixturevalue(who)).get(detail(dealers["mine"]))
    assert response.status_code == 200
    assert 'data-testid="deposit-balance">¥10,000.00<' in response.content.decode()


@pytest.mark.parametrize("who", ["rep_peer", "other_rep", "other_manager"])
def test_the_deposit_page_of_a_dealer_out_of_scope_is_404(request, page_as, dealers, who):
    assert page_as(request.getfixturevalue(who)).get(detail(dealers["mine"])).status_code == 404


def test_the_buttons_follow_the_role(page_as, finance, manager, rep, dealers):
    mine = dealers["mine"]
    assert "deposit-deduct" not in page_as(manager).get(detail(mine)).content.decode()
    finance_page = page_as(finance).get(detail(mine)).content.decode()
    assert reverse("funds:deposit-deduct", args=[mine.pk]) in finance_page
    assert reverse("funds:deposit-refund", args=[mine.pk]) not in finance_page
    terminate(mine)
    assert reverse("funds:deposit-refund", args=[mine.pk]) in page_as(manager).get(detail(mine)).content.decode()
    rep_page = page_as(rep).get(detail(mine)).content.decode()
    assert "/deduct/" not in rep_page and "/refund/" not in rep_page


#: the frame's 4 + the dealer (with its territory and owner) + its refunds + its ledger + its balance
DETAIL_QUERIES = 8
#: … + the refunds' state changes, one query for all of them (none without a refund)
DETAIL_QUERIES_WITH_REFUNDS = 9


def test_the_deposit_page_query_count_is_pinned(
    page_as, finance, manager, admin_user, dealers, django_assert_num_queries
):
    mine = dealers["mine"]
    client = page_as(finance)
    client.get(detail(mine))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail(mine))
    terminate(mine)
    for _round in range(3):  # proposed and rejected, three times
        page_as(manager).post(reverse("funds:deposit-refund", args=[mine.pk]), {"reason": "清退"})
        refund = DepositRefund.objects.get(dealer=mine, status="proposed")
        page_as(admin_user).post(
            reverse("funds:deposit-refund-decide", args=[mine.pk]), {"decision": "reject", "reason": "再核"}
        )
        refund.refresh_from_db()
        assert refund.status == "rejected"
    for _entry in range(4):
        DepositEntry.objects.create(dealer=mine, kind="deducted", amount=D("1.00"), date=mine.created_at.date())
    client = page_as(finance)
    with django_assert_num_queries(DETAIL_QUERIES_WITH_REFUNDS):
        body = client.get(detail(mine)).content.decode()
    assert body.count("data-refund=") == 3 and body.count("data-entry=") == 5
    assert body.count("<li>") >= 6  # each refund's log: proposed, rejected


# --- deduct -----------------------------------------------------------------------------------------------


def _deduct(client, dealer, amount, reason="违规罚款"):
    return client.post(
        reverse("funds:deposit-deduct", args=[dealer.pk]), {"amount": amount, "reason": reason, "day": "2026-11-02"}
    )


def test_finance_deducts_from_a_deposit(page_as, finance, dealers):
    mine = dealers["mine"]
    response = _deduct(page_as(finance), mine, "2500.00")
    assert response.status_code == 302 and response["Location"] == detail(mine)
    entry = DepositEntry.objects.get(dealer=mine, kind="deducted")
    assert (entry.amount, entry.reason, entry.created_by) == (D("2500.00"), "违规罚款", finance)
    page = page_as(finance).get(detail(mine)).content.decode()
    assert 'data-testid="deposit-balance">¥7,500.00<' in page  # 10,000.00 − 2,500.00


def test_a_deduction_beyond_the_balance_is_refused_with_409(page_as, finance, dealers):
    response = _deduct(page_as(finance), dealers["mine"], "10000.01")
    assert response.status_code == 409
    assert "holds ¥10,000.00: ¥10,000.01 cannot be deducted" in response.content.decode()
    assert not DepositEntry.objects.filter(kind="deducted").exists()


@pytest.mark.parametrize(("amount", "reason"), [("100.00", ""), ("0.00", "罚款"), ("abc", "罚款")])
def test_a_deduction_without_a_reason_or_amount_is_refused_with_400(page_as, finance, dealers, amount, reason):
    assert _deduct(page_as(finance), dealers["mine"], amount, reason).status_code == 400
    assert not DepositEntry.objects.filter(kind="deducted").exists()


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("rep", 403), ("other_manager", 404)])
def test_only_finance_deducts(request, page_as, dealers, who, status):
    client = page_as(request.getfixturevalue(who))
    assert client.get(reverse("funds:deposit-deduct", args=[dealers["mine"].pk])).status_code == status
    assert _deduct(client, dealers["mine"], "1.00").status_code == status
    assert not DepositEntry.objects.filter(kind="deducted").exists()


# --- refund: proposal and decision ------------------------------------------------------------------------


def _propose(client, dealer, reason="合作终止"):
    return client.post(reverse("funds:deposit-refund", args=[dealer.pk]), {"reason": reason})


def _decide(client, dealer, decision, reason=""):
    return client.post(
        reverse("funds:deposit-refund-decide", args=[dealer.pk]), {"decision": decision, "reason": reason}
    )


def test_the_refund_of_a_dealer_not_terminated_is_refused(page_as, manager, dealers):
    client = page_as(manager)
    shown_form = client.get(reverse("funds:deposit-refund", args=[dealers["mine"].pk]))
    assert shown_form.status_code == 302 and shown_form["Location"] == detail(dealers["mine"])
    response = _propose(client, dealers["mine"])
    assert (
        response.status_code == 409
        and "a deposit is refunded when the dealer is terminated" in response.content.decode()
    )
    assert not DepositRefund.objects.exists()


def test_the_manager_proposes_and_finance_approves_the_refund(page_as, manager, finance, dealers):
    mine = dealers["mine"]
    terminate(mine)
    client = page_as(manager)
    form = client.get(reverse("funds:deposit-refund", args=[mine.pk])).content.decode()
    assert 'data-testid="refund-amount">¥10,000.00<' in form  # balance 10,000.00 − receivable 0.00
    assert _propose(client, mine).status_code == 302
    refund = DepositRefund.objects.get()
    assert (refund.status, refund.amount, refund.proposed_by) == ("proposed", D("10000.00"), manager)
    finance_page = page_as(finance).get(detail(mine)).content.decode()
    assert reverse("funds:deposit-refund-decide", args=[mine.pk]) in finance_page
    assert _decide(page_as(finance), mine, "approve").status_code == 302
    refund.refresh_from_db()
    assert refund.status == "approved" and refund.entry.amount == D("10000.00")
    page = page_as(finance).get(detail(mine)).content.decode()
    assert 'data-testid="deposit-balance">¥0.00<' in page
    assert "Approve the refund" in page  # its state log


def test_a_refund_is_never_proposed_twice(page_as, manager, dealers):
    terminate(dealers["mine"])
    client = page_as(manager)
    assert _propose(client, dealers["mine"]).status_code == 302
    again = _propose(client, dealers["mine"])
    assert again.status_code == 409 and "never made twice" in again.content.decode()
    assert DepositRefund.objects.count() == 1


def test_finance_rejects_a_refund_only_with_a_reason(page_as, manager, finance, dealers):
    terminate(dealers["mine"])
    _propose(page_as(manager), dealers["mine"])
    without = _decide(page_as(finance), dealers["mine"], "reject")
    assert without.status_code == 400 and "Say why the refund is rejected." in without.content.decode()
    assert _decide(page_as(finance), dealers["mine"], "reject", "应收未清").status_code == 302
    refund = DepositRefund.objects.get()
    assert (refund.status, refund.reason, refund.entry) == ("rejected", "应收未清", None)
    # rejected: the manager may propose again
    assert _propose(page_as(manager), dealers["mine"]).status_code == 302


@pytest.mark.parametrize(("who", "status"), [("finance", 403), ("rep", 403), ("other_manager", 404)])
def test_only_the_dealers_manager_proposes(request, page_as, dealers, who, status):
    terminate(dealers["mine"])
    assert _propose(page_as(request.getfixturevalue(who)), dealers["mine"]).status_code == status
    assert not DepositRefund.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("rep", 403), ("other_manager", 404)])
def test_only_finance_decides(request, page_as, manager, dealers, who, status):
    terminate(dealers["mine"])
    _propose(page_as(manager), dealers["mine"])
    assert _decide(page_as(request.getfixturevalue(who)), dealers["mine"], "approve").status_code == status
    assert DepositRefund.objects.get().status == "proposed"


def test_nobody_decides_a_refund_they_proposed(page_as, admin_user, dealers):
    terminate(dealers["mine"])
    assert _propose(page_as(admin_user), dealers["mine"]).status_code == 302
    assert _decide(page_as(admin_user), dealers["mine"], "approve").status_code == 403
    assert DepositRefund.objects.get().status == "proposed"


def test_deciding_with_nothing_proposed_goes_back_to_the_deposit(page_as, finance, dealers):
    response = _decide(page_as(finance), dealers["mine"], "approve")
    assert response.status_code == 302 and response["Location"] == detail(dealers["mine"])


def test_the_channel_funds_menu_follows_the_role(page_as, rep, manager, finance):
    """Reps read their dealers' deposits and count materials; budgets and the summary are for finance and
    managers."""
    rep_page = page_as(rep).get(LIST).content.decode()
    assert reverse("funds:material-list") in rep_page and reverse("funds:budget-list") not in rep_page
    assert reverse("funds:summary") not in rep_page
    for user in (manager, finance):
        page = page_as(user).get(LIST).content.decode()
        assert all(
            reverse(name) in page
            for name in ("funds:budget-list", "funds:summary", "funds:deposit-list", "funds:material-list")
        )
