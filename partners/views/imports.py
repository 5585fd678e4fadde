"""Dealer import and export pages (SPEC §7): parse → call ``partners.imports`` → render. The rules are
in the services and in ``partners.resources``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from channelhub.importing import keep_for_confirmation, take_pending
from channelhub.pages import download, requested_format
from partners import policies
from partners.imports import (
    FORMATS,
    MAX_FILE_BYTES,
    DealerImportReport,
    dealer_export,
    dealer_import,
    dealer_template,
    dealers_for_export,
    export_filename,
    template_filename,
)
from partners.resources import may_import

#: After a clean preview the file waits in the session for the confirm button, so the user imports
#: with one click instead of choosing the file again. The session lives in the database, which every
#: web process shares (a temporary folder would not be, behind several gunicorn containers), and it
#: ends with the login. One preview per user, at most 5 MB; confirming checks every row again, as the
#: dealers may have changed since the preview.
PENDING_SESSION_KEY = "partners.dealer_import"


class DealerImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv file (UTF-8) or an Excel workbook (.xlsx), at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Preview only: check the file and show what would change, without saving anything"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in FORMATS:
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 5 MB; split it."))
        upload.file_format = extension
        return upload


def _done(request, report: DealerImportReport):
    messages.success(
        request,
        gettext("Dealers imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("partners:dealer-list")


@require_http_methods(["GET", "POST"])
def dealer_import_page(request):
    policies.require(may_import(request.user))
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = DealerImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "report": None, "token": None, "file_name": ""}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = b"".join(upload.chunks())
        report = dealer_import(
            actor=request.user, file=content, file_format=upload.file_format, dry_run=form.cleaned_data["dry_run"]
        )
        if report.imported:
            return _done(request, report)
        if report.ok and report.changed_rows:
            context["token"] = keep_for_confirmation(
                request, PENDING_SESSION_KEY, content, name=upload.name, format=upload.file_format
            )
        context.update(report=report, file_name=upload.name)
    return render(request, "partners/dealer_import.html", context)


def _confirm(request):
    pending = take_pending(request, PENDING_SESSION_KEY, request.POST.get("token", ""))
    if pending is None:
        messages.error(request, gettext("This preview is no longer available; upload the file again."))
        return redirect("partners:dealer-import")
    report = dealer_import(actor=request.user, file=pending["content"], file_format=pending["format"], dry_run=False)
    if report.imported:
        return _done(request, report)
    context = {"form": DealerImportForm(), "report": report, "token": None, "file_name": pending["name"]}
    return render(request, "partners/dealer_import.html", context)


@require_GET
def dealer_export_page(request):
    """``?format=csv|xlsx`` plus the dealer list's filters: the file holds what the list shows."""
    file_format = requested_format(request)
    content = dealer_export(queryset=dealers_for_export(request.user, request.GET), file_format=file_format)
    return download(content, file_format, export_filename(file_format, timezone.localdate()))


@require_GET
def dealer_import_template_page(request):
    """``?format=csv|xlsx``: the import's columns in the reader's language and one example row."""
    file_format = requested_format(request)
    return download(
        dealer_template(user=request.user, file_format=file_format), file_format, template_filename(file_format)
    )
