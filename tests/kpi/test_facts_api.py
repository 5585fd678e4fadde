"""The facts API (SPEC §8): ``/api/v1/sales/``, ``/collections/``, ``/expenses/`` (list, detail, POST
one object or a list, all or nothing; immutable), ``/periods/`` and ``/imports/`` — scope per role,
403 for writers other than finance, 409 for a closed period, money as strings, query counts pinned.

    manager (EAST) ── rep (A1…A9, SH-PD), rep_peer (P1, JS-NJ)      other_manager ── other_rep (O1)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from kpi.models import Collection, Expense, Period, SalesRecord
from kpi.services.facts import MAX_BATCH
from tests.kpi.facts_world import close, csv_file, record, sale, signed_agreement

SALES, COLLECTIONS, EXPENSES = "/api/v1/sales/", "/api/v1/collections/", "/api/v1/expenses/"
PERIODS, IMPORTS = "/api/v1/periods/", "/api/v1/imports/"
URLS = {"sales": SALES, "collections": COLLECTIONS, "expenses": EXPENSES}
MODELS = {"sales": SalesRecord, "collections": Collection, "expenses": Expense}
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def api(api_as):
    """``api(user)``: an API client speaking English."""

    def login(user):
        client = api_as(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return login


def body(**fields) -> dict:
    """A POST body: a sale of 1 250.00 at A1 on 2 October 2026."""
    values = {"reference": "INV-1", "date": "2026-10-02", "dealer_code": "A1", "amount": "1250.00"}
    values.update(fields)
    return values


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- POST ------------------------------------------------------------------------------------------


def test_finance_posts_one_sale_and_gets_it_back_with_money_as_a_string(api, finance, d, lines):
    response = api(finance).post(
        SALES,
        body(category="water", ship_to_territory="JS-NJ", note="首单", channel_conflict=False, id=77),
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    stored = SalesRecord.objects.get()
    assert data["id"] == stored.pk
    assert data["reference"] == "INV-1"
    assert data["date"] == "2026-10-02"
    assert data["dealer"] == d["A1"].pk
    assert data["dealer_code"] == "A1"
    assert data["dealer_name"] == "浦东经销商1"
    assert data["rep"] == d["A1"].owner_id
    assert data["rep_name"] == "张伟"
    assert data["amount"] == "1250.00"
    assert data["category"] == "water"
    assert data["ship_to_territory"] == "JS-NJ"
    assert data["ship_to_territory_name"] == "南京"
    assert data["channel_conflict"] is True  # no signed agreement: flagged, whatever the body said
    assert data["note"] == "首单"
    assert data["created_by"] == finance.pk
    assert parse_datetime(data["created_at"]) == stored.created_at


def test_posting_the_same_object_again_answers_200_with_the_recorded_fact(api, finance, d):
    client = api(finance)
    first = client.post(COLLECTIONS, body(), format="json")
    again = client.post(COLLECTIONS, body(), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Collection.objects.count() == 1


def test_one_bad_object_answers_400_with_field_errors(api, finance, d):
    response = api(finance).post(EXPENSES, body(amount="12.345", category="bribes", dealer_code="ZZ"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "dealer_code": ["Unknown dealer “ZZ”."],
        "amount": ["An amount has at most two decimals; it is never rounded."],
        "category": [
            "Unknown expense category “bribes”; use one of: travel, promotion, advertising, entertainment, "
            "subsidy, other."
        ],
    }
    assert Expense.objects.count() == 0


def test_an_id_beyond_any_primary_key_answers_400_not_500(api, finance, d):
    # Schemathesis found it: SQLite refuses to bind an integer beyond 64 bits (OverflowError).
    too_big = 2**64
    response = api(finance).post(EXPENSES, body(dealer=too_big, rep=str(too_big)), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["dealer"] == ["Unknown dealer."]
    assert "rep" in errors
    assert Expense.objects.count() == 0


def test_a_sale_without_category_nor_ship_to_answers_nulls_as_the_schema_says(api, finance, rep, d):
    # Schemathesis found it: the schema said strings, the answer held nulls (both are optional on a sale).
    recorded = SalesRecord.objects.create(
        rep=rep, dealer=d["A1"], date=date(2026, 7, 1), amount=Decimal("1.00"), reference="OLD-1"
    )
    client = api(finance)
    response = client.get(f"{SALES}{recorded.pk}/")
    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["category"], row["ship_to_territory"], row["ship_to_territory_name"]) == (None, None, None)
    fields = client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]["SalesRecord"]
    for name in ("category", "ship_to_territory", "ship_to_territory_name"):
        assert fields["properties"][name].get("nullable") is True, name


def test_a_list_is_recorded_all_or_nothing_with_errors_by_index(api, finance, d):
    client = api(finance)
    items = [body(reference=f"L-{n}", amount=f"{n}00.00") for n in range(1, 5)]
    items[1]["amount"] = "0"
    items[3].update(ship_to_territory="NOWHERE", dealer=d["P1"].pk, dealer_code=None)
    response = client.post(SALES, items, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Nothing was recorded: 2 of 4 items have errors.",
        "errors": [
            {
                "index": 1,
                "field": "amount",
                "message": "A sale's amount cannot be 0 (a negative amount is a credit note).",
            },
            {"index": 3, "field": "ship_to_territory", "message": "Unknown territory “NOWHERE”."},
        ],
    }
    assert SalesRecord.objects.count() == 0
    items[1]["amount"] = "-100.00"
    items[3]["ship_to_territory"] = "SH-PD"
    response = client.post(SALES, items, format="json")
    assert response.status_code == 201
    data = response.json()
    assert [row["reference"] for row in data] == ["L-1", "L-2", "L-3", "L-4"]
    assert [row["amount"] for row in data] == ["100.00", "-100.00", "300.00", "400.00"]
    assert data[3]["dealer_code"] == "P1" and data[3]["rep_name"] == "李娜"
    # Again with one more: only the new one comes back.
    response = client.post(SALES, [*items, body(reference="L-5")], format="json")
    assert response.status_code == 201 and [row["reference"] for row in response.json()] == ["L-5"]
    response = client.post(SALES, items, format="json")
    assert response.status_code == 200 and response.json() == []


def test_a_list_beyond_5000_and_bodies_that_are_not_facts_answer_400(api, finance, d):
    client = api(finance)
    response = client.post(SALES, [body(reference=f"X-{n}") for n in range(MAX_BATCH + 1)], format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["At most 5000 facts per request; split the list."]}
    for bad in ([], [1, 2], "text"):
        assert client.post(SALES, bad, format="json").status_code == 400
    assert SalesRecord.objects.count() == 0


def test_a_list_of_5000_is_recorded(api, finance, d):
    items = [body(reference=f"B-{n:05d}", amount=f"{n % 97 + 1}.{n % 100:02d}") for n in range(MAX_BATCH)]
    response = api(finance).post(COLLECTIONS, items, format="json")
    assert response.status_code == 201
    assert len(response.json()) == MAX_BATCH
    assert Collection.objects.count() == MAX_BATCH


def test_a_fact_in_a_closed_period_answers_409_naming_it(api, finance, d):
    close("2026-09")
    response = api(finance).post(SALES, [body(), body(reference="INV-2", date="2026-09-30")], format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The period 2026-09 is closed; nothing dated in it can be added or changed.",
        "periods": ["2026-09"],
    }
    assert SalesRecord.objects.count() == 0


@pytest.mark.parametrize("who", ["rep", "manager", "other_manager"])
@pytest.mark.parametrize("kind", ["sales", "collections", "expenses"])
def test_only_finance_and_admins_post_facts(api, everyone, d, who, kind):
    response = api(everyone[who]).post(URLS[kind], body(), format="json")
    assert response.status_code == 403
    assert MODELS[kind].objects.count() == 0


def test_admin_posts_facts(api, admin_user, d):
    assert api(admin_user).post(EXPENSES, body(category="travel"), format="json").status_code == 201


def test_facts_cannot_be_changed_or_deleted(api, finance, admin_user, d):
    record(finance, "sales", sale())
    fact = SalesRecord.objects.get()
    for user in (finance, admin_user):
        client = api(user)
        assert client.put(f"{SALES}{fact.pk}/", body(amount="1.00"), format="json").status_code == 405
        assert client.patch(f"{SALES}{fact.pk}/", {"amount": "1.00"}, format="json").status_code == 405
        assert client.delete(f"{SALES}{fact.pk}/").status_code == 405
    assert SalesRecord.objects.get().amount == Decimal("1000.00")


def test_unauthenticated_calls_answer_401(api_client, d):
    assert api_client.get(SALES).status_code == 401
    assert api_client.post(SALES, body(), format="json").status_code == 401


# --- lists, details, scope -------------------------------------------------------------------------


@pytest.fixture
def facts(finance, d):
    """One fact of each kind at A1 (rep), P1 (rep_peer) and O1 (other_rep), 1–3 October."""
    for kind in ("sales", "collections", "expenses"):
        record(
            finance,
            kind,
            sale(reference=f"{kind}-A1", dealer_code="A1", date="2026-10-01", amount="100.00"),
            sale(reference=f"{kind}-P1", dealer_code="P1", date="2026-10-02", amount="200.00"),
            sale(reference=f"{kind}-O1", dealer_code="O1", date="2026-10-03", amount="300.00"),
        )


VISIBLE = {
    "rep": ["A1"],
    "rep_peer": ["P1"],
    "other_rep": ["O1"],
    "manager": ["P1", "A1"],  # the team's
    "other_manager": ["O1"],
    "finance": ["O1", "P1", "A1"],
    "admin": ["O1", "P1", "A1"],
}


@pytest.mark.parametrize("kind", ["sales", "collections", "expenses"])
@pytest.mark.parametrize("who", list(VISIBLE))
def test_lists_and_details_hold_only_the_facts_in_scope(api, everyone, facts, kind, who):
    client = api(everyone[who])
    rows = client.get(URLS[kind]).json()["results"]
    assert [row["dealer_code"] for row in rows] == VISIBLE[who]  # newest first
    for fact in MODELS[kind].objects.all():
        expected = 200 if fact.dealer.code in VISIBLE[who] else 404
        assert client.get(f"{URLS[kind]}{fact.pk}/").status_code == expected


def test_filters_by_dealer_rep_dates_and_reference(api, finance, facts, d, rep_peer):
    client = api(finance)

    def references(**params):
        response = client.get(COLLECTIONS, params)
        assert response.status_code == 200, response.content
        return [row["reference"] for row in response.json()["results"]]

    assert references(dealer=d["P1"].pk) == ["collections-P1"]
    assert references(dealer_code="o1") == ["collections-O1"]
    assert references(rep=rep_peer.pk) == ["collections-P1"]
    assert references(date_from="2026-10-02") == ["collections-O1", "collections-P1"]
    assert references(date_to="2026-10-02") == ["collections-P1", "collections-A1"]
    assert references(date_from="2026-10-02", date_to="2026-10-02") == ["collections-P1"]
    assert references(reference="collections-A1") == ["collections-A1"]
    assert client.get(COLLECTIONS, {"date_from": "2 October"}).status_code == 400


def test_sales_filter_by_category_and_channel_conflict(api, finance, d, lines, covered, manager):
    signed_agreement(d["A1"], covered["SH"], *YEAR, manager=manager, finance=finance, lines=[lines["kitchen"]])
    record(finance, "sales", sale(reference="S-1", category="kitchen"), sale(reference="S-2", ship_to="JS"))
    client = api(finance)
    assert [r["reference"] for r in client.get(SALES, {"category": "kitchen"}).json()["results"]] == ["S-1"]
    assert [r["reference"] for r in client.get(SALES, {"channel_conflict": "true"}).json()["results"]] == ["S-2"]
    assert [r["reference"] for r in client.get(SALES, {"channel_conflict": "false"}).json()["results"]] == ["S-1"]


def _many(finance, kind, start, count):
    codes = ["A1", "A2", "P1", "O1"]
    record(
        finance,
        kind,
        *[
            sale(reference=f"N-{n}", dealer_code=codes[n % 4], date=f"2026-10-{n % 28 + 1:02d}", amount="10.00")
            for n in range(start, start + count)
        ],
    )


#: session, user, roles, count, the page with dealer and rep (sales: category and ship-to too) joined;
#: a manager's team is a subquery of both — measured at 3 rows; for a manager, the territories they cover
#: (the dealer filter offers only the dealers in their scope).
LIST_MAX_QUERIES = 6


@pytest.mark.parametrize("kind", ["sales", "collections", "expenses"])
@pytest.mark.parametrize("who", ["rep", "manager", "finance"])
def test_list_query_count_does_not_grow_with_rows(api, everyone, finance, d, kind, who, django_assert_max_num_queries):
    client = api(everyone[who])
    _many(finance, kind, 0, 3)
    with CaptureQueriesContext(connection) as at_three:
        assert client.get(URLS[kind]).status_code == 200
    assert len(at_three) <= LIST_MAX_QUERIES
    _many(finance, kind, 3, 27)
    with django_assert_max_num_queries(len(at_three)):
        response = client.get(URLS[kind])
    # 30 facts over A1, A2 (rep), P1 (rep_peer), O1 (other_rep) in turn: 8, 8, 7, 7
    assert response.json()["count"] == {"rep": 16, "manager": 23, "finance": 30}[who]


# --- periods ---------------------------------------------------------------------------------------


def test_periods_are_listed_read_only_and_filter_by_code_and_status(api, everyone, finance, d):
    record(finance, "collections", sale(reference="P-1", date="2026-08-01"), sale(reference="P-2"))
    close("2026-08")
    client = api(everyone["rep"])
    rows = client.get(PERIODS).json()["results"]
    assert [(row["code"], row["status"]) for row in rows] == [("2026-10", "open"), ("2026-08", "closed")]
    assert set(rows[0]) == {"id", "code", "status", "closed_at", "closed_by"}
    assert [row["code"] for row in client.get(PERIODS, {"status": "closed"}).json()["results"]] == ["2026-08"]
    assert [row["code"] for row in client.get(PERIODS, {"code": "2026-10"}).json()["results"]] == ["2026-10"]
    period = Period.objects.get(code="2026-10")
    assert client.get(f"{PERIODS}{period.pk}/").json()["code"] == "2026-10"
    finance_client = api(finance)
    assert finance_client.post(PERIODS, {"code": "2026-11"}, format="json").status_code == 405
    assert finance_client.patch(f"{PERIODS}{period.pk}/", {"status": "closed"}, format="json").status_code == 405
    assert finance_client.delete(f"{PERIODS}{period.pk}/").status_code == 405


def test_period_list_query_count_is_fixed(api, finance, d, django_assert_max_num_queries):
    record(finance, "collections", *[sale(reference=f"M-{n}", date=f"2026-{n:02d}-01") for n in range(1, 4)])
    client = api(finance)
    with CaptureQueriesContext(connection) as at_three:
        assert client.get(PERIODS).status_code == 200
    record(finance, "collections", *[sale(reference=f"M-{n}", date=f"20{n:02d}-01-01") for n in range(30, 57)])
    with django_assert_max_num_queries(len(at_three)):
        assert client.get(PERIODS).json()["count"] == 30


# --- imports ---------------------------------------------------------------------------------------

HEADER = ["reference", "date", "dealer_code", "rep", "amount", "category", "ship_to", "note"]


def upload(client, content: bytes, *, kind="sales", dry_run=None, name="sales.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content), "kind": kind}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return client.post(IMPORTS, data, format="multipart")


def test_import_api_dry_run_then_import_then_again(api, finance, d):
    content = csv_file(
        HEADER,
        [["I-1", "2026-10-01", "A1", "", "100.00", "", "", ""], ["I-2", "2026-10-02", "P1", "", "-5", "", "", ""]],
    )
    client = api(finance)
    response = upload(client, content, dry_run=True)
    assert response.status_code == 200
    assert response.json() == {
        "kind": "sales",
        "dry_run": True,
        "imported": False,
        "total_rows": 2,
        "new": 2,
        "unchanged": 0,
        "channel_conflicts": 2,
        "errors": [],
        "file_errors": [],
        "ignored_columns": [],
    }
    assert SalesRecord.objects.count() == 0
    response = upload(client, content, dry_run=False)
    assert response.status_code == 200
    assert (response.json()["imported"], response.json()["new"]) == (True, 2)
    response = upload(client, content)  # dry_run defaults to false
    assert (response.json()["new"], response.json()["unchanged"]) == (0, 2)
    assert SalesRecord.objects.count() == 2


def test_import_api_answers_400_with_every_bad_row(api, finance, d):
    content = csv_file(
        ["reference", "date", "dealer_code", "rep", "amount", "note"],
        [["C-1", "2026-10-01", "A1", "", "10", ""], ["C-2", "2026-10-01", "A1", "nobody", "1e3", ""]],
    )
    response = upload(api(finance), content, kind="collections", name="c.csv")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 3, "column": "rep", "message": "Unknown user.", "value": "nobody"},
        {
            "row": 3,
            "column": "amount",
            "message": "Write the amount as a plain number such as 1250.00 (no letters, no exponent).",
            "value": "1e3",
        },
    ]
    assert Collection.objects.count() == 0


def test_import_api_answers_409_for_a_closed_period(api, finance, d):
    close("2026-10")
    content = csv_file(HEADER, [["I-1", "2026-10-01", "A1", "", "100.00", "", "", ""]])
    response = upload(api(finance), content)
    assert response.status_code == 409
    assert response.json()["detail"] == "The period 2026-10 is closed; nothing dated in it can be added or changed."
    assert response.json()["periods"] == ["2026-10"]


def test_import_api_refuses_bad_parameters_and_other_roles(api, finance, manager, d):
    content = csv_file(HEADER, [["I-1", "2026-10-01", "A1", "", "100.00", "", "", ""]])
    assert upload(api(manager), content).status_code == 403
    client = api(finance)
    assert upload(client, content, kind="visits").status_code == 400
    assert upload(client, content, name="sales.pdf").json() == {"file": ["Upload a .csv or .xlsx file."]}
    response = upload(client, b"reference,date\nX,2026-10-01\n")
    assert response.status_code == 400
    assert response.json()["file_errors"] == [
        "Row 1 must hold the column names, among them reference, date, dealer_code, amount; missing: "
        "dealer_code, amount."
    ]
    assert SalesRecord.objects.count() == 0
