"""Django admin for scorecard templates (edited here, items inline) and scorecards (read only).

A template's items are checked by the same rules the computation applies
(``kpi.services.scoring.item_problems`` and ``weights_problem``): the weights must add up to 100,
and each item's method, metric, points, category and target must go together. Scorecards are made
by ``scorecard_compute_unchecked`` and confirmed by the manager; the admin only reads them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import REP_COLUMN, REP_SEARCH, ReadOnlyInline, ReadOnlyMixin, field_names, person_column
from kpi.models import Scorecard, ScorecardLine, ScorecardTemplate, ScorecardTemplateItem
from kpi.services.scoring import item_problems, weights_problem


class TemplateItemFormSet(forms.BaseInlineFormSet):
    """The items that remain after the edit must be scorable together: weights adding up to 100."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
        ]
        for form in kept:
            # ``form.instance`` holds the cleaned values (ModelForm._post_clean has run).
            for field, problem in item_problems(form.instance).items():
                form.add_error(field if field in form.fields else None, problem)
        if problem := weights_problem(form.cleaned_data.get("weight") or 0 for form in kept):
            raise ValidationError(problem)


class TemplateItemInline(admin.TabularInline):
    model = ScorecardTemplateItem
    formset = TemplateItemFormSet
    extra = 0
    fields = (
        "position",
        "perspective",
        "metric",
        "label",
        "weight",
        "method",
        "target",
        "cap",
        "lower_is_better",
        "points",
        "category",
    )
    autocomplete_fields = ("category",)
    ordering = ("position", "id")


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "is_active", "item_count", "weight_total")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    inlines = (TemplateItemInline,)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"), weight_total=Sum("items__weight"))

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, template):
        return template.item_count

    @admin.display(description=_("weights"), ordering="weight_total")
    def weight_total(self, template):
        return template.weight_total

    def has_delete_permission(self, request, obj=None):
        # A template that scored anybody stays (its scorecards point to it); an unused one may go.
        if obj is not None and obj.scorecards.exists():
            return False
        return super().has_delete_permission(request, obj)


class ScorecardLineInline(ReadOnlyInline):
    model = ScorecardLine
    fields = ("scorecard_item", *ScorecardLine.FIGURES)
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")

    @admin.display(description=_("scorecard item"))
    def scorecard_item(self, line):
        # the column's title in the reader's language (the field itself has no translated name)
        return line.item


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Read only: scorecards are computed (``scorecard_compute_unchecked``) and confirmed on their page."""

    list_display = (
        "__str__",
        REP_COLUMN,
        "period",
        "template",
        "status",
        "total",
        "computed_at",
        person_column("confirmed_by", _("confirmed by")),
    )
    list_filter = ("status", "template", "period")
    search_fields = (*REP_SEARCH, "period")
    list_select_related = ("rep", "template", "confirmed_by")
    readonly_fields = field_names(Scorecard)
    inlines = (ScorecardLineInline,)
    show_full_result_count = False
