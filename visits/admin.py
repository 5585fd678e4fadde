"""Django admin for visits, week plans and quotas (SPEC §4).

The admin does not bypass the rules: statuses change only through the review services, visits are
logged by reps (the form or the API, where the checks run) and never added or deleted here, and
the checks a visit was logged with are recomputed by the service's own ``visit_apply_checks`` whenever
the admin corrects its dealer or time. Quotas are reference data and fully editable.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import REP_COLUMN, REP_FILTER, REP_SEARCH, NoAddOrDeleteMixin, WhileEditableInline, person_column
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from evidence.admin import AttachmentInline
from partners.models import Dealer
from visits.models import Quota, Visit, VisitPlan, VisitPlanItem
from visits.selectors.compliance import EffectiveQuota
from visits.services.rollups import Counted, visits_moved
from visits.services.visits import check_dealer, visit_apply_checks

# --- week plans ----------------------------------------------------------------------------------


class PlanItemFormSet(forms.BaseInlineFormSet):
    """The checks of the plan service: each planned visit lies in the plan's week, at one of the
    rep's dealers that is not terminated."""

    def clean(self):
        super().clean()
        plan = self.instance
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            dealer, day = form.cleaned_data.get("dealer"), form.cleaned_data.get("planned_date")
            if day is not None and not plan.week_start <= day <= plan.week_end:
                form.add_error(
                    "planned_date",
                    gettext("%(date)s is not in the week of %(week)s.")
                    % {"date": day.isoformat(), "week": plan.iso_week},
                )
            if dealer is not None and (
                dealer.status == Dealer.Status.TERMINATED
                or not scope(plan.rep, Dealer.objects.filter(pk=dealer.pk)).exists()
            ):
                form.add_error("dealer", gettext("Not one of the rep's dealers."))


class PlanItemInline(WhileEditableInline):
    """Items can be corrected while the rep could still change them (draft or returned)."""

    model = VisitPlanItem
    formset = PlanItemFormSet
    autocomplete_fields = ("dealer",)
    fields = ("planned_date", "dealer", "note")

    def editable(self, obj) -> bool:
        return obj is not None and obj.status in (VisitPlan.Status.DRAFT, VisitPlan.Status.RETURNED)


@admin.register(VisitPlan)
class VisitPlanAdmin(NoAddOrDeleteMixin, SimpleHistoryAdmin):
    """Plans are written by reps (the week and due-date checks run in ``plan_create``) and reviewed
    by managers; here they are read, and a draft's items corrected."""

    list_display = (
        "__str__",
        REP_COLUMN,
        "week_start",
        "status",
        "is_late",
        "item_count",
        "submitted_at",
        person_column("reviewed_by", _("reviewed by")),
    )
    list_filter = ("status", "is_late", REP_FILTER, "week_start")
    search_fields = (*REP_SEARCH, "note")
    list_select_related = ("rep", "reviewed_by")
    readonly_fields = (
        "rep",
        "week_start",
        "status",
        "submitted_at",
        "is_late",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "week_start"
    inlines = (PlanItemInline,)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description=_("planned visits"), ordering="item_count")
    def item_count(self, plan):
        return plan.item_count


# --- visits --------------------------------------------------------------------------------------


class VisitAdminForm(forms.ModelForm):
    """The logging checks for what the admin may correct: no time in the future, and one of the rep's dealers."""

    class Meta:
        model = Visit
        fields = ("dealer", "visited_at", "kind", "purpose", "summary", "outcome", "next_action")

    def clean(self):
        cleaned = super().clean()
        visited_at = cleaned.get("visited_at")
        if visited_at is not None and visited_at > timezone.now():
            self.add_error("visited_at", gettext("A visit cannot be in the future."))
        dealer = cleaned.get("dealer")
        if dealer is not None and "dealer" in self.changed_data:
            try:
                check_dealer(self.instance.rep, dealer)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Visit)
class VisitAdmin(NoAddOrDeleteMixin, SimpleHistoryAdmin):
    """Visits are logged by reps and reviewed by managers; the admin reads them and corrects what a
    rep could have corrected (not who logged it, nor where the phone was). The checks follow a
    correction exactly as the service computes them."""

    form = VisitAdminForm
    list_display = (
        "visited_at",
        REP_COLUMN,
        "dealer",
        "kind",
        "status",
        "late_entry",
        "far_from_dealer",
        "distance_m",
        "created_at",
    )
    list_filter = (
        "status",
        "kind",
        "late_entry",
        "far_from_dealer",
        REP_FILTER,
        "visited_on",
        "created_at",
    )
    search_fields = (*REP_SEARCH, "dealer__code", "dealer__name", "purpose", "summary")
    list_select_related = ("rep", "dealer")
    autocomplete_fields = ("dealer",)
    readonly_fields = (
        "rep",
        "latitude",
        "longitude",
        "accuracy_m",
        "visited_on",
        "created_at",
        "updated_at",
        "late_entry",
        "far_from_dealer",
        "distance_m",
        "client_uuid",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    )
    fieldsets = (
        (None, {"fields": ("rep", "dealer", "visited_at", "visited_on", "created_at", "client_uuid")}),
        (_("Report"), {"fields": ("kind", "purpose", "summary", "outcome", "next_action")}),
        (
            _("Checks"),
            {"fields": ("latitude", "longitude", "accuracy_m", "distance_m", "late_entry", "far_from_dealer")},
        ),
        (_("Review"), {"fields": ("status", "reviewed_by", "reviewed_at", "review_comment", "updated_at")}),
    )
    date_hierarchy = "visited_on"
    show_full_result_count = False
    inlines = (AttachmentInline,)

    def save_model(self, request, obj, form, change):
        visit_apply_checks(obj)
        counted = Counted.locked(obj.pk)
        super().save_model(request, obj, form, change)
        visits_moved((counted, Counted.of(obj)))


# --- quotas --------------------------------------------------------------------------------------


class QuotaAdminForm(forms.ModelForm):
    class Meta:
        model = Quota
        fields = ("rep", "daily_min", "weekly_unique_min", "monthly_min")

    def clean(self):
        cleaned = super().clean()
        rep = cleaned.get("rep")
        if rep is not None and not has_role(rep, Role.FIELD_REP):
            self.add_error("rep", gettext("Choose a field rep."))
        return cleaned


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    """A rep's own quota; an empty field keeps the default from settings."""

    form = QuotaAdminForm
    list_display = (REP_COLUMN, "daily_min", "weekly_unique_min", "monthly_min", "effective")
    search_fields = REP_SEARCH
    list_select_related = ("rep",)
    autocomplete_fields = ("rep",)
    show_full_result_count = False

    @admin.display(description=_("in effect (day / week / month)"))
    def effective(self, quota):
        effective = EffectiveQuota.default().with_overrides(quota)
        return f"{effective.daily_min} / {effective.weekly_unique_min} / {effective.monthly_min}"
