"""Budget control (SPEC §14): which budget a request draws on, the commitment at finance's approval, the
remaining after commitments and settlements across quarters and a year budget, the cost ratio at and just
above its limit, and the split flag. Figures are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from channelhub.errors import Conflict, TransitionNotAllowed
from funds.models import FundRequest
from funds.selectors import budget_figures, budget_for
from funds.services.claims import claim_check, claim_settle
from funds.services.requests import request_approve, request_cancel, request_reject, request_submit
from tests.funds.base import approved, budget, claimed, draft

D = Decimal


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def settle_met(claim, manager, finance, monkeypatch):
    monkeypatch.setattr("funds.services.claims.missing_evidence", lambda claim: [])
    claim_check(actor=manager, claim=claim, met=True)
    return claim_settle(actor=finance, claim=claim)


def test_the_nearest_territory_with_a_budget_is_charged_and_a_quarter_before_the_year(covered, dealers, finance):
    region_year = budget(finance, covered["EAST"], "500000.00")
    province_q4 = budget(finance, covered["SH"], "100000.00", quarter=4)
    province_year = budget(finance, covered["SH"], "300000.00")
    f1 = dealers["F1"]  # SH-PD → SH-SH → SH → EAST → CN
    assert budget_for(f1, "promotion", date(2026, 12, 10)) == province_q4
    assert budget_for(f1, "promotion", date(2026, 5, 10)) == province_year  # no Q2 budget at SH
    assert budget_for(dealers["P1"], "promotion", date(2026, 12, 10)) == region_year  # JS has none
    assert budget_for(f1, "advertising", date(2026, 12, 10)) is None
    assert budget_for(f1, "promotion", date(2027, 1, 10)) is None


def test_remaining_after_commits_and_settlements_across_quarters_and_a_year_budget(
    covered, dealers, rep, manager, finance, finance_b, monkeypatch
):
    q3 = budget(finance, covered["SH"], "50000.00", quarter=3)
    q4 = budget(finance, covered["SH"], "40000.00", quarter=4)
    year = budget(finance, covered["EAST"], "200000.00")
    f1, p1 = dealers["F1"], dealers["P1"]

    # Q3: 20,000.00 committed → 50,000.00 − 20,000.00 = 30,000.00 remaining
    sept = approved(rep, manager, finance, f1, "20000.00", start=date(2026, 9, 1))
    assert budget_figures(q3) == (D("20000.00"), D("0.00"), D("30000.00"))
    # Q4: 30,000.00 and 6,000.00 committed → 40,000.00 − 36,000.00 = 4,000.00
    dec = approved(rep, manager, finance, f1, "30000.00", start=date(2026, 12, 10))
    approved(rep, manager, finance_b, f1, "6000.00", start=date(2026, 11, 20), sales="100000.00")
    assert budget_figures(q4) == (D("36000.00"), D("0.00"), D("4000.00"))
    # P1 (JS, no province budget) draws on the region's year budget: 200,000.00 − 15,000.00 = 185,000.00
    approved(rep_peer_of(p1), manager, finance, p1, "15000.00", start=date(2026, 4, 1), sales="200000.00")
    assert budget_figures(year) == (D("15000.00"), D("0.00"), D("185000.00"))

    # the December claim of 27,500.00 settles: spent 27,500.00, its unspent 2,500.00 released
    #   Q4 committed 36,000.00 − 30,000.00 = 6,000.00; spent 27,500.00; remaining 40,000.00 − 33,500.00 = 6,500.00
    settle_met(claimed(dec, rep, "27500.00"), manager, finance_b, monkeypatch)
    assert budget_figures(q4) == (D("6000.00"), D("27500.00"), D("6500.00"))
    # the September claim is not met: it settles at 0.00 and releases all 20,000.00 of Q3
    claim = claimed(sept, rep, "18000.00")
    claim_check(actor=manager, claim=claim, met=False, reason="照片与活动不符")
    claim_settle(actor=finance_b, claim=claim)
    assert budget_figures(q3) == (D("0.00"), D("0.00"), D("50000.00"))
    # the other quarters and the year budget did not move
    assert budget_figures(year) == (D("15000.00"), D("0.00"), D("185000.00"))


def rep_peer_of(dealer):
    return dealer.owner


def test_over_commitment_is_refused_naming_the_budget_and_its_remaining(covered, dealers, rep, manager, finance):
    budget(finance, covered["SH"], "50000.00", quarter=4)
    approved(rep, manager, finance, dealers["F1"], "30000.00")
    second = draft(rep, dealers["F2"], "25000.00")
    request_submit(actor=rep, request=second)
    request_approve(actor=manager, request=second)
    with pytest.raises(Conflict) as refused:
        request_approve(actor=finance, request=second)
    # 50,000.00 − 30,000.00 = 20,000.00 remaining < 25,000.00
    assert str(refused.value) == "上海 · promotion · 2026-Q4 has ¥20,000.00 remaining: ¥25,000.00 cannot be committed."
    assert refused.value.extra["remaining"] == "20000.00"
    second.refresh_from_db()
    assert second.status == FundRequest.Status.MANAGER_APPROVED and second.budget is None


def test_the_last_of_a_budget_can_be_committed_exactly(covered, dealers, rep, manager, finance):
    q4 = budget(finance, covered["SH"], "50000.00", quarter=4)
    approved(rep, manager, finance, dealers["F1"], "30000.00")
    approved(rep, manager, finance, dealers["F2"], "20000.00")  # 50,000.00 − 30,000.00 = 20,000.00: all of it
    assert budget_figures(q4) == (D("50000.00"), D("0.00"), D("0.00"))


def test_a_cancelled_approved_request_releases_its_commitment(covered, dealers, rep, manager, finance):
    q4 = budget(finance, covered["SH"], "50000.00", quarter=4)
    request = approved(rep, manager, finance, dealers["F1"], "30000.00")
    request_cancel(actor=rep, request=request)
    assert budget_figures(q4) == (D("0.00"), D("0.00"), D("50000.00"))


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [
        ("48000.00", True),  # 600,000.00 × 8.00 % = 48,000.00: at the limit
        ("48000.01", False),  # one cent above
    ],
)
def test_the_cost_ratio_at_and_just_above_its_limit(covered, dealers, rep, finance, amount, allowed):
    budget(finance, covered["SH"], "100000.00", quarter=4, ratio="8.00")
    request = draft(rep, dealers["F1"], amount, sales="600000.00")
    if allowed:
        assert request_submit(actor=rep, request=request).status == FundRequest.Status.SUBMITTED
        return
    with pytest.raises(ValidationError) as refused:
        request_submit(actor=rep, request=request)
    # 48,000.01 / 600,000.00 = 8.0000016… % → shown as 8.00 %, the comparison is exact
    assert refused.value.message_dict["requested_amount"] == [
        "The cost ratio (费销比) would be 8.00%, above the 8.00% allowed by 上海 · promotion · 2026-Q4: "
        "at most ¥48,000.00 on expected sales of ¥600,000.00."
    ]
    request.refresh_from_db()
    assert request.status == FundRequest.Status.DRAFT


def test_a_ratio_lowered_after_submission_is_checked_again_at_finances_approval(
    covered, dealers, rep, manager, finance
):
    q4 = budget(finance, covered["SH"], "100000.00", quarter=4, ratio="8.00")
    request = draft(rep, dealers["F1"], "40000.00")  # 40,000.00 / 600,000.00 = 6.67 %
    request_submit(actor=rep, request=request)
    request_approve(actor=manager, request=request)
    q4.max_cost_ratio = D("6.00")  # now at most 36,000.00
    q4.save()
    with pytest.raises(ValidationError) as refused:
        request_approve(actor=finance, request=request)
    assert "would be 6.67%, above the 6.00%" in refused.value.message_dict["requested_amount"][0]


def test_without_a_budget_a_request_cannot_be_submitted(covered, dealers, rep):
    request = draft(rep, dealers["F1"], "1000.00")
    with pytest.raises(ValidationError) as refused:
        request_submit(actor=rep, request=request)
    assert refused.value.message_dict["category"] == [
        "No promotion budget covers 浦东新区 on 2026-12-10: finance must set one before the request can go ahead."
    ]


def test_overlapping_requests_of_a_dealer_and_category_are_flagged_as_possible_splits(covered, dealers, rep, finance):
    budget(finance, covered["SH"], "100000.00", quarter=4)
    first = draft(rep, dealers["F1"], "9000.00", start=date(2026, 12, 1), end=date(2026, 12, 15))
    request_submit(actor=rep, request=first)
    first.refresh_from_db()
    assert not first.possible_split
    # overlaps on 15 December → both flagged
    second = draft(rep, dealers["F1"], "9000.00", start=date(2026, 12, 15), end=date(2026, 12, 20))
    request_submit(actor=rep, request=second)
    # another category, another dealer, dates that only touch the next day: not splits
    other_category = draft(rep, dealers["F1"], "100.00", start=date(2026, 12, 1), category="advertising")
    other_dealer = draft(rep, dealers["F2"], "9000.00", start=date(2026, 12, 1), end=date(2026, 12, 15))
    later = draft(rep, dealers["F1"], "9000.00", start=date(2026, 12, 21), end=date(2026, 12, 25))
    budget(finance, covered["SH"], "100000.00", quarter=4, category="advertising")
    for request in (other_category, other_dealer, later):
        request_submit(actor=rep, request=request)
    flags = dict(FundRequest.objects.values_list("pk", "possible_split"))
    assert flags == {
        first.pk: True,
        second.pk: True,
        other_category.pk: False,
        other_dealer.pk: False,
        later.pk: False,
    }


def test_a_rejected_request_does_not_make_a_split(covered, dealers, rep, manager, finance):
    budget(finance, covered["SH"], "100000.00", quarter=4)
    first = draft(rep, dealers["F1"], "9000.00")
    request_submit(actor=rep, request=first)
    request_reject(actor=manager, request=first, reason="预算另行安排")
    second = draft(rep, dealers["F1"], "9000.00")
    request_submit(actor=rep, request=second)
    second.refresh_from_db()
    assert not second.possible_split


# --- segregation of duties and roles ----------------------------------------------------------------------


def test_nobody_approves_a_request_they_submitted(covered, dealers, manager, other_manager, finance, admin_user):
    budget(finance, covered["SH"], "100000.00", quarter=4)
    request = draft(manager, dealers["F1"], "30000.00")
    request_submit(actor=manager, request=request)
    with pytest.raises(PermissionDenied, match="you made or submitted yourself"):
        request_approve(actor=manager, request=request)
    with pytest.raises(PermissionDenied, match="Only the dealer's channel manager"):
        request_approve(actor=other_manager, request=request)  # covers SOUTH, not the dealer
    request_approve(actor=admin_user, request=request)
    with pytest.raises(PermissionDenied, match="someone else's"):
        request_approve(actor=admin_user, request=request)  # the second approval is another person's
    request_approve(actor=finance, request=request)
    request.refresh_from_db()
    assert request.status == FundRequest.Status.APPROVED
    assert (request.manager_approved_by, request.approved_by) == (admin_user, finance)


def test_finance_does_not_approve_at_the_managers_step_nor_a_rep_at_all(covered, dealers, rep, rep_peer, finance):
    budget(finance, covered["SH"], "100000.00", quarter=4)
    request = draft(rep, dealers["F1"], "30000.00")
    request_submit(actor=rep, request=request)
    for actor in (finance, rep_peer, rep):
        with pytest.raises(PermissionDenied):
            request_approve(actor=actor, request=request)
    with pytest.raises(TransitionNotAllowed):
        request_submit(actor=rep, request=request)


def test_a_rep_may_request_only_for_own_dealers(covered, dealers, rep, rep_peer):
    with pytest.raises(PermissionDenied):
        draft(rep_peer, dealers["F1"], "1000.00")
    with pytest.raises(PermissionDenied):
        draft(rep, dealers["P1"], "1000.00")


def test_request_numbers_run_per_year(covered, dealers, rep):
    first = draft(rep, dealers["F1"], "1000.00")
    second = draft(rep, dealers["F2"], "1000.00")
    year = first.created_at.astimezone().year
    assert (first.number, second.number) == (f"FR-{year}-00001", f"FR-{year}-00002")
