"""A dealer's month of stock (进销存月报, SPEC §16): the report form (the dealer's rep or an admin, on a phone), the
month's page with its lines, flags and state log, and its Confirm and Return buttons (the dealer's manager).

``<pk>`` is the dealer's and ``<period>`` the month (``YYYY-MM``): a dealer out of scope, a malformed month or one
that has not begun answer 404. Each view: parse → scope → call ``inventory.services.reports`` → render.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from channelhub.audit import state_logs
from channelhub.errors import DomainError
from channelhub.pages import posted
from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import get_scoped_or_404, scope
from inventory import policies, selectors
from inventory.forms import ReportChoiceForm, ReturnForm, StockLineForm
from inventory.models import StockReport
from inventory.services.reports import (
    ReportErrors,
    month_confirm,
    month_reports,
    month_return,
    report_input,
    reports_write,
)
from partners.models import Dealer

MONTH_TEMPLATE = "inventory/month.html"
#: State changes of the month's lines this close together, by one person with one comment, read as one.
SAME_MOMENT = timedelta(seconds=60)


def dealer_of(request, pk: int) -> Dealer:
    return get_scoped_or_404(request.user, Dealer.objects.select_related("territory", "owner"), pk=pk)


def month_of(period: str) -> Month:
    """The month of the URL; malformed or not begun yet: 404."""
    try:
        month = Month.parse(period)
    except ValidationError:
        raise Http404 from None
    if month > Month.current():
        raise Http404
    return month


def month_url(dealer_id: int, month) -> str:
    return reverse("inventory:month", args=[dealer_id, str(month)])


def form_url(dealer_id: int, month) -> str:
    return reverse("inventory:report-form", args=[dealer_id, str(month)])


# --- the report form ---------------------------------------------------------------------------------------


def _line_forms(request, dealer: Dealer, month: Month, stored: dict[int, StockReport]) -> list[StockLineForm]:
    """A form per line the dealer reports, and per other line it reported this month (kept in the line's order)."""
    lines = selectors.report_lines(dealer)
    known = {line.pk for line in lines}
    lines += [report.product_line for report in stored.values() if report.product_line_id not in known]
    previous = selectors.previous_closings(dealer, month)
    data = posted(request)
    return [
        StockLineForm(data, line=line, stored=stored.get(line.pk), previous=previous.get(line.pk)) for line in lines
    ]


def _write(request, dealer: Dealer, month: Month, forms: list[StockLineForm]) -> str | None:
    """Write the lines typed in (all or nothing); the messages land on the lines' fields. Answers where to go."""
    writing = [form for form in forms if not form.confirmed and not form.is_blank()]
    if not writing:
        return gettext("Enter at least one line: a line left blank is not reported.")
    rows = [report_input(dealer, month, form.line, form.cleaned_data) for form in writing]
    try:
        result = reports_write(actor=request.user, rows=rows, source=StockReport.Source.FORM)
    except ReportErrors as errors:
        for index, fields in errors.by_row.items():
            writing[index].add_row_errors(fields)
        return gettext("Nothing was saved: correct the lines marked below.")
    except (DomainError, PermissionDenied) as refused:
        return str(refused)
    messages.success(
        request,
        gettext("Stock report of %(dealer)s for %(period)s saved: %(count)s lines.")
        % {"dealer": dealer.name, "period": month, "count": len(result.reports)},
    )
    return None


def report_form_page(request, pk: int, period: str):
    """GET: a card per product line, prefilled with the stored report, else the opening from the line's report
    before. POST: ``reports_write`` with the lines typed in; each refusal on its line and field, nothing saved."""
    user = request.user
    dealer = dealer_of(request, pk)
    month = month_of(period)
    policies.require(
        policies.may_report_for(user, dealer), gettext("Only the dealer's rep or an admin enters its stock reports.")
    )
    stored = {report.product_line_id: report for report in month_reports(dealer, month)}
    if stored and selectors.month_state(stored.values()) == StockReport.Status.CONFIRMED:
        messages.info(
            request, gettext("The stock report of %(period)s is confirmed and no longer changes.") % {"period": month}
        )
        return redirect(month_url(dealer.pk, month))
    forms = _line_forms(request, dealer, month, stored)
    status, error = 200, None
    if request.method == "POST":
        status = 400
        if all(form.is_valid() for form in forms):
            error = _write(request, dealer, month, forms)
            if error is None:
                return redirect(month_url(dealer.pk, month))
        else:
            error = gettext("Nothing was saved: correct the lines marked below.")
    context = {
        "dealer": dealer,
        "month": month,
        "forms": forms,
        "error": error,
        "returned": [report for report in stored.values() if report.status == StockReport.Status.RETURNED],
        "month_url": month_url(dealer.pk, month),
    }
    return render(request, "inventory/report_form.html", context, status=status)


def report_choose_page(request):
    """The rep's chooser (``?dealer=&period=``): to the form of that dealer's month; a bad choice back to the
    stock health list with the reason."""
    user = request.user
    policies.require(policies.may_report(user))
    form = ReportChoiceForm(request.GET or None, dealers=chooser_dealers(user))
    if form.is_valid():
        return redirect(form_url(form.cleaned_data["dealer"].pk, form.cleaned_data["period"]))
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("inventory:health")


def chooser_dealers(user):
    """The dealers whose reports ``user`` enters: a rep's own (not terminated); an admin's, every dealer."""
    dealers = scope(user, Dealer).exclude(status=Dealer.Status.TERMINATED).order_by("code")
    return dealers if has_role(user, Role.ADMIN) else dealers.filter(owner=user)


def chooser_form(user) -> ReportChoiceForm | None:
    """The chooser of a rep's pages, with last month filled in; None for other roles."""
    if not has_role(user, Role.FIELD_REP):
        return None
    return ReportChoiceForm(dealers=chooser_dealers(user), initial={"period": str(Month.current().previous())})


# --- the month ---------------------------------------------------------------------------------------------


def _month_log(reports: list[StockReport]) -> list:
    """The state changes of the month's lines, oldest first, those of one act on several lines (a month
    confirmed at once) read as one row naming the lines — one query."""
    logs = state_logs(StockReport.workflow, reports)
    names = {report.pk: report.product_line.name for report in reports}
    changes = sorted(
        (change for report in reports for change in logs[report.pk]), key=lambda change: (change.at, change.pk)
    )
    merged: list = []
    for change in changes:
        last = merged[-1] if merged else None
        same = (
            last is not None
            and (last.transition, last.by_id, last.comment, last.to_state)
            == (change.transition, change.by_id, change.comment, change.to_state)
            and change.at - last.at <= SAME_MOMENT
        )
        if same:
            last.lines.append(names[change.object_id])
            continue
        change.lines = [names[change.object_id]]
        merged.append(change)
    return merged


def _month_context(request, dealer: Dealer, month: Month, return_form: ReturnForm | None = None) -> dict:
    user = request.user
    reports = list(
        selectors.stock_report_list(user).filter(dealer=dealer, period=str(month)).order_by("product_line__code")
    )
    state = selectors.month_state(reports)
    submitted = [report for report in reports if report.status == StockReport.Status.SUBMITTED]
    may_confirm = any(policies.may_confirm(user, report) for report in submitted)
    return {
        "dealer": dealer,
        "month": month,
        "reports": reports,
        "state": state,
        "return_reasons": sorted({report.return_reason for report in reports if report.return_reason}),
        "may_confirm": may_confirm,
        # the dealer's manager (or an admin) who submitted the lines: why there is no button
        "segregation_note": bool(submitted)
        and not may_confirm
        and policies.confirms_for(user, dealer)
        and any(report.submitted_by_id == user.pk for report in submitted),
        "may_report": policies.may_report_for(user, dealer) and state != StockReport.Status.CONFIRMED,
        "return_form": return_form or ReturnForm(auto_id="return_%s"),
        "opened": return_form is not None,
        "state_log": _month_log(reports),
        "form_url": form_url(dealer.pk, month),
        "previous_month": month.previous(),
        "next_month": month.next() if month.next() <= Month.current() else None,
    }


def month_page(request, pk: int, period: str):
    dealer = dealer_of(request, pk)
    month = month_of(period)
    return render(request, MONTH_TEMPLATE, _month_context(request, dealer, month))


def _decide(request, pk: int, period: str):
    """The dealer and month of a Confirm or Return: 404 out of scope, 403 for a role that never decides it."""
    dealer = dealer_of(request, pk)
    month = month_of(period)
    policies.require(
        policies.confirms_for(request.user, dealer),
        gettext("Only the dealer's channel manager confirms or returns its stock report."),
    )
    return dealer, month


def month_confirm_page(request, pk: int, period: str):
    """POST: confirm every submitted line of the month; the state (409) and segregation of duties come back as an
    error message on the month's page. A GET goes back to it."""
    dealer, month = _decide(request, pk, period)
    back = month_url(dealer.pk, month)
    if request.method != "POST":
        return redirect(back)
    try:
        confirmed = month_confirm(actor=request.user, dealer=dealer, period=month)
    except (DomainError, PermissionDenied) as refused:
        messages.error(request, str(refused))
        return redirect(back)
    if confirmed:
        messages.success(
            request,
            gettext("Stock report of %(dealer)s for %(period)s confirmed.") % {"dealer": dealer.name, "period": month},
        )
    else:
        messages.error(request, gettext("No line of this month waits for confirmation."))
    return redirect(back)


def month_return_page(request, pk: int, period: str):
    """POST ``reason``: return every submitted line to the rep; no reason: the month's page again (400) with the
    form open and its error."""
    dealer, month = _decide(request, pk, period)
    back = month_url(dealer.pk, month)
    if request.method != "POST":
        return redirect(back)
    form = ReturnForm(request.POST, auto_id="return_%s")
    if form.is_valid():
        try:
            returned = form.run(month_return, actor=request.user, dealer=dealer, period=month, **form.cleaned_data)
        except (DomainError, PermissionDenied) as refused:
            messages.error(request, str(refused))
            return redirect(back)
        if returned:
            messages.success(
                request,
                gettext("Stock report of %(dealer)s for %(period)s returned to the rep.")
                % {"dealer": dealer.name, "period": month},
            )
            return redirect(back)
        if returned is not None:
            messages.error(request, gettext("No line of this month waits for confirmation."))
            return redirect(back)
    context = _month_context(request, dealer, month, return_form=form)
    return render(request, MONTH_TEMPLATE, context, status=400)
