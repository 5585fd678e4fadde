"""Planning, performing and reviewing inspections (SPEC §17).

* ``inspection_plan`` plans one (a result row per item of the template, answered later item by item);
  ``sample_mystery`` plans N mystery inspections of random active terminals of a territory not inspected in the
  last 90 days — the same seed, the same terminals.
* ``result_save`` records one item: pass, fail or na, a note, photos; for a price item the observed price,
  which the rule decides against the line's minimum price on the dealer's agreement (below it: fail and
  ``price_violation``; at it: pass). A failed item that requires a photo is refused without one.
* ``inspection_complete``: every item answered → ``done``, the score stored, a rectification opened per failed
  item (``rectifications.rectifications_open``), the dealer's managers told to review and the dealer's rep told
  of the rectifications (a mystery inspection becomes visible to the rep only now).
* ``inspection_review``: ``done → reviewed`` by the dealer's manager or an admin, never the inspector.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import RowErrors
from channelhub.roles import Role, has_role
from evidence.selectors import file_count, file_counts
from inspections import notifications, policies, selectors
from inspections.models import ChecklistTemplate, Inspection, InspectionResult, Rectification
from inspections.services.scoring import Scored, price_violates, score
from partners.models import Dealer, Territory
from partners.policies import covers

#: A terminal inspected (done) this many days ago or less is not sampled again.
SAMPLE_QUIET_DAYS = 90
#: At most this many terminals in one sample.
SAMPLE_MAX = 50


def template_refusal(template: ChecklistTemplate) -> str | None:
    """Why ``template`` cannot be used for a new inspection (inactive, or weights not summing to 100)."""
    if not template.is_active:
        return _("This checklist template is not in use.")
    total = template.items.aggregate(total=Sum("weight"))["total"] or Decimal("0")
    if total != Decimal("100"):
        return _("The weights of this checklist add up to %(total)s, not 100.") % {"total": total}
    return None


def _plan_rows(actor, *, dealer, template, kind, inspector, planned_on, sample_seed="") -> Inspection:
    inspection = Inspection.objects.create(
        dealer=dealer,
        template=template,
        kind=kind,
        inspector=inspector,
        planned_on=planned_on,
        sample_seed=sample_seed,
        created_by=actor,
    )
    InspectionResult.objects.bulk_create(
        [InspectionResult(inspection=inspection, item=item) for item in template.items.all()]
    )
    Inspection.workflow.record_creation(inspection, by=actor)
    return inspection


def _check_plan(actor, *, dealer: Dealer, template: ChecklistTemplate, inspector, planned_on: date) -> None:
    if (refusal := policies.plan_refusal(actor, dealer, inspector)) is not None:
        raise ValidationError({"inspector": refusal})
    if (refusal := template_refusal(template)) is not None:
        raise ValidationError({"template": refusal})
    if dealer.status != Dealer.Status.ACTIVE:
        raise ValidationError({"dealer": _("Only active dealers are inspected.")})
    if planned_on < timezone.localdate() - timedelta(days=1):
        raise ValidationError({"planned_on": _("An inspection is planned for today or later.")})


@transaction.atomic
def inspection_plan(
    actor, *, dealer: Dealer, template: ChecklistTemplate, kind: str, inspector=None, planned_on: date | None = None
) -> Inspection:
    """Plan an inspection of ``dealer`` by ``inspector`` (default: ``actor``) on ``planned_on`` (default: today)."""
    policies.require(policies.may_plan(actor))
    inspector = inspector or actor
    planned_on = planned_on or timezone.localdate()
    if kind not in Inspection.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of inspection.")})
    _check_plan(actor, dealer=dealer, template=template, inspector=inspector, planned_on=planned_on)
    inspection = _plan_rows(
        actor, dealer=dealer, template=template, kind=kind, inspector=inspector, planned_on=planned_on
    )
    if inspector.pk != actor.pk:
        notifications.inspection_planned(inspection)
    return inspection


def sample_candidates(territory: Territory, today: date) -> list[int]:
    """The IDs of the active terminals under ``territory`` with no inspection done in the last 90 days and
    none planned, in ID order (what a seed picks from)."""
    recent = Inspection.objects.filter(dealer=OuterRef("pk")).filter(
        Q(status=Inspection.Status.PLANNED) | Q(done_at__date__gt=today - timedelta(days=SAMPLE_QUIET_DAYS))
    )
    return list(
        Dealer.objects.filter(
            kind=Dealer.Kind.RETAIL_TERMINAL,
            status=Dealer.Status.ACTIVE,
            territory__path__startswith=territory.path,
        )
        .filter(~Exists(recent))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def sample_pick(candidates: list[int], count: int, seed: str) -> list[int]:
    """``count`` of ``candidates`` (all of them when fewer), the same for the same seed and candidates."""
    return sorted(random.Random(seed).sample(candidates, min(count, len(candidates))))


@transaction.atomic
def sample_mystery(
    actor,
    *,
    territory: Territory,
    count: int,
    template: ChecklistTemplate,
    inspector=None,
    planned_on: date | None = None,
    seed: str = "",
) -> tuple[list[Inspection], str]:
    """Plan mystery inspections of ``count`` random active terminals of ``territory`` for ``inspector``;
    answers the inspections and the seed (a new one when none was given)."""
    policies.require(policies.may_plan(actor))
    inspector = inspector or actor
    if not has_role(actor, Role.ADMIN) and not covers(actor, territory):
        raise ValidationError({"territory": _("Unknown territory.")})
    if not 1 <= count <= SAMPLE_MAX:
        raise ValidationError({"count": _("Sample between 1 and %(max)d terminals.") % {"max": SAMPLE_MAX}})
    if (refusal := template_refusal(template)) is not None:
        raise ValidationError({"template": refusal})
    planned_on = planned_on or timezone.localdate()
    seed = seed or secrets.token_hex(8)
    picked = sample_pick(sample_candidates(territory, timezone.localdate()), count, seed)
    dealers = Dealer.objects.select_related("territory").in_bulk(picked)
    inspections = []
    for dealer_id in picked:
        dealer = dealers[dealer_id]
        if (refusal := policies.plan_refusal(actor, dealer, inspector)) is not None:
            raise ValidationError({"inspector": refusal})
        inspections.append(
            _plan_rows(
                actor,
                dealer=dealer,
                template=template,
                kind=Inspection.Kind.MYSTERY,
                inspector=inspector,
                planned_on=planned_on,
                sample_seed=seed,
            )
        )
    if inspections and inspector.pk != actor.pk:
        notifications.mystery_sampled(inspector, len(inspections), planned_on)
    return inspections, seed


# --- results ------------------------------------------------------------------------------------------------


def _lock_planned(actor, inspection: Inspection) -> Inspection:
    inspection = Inspection.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=inspection.pk)
    if (refusal := policies.perform_refusal(actor, inspection)) is not None:
        raise refusal
    return inspection


@transaction.atomic
def result_save(
    actor,
    result: InspectionResult,
    *,
    value: str,
    note: str = "",
    observed_price: Decimal | None = None,
    photos: Iterable = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> InspectionResult:
    """Record one item of a planned inspection (again and again until it is completed: autosave)."""
    inspection = _lock_planned(actor, result.inspection)
    result = InspectionResult.objects.select_related("item", "item__product_line").get(pk=result.pk)
    item = result.item
    if value not in InspectionResult.Result.values:
        raise ValidationError({"result": _("Choose pass, fail or not applicable.")})
    errors = {}
    min_price = None
    if item.kind == item.Kind.PRICE:
        if observed_price is not None:
            if observed_price < 0 or observed_price.as_tuple().exponent < -2:
                errors["observed_price"] = _("Enter the price as an amount of at most two decimals.")
            min_price = selectors.min_price_for(inspection.dealer, item.product_line, timezone.localdate())
            if price_violates(observed_price, min_price):
                value = InspectionResult.Result.FAIL
            elif min_price is not None:
                value = InspectionResult.Result.PASS
        elif value != InspectionResult.Result.NA:
            errors["observed_price"] = _("Enter the price seen on the shelf, or mark the item not applicable.")
    elif observed_price is not None:
        errors["observed_price"] = _("Only a price item takes a price.")
    if errors:
        raise ValidationError(errors)
    photos = list(photos)
    if photos:
        from evidence.services import attachments_add

        attachments_add(actor=actor, obj=result, files=photos, latitude=latitude, longitude=longitude)
    if value == InspectionResult.Result.FAIL and item.requires_photo and not file_count(result):
        raise ValidationError({"photos": _("A failed “%(item)s” needs a photo.") % {"item": item}})
    result.result = value
    result.note = note
    result.observed_price = observed_price
    result.min_price = min_price
    result.price_violation = price_violates(observed_price, min_price)
    result.answered_by = actor
    result.answered_at = timezone.now()
    result.save()
    return result


@transaction.atomic
def results_save(actor, inspection: Inspection, answers: list[dict]) -> None:
    """Record several items of ``inspection`` at once, all or nothing: each answer is ``result_save``'s
    keywords with its ``result`` row (one of this inspection's). Raises ``RowErrors`` naming every refused answer
    by its index; then nothing is saved."""
    refused: dict[int, dict] = {}
    for index, answer in enumerate(answers):
        answer = dict(answer)
        row = answer.pop("result")
        row.inspection = inspection
        try:
            result_save(actor, row, **answer)
        except ValidationError as error:
            refused[index] = (
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            )
    if refused:
        raise RowErrors(refused)


def keep_photo_flags(obj: InspectionResult | Rectification, flags: set[str]) -> None:
    """``EvidenceTarget.flags_changed`` of item results and rectifications: the flags of their photos
    (``evidence``), kept on the row for whoever reviews or verifies it."""
    shown = sorted(flags & set(InspectionResult.PHOTO_FLAGS))
    if shown != list(obj.photo_flags):
        type(obj).objects.filter(pk=obj.pk).update(photo_flags=shown)
        obj.photo_flags = shown


# --- completing and reviewing -------------------------------------------------------------------------------


@transaction.atomic
def inspection_complete(
    actor, inspection: Inspection, *, latitude: Decimal | None = None, longitude: Decimal | None = None
) -> Inspection:
    """Every item answered → ``done``: score, flags, rectifications, and the next actors told."""
    from inspections.services.rectifications import rectifications_open

    inspection = _lock_planned(actor, inspection)
    results = list(inspection.results.select_related("item", "item__product_line"))
    unanswered = [result for result in results if not result.result]
    if unanswered:
        raise ValidationError(
            {
                "results": _("Answer every item first: %(items)s.")
                % {"items": ", ".join(str(result.item) for result in unanswered)}
            }
        )
    missing = [r for r in results if r.result == r.Result.FAIL and r.item.requires_photo]
    photos = file_counts(InspectionResult, [r.pk for r in missing])
    if without := [r for r in missing if not photos.get(r.pk)]:
        raise ValidationError({"photos": _("A failed “%(item)s” needs a photo.") % {"item": without[0].item}})
    failed = [r for r in results if r.result == r.Result.FAIL]
    now = timezone.now()
    Inspection.workflow.apply(
        inspection,
        "complete",
        by=actor,
        changes={
            "done_at": now,
            "score": score(Scored(r.result, r.item.weight, r.item.critical) for r in results),
            "price_violation": any(r.price_violation for r in results),
            "critical_failed": any(r.item.critical for r in failed),
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    rectifications = rectifications_open(inspection, failed, on=timezone.localdate(now))
    notifications.inspection_done(inspection, actor)
    if rectifications:
        notifications.rectifications_opened(inspection, rectifications)
    return inspection


@transaction.atomic
def inspection_review(actor, inspection: Inspection, *, note: str = "") -> Inspection:
    inspection = (
        Inspection.objects.select_for_update(of=("self",)).select_related("dealer__territory").get(pk=inspection.pk)
    )
    if (refusal := policies.review_refusal(actor, inspection)) is not None:
        raise PermissionDenied(refusal)
    Inspection.workflow.apply(
        inspection,
        "review",
        by=actor,
        comment=note,
        changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note},
    )
    return inspection
