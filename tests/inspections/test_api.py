"""``/api/v1/checklist-templates/``, ``/api/v1/inspections/`` and ``/api/v1/inspection-results/`` (SPEC §8, §17):
planning and sampling, results one or a list (all or nothing), the photo and price rules, completing and
reviewing, who sees what (out of scope: 404), and the URL names of the contract."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Inspection, InspectionResult, Rectification
from tests.inspections.api_helpers import (
    EN,
    INSPECTIONS,
    RESULTS,
    SAMPLE,
    TEMPLATES,
    D,
    add_photo,
    answer_price_inspection,
    detail,
    plan,
    result_id,
)

pytestmark = pytest.mark.django_db


# --- templates -----------------------------------------------------------------------------------------------


def test_every_role_reads_the_templates_with_their_items(api_as, rep, finance, inspector, price_template):
    for user in (rep, finance, inspector):
        page = api_as(user).get(TEMPLATES, **EN).json()
        assert [t["code"] for t in page["results"]] == ["display", "price", "stock"]
    price = next(t for t in page["results"] if t["code"] == "price")
    assert price["name"] == "Prices and cross-territory goods"
    kitchen = price["items"][-1]
    assert (kitchen["code"], kitchen["kind"], kitchen["product_line"], kitchen["weight"]) == (
        "price_kitchen",
        "price",
        "kitchen",
        "20.00",
    )
    assert kitchen["text"] == "Shelf price of kitchen not below the minimum"
    # 20 + 40 + 20 + 20 = 100
    assert sum(D(item["weight"]) for item in price["items"]) == D("100")


# --- planning ------------------------------------------------------------------------------------------------


def test_an_inspector_plans_with_the_template_by_code_or_id(api_as, inspector, insp_dealers, templates):
    client = api_as(inspector)
    by_code = client.post(INSPECTIONS, {"dealer": insp_dealers["T1"].pk, "template": "display"}, **EN)
    assert by_code.status_code == 201, by_code.json()
    body = by_code.json()
    assert (body["status"], body["kind"], body["inspector"], body["template_code"]) == (
        "planned",
        "routine",
        inspector.pk,
        "display",
    )
    assert body["planned_on"] == str(timezone.localdate())
    assert [r["item_code"] for r in body["results"]] == ["signage", "shelf", "pop", "tidy", "staff"]
    assert body["results"][1]["item_text"] == "Core products displayed in the agreed shelf space"
    assert (body["results"][1]["critical"], body["results"][1]["requires_photo"], body["results"][1]["result"]) == (
        True,
        True,
        "",
    )
    assert body["actions"] == ["results", "complete"]
    by_id = client.post(
        INSPECTIONS,
        {"dealer": insp_dealers["T2"].pk, "template": templates["stock"].pk, "kind": "quarterly"},
    )
    assert by_id.status_code == 201 and by_id.json()["template_code"] == "stock"


def test_planning_errors_name_their_fields(api_as, inspector, manager, insp_dealers):
    client = api_as(inspector)
    unknown = client.post(INSPECTIONS, {"dealer": insp_dealers["T1"].pk, "template": "nope", "kind": "x"})
    assert unknown.status_code == 400 and set(unknown.json()) == {"template", "kind"}
    # a dealer out of the inspector's territories reads like one that does not exist
    hidden = client.post(INSPECTIONS, {"dealer": insp_dealers["X1"].pk, "template": "display"})
    missing = client.post(INSPECTIONS, {"dealer": 999_999, "template": "display"})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["dealer"][0].replace(str(insp_dealers["X1"].pk), "N") == missing.json()["dealer"][0].replace(
        "999999", "N"
    )
    # an inspector plans for themselves only
    for_other = client.post(
        INSPECTIONS, {"dealer": insp_dealers["T1"].pk, "template": "display", "inspector": manager.pk}
    )
    assert for_other.status_code == 400 and list(for_other.json()) == ["inspector"]


def test_a_manager_plans_for_the_inspector(api_as, manager, inspector, insp_dealers):
    response = api_as(manager).post(
        INSPECTIONS, {"dealer": insp_dealers["T1"].pk, "template": "stock", "inspector": inspector.pk}
    )
    assert response.status_code == 201
    assert (response.json()["inspector"], response.json()["actions"]) == (inspector.pk, [])


@pytest.mark.parametrize("who", ["rep", "finance"])
def test_reps_and_finance_do_not_plan(request, api_as, who, insp_dealers):
    user = request.getfixturevalue(who)
    response = api_as(user).post(INSPECTIONS, {"dealer": insp_dealers["T1"].pk, "template": "display"})
    assert response.status_code == 403
    assert not Inspection.objects.exists()


# --- mystery samples ----------------------------------------------------------------------------------------


def _sample(client, **body):
    return client.post(SAMPLE, {"territory": "SH", "template": "display", **body})


def test_a_sample_with_a_seed_picks_the_same_terminals_again(api_as, inspector, insp_dealers):
    client = api_as(inspector)
    first = _sample(client, count=2, seed="s1")
    assert first.status_code == 201, first.json()
    assert first.json()["seed"] == "s1"
    picked = sorted(row["dealer"] for row in first.json()["inspections"])
    assert len(picked) == 2
    assert set(picked) <= {insp_dealers[code].pk for code in ("T1", "T2", "T3")}  # active terminals of SH only
    assert all(row["kind"] == "mystery" and row["sample_seed"] == "s1" for row in first.json()["inspections"])
    Inspection.objects.all().delete()  # the same terminals, none inspected: the same state again
    again = _sample(client, count=2, seed="s1")
    assert sorted(row["dealer"] for row in again.json()["inspections"]) == picked
    # no seed: one is made and answered
    Inspection.objects.all().delete()
    fresh = _sample(client, count=1)
    assert fresh.status_code == 201 and len(fresh.json()["seed"]) == 16


def test_a_sample_leaves_out_terminals_inspected_in_the_last_90_days_and_planned_ones(
    api_as, inspector, insp_dealers, templates
):
    recent = plan(inspector, insp_dealers["T1"], templates["stock"])
    Inspection.objects.filter(pk=recent.pk).update(status="done", done_at=timezone.now() - timedelta(days=89))
    plan(inspector, insp_dealers["T2"], templates["stock"])  # planned: left out too
    response = _sample(api_as(inspector), count=5, seed="any")
    assert [row["dealer"] for row in response.json()["inspections"]] == [insp_dealers["T3"].pk]


def test_sampling_errors(api_as, inspector, finance, insp_dealers):
    client = api_as(inspector)
    too_many = _sample(client, count=51)
    assert too_many.status_code == 400 and list(too_many.json()) == ["count"]
    outside = client.post(SAMPLE, {"territory": "GD", "template": "display", "count": 1})
    assert outside.status_code == 400 and list(outside.json()) == ["territory"]
    assert api_as(finance).post(SAMPLE, {"territory": "SH", "template": "display", "count": 1}).status_code == 403


# --- results -------------------------------------------------------------------------------------------------


def test_one_result_by_item_code_or_result_id(api_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    client = api_as(inspector)
    one = client.post(f"{detail(inspection)}results/", {"item": "tidy", "result": "pass", "note": "整洁"})
    assert one.status_code == 200, one.json()
    tidy = next(r for r in one.json()["results"] if r["item_code"] == "tidy")
    assert (tidy["result"], tidy["note"], tidy["answered_by"]) == ("pass", "整洁", inspector.pk)
    by_id = client.post(f"{detail(inspection)}results/", {"item": result_id(inspection, "staff"), "result": "na"})
    assert by_id.status_code == 200
    assert InspectionResult.objects.get(pk=result_id(inspection, "staff")).result == "na"


def test_a_list_of_results_is_all_or_nothing_with_errors_aligned(api_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    response = api_as(inspector).post(
        f"{detail(inspection)}results/",
        [
            {"item": "tidy", "result": "pass"},  # good
            {"item": "shelf", "result": "fail"},  # requires a photo: none
            {"item": "nope", "result": "pass"},  # no such item
            {"item": "staff", "result": "maybe"},  # no such result
        ],
        **EN,
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors[0] == {} and errors[1] == {}  # types first: the rules run only on a list that types well
    assert list(errors[2]) == ["item"] and list(errors[3]) == ["result"]
    # the types right, the rules are checked: the photo rule refuses the second, the first is not kept
    rules = api_as(inspector).post(
        f"{detail(inspection)}results/",
        [{"item": "tidy", "result": "pass"}, {"item": "shelf", "result": "fail"}],
        **EN,
    )
    assert rules.status_code == 400
    assert rules.json() == [
        {},
        {"photos": ["A failed “Core products displayed in the agreed shelf space” needs a photo."]},
    ]
    assert set(inspection.results.values_list("result", flat=True)) == {""}


def test_a_failed_item_that_requires_a_photo_is_saved_once_a_photo_is_there(api_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    client = api_as(inspector)
    refused = client.post(f"{detail(inspection)}results/", {"item": "shelf", "result": "fail"})
    assert refused.status_code == 400 and list(refused.json()) == ["photos"]
    upload = add_photo(client, inspection, "shelf")
    assert upload.status_code == 201, upload.json()
    saved = client.post(f"{detail(inspection)}results/", {"item": "shelf", "result": "fail"})
    assert saved.status_code == 200
    shelf = next(r for r in saved.json()["results"] if r["item_code"] == "shelf")
    assert shelf["result"] == "fail"
    assert [a["kind"] for a in shelf["attachments"]] == ["photo"]
    # the result's own page shows it too
    alone = client.get(f"{RESULTS}{result_id(inspection, 'shelf')}/").json()
    assert (alone["result"], len(alone["attachments"])) == ("fail", 1)


def test_a_price_at_the_minimum_passes_and_one_cent_below_fails(api_as, inspector, insp_dealers, price_template):
    # T1 follows its distributor D1's agreement: kitchen ≥ 100.00
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    client = api_as(inspector)
    at = client.post(
        f"{detail(inspection)}results/", {"item": "price_kitchen", "result": "pass", "observed_price": "100.00"}
    )
    row = next(r for r in at.json()["results"] if r["item_code"] == "price_kitchen")
    assert (row["result"], row["observed_price"], row["min_price"], row["price_violation"]) == (
        "pass",
        "100.00",
        "100.00",
        False,
    )
    below = client.post(
        f"{detail(inspection)}results/", {"item": "price_kitchen", "result": "pass", "observed_price": "99.99"}
    )
    row = next(r for r in below.json()["results"] if r["item_code"] == "price_kitchen")
    assert (row["result"], row["price_violation"]) == ("fail", True)
    three_decimals = client.post(
        f"{detail(inspection)}results/", {"item": "price_kitchen", "result": "pass", "observed_price": "99.999"}
    )
    assert three_decimals.status_code == 400 and list(three_decimals.json()) == ["observed_price"]


def test_only_the_inspector_records_results_and_only_while_planned(
    api_as, inspector, manager, finance, insp_dealers, templates
):
    inspection = plan(inspector, insp_dealers["T1"], templates["stock"])
    for user in (manager, finance):
        assert api_as(user).post(f"{detail(inspection)}results/", {"item": "fifo", "result": "pass"}).status_code == 403
    client = api_as(inspector)
    client.post(
        f"{detail(inspection)}results/",
        [{"item": code, "result": "pass"} for code in ("fifo", "no_expired", "storage", "materials")],
    )
    assert client.post(f"{detail(inspection)}complete/").status_code == 200
    late = client.post(f"{detail(inspection)}results/", {"item": "fifo", "result": "fail"})
    assert late.status_code == 409 and late.json()["current_state"] == "done"


# --- completing and reviewing -------------------------------------------------------------------------------


def test_completing_scores_and_opens_rectifications(api_as, inspector, insp_dealers, price_template):
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    client = api_as(inspector)
    answer_price_inspection(client, inspection, kitchen_price="99.00")
    response = client.post(f"{detail(inspection)}complete/", {"latitude": "31.230000", "longitude": "121.470000"})
    assert response.status_code == 200, response.json()
    body = response.json()
    # passed: price tags 20 + no promotion 20 = 40 of 100 applicable → 40.0 (below the critical cap of 59.0)
    assert (body["status"], body["score"], body["price_violation"], body["critical_failed"]) == (
        "done",
        "40.0",
        True,
        True,
    )
    assert body["latitude"] == "31.230000" and body["actions"] == []
    opened = Rectification.objects.filter(inspection=inspection)
    assert sorted(r.result.item.code for r in opened) == ["no_cross_goods", "price_kitchen"]


def test_an_unanswered_item_keeps_it_planned(api_as, inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["stock"])
    response = api_as(inspector).post(f"{detail(inspection)}complete/")
    assert response.status_code == 400 and list(response.json()) == ["results"]


def _done(client, inspector, dealer, templates):
    inspection = plan(inspector, dealer, templates["stock"])
    codes = ("fifo", "no_expired", "storage", "materials")
    client.post(f"{detail(inspection)}results/", [{"item": code, "result": "pass"} for code in codes])
    assert client.post(f"{detail(inspection)}complete/").status_code == 200
    return inspection


def test_the_dealers_manager_reviews_never_the_inspector(api_as, inspector, manager, insp_dealers, templates):
    inspection = _done(api_as(inspector), inspector, insp_dealers["T1"], templates)
    assert api_as(inspector).post(f"{detail(inspection)}review/", {"note": "自评"}).status_code == 403
    assert api_as(manager).get(detail(inspection)).json()["actions"] == ["review"]
    reviewed = api_as(manager).post(f"{detail(inspection)}review/", {"note": "已阅"})
    assert reviewed.status_code == 200
    assert (reviewed.json()["status"], reviewed.json()["reviewed_by"], reviewed.json()["review_note"]) == (
        "reviewed",
        manager.pk,
        "已阅",
    )
    again = api_as(manager).post(f"{detail(inspection)}review/")
    assert again.status_code == 409 and again.json()["current_state"] == "reviewed"
    # a manager who inspected does not review their own inspection
    own = _done(api_as(manager), manager, insp_dealers["T2"], templates)
    refused = api_as(manager).post(f"{detail(own)}review/", **EN)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "You cannot review an inspection you made yourself."


def test_reviewing_a_planned_inspection_is_a_conflict(api_as, inspector, manager, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["stock"])
    response = api_as(manager).post(f"{detail(inspection)}review/")
    assert response.status_code == 409 and response.json()["current_state"] == "planned"


# --- who sees what -------------------------------------------------------------------------------------------


def test_a_planned_mystery_inspection_is_hidden_from_the_rep_until_done(
    api_as, inspector, rep, insp_dealers, templates
):
    mystery = plan(inspector, insp_dealers["T1"], templates["stock"], kind="mystery")
    routine = plan(inspector, insp_dealers["T2"], templates["stock"])
    rep_client = api_as(rep)
    assert [row["id"] for row in rep_client.get(INSPECTIONS).json()["results"]] == [routine.pk]
    assert rep_client.get(detail(mystery)).status_code == 404
    assert rep_client.get(f"{RESULTS}{result_id(mystery, 'fifo')}/").status_code == 404
    codes = ("fifo", "no_expired", "storage", "materials")
    inspector_client = api_as(inspector)
    inspector_client.post(f"{detail(mystery)}results/", [{"item": code, "result": "pass"} for code in codes])
    assert inspector_client.post(f"{detail(mystery)}complete/").status_code == 200
    rep_client = api_as(rep)
    assert {row["id"] for row in rep_client.get(INSPECTIONS).json()["results"]} == {routine.pk, mystery.pk}
    assert rep_client.get(detail(mystery)).json()["score"] == "100.0"


def test_an_inspector_sees_only_their_own_inspections(api_as, inspector, manager, other_rep, insp_dealers, templates):
    own = plan(inspector, insp_dealers["T1"], templates["stock"])
    managers = plan(manager, insp_dealers["T2"], templates["stock"])
    client = api_as(inspector)
    assert [row["id"] for row in client.get(INSPECTIONS).json()["results"]] == [own.pk]
    assert client.get(detail(managers)).status_code == 404
    # another team's rep sees neither
    assert api_as(other_rep).get(INSPECTIONS).json()["count"] == 0
    assert api_as(other_rep).get(detail(own)).status_code == 404


def test_finance_reads_every_inspection_but_writes_none(api_as, finance, inspector, insp_dealers, templates):
    mystery = plan(inspector, insp_dealers["T1"], templates["stock"], kind="mystery")
    plan(inspector, insp_dealers["T2"], templates["stock"])
    client = api_as(finance)
    assert client.get(INSPECTIONS).json()["count"] == 2
    assert client.get(detail(mystery)).json()["actions"] == []
    assert client.post(f"{detail(mystery)}results/", {"item": "fifo", "result": "pass"}).status_code == 403
    assert client.post(f"{detail(mystery)}complete/").status_code == 403
    assert add_photo(client, mystery, "fifo").status_code == 403


def test_the_list_filters(api_as, manager, inspector, insp_dealers, templates, covered):
    t1 = plan(inspector, insp_dealers["T1"], templates["stock"], kind="mystery")
    t2 = plan(manager, insp_dealers["T2"], templates["display"])
    Inspection.objects.filter(pk=t2.pk).update(planned_on=timezone.localdate() + timedelta(days=40))
    client = api_as(manager)

    def ids(**params):
        response = client.get(INSPECTIONS, params)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids() == sorted([t1.pk, t2.pk])
    assert ids(kind="mystery") == [t1.pk]
    assert ids(inspector=inspector.pk) == [t1.pk]
    assert ids(dealer=insp_dealers["T2"].pk) == [t2.pk]
    assert ids(template=templates["display"].pk) == [t2.pk]
    assert ids(status="planned") == sorted([t1.pk, t2.pk]) and ids(status="done") == []
    assert ids(territory=covered["SH"].pk) == sorted([t1.pk, t2.pk]) and ids(territory=covered["JS"].pk) == []
    today = timezone.localdate()
    assert ids(planned_from=str(today), planned_to=str(today)) == [t1.pk]
    assert ids(period=f"{today:%Y-%m}") == [t1.pk]
    assert client.get(INSPECTIONS, {"period": "2026-13"}).status_code == 400


def test_the_urls_have_the_names_of_the_contract():
    assert reverse("checklist-template-list") == TEMPLATES
    assert reverse("inspection-list") == INSPECTIONS
    assert reverse("inspection-sample") == SAMPLE
    assert reverse("inspection-results", args=[1]) == f"{INSPECTIONS}1/results/"
    assert reverse("inspection-complete", args=[1]) == f"{INSPECTIONS}1/complete/"
    assert reverse("inspection-review", args=[1]) == f"{INSPECTIONS}1/review/"
    assert reverse("inspection-result-detail", args=[1]) == f"{RESULTS}1/"
    assert reverse("inspection-result-attachments", args=[1]) == f"{RESULTS}1/attachments/"
    for name in ("submit", "verify", "reopen", "attachments"):
        assert reverse(f"rectification-{name}", args=[1]) == f"/api/v1/rectifications/1/{name}/"
    for name in ("respond", "resolve", "attachments"):
        assert reverse(f"complaint-{name}", args=[1]) == f"/api/v1/complaints/1/{name}/"
