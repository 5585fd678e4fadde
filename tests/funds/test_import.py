"""Fund budget import (CSV and XLSX, ``funds.imports``) through ``POST /api/v1/fund-budgets/import/``:
all or nothing, every bad row reported with its row number, the same file again adds nothing, finance
and admins only."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funds.imports import budget_import
from funds.models import FundBudget
from tests.funds.api_world import approved, this_year

pytestmark = pytest.mark.django_db

URL = "/api/v1/fund-budgets/import/"
HEADER = "territory,category,year,quarter,amount,max_cost_ratio\n"


def csv_file(*rows: str, name: str = "budgets.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(f"{row}\n" for row in rows)).encode(), content_type="text/csv")


def good_rows() -> tuple[str, str]:
    year = this_year()
    return (f"SH,training,{year},,3000.00,5.00", f"JS,advertising,{year},2,1500,8")


def send(client, upload, **fields):
    return client.post(URL, {"file": upload, **fields}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def test_a_good_file_creates_the_budgets(api_as, fw, finance, covered):
    response = send(api_as(finance), csv_file(*good_rows()))
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["imported"], report["total_rows"], report["new"], report["errors"]) == (True, 2, 2, [])
    training = FundBudget.objects.get(territory=covered["SH"], category="training")
    assert (training.quarter, training.amount, training.max_cost_ratio, training.created_by) == (
        None,
        Decimal("3000.00"),
        Decimal("5.00"),
        finance,
    )
    assert FundBudget.objects.get(territory=covered["JS"]).quarter == 2


def test_the_same_file_again_adds_nothing(api_as, fw, finance):
    client = api_as(finance)
    send(client, csv_file(*good_rows()))
    before = FundBudget.objects.count(), FundBudget.history.count()
    again = send(client, csv_file(*good_rows())).json()
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert (FundBudget.objects.count(), FundBudget.history.count()) == before


def test_a_changed_row_updates_its_budget(api_as, fw, finance, covered):
    client = api_as(finance)
    send(client, csv_file(*good_rows()))
    first, second = good_rows()
    report = send(client, csv_file(first.replace("3000.00", "3500.00"), second)).json()
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 1, 1)
    assert FundBudget.objects.get(territory=covered["SH"], category="training").amount == Decimal("3500.00")


def test_bad_rows_are_all_reported_and_nothing_is_saved(api_as, fw, finance):
    year = this_year()
    upload = csv_file(
        f"SH,training,{year},,3000.00,5.00",  # row 2: good
        f"NOWHERE,training,{year},,100,5",  # row 3: unknown territory
        f"SH,parties,{year},,100,5",  # row 4: unknown category
        f"JS,advertising,{year},5,100,5",  # row 5: no fifth quarter
        f"JS,promotion,{year},1,abc,5",  # row 6: not a number
        f"GD,promotion,{year},1,100,101",  # row 7: a ratio above 100 %
    )
    before = FundBudget.objects.count()
    response = send(api_as(finance), upload)
    assert response.status_code == 400
    report = response.json()
    assert report["imported"] is False
    assert [(error["row"], error["column"]) for error in report["errors"]] == [
        (3, "territory"),
        (4, "category"),
        (5, "quarter"),
        (6, "amount"),
        (7, "max_cost_ratio"),
    ]
    assert "NOWHERE" in report["errors"][0]["message"]
    assert FundBudget.objects.count() == before


def test_a_row_twice_in_the_file_is_reported(api_as, fw, finance):
    first, _second = good_rows()
    report = send(api_as(finance), csv_file(first, first)).json()
    assert {error["row"] for error in report["errors"]} == {2, 3}
    assert report["imported"] is False


def test_an_amount_below_what_is_committed_is_refused(api_as, fw, rep, manager, finance):
    approved(rep, fw["A"], manager, finance, amount="1200.00")
    report = send(api_as(finance), csv_file(f"EAST,promotion,{this_year()},,1000.00,10")).json()
    assert [(error["row"], error["column"]) for error in report["errors"]] == [(2, "amount")]
    assert "1,200.00" in report["errors"][0]["message"]
    fw["budget"].refresh_from_db()
    assert fw["budget"].amount == Decimal("10000.00")


def test_a_dry_run_counts_without_saving(api_as, fw, finance):
    before = FundBudget.objects.count()
    report = send(api_as(finance), csv_file(*good_rows()), dry_run="true").json()
    assert (report["dry_run"], report["imported"], report["new"]) == (True, False, 2)
    assert FundBudget.objects.count() == before


def test_an_xlsx_file_with_headers_in_other_words(api_as, fw, finance, covered):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Territory", "Category", "Year", "Quarter", "Amount", "Maximum cost ratio (%)", "note"])
    sheet.append(["SH", "Training", this_year(), 3, 2500.5, 6])
    content = io.BytesIO()
    workbook.save(content)
    upload = SimpleUploadedFile("budgets.xlsx", content.getvalue())
    report = send(api_as(finance), upload).json()
    assert (report["new"], report["ignored_columns"]) == (1, ["note"]), report
    budget = FundBudget.objects.get(territory=covered["SH"], category="training")
    assert (budget.quarter, budget.amount) == (3, Decimal("2500.50"))


def test_a_file_without_its_columns_is_a_400(api_as, fw, finance):
    upload = SimpleUploadedFile("budgets.csv", b"territory,amount\nSH,100\n")
    response = send(api_as(finance), upload)
    assert response.status_code == 400 and "category" in response.json()["file_errors"][0]
    other = send(api_as(finance), SimpleUploadedFile("budgets.txt", b"x"))
    assert other.status_code == 400 and set(other.json()) == {"file"}


@pytest.mark.parametrize("who", ["rep", "manager", "other_manager"])
def test_only_finance_imports(api_as, fw, everyone, who):
    before = FundBudget.objects.count()
    assert send(api_as(everyone[who]), csv_file(*good_rows())).status_code == 403
    assert FundBudget.objects.count() == before


def test_the_service_refuses_a_manager(fw, manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        budget_import(actor=manager, file=b"x", file_format="csv")
