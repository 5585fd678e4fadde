"""Dealer import and export (CSV and XLSX): the services behind ``/partners/dealers/import/`` and
``/partners/dealers/export/``. The columns and per-row rules are ``partners.resources.DealerResource``.

* An import is all or nothing: a file with any bad row saves nothing and reports every bad row with
  its row number (as the spreadsheet shows it: the header is row 1, the first dealer row 2), its
  column and the reason. A dry run checks and counts without saving anything.
* Re-importing the same file changes nothing: unchanged rows are skipped (no save, no history).
* An export holds exactly the rows its caller scoped (``dealers_for_export``: the user's dealers, the
  list page's filters), in a fixed number of queries, with its headers and choices (kind, tier, status,
  yes/no) in the reader's language; an import reads those back in either language, or the keys.
* The template (``dealer_template``) is the import's columns and one example row made of what the user
  may use (a territory of theirs, a rep of their team by employee number, a product line), so that it
  imports as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from typing import IO

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from channelhub.accounts.selectors import person_identifier
from channelhub.exports import write_table, yes_no
from channelhub.importing import (
    FORMATS,
    MAX_FILE_BYTES,
    BadCell,
    ImportReport,
    RowError,
    UnreadableFile,
    bad_cell,
    cell_text,
    duplicate_columns,
    file_content,
    iter_records,
    normalise_header,
    too_many_rows,
)
from channelhub.roles import Role, has_role
from channelhub.scoping import scope, territory_paths
from partners import policies
from partners.filters import DealerFilter
from partners.models import Dealer, ProductLine, Territory
from partners.resources import (
    EXPORT_ONLY_COLUMNS,
    FILE_COLUMNS,
    IMPORT_COLUMNS,
    DealerResource,
    dealer_header_codes,
    may_import,
    product_line_codes,
)
from partners.selectors import dealer_list

MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowOutcome:
    row: int
    code: str
    name: str
    action: str  #: "new", "update" or "skip" (unchanged); "invalid" or "error" for a bad row


@dataclass(kw_only=True)
class DealerImportReport(ImportReport):
    updated: int = 0
    rows: list[RowOutcome] = field(default_factory=list)

    @property
    def changed_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.action in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)]


# --- reading a file (the shared part is channelhub.importing) -----------------------------------


def read_dataset(
    content: bytes, file_format: str, report: DealerImportReport
) -> tuple[tablib.Dataset, list[int], list[BadCell]] | None:
    """The file's known columns as a dataset, each data row's spreadsheet row number and the cells
    holding a control character (blank in the dataset); ``None`` after noting a file-level problem in
    ``report``. Reading stops at row ``MAX_ROWS + 1``."""
    if file_format not in FORMATS:
        report.file_errors.append(_("Upload a .csv or .xlsx file."))
        return None
    with closing(iter_records(content, file_format)) as records:
        try:
            return _read_dataset(records, report)
        except UnreadableFile as error:
            report.file_errors.append(str(error))
            return None


def _read_dataset(records: Iterator[tuple[int, list]], report: DealerImportReport):
    first = next(records, None)
    if first is None:
        report.file_errors.append(_("The file is empty."))
        return None
    codes = dealer_header_codes()
    headers = [codes.get(name, name) for name in map(normalise_header, first[1])] if first[0] == 1 else []
    known = set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    twice = duplicate_columns(headers)
    if twice:
        report.file_errors.append(
            _("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    if "code" not in headers:
        report.file_errors.append(
            _("Row 1 must hold the column names, among them “code”; found: %(columns)s.")
            % {"columns": ", ".join(name for name in headers if name) or "—"}
        )
    report.ignored_columns = [name for name in headers if name and name not in known]
    if report.file_errors:
        return None
    kept = [(index, name) for index, name in enumerate(headers) if name in known]
    dataset = tablib.Dataset(headers=[name for _index, name in kept])
    numbers: list[int] = []
    bad_cells: list[BadCell] = []
    for number, record in records:
        cells = [record[index] if index < len(record) else None for index, _name in kept]
        if all(cell_text(cell) == "" for cell in cells):
            continue
        if len(numbers) == MAX_ROWS:
            raise too_many_rows(MAX_ROWS)
        for position, (_index, name) in enumerate(kept):
            if (bad := bad_cell(number, name, cells[position])) is not None:
                bad_cells.append(bad)
                cells[position] = None
        dataset.append(cells)
        numbers.append(number)
    if not numbers:
        report.file_errors.append(_("The file has no dealer rows below the column names."))
        return None
    return dataset, numbers, bad_cells


# --- import --------------------------------------------------------------------------------------


def dealer_import(*, actor, file: bytes | IO[bytes], file_format: str, dry_run: bool) -> DealerImportReport:
    """Create and update dealers from a CSV or XLSX file, all rows or none.

    New dealers start as prospects (status and credit limit are never imported), with their search text
    and a "create" entry in the state log. Only channel managers (in their territories) and admins.
    """
    policies.require(may_import(actor))
    report = DealerImportReport(dry_run=dry_run)
    content = file_content(file)
    if len(content) > MAX_FILE_BYTES:
        report.file_errors.append(_("The file is larger than 5 MB; split it."))
        return report
    parsed = read_dataset(content, file_format, report)
    if parsed is None:
        return report
    dataset, numbers, bad_cells = parsed
    resource = DealerResource(actor=actor, html_diff=False)
    # import_data runs in a transaction that it rolls back on a dry run or on any bad row; a cell with a
    # control character is a bad row that import_data does not see (the cell reaches it blank).
    result = resource.import_data(dataset, dry_run=dry_run or bool(bad_cells), raise_errors=False, user=actor)
    _fill_report(report, result, dataset, numbers, bad_cells)
    return report


def _fill_report(
    report: DealerImportReport, result: Result, dataset: tablib.Dataset, numbers: list[int], bad_cells: list[BadCell]
) -> None:
    report.total_rows = len(dataset)
    report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
    report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
    report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
    report.file_errors.extend(str(error.error) for error in result.base_errors)

    def cell(index: int, column: str) -> str:
        return cell_text(dataset[index][dataset.headers.index(column)]) if column in dataset.headers else ""

    order = {name: position for position, name in enumerate(IMPORT_COLUMNS)}
    blanked = {(bad.row, bad.column) for bad in bad_cells}
    report.errors.extend(RowError.of(bad) for bad in bad_cells)
    for invalid in result.invalid_rows:
        index = invalid.number - 1
        for column, messages in invalid.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else column
            if (numbers[index], column) in blanked:  # about the blank the bad cell reads as
                continue
            report.errors.extend(
                RowError(numbers[index], column, message, cell(index, column) if column else "") for message in messages
            )
    for failed in result.error_rows:
        for error in failed.errors:
            message = _("This row could not be saved: %(error)s") % {"error": error.error}
            report.errors.append(RowError(numbers[failed.number - 1], "", message))
    report.errors.sort(key=lambda error: (error.row, order.get(error.column, -1)))
    for index, row_result in enumerate(result.rows):
        report.rows.append(
            RowOutcome(numbers[index], cell(index, "code"), cell(index, "name"), row_result.import_type or "")
        )


# --- export --------------------------------------------------------------------------------------


def dealers_for_export(user, params: Mapping[str, str]) -> QuerySet[Dealer]:
    """What the dealer list shows ``user`` with the same filters (query string), every page of it."""
    return DealerFilter(params or None, queryset=dealer_list(user)).qs


def dealer_export(*, queryset: QuerySet[Dealer], file_format: str) -> bytes:
    """The dealers of ``queryset`` (already scoped by the caller) as CSV or XLSX (``channelhub.exports``):
    the import columns plus status and credit limit, headers and choices in the reader's language. Two
    queries whatever the number of dealers: the dealers with their territory, owner and parent, and all
    their product line codes."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    dealers = queryset.select_related("territory", "owner", "parent").prefetch_related(None)
    lines = product_line_codes(dealers)
    rows = [_dealer_row(dealer, lines.get(dealer.pk, ())) for dealer in dealers]
    return write_table(FILE_COLUMNS, rows, file_format, title=_("dealers"))


