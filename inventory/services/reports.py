"""Writing stock reports (SPEC §16): a dealer's month by the form, one report or a list by the API, a file by
the import — every way through ``reports_write``, all or nothing.

Rules, each refused with the row, the field and the figure expected:

* every quantity and amount but the adjustment is 0 or more; an adjustment needs a reason;
* ``closing = opening + received − sold + adjustment``, for quantities and for amounts; a closing below 0
  is negative stock and refused as such;
* the opening is the closing of the line's previous report (the latest earlier month the dealer reported the
  line; none yet: any opening is the first); a report that a later month opens from keeps its closing;
* a confirmed report no longer changes; a month that has not begun cannot be reported.

Writing the same figures again changes nothing (a re-import adds nothing). What each written report derives is
stored with it (``derive``): our net sales for the line and month and ``receipt_mismatch``, days of stock and
the flags ``overstock``, ``stockout`` and ``slow_moving``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.db import copy_rows_with_ids, rows_where, supports_copy, update_rows
from channelhub.errors import Conflict, RowErrors
from channelhub.formatting import round_cent
from channelhub.periods import Month
from inventory import notifications, policies
from inventory.models import StockReport
from kpi.selectors import dealer_line_month_sales
from partners.models import Dealer, ProductLine

ZERO = Decimal("0")
CENT = Decimal("0.01")
#: What a quantity or amount column holds (14 digits, 2 of them decimals).
LIMIT = Decimal("1000000000000")
QUANTITIES = ("opening_qty", "received_qty", "sold_qty", "adjustment_qty", "closing_qty")
AMOUNTS = ("opening_amount", "received_amount", "sold_amount", "adjustment_amount", "closing_amount")
FIGURES = QUANTITIES + AMOUNTS
TEXTS = ("adjustment_reason", "adjustment_note")
#: Days of stock above this flag ``overstock``.
OVERSTOCK_DAYS = Decimal("60")
#: A received amount further than this share (%) from our net sales flags ``receipt_mismatch``.
RECEIPT_TOLERANCE = Decimal("5")
#: Months of sell-out the average daily sell-out is taken over (this month and the ones before it).
SELL_OUT_MONTHS = 3
#: Months without sell-out that make a line with stock ``slow_moving``.
SLOW_MONTHS = 2
DERIVED = (
    "expected_received_amount",
    "receipt_mismatch",
    "days_of_stock",
    "overstock",
    "stockout",
    "slow_moving",
)


class ReportErrors(RowErrors):
    """Reports that break the rules, by the index of each in the rows given (``channelhub.errors.RowErrors``)."""


@dataclass
class ReportInput:
    """One report as given: its dealer, month and line, its figures (Decimals) and adjustment texts."""

    dealer: Dealer
    period: Month
    product_line: ProductLine
    figures: dict[str, Decimal]
    adjustment_reason: str = ""
    adjustment_note: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.dealer.pk, self.product_line.pk)

    def values(self) -> dict[str, Any]:
        return {
            **{name: self.figures.get(name, ZERO) for name in FIGURES},
            "adjustment_reason": self.adjustment_reason,
            "adjustment_note": self.adjustment_note,
        }


@dataclass
class WriteResult:
    created: list[StockReport] = field(default_factory=list)
    updated: list[StockReport] = field(default_factory=list)
    unchanged: list[StockReport] = field(default_factory=list)

    @property
    def reports(self) -> list[StockReport]:
        return self.created + self.updated + self.unchanged


def report_input(
    dealer: Dealer, period: Month | str, product_line: ProductLine, values: Mapping[str, Any]
) -> ReportInput:
    """A ``ReportInput`` from already-typed values (a form's or a serializer's cleaned data)."""
    figures = {name: Decimal(values.get(name) if values.get(name) not in (None, "") else ZERO) for name in FIGURES}
    return ReportInput(
        dealer=dealer,
        period=period if isinstance(period, Month) else Month.parse(period),
        product_line=product_line,
        figures=figures,
        adjustment_reason=str(values.get("adjustment_reason") or ""),
        adjustment_note=str(values.get("adjustment_note") or "").strip(),
    )


def plain(value: Decimal) -> str:
    """A figure as the messages name it: ``12.50`` → ``12.5``, ``30.00`` → ``30``."""
    return format(value.normalize(), "f") if value else "0"


# --- the rules ---------------------------------------------------------------------------------------------


def _figure_errors(row: ReportInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    for name in FIGURES:
        if (
            not name.startswith("adjustment")
            and name not in ("closing_qty", "closing_amount")
            and row.figures[name] < 0
        ):
            errors[name].append(_("Enter 0 or more."))
    adjusted = row.figures["adjustment_qty"] or row.figures["adjustment_amount"]
    if adjusted and not row.adjustment_reason:
        errors["adjustment_reason"].append(_("Say why the stock was adjusted."))
    if row.adjustment_reason and row.adjustment_reason not in StockReport.AdjustmentReason.values:
        errors["adjustment_reason"].append(_("Choose a reason from the list."))
    for opening, received, sold, adjustment, closing in (QUANTITIES, AMOUNTS):
        f = row.figures
        expected = f[opening] + f[received] - f[sold] + f[adjustment]
        if expected < 0:
            errors[closing].append(
                _("Stock cannot be negative: opening + received − sold + adjustment comes to %(expected)s.")
                % {"expected": plain(expected)}
            )
        elif f[closing] < 0:
            errors[closing].append(_("Stock cannot be negative."))
        elif f[closing] != expected:
            errors[closing].append(
                _("Should be %(expected)s: opening + received − sold + adjustment.") % {"expected": plain(expected)}
            )
    return errors


#: The reports of the dealers and lines being written, by (dealer, line) and period: what is stored, with what
#: this write puts in its place.
Book = defaultdict[tuple[int, int], dict[str, StockReport]]


def _load_book(rows: list[ReportInput]) -> Book:
    """The stored reports the rows' rules and derived figures read — three queries whatever the number of rows:
    every report of the rows' dealers from ``SELL_OUT_MONTHS`` before the first month given to the last, and,
    for continuity across a gap, the latest report before that window of each dealer and line."""
    dealer_ids = sorted({row.dealer.pk for row in rows})
    first = min(row.period for row in rows)
    for _n in range(SELL_OUT_MONTHS - 1):
        first = first.previous()
    stored: Book = defaultdict(dict)
    window = StockReport.objects.filter(period__gte=str(first)).order_by()
    for report in rows_where(window, "dealer_id", dealer_ids):
        stored[(report.dealer_id, report.product_line_id)][report.period] = report
    latest = (
        StockReport.objects.filter(period__lt=str(first))
        .values("dealer_id", "product_line_id")
        .annotate(latest=Max("period"))
        .order_by()
    )
    wanted = {
        (row["dealer_id"], row["product_line_id"], row["latest"]) for row in rows_where(latest, "dealer_id", dealer_ids)
    }
    if wanted:
        periods = {period for _d, _l, period in wanted}
        earlier = StockReport.objects.filter(period__in=periods).order_by()
        for report in rows_where(earlier, "dealer_id", dealer_ids):
            if (report.dealer_id, report.product_line_id, report.period) in wanted:
                stored[(report.dealer_id, report.product_line_id)][report.period] = report
    return stored


def _continuity_errors(row: ReportInput, months: dict[str, StockReport]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = defaultdict(list)
    period = str(row.period)
    earlier = [p for p in months if p < period]
    if earlier:
        previous = months[max(earlier)]
        for name, closing in (("opening_qty", "closing_qty"), ("opening_amount", "closing_amount")):
            if row.figures[name] != getattr(previous, closing):
                errors[name].append(
                    _("Should be %(expected)s: the closing of %(period)s.")
                    % {"expected": plain(getattr(previous, closing)), "period": previous.period}
                )
    later = [p for p in months if p > period]
    if later:
        following = months[min(later)]
        for name, opening in (("closing_qty", "opening_qty"), ("closing_amount", "opening_amount")):
            if row.figures[name] != getattr(following, opening):
                errors[name].append(
                    _("Should stay %(expected)s: the report of %(period)s opens with it.")
                    % {"expected": plain(getattr(following, opening)), "period": following.period}
                )
    return errors


def _same(report: StockReport, row: ReportInput) -> bool:
    return all(getattr(report, name) == value for name, value in row.values().items())


def _check(rows: list[ReportInput], book: Book, today_month: Month) -> dict[int, dict[str, list[str]]]:
    """Every row's errors, the rows of one dealer and line taken month by month so that a list can hold a
    line's history (each month's opening checked against the closing given for the month before)."""
    by_row: dict[int, dict[str, list[str]]] = {}
    seen: set[tuple[int, int, str]] = set()
    given = {(*row.key, str(row.period)) for row in rows}
    order = sorted(range(len(rows)), key=lambda index: (rows[index].key, rows[index].period))
    for index in order:
        row = rows[index]
        errors = _figure_errors(row)
        slot = (*row.key, str(row.period))
        if slot in seen:
            errors["product_line"].append(_("This line is given twice for this dealer and month."))
        seen.add(slot)
        if row.period > today_month:
            errors["period"].append(_("%(period)s has not begun yet.") % {"period": row.period})
        months = book[row.key]
        stored = months.get(str(row.period))
        if stored is not None and stored.status == StockReport.Status.CONFIRMED and not _same(stored, row):
            errors["period"].append(
                _("The report of %(period)s is confirmed and no longer changes.") % {"period": row.period}
            )
        if not errors:
            # a later month given in the same write is checked against this one (as its earlier month)
            others = {p: r for p, r in months.items() if p != str(row.period)}
            others = {p: r for p, r in others.items() if p < str(row.period) or (*row.key, p) not in given}
            for name, messages in _continuity_errors(row, others).items():
                errors[name].extend(messages)
        if errors:
            by_row[index] = dict(errors)
        else:
            # later rows of this line read this month as the write leaves it
            months[str(row.period)] = _draft(stored, row)
    return by_row


def _draft(stored: StockReport | None, row: ReportInput) -> StockReport:
    report = StockReport(dealer=row.dealer, period=str(row.period), product_line=row.product_line, **row.values())
    if stored is not None:
        report.pk, report.status, report.submitted_by_id = stored.pk, stored.status, stored.submitted_by_id
        report.submitted_at, report.created_at, report.source = stored.submitted_at, stored.created_at, stored.source
        report._stored = stored
    return report


# --- the derived figures -----------------------------------------------------------------------------------


def derive(report: StockReport, months: Mapping[str, StockReport], our_sales: Decimal | None) -> dict[str, Any]:
    """What ``report`` derives, from the reports of its dealer and line (``months``: period → report) and our
    net sales to the dealer for the line and month (``None`` for a dealer that buys through a parent).

    * receipt: |received − our sales| × 100 > 5 × |our sales| flags ``receipt_mismatch`` (exact, unrounded);
    * days of stock = closing × days of the months averaged ÷ their sell-out, the months being this one and
      the two before it that the dealer reported (fewer with less history); nothing sold: no figure;
    * ``overstock``: days of stock above 60 (exactly: closing × days > 60 × sold);
    * ``stockout``: closing 0 with sell-out in the month;
    * ``slow_moving``: stock left and no sell-out this month nor the month before (both reported).
    """
    month = Month.parse(report.period)
    window = [month]
    for _n in range(SELL_OUT_MONTHS - 1):
        window.append(window[-1].previous())
    reported = [(m, report if m == month else months.get(str(m))) for m in window]
    reported = [(m, r) for m, r in reported if r is not None]
    sold = sum((r.sold_qty for _m, r in reported), ZERO)
    days = sum(((m.last_day - m.first_day).days + 1 for m, _r in reported), 0)
    closing = report.closing_qty
    days_of_stock = None
    overstock = False
    if sold > 0:
        days_of_stock = (closing * days / sold).quantize(Decimal("0.1"))
        overstock = closing * days > OVERSTOCK_DAYS * sold
    previous = months.get(str(month.previous()))
    slow = closing > 0 and report.sold_qty == 0 and previous is not None and previous.sold_qty == 0
    if our_sales is None:
        mismatch = False
    else:
        mismatch = abs(report.received_amount - our_sales) * 100 > RECEIPT_TOLERANCE * abs(our_sales)
    return {
        "expected_received_amount": our_sales,
        "receipt_mismatch": mismatch,
        "days_of_stock": days_of_stock,
        "overstock": overstock,
        "stockout": closing == 0 and report.sold_qty > 0,
        "slow_moving": slow,
    }


def _our_sales(reports: Iterable[StockReport], dealers: Mapping[int, Dealer]) -> dict[tuple[int, int, str], Decimal]:
    direct = {r.dealer_id for r in reports if dealers[r.dealer_id].parent_id is None}
    periods = [Month.parse(r.period) for r in reports if r.dealer_id in direct]
    if not periods:
        return {}
    return dealer_line_month_sales(direct, min(periods), max(periods))


def _apply_derived(reports: list[StockReport], book: Book, dealers: Mapping[int, Dealer]) -> None:
    sales = _our_sales(reports, dealers)
    for report in reports:
        buys_direct = dealers[report.dealer_id].parent_id is None
        our = (
            sales.get((report.dealer_id, report.product_line_id, report.period), Decimal("0.00"))
            if buys_direct
            else None
        )
        months = book[(report.dealer_id, report.product_line_id)]
        for name, value in derive(report, months, our).items():
            setattr(
                report, name, round_cent(value) if name == "expected_received_amount" and value is not None else value
            )


# --- writing -----------------------------------------------------------------------------------------------


def _require_reporter(actor, rows: list[ReportInput]) -> None:
    for dealer in {row.dealer.pk: row.dealer for row in rows}.values():
        policies.require(
            policies.may_report_for(actor, dealer),
            _("Only the dealer's rep or an admin enters its stock reports."),
        )


BATCH = 2_000


@transaction.atomic
def reports_write(*, actor, rows: list[ReportInput], source: str = StockReport.Source.FORM) -> WriteResult:
    """Write ``rows`` (new reports, corrections of unconfirmed ones), all or nothing: ``ReportErrors`` with every
    bad row, nothing written. A returned report written again is submitted again; identical rows are left alone."""
    result = WriteResult()
    if not rows:
        return result
    _require_reporter(actor, rows)
    book = _load_book(rows)
    errors = _check(rows, book, Month.current())
    if errors:
        raise ReportErrors(errors)
    now = timezone.now()
    dealers = {row.dealer.pk: row.dealer for row in rows}
    written: list[StockReport] = []
    for row in rows:
        report = book[row.key][str(row.period)]
        stored = getattr(report, "_stored", None)
        if stored is not None and _same(stored, row) and stored.status != StockReport.Status.RETURNED:
            book[row.key][str(row.period)] = stored
            result.unchanged.append(stored)
            continue
        if stored is None:
            report.status = StockReport.Status.SUBMITTED
            report.source = source
            report.submitted_by, report.submitted_at = actor, now
        written.append(report)
    # later reports (up to the sell-out window) read the written months: their derived figures follow
    followers = _followers(written, book)
    _apply_derived(written + followers, book, {**dealers, **_dealers_of(followers, dealers)})
    new = [r for r in written if r.pk is None]
    changed = [r for r in written if r.pk is not None]
    try:
        with transaction.atomic():
            if supports_copy():
                copy_rows_with_ids(StockReport, new)  # 100,000 lines of an import: COPY, not INSERTs
            else:
                StockReport.objects.bulk_create(new, batch_size=BATCH)
    except IntegrityError:
        slots = {(r.dealer_id, r.product_line_id, r.period) for r in new}
        taken = StockReport.objects.filter(
            dealer_id__in={s[0] for s in slots}, period__in={s[2] for s in slots}
        ).values_list("dealer_id", "product_line_id", "period")
        if slots & set(taken):
            raise Conflict(_("Someone else wrote one of these reports at the same moment; load them again.")) from None
        raise
    result.created = new
    for report in changed:
        stored = report._stored
        returned = stored.status == StockReport.Status.RETURNED
        report.submitted_by, report.submitted_at = actor, now
        report.save()
        if returned:
            StockReport.workflow.apply(report, "resubmit", by=actor, changes={"return_reason": ""})
        result.updated.append(report)
    if followers:
        update_rows(StockReport, followers, list(DERIVED))
    return result


def _followers(written: list[StockReport], book: Book) -> list[StockReport]:
    """Stored reports of the written lines in the months after them whose sell-out window holds a written month."""
    written_slots = {(r.dealer_id, r.product_line_id, r.period) for r in written}
    found: dict[int, StockReport] = {}
    for report in written:
        month = Month.parse(report.period)
        for _n in range(SELL_OUT_MONTHS - 1):
            month = month.next()
            follower = book[(report.dealer_id, report.product_line_id)].get(str(month))
            slot = (report.dealer_id, report.product_line_id, str(month))
            if follower is not None and follower.pk is not None and slot not in written_slots:
                found[follower.pk] = follower
    return list(found.values())


def _dealers_of(reports: list[StockReport], known: Mapping[int, Dealer]) -> dict[int, Dealer]:
    missing = {r.dealer_id for r in reports} - set(known)
    return {dealer.pk: dealer for dealer in Dealer.objects.filter(pk__in=missing)} if missing else {}


# --- confirming and returning --------------------------------------------------------------------------------


def _locked(report: StockReport) -> StockReport:
    return (
        StockReport.objects.select_for_update(of=("self",))
        .select_related("dealer", "dealer__territory", "product_line")
        .get(pk=report.pk)
    )


def _require_confirmer(actor, locked: StockReport) -> None:
    policies.require(
        policies.confirms_for(actor, locked.dealer),
        _("Only the dealer's channel manager confirms or returns its stock report."),
    )
    if locked.status == StockReport.Status.SUBMITTED:
        refusal = policies.confirm_refusal(actor, locked)
        policies.require(refusal is None, refusal)


def _confirm_locked(actor, locked: list[StockReport], comment: str) -> list[StockReport]:
    """Confirm ``locked`` (rows already locked, dealer and line joined): the role first (403), then, for those
    that can be confirmed, the lines' earlier months (409) and the derived figures read again in one pass —
    queries for the whole list, not per line."""
    for report in locked:
        _require_confirmer(actor, report)
    confirmable = [report for report in locked if StockReport.workflow.can(report, "confirm")]
    if confirmable:
        before = Q(pk__in=[])
        for report in confirmable:
            before |= Q(dealer_id=report.dealer_id, product_line_id=report.product_line_id, period__lt=report.period)
        earlier = (
            StockReport.objects.filter(before)
            .exclude(status=StockReport.Status.CONFIRMED)
            .order_by("period")
            .values_list("period", flat=True)
            .first()
        )
        if earlier is not None:
            raise Conflict(
                _("Confirm the report of %(period)s first: this one opens from it.") % {"period": earlier},
                current_state=confirmable[0].status,
            )
        book = _load_book([ReportInput(r.dealer, Month.parse(r.period), r.product_line, {}) for r in confirmable])
        _apply_derived(confirmable, book, {r.dealer_id: r.dealer for r in confirmable})
    now = timezone.now()
    for report in locked:
        changes = {name: getattr(report, name) for name in DERIVED}
        StockReport.workflow.apply(
            report,
            "confirm",
            by=actor,
            comment=comment,
            changes={**changes, "confirmed_by": actor, "confirmed_at": now},
        )
    return locked


@transaction.atomic
def report_confirm(*, actor, report: StockReport, comment: str = "") -> StockReport:
    """submitted → confirmed (the dealer's manager, not the submitter), after the line's earlier months; our
    net sales and the flags are read again, as they stand when the report is confirmed."""
    return _confirm_locked(actor, [_locked(report)], comment)[0]


@transaction.atomic
def report_return(*, actor, report: StockReport, reason: Any) -> StockReport:
    """submitted → returned with a reason (the dealer's manager, not the submitter): 403, then 409, then 400."""
    locked = _locked(report)
    _require_confirmer(actor, locked)
    reason = str(reason or "").strip()
    if not reason and StockReport.workflow.can(locked, "return"):
        raise ValidationError({"reason": _("Say what has to be corrected.")})
    StockReport.workflow.apply(locked, "return", by=actor, comment=reason, changes={"return_reason": reason})
    # one notification per dealer's month: its lines were submitted together (the key holds the moment)
    notifications.report_returned(locked)
    return locked


def month_reports(dealer: Dealer, period: Month | str) -> list[StockReport]:
    return list(
        StockReport.objects.filter(dealer=dealer, period=str(period))
        .select_related("product_line")
        .order_by("product_line__code")
    )


@transaction.atomic
def month_confirm(*, actor, dealer: Dealer, period: Month | str, comment: str = "") -> list[StockReport]:
    """Confirm every submitted line of the dealer's month (the page's one button), all or nothing."""
    locked = list(
        StockReport.objects.select_for_update(of=("self",))
        .select_related("dealer", "dealer__territory", "product_line")
        .filter(dealer=dealer, period=str(period), status=StockReport.Status.SUBMITTED)
        .order_by("product_line__code")
    )
    return _confirm_locked(actor, locked, comment)


@transaction.atomic
def month_return(*, actor, dealer: Dealer, period: Month | str, reason: Any) -> list[StockReport]:
    reports = [r for r in month_reports(dealer, period) if r.status == StockReport.Status.SUBMITTED]
    return [report_return(actor=actor, report=report, reason=reason) for report in reports]
