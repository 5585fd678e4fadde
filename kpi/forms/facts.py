"""Forms of the fact pages: record one fact (finance), import a file. The rules are the service's
(``kpi.services.facts``); these forms only collect the values, so a page and the API refuse alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, ImportFileForm, PageForm, style_fields
from channelhub.roles import Role
from kpi.models import Expense
from kpi.services.facts import Kind
from partners.models import ProductLine, Territory

User = get_user_model()


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{'　' * obj.level}{obj.name} ({obj.code})"


class FactForm(PageForm):
    """One sale, collection or expense. ``amount`` stays text so that the service decides what a valid
    amount is (two decimals at most, never rounded), as for the API and imports."""

    reference = forms.CharField(
        label=_("Reference"), max_length=64, help_text=_("The invoice, receipt or voucher number; unique.")
    )
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET, validators=[validate_year])
    dealer_code = forms.CharField(label=_("Dealer code"), max_length=32)
    rep = RepChoiceField(
        label=_("Rep"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The dealer's owner"),
        help_text=_("Who the fact counts for; by default the dealer's owner."),
    )
    amount = forms.CharField(
        label=_("Amount"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, data=None, *, kind: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.kind = kind
        self.fields["rep"].queryset = User.objects.filter(groups__name=Role.FIELD_REP, is_active=True).order_by(
            "username"
        )
        if kind == Kind.SALES:
            self.fields["amount"].help_text = _("A negative amount is a credit note or a return.")
            self.fields["category"] = forms.ModelChoiceField(
                label=_("Product line"), queryset=ProductLine.objects.all(), to_field_name="code", required=False
            )
            self.fields["ship_to"] = TerritoryChoiceField(
                label=_("Shipped to"),
                queryset=Territory.objects.order_by("path"),
                to_field_name="code",
                required=False,
                empty_label=_("The dealer's territory"),
            )
        elif kind == Kind.EXPENSES:
            self.fields["category"] = forms.ChoiceField(
                label=_("Category"), choices=Expense.Category.choices, initial=Expense.Category.OTHER
            )
        self.order_fields(["date", "reference", "dealer_code", "amount", "category", "ship_to", "rep", "note"])
        style_fields(self)  # again: for the fields added above

    def item(self) -> dict[str, Any]:
        """The cleaned values as an item of ``facts_record``."""
        item = {name: self.cleaned_data.get(name) for name in ("reference", "date", "dealer_code", "amount", "note")}
        if self.cleaned_data.get("rep") is not None:
            item["rep"] = self.cleaned_data["rep"]
        if "category" in self.fields:
            item["category"] = self.cleaned_data.get("category") or ""
        if "ship_to" in self.fields:
            item["ship_to"] = self.cleaned_data.get("ship_to") or ""
        return item


class FactImportForm(ImportFileForm):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=Kind.choices)
    dry_run = forms.BooleanField(
        label=_("Preview only: check the file and show what would be recorded, without saving anything"),
        required=False,
        initial=True,
    )

    field_order = ["kind", "file", "dry_run"]
