"""Forms of the material pages: the catalogue (a material), what is issued to a dealer and what it counts.
Phone-first: few fields, numbers with a numeric keyboard, today's date filled in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, PageForm
from funds.models import FundRequest, Material
from partners.models import Dealer

NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


def _quantity(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=0, widget=forms.TextInput(attrs=NUMBER)
    )


class MaterialForm(PageForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("piece, set, box …"))
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), max_digits=14, decimal_places=2, widget=forms.TextInput(attrs=NUMBER)
    )
    active = forms.BooleanField(label=_("Handed out"), required=False, initial=True)


class _DealerMaterialForm(PageForm):
    """A dealer of ``dealers`` (the ones the user may act for) and an active material, on a date."""

    dealer = DealerChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    material = forms.ModelChoiceField(label=_("Material"), queryset=Material.objects.none())
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET, validators=[validate_year])

    def __init__(self, data=None, *, dealers: QuerySet[Dealer], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("day", timezone.localdate())
        super().__init__(data, **kwargs)
        self.fields["dealer"].queryset = dealers.order_by("code")
        self.fields["material"].queryset = Material.objects.filter(active=True).order_by("code")


class IssueForm(_DealerMaterialForm):
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs=NUMBER),
    )
    request_number = forms.CharField(
        label=_("Fund request"), max_length=20, required=False, help_text=_("Its number (FR-…), if any.")
    )

    field_order = ["dealer", "material", "quantity", "day", "request_number"]

    def __init__(self, data=None, *, requests: QuerySet[FundRequest], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.requests = requests

    def clean_request_number(self) -> FundRequest | None:
        number = self.cleaned_data["request_number"].strip()
        if not number:
            return None
        request = self.requests.filter(number=number).first()
        if request is None:
            raise ValidationError(_("No fund request %(number)s that you may see.") % {"number": number})
        return request

    def issue_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "dealer": data["dealer"],
            "material": data["material"],
            "quantity": data["quantity"],
            "day": data["day"],
            "request": data["request_number"],
        }


class CountForm(_DealerMaterialForm):
    counted_quantity = _quantity(_("Counted at the dealer"))
    used_quantity = _quantity(_("Reported used"))

    field_order = ["dealer", "material", "counted_quantity", "used_quantity", "day"]
