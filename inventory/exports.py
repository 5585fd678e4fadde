"""Stock reports as a file (``channelhub.exports`` writes it): one row per report in the import's columns
(``inventory.imports.FILE_COLUMNS``), figures as numbers in XLSX, headers and words in the reader's language —
so that an exported list, changed and imported again, corrects the reports it names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.exports import write_table, yes_no
from inventory.imports import FILE_COLUMNS
from inventory.models import StockReport
from inventory.services.reports import FIGURES

#: Reports read from the database at a time (the file is written as they come).
CHUNK = 2_000


def report_rows(reports: Iterable[StockReport]) -> Iterator[dict]:
    for report in reports:
        yield {
            "dealer": report.dealer.code,
            "dealer_name": report.dealer.name,
            "period": report.period,
            "product_line": report.product_line.code,
            "product_line_name": report.product_line.name,
            **{name: getattr(report, name) for name in FIGURES},
            "adjustment_reason": report.get_adjustment_reason_display() if report.adjustment_reason else "",
            "adjustment_note": report.adjustment_note,
            "status": report.get_status_display(),
            "days_of_stock": report.days_of_stock,
            "overstock": yes_no(report.overstock),
            "stockout": yes_no(report.stockout),
            "slow_moving": yes_no(report.slow_moving),
            "receipt_mismatch": yes_no(report.receipt_mismatch),
        }


def report_export(reports: QuerySet[StockReport], file_format: str) -> bytes:
    """``reports`` (a scoped queryset with the dealer and line joined: ``inventory.selectors``) as CSV or XLSX."""
    rows = report_rows(reports.select_related("dealer", "product_line").iterator(chunk_size=CHUNK))
    return write_table(FILE_COLUMNS, rows, file_format, title=_("Stock reports"))


def report_filename(file_format: str) -> str:
    return f"stock-reports-{timezone.localdate():%Y%m%d}.{file_format}"
