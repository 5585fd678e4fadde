"""The stock report import page (SPEC §16, the rules of §5), ``inventory:import`` at ``/stock/import/``: a rep (or an
admin) uploads a CSV or XLSX of monthly reports; a preview checks every row and lists every bad one with its row,
column and reason (nothing saved), or shows what would be written with a button that confirms it; the import
itself is whole or not at all. ``?template=csv|xlsx`` downloads the columns with their headers in the reader's
language. The rules are ``inventory.imports.report_import``'s, shared with the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from channelhub.exports import CONTENT_TYPES, write_table
from channelhub.forms import ImportFileForm
from channelhub.importing import FORMATS, keep_for_confirmation, take_pending
from inventory import policies
from inventory.imports import COLUMNS, FILE_COLUMNS, report_import

#: After a clean preview the file waits in the session for the confirm button (as for budgets and facts), so the
#: page takes files up to ``channelhub.importing.MAX_FILE_BYTES``; larger ones go through the API.
PENDING_SESSION_KEY = "inventory.report_import"
#: Bad rows a page lists (a file of 100,000 rows could have as many).
ERRORS_SHOWN = 500


class StockImportForm(ImportFileForm):
    """The stock report file (``inventory.imports``)."""


def _changes(report) -> int:
    return report.new + report.updated


def _render(request, form, report=None, token=None, file_name=""):
    context = {
        "form": form,
        "report": report,
        "errors": report.errors[:ERRORS_SHOWN] if report is not None else [],
        "token": token,
        "file_name": file_name,
        "changes": _changes(report) if report is not None else 0,
        "columns": COLUMNS,
    }
    status = (
        400 if (report is not None and not report.ok) or (request.method == "POST" and not form.is_valid()) else 200
    )
    return render(request, "inventory/import.html", context, status=status)


def _done(request, report):
    messages.success(
        request,
        gettext("Stock reports imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("inventory:health")


def _template(file_format: str) -> HttpResponse:
    columns = [column for column in FILE_COLUMNS if column.key in COLUMNS]
    response = HttpResponse(
        write_table(columns, [], file_format, title=gettext("Stock reports")), content_type=CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="stock-report-template.{file_format}"'
    return response


@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload a file of stock reports: a preview with every bad row, or the import itself — whole or not at all."""
    user = request.user
    policies.require(policies.may_report(user), gettext("Only reps and admins import stock reports."))
    if request.method == "GET" and request.GET.get("template") in FORMATS:
        return _template(request.GET["template"])
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = StockImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render(request, form)
    upload = form.cleaned_data["file"]
    content = b"".join(upload.chunks())
    report = report_import(
        actor=user, file=content, file_format=upload.file_format, dry_run=form.cleaned_data["dry_run"]
    )
    if report.imported:
        return _done(request, report)
    token = None
    if report.ok and _changes(report):
        token = keep_for_confirmation(
            request, PENDING_SESSION_KEY, content, name=upload.name, format=upload.file_format
        )
    return _render(request, form, report, token, upload.name)


def _confirm(request):
    pending = take_pending(request, PENDING_SESSION_KEY, request.POST.get("token", ""))
    if pending is None:
        messages.error(request, gettext("This preview is no longer available; upload the file again."))
        return redirect("inventory:import")
    report = report_import(actor=request.user, file=pending["content"], file_format=pending["format"], dry_run=False)
    if report.imported:
        return _done(request, report)
    return _render(request, StockImportForm(), report, None, pending["name"])
