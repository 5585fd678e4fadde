"""Forms of the target pages. They parse and present; ``kpi.services.targets`` decides (and raises
ValidationError, which lands on the form)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name
from channelhub.forms import PageForm, style_fields
from channelhub.periods import Month
from kpi.filters import PeriodField
from kpi.models import Target
from kpi.policies import is_setting_for_others
from kpi.selectors.targets import settable_reps
from kpi.services import targets as target_services
from partners.models import ProductLine

ZERO = Decimal("0.00")
MONTHS = range(1, 13)


def _cents(label, max_digits: int, **kwargs) -> forms.DecimalField:
    """A figure of two decimals, 0 or more, typed on a phone's decimal keypad."""
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=2,
        min_value=ZERO,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


def _money(label, **kwargs) -> forms.DecimalField:
    return _cents(label, 14, **kwargs)


def _rate(label, **kwargs) -> forms.DecimalField:
    return _cents(label, 7, max_value=target_services.MAX_RATE, initial=ZERO, **kwargs)


def _count(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, initial=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **kwargs
    )


class RepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return display_name(user)


class FiguresForm(PageForm):
    """A month's figures and, per product line, an optional category share (empty: no share target)."""

    sales_target = _money(_("Sales target"))
    expense_rate_target = _rate(
        _("Expense rate target (%)"), help_text=_("Expenses as a percentage of net sales, at most.")
    )
    collection_rate_target = _rate(
        _("Collection rate target (%)"), help_text=_("Collections as a percentage of net sales.")
    )
    new_dealers_target = _count(_("New dealers target"))

    def __init__(self, data=None, *, initial=None, shares: dict[int, Decimal] | None = None, **kwargs):
        initial = dict(initial or {})
        self.categories = list(ProductLine.objects.order_by("code"))
        for category in self.categories:
            if shares and category.pk in shares:
                initial[self.share_name(category)] = shares[category.pk]
        super().__init__(data, initial=initial, **kwargs)
        for category in self.categories:
            self.fields[self.share_name(category)] = forms.DecimalField(
                label=category.name,
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=ZERO,
                max_value=Decimal("100"),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "placeholder": "—"}),
            )
        style_fields(self)

    @staticmethod
    def share_name(category) -> str:
        return f"share_{category.pk}"

    def share_fields(self) -> list:
        return [self[self.share_name(category)] for category in self.categories]

    def figures(self, *, changed_only: bool = False) -> dict:
        names = [name for name in target_services.FIGURES if not changed_only or name in self.changed_data]
        return {name: self.cleaned_data[name] for name in names}

    def shares_changed(self) -> bool:
        return any(self.share_name(category) in self.changed_data for category in self.categories)

    def category_shares(self) -> list[dict]:
        return [
            {"category": category, "share": self.cleaned_data[self.share_name(category)]}
            for category in self.categories
            if self.cleaned_data.get(self.share_name(category)) is not None
        ]


class TargetForm(FiguresForm):
    """Propose a target (a rep, their own) or set one (a manager, for a rep of the team)."""

    rep = RepChoiceField(queryset=None, label=_("Field rep"))
    period = PeriodField(label=_("Month"), help_text=_("YYYY-MM"))
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["rep", "period", *target_services.FIGURES]

    def __init__(self, data=None, *, actor, initial=None):
        initial = {"period": str(Month.current().next()), **(initial or {})}
        super().__init__(data, initial=initial)
        reps = settable_reps(actor).order_by("username")
        self.fields["rep"].queryset = reps
        self.only_self = not is_setting_for_others(actor)
        if self.only_self:
            del self.fields["rep"]
        self.actor = actor
        self.order_fields(self.field_order)
        style_fields(self)

    def service_kwargs(self) -> dict:
        return {
            "rep": self.actor if self.only_self else self.cleaned_data["rep"],
            "period": self.cleaned_data["period"],
            "comment": self.cleaned_data["comment"],
            "category_shares": self.category_shares(),
            **self.figures(),
        }


def _target_initial(target: Target) -> tuple[dict, dict]:
    figures = {name: getattr(target, name) for name in target_services.FIGURES}
    shares = {share.category_id: share.share for share in target.category_shares.all()}
    return figures, shares


class TargetEditForm(FiguresForm):
    """Change a proposed target's figures and category shares."""

    def __init__(self, data=None, *, target: Target):
        figures, shares = _target_initial(target)
        super().__init__(data, initial=figures, shares=shares)

    def service_kwargs(self) -> dict:
        kwargs = self.figures(changed_only=True)
        if self.shares_changed():
            kwargs["category_shares"] = self.category_shares()
        return kwargs


class ApproveForm(TargetEditForm):
    """The manager approves, and may change the figures in the same step."""

    comment = forms.CharField(
        label=_("Comment for the rep"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "comment": self.cleaned_data["comment"]}


class AnnualTargetForm(FiguresForm):
    """A year's targets entered once and spread over the months: evenly, or by 12 percentages."""

    EVEN, PERCENTAGES = "even", "percentages"

    rep = RepChoiceField(queryset=None, label=_("Field rep"))
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999)
    distribution = forms.ChoiceField(
        label=_("Spread over the months"),
        choices=[(EVEN, _("Evenly (12 equal parts)")), (PERCENTAGES, _("By a percentage per month"))],
        widget=forms.RadioSelect,
        initial=EVEN,
    )

    def __init__(self, data=None, *, actor):
        super().__init__(data, initial={"year": timezone.localdate().year + 1})
        self.fields["sales_target"].label = _("Annual sales target")
        self.fields["new_dealers_target"].label = _("New dealers target for the year")
        self.fields["rep"].queryset = settable_reps(actor).order_by("username")
        self.only_self = not is_setting_for_others(actor)
        if self.only_self:
            del self.fields["rep"]
        for month in MONTHS:
            self.fields[self.month_name(month)] = forms.DecimalField(
                label=formats.date_format(Month(2000, month).first_day, "F"),
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=ZERO,
                max_value=Decimal("100"),
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
        self.actor = actor
        self.order_fields(["rep", "year", *target_services.FIGURES, "distribution"])
        style_fields(self)

    @staticmethod
    def month_name(month: int) -> str:
        return f"month_{month:02d}"

    def month_fields(self) -> list:
        return [self[self.month_name(month)] for month in MONTHS]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("distribution") == self.PERCENTAGES:
            for month in MONTHS:
                if cleaned.get(self.month_name(month)) is None and self.month_name(month) not in self.errors:
                    self.add_error(self.month_name(month), _("Give this month's percentage (0 if none)."))
        return cleaned

    def service_kwargs(self) -> dict:
        if self.cleaned_data["distribution"] == self.PERCENTAGES:
            distribution = [self.cleaned_data[self.month_name(month)] for month in MONTHS]
        else:
            distribution = target_services.EVEN
        return {
            "rep": self.actor if self.only_self else self.cleaned_data["rep"],
            "year": self.cleaned_data["year"],
            "distribution": distribution,
            "category_shares": self.category_shares(),
            **self.figures(),
        }
