"""Scorecard pages (SPEC §7): list, the scorecard of a rep's month with links to the rows behind
each actual, compute, recompute, self-evaluation and confirmation; pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpi.models import Metric, Scorecard, Target
from kpi.services.scorecards import scorecard_compute_unchecked, scorecard_confirm
from tests.kpi.scorecard_world import JULY, july

LIST = reverse("kpi:scorecard-list")
COMPUTE = reverse("kpi:scorecard-compute")
JULY_DATES = "date_from=2026-07-01&amp;date_to=2026-07-31"


@pytest.fixture
def july_world(d, rep, manager, finance, templates):
    return july(d, rep, manager, finance)


@pytest.fixture
def cards(july_world, rep, rep_peer, other_rep, templates):
    return {
        "rep_mbo": scorecard_compute_unchecked(rep, JULY, templates["mbo"])[0],
        "rep_bsc": scorecard_compute_unchecked(rep, JULY, templates["bsc"])[0],
        "peer_mbo": scorecard_compute_unchecked(rep_peer, JULY, templates["mbo"])[0],
        "other_mbo": scorecard_compute_unchecked(other_rep, JULY, templates["mbo"])[0],
    }


def detail(scorecard) -> str:
    return reverse("kpi:scorecard-detail", args=[scorecard.pk])


def listed(response) -> set[int]:
    html = response.content.decode()
    return {int(part.split('"')[0]) for part in html.split('data-scorecard="')[1:]}


# --- list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected", "can_compute"),
    [
        ("rep", {"rep_mbo", "rep_bsc"}, False),
        ("manager", {"rep_mbo", "rep_bsc", "peer_mbo"}, True),
        ("finance", {"rep_mbo", "rep_bsc", "peer_mbo", "other_mbo"}, False),
        ("admin", {"rep_mbo", "rep_bsc", "peer_mbo", "other_mbo"}, True),
    ],
)
def test_list_shows_mine_team_or_all(client_as, everyone, cards, who, expected, can_compute):
    response = client_as(everyone[who]).get(LIST)
    assert response.status_code == 200
    assert listed(response) == {cards[name].pk for name in expected}
    assert ('data-testid="compute-form"' in response.content.decode()) is can_compute


def test_list_filters(client_as, manager, rep_peer, cards):
    response = client_as(manager).get(LIST, {"rep": rep_peer.pk, "period": "2026-07"})
    assert listed(response) == {cards["peer_mbo"].pk}
    assert listed(client_as(manager).get(LIST, {"template": "bsc"})) == {cards["rep_bsc"].pk}


#: session, user, roles, notifications bell, COUNT, the filter's rep and template choices, the compute
#: form's reps and templates, one page of scorecards (rep, template, confirmer joined): 10 for a manager.
LIST_PAGE_QUERIES = 10


def test_list_page_query_count_is_pinned(
    client_as, manager, rep, rep_peer, cards, templates, django_assert_num_queries
):
    client = client_as(manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        scorecard_compute_unchecked(rep, month, templates["mbo"])
        scorecard_compute_unchecked(rep_peer, month, templates["bsc"])
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        response = client.get(LIST)
    assert len(few) == LIST_PAGE_QUERIES and len(listed(response)) == 11


# --- detail ---------------------------------------------------------------------------------------


def test_bsc_scorecard_page_groups_by_perspective_with_links_behind_each_actual(client_as, rep, cards, settings):
    settings.LANGUAGE_CODE = "en"
    response = client_as(rep).get(detail(cards["rep_bsc"]))
    assert response.status_code == 200
    html = response.content.decode()
    perspectives = [part.split('"')[0] for part in html.split('data-perspective="')[1:]]
    assert perspectives == ["financial", "customer", "process", "learning"]
    assert 'data-testid="scorecard-total">68.16<' in html
    # perspective subtotals: financial 15 + 10 = 25.00 weight, 12.00 + 8.82 = 20.82 points;
    # customer 10 + 15, 5.00 + 11.25; process 15 + 10, 12.00 + 9.09; learning 10 + 15, 10.00 + 0.00
    subtotals = [part.split("</span>")[0] for part in html.split('data-testid="perspective-subtotal">')[1:]]
    assert [(" ".join(s.split())) for s in subtotals] == [
        "· weight 25.00, weighted score 20.82",
        "· weight 25.00, weighted score 16.25",
        "· weight 25.00, weighted score 21.09",
        "· weight 25.00, weighted score 10.00",
    ]
    # the rows behind the actuals: facts and visits of the rep in July, and the rep's target
    query = f"rep={rep.pk}&amp;{JULY_DATES}"
    assert f'href="{reverse("kpi:sales-list")}?{query}"' in html
    assert f'href="{reverse("kpi:collection-list")}?{query}"' in html
    assert f'href="{reverse("kpi:expense-list")}?{query}"' in html
    assert f'href="{reverse("visits:visit-list")}?{query}"' in html  # visit compliance
    assert f'href="{reverse("visits:visit-list")}?{query}&amp;kind=training"' in html
    late = f"assignee={rep.pk}&amp;period=2026-07&amp;late=1"
    assert f'href="{reverse("inspections:complaint-list")}?{late}"' in html  # complaints handled late
    assert f"{reverse('partners:dealer-list')}?owner={rep.pk}&amp;status=active" in html
    target = Target.objects.get(rep=rep, period="2026-07")
    assert f'href="{reverse("kpi:target-detail", args=[target.pk])}"' in html
    # the rep may evaluate the manual item, not recompute nor confirm
    assert reverse("kpi:scorecard-self-evaluate", args=[cards["rep_bsc"].pk]) in html
    assert reverse("kpi:scorecard-confirm", args=[cards["rep_bsc"].pk]) not in html
    assert reverse("kpi:scorecard-recompute", args=[cards["rep_bsc"].pk]) not in html


def test_mbo_page_shows_the_hand_computed_lines(client_as, manager, cards):
    html = client_as(manager).get(detail(cards["rep_mbo"])).content.decode()
    sales = html.split('data-metric="sales_achievement"')[1].split("</tr>")[0]
    for cell in ("80.00 %", "100.00 %", ">80.00<", ">50.00<", ">40.00<"):
        assert cell in sales
    assert 'data-testid="lines-total">84.79<' in html
    assert reverse("kpi:scorecard-confirm", args=[cards["rep_mbo"].pk]) in html
    assert reverse("kpi:scorecard-recompute", args=[cards["rep_mbo"].pk]) in html


def test_finance_sees_the_scorecard_without_visit_links(client_as, finance, cards):
    html = client_as(finance).get(detail(cards["rep_bsc"])).content.decode()
    assert reverse("visits:visit-list") not in html  # finance has no visits (SPEC §2)
    assert reverse("kpi:sales-list") in html
    assert reverse("kpi:scorecard-confirm", args=[cards["rep_bsc"].pk]) not in html


@pytest.mark.parametrize(("who", "card"), [("rep", "peer_mbo"), ("rep_peer", "rep_bsc"), ("other_manager", "rep_mbo")])
def test_a_scorecard_out_of_scope_is_404(client_as, everyone, cards, who, card):
    assert client_as(everyone[who]).get(detail(cards[card])).status_code == 404


#: session, user, roles, bell, the scorecard (rep, template, confirmer joined), its lines (items and
#: categories joined), the target's ID, is-manager-of twice (recompute and confirm buttons), the state
#: log, the history: 11 for the manager, whatever the number of lines.
DETAIL_PAGE_QUERIES = 11


@pytest.mark.parametrize("card", ["rep_mbo", "rep_bsc"])
def test_detail_page_query_count_is_pinned(client_as, manager, cards, card, django_assert_num_queries):
    client = client_as(manager)
    with django_assert_num_queries(DETAIL_PAGE_QUERIES):
        assert client.get(detail(cards[card])).status_code == 200


# --- writes -----------------------------------------------------------------------------------------


def test_manager_computes_one_rep_from_the_page(client_as, manager, rep, july_world, templates):
    client = client_as(manager)
    assert client.get(COMPUTE).status_code == 200
    response = client.post(COMPUTE, {"rep": rep.pk, "period": "2026-07", "template": "mbo"})
    scorecard = Scorecard.objects.get(rep=rep, period="2026-07", template__code="mbo")
    assert response.status_code == 302 and response.url == detail(scorecard)
    assert scorecard.total == Decimal("84.79")


def test_manager_computes_the_whole_team_leaving_confirmed_ones(client_as, manager, rep, rep_peer, cards):
    scorecard_confirm(actor=manager, scorecard=cards["rep_mbo"])
    response = client_as(manager).post(COMPUTE, {"rep": "", "period": "2026-07", "template": "mbo"})
    assert response.status_code == 302
    assert response.url == f"{LIST}?period=2026-07&template=mbo"
    assert Scorecard.objects.filter(period="2026-07", template__code="mbo").count() == 3  # no other team's
    assert Scorecard.objects.get(pk=cards["rep_mbo"].pk).status == "confirmed"


def test_compute_page_refusals(client_as, rep, finance, manager, july_world):
    assert client_as(rep).get(COMPUTE).status_code == 403
    assert client_as(finance).post(COMPUTE, {"period": "2026-07", "template": "mbo"}).status_code == 403
    bad = client_as(manager).post(COMPUTE, {"rep": rep.pk, "period": "2026-13", "template": "mbo"})
    assert bad.status_code == 200 and not Scorecard.objects.exists()


def test_recompute_from_the_page_and_its_refusal_once_confirmed(client_as, manager, rep, cards):
    url = reverse("kpi:scorecard-recompute", args=[cards["rep_mbo"].pk])
    client = client_as(manager)
    assert client.get(url).status_code == 200
    assert client.post(url).url == detail(cards["rep_mbo"])
    assert client_as(rep).post(url).status_code == 403
    scorecard_confirm(actor=manager, scorecard=cards["rep_mbo"])
    refused = client_as(manager).post(url, HTTP_REFERER=f"http://testserver{detail(cards['rep_mbo'])}")
    assert refused.status_code == 302  # the 409 becomes a message and a redirect back


def test_rep_self_evaluates_on_the_page(client_as, rep, manager, cards):
    bsc = cards["rep_bsc"]
    manual = bsc.lines.get(item__metric=Metric.MANUAL)
    url = reverse("kpi:scorecard-self-evaluate", args=[bsc.pk])
    form = client_as(rep).get(url)
    assert form.status_code == 200 and f'name="line_{manual.pk}"' in form.content.decode()
    assert client_as(rep).post(url, {f"line_{manual.pk}": "170"}).status_code == 200  # > 100: the form again
    response = client_as(rep).post(url, {f"line_{manual.pk}": "70"})
    assert response.status_code == 302
    bsc.refresh_from_db()
    assert bsc.total == Decimal("78.66")
    assert client_as(manager).get(url).status_code == 403


def test_manager_confirms_on_the_page(client_as, rep, manager, finance, cards):
    bsc = cards["rep_bsc"]
    manual = bsc.lines.get(item__metric=Metric.MANUAL)
    url = reverse("kpi:scorecard-confirm", args=[bsc.pk])
    assert client_as(rep).get(url).status_code == 403
    assert client_as(finance).get(url).status_code == 403
    assert client_as(manager).get(url).status_code == 200
    response = client_as(manager).post(url, {f"line_{manual.pk}": "80", "comment": "ok"})
    assert response.status_code == 302
    bsc.refresh_from_db()
    assert (bsc.status, bsc.total) == ("confirmed", Decimal("80.16"))
    again = client_as(manager).get(url)
    assert again.status_code == 302 and again.url == detail(bsc)  # nothing left to confirm
