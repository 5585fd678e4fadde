"""Django admin: scorecard templates with their items inline (weights add up to 100, items make
sense), and scorecards read only with their lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kpi.models import Scorecard, ScorecardTemplate, ScorecardTemplateItem
from kpi.services.scorecards import scorecard_compute_unchecked
from tests.kpi.scorecard_world import JULY


def template_post(template, changes: dict[int, dict] | None = None) -> dict:
    """The admin form's data for ``template`` and its items; ``changes`` = {position: {field: value}}."""
    items = list(template.items.order_by("position", "id"))
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
        fields = {
            "id": item.pk,
            "template": template.pk,
            "position": item.position,
            "perspective": item.perspective,
            "metric": item.metric,
            "label": item.label,
            "weight": item.weight,
            "method": item.method,
            "target": "" if item.target is None else item.target,
            "cap": item.cap,
            "points": "" if item.points is None else item.points,
            "category": "",
        }
        if item.lower_is_better:
            fields["lower_is_better"] = "on"
        fields.update((changes or {}).get(item.position, {}))
        data.update({f"items-{n}-{name}": value for name, value in fields.items() if value is not None})
    return data


def change_url(template) -> str:
    return reverse("admin:kpi_scorecardtemplate_change", args=[template.pk])


def test_template_page_shows_the_items(client_as, admin_user, templates):
    response = client_as(admin_user).get(change_url(templates["bsc"]))
    assert response.status_code == 200
    assert response.content.decode().count('name="items-') > 8 * 10


def test_weights_not_adding_up_to_100_are_refused(client_as, admin_user, templates):
    mbo = templates["mbo"]
    response = client_as(admin_user).post(change_url(mbo), template_post(mbo, {2: {"weight": "20"}}))
    assert response.status_code == 200  # the form again, with the error
    assert "95.00" in response.content.decode()
    assert ScorecardTemplateItem.objects.get(template=mbo, position=2).weight == Decimal("25.00")


def test_a_balanced_change_is_saved(client_as, admin_user, templates):
    mbo = templates["mbo"]
    data = template_post(mbo, {1: {"weight": "40"}, 2: {"weight": "35"}})
    response = client_as(admin_user).post(change_url(mbo), data)
    assert response.status_code == 302
    assert list(mbo.items.order_by("position").values_list("weight", flat=True)) == [
        Decimal("40.00"),
        Decimal("35.00"),
        Decimal("25.00"),
    ]


def test_an_item_that_cannot_be_scored_is_refused(client_as, admin_user, templates):
    bsc = templates["bsc"]
    # position 4: complaints handled late, a deduction — without its points
    response = client_as(admin_user).post(change_url(bsc), template_post(bsc, {4: {"points": ""}}))
    assert response.status_code == 200
    assert ScorecardTemplateItem.objects.get(template=bsc, position=4).points == Decimal("25.00")


def test_a_template_in_use_cannot_be_deleted(client_as, admin_user, rep, templates):
    scorecard_compute_unchecked(rep, JULY, templates["mbo"])
    client = client_as(admin_user)
    assert client.get(reverse("admin:kpi_scorecardtemplate_delete", args=[templates["mbo"].pk])).status_code == 403
    assert client.get(reverse("admin:kpi_scorecardtemplate_delete", args=[templates["bsc"].pk])).status_code == 200


def test_scorecards_are_read_only_in_the_admin(client_as, admin_user, rep, rep_peer, templates):
    scorecard = scorecard_compute_unchecked(rep, JULY, templates["bsc"])[0]
    scorecard_compute_unchecked(rep_peer, JULY, templates["mbo"])
    client = client_as(admin_user)
    page = client.get(reverse("admin:kpi_scorecard_change", args=[scorecard.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html  # view only
    assert 'id="lines-7"' in html and 'id="lines-8"' not in html  # the BSC's eight lines, inline
    assert client.post(reverse("admin:kpi_scorecard_change", args=[scorecard.pk]), {}).status_code == 403
    assert client.get(reverse("admin:kpi_scorecard_add")).status_code == 403
    assert Scorecard.objects.count() == 2


@pytest.mark.parametrize("model", ["scorecard", "scorecardtemplate"])
def test_changelists_render_in_a_bounded_number_of_queries(
    client_as, admin_user, rep, rep_peer, templates, model, django_assert_max_num_queries
):
    for month in ("2026-05", "2026-06", "2026-07"):
        scorecard_compute_unchecked(rep, month, templates["mbo"])
        scorecard_compute_unchecked(rep_peer, month, templates["bsc"])
    ScorecardTemplate.objects.create(code="empty", name="Empty")
    client = client_as(admin_user)
    # session, user, roles, the admin's own lookups (filters, counts) and one page of rows
    with django_assert_max_num_queries(12):
        assert client.get(reverse(f"admin:kpi_{model}_changelist")).status_code == 200
