"""KPI pages: facts — the sales, collections and expenses lists (with the totals of the filtered rows;
this month's unless dates are given) and their exports, recording one fact (finance), the import page
(upload, preview, errors, confirm) with its templates, and the channel conflicts (窜货) list. Each view:
parse → scope (``kpi.selectors``) → call a service → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from channelhub.forms import style_fields
from channelhub.importing import keep_for_confirmation, take_pending
from channelhub.pages import download, filtered, paginate, posted, requested_format
from channelhub.periods import Month
from channelhub.roles import Role, has_role, require_role
from channelhub.scoping import scope
from kpi.exports import fact_export, fact_filename
from kpi.filters import FILTERS, ConflictFilter
from kpi.forms.facts import FactForm, FactImportForm
from kpi.imports import COLUMNS, FactImportReport, fact_import, fact_template, template_filename
from kpi.policies import may_record, require_recorder
from kpi.selectors import (
    attach_agreement_territories,
    conflict_list,
    fact_dealers,
    fact_list,
    fact_reps,
    fact_totals,
)
from kpi.services.facts import Kind, fact_record
from kpi.services.periods import PeriodClosed
from partners.models import Dealer

LIST_URL_NAMES = {
    Kind.SALES: "kpi:sales-list",
    Kind.COLLECTIONS: "kpi:collection-list",
    Kind.EXPENSES: "kpi:expense-list",
}
ANY_ROLE = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)

#: After a clean preview the file waits in the session for the confirm button (as for dealers, see
#: ``partners.views.imports``): the session lives in the database, which every web process shares. One
#: preview per user, at most 5 MB; confirming checks every row again.
PENDING_SESSION_KEY = "kpi.fact_import"


# --- lists -----------------------------------------------------------------------------------------


def _prepare_filter(filterset, user, dealers):
    """Choices limited to what ``user`` may see, so that ``?dealer=ID`` never names a hidden dealer."""
    form = filterset.form
    form.fields["dealer"].queryset = dealers
    if "rep" in form.fields:
        form.fields["rep"].queryset = fact_reps(user)
        form.fields["rep"].label_from_instance = lambda u: u.get_full_name() or u.username
    style_fields(form)
    return filterset


def _chosen_dealer(filterset):
    """The dealer named by ``?dealer=ID`` (the scorecard's links), shown as a removable badge."""
    if filterset.is_bound and filterset.is_valid():
        return filterset.form.cleaned_data.get("dealer")
    return None


def _fact_filter(request, kind: str):
    """The list's filter over the facts the user may see, and the month shown when the query names no
    dates (``date_from``/``date_to`` absent: this month; given empty: every date), else ``None``."""
    user = request.user
    require_role(user, *ANY_ROLE)
    params, month = request.GET.copy(), None
    if "date_from" not in params and "date_to" not in params:
        month = Month.current()
        params.update({"date_from": month.first_day.isoformat(), "date_to": month.last_day.isoformat()})
    facts = fact_list(user, kind)
    filterset = FILTERS[kind](params, request=request, queryset=facts)
    return _prepare_filter(filterset, user, fact_dealers(user, facts)), month


def fact_list_page(request, kind: str):
    """``?rep=ID&dealer=ID&date_from=YYYY-MM-DD&date_to=YYYY-MM-DD`` (and the others of the filter):
    the rows, pages of 50, and the totals of every filtered row the user may see."""
    user = request.user
    filterset, month = _fact_filter(request, kind)
    rows = filtered(filterset)
    context = {
        "kind": kind,
        "filter": filterset,
        "default_month": month,
        "page_obj": paginate(request, rows),
        "totals": fact_totals(rows),
        "dealer": _chosen_dealer(filterset),
        "mine_only": not has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN),
        "can_record": may_record(user),
        "list_url": reverse(LIST_URL_NAMES[kind]),
    }
    return render(request, "kpi/facts/fact_list.html", context)


@require_GET
def fact_export_page(request, kind: str):
    """``?format=csv|xlsx`` and the list's query: every row the list holds (all pages), with a total row."""
    file_format = requested_format(request)
    filterset, _month = _fact_filter(request, kind)
    content = fact_export(facts=filtered(filterset), kind=kind, file_format=file_format)
    dates = filterset.form.cleaned_data if filterset.is_valid() else {}
    return download(content, file_format, fact_filename(kind, dates, file_format))


# --- recording one fact ----------------------------------------------------------------------------


