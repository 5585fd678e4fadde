"""The notifications of targets and facts, rendered in the reader's language from their figures
(``channelhub.notifications.types``). Registered when the app loads (``KpiConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channelhub.formatting import money
from channelhub.notifications.types import register


def _conflict_lines(params) -> str:
    lines = [
        _("%(date)s · %(dealer)s (%(code)s) · shipped to %(territory)s · %(amount)s · %(reference)s")
        % {**sale, "amount": money(sale.get("amount"))}
        for sale in params.get("sales", [])
    ]
    if params.get("more"):
        lines.append(_("… and %(count)d more.") % {"count": params["more"]})
    return "\n".join(lines)


def register_kinds() -> None:
    register(
        "target.approved",
        title=lambda p: _("Your target for %(period)s was approved") % p,
        body=lambda p: _("Please read it and acknowledge it."),
    )
    register(
        "conflicts.flagged",
        title=lambda p: (
            ngettext(
                "%(count)d sale flagged as a channel conflict",
                "%(count)d sales flagged as channel conflicts",
                p["count"],
            )
            % p
        ),
        body=_conflict_lines,
    )
