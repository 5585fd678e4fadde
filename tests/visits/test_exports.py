"""Visit lists people analyse: the desktop table of the visit list (cards on a phone), and the visit
list and compliance as CSV/XLSX — scoped and filtered exactly as their pages, every page of them, in a
fixed number of queries, headers and choices in the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from channelhub.periods import Month
from tests.visits.world import at, log
from visits.services.visits import visit_review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client_in(client_as):
    """``client_in(user, "en")``: logged in, speaking ``language`` (Chinese when not given)."""

    def login(user, language=None):
        client = client_as(user)
        if language:
            client.cookies["django_language"] = language
        return client

    return login


#: The visits' month: last month, whole and over, whatever day the tests run.
MONTH = Month.current().previous()
BASE = at(MONTH.year, MONTH.month, 10, 18)


@pytest.fixture
def numbered(rep, rep_peer, other_rep):
    for user, number in ((rep, "E1001"), (rep_peer, "E1002"), (other_rep, "E2001")):
        user.profile.employee_no = number
        user.profile.save()


@pytest.fixture
def visits(d, rep, rep_peer, other_rep, manager, numbered):
    """In ``MONTH``: rep A1 (confirmed) and A2 logged 4 days late (flagged); rep_peer P1; other_rep O1."""
    made = {
        "A1": log(rep, d["A1"], BASE - timedelta(hours=1), purpose="=SUM(A1)"),
        "A2": log(rep, d["A2"], BASE - timedelta(days=4), now=BASE, kind="training"),
        "P1": log(rep_peer, d["P1"], BASE - timedelta(hours=3)),
        "O1": log(other_rep, d["O1"], BASE - timedelta(hours=4)),
    }
    visit_review(actor=manager, visit=made["A1"], name="confirm", comment="")
    return made


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.content
    if response["Content-Type"] == XLSX:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the visit list: a table on a desktop, cards on a phone ------------------------------------------------


def test_manager_list_is_a_table_on_a_desktop_and_cards_on_a_phone(client_in, manager, visits):
    body = client_in(manager, "en").get(reverse("visits:visit-list")).content.decode()
    table = body[body.index('data-testid="visit-table"') - 80 : body.index("</table>")]
    assert "d-none d-md-table" in table
    for header in ("Date", "Field rep", "Dealer", "Kind", "Distance from dealer", "Flags", "Status"):
        assert f"<th>{header}</th>" in table or f'<th class="num">{header}</th>' in table
    assert "张伟" in table and "李娜" in table and "Late entry" in table and "Training" in table
    assert 'class="list-group list-group-flush d-md-none" data-testid="visit-list"' in body
    assert f"{reverse('visits:visit-export')}?format=xlsx" in body


def test_a_rep_sees_the_table_without_the_rep_column_and_no_export_buttons(client_in, rep, visits):
    body = client_in(rep, "en").get(reverse("visits:visit-list")).content.decode()
    assert 'data-testid="visit-table"' in body and "<th>Field rep</th>" not in body
    assert reverse("visits:visit-export") not in body


# --- the visit list's export --------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_visit_export_in_english(client_in, manager, visits, file_format):
    response = client_in(manager, "en").get(reverse("visits:visit-export"), {"format": file_format})
    assert response["Content-Disposition"].startswith('attachment; filename="visits-')
    rows = rows_of(response)
    assert rows[0] == [
        "Visited at",
        "Field rep",
        "Employee number",
        "Dealer code",
        "Dealer",
        "Kind",
        "Purpose",
        "Distance from dealer (m)",
        "Flags",
        "Status",
    ]
    by_dealer = {row[3]: row for row in rows[1:]}
    assert sorted(by_dealer) == ["A1", "A2", "P1"]  # the manager's team, not other_rep's O1
    a1, a2 = by_dealer["A1"], by_dealer["A2"]
    assert a1[1:6] == ["张伟", "E1001", "A1", "浦东经销商1", "maintenance"]
    assert (a1[8], a1[9]) == ("", "confirmed")
    assert (a2[5], a2[8], a2[9]) == ("training", "late entry", "submitted")
    assert a1[6] == ("'=SUM(A1)" if file_format == "csv" else "=SUM(A1)")  # never a formula
    if file_format == "xlsx":
        assert a1[7] == 0 and a1[0].date() == timezone.localtime(visits["A1"].visited_at).date()


def test_visit_export_in_chinese(client_in, manager, visits):
    rows = rows_of(client_in(manager).get(reverse("visits:visit-export"), {"format": "xlsx"}))
    assert rows[0][:6] == ["拜访时间", "业务员", "工号", "经销商编码", "经销商", "类型"]
    assert rows[0][8:] == ["标记", "状态"]
    a2 = next(row for row in rows[1:] if row[3] == "A2")
    assert (a2[5], a2[8], a2[9]) == ("培训", "补录", "已提交")


@pytest.mark.parametrize(
    ("who", "dealers"),
    [
        ("rep", ["A1", "A2"]),
        ("rep_peer", ["P1"]),
        ("other_rep", ["O1"]),
        ("manager", ["A1", "A2", "P1"]),
        ("other_manager", ["O1"]),
        ("admin_user", ["A1", "A2", "O1", "P1"]),
    ],
)
def test_visit_export_holds_only_the_visits_in_scope(client_in, request, visits, who, dealers):
    rows = rows_of(client_in(request.getfixturevalue(who)).get(reverse("visits:visit-export"), {"format": "csv"}))
    assert sorted(row[3] for row in rows[1:]) == dealers


def test_finance_may_not_export_visits(client_in, finance, visits):
    assert client_in(finance).get(reverse("visits:visit-export"), {"format": "csv"}).status_code == 403


def test_visit_export_applies_the_lists_filters_over_every_page(client_in, manager, rep, rep_peer, d, visits):
    for n in range(60):
        log(rep_peer, d["P1"], BASE - timedelta(minutes=n + 5), kind="inspection")
    client = client_in(manager, "en")
    rows = rows_of(client.get(reverse("visits:visit-export"), {"format": "csv", "kind": "inspection"}))
    assert len(rows) == 1 + 60 and {row[5] for row in rows[1:]} == {"inspection"}
    rows = rows_of(client.get(reverse("visits:visit-export"), {"format": "csv", "rep": rep.pk, "flagged": "true"}))
    assert [row[3] for row in rows[1:]] == ["A2"]
    assert client.get(reverse("visits:visit-export"), {"format": "pdf"}).status_code == 404


def test_visit_export_query_count_does_not_grow(client_in, manager, rep, d, visits, django_assert_num_queries):
    """session, user, roles, the manager's territories, the visits with rep (and profile) and dealer."""
    client = client_in(manager)
    with django_assert_num_queries(5):
        assert len(rows_of(client.get(reverse("visits:visit-export"), {"format": "xlsx"}))) == 1 + 3
    for n in range(30):
        log(rep, d[f"A{n % 9 + 1}"], BASE - timedelta(minutes=n + 5))
    with django_assert_num_queries(5):
        assert len(rows_of(client.get(reverse("visits:visit-export"), {"format": "xlsx"}))) == 1 + 33


