"""The inspection admin: checklist templates edited with their items under the weights rule (exactly 100) and the
price rule (a product line); inspections, rectifications and complaints read only, with bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import ChecklistItem, ChecklistTemplate, Inspection
from inspections.services import complaints as complaint_svc
from inspections.services import inspections as svc
from tests.evidence.files import photo

pytestmark = pytest.mark.django_db


def formset_data(template, weights: dict[str, str], **extra) -> dict:
    """The change form of ``template`` as posted, with the weights given per item code."""
    items = list(template.items.order_by("position", "pk"))
    data = {
        "code": template.code,
        "name": template.name,
        "is_active": "on",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update(
            {
                f"items-{n}-id": str(item.pk),
                f"items-{n}-template": str(template.pk),
                f"items-{n}-position": str(item.position),
                f"items-{n}-code": item.code,
                f"items-{n}-text": item.text,
                f"items-{n}-kind": item.kind,
                f"items-{n}-product_line": str(item.product_line_id or ""),
                f"items-{n}-weight": weights.get(item.code, str(item.weight)),
            }
        )
        if item.critical:
            data[f"items-{n}-critical"] = "on"
        if item.requires_photo:
            data[f"items-{n}-requires_photo"] = "on"
    data.update(extra)
    return data


def test_weights_that_add_up_to_99_99_are_refused_and_100_accepted(client, admin_user, templates):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"  # the messages asserted below are the English ones
    template = templates["display"]  # 15 + 30 + 20 + 20 + 15 = 100
    url = reverse("admin:inspections_checklisttemplate_change", args=[template.pk])
    # staff 14.99: 15 + 30 + 20 + 20 + 14.99 = 99.99
    refused = client.post(url, formset_data(template, {"staff": "14.99"}), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    errors = [str(e) for e in refused.context["inline_admin_formsets"][0].formset.non_form_errors()]
    assert errors == ["The item weights add up to 99.99; they must add up to exactly 100."]
    assert ChecklistItem.objects.get(template=template, code="staff").weight == 15
    # staff 10 and tidy 25: 15 + 30 + 20 + 25 + 10 = 100
    accepted = client.post(url, formset_data(template, {"staff": "10", "tidy": "25"}))
    assert accepted.status_code == 302
    assert ChecklistItem.objects.get(template=template, code="tidy").weight == 25


def test_a_price_item_needs_its_product_line(client, admin_user, templates, lines):
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"  # the messages asserted below are the English ones
    template = templates["price"]  # 30 + 40 + 30 = 100
    url = reverse("admin:inspections_checklisttemplate_change", args=[template.pk])
    new_item = {
        "items-TOTAL_FORMS": "4",
        "items-3-position": "100",
        "items-3-code": "price_water",
        "items-3-text": "终端售价不低于最低限价",
        "items-3-kind": "price",
        "items-3-product_line": "",
        "items-3-weight": "10",
    }
    # price tags 20 + goods 40 + promotion 30 + water 10 = 100, but without its line
    response = client.post(url, formset_data(template, {"price_tags": "20"}, **new_item), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = response.context["inline_admin_formsets"][0].formset.forms[3]
    assert form.errors["product_line"] == ["A price item names the product line whose minimum price it checks."]
    new_item["items-3-product_line"] = str(lines["water"].pk)
    assert client.post(url, formset_data(template, {"price_tags": "20"}, **new_item)).status_code == 302
    assert template.items.get(code="price_water").product_line == lines["water"]


def test_a_new_template_is_added_with_its_items(client, admin_user):
    client.force_login(admin_user)
    data = {
        "code": "night",
        "name": "夜间巡检",
        "is_active": "on",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "0",
        "items-0-code": "lights",
        "items-0-text": "灯箱亮",
        "items-0-kind": "check",
        "items-0-weight": "60",
        "items-1-position": "10",
        "items-1-code": "door",
        "items-1-text": "门店营业",
        "items-1-kind": "check",
        "items-1-weight": "40",
    }
    response = client.post(reverse("admin:inspections_checklisttemplate_add"), data)
    assert response.status_code == 302
    assert sorted(ChecklistTemplate.objects.get(code="night").items.values_list("code", flat=True)) == [
        "door",
        "lights",
    ]


@pytest.fixture
def records(inspector, rep, insp_dealers, templates):
    """A done inspection with a rectification (a failed shelf item, with a photo) and a complaint."""
    inspection = svc.inspection_plan(
        inspector, dealer=insp_dealers["T1"], template=templates["display"], kind="routine"
    )
    for row in inspection.results.select_related("item"):
        failed = row.item.code == "shelf"
        svc.result_save(inspector, row, value="fail" if failed else "pass", photos=[photo()] if failed else [])
    svc.inspection_complete(inspector, inspection)
    complaint = complaint_svc.complaint_record(
        rep,
        dealer=insp_dealers["D1"],
        source="consumer",
        category="quality",
        description="漏水",
        received_at=timezone.now() - timedelta(hours=1),
    )
    return {"inspection": inspection, "rectification": inspection.rectifications.get(), "complaint": complaint}


#: session, user, the changelist's rows (+ joins), the filters' choices (templates) — and the admin's own reads;
#: what matters is that the number does not grow with the rows
ADMIN_QUERY_CEILING = 12


@pytest.mark.parametrize("model", ["inspection", "rectification", "complaint"])
def test_the_read_only_admins_open_for_an_admin_and_change_nothing(
    client, admin_user, records, model, django_assert_max_num_queries
):
    client.force_login(admin_user)
    changelist = reverse(f"admin:inspections_{model}_changelist")
    client.get(changelist)
    with django_assert_max_num_queries(ADMIN_QUERY_CEILING):
        response = client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    obj = records[model]
    change = reverse(f"admin:inspections_{model}_change", args=[obj.pk])
    with django_assert_max_num_queries(ADMIN_QUERY_CEILING + 4):
        page = client.get(change)
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # everything shown, nothing a field
    assert client.get(reverse(f"admin:inspections_{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:inspections_{model}_delete", args=[obj.pk])).status_code == 403


def test_the_inspection_changelist_searches_by_dealer(client, admin_user, records):
    client.force_login(admin_user)
    url = reverse("admin:inspections_inspection_changelist")
    assert client.get(url, {"q": "T1"}).context["cl"].result_count == 1
    assert client.get(url, {"q": "nobody"}).context["cl"].result_count == 0
    assert client.get(url, {"status__exact": "done"}).context["cl"].result_count == 1
    assert Inspection.objects.get().status == "done"
