"""Forms of the inspection pages: plan one, sample mystery inspections, save one item, complete, review."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceField
from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, MultipleFileField, PageForm
from inspections.models import Inspection, InspectionResult
from inspections.services.inspections import SAMPLE_MAX
from partners.models import Dealer, Territory


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, dealer: Dealer) -> str:
        return f"{dealer.name} ({dealer.code})"


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, territory: Territory) -> str:
        return f"{territory.name} ({territory.code})"


class PlanForm(PageForm):
    """One inspection: the dealer, the checklist, the kind, who inspects (default: me) and when (default: today)."""

    dealer = DealerChoiceField(queryset=Dealer.objects.none(), label=_("Dealer"))
    template = forms.ModelChoiceField(queryset=None, label=_("Checklist"))
    kind = forms.ChoiceField(choices=Inspection.Kind.choices, label=_("Kind"), initial=Inspection.Kind.ROUTINE)
    inspector = PersonChoiceField(
        queryset=None, required=False, label=_("Inspector"), help_text=_("Empty: you inspect it yourself.")
    )
    planned_on = forms.DateField(
        label=_("Planned on"),
        required=False,
        widget=DATE_WIDGET,
        validators=[validate_year],
        help_text=_("Empty: today."),
    )

    def __init__(self, data=None, *, dealers, templates, inspectors, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["dealer"].queryset = dealers
        self.fields["template"].queryset = templates
        self.fields["inspector"].queryset = inspectors


class SampleForm(PageForm):
    """A mystery sample (暗访抽样): N random active terminals of a territory not inspected in the last 90 days."""

    territory = TerritoryChoiceField(queryset=None, label=_("Territory"))
    count = forms.IntegerField(label=_("Number of terminals"), min_value=1, max_value=SAMPLE_MAX, initial=3)
    template = forms.ModelChoiceField(queryset=None, label=_("Checklist"))
    inspector = PersonChoiceField(
        queryset=None, required=False, label=_("Inspector"), help_text=_("Empty: you inspect them yourself.")
    )
    planned_on = forms.DateField(
        label=_("Planned on"),
        required=False,
        widget=DATE_WIDGET,
        validators=[validate_year],
        help_text=_("Empty: today."),
    )
    seed = forms.CharField(
        label=_("Seed"),
        required=False,
        max_length=40,
        help_text=_("The same seed picks the same terminals again; empty: a new one."),
    )

    def __init__(self, data=None, *, territories, templates, inspectors, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["territory"].queryset = territories
        self.fields["template"].queryset = templates
        self.fields["inspector"].queryset = inspectors
        self.fields["count"].widget.attrs.update(inputmode="numeric")


class ResultForm(PageForm):
    """One item of the inspection (the form saves item by item): ``item`` is the result row's ID."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(choices=InspectionResult.Result.choices, label=_("Result"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    observed_price = forms.DecimalField(
        label=_("Shelf price"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    photos = MultipleFileField(
        label=_("Photos"), required=False, allow_empty_file=True, accept="image/*", capture="environment"
    )
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)

    def __init__(self, data=None, files=None, *, results=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.results = results or {}
        self.fields["observed_price"].widget.attrs.update(inputmode="decimal", step="0.01")

    def clean_item(self):
        pk = self.cleaned_data["item"]
        if pk not in self.results:
            raise ValidationError(_("This item is not on this inspection."))
        return self.results[pk]

    def clean(self):
        cleaned = super().clean()
        # a price entered decides pass or fail (the service's rule): no need to tap a result as well
        if "result" in self.errors and cleaned.get("observed_price") is not None:
            del self.errors["result"]
            cleaned["result"] = InspectionResult.Result.PASS
        return cleaned

    def add_service_error(self, error: ValidationError) -> None:
        """The evidence service names the files' field ``file``; here it is ``photos``."""
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            error = ValidationError({"photos" if k == "file" else k: v for k, v in error.error_dict.items()})
        super().add_service_error(error)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "result": data["item"],
            "value": data["result"],
            "note": data["note"],
            "observed_price": data["observed_price"],
            "photos": data["photos"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
        }


class CompleteForm(PageForm):
    """Complete: the position where the inspector stands, if the phone gave it."""

    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)


class ReviewForm(PageForm):
    note = forms.CharField(
        label=_("Review note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
