"""``/api/v1/rectifications/`` and ``/api/v1/complaints/`` (SPEC §8, §17): the life cycles with their 403 → 409 →
400 order, the 4-hour clock of complaints to the minute, photos, scope; and the pinned query counts of every
inspection list and detail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections.models import Complaint, Rectification
from inspections.services import complaints as complaint_svc
from tests.evidence.files import photo
from tests.inspections.api_helpers import (
    COMPLAINTS,
    EN,
    INSPECTIONS,
    RECTIFICATIONS,
    RESULTS,
    TEMPLATES,
    add_photo,
    answer_price_inspection,
    detail,
    plan,
    result_id,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_inspection(api_as, inspector, insp_dealers, price_template):
    """T1's price inspection done: no goods from other territories (critical, photo) and kitchen (99.00 <
    100.00) failed → two rectifications, due in 3 and 7 days."""
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    client = api_as(inspector)
    answer_price_inspection(client, inspection, kitchen_price="99.00")
    assert client.post(f"{detail(inspection)}complete/").status_code == 200
    return inspection


def rectification_of(inspection, code) -> Rectification:
    return Rectification.objects.get(inspection=inspection, result__item__code=code)


def url(rectification, action="") -> str:
    return f"{RECTIFICATIONS}{rectification.pk}/" + (f"{action}/" if action else "")


# --- rectifications ----------------------------------------------------------------------------------------


def test_rectifications_are_listed_with_due_dates_and_actions(api_as, rep, inspector, done_inspection):
    rows = api_as(rep).get(RECTIFICATIONS, **EN).json()["results"]
    today = timezone.localdate()
    # ordered by due date: the critical one (+3 days) first, the price one (+7) after
    assert [(r["item_code"], r["due_date"], r["critical"]) for r in rows] == [
        ("no_cross_goods", str(today + timedelta(days=3)), True),
        ("price_kitchen", str(today + timedelta(days=7)), False),
    ]
    assert rows[1]["item_text"] == "Shelf price of kitchen not below the minimum"
    assert all(r["status"] == "open" and r["overdue"] is False and r["actions"] == ["submit"] for r in rows)
    assert all(r["actions"] == [] for r in api_as(inspector).get(RECTIFICATIONS).json()["results"])


def test_submit_verify_and_reopen(api_as, rep, manager, inspector, done_inspection):
    price = rectification_of(done_inspection, "price_kitchen")
    # verifying an open one is not allowed now (``api_as`` logs its one client in again: one call per request)
    early = api_as(manager).post(url(price, "verify"))
    assert early.status_code == 409 and early.json()["current_state"] == "open"
    # the rep answers: words are needed
    assert list(api_as(rep).post(url(price, "submit"), {"note": " "}).json()) == ["note"]
    submitted = api_as(rep).post(url(price, "submit"), {"note": "已恢复限价"})
    assert submitted.status_code == 200, submitted.json()
    assert (submitted.json()["status"], submitted.json()["answered_by"]) == ("submitted", rep.pk)
    # the rep cannot verify (403); the manager reopens with a reason (400 without)
    assert api_as(rep).post(url(price, "verify")).status_code == 403
    assert list(api_as(manager).post(url(price, "reopen"), {"reason": ""}).json()) == ["reason"]
    reopened = api_as(manager).post(url(price, "reopen"), {"reason": "价签仍低于限价"})
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["reopen_reason"]) == ("reopened", "价签仍低于限价")
    # a reopened one is due again in 7 days from today, answered again and verified by the inspector
    assert reopened.json()["due_date"] == str(timezone.localdate() + timedelta(days=7))
    assert api_as(rep).post(url(price, "submit"), {"note": "已更换价签"}).status_code == 200
    verified = api_as(inspector).post(url(price, "verify"), {"note": "ok"})
    assert verified.status_code == 200
    assert (verified.json()["status"], verified.json()["verified_by"]) == ("verified", inspector.pk)
    assert api_as(manager).post(url(price, "reopen"), {"reason": "x"}).status_code == 409


def test_an_item_that_required_a_photo_is_answered_with_one(api_as, rep, done_inspection):
    goods = rectification_of(done_inspection, "no_cross_goods")
    client = api_as(rep)
    without = client.post(url(goods, "submit"), {"note": "已下架"})
    assert without.status_code == 400 and list(without.json()) == ["photos"]
    upload = client.post(url(goods, "attachments"), {"file": [photo(colour=(1, 99, 1))]}, format="multipart")
    assert upload.status_code == 201, upload.json()
    answered = client.post(url(goods, "submit"), {"note": "已下架"})
    assert answered.status_code == 200
    assert len(answered.json()["attachments"]) == 1
    # submitted: it takes no more photos
    late = client.post(url(goods, "attachments"), {"file": [photo(colour=(2, 99, 1))]}, format="multipart")
    assert late.status_code == 409


def test_rectification_scope_and_finance(api_as, other_rep, finance, done_inspection, rep_peer):
    price = rectification_of(done_inspection, "price_kitchen")
    assert api_as(other_rep).get(url(price)).status_code == 404
    assert api_as(rep_peer).get(RECTIFICATIONS).json()["count"] == 0
    client = api_as(finance)
    assert client.get(RECTIFICATIONS).json()["count"] == 2
    assert client.post(url(price, "submit"), {"note": "x"}).status_code == 403


def test_rectification_filters(api_as, manager, done_inspection, insp_dealers):
    price = rectification_of(done_inspection, "price_kitchen")
    Rectification.objects.filter(pk=price.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    client = api_as(manager)

    def ids(**params):
        return [row["id"] for row in client.get(RECTIFICATIONS, params).json()["results"]]

    assert ids(overdue="true") == [price.pk]
    assert price.pk not in ids(overdue="false") and len(ids(overdue="false")) == 1
    assert len(ids(inspection=done_inspection.pk)) == 2
    assert len(ids(dealer=insp_dealers["T1"].pk)) == 2 and ids(dealer=insp_dealers["T2"].pk) == []
    assert len(ids(status="open")) == 2 and ids(status="verified") == []


# --- complaints --------------------------------------------------------------------------------------------


def _record(client, dealer, hours_ago=5, **fields):
    received = timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago)
    response = client.post(
        COMPLAINTS,
        {
            "dealer": dealer.pk,
            "source": "consumer",
            "category": "quality",
            "description": "漏水",
            "received_at": received.isoformat(),
            **fields,
        },
    )
    assert response.status_code == 201, response.json()
    return response.json(), received


def test_a_complaint_answered_at_exactly_4_hours_is_in_time_and_a_minute_later_late(api_as, rep, insp_dealers):
    client = api_as(rep)
    in_time, received = _record(client, insp_dealers["D1"])
    assert (in_time["assignee"], in_time["status"], in_time["actions"]) == (rep.pk, "received", ["respond", "resolve"])
    # received 5 h ago, nobody answered: its 4 hours are over
    assert in_time["late"] is True
    responded = client.post(
        f"{COMPLAINTS}{in_time['id']}/respond/",
        {"response": "已上门", "responded_at": (received + timedelta(hours=4)).isoformat()},
    )
    assert responded.status_code == 200, responded.json()
    assert (responded.json()["status"], responded.json()["late"]) == ("responded", False)
    late, received = _record(client, insp_dealers["D1"])
    answer = client.post(
        f"{COMPLAINTS}{late['id']}/respond/",
        {"response": "已上门", "responded_at": (received + timedelta(hours=4, minutes=1)).isoformat()},
    )
    assert answer.json()["late"] is True
    assert Complaint.objects.get(pk=late["id"]).late is True
    resolved = client.post(f"{COMPLAINTS}{late['id']}/resolve/", {"resolution": "已换货"})
    assert (resolved.json()["status"], resolved.json()["actions"]) == ("resolved", [])
    # the filters: late, status, period of receipt
    ids = [row["id"] for row in client.get(COMPLAINTS, {"late": "true"}).json()["results"]]
    assert ids == [late["id"]]
    assert [row["id"] for row in client.get(COMPLAINTS, {"late": "false"}).json()["results"]] == [in_time["id"]]
    assert client.get(COMPLAINTS, {"status": "resolved"}).json()["count"] == 1
    month = timezone.localtime(received).strftime("%Y-%m")
    assert client.get(COMPLAINTS, {"period": month}).json()["count"] == 2
    assert client.get(COMPLAINTS, {"period": "2000-01"}).json()["count"] == 0


def test_complaint_errors_and_states(api_as, rep, manager, finance, other_rep, insp_dealers):
    client = api_as(rep)
    blank = client.post(COMPLAINTS, {"dealer": insp_dealers["D1"].pk, "description": ""})
    assert blank.status_code == 400 and list(blank.json()) == ["description"]
    wrong_assignee = client.post(
        COMPLAINTS, {"dealer": insp_dealers["D1"].pk, "description": "x", "assignee": other_rep.pk}
    )
    assert wrong_assignee.status_code == 400 and list(wrong_assignee.json()) == ["assignee"]
    assert api_as(finance).post(COMPLAINTS, {"dealer": insp_dealers["D1"].pk, "description": "x"}).status_code == 403
    made, _received = _record(api_as(rep), insp_dealers["D1"], assignee=manager.pk)
    assert made["assignee"] == manager.pk
    # the rep recorded it and sees it; the manager handles it
    assert api_as(rep).get(f"{COMPLAINTS}{made['id']}/").status_code == 200
    assert api_as(other_rep).get(f"{COMPLAINTS}{made['id']}/").status_code == 404
    assert api_as(finance).post(f"{COMPLAINTS}{made['id']}/respond/", {"response": "x"}).status_code == 403
    empty = api_as(manager).post(f"{COMPLAINTS}{made['id']}/respond/", {"response": ""})
    assert empty.status_code == 400 and list(empty.json()) == ["response"]
    api_as(manager).post(f"{COMPLAINTS}{made['id']}/resolve/", {"resolution": "已退款"})
    again = api_as(manager).post(f"{COMPLAINTS}{made['id']}/respond/", {"response": "x"})
    assert again.status_code == 409 and again.json()["current_state"] == "resolved"


def test_a_complaint_takes_files_until_resolved(api_as, rep, insp_dealers):
    client = api_as(rep)
    made, _received = _record(client, insp_dealers["D1"])
    upload = client.post(
        f"{COMPLAINTS}{made['id']}/attachments/", {"file": [photo(colour=(5, 5, 250))]}, format="multipart"
    )
    assert upload.status_code == 201
    assert len(client.get(f"{COMPLAINTS}{made['id']}/").json()["attachments"]) == 1


# --- pinned query counts -------------------------------------------------------------------------------------

#: session, user, roles, the manager's territories; the page's count; the inspections (+dealer, territory,
#: template, inspector) — the actions read the roles and territories already read
INSPECTION_LIST_QUERIES = 6
#: session, user, roles, territories; the inspection (+dealer, territory, template, inspector, created_by,
#: reviewed_by); its results (+item, product line); their photos (+uploader, first use)
INSPECTION_DETAIL_QUERIES = 7
#: session, user, roles, territories; count; the rectifications (+dealer, territory, inspection, inspector, result,
#: item, product line, answerer)
RECTIFICATION_LIST_QUERIES = 6
#: as the list's rows (+ verifier), one; its photos
RECTIFICATION_DETAIL_QUERIES = 6
#: session, user, roles, territories; count; the complaints (+dealer, territory, assignee)
COMPLAINT_LIST_QUERIES = 6
#: session, user, roles, territories; the complaint; its files
COMPLAINT_DETAIL_QUERIES = 6
#: session, user, roles; count; the templates; their items (+product line) — one prefetch
TEMPLATE_LIST_QUERIES = 6


def _world(api_as, inspector, rep, insp_dealers, price_template, count: int):
    """``count`` done price inspections (two rectifications each, a photo each) and ``count`` complaints."""
    client = api_as(inspector)
    for n in range(count):
        dealer = insp_dealers[("T1", "T2", "T3", "D1")[n]]
        inspection = plan(inspector, dealer, price_template)
        add_photo(client, inspection, "no_cross_goods", colour=(n * 40, 1, 1))
        client.post(
            f"{detail(inspection)}results/",
            [
                {"item": "price_tags", "result": "pass"},
                {"item": "no_cross_goods", "result": "fail"},
                {"item": "no_promo", "result": "pass"},
                {"item": "price_kitchen", "result": "pass", "observed_price": "99.00"},
            ],
        )
        assert client.post(f"{detail(inspection)}complete/").status_code == 200
        complaint_svc.complaint_record(rep, dealer=dealer, source="dealer", category="other", description="x")
    return inspection


@pytest.mark.parametrize("count", [1, 4])
def test_the_lists_read_a_fixed_number_of_queries(
    api_as, manager, inspector, rep, insp_dealers, price_template, count, django_assert_num_queries
):
    _world(api_as, inspector, rep, insp_dealers, price_template, count)
    client = api_as(manager)
    for path in (INSPECTIONS, RECTIFICATIONS, COMPLAINTS, TEMPLATES):
        client.get(path)  # content types and the like cached, as in a running server
    with django_assert_num_queries(INSPECTION_LIST_QUERIES):
        assert client.get(INSPECTIONS).json()["count"] == count
    with django_assert_num_queries(RECTIFICATION_LIST_QUERIES):
        assert client.get(RECTIFICATIONS).json()["count"] == 2 * count
    with django_assert_num_queries(COMPLAINT_LIST_QUERIES):
        assert client.get(COMPLAINTS).json()["count"] == count
    with django_assert_num_queries(TEMPLATE_LIST_QUERIES):
        assert client.get(TEMPLATES).json()["count"] == 3


def test_the_details_read_a_fixed_number_of_queries(
    api_as, manager, inspector, rep, insp_dealers, price_template, django_assert_num_queries
):
    inspection = _world(api_as, inspector, rep, insp_dealers, price_template, 2)
    rectification = rectification_of(inspection, "no_cross_goods")
    complaint = Complaint.objects.first()
    client = api_as(manager)
    paths = (detail(inspection), url(rectification), f"{COMPLAINTS}{complaint.pk}/")
    for path in paths:
        client.get(path)
    with django_assert_num_queries(INSPECTION_DETAIL_QUERIES):
        body = client.get(detail(inspection)).json()
    assert len(body["results"]) == 4
    assert [len(r["attachments"]) for r in body["results"]] == [0, 1, 0, 0]
    with django_assert_num_queries(RECTIFICATION_DETAIL_QUERIES):
        assert client.get(url(rectification)).status_code == 200
    with django_assert_num_queries(COMPLAINT_DETAIL_QUERIES):
        assert client.get(f"{COMPLAINTS}{complaint.pk}/").status_code == 200
    # a result alone: session, user, roles, territories; the result (+inspection, dealer, item, line); photos
    result_url = f"{RESULTS}{result_id(inspection, 'no_cross_goods')}/"
    client.get(result_url)
    with django_assert_num_queries(6):
        assert len(client.get(result_url).json()["attachments"]) == 1
