"""Visit pages (SPEC §7): the phone form, lists, detail, review queue, week plans and compliance —
scope by role, the flows through forms, and query counts that do not grow with the rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channelhub.periods import Month, iso_week_label, week_start
from tests.visits.world import log
from visits.models import Visit, VisitPlan
from visits.services import plans as plan_services
from visits.services.visits import visit_review


def _now():
    return timezone.now().replace(microsecond=0)


def _visits(rep, dealers, count, *, late=False):
    now = _now()
    made = []
    for n in range(count):
        visited = now - timedelta(hours=n + 1)
        made.append(log(rep, dealers[n % len(dealers)], visited, now=now if not late else visited + timedelta(days=4)))
    return made


# --- the new-visit form ----------------------------------------------------------------------------


def test_rep_logs_a_visit_through_the_form_once_even_when_the_form_is_sent_twice(page_as, rep, d):
    client = page_as(rep)
    page = client.get(reverse("visits:visit-create"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Use my position" in body and 'data-search="' in body
    assert "广州经销商" not in body  # another rep's dealer is not offered
    form = {
        "dealer": d["A1"].pk,
        "visited_at": timezone.localtime(_now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "training",
        "purpose": "新品培训",
        "summary": "培训店员 3 人",
        "outcome": "下周补货",
        "next_action": "周五回访",
        "latitude": "31.231400",
        "longitude": "121.473700",
        "accuracy_m": "12.0",
        "client_uuid": str(uuid.uuid4()),
    }
    response = client.post(reverse("visits:visit-create"), form)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visits:visit-detail", args=[visit.pk])
    assert (visit.rep, visit.dealer, visit.kind, visit.accuracy_m) == (rep, d["A1"], "training", 12)
    assert not visit.flags
    again = client.post(reverse("visits:visit-create"), form)  # the double tap
    assert again.status_code == 302 and Visit.objects.count() == 1
    listing = client.get(reverse("visits:visit-list"))
    assert "浦东经销商1" in listing.content.decode()


def test_the_form_refuses_a_visit_in_the_future_and_keeps_what_was_typed(page_as, rep, d):
    future = timezone.localtime(_now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = page_as(rep).post(
        reverse("visits:visit-create"),
        {
            "dealer": d["A1"].pk,
            "visited_at": future,
            "kind": "maintenance",
            "purpose": "例行拜访",
            "client_uuid": uuid.uuid4(),
        },
    )
    assert response.status_code == 200
    assert "A visit cannot be in the future." in response.content.decode()
    assert "例行拜访" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_far_visit_is_flagged_and_the_rep_is_told(page_as, rep, d):
    response = page_as(rep).post(
        reverse("visits:visit-create"),
        {
            "dealer": d["A1"].pk,
            "visited_at": timezone.localtime(_now()).strftime("%Y-%m-%dT%H:%M"),
            "kind": "maintenance",
            "purpose": "例行拜访",
            "latitude": "31.251400",  # 0.02° north of the dealer: ≈ 2,224 m
            "longitude": "121.473700",
            "client_uuid": uuid.uuid4(),
        },
        follow=True,
    )
    assert "far from dealer" in response.content.decode()
    assert Visit.objects.get().far_from_dealer


@pytest.mark.parametrize("who", ["manager", "finance", "admin_user"])
def test_only_reps_open_the_visit_form(page_as, who, request):
    assert page_as(request.getfixturevalue(who)).get(reverse("visits:visit-create")).status_code == 403


# --- lists, details and scope ----------------------------------------------------------------------


def test_lists_show_only_what_each_role_may_see(page_as, rep, rep_peer, other_rep, manager, other_manager, finance, d):
    mine = log(rep, d["A1"], _now() - timedelta(hours=2))
    peers = log(rep_peer, d["P1"], _now() - timedelta(hours=3))
    others = log(other_rep, d["O1"], _now() - timedelta(hours=4))

    def listed(user):
        body = page_as(user).get(reverse("visits:visit-list")).content.decode()
        return {v.dealer.name for v in (mine, peers, others) if v.dealer.name in body}

    assert listed(rep) == {"浦东经销商1"}
    assert listed(manager) == {"浦东经销商1", "南京经销商"}
    assert listed(other_manager) == {"广州经销商"}
    assert page_as(finance).get(reverse("visits:visit-list")).status_code == 403
    for user, visit in [(rep, peers), (rep, others), (manager, others), (other_manager, mine), (finance, mine)]:
        assert page_as(user).get(reverse("visits:visit-detail", args=[visit.pk])).status_code == 404


def test_visit_list_query_count_does_not_grow(page_as, rep, manager, d, django_assert_max_num_queries):
    dealers = [d[f"A{n}"] for n in range(1, 10)]
    _visits(rep, dealers, 3)
    client = page_as(manager)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("visits:visit-list"))
    _visits(rep, dealers, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("visits:visit-list")).status_code == 200


def test_visit_detail_shows_flags_and_distance_and_review_buttons(
    page_as, rep, manager, d, django_assert_max_num_queries
):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(days=4), now=now, latitude="31.251400", longitude="121.473700")
    assert set(visit.flags) == {"late_entry", "far_from_dealer"}
    client = page_as(manager)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("visits:visit-detail", args=[visit.pk]))
    body = page.content.decode()
    assert "Late entry" in body and "Far from dealer" in body and "2.2 km" in body
    for action in ("confirm", "mark-false", "mark-fabricated"):
        assert reverse(f"visits:visit-{action}", args=[visit.pk]) in body
    rep_view = page_as(rep).get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    assert reverse("visits:visit-confirm", args=[visit.pk]) not in rep_view
    assert reverse("visits:visit-edit", args=[visit.pk]) in rep_view


def test_manager_marks_a_flagged_visit_fabricated_from_the_queue(page_as, rep, manager, d):
    now = _now()
    flagged = log(rep, d["A1"], now - timedelta(days=5), now=now)
    fine = log(rep, d["A2"], now - timedelta(hours=1), now=now)
    client = page_as(manager)
    queue = client.get(reverse("visits:review")).content.decode()
    assert reverse("visits:visit-detail", args=[flagged.pk]) in queue
    assert reverse("visits:visit-detail", args=[fine.pk]) not in queue
    form = client.get(reverse("visits:visit-mark-fabricated", args=[flagged.pk]))
    assert form.status_code == 200
    response = client.post(reverse("visits:visit-mark-fabricated", args=[flagged.pk]), {"comment": "照片是旧的"})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert (flagged.status, flagged.reviewed_by, flagged.review_comment) == ("fabricated", manager, "照片是旧的")
    assert (
        reverse("visits:visit-detail", args=[flagged.pk]) not in client.get(reverse("visits:review")).content.decode()
    )
    # a second verdict that the state no longer allows is refused with a message, not a crash
    again = client.post(reverse("visits:visit-confirm", args=[flagged.pk]), {}, follow=True)
    assert "Cannot" in again.content.decode()


def test_quick_confirm_from_the_queue_returns_to_the_queue(page_as, rep, manager, d):
    now = _now()
    flagged = log(rep, d["A1"], now - timedelta(days=5), now=now)
    response = page_as(manager).post(reverse("visits:visit-confirm", args=[flagged.pk]), {"next": "review"})
    assert response["Location"] == reverse("visits:review")


def test_rep_cannot_review_and_another_manager_gets_404(page_as, rep, other_manager, d):
    visit = log(rep, d["A1"], _now() - timedelta(days=5), now=_now())
    assert page_as(rep).get(reverse("visits:visit-confirm", args=[visit.pk])).status_code == 403
    assert page_as(other_manager).get(reverse("visits:visit-confirm", args=[visit.pk])).status_code == 404


def test_rep_edits_within_24_hours_only(page_as, rep, d):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(hours=1), now=now)
    client = page_as(rep)
    form = client.get(reverse("visits:visit-edit", args=[visit.pk]))
    assert form.status_code == 200
    data = {
        "dealer": d["A2"].pk,
        "visited_at": timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M"),
        "kind": "complaint",
        "purpose": "处理投诉",
        "summary": "",
        "outcome": "",
        "next_action": "",
    }
    assert client.post(reverse("visits:visit-edit", args=[visit.pk]), data).status_code == 302
    visit.refresh_from_db()
    assert (visit.dealer, visit.kind) == (d["A2"], "complaint")
    Visit.objects.filter(pk=visit.pk).update(created_at=now - timedelta(hours=25))
    late = client.get(reverse("visits:visit-edit", args=[visit.pk]), follow=True)
    assert "can no longer be changed" in late.content.decode()


def test_dealer_page_shows_the_visit_timeline(page_as, rep, manager, finance, d, django_assert_max_num_queries):
    log(rep, d["A1"], _now() - timedelta(hours=3), purpose="季度对账")
    client = page_as(manager)
    # the account section reads the terms of an aging even with nothing open; the stock section its twelve months;
    # the inspections section its latest inspections, score trend, open rectifications and complaints (four)
    with django_assert_max_num_queries(31):
        body = client.get(reverse("partners:dealer-detail", args=[d["A1"].pk])).content.decode()
    assert "季度对账" in body and 'data-testid="dealer-visits"' in body
    finance_view = page_as(finance).get(reverse("partners:dealer-detail", args=[d["A1"].pk])).content.decode()
    assert "季度对账" not in finance_view


# --- week plans ------------------------------------------------------------------------------------


def _plan_post(rows, submit=True):
    data = {"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0", "note": "重点：新店"}
    for n, (day, dealer) in enumerate(rows):
        data[f"items-{n}-planned_date"] = day.isoformat() if day else ""
        data[f"items-{n}-dealer"] = dealer.pk if dealer else ""
        data[f"items-{n}-note"] = ""
    if submit:
        data["submit"] = "1"
    return data


def test_rep_plans_next_week_and_the_manager_approves(page_as, rep, manager, d):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    week = iso_week_label(monday)
    client = page_as(rep)
    page = client.get(reverse("visits:my-plan") + f"?week={week}")
    assert page.status_code == 200 and week in page.content.decode()
    rows = [(monday, d["A1"]), (monday + timedelta(days=1), d["A2"]), (None, None)]
    response = client.post(reverse("visits:my-plan") + f"?week={week}", _plan_post(rows))
    plan = VisitPlan.objects.get()
    assert response.status_code == 302 and plan.status == "submitted" and plan.items.count() == 2
    manager_client = page_as(manager)
    assert week in manager_client.get(reverse("visits:review")).content.decode()
    assert manager_client.post(reverse("visits:plan-approve", args=[plan.pk]), {"comment": "好"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    # an approved plan is shown, not offered for editing
    assert page_as(rep).get(reverse("visits:my-plan") + f"?week={week}")["Location"] == reverse(
        "visits:plan-detail", args=[plan.pk]
    )


def test_plan_rows_with_a_day_outside_the_week_or_half_filled_are_errors(page_as, rep, d):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    client = page_as(rep)
    half = client.post(reverse("visits:my-plan") + f"?week={iso_week_label(monday)}", _plan_post([(monday, None)]))
    assert half.status_code == 200 and "Choose both a day and a dealer" in half.content.decode()
    assert not VisitPlan.objects.exists()


def test_manager_returns_a_plan_with_a_comment(page_as, rep, manager, d):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    plan = plan_services.plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])
    plan_services.plan_submit(actor=rep, plan=plan)
    client = page_as(manager)
    empty = client.post(reverse("visits:plan-return", args=[plan.pk]), {"comment": ""})
    assert empty.status_code == 200
    assert client.post(reverse("visits:plan-return", args=[plan.pk]), {"comment": "周三加一家"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "returned"
    rep_page = page_as(rep).get(reverse("visits:my-plan") + f"?week={iso_week_label(monday)}").content.decode()
    assert "周三加一家" in rep_page


def test_plan_pages_scope(page_as, rep, rep_peer, other_manager, finance, d):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    plan = plan_services.plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])
    for user in (rep_peer, other_manager):
        assert page_as(user).get(reverse("visits:plan-detail", args=[plan.pk])).status_code == 404
    assert page_as(finance).get(reverse("visits:plan-list")).status_code == 403


def test_plan_list_query_count(page_as, rep, manager, d, django_assert_max_num_queries):
    monday = week_start(timezone.localdate())
    for n in range(4):
        plan_services.plan_create(
            rep=rep,
            week_start=monday + timedelta(days=7 * n),
            items=[{"dealer": d["A1"], "planned_date": monday + timedelta(days=7 * n)}],
        )
    client = page_as(manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:plan-list")).status_code == 200
    client = page_as(rep)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("visits:my-plan")).status_code == 200


# --- compliance and dashboards ---------------------------------------------------------------------


def test_compliance_page_shows_each_reps_shortfall(page_as, rep, rep_peer, manager, d, django_assert_max_num_queries):
    month = Month.current()
    _visits(rep, [d["A1"], d["A2"]], 3)
    visit_review(
        actor=manager, visit=Visit.objects.filter(rep=rep).first(), name="mark_false", comment="门店当天未营业"
    )
    client = page_as(manager)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("visits:compliance") + f"?period={month}")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="compliance-chart-' in body and "chart.umd.min.js" in body
    counted = Visit.objects.filter(rep=rep, status__in=Visit.COUNTED, visited_on__gte=month.first_day).count()
    assert f'data-rep="{rep.username}"' in body and f'data-rep="{rep_peer.username}"' in body
    assert page.context["team"].reps[0].shortfall == 30 - counted


def test_compliance_page_shows_the_reps_in_pages_and_the_whole_teams_totals(page_as, rep, rep_peer, manager, d):
    """An admin sees hundreds of reps: rows and charts come a page at a time, the totals stay the team's."""
    import channelhub.pages

    _visits(rep, [d["A1"]], 1)
    _visits(rep_peer, [d["P1"]], 2)
    client = page_as(manager)
    url = reverse("visits:compliance") + f"?period={Month.current()}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(channelhub.pages, "PAGE_SIZE", 1)
        first, second = client.get(url), client.get(url + "&page=2")
    for page, shown, hidden in ((first, rep, rep_peer), (second, rep_peer, rep)):
        body = page.content.decode()
        assert f'data-rep="{shown.username}"' in body and f'data-rep="{hidden.username}"' not in body
        assert [chart["id"] for chart in page.context["charts"]] == [f"compliance-chart-{shown.pk}"]
        assert page.context["team"].visits_counted == 3  # both reps' visits, on every page
    assert "page=2" in first.content.decode()


