"""The inputs of the dealer-account pages and API (SPEC §15): a statement's month (``period=YYYY-MM``) and the
aging report's filters — ``territory`` (an ID: its subtree), ``dealer`` (an ID), ``min_overdue`` (past due at
least this much), ``as_of`` (a date; today by default). A bad value is a field error (a 400 in the API)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.periods import Month
from partners.models import Territory


def month_of(text: str | None) -> Month:
    """``?period=YYYY-MM`` (this month when absent); a ``ValidationError`` under ``period`` otherwise."""
    if text in (None, ""):
        return Month.current()
    try:
        return Month.parse(text)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None


class AgingFilterForm(forms.Form):
    territory = forms.ModelChoiceField(
        queryset=Territory.objects.order_by("path"), required=False, label=_("Territory")
    )
    dealer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput, label=_("Dealer"))
    min_overdue = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label=_("Past due at least")
    )
    as_of = forms.DateField(
        required=False,
        validators=[validate_year],
        label=_("As of"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is not None and day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def report_arguments(self) -> dict:
        """The keyword arguments of ``rebates.accounts.aging_report`` (call after ``is_valid()``)."""
        data = self.cleaned_data
        return {
            "territory": data.get("territory"),
            "dealer_id": data.get("dealer"),
            "min_overdue": data.get("min_overdue"),
            "day": data.get("as_of"),
        }
