"""The bulk action of finance's approval queue (``channelhub.bulk_actions``): approve several statements, each
through ``statement_approve`` on its own (segregation of duties included). Pages and API share it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name
from channelhub.bulk_actions import BulkAction
from channelhub.formatting import money
from commissions.policies import is_finance
from commissions.selectors import statement_list
from commissions.services import statements as statement_services

APPROVE_STATEMENTS = BulkAction(
    title=_("Approve the ticked statements"),
    allowed=is_finance,
    rows=lambda user: statement_list(user).select_related("rep"),
    run=lambda *, actor, row, comment: statement_services.statement_approve(
        actor=actor, statement=row, comment=comment
    ),
    describe=lambda statement: (
        f"{display_name(statement.rep)} · {statement.period} · {money(statement.payable_amount)}"
    ),
    url_of=lambda statement: reverse("commissions:statement-detail", args=[statement.pk]),
    back_url=lambda request: reverse("commissions:approval-queue"),
)
