"""The year-end settlement (SPEC §6): each rep's retained balance released as one ``year_end``
statement of ``YYYY-12``. Figures by hand:

``rep`` (张伟) in 2025 — approved or paid months count, the others wait:

    2025-01 approved  100.00  ┐
    2025-02 paid      250.50  │ counted
    2025-12 approved   19.50  ┘
    2025-03 submitted  80.00  ┐ not yet (may still change)
    2025-04 draft      40.00  ┘
    2025-05 approved    0.00    a claw-back month retains nothing: no line
    2024-11 approved   60.00    retained before 2025, never released: carried over
    2026-01 approved  999.00    after the year: not counted

    balance = 100.00 + 250.50 + 19.50 + 60.00 = 430.00

``rep_peer`` (李娜): 2024-06 approved 200.00, released by the 2024 settlement (paid 200.00);
2025-07 paid 30.00 → balance 200.00 − 200.00 + 30.00 = 30.00 (no carried line).

``other_rep``: nothing retained → no statement.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from channelhub.workflow.models import StateChange
from commissions.models import Statement, StatementLine
from commissions.services.closing import year_end_settle
from tests.commissions.runs_world import with_status

D = Decimal
Step = StatementLine.Step


def month(rep, period, status, retained, net="1000.00", kind="monthly"):
    net, retained = D(net), D(retained)
    return Statement.objects.create(
        rep=rep,
        period=period,
        kind=kind,
        **with_status(status),
        net_amount=net,
        retained_amount=retained,
        # a negative month pays nothing: its net is carried forward (SPEC §6)
        payable_amount=max(net - retained, D("0.00")),
        carried_forward=min(net, D("0.00")),
    )


@pytest.fixture
def year_2025(rep, rep_peer, other_rep):
    month(rep, "2025-01", "approved", "100.00")
    month(rep, "2025-02", "paid", "250.50")
    month(rep, "2025-12", "approved", "19.50")
    month(rep, "2025-03", "submitted", "80.00")
    month(rep, "2025-04", "draft", "40.00")
    month(rep, "2025-05", "approved", "0.00", net="-300.00")
    month(rep, "2024-11", "approved", "60.00")
    month(rep, "2026-01", "approved", "999.00")
    month(rep_peer, "2024-06", "approved", "200.00")
    month(rep_peer, "2024-12", "paid", "0.00", net="200.00", kind="year_end")
    month(rep_peer, "2025-07", "paid", "30.00")
    month(other_rep, "2025-08", "paid", "0.00")


def year_end(rep, year=2025) -> Statement:
    return Statement.objects.get(rep=rep, period=f"{year}-12", kind="year_end")


def lines(statement) -> list[tuple[str, str, Decimal]]:
    return [(line.step, line.text, line.amount) for line in statement.lines.order_by("position")]


def test_each_reps_retained_balance_is_released_as_one_year_end_draft(
    year_2025, finance, rep, rep_peer, other_rep, settings
):
    settings.LANGUAGE_CODE = "en"
    settlement = year_end_settle(actor=finance, year=2025)

    mine, peer = year_end(rep), year_end(rep_peer)
    assert settlement.created == [mine.pk, peer.pk] and settlement.refreshed == settlement.unchanged == []
    assert not Statement.objects.filter(rep=other_rep, kind="year_end").exists()
    assert (mine.status, mine.kind, mine.period) == ("draft", "year_end", "2025-12")
    assert (mine.net_amount, mine.retained_amount, mine.payable_amount) == (D("430.00"), D("0.00"), D("430.00"))
    assert lines(mine) == [
        (Step.RETAINED, "Retained in 2025-01", D("100.00")),
        (Step.RETAINED, "Retained in 2025-02", D("250.50")),
        (Step.RETAINED, "Retained in 2025-12", D("19.50")),
        (Step.RETAINED, "Retained before 2025 and not released yet", D("60.00")),
        (Step.RELEASE, "Retention released at the 2025 year-end settlement", D("430.00")),
    ]
    assert list(mine.lines.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    assert mine.lines.first().inputs["status"] == "approved"
    assert peer.payable_amount == D("30.00")
    assert [(step, amount) for step, _text, amount in lines(peer)] == [
        (Step.RETAINED, D("30.00")),
        (Step.RELEASE, D("30.00")),
    ]
    (created,) = StateChange.objects.for_object(mine)
    assert (created.transition, created.to_state, created.by) == ("create", "draft", finance)


def test_settling_again_refreshes_drafts_and_leaves_the_others(year_2025, finance, admin_user, rep, rep_peer):
    first = year_end_settle(actor=finance, year=2025)
    before = {s.pk: (s.payable_amount, lines(s)) for s in Statement.objects.filter(kind="year_end", period="2025-12")}
    again = year_end_settle(actor=admin_user, year=2025)
    assert again.created == [] and sorted(again.refreshed) == sorted(first.created)
    assert {
        s.pk: (s.payable_amount, lines(s)) for s in Statement.objects.filter(kind="year_end", period="2025-12")
    } == (before)
    assert Statement.objects.filter(kind="year_end", period="2025-12").count() == 2

    # the rep's settlement is submitted; a month approved late does not change it
    Statement.objects.filter(pk=year_end(rep).pk).update(status="submitted")
    Statement.objects.filter(rep=rep, period="2025-03").update(status="approved")
    third = year_end_settle(actor=finance, year=2025)
    assert third.unchanged == [year_end(rep).pk] and third.refreshed == [year_end(rep_peer).pk]
    assert year_end(rep).payable_amount == D("430.00")


def test_what_a_settlement_could_not_release_is_carried_into_the_next(year_2025, finance, rep):
    """2025 released 430.00; 2025-03 (80.00) was approved afterwards; 2026-01 retained 999.00.
    2026: retained up to 2026-12 = 60.00 + 100.00 + 250.50 + 80.00 + 19.50 + 999.00 = 1,509.00,
    released before = 430.00 → 1,079.00 (999.00 for January, 80.00 carried)."""
    year_end_settle(actor=finance, year=2025)
    Statement.objects.filter(rep=rep, period="2025-03").update(status="approved")
    year_end_settle(actor=finance, year=2026)
    statement = year_end(rep, 2026)
    assert statement.payable_amount == D("1079.00")
    assert [(step, amount) for step, _text, amount in lines(statement)] == [
        (Step.RETAINED, D("999.00")),
        (Step.RETAINED, D("80.00")),
        (Step.RELEASE, D("1079.00")),
    ]


def test_a_draft_whose_balance_is_gone_is_refreshed_to_zero(finance, rep):
    approved = month(rep, "2025-02", "approved", "50.00")
    year_end_settle(actor=finance, year=2025)
    Statement.objects.filter(pk=approved.pk).update(retained_amount=D("0.00"), payable_amount=D("1000.00"))
    year_end_settle(actor=finance, year=2025)
    statement = year_end(rep)
    assert statement.payable_amount == D("0.00")
    assert [(step, amount) for step, _text, amount in lines(statement)] == [(Step.RELEASE, D("0.00"))]


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_only_finance_and_admins_settle(everyone, who):
    with pytest.raises(PermissionDenied):
        year_end_settle(actor=everyone[who], year=2025)


def test_a_year_still_to_come_is_refused(finance):
    from django.utils import timezone

    with pytest.raises(ValidationError) as refused:
        year_end_settle(actor=finance, year=timezone.localdate().year + 1)
    assert "year" in refused.value.message_dict


def test_a_year_end_statement_is_one_per_rep_and_year_beside_the_december_monthly(year_2025, finance, rep):
    december = Statement.objects.get(rep=rep, period="2025-12", kind="monthly")
    year_end_settle(actor=finance, year=2025)
    assert set(Statement.objects.filter(rep=rep, period="2025-12").values_list("kind", flat=True)) == {
        "monthly",
        "year_end",
    }
    december.refresh_from_db()
    assert december.retained_amount == D("19.50")  # the monthly statement itself is untouched
