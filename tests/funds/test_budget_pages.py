"""Budget pages (SPEC §14): the list with its committed/spent/remaining bars, scoped; a budget's form and
the import (finance); the summary by territory and quarter with its chart."""

from __future__ import annotations

import json
import re
import sys
import types
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse

from funds.models import FundBudget
from tests.funds.pages_world import YEAR, budget, charged, make_dealers

pytestmark = pytest.mark.django_db

D = Decimal
LIST = reverse("funds:budget-list")
SUMMARY = reverse("funds:summary")

#: the frame's 4 — the session, the user, the user's groups (roles), the unread notifications' count (base.html)
#: + the budgets' count (the paginator) + the page of budgets with their figures and territory (one query)
#: + the territories of the filter's choices
LIST_QUERIES = 7


@pytest.fixture
def dealers(covered, manager, other_manager, rep, rep_peer, other_rep):
    return make_dealers(covered, manager, other_manager, rep, rep_peer, other_rep)


@pytest.fixture
def budgets(covered, finance):
    return {
        "east": budget(covered["SH-PD"], "100000.00", by=finance),
        "south": budget(covered["GD-GZ"], "912345.67", by=finance),
    }


def shown_budgets(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-budget="(\d+)"', response.content.decode())}


# --- who sees which ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("finance", {"east", "south"}),
        ("admin_user", {"east", "south"}),
        ("manager", {"east"}),
        ("other_manager", {"south"}),
    ],
)
def test_budget_list_shows_the_budgets_of_the_role(request, page_as, budgets, who, expected):
    response = page_as(request.getfixturevalue(who)).get(LIST)
    assert response.status_code == 200
    assert shown_budgets(response) == {budgets[name].pk for name in expected}


def test_a_rep_sees_no_budget_list(page_as, rep, budgets):
    assert page_as(rep).get(LIST).status_code == 403


def test_only_finance_sees_the_create_edit_and_import_links(page_as, finance, manager, budgets):
    finance_page = page_as(finance).get(LIST).content.decode()
    assert 'data-testid="budget-create-link"' in finance_page and 'data-testid="budget-import-link"' in finance_page
    manager_page = page_as(manager).get(LIST).content.decode()
    assert "budget-create-link" not in manager_page and "budget-edit-link" not in manager_page


# --- the bars' figures, by hand ---------------------------------------------------------------------------


def _row(response, budget_row) -> str:
    body = response.content.decode()
    start = body.index(f'data-budget="{budget_row.pk}"')
    return body[start : body.index("</li>", start)]


def test_the_bar_of_a_budget_with_an_approved_request(page_as, finance, manager, dealers, budgets):
    """100,000.00 budgeted, 30,000.00 approved → committed 30,000.00, spent 0.00, remaining 70,000.00:
    the bar is 30 % committed and 70 % remaining."""
    charged(budgets["east"], dealers["mine"], manager, "approved", "30000.00")
    row = _row(page_as(finance).get(LIST), budgets["east"])
    assert 'data-figure="amount">¥100,000.00<' in row
    assert 'data-figure="committed">¥30,000.00<' in row
    assert 'data-figure="spent">¥0.00<' in row
    assert 'data-figure="remaining">¥70,000.00<' in row
    assert 'style="width: 30.00%" data-part="committed"' in row
    assert 'style="width: 0.00%" data-part="spent"' in row
    assert 'style="width: 70.00%" data-part="remaining"' in row


def test_the_bar_counts_claimed_as_committed_and_settled_as_spent(page_as, finance, manager, dealers, budgets):
    """100,000.00 budgeted; approved 10,000.00 + claimed 15,000.00 = committed 25,000.00; settled 20,000.00
    (approved 22,000.00, the 2,000.00 not spent released) = spent 20,000.00; remaining 100,000.00 − 25,000.00
    − 20,000.00 = 55,000.00. A rejected request counts for nothing."""
    east, dealer = budgets["east"], dealers["mine"]
    charged(east, dealer, manager, "approved", "10000.00")
    charged(east, dealer, manager, "claimed", "15000.00")
    charged(east, dealer, manager, "settled", "22000.00", settled="20000.00")
    charged(east, dealer, manager, "rejected", "40000.00")
    row = _row(page_as(finance).get(LIST), east)
    assert 'data-figure="committed">¥25,000.00<' in row
    assert 'data-figure="spent">¥20,000.00<' in row
    assert 'data-figure="remaining">¥55,000.00<' in row
    assert 'style="width: 25.00%" data-part="committed"' in row
    assert 'style="width: 20.00%" data-part="spent"' in row
    assert 'style="width: 55.00%" data-part="remaining"' in row


