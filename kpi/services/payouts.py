"""The payout list for the bank (SPEC §6): a period's ``paid`` statements as CSV or XLSX, for finance.

One row per paid statement of the period (monthly and year-end alike), in employee-number order:

    employee_no, rep_name, username, email, phone, period, kind, payable_amount, currency,
    payment_reference, paid_on, approved_by, approved_on, statement_id

channelhub keeps no bank accounts (there is no such model): the bank matches payees by employee number
and name, or finance adds the account numbers from the payroll system. Text a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``, tab, CR at the start) gets a leading apostrophe in CSV and stays text
in XLSX, as in the dealer export; amounts are numbers (a claw-back is negative), dates ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import display_name
from channelhub.importing import FORMATS, FORMULA_STARTS
from channelhub.periods import Month, local_date
from channelhub.scoping import scope
from kpi.models import Statement
from kpi.services.statements import is_finance

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = (
    "employee_no",
    "rep_name",
    "username",
    "email",
    "phone",
    "period",
    "kind",
    "payable_amount",
    "currency",
    "payment_reference",
    "paid_on",
    "approved_by",
    "approved_on",
    "statement_id",
)


@dataclass(frozen=True)
class PayoutRow:
    employee_no: str
    rep_name: str
    username: str
    email: str
    phone: str
    period: str
    kind: str
    payable_amount: Decimal
    currency: str
    payment_reference: str
    paid_on: date | None
    approved_by: str
    approved_on: date | None
    statement_id: int

    def values(self) -> list:
        return [getattr(self, column) for column in COLUMNS]


def may_export(user) -> bool:
    return is_finance(user)


def paid_statements(user, period: str) -> QuerySet[Statement]:
    """The ``paid`` statements of ``period`` that ``user`` (finance or admin, else 403) may see."""
    if not may_export(user):
        raise PermissionDenied(_("Only finance or an administrator exports payouts."))
    try:
        code = str(Month.parse(period))
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None
    return (
        scope(user, Statement)
        .filter(period=code, status=Statement.Status.PAID)
        .select_related("rep", "rep__profile", "approved_by")
        .order_by("rep__profile__employee_no", "rep__username", "kind", "pk")
    )


def payout_rows(statements: Iterable[Statement]) -> list[PayoutRow]:
    rows = []
    for statement in statements:
        rep = statement.rep
        profile = getattr(rep, "profile", None)
        rows.append(
            PayoutRow(
                employee_no=profile.employee_no if profile else "",
                rep_name=display_name(rep),
                username=rep.get_username(),
                email=rep.email,
                phone=profile.phone if profile else "",
                period=statement.period,
                kind=statement.kind,
                payable_amount=statement.payable_amount,
                currency=settings.CURRENCY,
                payment_reference=statement.payment_reference,
                paid_on=statement.paid_at,
                approved_by=display_name(statement.approved_by) if statement.approved_by_id else "",
                approved_on=local_date(statement.approved_at) if statement.approved_at else None,
                statement_id=statement.pk,
            )
        )
    return rows


def payout_export(*, user, period: str, file_format: str) -> bytes:
    """The payout list of ``period`` as ``csv`` (UTF-8 with a BOM, so that Excel reads Chinese) or ``xlsx``."""
    if file_format not in FORMATS:
        raise ValidationError({"format": _("Choose csv or xlsx.")})
    rows = payout_rows(paid_statements(user, period))
    return _csv(rows) if file_format == "csv" else _xlsx(rows, str(Month.parse(period)))


def export_filename(period: str, file_format: str) -> str:
    return f"payouts-{Month.parse(period)}.{file_format}"


def guard_formula(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (numbers and dates stay)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return guard_formula(value)
    return str(value)


def _csv(rows: list[PayoutRow]) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row.values()])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _xlsx(rows: list[PayoutRow], period: str) -> bytes:
    """Written cell by cell so that text starting with "=" stays text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"payouts {period}"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row_number, row in enumerate(rows, start=2):
        for column_number, value in enumerate(row.values(), start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if cell.data_type == "f":
                cell.data_type = "s"
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
