"""The inspection pages (``inspections.views``): who sees which page (200, 403, 404), forms refused with field
errors (400, nothing saved), the phone form's item-by-item autosave (JSON) and its no-JavaScript path, mystery
inspections invisible to the rep until done, the complaint clock at exactly 4 hours and 4 hours 1 minute."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import Attachment
from inspections.models import Complaint, Inspection, InspectionResult, Rectification
from inspections.services import complaints as complaint_svc
from inspections.services import inspections as svc
from inspections.services import rectifications as rectification_svc
from inspections.views import complaints as complaint_views
from tests.evidence.files import photo

pytestmark = pytest.mark.django_db
D = Decimal
JSON = {"HTTP_ACCEPT": "application/json"}


def url(name, *args):
    return reverse(f"inspections:{name}", args=args)


def plan(inspector, dealer, template, kind="routine"):
    return svc.inspection_plan(inspector, dealer=dealer, template=template, kind=kind)


def row(inspection, code) -> InspectionResult:
    return inspection.results.select_related("item").get(item__code=code)


def answer_all(inspector, inspection, **values):
    for result in inspection.results.select_related("item"):
        value = values.get(result.item.code, "pass")
        price = values.get(f"{result.item.code}__price", D("120.00")) if result.item.kind == "price" else None
        photos = [photo(colour=(result.pk % 255, 10, 10))] if value == "fail" and result.item.requires_photo else []
        svc.result_save(inspector, result, value=value, observed_price=price, photos=photos)


def done_inspection(inspector, dealer, template, kind="routine", **values) -> Inspection:
    inspection = plan(inspector, dealer, template, kind)
    answer_all(inspector, inspection, **values)
    return svc.inspection_complete(inspector, inspection)


@pytest.fixture
def world(inspector, insp_dealers, templates, price_template, rep):
    """T1: a done price inspection (critical cross-goods item failed, kitchen at 99.00 < 100.00: two
    rectifications); T2: a planned routine one; T3: a planned mystery one. A complaint of T1 for the rep."""
    done = done_inspection(
        inspector, insp_dealers["T1"], price_template, no_cross_goods="fail", price_kitchen__price=D("99.00")
    )
    planned = plan(inspector, insp_dealers["T2"], templates["display"])
    mystery = plan(inspector, insp_dealers["T3"], templates["display"], kind="mystery")
    complaint = complaint_svc.complaint_record(
        rep, dealer=insp_dealers["T1"], source="consumer", category="quality", description="破损"
    )
    return {"done": done, "planned": planned, "mystery": mystery, "complaint": complaint}


# --- who sees what ---------------------------------------------------------------------------------------------


def test_every_list_page_answers_each_role_that_reads_it(page_as, world, rep, manager, finance, admin_user, inspector):
    for user in (rep, manager, finance, admin_user, inspector):
        client = page_as(user)
        for name in ("inspection-list", "rectification-list"):
            assert client.get(url(name)).status_code == 200, (user, name)
    for user in (rep, manager, finance, admin_user):
        assert page_as(user).get(url("complaint-list")).status_code == 200
    for user in (manager, inspector, admin_user):
        assert page_as(user).get(url("plan")).status_code == 200
        assert page_as(user).get(url("inspection-create")).status_code == 200
        assert page_as(user).get(url("sample")).status_code == 200
    for user in (rep, finance):
        assert page_as(user).get(url("plan")).status_code == 403
        assert page_as(user).get(url("inspection-create")).status_code == 403
        assert page_as(user).get(url("sample")).status_code == 403
    assert page_as(finance).get(url("complaint-create")).status_code == 403
    assert page_as(inspector).get(url("complaint-create")).status_code == 403
    assert page_as(rep).get(url("complaint-create")).status_code == 200


def test_detail_pages_answer_in_scope_and_404_out_of_it(
    page_as, world, rep, manager, other_manager, other_rep, finance, inspector
):
    done = world["done"]
    rectification = done.rectifications.first()
    complaint = world["complaint"]
    pages = [
        url("inspection-detail", done.pk),
        url("rectification-detail", rectification.pk),
        url("complaint-detail", complaint.pk),
    ]
    for user in (rep, manager, finance):
        for page in pages:
            assert page_as(user).get(page).status_code == 200, (user, page)
    for user in (other_manager, other_rep):
        for page in pages:
            assert page_as(user).get(page).status_code == 404, (user, page)
    assert page_as(inspector).get(pages[0]).status_code == 200
    assert page_as(inspector).get(pages[1]).status_code == 200
    assert page_as(inspector).get(pages[2]).status_code == 404  # inspectors see no complaints


def test_the_perform_page_is_the_inspectors_own(page_as, world, inspector, manager, rep, admin_user):
    planned = world["planned"]
    assert page_as(inspector).get(url("inspection-perform", planned.pk)).status_code == 200
    assert page_as(admin_user).get(url("inspection-perform", planned.pk)).status_code == 200
    assert page_as(manager).get(url("inspection-perform", planned.pk)).status_code == 403
    assert page_as(rep).get(url("inspection-perform", planned.pk)).status_code == 403
    # a done one: back to its page with the reason
    response = page_as(inspector).get(url("inspection-perform", world["done"].pk))
    assert response.status_code == 302 and response.url == url("inspection-detail", world["done"].pk)


def test_the_perform_page_shows_the_minimum_price_and_a_camera_input(page_as, inspector, insp_dealers, price_template):
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    response = page_as(inspector).get(url("inspection-perform", inspection.pk))
    html = response.content.decode()
    assert 'data-minimum="100.00"' in html
    assert html.count('capture="environment"') == 4 and html.count('accept="image/*"') == 4
    assert html.count('data-testid="item-card"') == 4
    assert 'data-unanswered="4"' in html


# --- planning, sampling ----------------------------------------------------------------------------------------


def test_planning_an_inspection_from_the_form(page_as, inspector, insp_dealers, templates):
    response = page_as(inspector).post(
        url("inspection-create"),
        {"dealer": insp_dealers["T1"].pk, "template": templates["display"].pk, "kind": "routine"},
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response.url == url("inspection-detail", inspection.pk)
    assert (inspection.inspector, inspection.planned_on) == (inspector, timezone.localdate())


def test_a_bad_plan_comes_back_with_field_errors_and_saves_nothing(
    page_as, inspector, manager, insp_dealers, templates
):
    response = page_as(inspector).post(url("inspection-create"), {"dealer": "", "template": templates["display"].pk})
    assert response.status_code == 400 and "dealer" in response.context["form"].errors
    # the service's refusal on its field: a planned day long gone
    response = page_as(inspector).post(
        url("inspection-create"),
        {
            "dealer": insp_dealers["T1"].pk,
            "template": templates["display"].pk,
            "kind": "routine",
            "planned_on": "2020-01-01",
        },
    )
    assert response.status_code == 400 and "planned_on" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_sampling_mystery_inspections_from_the_form(page_as, inspector, covered, insp_dealers, templates):
    response = page_as(inspector).post(
        url("sample"), {"territory": covered["SH"].pk, "count": 3, "template": templates["display"].pk, "seed": "s1"}
    )
    assert response.status_code == 302
    sampled = Inspection.objects.filter(kind="mystery", sample_seed="s1")
    assert {i.dealer.code for i in sampled} == {"T1", "T2", "T3"}
    response = page_as(inspector).post(url("sample"), {"territory": covered["SH"].pk, "count": 0, "template": ""})
    assert response.status_code == 400 and {"count", "template"} <= set(response.context["form"].errors)


# --- the phone form: item by item ----------------------------------------------------------------------------------


def test_autosave_saves_one_item_and_answers_json(page_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    tidy = row(inspection, "tidy")
    response = page_as(inspector).post(
        url("inspection-perform", inspection.pk), {"item": tidy.pk, "result": "pass", "note": "整洁"}, **JSON
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] and (answer["item"], answer["result"], answer["unanswered"]) == (tidy.pk, "pass", 4)
    tidy.refresh_from_db()
    assert (tidy.result, tidy.note, tidy.answered_by) == ("pass", "整洁", inspector)
    assert inspection.results.exclude(result="").count() == 1  # that item only


def test_autosave_refuses_a_failed_photo_item_without_a_photo(page_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    shelf = row(inspection, "shelf")  # critical, requires a photo
    response = page_as(inspector).post(
        url("inspection-perform", inspection.pk), {"item": shelf.pk, "result": "fail"}, **JSON
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False and list(answer["errors"]) == ["photos"]
    assert row(inspection, "shelf").result == ""
    # with a photo from the camera it is saved
    response = page_as(inspector).post(
        url("inspection-perform", inspection.pk), {"item": shelf.pk, "result": "fail", "photos": [photo()]}, **JSON
    )
    assert response.status_code == 200 and response.json()["photos"] == 1
    assert row(inspection, "shelf").result == "fail"


def test_autosave_of_a_price_below_the_minimum_fails_the_item(page_as, inspector, insp_dealers, price_template):
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    kitchen = row(inspection, "price_kitchen")
    response = page_as(inspector).post(
        url("inspection-perform", inspection.pk), {"item": kitchen.pk, "observed_price": "99.50"}, **JSON
    )
    answer = response.json()
    assert response.status_code == 200
    assert (answer["result"], answer["price_violation"], answer["min_price"]) == ("fail", True, "100.00")
    response = page_as(inspector).post(
        url("inspection-perform", inspection.pk),
        {"item": kitchen.pk, "result": "pass", "observed_price": "abc"},
        **JSON,
    )
    assert response.status_code == 400 and "observed_price" in response.json()["errors"]


def test_an_item_of_another_inspection_is_refused(page_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    other = plan(inspector, insp_dealers["T2"], templates["display"])
    response = page_as(inspector).post(
        url("inspection-perform", inspection.pk), {"item": row(other, "tidy").pk, "result": "pass"}, **JSON
    )
    assert response.status_code == 400 and "item" in response.json()["errors"]
    assert row(other, "tidy").result == ""


def test_without_javascript_each_item_is_a_form_post(page_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    tidy, shelf = row(inspection, "tidy"), row(inspection, "shelf")
    client = page_as(inspector)
    response = client.post(url("inspection-perform", inspection.pk), {"item": tidy.pk, "result": "na"})
    assert response.status_code == 302 and response.url.endswith(f"#item-{tidy.pk}")
    assert row(inspection, "tidy").result == "na"
    response = client.post(url("inspection-perform", inspection.pk), {"item": shelf.pk, "result": "fail", "note": "空"})
    assert response.status_code == 400
    card = next(card for card in response.context["cards"] if card["result"].pk == shelf.pk)
    assert "photos" in card["form"].errors and card["form"]["note"].value() == "空"  # kept as typed
    assert row(inspection, "shelf").result == ""


def test_completing_from_the_form(page_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["stock"])
    client = page_as(inspector)
    svc.result_save(inspector, row(inspection, "fifo"), value="pass")
    response = client.post(url("inspection-complete", inspection.pk))
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert Inspection.objects.get(pk=inspection.pk).status == "planned"
    answer_all(inspector, inspection)
    assert client.get(url("inspection-complete", inspection.pk)).status_code == 200  # the confirmation
    response = client.post(url("inspection-complete", inspection.pk))
    assert response.status_code == 302 and response.url == url("inspection-detail", inspection.pk)
    assert Inspection.objects.get(pk=inspection.pk).status == "done"
    # twice: back with the reason
    response = client.get(url("inspection-complete", inspection.pk))
    assert response.status_code == 302


def test_reviewing_is_the_managers_never_the_inspectors(page_as, world, manager, inspector, rep):
    done = world["done"]
    assert page_as(inspector).post(url("inspection-review", done.pk), {"note": "x"}).status_code == 403
    assert page_as(rep).post(url("inspection-review", done.pk), {"note": "x"}).status_code == 403
    response = page_as(manager).post(url("inspection-review", done.pk), {"note": "好"})
    assert response.status_code == 302
    assert Inspection.objects.get(pk=done.pk).status == "reviewed"


# --- rectifications ------------------------------------------------------------------------------------------------


def test_the_rep_answers_a_rectification_with_a_photo_and_the_manager_verifies(page_as, world, rep, manager):
    rectification = world["done"].rectifications.get(result__item__code="no_cross_goods")
    response = page_as(rep).post(url("rectification-submit", rectification.pk), {"note": ""})
    assert response.status_code == 400 and "note" in response.context["form"].errors
    response = page_as(rep).post(url("rectification-submit", rectification.pk), {"note": "已下架"})
    assert response.status_code == 400 and "photos" in response.context["form"].errors  # the item required a photo
    assert Rectification.objects.get(pk=rectification.pk).status == "open"
    response = page_as(rep).post(url("rectification-submit", rectification.pk), {"note": "已下架", "photos": [photo()]})
    assert response.status_code == 302
    assert Rectification.objects.get(pk=rectification.pk).status == "submitted"
    assert page_as(rep).post(url("rectification-verify", rectification.pk)).status_code == 403
    response = page_as(manager).post(url("rectification-verify", rectification.pk), {"note": "ok"})
    assert response.status_code == 302
    assert Rectification.objects.get(pk=rectification.pk).status == "verified"
    # a transition no longer allowed: back with a message
    response = page_as(manager).get(url("rectification-reopen", rectification.pk))
    assert response.status_code == 302


def test_reopening_needs_a_reason(page_as, world, rep, inspector):
    rectification = world["done"].rectifications.get(result__item__code="price_kitchen")
    rectification_svc.rectification_submit(rep, rectification, note="已调价")
    response = page_as(inspector).post(url("rectification-reopen", rectification.pk), {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert Rectification.objects.get(pk=rectification.pk).status == "submitted"
    response = page_as(inspector).post(url("rectification-reopen", rectification.pk), {"reason": "仍低价"})
    assert response.status_code == 302 and Rectification.objects.get(pk=rectification.pk).status == "reopened"


def test_the_rectification_queue_flags_the_overdue(page_as, world, rep):
    rectification = world["done"].rectifications.first()
    Rectification.objects.filter(pk=rectification.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    response = page_as(rep).get(url("rectification-list"), {"overdue": "1"})
    rows = list(response.context["page_obj"].object_list)
    assert [r.pk for r in rows] == [rectification.pk] and rows[0].overdue
    assert 'data-testid="overdue"' in response.content.decode()


# --- mystery inspections ---------------------------------------------------------------------------------------


def test_a_mystery_inspection_is_invisible_to_the_rep_until_done(
    page_as, client_as, world, rep, inspector, insp_dealers
):
    mystery = world["mystery"]
    t3 = insp_dealers["T3"]
    client = page_as(rep)
    listed = client.get(url("inspection-list")).context["page_obj"].object_list
    assert mystery.pk not in {i.pk for i in listed}
    assert client.get(url("inspection-list"), {"kind": "mystery"}).context["page_obj"].paginator.count == 0
    assert client.get(url("inspection-detail", mystery.pk)).status_code == 404
    assert client.get(url("inspection-perform", mystery.pk)).status_code == 404
    section = _section(client, t3)
    assert section["latest"] == [] and section["rectifications"] == []
    assert 'data-kind="mystery"' not in client.get(reverse("partners:dealer-detail", args=[t3.pk])).content.decode()
    todos = {todo["key"]: todo["count"] for todo in client.get("/").context["todos"]}
    assert todos["rectifications-to-answer"] == 2  # T1's two; nothing of T3 yet
    # done: it shows, with its rectification
    answer_all(inspector, mystery, shelf="fail")
    svc.inspection_complete(inspector, mystery)
    client = page_as(rep)
    assert client.get(url("inspection-detail", mystery.pk)).status_code == 200
    assert mystery.pk in {i.pk for i in client.get(url("inspection-list")).context["page_obj"].object_list}
    section = _section(client, t3)
    assert [i.pk for i in section["latest"]] == [mystery.pk] and len(section["rectifications"]) == 1
    todos = {todo["key"]: todo["count"] for todo in client.get("/").context["todos"]}
    assert todos["rectifications-to-answer"] == 3


def _section(client, dealer):
    response = client.get(reverse("partners:dealer-detail", args=[dealer.pk]))
    assert response.status_code == 200
    return next(s["context"] for s in response.context["dealer_sections"] if s["key"] == "inspections")


# --- complaints and the clock ------------------------------------------------------------------------------------


def test_recording_a_complaint_from_the_form(page_as, rep, insp_dealers):
    response = page_as(rep).post(
        url("complaint-create"),
        {"dealer": insp_dealers["T1"].pk, "source": "consumer", "category": "quality", "description": "漏水"},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == url("complaint-detail", complaint.pk)
    assert complaint.assignee == rep


def test_a_bad_complaint_comes_back_with_field_errors(page_as, rep, insp_dealers):
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = page_as(rep).post(
        url("complaint-create"),
        {
            "dealer": insp_dealers["T1"].pk,
            "source": "consumer",
            "category": "quality",
            "description": "x",
            "received_at": future,
        },
    )
    assert response.status_code == 400 and "received_at" in response.context["form"].errors
    response = page_as(rep).post(url("complaint-create"), {"dealer": insp_dealers["X1"].pk, "description": ""})
    assert response.status_code == 400 and {"dealer", "description", "source"} <= set(response.context["form"].errors)
    assert not Complaint.objects.exists()


def _complaint_at(rep, dealer, received_at):
    return complaint_svc.complaint_record(
        rep, dealer=dealer, source="dealer", category="delivery", description="晚到", received_at=received_at
    )


def test_the_clock_at_exactly_four_hours_is_in_time(page_as, rep, insp_dealers, monkeypatch):
    received = timezone.now() - timedelta(hours=5)
    complaint = _complaint_at(rep, insp_dealers["T1"], received)
    monkeypatch.setattr(complaint_views, "current_time", lambda: received + timedelta(hours=4))
    with timezone.override("Asia/Shanghai"):
        response = page_as(rep).get(url("complaint-detail", complaint.pk))
    clock = response.context["clock"]
    assert (clock["seconds_left"], clock["late"]) == (0, False)
    assert clock["deadline"] == received + timedelta(hours=4)
    html = response.content.decode()
    assert "0 min left" in html and 'data-testid="late"' not in html
    assert timezone.localtime(received + timedelta(hours=4)).strftime("%Y-%m-%d %H:%M") in html


def test_the_clock_at_four_hours_one_minute_is_late(page_as, rep, insp_dealers, monkeypatch):
    received = timezone.now() - timedelta(hours=5)
    complaint = _complaint_at(rep, insp_dealers["T1"], received)
    monkeypatch.setattr(complaint_views, "current_time", lambda: received + timedelta(hours=4, minutes=1))
    response = page_as(rep).get(url("complaint-detail", complaint.pk))
    clock = response.context["clock"]
    assert (clock["seconds_left"], clock["late"]) == (-60, True)
    html = response.content.decode()
    assert "Overdue by 1 min" in html and 'data-testid="late"' in html
    listed = page_as(rep).get(url("complaint-list"), {"late": "1"}).context["page_obj"].object_list
    assert [c.pk for c in listed] == [complaint.pk]


def test_a_response_after_five_hours_is_late(page_as, rep, insp_dealers):
    received = (timezone.now() - timedelta(hours=6)).replace(second=0, microsecond=0)
    complaint = _complaint_at(rep, insp_dealers["T1"], received)
    responded = timezone.localtime(received + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    response = page_as(rep).post(
        url("complaint-respond", complaint.pk), {"response": "已致电", "responded_at": responded}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.late and complaint.status == "responded"
    html = page_as(rep).get(url("complaint-detail", complaint.pk)).content.decode()
    assert "Responded 1 h 00 min late" in html


def test_respond_and_resolve_refuse_bad_input(page_as, rep, other_rep, world):
    complaint = world["complaint"]
    response = page_as(rep).post(url("complaint-respond", complaint.pk), {"response": ""})
    assert response.status_code == 400 and "response" in response.context["form"].errors
    assert page_as(other_rep).post(url("complaint-respond", complaint.pk), {"response": "x"}).status_code == 404
    response = page_as(rep).post(url("complaint-resolve", complaint.pk), {"resolution": "换货"})
    assert response.status_code == 302 and Complaint.objects.get(pk=complaint.pk).status == "resolved"
    response = page_as(rep).get(url("complaint-respond", complaint.pk))  # resolved: no more response
    assert response.status_code == 302


# --- dashboards --------------------------------------------------------------------------------------------------


def test_the_dashboards_show_each_next_actor_their_panel(page_as, world, rep, manager, inspector):
    html = page_as(inspector).get("/").content.decode()
    assert 'data-testid="inspector-plan-panel"' in html and 'data-testid="to-verify-panel"' in html
    panels = page_as(inspector).get("/").context["app_panels"]
    plan_panel = next(p["context"] for p in panels if p["template"] == "inspections/_panel_inspector.html")
    assert plan_panel["plan_count"] == 2  # T2 and the mystery T3, both today
    rep_panel = next(
        p["context"]
        for p in page_as(rep).get("/").context["app_panels"]
        if p["template"] == "inspections/_panel_rep.html"
    )
    assert (rep_panel["answer_count"], rep_panel["complaint_count"]) == (2, 1)
    manager_panel = next(
        p["context"]
        for p in page_as(manager).get("/").context["app_panels"]
        if p["template"] == "inspections/_panel_manager.html"
    )
    assert manager_panel["review_count"] == 1


def test_the_list_shows_scores_by_territory_and_a_dealers_trend(page_as, world, manager, insp_dealers):
    response = page_as(manager).get(url("inspection-list"), {"dealer": insp_dealers["T1"].pk})
    assert response.status_code == 200
    assert [(row["inspections"], row["average"]) for row in response.context["scores"]] == [(1, D("40.0"))]
    assert response.context["trend_chart"]["datasets"][0]["data"] == [40.0]
    assert 'id="score-trend-chart-data"' in response.content.decode()


def test_attachments_of_a_result_show_on_the_inspection_page(page_as, world, manager):
    done = world["done"]
    html = page_as(manager).get(url("inspection-detail", done.pk)).content.decode()
    assert html.count('data-testid="photo"') == Attachment.objects.count() == 1
