"""Visit lists people download (``channelhub.exports`` writes every file): the visit list and the
compliance table. Each holds exactly what its page shows the user — the caller passes the same scoped,
filtered rows (every page) — in a fixed number of queries, headers and choices in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name, employee_no
from channelhub.exports import Column, write_table
from channelhub.periods import Month
from visits.models import Visit
from visits.selectors.compliance import Compliance, TeamCompliance

# --- visits ----------------------------------------------------------------------------------------------

VISIT_COLUMNS = (
    Column("visited_at", _("Visited at"), "datetime"),
    Column("rep", _("Field rep")),
    Column("employee_no", _("Employee number")),
    Column("dealer_code", _("Dealer code")),
    Column("dealer", _("Dealer")),
    Column("kind", _("Kind")),
    Column("purpose", _("Purpose")),
    Column("distance_m", _("Distance from dealer (m)"), "number"),
    Column("flags", _("Flags")),
    Column("status", _("Status")),
)


def visit_rows(visits: Iterable[Visit]) -> list[dict]:
    """``visits`` read with their rep (and profile) and dealer joined in."""
    separator = gettext(", ")
    return [
        {
            "visited_at": visit.visited_at,
            "rep": display_name(visit.rep),
            "employee_no": employee_no(visit.rep),
            "dealer_code": visit.dealer.code,
            "dealer": visit.dealer.name,
            "kind": visit.get_kind_display(),
            "purpose": visit.purpose,
            "distance_m": visit.distance_m,
            "flags": separator.join(visit.flag_labels),
            "status": visit.get_status_display(),
        }
        for visit in visits
    ]


def visit_export(*, visits, file_format: str) -> bytes:
    """The visits of ``visits`` (scoped and filtered by the caller, every page) as CSV or XLSX: one query."""
    rows = visit_rows(visits.select_related("rep__profile").iterator(chunk_size=2000))
    return write_table(VISIT_COLUMNS, rows, file_format, title=gettext("Visits"))


# --- compliance ------------------------------------------------------------------------------------------

COMPLIANCE_COLUMNS = (
    Column("rep", _("Field rep")),
    Column("employee_no", _("Employee number")),
    Column("period", _("Period")),
    Column("visits_counted", _("Visits counted"), "number"),
    Column("monthly_min", _("Monthly minimum"), "number"),
    Column("shortfall", _("Shortfall"), "number"),
    Column("distinct_dealers", _("Distinct dealers"), "number"),
    Column("days_below_daily_min", _("Days below daily minimum"), "number"),
    Column("working_days", _("Working days"), "number"),
    Column("weeks_below_weekly_min", _("Weeks below weekly minimum"), "number"),
    Column("weeks", _("Weeks"), "number"),
    Column("false_reports", _("False reports"), "number"),
    Column("fabricated_reports", _("Fabricated"), "number"),
)


def _compliance_row(row: Compliance) -> dict:
    return {
        "rep": display_name(row.rep),
        "employee_no": employee_no(row.rep),
        "period": row.period,
        "visits_counted": row.visits_counted,
        "monthly_min": row.monthly_min,
        "shortfall": row.shortfall,
        "distinct_dealers": row.distinct_dealers,
        "days_below_daily_min": row.days_below_daily_min,
        "working_days": row.working_days,
        "weeks_below_weekly_min": row.weeks_below_weekly_min,
        "weeks": len(row.weeks),
        "false_reports": row.false_reports,
        "fabricated_reports": row.fabricated_reports,
    }


def compliance_export(*, team: TeamCompliance, month: Month, file_format: str, with_total: bool) -> bytes:
    """Every rep's compliance for ``month`` (the reps read with their profile) and, ``with_total``, the
    team's totals as the page shows them (distinct dealers counted across the team)."""
    rows = [_compliance_row(row) for row in team.reps]
    total = None
    if with_total:
        total = {
            "rep": gettext("Team"),
            "period": str(month),
            **{
                name: getattr(team, name)
                for name in (
                    "visits_counted",
                    "shortfall",
                    "distinct_dealers",
                    "days_below_daily_min",
                    "weeks_below_weekly_min",
                    "false_reports",
                    "fabricated_reports",
                )
            },
        }
    title = gettext("Visit compliance") + f" {month}"
    return write_table(COMPLIANCE_COLUMNS, rows, file_format, title=title, total=total)
