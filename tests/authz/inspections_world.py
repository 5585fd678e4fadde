"""Inspections in the authorization matrix's world (``tests.authz.world``), written as rows:

* for each of rep's, rep_peer's and other_rep's dealers a done inspection with a failed item (its note names
  the world: MINE-INSP, PEER-INSP, LEAK-INSP) and that item's open rectification, and a complaint (MINE-COMPLAINT
  …) assigned to the dealer's rep. rep's is inspected by the ``inspector`` (it is theirs), rep_peer's by
  ``manager``, other_rep's by ``other_manager`` — with a price item seen at 987,654.32 (another team's figure);
* a PLANNED MYSTERY inspection of rep's dealer by the inspector (``world["mine"]["mystery"]``), one of its items
  already answered with the note MINE-MYSTERY: rep must get 404 on it everywhere and never read that marker.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from inspections.models import ChecklistItem, ChecklistTemplate, Complaint, Inspection, InspectionResult, Rectification
from inspections.texts import ensure_shipped_templates

D = Decimal
#: The shipped template every inspection of the world uses, and its item that fails.
TEMPLATE = "display"
FAILED = "tidy"  # no photo required: a rectification answered with a note alone


def _price_template(lines: dict) -> ChecklistTemplate:
    """A template with a check and a kitchen price item (other_rep's inspection sees the leak figure there)."""
    template = ChecklistTemplate.objects.create(code="authz-price", name="AUTHZ 价格")
    ChecklistItem.objects.create(template=template, code="tidy", text="货架整洁", weight=D("50"), position=0)
    ChecklistItem.objects.create(
        template=template,
        code="price_kitchen",
        text="终端售价不低于最低限价",
        kind=ChecklistItem.Kind.PRICE,
        product_line=lines["kitchen"],
        weight=D("50"),
        position=10,
    )
    return template


def _done(dealer, template, inspector, tag: str, price: Decimal | None = None) -> dict:
    now, today = timezone.now(), timezone.localdate()
    inspection = Inspection.objects.create(
        dealer=dealer,
        template=template,
        kind=Inspection.Kind.ROUTINE,
        inspector=inspector,
        planned_on=today - timedelta(days=1),
        done_at=now - timedelta(hours=2),
        score=D("80.0"),
        status=Inspection.Status.DONE,
        created_by=inspector,
    )
    results = {}
    for item in template.items.all():
        failed = item.code == FAILED
        results[item.code] = InspectionResult.objects.create(
            inspection=inspection,
            item=item,
            result=InspectionResult.Result.FAIL if failed else InspectionResult.Result.PASS,
            note=f"{tag}-INSP 货架缺货" if failed else "",
            observed_price=price if item.kind == ChecklistItem.Kind.PRICE else None,
            answered_by=inspector,
            answered_at=now - timedelta(hours=3),
        )
    rectification = Rectification.objects.create(
        inspection=inspection,
        result=results[FAILED],
        dealer=dealer,
        critical=False,
        due_date=today + timedelta(days=7),
    )
    complaint = Complaint.objects.create(
        dealer=dealer,
        source=Complaint.Source.CONSUMER,
        category=Complaint.Category.QUALITY,
        description=f"{tag}-COMPLAINT 消费者投诉产品质量",
        received_at=now - timedelta(hours=1),
        assignee=dealer.owner,
        created_by=dealer.owner,
    )
    return {
        "inspection": inspection,
        "inspection_result": results[FAILED],
        "rectification": rectification,
        "complaint": complaint,
    }


def _mystery(dealer, template, inspector) -> Inspection:
    mystery = Inspection.objects.create(
        dealer=dealer,
        template=template,
        kind=Inspection.Kind.MYSTERY,
        inspector=inspector,
        planned_on=timezone.localdate(),
        sample_seed="authz",
        created_by=inspector,
    )
    for item in template.items.all():
        answered = item.position == 0
        InspectionResult.objects.create(
            inspection=mystery,
            item=item,
            result=InspectionResult.Result.PASS if answered else "",
            note="MINE-MYSTERY 暗访记录" if answered else "",
            answered_by=inspector if answered else None,
            answered_at=timezone.now() if answered else None,
        )
    return mystery


def add_inspections(world: dict, people: dict, lines: dict) -> None:
    ensure_shipped_templates()  # a live-server test before this one flushed the database
    display = ChecklistTemplate.objects.get(code=TEMPLATE)
    world["mine"] |= _done(world["mine"]["dealer"], display, people["inspector"], "MINE")
    world["mine"]["mystery"] = _mystery(world["mine"]["dealer"], display, people["inspector"])
    world["peer"] |= _done(world["peer"]["dealer"], display, people["manager"], "PEER")
    world["leak"] |= _done(
        world["leak"]["dealer"], _price_template(lines), people["other_manager"], "LEAK", price=D("987654.32")
    )
    world["reference"]["checklist_template"] = display


def settle_inspections(world: dict, people: dict) -> None:
    """rep's inspection reviewed, its rectification verified, its complaint resolved (the mystery stays
    planned: hidden is its point)."""
    mine, now = world["mine"], timezone.now()
    Inspection.objects.filter(pk=mine["inspection"].pk).update(
        status=Inspection.Status.REVIEWED, reviewed_by=people["manager"], reviewed_at=now
    )
    Rectification.objects.filter(pk=mine["rectification"].pk).update(
        status=Rectification.Status.VERIFIED,
        answer_note="已整改",
        answered_by=people["rep"],
        answered_at=now,
        verified_by=people["inspector"],
        verified_at=now,
    )
    Complaint.objects.filter(pk=mine["complaint"].pk).update(
        status=Complaint.Status.RESOLVED,
        responded_at=now,
        response="已回复",
        resolved_at=now,
        resolution="已解决",
    )
    for key in ("inspection", "rectification", "complaint"):
        mine[key].refresh_from_db()
