"""Fund budgets (SPEC §14): set by finance; an amount never below what is already committed and spent."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.formatting import money
from funds import policies
from funds.models import FundBudget
from funds.selectors import budget_figures

BUDGET_FIELDS = ("category", "territory", "year", "quarter", "amount", "max_cost_ratio")


def _save(budget: FundBudget) -> FundBudget:
    budget.full_clean()
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:  # two finance users creating the same budget at once: the constraint decides
        raise ValidationError(_("This territory already has a budget for this category and period.")) from None
    return budget


@transaction.atomic
def budget_create(*, actor, **fields: Any) -> FundBudget:
    policies.require(policies.may_set_budgets(actor))
    unknown = set(fields) - set(BUDGET_FIELDS)
    if unknown:
        raise ValueError(f"Not budget fields: {sorted(unknown)}")
    budget = FundBudget(created_by=actor, **fields)
    budget._history_user = actor
    return _save(budget)


@transaction.atomic
def budget_update(*, actor, budget: FundBudget, **fields: Any) -> FundBudget:
    """Change a budget. Its territory, category and period stay once requests are charged to it; its
    amount never drops below what is committed and spent (409 naming them)."""
    policies.require(policies.may_set_budgets(actor))
    budget = FundBudget.objects.select_for_update().get(pk=budget.pk)
    charged = budget.requests.exists()
    for name, value in fields.items():
        if name not in BUDGET_FIELDS:
            raise ValueError(f"Not a budget field: {name}")
        if charged and name in ("category", "territory", "year", "quarter") and getattr(budget, name) != value:
            raise Conflict(_("Requests are charged to this budget: its territory, category and period cannot change."))
        setattr(budget, name, value)
    committed, spent, _remaining = budget_figures(budget)
    if budget.amount < committed + spent:
        raise Conflict(
            _("%(budget)s has %(used)s committed and spent: its amount cannot be less.")
            % {"budget": budget, "used": money(committed + spent)}
        )
    budget._history_user = actor
    return _save(budget)
