"""Targets (目标责任书, SPEC §5): a rep's figures for a month, ``proposed`` → ``approved`` → ``acknowledged``.

Who does what (SPEC §2 row "targets"; docs/kpi/targets.md):

* a rep proposes their own (bottom-up); a manager sets one for a rep of their team (top-down), which is
  ``proposed`` too, with the manager as ``proposed_by``; an admin may do either for any field rep;
* while ``proposed``, its proposer, the rep's manager or an admin may change it;
* the rep's manager (or an admin) approves it and may change the figures in the same step — but never
  its proposer nor its rep (segregation of duties): a target a manager set themselves is approved by an
  admin (another manager cannot see it);
* the rep acknowledges (signs off) an approved target.

Money and rates are ``Decimal`` rounded half up to the cent. Only ``approved`` and ``acknowledged``
targets count for measures, scorecards and dashboards: read them with ``targets_for``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict
from channelhub.formatting import as_decimal
from channelhub.notifications.services import notify
from channelhub.periods import YEARS, Month
from channelhub.roles import Role, has_role
from channelhub.scoping import check_segregation
from kpi.models import ZERO, Target, TargetCategoryShare
from kpi.policies import can_acknowledge, can_propose, can_set_for, is_approver, may_change
from kpi.services.periods import check_open

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
#: The largest figures the columns hold (``max_digits`` 14 and 7; rates are capped at 1000 % by the model).
MAX_MONEY = Decimal("999999999999.99")
MAX_RATE = Decimal("1000")
MAX_COUNT = 2_147_483_647
FIGURES = ("sales_target", "expense_rate_target", "collection_rate_target", "new_dealers_target")
EVEN = "even"


# --- who may do what (for a target the user can already see) ---------------------------------------


# --- input ---------------------------------------------------------------------------------------


def to_cents(value: Any) -> Decimal | None:
    """A Decimal rounded half up to 0.01, or None when ``value`` is not a number."""
    number = as_decimal(value)
    return None if number is None else number.quantize(CENT, rounding=ROUND_HALF_UP)


def _clean_figures(given: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The figures of ``given`` (missing ones are left out) as stored; problems go into ``errors``."""
    clean: dict[str, Any] = {}
    if "sales_target" in given:
        amount = to_cents(given["sales_target"])
        if amount is None or not ZERO <= amount <= MAX_MONEY:
            errors["sales_target"] = _("Enter an amount of at least 0.00.")
        else:
            clean["sales_target"] = amount
    for name in ("expense_rate_target", "collection_rate_target"):
        if name in given:
            rate = to_cents(given[name])
            if rate is None or not ZERO <= rate <= MAX_RATE:
                errors[name] = _("Enter a percentage between 0 and 1000.")
            else:
                clean[name] = rate
    if "new_dealers_target" in given:
        count = as_decimal(given["new_dealers_target"])
        if count is None or count != count.to_integral_value() or not 0 <= count <= MAX_COUNT:
            errors["new_dealers_target"] = _("Enter a whole number of at least 0.")
        else:
            clean["new_dealers_target"] = int(count)
    return clean


def _clean_shares(shares: Iterable[Mapping[str, Any]] | None, errors: dict[str, str]) -> list[tuple[Any, Decimal]]:
    """Category-mix targets: each product line once, each share 0–100 %, together at most 100 %."""
    if shares is None:
        return []
    clean, seen = [], set()
    for row in shares:
        category, share = row.get("category"), to_cents(row.get("share"))
        if category is None or share is None or not ZERO <= share <= HUNDRED:
            errors["category_shares"] = _("Each category share is a percentage between 0 and 100.")
            return []
        if category.pk in seen:
            errors["category_shares"] = _("%(category)s is listed twice.") % {"category": category.name}
            return []
        seen.add(category.pk)
        clean.append((category, share))
    total = sum((share for _category, share in clean), ZERO)
    if total > HUNDRED:
        errors["category_shares"] = _("The category shares add up to %(total)s %%; they may not exceed 100 %%.") % {
            "total": total
        }
    return clean


def _replace_shares(target: Target, shares: list[tuple[Any, Decimal]]) -> None:
    target.category_shares.all().delete()
    TargetCategoryShare.objects.bulk_create(
        [TargetCategoryShare(target=target, category=category, share=share) for category, share in shares]
    )


def _parse_month(period: Any, errors: dict[str, str]) -> Month | None:
    try:
        return Month.parse(period)
    except ValidationError as error:
        errors["period"] = error.messages[0]
        return None


def _check_setter(actor, rep) -> None:
    if not can_propose(actor):
        raise PermissionDenied(_("Your role does not allow this."))
    if not has_role(rep, Role.FIELD_REP):
        raise ValidationError({"rep": _("Choose a field rep.")})
    if not can_set_for(actor, rep):
        raise PermissionDenied(_("You may set targets only for yourself or, as a manager, for your team."))