def test_compliance_page_for_a_rep_shows_only_themself(page_as, rep, rep_peer):
    body = page_as(rep).get(reverse("visits:compliance")).content.decode()
    assert f'data-rep="{rep.username}"' in body and f'data-rep="{rep_peer.username}"' not in body


def test_compliance_page_with_a_bad_period_falls_back_with_a_message(page_as, rep):
    response = page_as(rep).get(reverse("visits:compliance") + "?period=2026-13", follow=True)
    assert response.status_code == 200 and "YYYY-MM" in response.content.decode()


def test_rep_dashboard_shows_today_and_month_against_quota(page_as, rep, d, django_assert_max_num_queries):
    _visits(rep, [d["A1"], d["A2"], d["A3"]], 1)
    client = page_as(rep)
    with django_assert_max_num_queries(17):  # + the inspections panel: rectifications and complaints to answer
        page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert 'data-testid="today-visits"' in page.content.decode()
    assert page.context["compliance"].monthly_min == 30


def test_manager_dashboard_counts_what_waits(page_as, rep, manager, d, django_assert_max_num_queries):
    log(rep, d["A1"], _now() - timedelta(days=5), now=_now())
    client = page_as(manager)
    with django_assert_max_num_queries(21):  # + the inspections panel (to review, overdue, late complaints)
        page = client.get(reverse("dashboard"))
    assert {todo["key"]: todo["count"] for todo in page.context["todos"]}["flagged-waiting"] == 1


