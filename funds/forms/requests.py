"""Forms of the fund request and claim pages (``funds.views.requests``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, MultipleFileField, PageForm, style_fields
from evidence.models import Attachment
from funds.models import Category, FundRequest
from funds.services.requests import REQUEST_FIELDS
from partners.models import Dealer

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, dealer: Dealer) -> str:
        return f"{dealer.name} ({dealer.code})"


class FundRequestForm(PageForm):
    """A draft request: its dealer (only when it is new: a draft keeps its dealer) and what it asks for."""

    dealer = DealerChoiceField(queryset=Dealer.objects.none(), label=_("Dealer"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=pgettext_lazy("a fund request's name", "Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET, validators=[validate_year])
    end_date = forms.DateField(label=_("End date"), widget=DATE_WIDGET, validators=[validate_year])
    requested_amount = forms.DecimalField(label=_("Requested amount"), **MONEY_FIELD)
    expected_sales = forms.DecimalField(
        label=_("Expected sales"), help_text=_("预期销售额: the cost ratio (费销比) is counted on it."), **MONEY_FIELD
    )

    def __init__(self, data=None, *, dealers, fund_request: FundRequest | None = None, initial_dealer=None):
        initial = {}
        if fund_request is not None:
            initial = {name: getattr(fund_request, name) for name in REQUEST_FIELDS}
        elif initial_dealer is not None:
            initial = {"dealer": initial_dealer}
        super().__init__(data, initial=initial)
        if fund_request is None:
            self.fields["dealer"].queryset = dealers
        else:
            del self.fields["dealer"]
        style_fields(self)
        self.fields["requested_amount"].widget.attrs.update(inputmode="decimal", step="0.01")
        self.fields["expected_sales"].widget.attrs.update(inputmode="decimal", step="0.01")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned

    def request_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in REQUEST_FIELDS}


class RejectForm(PageForm):
    reason = forms.CharField(label=_("Reason for rejection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class VisitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, visit) -> str:
        return f"{visit.visited_at:%Y-%m-%d} · {visit.purpose}"


class ClaimForm(PageForm):
    """核销: what the activity really cost and sold, and the visits that saw it."""

    actual_amount = forms.DecimalField(label=_("Actual amount"), **MONEY_FIELD)
    actual_sales = forms.DecimalField(label=_("Actual sales"), **MONEY_FIELD)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    visits = VisitChoiceField(queryset=None, required=False, label=_("Visits"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, data=None, *, visits, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["visits"].queryset = visits
        style_fields(self)
        for name in ("actual_amount", "actual_sales"):
            self.fields[name].widget.attrs.update(inputmode="decimal", step="0.01")


#: The evidence a claim takes: photos from the phone's camera (or gallery), invoices as PDF or a picture.
EVIDENCE_INPUTS = {
    Attachment.Kind.PHOTO: {
        "label": _("Photos of the activity"),
        "accept": "image/*",
        "capture": "environment",
        "help_text": _("JPEG, PNG or WebP from the camera or the gallery, up to 10 MB each and 9 per claim."),
    },
    Attachment.Kind.INVOICE: {
        "label": _("Invoices"),
        "accept": "application/pdf,image/*",
        "capture": "",
        "help_text": _("PDF or a photo of the invoice (JPEG, PNG, WebP), up to 10 MB each."),
    },
}


class EvidenceForm(PageForm):
    """Files of one kind for a claim; the service reads what each file is."""

    kind = forms.ChoiceField(
        choices=[(kind, kind) for kind in EVIDENCE_INPUTS], widget=forms.HiddenInput, initial=Attachment.Kind.PHOTO
    )

    def __init__(self, data=None, files=None, *, kind: str | None = None, **kwargs):
        kind = kind or (data.get("kind") if data is not None else None) or Attachment.Kind.PHOTO
        kind = kind if kind in EVIDENCE_INPUTS else Attachment.Kind.PHOTO
        super().__init__(data, files, initial={"kind": kind}, **kwargs)
        spec = EVIDENCE_INPUTS[kind]
        self.fields["files"] = MultipleFileField(
            label=spec["label"],
            help_text=spec["help_text"],
            allow_empty_file=True,
            accept=spec["accept"],
            capture=spec["capture"],
        )
        self.fields["files"].widget.attrs["id"] = f"id_files_{kind}"
        style_fields(self)

    def add_service_error(self, error: ValidationError) -> None:
        """The evidence service names the files' field ``file``; here it is ``files``."""
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            error = ValidationError({"files" if k == "file" else k: v for k, v in error.error_dict.items()})
        super().add_service_error(error)


class CheckForm(PageForm):
    """The checker's verdict on a claim's evidence: met, or not met with a reason."""

    verdict = forms.ChoiceField(
        label=_("Evidence"), choices=[("met", _("Met")), ("not_met", _("Not met"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the evidence is not met."),
    )

    def check_fields(self) -> dict:
        return {"met": self.cleaned_data["verdict"] == "met", "reason": self.cleaned_data["reason"]}
