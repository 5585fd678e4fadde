"""Where each figure of a statement of account comes from: the lists of its rows, in the pages and in the API.

Each link is a list another app owns, narrowed to the dealer and the month by its own filters: sales and
collections (kpi: ``dealer``, ``date_from``, ``date_to``), the settlements approved or paid (rebates: ``dealer``,
``status``, ``period``), the fund requests whose claims were settled (funds: ``dealer``, ``status=settled``,
``settled_from``, ``settled_to``) and the deposit's ledger (funds). A list the installation does not have
(yet) gives no link rather than an error.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from channelhub.periods import Month


def _url(name: str, *, args=(), query: dict | None = None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def statement_links(dealer_id: int, month: Month, *, api: bool = False) -> dict[str, str | None]:
    """The list behind each figure of ``dealer_id``'s statement of ``month``: page addresses, or the API's."""
    days = {"dealer": dealer_id, "date_from": month.first_day.isoformat(), "date_to": month.last_day.isoformat()}
    # the approved and paid settlements of the period that ends in the month (a quarter's in its last month)
    credited = {"dealer": dealer_id, "status": ["approved", "paid"]}
    if month.month % 3 == 0:
        credited["period"] = (
            f"{month.year}-Q{month.month // 3}" if month.month != 12 else [f"{month.year}-Q4", str(month.year)]
        )
    settled = {
        "dealer": dealer_id,
        "status": "settled",
        "settled_from": month.first_day.isoformat(),
        "settled_to": month.last_day.isoformat(),
    }
    names = {
        "opening": (
            "dealer-account-detail" if api else "rebates:account",
            [dealer_id],
            {"period": str(month.previous())},
        ),
        "closing": ("dealer-account-detail" if api else "rebates:account", [dealer_id], {"period": str(month.next())}),
        "sales": ("sale-list" if api else "kpi:sales-list", [], days),
        "collections": ("collection-list" if api else "kpi:collection-list", [], days),
        "rebates_credited": ("rebate-settlement-list" if api else "rebates:settlement-list", [], credited),
        "fund_settlements": ("fund-request-list" if api else "funds:request-list", [], settled),
        "deposit": ("deposit-detail" if api else "funds:deposit-detail", [dealer_id], None),
    }
    links = {key: _url(name, args=args, query=query) for key, (name, args, query) in names.items()}
    links["credit_notes"] = links["sales"]
    links["rebates_cash"] = links["rebates_credited"]
    return links
