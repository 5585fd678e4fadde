"""The aging report as a file (``channelhub.exports`` writes it): one row per dealer with its territory group,
money as numbers (XLSX) and a total row; headers in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from channelhub.exports import Column, write_table
from rebates.accounts import BUCKET_KEYS, BUCKET_LABELS

AGING_COLUMNS = (
    Column("territory", gettext_lazy("Territory")),
    Column("dealer_code", gettext_lazy("Dealer code")),
    Column("dealer_name", gettext_lazy("Dealer")),
    Column("receivable", gettext_lazy("Receivable"), "money"),
    *(Column(key, BUCKET_LABELS[key], "money") for key in BUCKET_KEYS),
    Column("overdue", gettext_lazy("Overdue"), "money"),
    Column("credit_balance", gettext_lazy("Credit balance"), "money"),
    Column("oldest_due", gettext_lazy("Oldest due date"), "date"),
)


def aging_rows(report: dict) -> list[dict]:
    rows = []
    for row in report["rows"]:
        aging = row.aging
        rows.append(
            {
                "territory": row.group.name,
                "dealer_code": row.dealer.code,
                "dealer_name": row.dealer.name,
                "receivable": aging.receivable,
                **aging.buckets,
                "overdue": aging.overdue,
                "credit_balance": aging.credit_balance,
                "oldest_due": aging.oldest_due,
            }
        )
    return rows


def aging_export(report: dict, file_format: str) -> bytes:
    rows = aging_rows(report)
    total = {
        "territory": _("Total"),
        "dealer_name": ngettext("%(count)d dealer", "%(count)d dealers", len(rows)) % {"count": len(rows)},
        **report["totals"],
    }
    return write_table(AGING_COLUMNS, rows, file_format, title=_("Aging"), total=total)


def aging_filename(report: dict, file_format: str) -> str:
    return f"aging-{report['day'].isoformat()}.{file_format}"