def fact_create_page(request, kind: str):
    user = request.user
    require_recorder(user)
    initial = {}
    if (dealer_id := request.GET.get("dealer", "")).isdigit():
        initial["dealer_code"] = Dealer.objects.filter(pk=dealer_id).values_list("code", flat=True).first() or ""
    form = FactForm(posted(request), kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = form.run(fact_record, actor=user, kind=kind, **form.item())
        except PeriodClosed as closed:
            form.add_error("date", str(closed))
            result = None
        if result is not None:
            fact, created = result
            if not created:
                messages.info(
                    request,
                    gettext("%(reference)s was already recorded, with these values.") % {"reference": fact.reference},
                )
            elif getattr(fact, "channel_conflict", False):
                messages.warning(
                    request,
                    gettext(
                        "%(reference)s recorded. It is flagged as a channel conflict: shipped outside the dealer's agreement territories."
                    )
                    % {"reference": fact.reference},
                )
            else:
                messages.success(request, gettext("%(reference)s recorded.") % {"reference": fact.reference})
            if "another" in request.POST:
                return redirect(reverse("kpi:fact-create", args=[kind]))
            return redirect(LIST_URL_NAMES[kind])
    context = {"form": form, "kind": kind, "list_url": reverse(LIST_URL_NAMES[kind])}
    return render(request, "kpi/facts/fact_form.html", context)


# --- import ----------------------------------------------------------------------------------------


def _done(request, report: FactImportReport):
    message = gettext("Imported: %(new)d new, %(unchanged)d unchanged.") % {
        "new": report.new,
        "unchanged": report.unchanged,
    }
    if report.conflicts:
        message += " " + gettext("%(count)d sales are flagged as channel conflicts.") % {"count": report.conflicts}
    messages.success(request, message)
    return redirect(LIST_URL_NAMES[report.kind])


def _render_import(request, form, report=None, token=None, file_name=""):
    context = {
        "form": form,
        "report": report,
        "token": token,
        "file_name": file_name,
        "columns": COLUMNS,
        "kinds": Kind.choices,
    }
    return render(request, "kpi/facts/import.html", context)


@require_http_methods(["GET", "POST"])
def fact_import_page(request):
    require_recorder(request.user)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in COLUMNS else {}
    form = FactImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _render_import(request, form)
    upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
    content = b"".join(upload.chunks())
    report = fact_import(
        actor=request.user,
        kind=kind,
        file=content,
        file_format=upload.file_format,
        dry_run=form.cleaned_data["dry_run"],
    )
    if report.imported:
        return _done(request, report)
    token = None
    if report.ok and report.new:
        token = keep_for_confirmation(
            request, PENDING_SESSION_KEY, content, name=upload.name, format=upload.file_format, kind=kind
        )
    return _render_import(request, form, report, token, upload.name)


@require_GET
def fact_import_template_page(request):
    """``?kind=sales|collections|expenses&format=csv|xlsx``: the columns in the reader's language and one
    example row."""
    file_format, kind = requested_format(request), request.GET.get("kind", "sales")
    if kind not in COLUMNS:
        raise Http404
    content = fact_template(user=request.user, kind=kind, file_format=file_format)
    return download(content, file_format, template_filename(kind, file_format))


def _confirm(request):
    pending = take_pending(request, PENDING_SESSION_KEY, request.POST.get("token", ""))
    if pending is None:
        messages.error(request, gettext("This preview is no longer available; upload the file again."))
        return redirect("kpi:import")
    report = fact_import(
        actor=request.user, kind=pending["kind"], file=pending["content"], file_format=pending["format"], dry_run=False
    )
    if report.imported:
        return _done(request, report)
    return _render_import(request, FactImportForm(initial={"kind": pending["kind"]}), report, None, pending["name"])


# --- channel conflicts -----------------------------------------------------------------------------


def conflict_list_page(request):
    """Flagged sales at the dealers the user may see (a manager: in their territories), newest first,
    with the territories of the agreements the ship-to was compared with."""
    user = request.user
    require_role(user, *ANY_ROLE)
    filterset = _prepare_filter(
        ConflictFilter(request.GET or None, request=request, queryset=conflict_list(user)), user, scope(user, Dealer)
    )
    rows = filtered(filterset)
    page_obj = paginate(request, rows)
    page_obj.object_list = attach_agreement_territories(page_obj.object_list)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "totals": fact_totals(rows),
        "dealer": _chosen_dealer(filterset),
    }
    return render(request, "kpi/facts/conflict_list.html", context)
