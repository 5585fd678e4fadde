"""The payout list (发放清单, SPEC §6): what finance pays a period's reps, before and after paying.

* **To pay** — the period's ``approved`` statements with a payable amount above 0.00, each with the rep's
  bank details (profile ``bank_name``, ``bank_account``): the file for the bank (CSV or XLSX, headers in
  the reader's language, a total row). A statement that pays nothing (a negative month carried forward,
  or a month with no commission) is listed apart and never reaches the bank file.
* **Pay the batch** — ``statements_mark_paid`` marks every statement of that list paid with one bank
  reference and date: each is checked and logged as ``statement_mark_paid`` does (finance or an admin,
  never the rep of the statement); if any one is refused, none is paid and the answer names each refused
  statement and why (all or nothing).
* **Paid** — the period's ``paid`` statements, the same columns, for the record.

Rows are in employee-number order. Amounts are numbers (XLSX: ``#,##0.00``), dates ``YYYY-MM-DD``; text a
spreadsheet would run as a formula stays text (``channelhub.exports``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict
from channelhub.exports import CONTENT_TYPES, Column, write_table
from channelhub.importing import FORMATS
from channelhub.periods import Month
from commissions.models import Statement
from commissions.selectors import (
    STATUSES,
    _code,
    _require_finance,
    payout_rows,
    payout_statements,
    payout_total,
)
from commissions.services.statements import payment_problems, statement_mark_paid

__all__ = ["CONTENT_TYPES", "COLUMNS", "STATUSES"]

ZERO = Decimal("0.00")
COLUMNS = (
    Column("employee_no", gettext_lazy("employee number")),
    Column("rep_name", pgettext_lazy("person", "name")),
    Column("bank_name", gettext_lazy("bank name")),
    Column("bank_account", gettext_lazy("bank account")),
    Column("period", gettext_lazy("period")),
    Column("kind", gettext_lazy("kind")),
    Column("payable_amount", gettext_lazy("payable"), "money"),
    Column("currency", gettext_lazy("currency")),
    Column("status", gettext_lazy("status")),
    Column("payment_reference", gettext_lazy("payment reference")),
    Column("paid_on", gettext_lazy("paid on"), "date"),
    Column("approved_by", gettext_lazy("approved by")),
    Column("approved_on", gettext_lazy("approved on"), "date"),
    Column("statement_id", gettext_lazy("statement number"), "number"),
)


class BatchRefused(Conflict):
    """A batch payment refused as a whole because some of its statements may not be paid (409)."""


def payout_export(*, user, period: str, file_format: str, status: str = Statement.Status.PAID) -> bytes:
    """The list of ``period`` (``approved``: to pay, or ``paid``) as ``csv`` (UTF-8 with a BOM) or
    ``xlsx``, headers in the active language, with a total row."""
    if file_format not in FORMATS:
        raise ValidationError({"format": _("Choose csv or xlsx.")})
    rows = payout_rows(payout_statements(user, period, status))
    title = _("payouts %(period)s") % {"period": _code(period)}
    return write_table(COLUMNS, rows, file_format, title=title, total=payout_total(rows))


def export_filename(period: str, file_format: str, status: str = Statement.Status.PAID) -> str:
    prefix = "payouts" if status == Statement.Status.PAID else "payouts-to-pay"
    return f"{prefix}-{Month.parse(period)}.{file_format}"


# --- paying a batch ----------------------------------------------------------------------------------


@transaction.atomic
def statements_mark_paid(
    *,
    actor,
    period: str,
    payment_reference: str,
    paid_on: date | None,
    statement_ids: Iterable[int] | None = None,
    comment: str = "",
) -> list[Statement]:
    """Mark the period's approved statements with something to pay (or those of ``statement_ids``
    among them) paid, all with one bank reference and date. All or nothing: 400 for a missing reference
    or date and for an empty batch; 409 (``BatchRefused``, naming each statement refused and why) when any
    one of them may not be paid by ``actor`` now — then nothing is paid."""
    _require_finance(actor)
    check_payment(payment_reference, paid_on)
    candidates = {statement.pk: statement for statement in payout_statements(actor, period)}
    wanted = list(candidates) if statement_ids is None else sorted({int(pk) for pk in statement_ids})
    refused = []
    for pk in wanted:
        statement = candidates.get(pk)
        if statement is None:
            refused.append(
                {"statement": pk, "rep": None, "reason": _("not an approved statement to pay in this period")}
            )
        elif statement.rep_id == actor.pk:
            refused.append(
                {
                    "statement": pk,
                    "rep": display_name(statement.rep),
                    "reason": _("you cannot record the payment of your own commission"),
                }
            )
    if not wanted:
        raise ValidationError(
            {"period": _("There is no approved statement to pay in %(period)s.") % {"period": _code(period)}}
        )
    if refused:
        raise BatchRefused(_refusal(refused), refused=refused)
    paid = []
    for pk in wanted:  # each checked, locked and logged as a single payment is; any refusal undoes all
        try:
            paid.append(
                statement_mark_paid(
                    actor=actor,
                    statement=candidates[pk],
                    payment_reference=payment_reference,
                    paid_on=paid_on,
                    comment=comment,
                )
            )
        except (PermissionDenied, Conflict) as error:
            refused.append({"statement": pk, "rep": display_name(candidates[pk].rep), "reason": str(error)})
        except ValidationError as error:
            reason = " ".join(message for messages in error.message_dict.values() for message in messages)
            refused.append({"statement": pk, "rep": display_name(candidates[pk].rep), "reason": reason})
    if refused:  # raised out of the transaction: what was marked above is rolled back
        raise BatchRefused(_refusal(refused), refused=refused)
    return paid


def check_payment(payment_reference: str, paid_on: date | None) -> None:
    """The reference and the date every payment of the batch needs (400 naming the fields)."""
    if errors := payment_problems(payment_reference, paid_on):
        raise ValidationError(errors)


def _refusal(refused: list[dict]) -> str:
    named = "; ".join(
        f"#{row['statement']}" + (f" ({row['rep']})" if row["rep"] else "") + f": {row['reason']}" for row in refused
    )
    return ngettext(
        "Nothing was paid: %(count)d statement of the batch cannot be paid now — %(named)s.",
        "Nothing was paid: %(count)d statements of the batch cannot be paid now — %(named)s.",
        len(refused),
    ) % {
        "count": len(refused),
        "named": named,
    }
