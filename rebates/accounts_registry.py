"""How the dealer account (SPEC §15) plugs into the other apps, from ``RebatesConfig.ready()``: none of them
imports rebates.

* kpi flags each new sale that takes its dealer over the credit limit (``kpi.services.facts.register_sale_check``);
* funds nets a deposit refund with the dealer's open receivable (``funds.selectors.register_receivable``);
* the dealer page shows the account tab (``partners.dealer_page.register_section``);
* finance's and the channel managers' dashboards show what is past due more than 60 days and the latest
  month's rebate accrual (``channelhub.dashboard.register_panel``).
"""

from __future__ import annotations

from django.utils import timezone

from channelhub.dashboard import with_panel
from channelhub.roles import Role, has_role

#: Who reads dealer accounts (SPEC §2 row "rebates, dealer accounts"): each within their scope of dealers.
READERS = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)


def register_accounts() -> None:
    from channelhub.dashboard import register_panel
    from funds.selectors import register_receivable
    from kpi.services.facts import register_sale_check
    from partners.dealer_page import DealerSection, register_section
    from rebates.accounts import flag_over_credit, receivable

    register_sale_check(flag_over_credit)
    register_receivable(receivable)
    register_section(DealerSection("account", "rebates/_dealer_account.html", dealer_account_section, order=110))
    register_panel(Role.FINANCE, overdue_panel, order=300)
    register_panel(Role.CHANNEL_MANAGER, overdue_panel, order=300)


def dealer_account_section(user, dealer) -> dict | None:
    """This month's statement of account (no rows), the aging today and the rebate of the year to date."""
    if not has_role(user, *READERS):
        return None
    from channelhub.periods import Month
    from rebates.accounts import BUCKET_KEYS, BUCKET_LABELS, Statement, dealer_aging, statements
    from rebates.selectors import dealer_rebate_year

    today = timezone.localdate()
    month = Month.of(today)
    return {
        "dealer_id": dealer.pk,
        "month": month,
        "statement": statements([dealer.pk], month).get(dealer.pk) or Statement(dealer_id=dealer.pk, month=month),
        "aging": dealer_aging(dealer.pk, today),
        "rebate_year": dealer_rebate_year(dealer.pk, today),
        "credit_limit": dealer.credit_limit,
        "bucket_labels": [BUCKET_LABELS[key] for key in BUCKET_KEYS],
    }


def overdue_panel(user, context: dict) -> dict:
    """Past due more than 60 days among the dealers the user sees (finance: all; a manager: their territories'),
    the five dealers owing most of it, and the rebate accrued at the latest month's end."""
    from rebates.accounts import top_overdue_over_60
    from rebates.selectors import accrual_total, latest_accrual_month

    month = latest_accrual_month()
    panel = {**top_overdue_over_60(user), "accrual_month": month, "accrual_total": accrual_total(user, month)}
    return with_panel(context, "rebates/_dashboard_overdue.html", panel)
