"""Dealer import and export (CSV, XLSX): all or nothing, no-op re-imports, dry runs, who may import,
and exports that hold exactly what the user's dealer list holds, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from channelhub.workflow.models import StateChange
from partners.imports import dealer_export, dealer_import, dealers_for_export
from partners.models import Dealer, ProductLine
from partners.resources import EXPORT_COLUMNS, IMPORT_COLUMNS, DealerResource
from partners.search import apply_search
from partners.services import dealers as dealer_services
from partners.services.territories import territory_create


@pytest.fixture(autouse=True)
def english():
    """The reasons are asserted in English, the source language, whatever the catalog says."""
    with translation.override("en"):
        yield


# --- the world: CN ─ EAST ─ SH, JS ; CN ─ SOUTH ─ GD. manager covers EAST, other_manager SOUTH. ---------


@pytest.fixture
def places(manager, other_manager, rep, rep_peer, other_rep):
    cn = territory_create(code="CN", name="中国")
    east = territory_create(code="EAST", name="华东", parent=cn)
    south = territory_create(code="SOUTH", name="华南", parent=cn)
    places = {
        "CN": cn,
        "EAST": east,
        "SOUTH": south,
        "SH": territory_create(code="SH", name="上海", parent=east),
        "JS": territory_create(code="JS", name="江苏", parent=east),
        "GD": territory_create(code="GD", name="广东", parent=south),
    }
    manager.profile.territories.add(east)
    other_manager.profile.territories.add(south)
    for code in ("kitchen", "water", "hvac"):
        ProductLine.objects.create(code=code, name=code)
    return places


def csv_file(*rows, header=IMPORT_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8")


def xlsx_file(*rows, header=IMPORT_COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(column) for column in header] if row else [])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


DISTRIBUTOR = {
    "code": "SH001",
    "name": "上海华丰贸易",
    "legal_name": "上海华丰贸易有限公司",
    "kind": "distributor",
    "tier": "key",
    "territory": "SH",
    "owner": "rep_a1",
    "address": "上海市浦东新区世纪大道 100 号",
    "latitude": "31.2304",
    "longitude": "121.4737",
    "is_key_account": "yes",
    "product_lines": "kitchen,water",
}
SUB_DEALER = {"code": "JS001", "name": "南京东升电器", "kind": "dealer", "territory": "JS", "parent": "SH001"}


def errors_by_cell(report) -> dict[tuple[int, str], str]:
    return {(error.row, error.column): error.message for error in report.errors}


# --- import --------------------------------------------------------------------------------------


def test_manager_imports_new_dealers_as_prospects_with_search_text_and_creation_log(places, manager, rep):
    report = dealer_import(actor=manager, file=csv_file(DISTRIBUTOR, SUB_DEALER), file_format="csv", dry_run=False)

    assert report.ok and report.imported
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    huafeng = Dealer.objects.get(code="SH001")
    assert huafeng.status == Dealer.Status.PROSPECT
    assert huafeng.credit_limit == Decimal("0.00")
    assert (huafeng.kind, huafeng.tier, huafeng.territory, huafeng.owner) == ("distributor", "key", places["SH"], rep)
    assert (huafeng.latitude, huafeng.longitude, huafeng.is_key_account) == (
        Decimal("31.2304"),
        Decimal("121.4737"),
        True,
    )
    assert sorted(huafeng.product_lines.values_list("code", flat=True)) == ["kitchen", "water"]
    assert Dealer.objects.get(code="JS001").parent == huafeng  # a distributor defined earlier in the same file
    assert list(apply_search(Dealer.objects.all(), "shhf")) == [huafeng]
    assert list(apply_search(Dealer.objects.all(), "nanjing dongsheng").values_list("code", flat=True)) == ["JS001"]
    log = StateChange.objects.filter(transition="create").order_by("object_id")
    assert [(c.object_id, c.to_state, c.by) for c in log] == [
        (huafeng.pk, "prospect", manager),
        (Dealer.objects.get(code="JS001").pk, "prospect", manager),
    ]
    assert {record.history_user for record in huafeng.history.all()} == {manager}


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_bad_row(places, manager):
    rows = [
        DISTRIBUTOR,  # row 2: good
        {**SUB_DEALER, "territory": "NOWHERE"},  # row 3
        {"code": "SH002", "name": "上海好运", "territory": "SH"},  # row 4: good
        {"code": "SH003", "name": "", "territory": "SH", "kind": "wholesaler", "tier": "gold"},  # row 5
        {"code": "SH004", "name": "上海一", "territory": "GD"},  # row 6: another manager's territory
        {"code": "SH005", "name": "上海二", "territory": "SH", "owner": "manager_a"},  # row 7: not a rep
        {"code": "SH006", "name": "上海三", "territory": "SH", "owner": "nobody"},  # row 8
        {"code": "SH007", "name": "上海四", "territory": "SH", "latitude": "31,5", "longitude": "500"},  # row 9
        {"code": "SH008", "name": "上海五", "territory": "SH", "parent": "SH002"},  # row 10: SH002 is a dealer
        {"code": "SH009", "name": "上海六", "territory": "SH", "product_lines": "kitchen,toys"},  # row 11
        {"code": "SH010", "name": "上海七", "territory": "SH"},  # row 12: duplicate code
        {"code": "SH010", "name": "上海七七", "territory": "SH"},  # row 13
        {"code": "SH011", "name": "上海八", "territory": "SH", "is_key_account": "maybe"},  # row 14
    ]

    report = dealer_import(actor=manager, file=csv_file(*rows), file_format="csv", dry_run=False)

    assert not report.ok and not report.imported
    assert Dealer.objects.count() == 0
    assert StateChange.objects.count() == 0
    assert Dealer.history.count() == 0
    cells = errors_by_cell(report)
    assert set(cells) == {
        (3, "territory"),
        (5, "name"),
        (5, "kind"),
        (5, "tier"),
        (6, "territory"),
        (7, "owner"),
        (8, "owner"),
        (9, "latitude"),
        (9, "longitude"),
        (10, "parent"),
        (11, "product_lines"),
        (12, "code"),
        (13, "code"),
        (14, "is_key_account"),
    }
    assert "Unknown territory code “NOWHERE”" in cells[3, "territory"]
    assert "name is required" in cells[5, "name"]
    assert "wholesaler" in cells[5, "kind"] and "distributor" in cells[5, "kind"]
    assert "not one of yours" in cells[6, "territory"]
    assert "not an active field rep" in cells[7, "owner"]
    assert "Unknown user “nobody”" in cells[8, "owner"]
    assert "not a number" in cells[9, "latitude"]
    assert "less than or equal to 180" in cells[9, "longitude"]
    assert "not a distributor" in cells[10, "parent"]
    assert "toys" in cells[11, "product_lines"]
    assert "more than once" in cells[12, "code"] == cells[13, "code"]
    assert [error.value for error in report.errors if error.row == 3] == ["NOWHERE"]
    assert report.bad_rows == 11
    # the good rows are counted as what they would have been
    assert report.new == 2


def test_reimporting_the_same_file_changes_nothing(places, manager):
    file = csv_file(DISTRIBUTOR, SUB_DEALER)
    dealer_import(actor=manager, file=file, file_format="csv", dry_run=False)
    history, log = Dealer.history.count(), StateChange.objects.count()
    updated_at = dict(Dealer.objects.values_list("code", "updated_at"))

    report = dealer_import(actor=manager, file=file, file_format="csv", dry_run=False)

    assert report.ok
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    assert Dealer.history.count() == history
    assert StateChange.objects.count() == log
    assert dict(Dealer.objects.values_list("code", "updated_at")) == updated_at


def test_a_changed_row_updates_that_dealer_only(places, manager, rep_peer):
    dealer_import(actor=manager, file=csv_file(DISTRIBUTOR, SUB_DEALER), file_format="csv", dry_run=False)
    history = Dealer.history.count()
    changed = {**DISTRIBUTOR, "name": "上海华丰商贸", "owner": "rep_a2", "product_lines": "hvac"}

    report = dealer_import(actor=manager, file=csv_file(changed, SUB_DEALER), file_format="csv", dry_run=False)

    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    huafeng = Dealer.objects.get(code="SH001")
    assert (huafeng.name, huafeng.owner, huafeng.status) == ("上海华丰商贸", rep_peer, "prospect")
    assert list(huafeng.product_lines.values_list("code", flat=True)) == ["hvac"]
    assert list(apply_search(Dealer.objects.all(), "shhfsm")) == [huafeng]
    assert Dealer.history.count() > history
    assert StateChange.objects.filter(transition="create").count() == 2  # an update logs no creation


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(places, manager):
    report = dealer_import(actor=manager, file=csv_file(DISTRIBUTOR, SUB_DEALER), file_format="csv", dry_run=True)

    assert report.ok and not report.imported
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    assert [(row.row, row.code, row.action) for row in report.changed_rows] == [
        (2, "SH001", "new"),
        (3, "JS001", "new"),
    ]
    assert Dealer.objects.count() == 0
    assert Dealer.history.count() == 0
    assert StateChange.objects.count() == 0


def test_status_and_credit_limit_are_never_imported(places, manager):
    header = (*IMPORT_COLUMNS, "status", "credit_limit")
    row = {**DISTRIBUTOR, "status": "active", "credit_limit": "999999.00"}

    report = dealer_import(actor=manager, file=csv_file(row, header=header), file_format="csv", dry_run=False)

    assert report.ok and report.ignored_columns == []
    huafeng = Dealer.objects.get(code="SH001")
    assert (huafeng.status, huafeng.credit_limit) == ("prospect", Decimal("0.00"))


def test_xlsx_import_reads_numbers_and_booleans_and_counts_rows_as_the_sheet_does(places, manager):
    rows = [
        {**DISTRIBUTOR, "code": 1001, "latitude": 31.2304, "longitude": 121.4737, "is_key_account": True},
        {},  # a blank row in the sheet: skipped, but still counted in the row numbers
        {"code": "1002", "name": "上海新", "territory": "SH", "latitude": "north"},
    ]

    bad = dealer_import(actor=manager, file=xlsx_file(*rows), file_format="xlsx", dry_run=False)
    assert set(errors_by_cell(bad)) == {(4, "latitude")}
    assert Dealer.objects.count() == 0

    rows[2]["latitude"] = None
    report = dealer_import(actor=manager, file=xlsx_file(*rows), file_format="xlsx", dry_run=False)
    assert report.ok and report.new == 2
    first = Dealer.objects.get(code="1001")
    assert (first.latitude, first.is_key_account) == (Decimal("31.2304"), True)


def test_gbk_csv_from_excel_is_read(places, manager):
    text = csv_file({"code": "SH001", "name": "上海华丰贸易", "territory": "SH"}).decode("utf-8")

    report = dealer_import(actor=manager, file=text.encode("gb18030"), file_format="csv", dry_run=False)

    assert report.ok
    assert Dealer.objects.get(code="SH001").name == "上海华丰贸易"


def test_a_file_without_the_code_column_is_refused_as_a_whole(places, manager):
    report = dealer_import(
        actor=manager, file=csv_file({"name": "x"}, header=("name", "territory")), file_format="csv", dry_run=False
    )
    assert report.file_errors and not report.errors
    assert "code" in report.file_errors[0]


def test_manager_cannot_update_a_dealer_outside_own_territories(places, manager, other_manager, other_rep):
    theirs = dealer_services.dealer_create(
        actor=other_manager, code="GD001", name="广州南方", territory=places["GD"], owner=other_rep
    )
    row = {"code": "GD001", "name": "改名", "territory": "SH"}

    report = dealer_import(actor=manager, file=csv_file(row), file_format="csv", dry_run=False)

    assert set(errors_by_cell(report)) == {(2, "code")}
    theirs.refresh_from_db()
    assert (theirs.name, theirs.territory) == ("广州南方", places["GD"])


def test_manager_cannot_name_a_hidden_dealer_as_parent(places, manager, other_manager):
    dealer_services.dealer_create(
        actor=other_manager, code="GD001", name="广州南方", kind="distributor", territory=places["GD"]
    )
    report = dealer_import(
        actor=manager, file=csv_file({**SUB_DEALER, "parent": "GD001"}), file_format="csv", dry_run=True
    )
    assert "Unknown dealer code “GD001”" in errors_by_cell(report)[2, "parent"]


@pytest.mark.parametrize("role", ["rep", "finance"])
def test_reps_and_finance_cannot_import(places, role, request):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        dealer_import(actor=user, file=csv_file(DISTRIBUTOR), file_format="csv", dry_run=True)


@pytest.mark.parametrize("role", ["rep", "finance"])
def test_import_page_is_forbidden_to_reps_and_finance(places, client_as, role, request):
    client = client_as(request.getfixturevalue(role))
    url = reverse("partners:dealer-import")
    assert client.get(url).status_code == 403
    upload = io.BytesIO(csv_file(DISTRIBUTOR))
    upload.name = "dealers.csv"
    assert client.post(url, {"file": upload, "dry_run": "on"}).status_code == 403
    assert Dealer.objects.count() == 0


def test_admin_imports_in_any_territory(places, admin_user):
    row = {"code": "GD001", "name": "广州南方", "territory": "GD"}
    report = dealer_import(actor=admin_user, file=csv_file(row), file_format="csv", dry_run=False)
    assert report.imported


# --- the resource as django-import-export's admin calls it ---------------------------------------


def admin_dataset(*rows) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(IMPORT_COLUMNS))
    for row in rows:
        dataset.append([row.get(column, "") for column in IMPORT_COLUMNS])
    return dataset


def test_resource_takes_the_admin_user_and_refreshes_search_text(places, manager):
    # ImportExportModelAdmin: import_data(dataset, dry_run=…, raise_errors=False, file_name=…, user=request.user)
    preview = DealerResource().import_data(
        admin_dataset(DISTRIBUTOR), dry_run=True, raise_errors=False, file_name="d.csv", user=manager
    )
    assert not preview.has_errors() and not preview.has_validation_errors()
    assert Dealer.objects.count() == 0

    DealerResource().import_data(
        admin_dataset(DISTRIBUTOR), dry_run=False, file_name="d.csv", user=manager, retain_instance_in_row_result=True
    )
    assert list(apply_search(Dealer.objects.all(), "shhf").values_list("code", flat=True)) == ["SH001"]
    assert StateChange.objects.filter(transition="create").count() == 1


def test_resource_refuses_rows_outside_the_users_territories_and_saves_none(places, manager):
    outside = {"code": "GD001", "name": "广州南方", "territory": "GD"}
    result = DealerResource().import_data(admin_dataset(DISTRIBUTOR, outside), dry_run=False, user=manager)
    assert [row.number for row in result.invalid_rows] == [2]
    assert Dealer.objects.count() == 0


def test_resource_imports_nothing_for_a_rep(places, rep):
    result = DealerResource().import_data(admin_dataset(DISTRIBUTOR), dry_run=False, user=rep)
    assert result.has_errors()
    assert Dealer.objects.count() == 0


# --- the import page -----------------------------------------------------------------------------


def upload(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def test_page_previews_then_imports_on_confirmation(places, manager, client_as):
    client = client_as(manager)
    url = reverse("partners:dealer-import")
    assert client.get(url).status_code == 200

    preview = client.post(url, {"file": upload(csv_file(DISTRIBUTOR, SUB_DEALER), "dealers.csv"), "dry_run": "on"})

    assert preview.status_code == 200
    assert preview.context["report"].new == 2
    assert 'data-testid="confirm-import"' in preview.content.decode()
    assert Dealer.objects.count() == 0

    done = client.post(url, {"confirm": "1", "token": preview.context["token"]})

    assert done.status_code == 302 and done["Location"] == reverse("partners:dealer-list")
    assert set(Dealer.objects.values_list("code", flat=True)) == {"SH001", "JS001"}
    # the pending file is gone: confirming twice does not import twice
    again = client.post(url, {"confirm": "1", "token": preview.context["token"]})
    assert again.status_code == 302 and again["Location"] == url


def test_page_shows_the_errors_table_and_saves_nothing(places, manager, client_as):
    bad = {**SUB_DEALER, "territory": "NOWHERE"}
    response = client_as(manager).post(
        reverse("partners:dealer-import"), {"file": upload(xlsx_file(DISTRIBUTOR, bad), "dealers.xlsx")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in page and "NOWHERE" in page
    assert 'data-testid="confirm-import"' not in page
    assert Dealer.objects.count() == 0


def test_page_without_preview_imports_at_once(places, manager, client_as):
    response = client_as(manager).post(
        reverse("partners:dealer-import"), {"file": upload(csv_file(DISTRIBUTOR), "dealers.csv")}
    )
    assert response.status_code == 302
    assert Dealer.objects.filter(code="SH001").exists()


def test_page_refuses_other_file_types(places, manager, client_as):
    response = client_as(manager).post(
        reverse("partners:dealer-import"), {"file": upload(b"code\nx\n", "dealers.txt"), "dry_run": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


# --- export --------------------------------------------------------------------------------------


@pytest.fixture
def dealers(places, manager, other_manager, rep, rep_peer, other_rep):
    def make(actor, code, territory, owner, **fields):
        return dealer_services.dealer_create(
            actor=actor,
            code=code,
            name=fields.pop("name", f"经销商{code}"),
            territory=places[territory],
            owner=owner,
            **fields,
        )

    made = {
        "E1": make(manager, "E1", "SH", rep, kind="distributor", name="上海华丰贸易"),
        "E2": make(manager, "E2", "JS", rep_peer),
        "E3": make(manager, "E3", "SH", None),
        "S1": make(other_manager, "S1", "GD", other_rep),
    }
    made["E1"].product_lines.set(ProductLine.objects.filter(code__in=["kitchen", "water"]))
    return made


def exported_codes(client, query="") -> list[str]:
    response = client.get(reverse("partners:dealer-export") + "?format=csv" + query)
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编码", "名称", "法定名称"]  # the reader's language: Chinese unless chosen
    return [row[0] for row in rows[1:]]


@pytest.mark.parametrize(
    ("role", "codes"),
    [
        ("rep", ["E1"]),
        ("rep_peer", ["E2"]),
        ("other_rep", ["S1"]),
        ("manager", ["E1", "E2", "E3"]),
        ("other_manager", ["S1"]),
        ("finance", ["E1", "E2", "E3", "S1"]),
        ("admin_user", ["E1", "E2", "E3", "S1"]),
    ],
)
def test_export_holds_only_the_dealers_the_user_may_see(dealers, client_as, request, role, codes):
    assert exported_codes(client_as(request.getfixturevalue(role))) == codes


def test_export_applies_the_dealer_list_filters(dealers, manager, client_as, places):
    client = client_as(manager)
    assert exported_codes(client, "&kind=distributor") == ["E1"]
    assert exported_codes(client, f"&territory={places['JS'].pk}") == ["E2"]
    assert exported_codes(client, "&q=shhf") == ["E1"]
    assert exported_codes(client, f"&territory={places['GD'].pk}") == []  # filters never widen the scope


def test_export_xlsx_keeps_chinese_text_and_values(dealers, finance, client_as):
    response = client_as(finance).get(reverse("partners:dealer-export") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dealers-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("编码", "名称", "法定名称", "类型", "等级", "区域")
    first = dict(zip(EXPORT_COLUMNS, rows[1], strict=True))
    assert first["name"] == "上海华丰贸易"
    assert (first["territory"], first["owner"], first["product_lines"]) == ("SH", "rep_a1", "kitchen,water")
    assert (first["kind"], first["tier"]) == ("分销商", "普通")  # choices in the reader's language
    assert (first["status"], first["credit_limit"], first["is_key_account"]) == ("潜在客户", 0, "否")


def test_exported_file_reimports_unchanged(dealers, manager):
    for file_format in ("csv", "xlsx"):
        content = dealer_export(queryset=dealers_for_export(manager, {}), file_format=file_format)
        report = dealer_import(actor=manager, file=content, file_format=file_format, dry_run=False)
        assert report.ok, report.errors
        assert (report.new, report.updated, report.unchanged) == (0, 0, 3)


def test_text_that_looks_like_a_formula_stays_text(places, manager):
    dealer_services.dealer_create(actor=manager, code="F1", name='=HYPERLINK("http://x")', territory=places["SH"])
    queryset = dealers_for_export(manager, {})

    csv_text = dealer_export(queryset=queryset, file_format="csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    xlsx = dealer_export(queryset=queryset, file_format="xlsx")
    cell = openpyxl.load_workbook(io.BytesIO(xlsx)).active["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")

    for content, file_format in ((csv_text.encode(), "csv"), (xlsx, "xlsx")):
        report = dealer_import(actor=manager, file=content, file_format=file_format, dry_run=True)
        assert report.unchanged == 1


def test_export_query_count_does_not_grow_with_dealers(dealers, manager, places, rep):
    def queries() -> int:
        user = type(manager).objects.get(pk=manager.pk)  # a fresh user object: roles and territories unread
        with CaptureQueriesContext(connection) as captured:
            dealer_export(queryset=dealers_for_export(user, {}), file_format="xlsx")
        return len(captured)

    few = queries()
    for number in range(30):
        dealer = dealer_services.dealer_create(
            actor=manager, code=f"M{number:03}", name=f"经销商{number}", territory=places["SH"], owner=rep
        )
        dealer.product_lines.set(ProductLine.objects.all())
    # roles of the user, paths of their territories, product line codes of the dealers, the dealers
    # (with territory, owner and parent joined)
    assert few == queries() == 4


# --- the reader's language, both ways ------------------------------------------------------------------


def exported_rows(manager, language: str, file_format: str) -> tuple[bytes, list[list]]:
    with translation.override(language):
        content = dealer_export(queryset=dealers_for_export(manager, {}), file_format=file_format)
    if file_format == "csv":
        return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return content, [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("language", "headers", "choices"),
    [
        ("en", ["Code", "Name", "Legal name", "Kind", "Tier", "Territory", "Owner"], ["distributor", "standard", "no"]),
        ("zh-hans", ["编码", "名称", "法定名称", "类型", "等级", "区域", "负责业务员"], ["分销商", "普通", "否"]),
    ],
)
def test_export_is_in_the_readers_language_and_reads_back_in_either(
    dealers, manager, file_format, language, headers, choices
):
    content, rows = exported_rows(manager, language, file_format)
    assert rows[0][:7] == headers
    first = dict(zip(EXPORT_COLUMNS, rows[1], strict=True))
    assert (first["code"], first["kind"], first["tier"], first["is_key_account"]) == ("E1", *choices)
    for reader in ("en", "zh-hans"):  # read back whatever language the importer speaks
        with translation.override(reader):
            report = dealer_import(actor=manager, file=content, file_format=file_format, dry_run=False)
        assert report.ok, (report.file_errors, report.errors)
        assert (report.new, report.updated, report.unchanged, report.ignored_columns) == (0, 0, 3, [])


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_with_chinese_headers_and_labels_imports(places, manager, rep, file_format):
    chinese = {
        "code": "编码",
        "name": "名称",
        "kind": "类型",
        "tier": "等级",
        "territory": "区域",
        "owner": "负责业务员",
        "is_key_account": "重点终端",
        "product_lines": "产品线",
    }
    row = {
        "编码": "SH900",
        "名称": "上海新店",
        "类型": "零售终端",
        "等级": "重点",
        "区域": "SH",
        "负责业务员": "rep_a1",
        "重点终端": "是",
        "产品线": "kitchen，water",
    }
    write = csv_file if file_format == "csv" else xlsx_file
    content = write(row, header=list(chinese.values()))
    report = dealer_import(actor=manager, file=content, file_format=file_format, dry_run=False)
    assert report.ok, (report.file_errors, report.errors)
    dealer = Dealer.objects.get(code="SH900")
    assert (dealer.kind, dealer.tier, dealer.territory.code, dealer.owner, dealer.is_key_account) == (
        "retail_terminal",
        "key",
        "SH",
        rep,
        True,
    )
    assert sorted(dealer.product_lines.values_list("code", flat=True)) == ["kitchen", "water"]


def test_owner_may_be_given_by_employee_number(places, manager, rep, rep_peer):
    rep.profile.employee_no, rep_peer.profile.employee_no = "E1001", "E1002"
    rep.profile.save(), rep_peer.profile.save()
    report = dealer_import(
        actor=manager,
        file=csv_file({**SUB_DEALER, "parent": "", "owner": "E1002"}, {**DISTRIBUTOR, "owner": "rep_a1"}),
        file_format="csv",
        dry_run=False,
    )
    assert report.ok, report.errors
    assert Dealer.objects.get(code="JS001").owner == rep_peer
    assert Dealer.objects.get(code="SH001").owner == rep


def test_a_login_that_is_another_users_employee_number_is_refused(places, manager, rep, rep_peer):
    rep_peer.profile.employee_no = "rep_a1"  # rep's login
    rep_peer.profile.save()
    report = dealer_import(actor=manager, file=csv_file({**DISTRIBUTOR}), file_format="csv", dry_run=False)
    assert not report.ok and not Dealer.objects.exists()
    assert "another user's employee number" in errors_by_cell(report)[(2, "owner")]


def test_the_admin_resource_reads_chinese_headers(places, manager):
    dataset = tablib.Dataset(headers=["编码", "名称", "区域"])
    dataset.append(["SH901", "上海后台导入", "SH"])
    result = DealerResource().import_data(dataset, dry_run=False, user=manager)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Dealer.objects.get(code="SH901").name == "上海后台导入"


# --- the template ------------------------------------------------------------------------------------------


def template_rows(response) -> list[list]:
    assert response.status_code == 200, response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [
        list(row) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(("language", "first_header"), [("en", "Code"), ("zh-hans", "编码")])
def test_template_downloads_in_the_readers_language_and_imports_cleanly(
    places, manager, rep, client_as, file_format, language, first_header
):
    rep.profile.employee_no = "E1001"
    rep.profile.save()
    client = client_as(manager)
    client.cookies["django_language"] = language
    response = client.get(reverse("partners:dealer-import-template"), {"format": file_format})
    assert response["Content-Disposition"] == f'attachment; filename="dealer-import-template.{file_format}"'
    rows = template_rows(response)
    assert len(rows) == 2 and rows[0][0] == first_header
    assert len(rows[0]) == len(IMPORT_COLUMNS)  # no status or credit limit: they are never imported
    example = dict(zip(IMPORT_COLUMNS, rows[1], strict=True))
    assert (example["code"], example["territory"], example["owner"]) == ("EXAMPLE-001", "EAST", "E1001")

    report = dealer_import(actor=manager, file=response.content, file_format=file_format, dry_run=False)
    assert report.ok, (report.file_errors, report.errors)
    assert (report.new, report.ignored_columns) == (1, [])
    assert Dealer.objects.get(code="EXAMPLE-001").owner == rep


def test_template_is_for_those_who_import(places, rep, finance, client_as):
    for user in (rep, finance):
        assert client_as(user).get(reverse("partners:dealer-import-template"), {"format": "xlsx"}).status_code == 403


def test_import_page_offers_the_templates(places, manager, client_as):
    body = client_as(manager).get(reverse("partners:dealer-import")).content.decode()
    assert f"{reverse('partners:dealer-import-template')}?format=xlsx" in body
    assert f"{reverse('partners:dealer-import-template')}?format=csv" in body
