"""``/api/v1/scorecards/`` (SPEC §8): list and detail in scope, filters, and the actions
``compute``, ``self-evaluate`` and ``confirm`` with their 400/403/404/409 answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpi.models import Metric, Scorecard, ScorecardTemplateItem
from kpi.services.scorecards import scorecard_compute_unchecked, scorecard_confirm
from tests.kpi.scorecard_world import JULY, july

SCORECARDS = "/api/v1/scorecards/"
COMPUTE = "/api/v1/scorecards/compute/"


@pytest.fixture
def july_world(d, rep, manager, finance, templates):
    return july(d, rep, manager, finance)


@pytest.fixture
def cards(july_world, rep, rep_peer, other_rep, templates):
    """rep: MBO and BSC for July 2026; rep_peer: MBO; other_rep: MBO (another team)."""
    return {
        "rep_mbo": scorecard_compute_unchecked(rep, JULY, templates["mbo"])[0],
        "rep_bsc": scorecard_compute_unchecked(rep, JULY, templates["bsc"])[0],
        "peer_mbo": scorecard_compute_unchecked(rep_peer, JULY, templates["mbo"])[0],
        "other_mbo": scorecard_compute_unchecked(other_rep, JULY, templates["mbo"])[0],
    }


def ids(body) -> set[int]:
    return {row["id"] for row in body["results"]}


# --- reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", {"rep_mbo", "rep_bsc"}),
        ("rep_peer", {"peer_mbo"}),
        ("manager", {"rep_mbo", "rep_bsc", "peer_mbo"}),
        ("other_manager", {"other_mbo"}),
        ("finance", {"rep_mbo", "rep_bsc", "peer_mbo", "other_mbo"}),
        ("admin", {"rep_mbo", "rep_bsc", "peer_mbo", "other_mbo"}),
    ],
)
def test_list_shows_what_each_role_may_see(api_as, everyone, cards, who, expected):
    response = api_as(everyone[who]).get(SCORECARDS)
    assert response.status_code == 200
    assert ids(response.json()) == {cards[name].pk for name in expected}


def test_out_of_scope_scorecard_is_404(api_as, rep, other_manager, cards):
    assert api_as(rep).get(f"{SCORECARDS}{cards['peer_mbo'].pk}/").status_code == 404
    assert api_as(other_manager).get(f"{SCORECARDS}{cards['rep_mbo'].pk}/").status_code == 404


def test_list_filters_by_rep_period_status_and_template(api_as, finance, manager, rep, cards):
    client = api_as(finance)
    assert ids(client.get(SCORECARDS, {"rep": rep.pk}).json()) == {cards["rep_mbo"].pk, cards["rep_bsc"].pk}
    assert ids(client.get(SCORECARDS, {"rep": rep.pk, "period": "2026-07", "template": "bsc"}).json()) == {
        cards["rep_bsc"].pk
    }
    assert ids(client.get(SCORECARDS, {"period": "2026-06"}).json()) == set()
    scorecard_confirm(actor=manager, scorecard=cards["peer_mbo"])
    assert ids(client.get(SCORECARDS, {"status": "confirmed"}).json()) == {cards["peer_mbo"].pk}
    bad = client.get(SCORECARDS, {"period": "2026-7"})
    assert bad.status_code == 400 and "period" in bad.json()


def test_detail_has_the_lines_with_money_and_rates_as_strings(api_as, rep, cards):
    body = api_as(rep).get(f"{SCORECARDS}{cards['rep_mbo'].pk}/").json()
    assert (body["rep"], body["period"], body["template"], body["status"], body["total"]) == (
        rep.pk,
        "2026-07",
        "mbo",
        "draft",
        "84.79",
    )
    first = body["lines"][0]
    assert (first["metric"], first["perspective"], first["method"]) == ("sales_achievement", "financial", "ratio")
    assert (first["actual"], first["target"], first["score"], first["weight"], first["weighted_score"]) == (
        "80.00",
        "100.00",
        "80.00",
        "50.00",
        "40.00",
    )
    assert [line["metric"] for line in body["lines"]] == ["sales_achievement", "expense_rate", "collection_rate"]
    assert body["lines"][1]["lower_is_better"] is True


# --- compute ----------------------------------------------------------------------------------------


def test_manager_computes_201_then_200(api_as, manager, rep, july_world):
    client = api_as(manager)
    first = client.post(COMPUTE, {"rep": rep.pk, "period": "2026-07", "template": "mbo"})
    assert first.status_code == 201, first.json()
    assert (first.json()["total"], len(first.json()["lines"])) == ("84.79", 3)
    again = client.post(COMPUTE, {"rep": rep.pk, "period": "2026-07", "template": "mbo"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Scorecard.objects.count() == 1


def test_compute_of_a_confirmed_scorecard_is_409(api_as, manager, rep, cards):
    scorecard_confirm(actor=manager, scorecard=cards["rep_mbo"])
    response = api_as(manager).post(COMPUTE, {"rep": rep.pk, "period": "2026-07", "template": "mbo"})
    assert response.status_code == 409
    assert response.json()["current_state"] == "confirmed" and response.json()["detail"]


@pytest.mark.parametrize("who", ["rep", "rep_peer", "finance"])
def test_compute_is_for_managers_and_admins(api_as, everyone, rep, july_world, who):
    response = api_as(everyone[who]).post(COMPUTE, {"rep": rep.pk, "period": "2026-07", "template": "mbo"})
    assert response.status_code == 403
    assert not Scorecard.objects.exists()


def test_compute_for_a_rep_out_of_scope_is_404(api_as, manager, other_rep, templates):
    client = api_as(manager)
    assert client.post(COMPUTE, {"rep": other_rep.pk, "period": "2026-07", "template": "mbo"}).status_code == 404
    assert client.post(COMPUTE, {"rep": 999999, "period": "2026-07", "template": "mbo"}).status_code == 404


def test_compute_with_bad_input_is_400(api_as, admin_user, rep, templates):
    client = api_as(admin_user)
    response = client.post(COMPUTE, {"rep": rep.pk, "period": "2026-13", "template": "nope"})
    assert response.status_code == 400
    assert set(response.json()) == {"period", "template"}
    assert client.post(COMPUTE, {"period": "2026-07", "template": "mbo"}).json().keys() == {"rep"}
    ScorecardTemplateItem.objects.filter(template=templates["mbo"], metric=Metric.EXPENSE_RATE).update(weight=20)
    weights = client.post(COMPUTE, {"rep": rep.pk, "period": "2026-07", "template": "mbo"})
    assert weights.status_code == 400 and "95.00" in weights.json()["template"][0]


# --- self-evaluate and confirm ----------------------------------------------------------------------


def _manual(scorecard):
    return scorecard.lines.get(item__metric=Metric.MANUAL)


def test_rep_self_evaluates_and_manager_confirms(api_as, rep, manager, cards):
    bsc = cards["rep_bsc"]
    manual = _manual(bsc)
    url = f"{SCORECARDS}{bsc.pk}/"

    evaluated = api_as(rep).post(f"{url}self-evaluate/", {"lines": [{"id": manual.pk, "self_score": "70"}]})
    assert evaluated.status_code == 200, evaluated.json()
    assert evaluated.json()["total"] == "78.66"  # 68.16 + 70 × 15 / 100
    line = next(row for row in evaluated.json()["lines"] if row["id"] == manual.pk)
    assert (line["self_score"], line["score"], line["weighted_score"]) == ("70.00", "70.00", "10.50")

    confirmed = api_as(manager).post(f"{url}confirm/", {"lines": [{"id": manual.pk, "manager_score": "80"}]})
    assert confirmed.status_code == 200, confirmed.json()
    assert (confirmed.json()["status"], confirmed.json()["total"]) == ("confirmed", "80.16")
    assert confirmed.json()["confirmed_by"] == manager.pk


def test_self_evaluation_refusals(api_as, rep, rep_peer, manager, other_rep, cards):
    bsc = cards["rep_bsc"]
    manual = _manual(bsc)
    url = f"{SCORECARDS}{bsc.pk}/self-evaluate/"
    body = {"lines": [{"id": manual.pk, "self_score": "70"}]}
    assert api_as(manager).post(url, body).status_code == 403  # not the rep
    assert api_as(rep_peer).post(url, body).status_code == 404  # not visible
    assert api_as(other_rep).post(url, body).status_code == 404
    client = api_as(rep)
    too_high = client.post(url, {"lines": [{"id": manual.pk, "self_score": "101"}]})
    assert too_high.status_code == 400
    sales = bsc.lines.get(item__metric=Metric.SALES_ACHIEVEMENT)
    computed = client.post(url, {"lines": [{"id": sales.pk, "self_score": "100"}]})
    assert computed.status_code == 400 and "lines" in computed.json()
    assert client.post(url, {"lines": []}).status_code == 400
    scorecard_confirm(actor=manager, scorecard=bsc)
    late = client.post(url, body)
    assert late.status_code == 409 and late.json()["current_state"] == "confirmed"


def test_confirmation_refusals(api_as, rep, manager, other_manager, finance, cards):
    url = f"{SCORECARDS}{cards['rep_mbo'].pk}/confirm/"
    assert api_as(rep).post(url, {}).status_code == 403  # reps do not confirm, least of all their own
    assert api_as(finance).post(url, {}).status_code == 403
    assert api_as(other_manager).post(url, {}).status_code == 404
    assert api_as(manager).post(url, {"comment": "ok"}).status_code == 200
    twice = api_as(manager).post(url, {})
    assert twice.status_code == 409 and twice.json()["current_state"] == "confirmed"
    assert Scorecard.objects.get(pk=cards["rep_mbo"].pk).total == Decimal("84.79")


# --- queries ----------------------------------------------------------------------------------------

#: the session, the user, the user's role groups, COUNT, one page of scorecards (rep, template and
#: confirmer joined): 5, whatever the number of scorecards.
LIST_QUERIES = 5
#: the session, the user, roles, the scorecard (rep, template, confirmer joined), its lines (items
#: and categories joined): 5, whatever the number of lines.
DETAIL_QUERIES = 5


@pytest.mark.parametrize("who", ["rep", "manager", "finance"])
def test_list_query_count_is_pinned(api_as, everyone, cards, rep, rep_peer, templates, who, django_assert_num_queries):
    client = api_as(everyone[who])
    with CaptureQueriesContext(connection) as few:
        client.get(SCORECARDS)
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05"):
        scorecard_compute_unchecked(rep, month, templates["mbo"])
        scorecard_compute_unchecked(rep_peer, month, templates["bsc"])
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(SCORECARDS).json()
    assert len(few) == LIST_QUERIES
    assert body["count"] == {"rep": 7, "manager": 13, "finance": 14}[who]


def test_detail_query_count_is_pinned(api_as, rep, cards, django_assert_num_queries):
    client = api_as(rep)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(f"{SCORECARDS}{cards['rep_bsc'].pk}/").status_code == 200
