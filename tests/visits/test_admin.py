"""Django admin for visits: every page renders for an admin, and the admin does not bypass the rules
(no visits added or deleted, statuses only through the review services, checks recomputed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channelhub.periods import week_start
from tests.visits.world import log
from visits.models import Quota, Visit, VisitPlan
from visits.services.plans import plan_approve, plan_create, plan_submit


def url(model, view: str, *args) -> str:
    return reverse(f"admin:visits_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def visit(d, rep):
    return log(rep, d["A1"], timezone.now() - timedelta(hours=3), purpose="例行拜访", summary="检查陈列")


@pytest.fixture
def draft_plan(d, rep):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    return plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])


@pytest.fixture
def approved_plan(d, rep, manager):
    monday = week_start(timezone.localdate())
    plan = plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A2"], "planned_date": monday}])
    plan_submit(actor=rep, plan=plan)
    return plan_approve(actor=manager, plan=plan)


@pytest.fixture
def quota(rep):
    return Quota.objects.create(rep=rep, monthly_min=25)


@pytest.fixture
def filled(visit, draft_plan, approved_plan, quota):
    return {Visit: visit, VisitPlan: approved_plan, Quota: quota}


@pytest.mark.parametrize("model", [Visit, VisitPlan, Quota])
def test_changelists_render(client_as, admin_user, filled, model, django_assert_max_num_queries):
    client = client_as(admin_user)
    with django_assert_max_num_queries(15):
        assert client.get(url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", [Visit, VisitPlan, Quota])
def test_change_and_history_pages_render(client_as, admin_user, filled, model):
    client = client_as(admin_user)
    obj = filled[model]
    assert client.get(url(model, "change", obj.pk)).status_code == 200
    assert client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize(("model", "status"), [(Visit, 403), (VisitPlan, 403), (Quota, 200)])
def test_only_quotas_are_added_in_the_admin(client_as, admin_user, model, status):
    assert client_as(admin_user).get(url(model, "add")).status_code == status


@pytest.mark.parametrize("model", [Visit, VisitPlan])
def test_visits_and_plans_are_not_deleted_in_the_admin(client_as, admin_user, filled, model):
    assert client_as(admin_user).get(url(model, "delete", filled[model].pk)).status_code == 403
    assert model.objects.filter(pk=filled[model].pk).exists()


def test_the_visit_list_filters_and_the_date_drilldown_render(client_as, admin_user, filled):
    client = client_as(admin_user)
    today = timezone.localdate()
    for query in (
        {"status__exact": "submitted"},
        {"late_entry__exact": "1"},
        {"far_from_dealer__exact": "0"},
        {"kind__exact": "maintenance"},
        {"rep__id__exact": filled[Visit].rep_id},
        {"visited_on__year": today.year, "visited_on__month": today.month},
    ):
        assert client.get(url(Visit, "changelist"), query).status_code == 200, query


@pytest.mark.parametrize(
    ("model", "term", "found"),
    [
        (Visit, "浦东经销商1", True),
        (Visit, "A1", True),
        (Visit, "rep_a1", True),
        (Visit, "南京", False),
        (VisitPlan, "rep_a1", True),
        (VisitPlan, "rep_b1", False),
        (Quota, "rep_a1", True),
        (Quota, "manager_a", False),
    ],
)
def test_search(client_as, admin_user, filled, model, term, found):
    response = client_as(admin_user).get(url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    assert (filled[model] in response.context["cl"].result_list) is found


def test_dealer_autocomplete_serves_the_visit_form(client_as, admin_user, visit):
    response = client_as(admin_user).get(
        reverse("admin:autocomplete"),
        {"app_label": "visits", "model_name": "visit", "field_name": "dealer", "term": "浦东"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 9  # 浦东经销商1–9


def test_rep_autocomplete_serves_the_quota_form(client_as, admin_user, rep):
    response = client_as(admin_user).get(
        reverse("admin:autocomplete"),
        {"app_label": "visits", "model_name": "quota", "field_name": "rep", "term": "rep_a1"},
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(rep.pk)]


# --- the admin keeps the rules -------------------------------------------------------------------


def visit_form(visit, **changes) -> dict:
    local = timezone.localtime(changes.pop("visited_at", visit.visited_at))
    form = {
        "dealer": visit.dealer_id,
        "visited_at_0": local.date().isoformat(),
        "visited_at_1": local.time().strftime("%H:%M:%S"),
        "kind": visit.kind,
        "purpose": visit.purpose,
        "summary": visit.summary,
        "outcome": visit.outcome,
        "next_action": visit.next_action,
        # the management form of the read-only attachments inline (evidence.admin.AttachmentInline)
        **{f"evidence-attachment-object_type-object_id-{key}": 0 for key in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    return {**form, **changes}


def test_status_and_checks_cannot_be_set_in_the_admin(client_as, admin_user, visit):
    form = visit_form(visit, status="fabricated", late_entry="on", client_uuid="00000000-0000-0000-0000-000000000000")
    response = client_as(admin_user).post(url(Visit, "change", visit.pk), form)
    assert response.status_code == 302
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.status, stored.late_entry, stored.client_uuid) == ("submitted", False, visit.client_uuid)


def test_a_corrected_time_gets_the_checks_the_service_makes(client_as, admin_user, visit):
    four_days_earlier = visit.created_at - timedelta(days=4)
    form = visit_form(visit, visited_at=four_days_earlier, purpose="补录")
    response = client_as(admin_user).post(url(Visit, "change", visit.pk), form)
    assert response.status_code == 302
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.purpose == "补录"
    assert stored.late_entry is True
    assert stored.visited_on == timezone.localtime(four_days_earlier).date()


def test_a_visit_in_the_future_is_refused(client_as, admin_user, visit):
    form = visit_form(visit, visited_at=timezone.now() + timedelta(days=1))
    response = client_as(admin_user).post(url(Visit, "change", visit.pk), form)
    assert response.status_code == 200
    assert "visited_at" in response.context["adminform"].form.errors
    assert Visit.objects.get(pk=visit.pk).visited_at == visit.visited_at


def test_a_dealer_of_another_rep_is_refused(client_as, admin_user, visit, d):
    response = client_as(admin_user).post(url(Visit, "change", visit.pk), visit_form(visit, dealer=d["P1"].pk))
    assert response.status_code == 200
    assert "dealer" in response.context["adminform"].form.errors
    assert Visit.objects.get(pk=visit.pk).dealer_id == d["A1"].pk


def plan_form(plan, items) -> dict:
    form = {
        "note": plan.note,
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for number, (dealer, day) in enumerate(items):
        form |= {f"items-{number}-plan": plan.pk, f"items-{number}-dealer": dealer.pk}
        form[f"items-{number}-planned_date"] = day.isoformat()
    return form


def test_a_drafts_items_are_checked_like_the_plan_service_does(client_as, admin_user, draft_plan, d):
    client = client_as(admin_user)
    monday = draft_plan.week_start
    refused = plan_form(draft_plan, [(d["A2"], monday - timedelta(days=1)), (d["P1"], monday)])
    response = client.post(url(VisitPlan, "change", draft_plan.pk), refused)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "planned_date" in errors[0] and "dealer" in errors[1]
    accepted = plan_form(draft_plan, [(d["A2"], monday + timedelta(days=2))])
    assert client.post(url(VisitPlan, "change", draft_plan.pk), accepted).status_code == 302
    assert draft_plan.items.count() == 2


def test_an_approved_plans_items_are_read_only(client_as, admin_user, approved_plan, d):
    client = client_as(admin_user)
    response = client.get(url(VisitPlan, "change", approved_plan.pk))
    assert not response.context["inline_admin_formsets"][0].has_add_permission
    client.post(
        url(VisitPlan, "change", approved_plan.pk), plan_form(approved_plan, [(d["A3"], approved_plan.week_start)])
    )
    assert list(approved_plan.items.values_list("dealer", flat=True)) == [d["A2"].pk]


def test_a_quota_is_added_for_a_field_rep_only(client_as, admin_user, rep, manager):
    client = client_as(admin_user)
    response = client.post(url(Quota, "add"), {"rep": manager.pk, "monthly_min": 20})
    assert response.status_code == 200
    assert not Quota.objects.exists()
    response = client.post(url(Quota, "add"), {"rep": rep.pk, "monthly_min": 20, "daily_min": ""})
    assert response.status_code == 302
    quota = Quota.objects.get(rep=rep)
    assert (quota.daily_min, quota.monthly_min) == (None, 20)
    assert quota.history.count() == 1