def _given(**figures) -> dict[str, Any]:
    """The figures a change names (``None``: left as it is)."""
    return {name: value for name, value in figures.items() if value is not None}


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _taken(rep, period: str) -> ValidationError:
    return ValidationError(
        {"period": _("%(rep)s already has a target for %(period)s.") % {"rep": display_name(rep), "period": period}}
    )


# --- the life cycle --------------------------------------------------------------------------------


@transaction.atomic
def target_propose(
    *,
    actor,
    rep,
    period: str,
    sales_target: Decimal | str,
    expense_rate_target: Decimal | str = ZERO,
    collection_rate_target: Decimal | str = ZERO,
    new_dealers_target: int = 0,
    category_shares: Iterable[Mapping[str, Any]] | None = None,
    comment: str = "",
) -> Target:
    """A new ``proposed`` target: the rep's own (bottom-up) or set by the rep's manager (top-down).

    One per rep and period (a second is a ValidationError on ``period``); a closed period refuses it (409).
    """
    _check_setter(actor, rep)
    errors: dict[str, str] = {}
    month = _parse_month(period, errors)
    given = (sales_target, expense_rate_target, collection_rate_target, new_dealers_target)
    figures = _clean_figures(dict(zip(FIGURES, given, strict=True)), errors)
    shares = _clean_shares(category_shares, errors)
    _raise(errors)
    check_open([month.first_day])
    if Target.objects.filter(rep=rep, period=str(month)).exists():
        raise _taken(rep, str(month))
    target = Target(rep=rep, period=str(month), proposed_by=actor, **figures)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:  # the same target proposed twice at once: the other one won
        raise _taken(rep, str(month)) from None
    _replace_shares(target, shares)
    Target.workflow.record_creation(target, by=actor, comment=comment)
    return target


def _locked(target: Target) -> Target:
    return Target.objects.select_for_update().get(pk=target.pk)


def _clean_changes(target: Target, given: tuple, category_shares) -> tuple[dict[str, Any], list[tuple[Any, Decimal]]]:
    """The figures (``given`` in the order of ``FIGURES``; None: left as it is) and shares a change or an
    approval gives ``target``, checked (400 naming every field at fault) and refused in a closed month (409)."""
    errors: dict[str, str] = {}
    figures = _clean_figures(_given(**dict(zip(FIGURES, given, strict=True))), errors)
    shares = _clean_shares(category_shares, errors)
    _raise(errors)
    check_open([Month.parse(target.period).first_day])
    return figures, shares


@transaction.atomic
def target_update(
    *,
    actor,
    target: Target,
    sales_target: Decimal | str | None = None,
    expense_rate_target: Decimal | str | None = None,
    collection_rate_target: Decimal | str | None = None,
    new_dealers_target: int | None = None,
    category_shares: Iterable[Mapping[str, Any]] | None = None,
) -> Target:
    """Change a proposed target's figures (``None``: unchanged) and, when given, replace its category shares.

    By its proposer, the rep's manager or an admin (else 403); once approved it is settled (409).
    """
    target = _locked(target)
    if not may_change(actor, target):
        raise PermissionDenied(_("Only the proposer, the rep's manager or an administrator may change a target."))
    if target.status != Target.Status.PROPOSED:
        raise Conflict(
            _("This target is “%(state)s”; only a proposed target can be changed.")
            % {"state": target.get_status_display()},
            current_state=target.status,
        )
    given = (sales_target, expense_rate_target, collection_rate_target, new_dealers_target)
    figures, shares = _clean_changes(target, given, category_shares)
    if not figures and category_shares is None:
        return target
    for name, value in figures.items():
        setattr(target, name, value)
    # saved even when only the shares change, so the history says who touched the target and when
    target.save(update_fields=[*figures, "updated_at"])
    if category_shares is not None:
        _replace_shares(target, shares)
    return target


@transaction.atomic
def target_approve(
    *,
    actor,
    target: Target,
    comment: str = "",
    sales_target: Decimal | str | None = None,
    expense_rate_target: Decimal | str | None = None,
    collection_rate_target: Decimal | str | None = None,
    new_dealers_target: int | None = None,
    category_shares: Iterable[Mapping[str, Any]] | None = None,
    now=None,
) -> Target:
    """Approve a proposed target, setting changed figures (top-down) in the same step and the same log entry.

    Refused (403) for its proposer and its rep (segregation of duties) and for anyone but the rep's
    manager or an admin; 409 unless ``proposed``. The rep is asked to acknowledge it.
    """
    check_segregation(actor=actor, proposed_by=target.proposed_by, beneficiary=target.rep)
    if not is_approver(actor, target):
        raise PermissionDenied(_("Only the rep's manager or an administrator approves a target."))
    given = (sales_target, expense_rate_target, collection_rate_target, new_dealers_target)
    figures, shares = _clean_changes(target, given, category_shares)
    changes = {**figures, "approved_by": actor, "approved_at": now or timezone.now()}
    Target.workflow.apply(target, "approve", by=actor, comment=comment, changes=changes)
    if category_shares is not None:
        _replace_shares(target, shares)
    notify(
        recipient=target.rep,
        key=f"target-approved:{target.pk}",
        kind="target.approved",
        params={"period": target.period},
        url=reverse("kpi:target-detail", args=[target.pk]),
    )
    return target


