"""Agreement writes: create, edit while not signed, submit, sign (exclusivity), terminate, renew, deposit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.fields import LAST_YEAR, validate_year
from channelhub.locking import KeySpace, hold_many
from partners import policies
from partners.models import Agreement, Dealer, ProductLine, validate_min_prices
from partners.selectors import conflicting_agreements
from partners.signals import deposit_confirmed

AGREEMENT_FIELDS = (
    "kind",
    "start_date",
    "end_date",
    "territory",
    "exclusive",
    "annual_sales_target",
    "rebate_program",
    "payment_terms_days",
    "deposit_amount",
    "deposit_received_on",
    "min_prices",
)
EDITABLE_STATES = (Agreement.Status.DRAFT, Agreement.Status.PENDING_APPROVAL)
#: Dealers with whom an agreement may be signed.
SIGNABLE_DEALER_STATES = (Dealer.Status.QUALIFIED, Dealer.Status.ACTIVE)

#: Signings that could clash wait for each other (keyed by a territory path and a product line).
SIGNING = KeySpace("agreement-signing")


# --- why an action is not possible now (None: it is) — the services raise these, pages show them ----


def edit_refusal(agreement: Agreement) -> Conflict | None:
    if agreement.status in EDITABLE_STATES:
        return None
    return Conflict(
        _("A %(state)s agreement cannot be changed; terminate or renew it instead.")
        % {"state": Agreement.Status(agreement.status).label},
        current_state=agreement.status,
    )


def renewal_refusal(agreement: Agreement) -> Conflict | None:
    if agreement.status not in (Agreement.Status.SIGNED, Agreement.Status.TERMINATED):
        return Conflict(
            _("Only a signed or terminated agreement can be renewed; this one is %(state)s.")
            % {"state": agreement.get_status_display()},
            current_state=agreement.status,
        )
    if renewal_of(agreement) is not None:
        return Conflict(_("%(agreement)s has already been renewed.") % {"agreement": agreement})
    return None


def renewal_of(agreement: Agreement) -> Agreement | None:
    """The agreement renewing this one (no query when ``renewal`` was selected with it)."""
    try:
        return agreement.renewal
    except Agreement.DoesNotExist:
        return None


def deposit_refusal(agreement: Agreement) -> Conflict | None:
    if agreement.deposit_received_on is None:
        return None
    return Conflict(_("The deposit was confirmed as received on %(date)s.") % {"date": agreement.deposit_received_on})


def _raise(refusal: Conflict | None) -> None:
    if refusal is not None:
        raise refusal


def clean_min_prices(value) -> dict[str, str]:
    """``{product line code: amount}`` as stored: each code a product line's, each amount not negative with at most
    two decimals, written with two (``"12.50"``); a line without a minimum is left out (an empty amount)."""
    if value in (None, ""):
        return {}
    given = (
        {code: amount for code, amount in value.items() if amount not in (None, "")}
        if isinstance(value, dict)
        else value
    )
    try:
        validate_min_prices(given)
    except ValidationError as error:
        raise ValidationError({"min_prices": error.messages}) from None
    known = set(ProductLine.objects.filter(code__in=list(given)).values_list("code", flat=True))
    for code in given:
        if code not in known:
            raise ValidationError({"min_prices": _("There is no product line “%(line)s”.") % {"line": code}})
    return {code: f"{Decimal(str(amount)):.2f}" for code, amount in sorted(given.items())}


def _check(agreement: Agreement, actor, *, named_program_id: int | None = None) -> None:
    """The agreement's own rules, the territories the actor may grant, and a rebate program in use — unless it
    is ``named_program_id``, the one the agreement named already (taking a program out of use leaves the
    agreements that name it as they are)."""
    agreement.full_clean(exclude=["dealer", "previous"])
    if agreement.territory_id and not policies.can_create_in(actor, agreement.territory):
        raise ValidationError({"territory": _("You can only grant territories you cover.")})
    program = agreement.rebate_program if agreement.rebate_program_id else None
    if program is not None and not program.is_active and program.pk != named_program_id:
        raise ValidationError(
            {
                "rebate_program": _("The rebate program “%(program)s” is out of use; choose one in use.")
                % {"program": program.name}
            }
        )


@transaction.atomic
def agreement_create(
    *,
    actor,
    dealer: Dealer,
    product_lines: Iterable[ProductLine] = (),
    previous: Agreement | None = None,
    **fields: Any,
) -> Agreement:
    policies.require(policies.can_manage_dealer(actor, dealer))
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not agreement fields: {sorted(unknown)}")
    if dealer.status == Dealer.Status.TERMINATED:
        raise Conflict(_("Dealer %(dealer)s is terminated; it cannot get a new agreement.") % {"dealer": dealer})
    if "min_prices" in fields:
        fields["min_prices"] = clean_min_prices(fields["min_prices"])
    agreement = Agreement(dealer=dealer, previous=previous, **fields)
    _check(agreement, actor)
    agreement.save()
    agreement.product_lines.set(product_lines)
    Agreement.workflow.record_creation(agreement, by=actor)
    return agreement


@transaction.atomic
def agreement_update(
    *, actor, agreement: Agreement, product_lines: Iterable[ProductLine] | None = None, **fields: Any
) -> Agreement:
    """Change an agreement that is not signed yet (draft or pending approval)."""
    policies.require(policies.can_manage_agreement(actor, agreement))
    stored = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _raise(edit_refusal(stored))
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not agreement fields: {sorted(unknown)}")
    if "min_prices" in fields:
        fields["min_prices"] = clean_min_prices(fields["min_prices"])
    for name, value in fields.items():
        setattr(agreement, name, value)
    _check(agreement, actor, named_program_id=stored.rebate_program_id)
    agreement.save()
    if product_lines is not None:
        agreement.product_lines.set(product_lines)
    return agreement


@transaction.atomic
def agreement_submit(*, actor, agreement: Agreement, comment: str = "") -> Agreement:
    policies.require(policies.can_manage_agreement(actor, agreement))
    if not agreement.product_lines.exists():
        raise ValidationError({"product_lines": _("Name at least one product line before submitting.")})
    Agreement.workflow.apply(agreement, "submit", by=actor, comment=comment)
    return agreement


def signing_keys(agreement: Agreement):
    """The (territory path, product line) keys a signing of ``agreement`` locks (a generator: read only
    where locks are taken). Two agreements clash only when one's territory is the other's or an
    ancestor of it and they share a product line; each signing locks its territory and every ancestor
    for each of its lines, so two that could clash share the key of the higher territory and signings
    elsewhere do not wait for each other."""
    paths = agreement.territory.ancestor_paths()
    return ((path, line) for line in agreement.product_lines.values_list("pk", flat=True) for path in paths)


def _serialise_signing(agreement: Agreement) -> None:
    """Two signings that could clash must not pass the exclusivity check side by side."""
    hold_many(SIGNING, signing_keys(agreement))


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement, comment: str = "") -> Agreement:
    """pending_approval → signed. Refused when an exclusive conflict exists; activates a qualified dealer."""
    policies.require(policies.can_manage_agreement(actor, agreement))
    _serialise_signing(agreement)
    dealer = Dealer.objects.select_for_update().get(pk=agreement.dealer_id)
    if dealer.status not in SIGNABLE_DEALER_STATES:
        raise Conflict(
            _("Dealer %(dealer)s is %(state)s; an agreement can be signed only with a qualified or active dealer.")
            % {"dealer": dealer, "state": dealer.get_status_display()},
            current_state=dealer.status,
        )
    if agreement.exclusive:
        other = conflicting_agreements(agreement).select_related("dealer").first()
        if other is not None:
            raise Conflict(
                _(
                    "Exclusivity conflict: %(other)s of dealer %(dealer)s (%(start)s – %(end)s) already covers "
                    "this territory for a shared product line."
                )
                % {"other": other, "dealer": other.dealer, "start": other.start_date, "end": other.end_date},
                conflicting_agreement=other.pk,
            )
    Agreement.workflow.apply(agreement, "sign", by=actor, comment=comment, changes={"signed_at": timezone.now()})
    if dealer.status == Dealer.Status.QUALIFIED:
        Dealer.workflow.apply(
            dealer, "activate", by=actor, note="first_agreement_signed", note_params={"number": agreement.pk}
        )
    agreement.dealer = dealer
    return agreement


@transaction.atomic
def agreement_terminate(*, actor, agreement: Agreement, comment: str = "") -> Agreement:
    policies.require(policies.can_manage_agreement(actor, agreement))
    Agreement.workflow.apply(agreement, "terminate", by=actor, comment=comment)
    return agreement


def renewal_dates(start: date, end: date) -> tuple[date, date]:
    """The next term: from the day after ``end``, as long as this one (in months and days where it can)."""
    length = relativedelta(end + timedelta(days=1), start)
    new_start = end + timedelta(days=1)
    return new_start, new_start + length - timedelta(days=1)


@transaction.atomic
def agreement_renew(*, actor, agreement: Agreement) -> Agreement:
    """Copy a signed (or ended) agreement into a new draft starting the day after it ends. A rebate program out of
    use is not carried over: the renewal names none, for the manager to choose one in use."""
    policies.require(policies.can_manage_agreement(actor, agreement))
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _raise(renewal_refusal(locked))
    try:
        start, end = renewal_dates(locked.start_date, locked.end_date)
        validate_year(end)
    except (ValidationError, OverflowError):
        raise ValidationError(
            {"end_date": _("A renewal would end after the year %(last)d: it cannot be made.") % {"last": LAST_YEAR}}
        ) from None
    fields = {name: getattr(locked, name) for name in AGREEMENT_FIELDS if name != "deposit_received_on"}
    fields.update(start_date=start, end_date=end)
    if locked.rebate_program_id and not locked.rebate_program.is_active:
        fields["rebate_program"] = None
    return agreement_create(
        actor=actor, dealer=locked.dealer, product_lines=locked.product_lines.all(), previous=locked, **fields
    )


@transaction.atomic
def agreement_confirm_deposit(*, actor, agreement: Agreement, received_on: date) -> Agreement:
    """Finance records that the credit deposit (信誉保证金) arrived."""
    policies.require(policies.can_confirm_deposit(actor))
    _raise(deposit_refusal(Agreement.objects.select_for_update().get(pk=agreement.pk)))
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date cannot be in the future.")})
    agreement.deposit_received_on = received_on
    agreement.save(update_fields=["deposit_received_on", "updated_at"])
    deposit_confirmed.send(sender=Agreement, agreement=agreement, actor=actor)
    return agreement