def test_each_figure_links_to_the_requests_behind_it(page_as, finance, budgets):
    pk = budgets["east"].pk
    row = _row(page_as(finance).get(LIST), budgets["east"])
    request_list = reverse("funds:request-list")
    assert (
        f'href="{request_list}?budget={pk}&amp;status=approved&amp;status=claimed" class="text-nowrap" data-figure="committed"'
        in row
    )
    assert f'href="{request_list}?budget={pk}&amp;status=settled" class="text-nowrap" data-figure="spent"' in row
    assert f'href="{request_list}?budget={pk}" class="fw-semibold text-nowrap" data-figure="amount"' in row


# --- filters ----------------------------------------------------------------------------------------------


def test_the_list_filters_by_year_quarter_category_and_territory(page_as, finance, covered):
    whole = budget(covered["SH-PD"], "1000.00")
    q1 = budget(covered["SH-PD"], "1000.00", quarter=1)
    training = budget(covered["SH-PD"], "1000.00", category="training", quarter=2)
    last_year = budget(covered["SH-PD"], "1000.00", year=YEAR - 1)
    south = budget(covered["GD-GZ"], "1000.00", quarter=1)
    client = page_as(finance)
    assert shown_budgets(client.get(LIST, {"year": YEAR - 1})) == {last_year.pk}
    assert shown_budgets(client.get(LIST, {"quarter": 1})) == {q1.pk, south.pk}
    assert shown_budgets(client.get(LIST, {"quarter": 0, "year": YEAR})) == {whole.pk}
    assert shown_budgets(client.get(LIST, {"category": "training"})) == {training.pk}
    assert shown_budgets(client.get(LIST, {"territory": covered["GD-GZ"].pk})) == {south.pk}


def test_a_manager_cannot_filter_by_a_territory_whose_budgets_they_do_not_see(page_as, manager, covered, budgets):
    response = page_as(manager).get(LIST, {"territory": covered["GD-GZ"].pk})
    assert response.status_code == 200 and shown_budgets(response) == set()  # an invalid choice: no rows


# --- query counts -----------------------------------------------------------------------------------------


def test_the_list_query_count_is_pinned_with_one_and_many_budgets(
    page_as, finance, manager, covered, dealers, django_assert_num_queries
):
    first = budget(covered["SH-PD"], "100000.00")
    charged(first, dealers["mine"], manager, "approved", "10.00")
    client = page_as(finance)
    client.get(LIST)  # the content types and the site's caches are warm
    with django_assert_num_queries(LIST_QUERIES):
        assert len(shown_budgets(client.get(LIST))) == 1
    for quarter in (1, 2, 3, 4):
        for territory in ("SH-PD", "JS-NJ", "GD-GZ"):
            row = budget(covered[territory], "5000.00", quarter=quarter)
            charged(row, dealers["mine"], manager, "settled", "10.00", settled="5.00")
    with django_assert_num_queries(LIST_QUERIES):
        assert len(shown_budgets(client.get(LIST))) == 13


# --- a budget's form --------------------------------------------------------------------------------------


def _budget_form(territory, **overrides):
    data = {
        "category": "promotion",
        "territory": territory.pk,
        "year": YEAR,
        "quarter": "2",
        "amount": "80000.00",
        "max_cost_ratio": "8.50",
    }
    return data | overrides


def test_finance_creates_a_budget(page_as, finance, covered):
    response = page_as(finance).post(reverse("funds:budget-create"), _budget_form(covered["SH"]))
    assert response.status_code == 302 and response["Location"] == LIST
    created = FundBudget.objects.get()
    assert (created.territory, created.quarter, created.amount, created.max_cost_ratio, created.created_by) == (
        covered["SH"],
        2,
        D("80000.00"),
        D("8.50"),
        finance,
    )


def test_a_budget_for_the_whole_year_has_no_quarter(page_as, finance, covered):
    page_as(finance).post(reverse("funds:budget-create"), _budget_form(covered["SH"], quarter=""))
    assert FundBudget.objects.get().quarter is None


@pytest.mark.parametrize("who", ["manager", "rep", "other_manager"])
def test_only_finance_creates_budgets(request, page_as, covered, who):
    client = page_as(request.getfixturevalue(who))
    assert client.get(reverse("funds:budget-create")).status_code == 403
    assert client.post(reverse("funds:budget-create"), _budget_form(covered["SH"])).status_code == 403
    assert not FundBudget.objects.exists()


def test_a_second_budget_for_the_same_period_is_refused_with_400(page_as, finance, covered):
    budget(covered["SH"], quarter=2)
    response = page_as(finance).post(reverse("funds:budget-create"), _budget_form(covered["SH"]))
    assert response.status_code == 400
    assert "already has a budget" in response.content.decode()
    assert FundBudget.objects.count() == 1


