"""Builders for the measures and scorecard tests: facts, targets, activations and visits, written
straight to the tables (the facts and targets services have tests of their own), and the July 2026
month that the full MBO and BSC scorecards are computed on by hand.

July 2026 of ``rep`` (``july(...)``):

* sales 100,000.00 (A1) + 50,000.00 (A2) − 30,000.00 (credit note, A1) = net sales 120,000.00;
  a June sale (9,999.00) and an August sale (8,888.00) lie outside the month;
* collections 90,000.00; expenses 13,200.00;
* approved target: sales 150,000.00, expense rate 10.00 %, collection rate 85.00 %, 2 new dealers;
* A3 activated on 15 July (A4 in June, A5 reactivated after a suspension in July: neither is new);
* 24 counted visits (monthly minimum 30): 20 maintenance, 2 trainings, 2 complaint visits; plus a
  complaint visit marked as a false report, which does not count;
* complaints (``inspections.Complaint``) assigned to the rep: one received 23 July 09:00 and responded
  to at 14:00 (5 h: late), one received 24 July 09:00 and responded to at 10:00 (1 h: in time).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from channelhub.periods import Month
from channelhub.workflow.models import StateChange
from kpi.models import Collection, Expense, SalesRecord, Target
from kpi.services.rollups import facts_rolled_up
from partners.models import Dealer
from tests.partners.world import qualify
from tests.visits.world import at, log
from visits.services.visits import visit_review

JULY = Month(2026, 7)
_references = itertools.count(1)


def _fact(model, rep, dealer, day, amount, **fields):
    """A fact written straight to its table, and to the roll-ups (as ``facts_record`` does)."""
    fields.setdefault("reference", f"T-{next(_references)}")
    fact = model.objects.create(rep=rep, dealer=dealer, date=day, amount=Decimal(amount), **fields)
    facts_rolled_up(model, [{"rep_id": fact.rep_id, "dealer_id": fact.dealer_id, "date": day, "amount": fact.amount}])
    return fact


def sale(rep, dealer, day, amount, **fields) -> SalesRecord:
    return _fact(SalesRecord, rep, dealer, day, amount, **fields)


def collection(rep, dealer, day, amount) -> Collection:
    return _fact(Collection, rep, dealer, day, amount)


def expense(rep, dealer, day, amount) -> Expense:
    return _fact(Expense, rep, dealer, day, amount)


def target(
    rep,
    period,
    sales,
    expense_rate="0",
    collection_rate="0",
    new_dealers=0,
    status=Target.Status.APPROVED,
    proposed_by=None,
) -> Target:
    return Target.objects.create(
        rep=rep,
        period=str(period),
        sales_target=Decimal(sales),
        expense_rate_target=Decimal(expense_rate),
        collection_rate_target=Decimal(collection_rate),
        new_dealers_target=new_dealers,
        status=status,
        proposed_by=proposed_by or rep,
    )


def activate(dealer: Dealer, manager, finance, when: datetime) -> Dealer:
    """qualified → active (as the first signed agreement does), logged at ``when``."""
    qualify(dealer, manager, finance)
    change = Dealer.workflow.apply(dealer, "activate", by=manager)
    StateChange.objects.filter(pk=change.pk).update(at=when)
    return dealer


def move_logged_change(dealer: Dealer, transition: str, when: datetime) -> None:
    StateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Dealer), object_id=dealer.pk, transition=transition
    ).update(at=when)


def july(d, rep, manager, finance) -> Target:
    """The July 2026 of ``rep`` described in the module's docstring; returns the approved target."""
    sale(rep, d["A1"], JULY.first_day, "100000.00")
    sale(rep, d["A2"], JULY.first_day + timedelta(days=9), "50000.00")
    sale(rep, d["A1"], JULY.last_day, "-30000.00")
    sale(rep, d["A1"], JULY.previous().last_day, "9999.00")
    sale(rep, d["A1"], JULY.next().first_day, "8888.00")
    collection(rep, d["A1"], JULY.first_day + timedelta(days=19), "90000.00")
    expense(rep, d["A1"], JULY.first_day + timedelta(days=4), "13200.00")
    july_target = target(rep, JULY, "150000.00", "10.00", "85.00", new_dealers=2, proposed_by=manager)

    activate(d["A3"], manager, finance, at(2026, 7, 15))
    activate(d["A4"], manager, finance, at(2026, 6, 30, 23, 50))
    activate(d["A5"], manager, finance, at(2026, 5, 10))
    Dealer.workflow.apply(d["A5"], "suspend", by=manager)
    Dealer.workflow.apply(d["A5"], "reactivate", by=manager)
    move_logged_change(d["A5"], "suspend", at(2026, 7, 1))
    move_logged_change(d["A5"], "reactivate", at(2026, 7, 20))

    dealers = [d[f"A{n}"] for n in range(1, 10)]
    for n in range(20):
        day = 1 + n  # 1–20 July
        log(rep, dealers[n % 9], at(2026, 7, day, 10))
    log(rep, d["A1"], at(2026, 7, 21, 9), kind="training")
    log(rep, d["A2"], at(2026, 7, 22, 9), kind="training")
    log(rep, d["A3"], at(2026, 7, 23, 9), kind="complaint", now=at(2026, 7, 23, 14))  # 5 h: late
    log(rep, d["A4"], at(2026, 7, 24, 9), kind="complaint", now=at(2026, 7, 24, 10))  # 1 h: in time
    false = log(rep, d["A5"], at(2026, 7, 25, 9), kind="complaint", now=at(2026, 7, 25, 20))
    visit_review(actor=manager, visit=false, name="mark_false", comment="门店当天未营业")
    complaint(rep, d["A3"], at(2026, 7, 23, 9), responded=at(2026, 7, 23, 14))  # 5 h: late
    complaint(rep, d["A4"], at(2026, 7, 24, 9), responded=at(2026, 7, 24, 10))  # 1 h: in time
    return july_target


def complaint(assignee, dealer, received, responded=None):
    """A complaint assigned to ``assignee``, received at ``received`` and responded to at ``responded``."""
    from inspections.models import Complaint
    from inspections.services.complaints import is_late

    return Complaint.objects.create(
        dealer=dealer,
        description="送货晚了",
        received_at=received,
        assignee=assignee,
        responded_at=responded,
        response="已回电" if responded else "",
        late=responded is not None and is_late(received, responded),
        status=Complaint.Status.RESPONDED if responded else Complaint.Status.RECEIVED,
    )
