"""Django admin for targets and their category shares (SPEC §5, §7).

The admin does not bypass the rules: targets are proposed, approved and acknowledged through the pages
or the API (``kpi.services.targets``), so nothing is added or deleted here and the status, the people
and the dates are read-only. While a target is ``proposed`` its figures and category shares may be
corrected; the figures go through ``target_update`` (closed periods refuse it) and the shares are checked
as the service checks them (each 0–100 %, together at most 100 %).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import REP_COLUMN, REP_FILTER, REP_SEARCH, NoAddOrDeleteMixin, WhileEditableInline, person_column
from channelhub.errors import DomainError
from channelhub.periods import Month
from kpi.models import Target, TargetCategoryShare
from kpi.services.periods import check_open
from kpi.services.targets import FIGURES, target_update


def _editable(target: Target | None) -> bool:
    return target is not None and target.status == Target.Status.PROPOSED


def _check_open(target: Target) -> None:
    try:
        check_open([Month.parse(target.period).first_day])
    except DomainError as error:
        raise ValidationError(str(error)) from None


class CategoryShareFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = Decimal("0")
        for form in self.forms:
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("share") is not None:
                total += form.cleaned_data["share"]
        if any(form.has_changed() for form in self.forms):
            _check_open(self.instance)
        if total > 100:
            raise ValidationError(
                gettext("The category shares add up to %(total)s %%; they may not exceed 100 %%.") % {"total": total}
            )


class CategoryShareInline(WhileEditableInline):
    """Shares can be corrected while the target could still be changed (proposed)."""

    model = TargetCategoryShare
    formset = CategoryShareFormSet
    autocomplete_fields = ("category",)
    fields = ("category", "share")

    def editable(self, obj) -> bool:
        return _editable(obj)


class TargetAdminForm(forms.ModelForm):
    """Refuse up front what ``target_update`` would refuse: a target no longer proposed, a closed period."""

    class Meta:
        model = Target
        fields = list(FIGURES)

    def clean(self):
        cleaned = super().clean()
        target = self.instance
        if not self.changed_data:
            return cleaned
        current = Target.objects.filter(pk=target.pk).values_list("status", flat=True).first()
        if current != Target.Status.PROPOSED:
            raise ValidationError(gettext("Only a proposed target can be changed."))
        _check_open(target)
        return cleaned


@admin.register(Target)
class TargetAdmin(NoAddOrDeleteMixin, SimpleHistoryAdmin):
    """Targets are read here, and a proposed one's figures and shares corrected."""

    form = TargetAdminForm
    list_display = (
        "period",
        REP_COLUMN,
        "sales_target",
        "expense_rate_target",
        "collection_rate_target",
        "new_dealers_target",
        "status",
        person_column("proposed_by", _("proposed by")),
        person_column("approved_by", _("approved by")),
    )
    list_filter = ("status", "period", REP_FILTER)
    search_fields = (*REP_SEARCH, "=period")
    list_select_related = ("rep", "proposed_by", "approved_by")
    inlines = (CategoryShareInline,)
    show_full_result_count = False
    _always_read_only = (
        "rep",
        "period",
        "status",
        "proposed_by",
        "approved_by",
        "approved_at",
        "acknowledged_at",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        return self._always_read_only if _editable(obj) else (*self._always_read_only, *FIGURES)

    def save_model(self, request, obj, form, change):
        figures = {name: form.cleaned_data[name] for name in FIGURES if name in form.changed_data}
        if figures:
            target_update(actor=request.user, target=obj, **figures)