@pytest.mark.parametrize(
    ("field_name", "value"), [("max_cost_ratio", "120.00"), ("amount", "0.00"), ("amount", "abc"), ("quarter", "5")]
)
def test_bad_budget_input_is_refused_with_400(page_as, finance, covered, field_name, value):
    response = page_as(finance).post(reverse("funds:budget-create"), _budget_form(covered["SH"], **{field_name: value}))
    assert response.status_code == 400
    assert not FundBudget.objects.exists()


def test_finance_changes_a_budget_amount(page_as, finance, budgets):
    east = budgets["east"]
    form = _budget_form(east.territory, quarter="", amount="120000.00", max_cost_ratio="8.00")
    response = page_as(finance).post(reverse("funds:budget-edit", args=[east.pk]), form)
    assert response.status_code == 302
    east.refresh_from_db()
    assert east.amount == D("120000.00")


def test_a_budget_cannot_drop_below_what_is_committed_and_spent(page_as, finance, manager, dealers, budgets):
    """Committed 30,000.00 + spent 20,000.00 = 50,000.00: an amount of 49,999.99 is refused (409)."""
    east = budgets["east"]
    charged(east, dealers["mine"], manager, "approved", "30000.00")
    charged(east, dealers["mine"], manager, "settled", "20000.00", settled="20000.00")
    form = _budget_form(east.territory, quarter="", amount="49999.99", max_cost_ratio="8.00")
    response = page_as(finance).post(reverse("funds:budget-edit", args=[east.pk]), form)
    assert response.status_code == 409
    assert "¥50,000.00 committed and spent" in response.content.decode()
    east.refresh_from_db()
    assert east.amount == D("100000.00")


def test_a_manager_may_not_edit_a_budget_they_see_and_gets_404_for_one_they_do_not(page_as, manager, budgets):
    client = page_as(manager)
    assert client.get(reverse("funds:budget-edit", args=[budgets["east"].pk])).status_code == 403
    assert client.get(reverse("funds:budget-edit", args=[budgets["south"].pk])).status_code == 404


def test_the_edit_form_shows_the_budget(page_as, finance, budgets):
    response = page_as(finance).get(reverse("funds:budget-edit", args=[budgets["east"].pk]))
    assert response.status_code == 200 and 'value="100000.00"' in response.content.decode()


# --- the import -----------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class FakeReport:
    dry_run: bool
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors and not self.file_errors

    @property
    def imported(self):
        return self.ok and not self.dry_run

    @property
    def bad_rows(self):
        return len({error.row for error in self.errors})


@pytest.fixture
def budgets_import(monkeypatch):
    """``funds.imports.budget_import`` (the API's budget import, built on another branch; its signature as
    there): the page's side only — what it passes and how it shows the report."""
    calls = []
    outcome = {}

    def fake(*, actor, file, file_format, dry_run):
        calls.append({"actor": actor, "content": file, "format": file_format, "dry_run": dry_run})
        return outcome["report"](dry_run)

    module = types.ModuleType("funds.imports")
    module.budget_import = fake
    monkeypatch.setitem(sys.modules, "funds.imports", module)
    return calls, outcome


