"""The stock health list (SPEC §16): the lines of the dealers' stock reports of a month, flagged ones first, with
the count of each flag on top — the manager's list (a rep sees their own dealers', finance and admins all).

``?period=&territory=&product_line=&flag=&status=&kind=&q=``: a query naming none of them shows the latest month
with reports the reader sees; any filter without a month (the dashboard's to-do links, ``?status=submitted``)
shows every month, the latest first; ``?period=`` (empty) every month too.
"""

from __future__ import annotations

from django.shortcuts import render

from channelhub.forms import style_fields
from channelhub.pages import filtered, paginate
from channelhub.roles import require_role
from inventory import selectors
from inventory.filters import FLAG_LABELS, StockHealthFilter
from inventory.pages_registry import READERS
from inventory.views.reports import chooser_form

FILTERS = frozenset(StockHealthFilter.base_filters)


def health_page(request):
    user = request.user
    require_role(user, *READERS)
    params, default_period = request.GET.copy(), None
    if not FILTERS & set(params):
        default_period = selectors.latest_period(user)
        if default_period:
            params["period"] = default_period
    rows = selectors.health_rows(user)
    filterset = StockHealthFilter(params, queryset=rows)
    style_fields(filterset.form)
    # the counts on top: every filter but the flag, so that each count shows what its link lists
    unflagged = params.copy()
    unflagged.pop("flag", None)
    counts = selectors.health_counts(filtered(StockHealthFilter(unflagged, queryset=rows)))
    context = {
        "filter": filterset,
        "filtering": bool(FILTERS & set(request.GET)),
        "default_period": default_period,
        "page_obj": paginate(request, filtered(filterset)),
        "counts": counts,
        "flag_counts": [(flag, label, counts[flag]) for flag, label in FLAG_LABELS.items()],
        "chosen_flag": params.get("flag", ""),
        "chooser": chooser_form(user),
    }
    return render(request, "inventory/health.html", context)
