"""Material pages (物料, SPEC §14): the catalogue and the latest counts, variances beyond 5 % first and
scoped; a material (finance, managers, admins), an issue (the dealer's manager) and a count (the dealer's
rep or manager) from a phone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funds.models import Material, MaterialCount, MaterialIssue
from tests.funds.pages_world import counted, issued, make_dealers, material

pytestmark = pytest.mark.django_db

D = Decimal
LIST = reverse("funds:material-list")
CREATE = reverse("funds:material-create")
ISSUE = reverse("funds:material-issue")
COUNT = reverse("funds:material-count")


@pytest.fixture
def dealers(covered, manager, other_manager, rep, rep_peer, other_rep):
    return make_dealers(covered, manager, other_manager, rep, rep_peer, other_rep)


@pytest.fixture
def poster(db):
    return material()


@pytest.fixture
def counts(dealers, poster, rep, rep_peer, other_rep):
    """MINE-D1: issued 100, used 60, counted 36 → variance 4 (4 %, not flagged); PEER-D1: issued 100, used 60,
    counted 30 → 10 (10 %, flagged); LEAK-D1: flagged."""
    return {
        "mine": counted(dealers["mine"], poster, issued_qty="100", used="60", count="36", flagged=False, by=rep),
        "peer": counted(dealers["peer"], poster, issued_qty="100", used="60", count="30", flagged=True, by=rep_peer),
        "leak": counted(dealers["leak"], poster, issued_qty="100", used="0", count="0", flagged=True, by=other_rep),
    }


def shown_counts(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-count="(\d+)"', response.content.decode())]


# --- the list --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("finance", ["peer", "leak", "mine"]),
        ("admin_user", ["peer", "leak", "mine"]),
        ("manager", ["peer", "mine"]),
        ("other_manager", ["leak"]),
        ("rep", ["mine"]),
        ("rep_peer", ["peer"]),
    ],
)
def test_the_list_shows_the_latest_counts_of_the_role_flagged_first(request, page_as, counts, who, expected):
    response = page_as(request.getfixturevalue(who)).get(LIST)
    assert response.status_code == 200
    listed = shown_counts(response)
    assert set(listed) == {counts[name].pk for name in expected}
    flagged = {counts[name].pk for name in expected if counts[name].variance_flagged}
    assert set(listed[: len(flagged)]) == flagged  # the variances first
    assert response.content.decode().count('data-flagged="1"') == len(flagged)


def test_the_managers_list_of_variances(page_as, manager, counts):
    response = page_as(manager).get(LIST, {"flagged": "1"})
    assert shown_counts(response) == [counts["peer"].pk]
    assert "1 variance beyond 5 %" in response.content.decode()


def test_only_the_latest_count_of_a_material_is_listed(page_as, rep, dealers, poster, counts):
    later = counted(
        dealers["mine"], poster, issued_qty="100", used="70", count="30", flagged=False, day=date(2026, 4, 1), by=rep
    )
    assert shown_counts(page_as(rep).get(LIST)) == [later.pk]


def test_the_catalogue_lists_materials_active_first(page_as, rep, poster):
    material(code="AAA-OLD", name="旧展架", active=False)
    body = page_as(rep).get(LIST).content.decode()
    catalogue = body[body.index('data-testid="material-catalogue"') :]
    assert catalogue.index("POSTER") < catalogue.index("AAA-OLD")
    assert "¥2.50" in catalogue


def test_the_buttons_follow_the_role(page_as, rep, manager, finance):
    rep_page = page_as(rep).get(LIST).content.decode()
    assert COUNT in rep_page and ISSUE not in rep_page and CREATE not in rep_page
    manager_page = page_as(manager).get(LIST).content.decode()
    assert COUNT in manager_page and ISSUE in manager_page and CREATE in manager_page
    finance_page = page_as(finance).get(LIST).content.decode()
    assert COUNT not in finance_page and ISSUE not in finance_page and CREATE in finance_page


#: the frame's 4 — the session, the user, the user's groups (roles), the unread notifications' count
#: + the catalogue + the counts' count (the paginator) + the page of latest counts with their dealer,
#: material and counter + the number flagged
LIST_QUERIES = 8


def test_the_list_query_count_is_pinned_with_one_and_many_counts(
    page_as, finance, rep, dealers, poster, django_assert_num_queries
):
    counted(dealers["mine"], poster, issued_qty="10", used="1", count="9", flagged=False, by=rep)
    client = page_as(finance)
    client.get(LIST)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(shown_counts(client.get(LIST))) == 1
    for number in range(6):
        item = material(code=f"M-{number}", name=f"物料{number}")
        for dealer in dealers.values():
            counted(dealer, item, issued_qty="10", used="1", count="5", flagged=True, by=rep)
            counted(dealer, item, issued_qty="10", used="1", count="9", flagged=False, day=date(2026, 1, 1), by=rep)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(shown_counts(client.get(LIST))) == 19


# --- a material -------------------------------------------------------------------------------------------


def _material_form(**overrides):
    return {"code": "STAND", "name": "展架", "unit": "个", "unit_cost": "120.00", "active": "on"} | overrides


@pytest.mark.parametrize("who", ["finance", "manager", "admin_user"])
def test_finance_and_managers_add_a_material(request, page_as, who):
    response = page_as(request.getfixturevalue(who)).post(CREATE, _material_form())
    assert response.status_code == 302 and response["Location"] == LIST
    stand = Material.objects.get(code="STAND")
    assert (stand.name, stand.unit, stand.unit_cost, stand.active) == ("展架", "个", D("120.00"), True)


def test_a_rep_does_not_add_materials(page_as, rep):
    assert page_as(rep).get(CREATE).status_code == 403
    assert page_as(rep).post(CREATE, _material_form()).status_code == 403
    assert not Material.objects.exists()


@pytest.mark.parametrize(("field_name", "value"), [("code", "POSTER"), ("unit_cost", "-1.00"), ("name", "")])
def test_a_bad_material_is_refused_with_400(page_as, finance, poster, field_name, value):
    response = page_as(finance).post(CREATE, _material_form(**{field_name: value}))
    assert response.status_code == 400
    assert Material.objects.count() == 1


# --- issue ------------------------------------------------------------------------------------------------


def _issue_form(dealer, item, **overrides):
    today = timezone.localdate().isoformat()
    return {"dealer": dealer.pk, "material": item.pk, "quantity": "50", "day": today, "request_number": ""} | overrides


def test_the_manager_issues_materials_to_a_dealer(page_as, manager, dealers, poster):
    response = page_as(manager).post(ISSUE, _issue_form(dealers["mine"], poster))
    assert response.status_code == 302 and response["Location"] == LIST
    issue = MaterialIssue.objects.get()
    assert (issue.dealer, issue.material, issue.quantity, issue.issued_by) == (
        dealers["mine"],
        poster,
        D("50"),
        manager,
    )


def test_issue_and_another_comes_back_to_the_form(page_as, manager, dealers, poster):
    response = page_as(manager).post(ISSUE, _issue_form(dealers["mine"], poster) | {"another": "1"})
    assert response["Location"] == ISSUE


def test_the_issue_form_offers_only_the_managers_dealers(page_as, manager, dealers, poster):
    form = page_as(manager).get(ISSUE, {"dealer": dealers["mine"].pk}).content.decode()
    assert "MINE-D1" in form and "PEER-D1" in form and "LEAK-D1" not in form
    assert f'<option value="{dealers["mine"].pk}" selected>' in form
    response = page_as(manager).post(ISSUE, _issue_form(dealers["leak"], poster))
    assert response.status_code == 400
    assert not MaterialIssue.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"quantity": "0"},
        {"day": (timezone.localdate() + timedelta(days=1)).isoformat()},
        {"request_number": "FR-2026-99999"},
    ],
)
def test_a_bad_issue_is_refused_with_400(page_as, manager, dealers, poster, overrides):
    assert page_as(manager).post(ISSUE, _issue_form(dealers["mine"], poster, **overrides)).status_code == 400
    assert not MaterialIssue.objects.exists()


def test_a_material_no_longer_handed_out_cannot_be_issued(page_as, manager, dealers):
    old = material(code="OLD", active=False)
    assert page_as(manager).post(ISSUE, _issue_form(dealers["mine"], old)).status_code == 400


@pytest.mark.parametrize("who", ["rep", "finance"])
def test_reps_and_finance_do_not_issue(request, page_as, dealers, poster, who):
    client = page_as(request.getfixturevalue(who))
    assert client.get(ISSUE).status_code == 403
    assert client.post(ISSUE, _issue_form(dealers["mine"], poster)).status_code == 403


# --- count ------------------------------------------------------------------------------------------------


def _count_form(dealer, item, counted_qty, used, day):
    return {
        "dealer": dealer.pk,
        "material": item.pk,
        "counted_quantity": counted_qty,
        "used_quantity": used,
        "day": day.isoformat(),
    }


def test_a_rep_counts_within_the_limit(page_as, rep, dealers, poster):
    """Issued 100 by the day, used 60, counted 36 → variance 4: 4 % of 100, not beyond 5 %."""
    day = timezone.localdate()
    issued(dealers["mine"], poster, "100", day=day - timedelta(days=10))
    response = page_as(rep).post(COUNT, _count_form(dealers["mine"], poster, "36", "60", day), follow=True)
    count = MaterialCount.objects.get()
    assert (count.issued_quantity, count.variance, count.variance_flagged, count.counted_by) == (
        D("100"),
        D("4"),
        False,
        rep,
    )
    assert "Count of 海报 at MINE-D1 经销商 recorded." in response.content.decode()


def test_a_count_beyond_five_percent_is_flagged_and_said(page_as, rep, manager, dealers, poster):
    """Issued 100 (60 + 40, the second one after the count's day does not count), used 60, counted 30
    → variance 10: 10 % of 100, flagged; the manager's list shows it."""
    day = timezone.localdate() - timedelta(days=1)
    issued(dealers["mine"], poster, "60", day=day - timedelta(days=20))
    issued(dealers["mine"], poster, "40", day=day)
    issued(dealers["mine"], poster, "500", day=day + timedelta(days=1))
    response = page_as(rep).post(COUNT, _count_form(dealers["mine"], poster, "30", "60", day), follow=True)
    count = MaterialCount.objects.get()
    assert (count.issued_quantity, count.variance, count.variance_flagged) == (D("100"), D("10"), True)
    assert "Its variance of 10.00 against 100.00 issued is beyond 5 %" in response.content.decode()
    assert shown_counts(page_as(manager).get(LIST, {"flagged": "1"})) == [count.pk]


def test_a_rep_counts_only_at_their_own_dealers(page_as, rep, dealers, poster):
    response = page_as(rep).post(COUNT, _count_form(dealers["peer"], poster, "1", "1", timezone.localdate()))
    assert response.status_code == 400
    assert not MaterialCount.objects.exists()


def test_the_same_material_counted_twice_a_day_is_refused_with_400(page_as, rep, dealers, poster):
    client, day = page_as(rep), timezone.localdate()
    assert client.post(COUNT, _count_form(dealers["mine"], poster, "1", "1", day)).status_code == 302
    again = client.post(COUNT, _count_form(dealers["mine"], poster, "2", "1", day))
    assert again.status_code == 400 and "was already counted at this dealer on" in again.content.decode()
    assert MaterialCount.objects.count() == 1


@pytest.mark.parametrize(("counted_qty", "used"), [("-1", "0"), ("1", "abc"), ("", "1")])
def test_bad_quantities_are_refused_with_400(page_as, rep, dealers, poster, counted_qty, used):
    response = page_as(rep).post(COUNT, _count_form(dealers["mine"], poster, counted_qty, used, timezone.localdate()))
    assert response.status_code == 400
    assert not MaterialCount.objects.exists()


def test_finance_does_not_count(page_as, finance, dealers, poster):
    assert page_as(finance).get(COUNT).status_code == 403
    assert (
        page_as(finance).post(COUNT, _count_form(dealers["mine"], poster, "1", "1", timezone.localdate())).status_code
        == 403
    )


def test_the_count_form_is_phone_ready(page_as, rep, dealers, poster):
    form = page_as(rep).get(COUNT).content.decode()
    assert form.count('inputmode="decimal"') == 2 and 'type="date"' in form
    assert f'value="{timezone.localdate().isoformat()}"' in form