def _upload(
    name="budgets.csv",
    content=b"territory,category,year,quarter,amount,max_cost_ratio\nSH,promotion,2026,1,1000.00,8\n",
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_import_previews_then_imports_on_confirm(page_as, finance, budgets_import):
    calls, outcome = budgets_import
    outcome["report"] = lambda dry_run: FakeReport(
        dry_run=dry_run,
        total_rows=1,
        new=1,
    )
    client = page_as(finance)
    response = client.post(reverse("funds:budget-import"), {"file": _upload(), "dry_run": "on"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Preview: nothing has been saved yet." in body and "1 budget will be created or changed" in body
    token = re.search(r'name="token" value="([0-9a-f]+)"', body).group(1)
    assert calls[-1]["dry_run"] is True and calls[-1]["actor"] == finance and calls[-1]["format"] == "csv"
    done = client.post(reverse("funds:budget-import"), {"confirm": "1", "token": token})
    assert done.status_code == 302 and done["Location"] == LIST
    assert calls[-1]["dry_run"] is False and calls[-1]["content"] == calls[0]["content"]


def test_a_file_with_bad_rows_imports_nothing_and_lists_them(page_as, finance, budgets_import):
    from channelhub.importing import RowError

    _calls, outcome = budgets_import
    outcome["report"] = lambda dry_run: FakeReport(
        dry_run=dry_run, total_rows=2, errors=[RowError(3, "territory", "No territory XX.", "XX")]
    )
    response = page_as(finance).post(reverse("funds:budget-import"), {"file": _upload()})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 1 row has errors." in body and "No territory XX." in body


def test_the_import_refuses_other_files_and_other_roles(page_as, finance, manager, budgets_import):
    calls, _outcome = budgets_import
    refused = page_as(finance).post(reverse("funds:budget-import"), {"file": _upload("budgets.txt")})
    assert refused.status_code == 400 and "Upload a .csv or .xlsx file." in refused.content.decode()
    assert page_as(manager).get(reverse("funds:budget-import")).status_code == 403
    assert page_as(manager).post(reverse("funds:budget-import"), {"file": _upload()}).status_code == 403
    assert calls == []


# --- the summary ------------------------------------------------------------------------------------------


def _chart(response) -> dict:
    found = re.search(
        r'<script id="funds-summary-chart-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def test_the_summary_adds_up_budgets_by_territory_and_quarter(page_as, finance, manager, covered, dealers):
    """SH-PD Q1: 10,000.00 + 5,000.00 (two categories) = 15,000.00, committed 4,000.00, spent 1,000.00,
    remaining 10,000.00; SH-PD whole year 20,000.00; GD-GZ Q1 30,000.00."""
    promotion = budget(covered["SH-PD"], "10000.00", quarter=1)
    budget(covered["SH-PD"], "5000.00", quarter=1, category="training")
    budget(covered["SH-PD"], "20000.00")
    budget(covered["GD-GZ"], "30000.00", quarter=1)
    budget(covered["GD-GZ"], "99999.00", quarter=1, year=YEAR + 1)
    charged(promotion, dealers["mine"], manager, "approved", "4000.00")
    charged(promotion, dealers["mine"], manager, "settled", "1500.00", settled="1000.00")
    response = page_as(finance).get(SUMMARY, {"year": YEAR})
    body = response.content.decode()
    assert response.status_code == 200
    row = body[body.index('data-summary-row="SH-PD-1"') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r"¥[\d,]+\.\d\d", row)[:4] == ["¥15,000.00", "¥4,000.00", "¥1,000.00", "¥10,000.00"]
    assert 'data-summary-row="SH-PD-Y"' in body and 'data-summary-row="GD-GZ-1"' in body
    chart = _chart(response)
    assert chart["labels"] == ["浦东新区 · Q1", "浦东新区 · whole year", "广州 · Q1"]
    assert [dataset["data"] for dataset in chart["datasets"]] == [
        [15000.0, 20000.0, 30000.0],
        [4000.0, 0.0, 0.0],
        [1000.0, 0.0, 0.0],
    ]
    assert "¥65,000.00" in body[body.index('data-testid="summary-totals"') :]  # 15,000 + 20,000 + 30,000


def test_the_summary_is_scoped(page_as, manager, other_manager, rep, covered):
    budget(covered["SH-PD"], "10000.00", quarter=1)
    budget(covered["GD-GZ"], "30000.00", quarter=1)
    mine = page_as(manager).get(SUMMARY, {"year": YEAR})
    assert _chart(mine)["labels"] == ["浦东新区 · Q1"] and "广州" not in mine.content.decode()
    assert _chart(page_as(other_manager).get(SUMMARY, {"year": YEAR}))["labels"] == ["广州 · Q1"]
    assert page_as(rep).get(SUMMARY).status_code == 403


def test_the_summary_of_a_year_without_budgets_says_so(page_as, finance):
    response = page_as(finance).get(SUMMARY, {"year": 1999})
    assert response.status_code == 200 and "No budgets for 1999" in response.content.decode()
    assert "funds-summary-chart-data" not in response.content.decode()


#: the frame's 4 (see LIST_QUERIES) + the year's budgets with their figures and territory (one query)
SUMMARY_QUERIES = 5


def test_the_summary_query_count_is_pinned(page_as, finance, covered, dealers, manager, django_assert_num_queries):
    client = page_as(finance)
    first = budget(covered["SH-PD"], "10000.00", quarter=1)
    charged(first, dealers["mine"], manager, "approved", "10.00")
    client.get(SUMMARY)
    with django_assert_num_queries(SUMMARY_QUERIES):
        assert client.get(SUMMARY, {"year": YEAR}).status_code == 200
    for territory in ("SH-PD", "JS-NJ", "GD-GZ"):
        for quarter in (2, 3, 4):
            row = budget(covered[territory], "1000.00", quarter=quarter)
            charged(row, dealers["mine"], manager, "approved", "10.00")
    with django_assert_num_queries(SUMMARY_QUERIES):
        assert len(_chart(client.get(SUMMARY, {"year": YEAR}))["labels"]) == 10
