"""Forms of the stock pages: a dealer's month of stock, one form per product line (the report form), the reason
of a return, the rep's "which dealer and month" chooser, and the choices of the Pareto and coverage pages.
Phone-first: numbers with a numeric keyboard, the labels of a line's grid read by screen readers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channelhub.forms import PageForm
from channelhub.periods import Month
from inventory.models import StockReport
from inventory.services.reports import AMOUNTS, FIGURES, QUANTITIES
from kpi.filters import PeriodField
from partners.models import Dealer, ProductLine, Territory
from rebates.forms import RebatePeriodField
from rebates.periods import RebatePeriod

NUMBER = {"inputmode": "decimal", "autocomplete": "off"}
#: An adjustment may be negative: a keyboard with the minus sign (a phone's decimal pad has none).
SIGNED = {"autocomplete": "off"}
#: The figures a rep types for a month; the opening comes filled in from the month before.
MOVES = tuple(name for name in FIGURES if not name.startswith("opening"))
#: The rows of a line's grid: the part of the balance, its quantity field and its amount field.
PARTS = tuple(zip(("opening", "received", "sold", "adjustment", "closing"), QUANTITIES, AMOUNTS, strict=True))
REASON_MAX = StockReport._meta.get_field("return_reason").max_length


def _label(name: str):
    return capfirst(StockReport._meta.get_field(name).verbose_name)


def _figure(name: str) -> forms.DecimalField:
    model_field = StockReport._meta.get_field(name)
    part, measure = name.rsplit("_", 1)
    attrs = {**(SIGNED if part == "adjustment" else NUMBER), "data-part": part, "data-measure": measure}
    return forms.DecimalField(
        label=_label(name),
        required=False,
        max_digits=model_field.max_digits,
        decimal_places=model_field.decimal_places,
        widget=forms.TextInput(attrs=attrs),
    )


class StockLineForm(PageForm):
    """One product line of a dealer's month: ``line``; ``stored`` its report of the month (prefilled from it),
    else ``previous`` the line's report before (the opening comes from its closing)."""

    opening_qty = _figure("opening_qty")
    received_qty = _figure("received_qty")
    sold_qty = _figure("sold_qty")
    adjustment_qty = _figure("adjustment_qty")
    closing_qty = _figure("closing_qty")
    opening_amount = _figure("opening_amount")
    received_amount = _figure("received_amount")
    sold_amount = _figure("sold_amount")
    adjustment_amount = _figure("adjustment_amount")
    closing_amount = _figure("closing_amount")
    adjustment_reason = forms.ChoiceField(
        label=_label("adjustment_reason"), required=False, choices=[("", "—"), *StockReport.AdjustmentReason.choices]
    )
    adjustment_note = forms.CharField(
        label=_label("adjustment_note"),
        required=False,
        max_length=StockReport._meta.get_field("adjustment_note").max_length,
    )

    def __init__(self, *args, line: ProductLine, stored: StockReport | None = None, previous=None, **kwargs):
        self.line, self.stored, self.previous = line, stored, previous
        kwargs.setdefault("prefix", f"line-{line.pk}")
        kwargs.setdefault("initial", self._initial())
        super().__init__(*args, **kwargs)

    def _initial(self) -> dict[str, Any]:
        if self.stored is not None:
            values = {name: _plain(getattr(self.stored, name)) for name in FIGURES}
            values["adjustment_reason"] = self.stored.adjustment_reason
            values["adjustment_note"] = self.stored.adjustment_note
            return values
        if self.previous is not None:
            return {
                "opening_qty": _plain(self.previous.closing_qty),
                "opening_amount": _plain(self.previous.closing_amount),
            }
        return {}

    @property
    def confirmed(self) -> bool:
        return self.stored is not None and self.stored.status == StockReport.Status.CONFIRMED

    @property
    def returned(self) -> bool:
        return self.stored is not None and self.stored.status == StockReport.Status.RETURNED

    def is_blank(self) -> bool:
        """Nothing typed but the opening (which comes filled in): the line is not reported this time."""
        data = self.cleaned_data
        return all(data.get(name) in (None, "") for name in (*MOVES, "adjustment_reason", "adjustment_note"))

    def rows(self) -> list[dict]:
        """The grid of the line: per part of the balance, its label and its two fields."""
        labels = {
            "opening": _("Opening"),
            "received": pgettext_lazy("stock received", "Received"),
            "sold": _("Sold"),
            "adjustment": _("Adjustment"),
            "closing": _("Closing"),
        }
        return [
            {
                "part": part,
                "label": labels[part],
                "qty": self[quantity],
                "amount": self[amount],
                "names": (quantity, amount),
            }
            for part, quantity, amount in PARTS
        ]

    def add_row_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's messages for this line (``ReportErrors.by_row[index]``), each on its field; those of
        no field of the form (the month, the line) on the line itself."""
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, ValidationError(messages))


def _plain(value: Decimal | None) -> str:
    """A stored figure as the form shows it: ``120.00`` → ``120``, ``12.50`` → ``12.5``."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


class ReturnForm(PageForm):
    reason = forms.CharField(
        label=_("What has to be corrected"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


class ReportChoiceForm(PageForm):
    """A rep's way to any month of any of their dealers' reports."""

    dealer = DealerChoiceField(label=_("Dealer"), queryset=Dealer.objects.none())
    period = PeriodField(label=_("Month"))

    def __init__(self, *args, dealers: QuerySet[Dealer], **kwargs):
        kwargs.setdefault("auto_id", "choose_%s")
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = dealers

    def clean_period(self):
        period = self.cleaned_data["period"]
        if period and Month.parse(period) > Month.current():
            raise ValidationError(_("%(period)s has not begun yet.") % {"period": period})
        return period


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code})"


class ParetoForm(PageForm):
    """A distributor (or a territory) and a quarter."""

    distributor = DealerChoiceField(label=_("Distributor"), queryset=Dealer.objects.none(), required=False)
    territory = TerritoryChoiceField(label=_("Territory"), queryset=Territory.objects.none(), required=False)
    quarter = RebatePeriodField(label=_("Quarter"), required=False)

    def __init__(self, *args, distributors, territories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = distributors
        self.fields["territory"].queryset = territories
        self.fields["distributor"].empty_label = "—"
        self.fields["territory"].empty_label = "—"

    def clean_quarter(self) -> RebatePeriod | None:
        value = self.cleaned_data["quarter"]
        if not value:
            return None
        quarter = RebatePeriod.parse(value)
        if quarter.is_year:
            raise ValidationError(_("Enter a quarter as YYYY-Qn, e.g. 2026-Q3."))
        return quarter


class CoverageForm(PageForm):
    territory = TerritoryChoiceField(label=_("Territory"), queryset=Territory.objects.none(), required=False)
    period = PeriodField(label=_("Month"), required=False)

    def __init__(self, *args, territories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories
        self.fields["territory"].empty_label = "—"