# --- compliance -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_compliance_export_holds_every_rep_of_the_page_and_the_team_total(client_in, manager, rep, visits, file_format):
    visit_review(actor=manager, visit=visits["A2"], name="mark_false", comment="门店当天未营业")
    month = MONTH
    response = client_in(manager, "en").get(
        reverse("visits:compliance-export"), {"format": file_format, "period": str(month)}
    )
    assert response["Content-Disposition"] == f'attachment; filename="visit-compliance-{month}.{file_format}"'
    rows = rows_of(response)
    assert rows[0] == [
        "Field rep",
        "Employee number",
        "Period",
        "Visits counted",
        "Monthly minimum",
        "Shortfall",
        "Distinct dealers",
        "Days below daily minimum",
        "Working days",
        "Weeks below weekly minimum",
        "Weeks",
        "False reports",
        "Fabricated",
    ]
    number = (lambda value: str(value)) if file_format == "csv" else (lambda value: value)
    mine, peer, total = rows[1], rows[2], rows[3]
    assert mine[:6] == ["张伟", "E1001", str(month), number(1), number(30), number(29)]
    assert (mine[6], mine[11]) == (number(1), number(1))  # A1 counted; A2 a false report
    assert peer[:2] == ["李娜", "E1002"] and peer[3] == number(1)
    assert total[0] == "Team" and total[3] == number(2) and total[5] == number(58) and total[11] == number(1)
    assert len(rows) == 4  # other_rep (another team) is not there


def test_compliance_export_in_chinese_and_scoped_for_a_rep(client_in, rep, visits):
    rows = rows_of(client_in(rep).get(reverse("visits:compliance-export"), {"format": "xlsx", "period": str(MONTH)}))
    assert rows[0][:4] == ["业务员", "工号", "期间", "计入拜访数"]
    assert [row[0] for row in rows[1:]] == ["张伟"]  # only themself, and no team total


def test_compliance_export_scope(client_in, admin_user, other_manager, finance, visits):
    names = {row[0] for row in rows_of(client_in(admin_user, "en").get(reverse("visits:compliance-export")))[1:]}
    assert names == {"张伟", "李娜", "刘洋", "Team"}
    names = {row[0] for row in rows_of(client_in(other_manager, "en").get(reverse("visits:compliance-export")))[1:]}
    assert names == {"刘洋", "Team"}
    assert client_in(finance).get(reverse("visits:compliance-export")).status_code == 403
    assert client_in(other_manager).get(reverse("visits:compliance-export"), {"period": "2026-13"}).status_code == 404


def test_compliance_export_query_count_does_not_grow(client_in, manager, rep, d, visits, django_assert_num_queries):
    """session, user, roles, the reps (with profile), their quotas, visits per rep and day, distinct
    dealers per week and per month, the team's distinct dealers."""
    client = client_in(manager)
    query = {"format": "xlsx", "period": str(MONTH)}
    with django_assert_num_queries(9):
        rows_of(client.get(reverse("visits:compliance-export"), query))
    for n in range(30):
        log(rep, d[f"A{n % 9 + 1}"], BASE - timedelta(minutes=n + 5))
    with django_assert_num_queries(9):
        rows = rows_of(client.get(reverse("visits:compliance-export"), query))
    assert rows[1][3] == 32


def test_compliance_page_offers_its_export(client_in, manager):
    body = client_in(manager).get(reverse("visits:compliance"), {"period": "2026-11"}).content.decode()
    assert f"{reverse('visits:compliance-export')}?period=2026-11&amp;format=xlsx" in body
