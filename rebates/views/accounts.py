"""Dealer-account pages (往来账, SPEC §15): one dealer's statement of account of a month with its aging and the
rebate of the year, and the aging report by territory (with its CSV and XLSX). ``<pk>`` is the dealer's; a
dealer the user may not see answers 404. Reps read their own dealers', managers their territories', finance
and admins every dealer's (SPEC §2 row "rebates, dealer accounts")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone

from channelhub.forms import style_fields
from channelhub.pages import download, paginate, requested_format
from channelhub.periods import Month
from channelhub.roles import require_role
from channelhub.scoping import get_scoped_or_404
from partners.models import Dealer
from rebates import accounts
from rebates.account_exports import aging_export, aging_filename
from rebates.account_filters import AgingFilterForm, month_of
from rebates.account_links import statement_links
from rebates.accounts_registry import READERS
from rebates.selectors import dealer_rebate_year


def account_page(request, pk: int):
    """``?period=YYYY-MM`` (this month by default): the statement of account with each figure's rows, the aging
    at the month's end (today for this month) and the rebate of the year to date."""
    user = request.user
    require_role(user, *READERS)
    dealer = get_scoped_or_404(user, Dealer.objects.select_related("territory", "owner"), pk=pk)
    period_error = None
    try:
        month = month_of(request.GET.get("period"))
    except ValidationError as error:
        month, period_error = Month.current(), " ".join(error.message_dict["period"])
    today = timezone.localdate()
    as_of = min(month.last_day, today)
    aging = accounts.dealer_aging(dealer.pk, as_of)
    context = {
        "dealer": dealer,
        "month": month,
        "period_error": period_error,
        "statement": accounts.statement_of_account(dealer.pk, month),
        "links": statement_links(dealer.pk, month),
        "aging": aging,
        "buckets": [(accounts.BUCKET_LABELS[key], aging.buckets[key]) for key in accounts.BUCKET_KEYS],
        "rebate_year": dealer_rebate_year(dealer.pk, today),
        "previous_month": month.previous(),
        "next_month": month.next() if month.next().first_day <= today else None,
    }
    return render(request, "rebates/account.html", context)


def aging_page(request):
    """``?territory=ID&dealer=ID&min_overdue=&as_of=YYYY-MM-DD`` (``&format=csv|xlsx`` downloads it): per
    territory and per dealer, the receivable by days past due, with the totals of every bucket."""
    user = request.user
    require_role(user, *READERS)
    form = AgingFilterForm(request.GET or None)
    style_fields(form)
    if form.is_bound and not form.is_valid():
        report = accounts.empty_report()  # the form says what is wrong; no rows rather than all of them
    else:
        report = accounts.aging_report(user, **(form.report_arguments() if form.is_bound else {}))
    if "format" in request.GET:
        file_format = requested_format(request)
        return download(aging_export(report, file_format), file_format, aging_filename(report, file_format))
    context = {
        "form": form,
        "report": report,
        "bucket_labels": [accounts.BUCKET_LABELS[key] for key in accounts.BUCKET_KEYS],
        "page_obj": paginate(request, report["rows"]),
    }
    return render(request, "rebates/aging.html", context)
