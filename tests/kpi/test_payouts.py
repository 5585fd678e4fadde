"""The payout list for the bank (SPEC §6): a period's paid statements as CSV and XLSX — the columns,
only ``paid`` statements of that period, formula injection guarded, finance and admins only — by
the API (``/api/v1/commission-statements/export/``) and the page (``kpi:payout-export``).

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kpi.models import Statement
from kpi.services.payouts import COLUMNS, payout_export
from tests.kpi.statement_world import NEXT, PERIOD, make_statement

S = Statement.Status
EXPORT = "/api/v1/commission-statements/export/"


def paid(rep, period=PERIOD, reference="BANK-0731", paid_on=date(2031, 8, 5), **amounts):
    statement = make_statement(rep, period, S.PAID, **amounts)
    Statement.objects.filter(pk=statement.pk).update(payment_reference=reference, paid_at=paid_on)
    return statement


def csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())  # a BOM, so that Excel reads Chinese
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def world(rep, rep_peer, other_rep, manager, finance):
    rep.profile.employee_no = "E002"
    rep.profile.phone = "13800000000"
    rep.profile.save()
    rep_peer.profile.employee_no = "E001"
    rep_peer.profile.save()
    other_rep.first_name = '=HYPERLINK("http://evil")'
    other_rep.save()
    return {
        "rep": paid(rep),
        "rep_peer": paid(
            rep_peer,
            reference="+BATCH-7",
            payable_amount=Decimal("-50.00"),
            net_amount=Decimal("-50.00"),
            retained_amount=Decimal("0.00"),
        ),
        "other_rep": paid(other_rep, reference="@SUM(A1)"),
        # not in the file: another period, not paid yet
        "rep_next": paid(rep, NEXT),
        "approved": make_statement(rep, "2031-06", S.APPROVED, submitted_by=manager, approved_by=finance),
        "peer_approved_same_period_year_end": make_statement(
            rep_peer, PERIOD, S.APPROVED, kind=Statement.Kind.YEAR_END, submitted_by=manager, approved_by=finance
        ),
    }


def test_csv_holds_the_paid_statements_of_the_period_in_employee_number_order(world, finance, rep, rep_peer):
    rows = csv_rows(payout_export(user=finance, period=PERIOD, file_format="csv"))
    assert list(rows[0]) == list(COLUMNS)
    assert [row["statement_id"] for row in rows] == [
        str(world["rep_peer"].pk),  # E001
        str(world["rep"].pk),  # E002
        str(world["other_rep"].pk),  # factory number, after "E…"
    ]
    assert rows[1] == {
        "employee_no": "E002",
        "rep_name": "张伟",
        "username": "rep_a1",
        "email": "rep_a1@example.com",
        "phone": "13800000000",
        "period": PERIOD,
        "kind": "monthly",
        "payable_amount": "3690.00",
        "currency": "CNY",
        "payment_reference": "BANK-0731",
        "paid_on": "2031-08-05",
        "approved_by": "",
        "approved_on": "",
        "statement_id": str(world["rep"].pk),
    }
    # a claw-back stays a plain negative number; text that a spreadsheet would run is guarded
    assert rows[0]["payable_amount"] == "-50.00" and rows[0]["payment_reference"] == "'+BATCH-7"
    assert rows[2]["rep_name"].startswith("'=HYPERLINK") and rows[2]["payment_reference"] == "'@SUM(A1)"


def test_xlsx_has_the_same_rows_with_numbers_dates_and_no_formulas(world, admin_user):
    rows = xlsx_rows(payout_export(user=admin_user, period=PERIOD, file_format="xlsx"))
    assert rows[0] == COLUMNS
    assert len(rows) == 4
    peer, mine, other = rows[1:]
    assert mine[:8] == ("E002", "张伟", "rep_a1", "rep_a1@example.com", "13800000000", PERIOD, "monthly", 3690)
    assert mine[8:11] == ("CNY", "BANK-0731", datetime(2031, 8, 5))  # a date cell (openpyxl reads a datetime)
    assert mine[13] == world["rep"].pk
    assert peer[7] == -50 and peer[9] == "+BATCH-7"  # text, not a formula
    assert other[1].startswith("=HYPERLINK") and other[9] == "@SUM(A1)"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(payout_export(user=admin_user, period=PERIOD, file_format="xlsx"))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_empty_period_gives_just_the_header(finance, db):
    assert csv_rows(payout_export(user=finance, period="2030-01", file_format="csv")) == []


# --- the API ---------------------------------------------------------------------------------------


def test_api_export_csv_and_xlsx(api_as, world, finance):
    client = api_as(finance)
    response = client.get(EXPORT, {"period": PERIOD})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="payouts-{PERIOD}.csv"'
    assert len(csv_rows(response.content)) == 3
    response = client.get(EXPORT, {"period": PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert len(xlsx_rows(response.content)) == 4


@pytest.mark.parametrize("who", ["manager", "rep", "other_manager"])
def test_api_export_is_for_finance_and_admins(api_as, everyone, world, who):
    response = api_as(everyone[who]).get(EXPORT, {"period": PERIOD, "format": "xlsx"})
    assert response.status_code == 403 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize("query", [{}, {"period": "2031-7"}, {"period": PERIOD, "format": "pdf"}])
def test_api_export_bad_query_is_400(api_as, finance, query):
    response = api_as(finance).get(EXPORT, query)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


# --- the page --------------------------------------------------------------------------------------


def test_page_shows_the_paid_statements_with_the_total_and_the_download_links(client_as, world, finance):
    client = client_as(finance)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("kpi:payout-export"), {"period": PERIOD})
    assert page.status_code == 200
    body = page.content.decode()
    # 3,690.00 + 3,690.00 − 50.00 = 7,330.00
    assert 'data-testid="payout-total">7,330.00' in body
    assert f"{reverse('kpi:payout-export')}?period={PERIOD}&amp;format=xlsx" in body
    download = client.get(reverse("kpi:payout-export"), {"period": PERIOD, "format": "csv"})
    assert download["Content-Disposition"] == f'attachment; filename="payouts-{PERIOD}.csv"'
    assert len(csv_rows(download.content)) == 3


def test_page_is_for_finance_and_admins(client_as, manager, rep, admin_user):
    assert client_as(manager).get(reverse("kpi:payout-export")).status_code == 403
    assert client_as(rep).get(reverse("kpi:payout-export"), {"period": PERIOD, "format": "csv"}).status_code == 403
    assert client_as(admin_user).get(reverse("kpi:payout-export")).status_code == 200
