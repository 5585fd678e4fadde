"""The stock report admin: a big table to look things up in, read only (writes go through the service)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.inventory.world import figures, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(rep, stock_dealers, lines):
    return write(rep, stock_dealers["D1"], "2026-10", lines["kitchen"], figures("10", "5", "3"))


def test_the_changelist_searches_and_filters(client, admin_user, report):
    client.force_login(admin_user)
    url = reverse("admin:inventory_stockreport_changelist")
    assert client.get(url).status_code == 200
    found = client.get(
        url, {"q": "D1", "status__exact": "submitted", "overstock__exact": "1"}
    )  # 12 left, 3 sold in 31 days: 124.0 days
    assert found.status_code == 200
    assert found.context["cl"].result_count == 1
    assert client.get(url, {"q": "nobody"}).context["cl"].result_count == 0


def test_a_report_is_read_never_changed_added_or_deleted(client, admin_user, report):
    client.force_login(admin_user)
    change = reverse("admin:inventory_stockreport_change", args=[report.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert "closing_qty" not in page.context["adminform"].form.fields  # shown, not a field
    client.post(change, {"closing_qty": "999"})
    report.refresh_from_db()
    assert report.closing_qty == 12
    assert client.get(reverse("admin:inventory_stockreport_add")).status_code == 403
    assert client.post(reverse("admin:inventory_stockreport_delete", args=[report.pk])).status_code == 403
