"""The demo's inspections (``inspections.demo``) on the demo partners: idempotent, and the stories it promises —
rep1 never sees the planned mystery inspection of their terminal, and rep1's late complaint of this month counts
on their scorecard. (Slow: the demo partners take half a minute.)"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from channelhub.accounts.demo import seed_users
from channelhub.periods import Month
from inspections import demo
from inspections.models import ChecklistTemplate, Complaint, Inspection, Rectification
from inspections.selectors import complaints_late, inspection_list
from partners.demo import seed_partners

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def users():
    users = seed_users()
    seed_partners(users)
    return users


def counts() -> tuple:
    return (
        Inspection.objects.count(),
        Rectification.objects.count(),
        Complaint.objects.count(),
        sorted(Inspection.objects.values_list("pk", "status", "kind", "score", "done_at", "planned_on")),
        ChecklistTemplate.objects.get(code="price").items.count(),
    )


def test_seeding_twice_adds_nothing(users):
    line = demo.demo_step(users)
    before = counts()
    assert demo.demo_step(users) == line
    assert counts() == before
    done = Inspection.objects.filter(status=Inspection.Status.REVIEWED)
    assert done.count() == 12
    assert set(done.values_list("kind", flat=True)) == {"routine", "mystery", "quarterly"}
    assert set(done.values_list("template__code", flat=True)) == {"display", "price", "stock"}
    today = timezone.localdate()
    assert all(today - timedelta(days=92) <= i.done_at.date() <= today for i in done)
    assert Complaint.objects.count() == 8
    # the price template: a price item per demo product line, its weights adding up to exactly 100
    price = ChecklistTemplate.objects.get(code="price")
    assert price.items.aggregate(total=Sum("weight"))["total"] == Decimal("100")
    assert sorted(price.items.filter(kind="price").values_list("product_line__code", flat=True)) == [
        "hvac",
        "kitchen",
        "small-appliances",
        "water",
    ]


def test_the_stories_the_demo_tells(users):
    demo.demo_step(users)
    rep1, inspector1 = users["rep1"], users["inspector1"]
    # the mystery showcase: a failed critical item and a price below the minimum; one rectification verified,
    # one waiting for verification, one open and overdue
    showcase = Inspection.objects.get(kind="mystery", price_violation=True)
    assert showcase.critical_failed and showcase.score <= Decimal("59.0")
    assert showcase.dealer.owner == rep1
    assert sorted(showcase.rectifications.values_list("status", flat=True)) == ["open", "submitted", "verified"]
    overdue = showcase.rectifications.get(status="open")
    assert overdue.critical and overdue.is_overdue(timezone.localdate())
    # today's plans, and the planned mystery inspection of rep1's terminal that rep1 does not see
    today = timezone.localdate()
    planned = Inspection.objects.filter(status="planned", planned_on=today)
    assert set(planned.values_list("inspector__username", flat=True)) == {"inspector1", "manager1"}
    mystery = Inspection.objects.get(kind="mystery", status="planned")
    assert mystery.dealer.owner == rep1 and mystery.dealer.kind == "retail_terminal"
    assert not inspection_list(rep1).filter(pk=mystery.pk).exists()
    assert inspection_list(inspector1).filter(pk=mystery.pk).exists()
    assert inspection_list(rep1).filter(pk=showcase.pk).exists()  # done: visible now
    # complaints: two late, one open; rep1's late one counts on rep1's month (the scorecard's deduction)
    assert Complaint.objects.filter(late=True).count() == 2
    assert Complaint.objects.filter(status="received").count() == 1
    late = Complaint.objects.get(assignee=rep1, late=True)
    assert late.responded_at - late.received_at > timedelta(hours=5)
    month = Month.of(timezone.localdate(late.received_at))
    assert complaints_late(month, assignee_ids=[rep1.pk]) == {rep1.pk: 1}
    if timezone.localdate().day > 1:
        assert month == Month.current()