def _dealer_row(dealer: Dealer, product_lines) -> dict:
    return {
        "code": dealer.code,
        "name": dealer.name,
        "legal_name": dealer.legal_name,
        "kind": dealer.get_kind_display(),
        "tier": dealer.get_tier_display(),
        "territory": dealer.territory.code,
        "owner": dealer.owner.get_username() if dealer.owner_id else "",
        "parent": dealer.parent.code if dealer.parent_id else "",
        "address": dealer.address,
        "latitude": dealer.latitude,
        "longitude": dealer.longitude,
        "is_key_account": yes_no(dealer.is_key_account),
        "product_lines": ",".join(product_lines),
        "status": dealer.get_status_display(),
        "credit_limit": dealer.credit_limit,
    }


def dealer_template(*, user, file_format: str) -> bytes:
    """The import's columns, headers in the reader's language, and one example row that ``user`` may
    import as it is: a code and name to replace, one of their territories, a field rep they see (by
    employee number, else login) and a product line. Channel managers and admins (403 otherwise)."""
    policies.require(may_import(user))
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    territories = Territory.objects.order_by("path")
    if not has_role(user, Role.ADMIN):
        territories = territories.filter(path__in=territory_paths(user))
    territory = territories.first()
    reps = scope(user, get_user_model()._default_manager.all()).filter(groups__name=Role.FIELD_REP, is_active=True)
    rep = reps.select_related("profile").order_by("username").first()
    product_line = ProductLine.objects.order_by("code").first()
    example = {
        "code": "EXAMPLE-001",
        "name": _("Example dealer: replace this row with your own"),
        "kind": str(Dealer.Kind.DEALER.label),
        "tier": str(Dealer.Tier.STANDARD.label),
        "territory": territory.code if territory else "",
        "owner": person_identifier(rep),
        "is_key_account": yes_no(False),
        "product_lines": product_line.code if product_line else "",
    }
    columns = [column for column in FILE_COLUMNS if column.key in IMPORT_COLUMNS]
    return write_table(columns, [example], file_format, title=_("dealers"))


def template_filename(file_format: str) -> str:
    return f"dealer-import-template.{file_format}"


def export_filename(file_format: str, today) -> str:
    return f"dealers-{today:%Y-%m-%d}.{file_format}"