@transaction.atomic
def target_acknowledge(*, actor, target: Target, comment: str = "", now=None) -> Target:
    """The rep signs off an approved target (403 for anyone else, 409 unless ``approved``)."""
    if not can_acknowledge(actor, target):
        raise PermissionDenied(_("Only the rep whose target it is acknowledges it."))
    Target.workflow.apply(
        target, "acknowledge", by=actor, comment=comment, changes={"acknowledged_at": now or timezone.now()}
    )
    return target


# --- annual targets --------------------------------------------------------------------------------


def split(total_units: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_units`` (cents, dealers) in proportion to ``weights``, exactly.

    Each part is rounded down to a whole unit; the units left over (fewer than the parts with a weight)
    go one each to the last parts with a non-zero weight, December backwards. 100,000,000 cents in 12
    even parts: 8,333,333 each and 4 left, so September–December get 8,333,334.
    """
    weight_sum = sum(weights)
    parts = [total_units * weight // weight_sum for weight in weights]
    left = total_units - sum(parts)
    for index in reversed(range(len(weights))):
        if left == 0:
            break
        if weights[index]:
            parts[index] += 1
            left -= 1
    return parts


def _clean_distribution(distribution: str | Sequence[Any], errors: dict[str, str]) -> list[int] | None:
    """The weights of the twelve months in hundredths of a percent (even: twelve equal ones)."""
    if isinstance(distribution, str):
        if distribution == EVEN:
            return [1] * 12
        errors["distribution"] = _("Choose an even spread or give 12 percentages.")
        return None
    percentages = [to_cents(value) for value in distribution]
    if len(percentages) != 12:
        errors["percentages"] = _("Give 12 percentages, January to December.")
        return None
    if any(value is None or not ZERO <= value <= HUNDRED for value in percentages):
        errors["percentages"] = _("Each month's percentage lies between 0 and 100.")
        return None
    total = sum(percentages, ZERO)
    if total != HUNDRED:
        errors["percentages"] = _("The 12 percentages must add up to exactly 100; they add up to %(total)s.") % {
            "total": total
        }
        return None
    return [int(value * 100) for value in percentages]


@transaction.atomic
def targets_spread(
    *,
    actor,
    rep,
    year: int,
    sales_target: Decimal | str,
    expense_rate_target: Decimal | str = ZERO,
    collection_rate_target: Decimal | str = ZERO,
    new_dealers_target: int = 0,
    distribution: str | Sequence[Any] = EVEN,
    category_shares: Iterable[Mapping[str, Any]] | None = None,
    comment: str = "",
) -> list[Target]:
    """Propose the twelve monthly targets of ``year`` from annual figures, all or nothing.

    ``distribution`` is ``"even"`` or twelve percentages (January first) adding up to exactly 100.
    The sales target and the new dealers are split exactly (``split``); the two rates and the category
    shares are the same every month. Months that already have a target refuse the whole spread, naming them.
    """
    _check_setter(actor, rep)
    errors: dict[str, str] = {}
    if isinstance(year, bool) or not isinstance(year, int) or year not in YEARS:
        errors["year"] = _("Enter a year such as 2026.")
    given = (sales_target, expense_rate_target, collection_rate_target, new_dealers_target)
    figures = _clean_figures(dict(zip(FIGURES, given, strict=True)), errors)
    weights = _clean_distribution(distribution, errors)
    shares = _clean_shares(category_shares, errors)
    _raise(errors)
    months = [Month(year, number) for number in range(1, 13)]
    check_open(month.first_day for month in months)
    taken = sorted(Target.objects.filter(rep=rep, period__in=[str(m) for m in months]).values_list("period", flat=True))
    if taken:
        raise ValidationError(
            {
                "year": _("%(rep)s already has targets for %(periods)s; change those months one by one.")
                % {"rep": display_name(rep), "periods": ", ".join(taken)}
            }
        )
    cents = split(int(figures["sales_target"] * 100), weights)
    dealers = split(figures["new_dealers_target"], weights)
    if not comment:
        comment = (
            _("Spread evenly from the annual target for %(year)s.")
            if distribution == EVEN
            else _("Spread by monthly percentages from the annual target for %(year)s.")
        ) % {"year": year}
    made = []
    for month, month_cents, month_dealers in zip(months, cents, dealers, strict=True):
        target = Target(
            rep=rep,
            period=str(month),
            proposed_by=actor,
            sales_target=Decimal(month_cents).scaleb(-2),
            expense_rate_target=figures["expense_rate_target"],
            collection_rate_target=figures["collection_rate_target"],
            new_dealers_target=month_dealers,
        )
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise _taken(rep, str(month)) from None
        _replace_shares(target, shares)
        Target.workflow.record_creation(target, by=actor, comment=comment)
        made.append(target)
    return made


# --- reads -----------------------------------------------------------------------------------------
