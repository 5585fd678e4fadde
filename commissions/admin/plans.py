"""Django admin for commission plans, their tiers and their assignments (inline).

The admin saves through ``commissions.services.plans.plan_save``, so a plan, its bands and its assignments
are checked by the rules the API applies and written together or not at all: the formsets show the
refusals (a missing band at 0.00, two bands with one start, a rep on two plans on the same day —
naming the other plan and its dates). Assignments are also listed on their own, read only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import REP_COLUMN, REP_SEARCH, ReadOnlyAdmin
from commissions.models import CommissionPlan, CommissionTier, PlanAssignment
from commissions.services.plans import PLAN_FIELDS, clean_assignments, clean_tiers, plan_save, scorecard_problem


def _kept(formset) -> list[forms.Form]:
    """The forms that stay after the edit: filled in and not marked for deletion."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
    ]


def _rows(formset, names: tuple[str, ...]) -> list[dict]:
    return [{name: form.cleaned_data.get(name) for name in names} for form in _kept(formset)]


class TierFormSet(forms.BaseInlineFormSet):
    """The bands that remain must start at 0.00, each at its own amount (the service's rules)."""

    fields_saved = ("from_amount", "rate")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        _bands, problems = clean_tiers(_rows(self, self.fields_saved))
        if problems:
            raise ValidationError(problems)


class AssignmentFormSet(forms.BaseInlineFormSet):
    """Field reps only, dates in order, one plan per rep on any day (this plan's and the others')."""

    fields_saved = ("rep", "start_date", "end_date")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        _assignments, problems = clean_assignments(_rows(self, self.fields_saved), plan=self.instance)
        if problems:
            raise ValidationError(problems)


class TierInline(admin.TabularInline):
    model = CommissionTier
    formset = TierFormSet
    fields = ("from_amount", "rate")
    ordering = ("from_amount",)

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None else 1


class AssignmentInline(admin.TabularInline):
    model = PlanAssignment
    formset = AssignmentFormSet
    extra = 0
    fields = ("rep", "start_date", "end_date")
    autocomplete_fields = ("rep",)
    ordering = ("start_date", "rep_id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rep")


class CommissionPlanForm(forms.ModelForm):
    class Meta:
        model = CommissionPlan
        fields = list(PLAN_FIELDS)

    def clean(self):
        cleaned = super().clean()
        problem = scorecard_problem(bool(cleaned.get("use_scorecard")), cleaned.get("scorecard_template"))
        if problem:
            self.add_error("scorecard_template", problem)
        return cleaned


@admin.register(CommissionPlan)
class CommissionPlanAdmin(SimpleHistoryAdmin):
    form = CommissionPlanForm
    list_display = (
        "name",
        "base",
        "tier_mode",
        "collection_gate",
        "distribution_gate",
        "use_scorecard",
        "retention",
        "is_active",
        "reps",
    )
    list_filter = ("is_active", "base", "tier_mode", "use_scorecard")
    search_fields = ("name",)
    list_select_related = ("scorecard_template",)
    autocomplete_fields = ("scorecard_template",)
    inlines = (TierInline, AssignmentInline)
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "is_active", "base", "tier_mode")}),
        (
            _("Gates and scorecard"),
            {"fields": ("collection_gate", "distribution_gate", "use_scorecard", "scorecard_template")},
        ),
        (
            _("Deductions and retention"),
            {
                "fields": (
                    "over_budget_expense_share",
                    "visit_shortfall_deduction",
                    "false_report_deduction",
                    "fabricated_deduction",
                    "retention",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rep_count=Count("assignments__rep", distinct=True))

    @admin.display(description=_("reps assigned"), ordering="rep_count")
    def reps(self, plan):
        return plan.rep_count

    def save_model(self, request, obj, form, change):
        """Nothing yet: the plan is saved with its tiers and assignments in ``save_related``."""

    def save_related(self, request, form, formsets, change):
        rows = {formset.model: _rows(formset, formset.fields_saved) for formset in formsets}
        plan_save(
            plan=form.instance,
            tiers=rows.get(CommissionTier),
            assignments=rows.get(PlanAssignment),
            actor=request.user,
        )
        for formset in formsets:  # what the change message reads after a formset's own save()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        # A plan that paid anybody stays (statements point to it); take it out of use instead.
        if obj is not None and obj.statements.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(ReadOnlyAdmin):
    """Who is on which plan when; changed on the plan's page."""

    list_display = (REP_COLUMN, "plan", "start_date", "end_date")
    list_filter = ("plan",)
    search_fields = (*REP_SEARCH, "plan__name")
    list_select_related = ("rep", "plan")
    date_hierarchy = "start_date"