@pytest.mark.parametrize(
    ("url_name", "active"),
    [
        ("visits:visit-create", "/visits/new/"),
        ("visits:plan-list", "/visits/plans/"),
        ("visits:visit-list", "/visits/"),
    ],
)
def test_one_menu_entry_is_active(page_as, rep, url_name, active):
    items = page_as(rep).get(reverse(url_name)).context["nav_items"]
    assert [item["url"] for item in items if item["active"]] == [active]


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "2026-13"])
def test_compliance_page_survives_periods_out_of_range(page_as, rep, period):
    response = page_as(rep).get(reverse("visits:compliance") + f"?period={period}", follow=True)
    assert response.status_code == 200 and "YYYY-MM" in response.content.decode()


@pytest.mark.parametrize("week", ["0000-W01", "9999-W52", "2026-W54", "x"])
def test_week_plan_page_survives_bad_weeks(page_as, rep, week):
    response = page_as(rep).get(reverse("visits:my-plan") + f"?week={week}")
    assert response.status_code == 200 and "YYYY-Www" in response.content.decode()


def test_marking_a_visit_false_on_the_page_asks_for_the_reason(page_as, rep, manager, d):
    now = _now()
    flagged = log(rep, d["A1"], now - timedelta(days=5), now=now)
    client = page_as(manager)
    refused = client.post(reverse("visits:visit-mark-false", args=[flagged.pk]), {"comment": ""})
    assert refused.status_code == 200 and 'name="comment"' in refused.content.decode()
    flagged.refresh_from_db()
    assert flagged.status == "submitted"
    client.post(reverse("visits:visit-mark-false", args=[flagged.pk]), {"comment": "门店当天未营业"})
    flagged.refresh_from_db()
    assert (flagged.status, flagged.review_comment) == ("false_report", "门店当天未营业")
    # the rep reads why on the visit
    assert "门店当天未营业" in page_as(rep).get(reverse("visits:visit-detail", args=[flagged.pk])).content.decode()
