"""Dealer writes: create, edit (reps: contact data only), qualification review, life-cycle moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict
from channelhub.notifications.services import notify, notify_role
from channelhub.roles import Role
from channelhub.scoping import check_segregation
from partners import policies
from partners.models import Dealer, DealerContact, ProductLine, QualificationReview, QualificationReviewItem
from partners.search import search_text_for

#: Fields a manager (or admin) may set on a dealer.
DEALER_FIELDS = (
    "code",
    "name",
    "legal_name",
    "kind",
    "tier",
    "territory",
    "owner",
    "parent",
    "address",
    "latitude",
    "longitude",
    "is_key_account",
)
#: What a manager (or admin) may also set through the API: the key-account pin of SPEC §16 (the 80/20 pass
#: leaves a pinned flag alone). Not on the dealer form nor in the dealer file.
PIN_FIELDS = ("key_account_pinned",)
#: What a rep may change on an own dealer ("edit contact data").
CONTACT_DATA_FIELDS = ("address",)
CONTACT_FIELDS = ("name", "title", "phone", "email", "is_primary")


def dealer_refresh_search_text(dealer: Dealer) -> None:
    dealer.search_text = search_text_for(code=dealer.code, name=dealer.name, legal_name=dealer.legal_name)


def _check_owner_and_parent(dealer: Dealer) -> None:
    from channelhub.roles import Role, roles_of

    errors = {}
    if dealer.owner is not None and Role.FIELD_REP not in roles_of(dealer.owner):
        errors["owner"] = _("The owner must be a field rep.")
    if dealer.parent is not None:
        if dealer.parent.pk == dealer.pk:
            errors["parent"] = _("A dealer cannot buy from itself.")
        elif dealer.parent.kind != Dealer.Kind.DISTRIBUTOR:
            errors["parent"] = _("A dealer buys from a distributor.")
    if errors:
        raise ValidationError(errors)


def _replace_contacts(dealer: Dealer, contacts: Iterable[Mapping[str, Any]]) -> None:
    rows = []
    errors = []
    for index, values in enumerate(contacts):
        contact = DealerContact(dealer=dealer, **{k: v for k, v in values.items() if k in CONTACT_FIELDS})
        try:
            contact.full_clean(exclude=["dealer"])
        except ValidationError as error:
            errors.append(
                _("Contact %(number)d: %(errors)s") % {"number": index + 1, "errors": "; ".join(error.messages)}
            )
        rows.append(contact)
    if errors:
        raise ValidationError({"contacts": errors})
    dealer.contacts.all().delete()
    DealerContact.objects.bulk_create(rows)


@transaction.atomic
def dealer_create(
    *,
    actor,
    contacts: Iterable[Mapping[str, Any]] = (),
    product_lines: Iterable[ProductLine] = (),
    **fields: Any,
) -> Dealer:
    """A new prospect. Managers create dealers only in their own territories."""
    unknown = set(fields) - set(DEALER_FIELDS) - set(PIN_FIELDS)
    if unknown:
        raise ValueError(f"Not dealer fields: {sorted(unknown)}")
    dealer = Dealer(**fields, status=Dealer.Status.PROSPECT)
    if dealer.territory_id is not None and not policies.can_create_in(actor, dealer.territory):
        raise ValidationError({"territory": _("You can only add dealers in your own territories.")})
    dealer.full_clean(exclude=["search_text"])
    _check_owner_and_parent(dealer)
    dealer_refresh_search_text(dealer)
    dealer.save()
    dealer.product_lines.set(product_lines)
    _replace_contacts(dealer, contacts)
    Dealer.workflow.record_creation(dealer, by=actor)
    return dealer


@transaction.atomic
def dealer_update(
    *,
    actor,
    dealer: Dealer,
    contacts: Iterable[Mapping[str, Any]] | None = None,
    product_lines: Iterable[ProductLine] | None = None,
    **fields: Any,
) -> Dealer:
    """Change a dealer. A rep may change only the address and contacts of an own dealer."""
    if policies.can_manage_dealer(actor, dealer):  # the role first: a forbidden role never meets the state check
        allowed = (*DEALER_FIELDS, *PIN_FIELDS)
    else:
        policies.require(policies.can_edit_contact_data(actor, dealer))
        allowed = CONTACT_DATA_FIELDS
        if product_lines is not None and set(product_lines) != set(dealer.product_lines.all()):
            raise ValidationError({"product_lines": _("You may not change this field.")})
    if dealer.status == Dealer.Status.TERMINATED:
        raise Conflict(_("A terminated dealer cannot be changed; it is kept for its history."))
    # Only what actually changes counts: a form or PUT may send unchanged values of other fields.
    fields = {name: value for name, value in fields.items() if getattr(dealer, name) != value}
    refused = set(fields) - set(allowed)
    if refused:
        raise ValidationError({name: _("You may not change this field.") for name in sorted(refused)})
    for name, value in fields.items():
        setattr(dealer, name, value)
    if "territory" in fields and not policies.can_create_in(actor, dealer.territory):
        raise ValidationError({"territory": _("You can only move dealers into your own territories.")})
    dealer.full_clean(exclude=["search_text"])
    _check_owner_and_parent(dealer)
    dealer_refresh_search_text(dealer)
    dealer.save()
    if product_lines is not None:
        dealer.product_lines.set(product_lines)
    if contacts is not None:
        _replace_contacts(dealer, contacts)
    return dealer


def _review_items(items: Iterable[Mapping[str, Any]]) -> list[QualificationReviewItem]:
    """Validate the checklist: known criteria once each, whole-number weights 1–100 summing to 100, scores 0–100."""
    criteria = set(QualificationReview.Criterion.values)
    parsed, errors, seen = [], [], set()
    for number, raw in enumerate(items, start=1):
        criterion = raw.get("criterion")
        try:
            weight, score = int(raw.get("weight")), int(raw.get("score"))
            if Decimal(str(raw.get("weight"))) != weight or Decimal(str(raw.get("score"))) != score:
                raise ValueError
        except (TypeError, ValueError, InvalidOperation):
            errors.append(_("Item %(number)d: weight and score must be whole numbers.") % {"number": number})
            continue
        if criterion not in criteria:
            errors.append(
                _("Item %(number)d: unknown criterion “%(criterion)s”.") % {"number": number, "criterion": criterion}
            )
        elif criterion in seen:
            errors.append(
                _("Item %(number)d: “%(criterion)s” appears twice.") % {"number": number, "criterion": criterion}
            )
        if not 1 <= weight <= 100:
            errors.append(_("Item %(number)d: the weight must be between 1 and 100.") % {"number": number})
        if not 0 <= score <= 100:
            errors.append(_("Item %(number)d: the score must be between 0 and 100.") % {"number": number})
        seen.add(criterion)
        parsed.append(QualificationReviewItem(criterion=criterion, weight=weight, score=score))
    if not errors and not parsed:
        errors.append(_("The checklist is empty."))
    if not errors and sum(item.weight for item in parsed) != 100:
        errors.append(
            _("The weights add up to %(total)d; they must add up to 100.") % {"total": sum(i.weight for i in parsed)}
        )
    if errors:
        raise ValidationError({"items": errors})
    return parsed


def review_total(items: Iterable[QualificationReviewItem]) -> Decimal:
    """Σ weight × score / 100, to two places."""
    return (sum(Decimal(i.weight) * Decimal(i.score) for i in items) / Decimal(100)).quantize(Decimal("0.01"))


@transaction.atomic
def dealer_submit_review(
    *, actor, dealer: Dealer, items: Iterable[Mapping[str, Any]], comment: str = ""
) -> QualificationReview:
    """prospect → under_review, with the qualification checklist (weights sum to 100)."""
    policies.require(policies.may_run_dealer_transition(actor, dealer, "submit_review"))
    parsed = _review_items(items)
    Dealer.workflow.apply(dealer, "submit_review", by=actor, comment=comment)
    review = QualificationReview.objects.create(
        dealer=dealer, submitted_by=actor, comment=comment, total_score=review_total(parsed)
    )
    for item in parsed:
        item.review = review
    QualificationReviewItem.objects.bulk_create(parsed)
    notify_role(
        Role.FINANCE,
        key=f"dealer-review-submitted:{review.pk}",
        kind="dealer.review_submitted",
        params={"dealer": dealer.name, "code": dealer.code, "by": display_name(actor)},
        url=reverse("partners:dealer-detail", args=[dealer.pk]),
        exclude=[actor],
    )
    return review


def _tell_review_decided(dealer: Dealer, review: QualificationReview, verdict: str) -> None:
    """The dealer's rep and the manager who submitted the review hear finance's decision."""
    recipients = {user.pk: user for user in (dealer.owner, review.submitted_by) if user is not None}
    for user in recipients.values():
        notify(
            recipient=user,
            key=f"dealer-review-decided:{review.pk}",
            kind="dealer.review_decided",
            params={
                "dealer": dealer.name,
                "code": dealer.code,
                "verdict": verdict,
                "reason": review.reason,
                "credit_limit": f"{review.credit_limit:.2f}" if review.credit_limit is not None else "",
            },
            url=reverse("partners:dealer-detail", args=[dealer.pk]),
        )


def _pending_review(dealer: Dealer) -> QualificationReview:
    # Not dealer.reviews: a prefetched relation may carry outer joins, which FOR UPDATE refuses.
    pending = QualificationReview.objects.filter(dealer=dealer, decision=QualificationReview.Decision.PENDING)
    review = pending.select_for_update().first()
    if review is None:  # only possible for data made outside the services
        raise Conflict(_("This dealer has no review waiting for a decision."))
    return review


def _credit_limit(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"credit_limit": _("Enter an amount such as 500000.00.")}) from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise ValidationError({"credit_limit": _("The credit limit must be between 0 and 999,999,999,999.99.")})
    return amount


@transaction.atomic
def dealer_approve_qualification(*, actor, dealer: Dealer, credit_limit: Any, comment: str = "") -> Dealer:
    """under_review → qualified by finance, setting the credit limit. Nobody approves their own submission."""
    policies.require(policies.may_run_dealer_transition(actor, dealer, "approve_qualification"))
    amount = _credit_limit(credit_limit)
    Dealer.workflow.apply(dealer, "approve_qualification", by=actor, comment=comment, changes={"credit_limit": amount})
    review = _pending_review(dealer)
    check_segregation(actor=actor, submitted_by=review.submitted_by)
    review.decision, review.decided_by, review.decided_at = QualificationReview.Decision.APPROVED, actor, timezone.now()
    review.credit_limit, review.reason = amount, comment
    review.save()
    _tell_review_decided(dealer, review, "approved")
    return dealer


@transaction.atomic
def dealer_reject_qualification(*, actor, dealer: Dealer, reason: str) -> Dealer:
    """under_review → prospect by finance, with the reason (required)."""
    policies.require(policies.may_run_dealer_transition(actor, dealer, "reject_qualification"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the qualification is rejected.")})
    Dealer.workflow.apply(dealer, "reject_qualification", by=actor, comment=reason)
    review = _pending_review(dealer)
    review.decision, review.decided_by, review.decided_at = QualificationReview.Decision.REJECTED, actor, timezone.now()
    review.reason = reason
    review.save()
    _tell_review_decided(dealer, review, "rejected")
    return dealer


@transaction.atomic
def dealer_transition(*, actor, dealer: Dealer, name: str, comment: str = "") -> Dealer:
    """suspend, reactivate or terminate (managers of the dealer's territory, admins)."""
    if name not in policies.MANAGE_TRANSITIONS - {"submit_review"}:
        raise ValueError(f"Use the dedicated service for {name!r}.")
    policies.require(policies.may_run_dealer_transition(actor, dealer, name))
    Dealer.workflow.apply(dealer, name, by=actor, comment=comment)
    return dealer
