"""Promotional materials (物料, SPEC §14): the catalogue, what is issued to dealers and what they count.

A count records what the dealer holds and reports as used up to its date; its variance is
issued (up to the date) − used − counted, flagged when beyond 5 % of what was issued (compared exactly:
``|variance| × 100 > 5 × issued``; with nothing issued, any variance is flagged).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funds import policies
from funds.models import FundRequest, Material, MaterialCount, MaterialIssue
from funds.policies import MATERIAL_VARIANCE_LIMIT
from funds.selectors import issued_up_to
from partners.models import Dealer

MATERIAL_FIELDS = ("code", "name", "unit", "unit_cost", "active")


@transaction.atomic
def material_save(*, actor, material: Material | None = None, **fields: Any) -> Material:
    policies.require(policies.may_manage_materials(actor))
    material = material or Material()
    for name, value in fields.items():
        if name not in MATERIAL_FIELDS:
            raise ValueError(f"Not a material field: {name}")
        setattr(material, name, value)
    material.full_clean()
    material.save()
    return material


def _not_future(day: date, errors: dict) -> None:
    if day is not None and day > timezone.localdate():
        errors["date"] = _("The date cannot be in the future.")


@transaction.atomic
def material_issue(
    *,
    actor,
    dealer: Dealer,
    material: Material,
    quantity: Decimal,
    day: date,
    request: FundRequest | None = None,
) -> MaterialIssue:
    policies.require(
        policies.may_issue_materials(actor, dealer), _("Only the dealer's channel manager issues materials to it.")
    )
    errors: dict = {}
    _not_future(day, errors)
    if not material.active:
        errors["material"] = _("%(material)s is no longer handed out.") % {"material": material}
    if request is not None and request.dealer_id != dealer.pk:
        errors["request"] = _("The fund request must be one of this dealer's.")
    if errors:
        raise ValidationError(errors)
    issue = MaterialIssue(
        dealer=dealer, material=material, quantity=quantity, date=day, request=request, issued_by=actor
    )
    issue.full_clean()
    issue.save()
    return issue


def variance_of(issued: Decimal, used: Decimal, counted: Decimal) -> tuple[Decimal, bool]:
    """(issued − used − counted, beyond the limit?)."""
    variance = issued - used - counted
    if issued == 0:
        return variance, variance != 0
    return variance, abs(variance) * 100 > MATERIAL_VARIANCE_LIMIT * issued


@transaction.atomic
def material_count_record(
    *,
    actor,
    dealer: Dealer,
    material: Material,
    day: date,
    counted_quantity: Decimal,
    used_quantity: Decimal,
) -> MaterialCount:
    policies.require(
        policies.may_count_materials(actor, dealer),
        _("Only the dealer's rep, its channel manager or an admin counts its materials."),
    )
    errors: dict = {}
    _not_future(day, errors)
    if errors:
        raise ValidationError(errors)
    issued = issued_up_to(dealer.pk, material.pk, day)
    variance, flagged = variance_of(issued, used_quantity or Decimal(0), counted_quantity or Decimal(0))
    count = MaterialCount(
        dealer=dealer,
        material=material,
        date=day,
        counted_quantity=counted_quantity,
        used_quantity=used_quantity,
        issued_quantity=issued,
        variance=variance,
        variance_flagged=flagged,
        counted_by=actor,
    )
    # the once-a-day constraint is answered below on ``date`` (full_clean would say it without a field)
    count.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            count.save()
    except IntegrityError:
        raise ValidationError(
            {
                "date": _("%(material)s was already counted at this dealer on %(date)s.")
                % {"material": material, "date": day.isoformat()}
            }
        ) from None
    return count
