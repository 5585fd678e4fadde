"""Reads of the commissions app: statements, the approval queue, disputes, runs, plans and payouts, each
list with what its page or API shows joined in (no query per row), always through ``scope``."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channelhub.accounts.models import mask_account
from channelhub.accounts.selectors import display_name
from channelhub.periods import Month, local_date
from channelhub.scoping import scope
from commissions.models import (
    CommissionPlan,
    CommissionRun,
    CommissionTier,
    Dispute,
    PlanAssignment,
    RunProblem,
    Statement,
    StatementLine,
)
from commissions.policies import (
    is_finance,
    may_export,
)
from kpi.models import Period


def statement_list(user) -> QuerySet[Statement]:
    """The statements ``user`` may see (rep: own; manager: team; finance and admin: all), ready to list."""
    return (
        scope(user, Statement)
        .select_related("rep", "rep__profile", "plan", "submitted_by", "approved_by")
        .order_by("-period", "rep__username", "kind", "pk")
    )


def statement_detail(user) -> QuerySet[Statement]:
    """``statement_list`` with the lines, on each line its disputes, and the lines that carried its negative
    net forward (three more queries)."""
    disputes = Dispute.objects.select_related(
        "rep", "rep__profile", "answered_by", "adjustment_line__statement"
    ).order_by("created_at", "pk")
    lines = StatementLine.objects.order_by("position").prefetch_related(Prefetch("disputes", queryset=disputes))
    carried_into = StatementLine.objects.select_related("statement").order_by("statement__period")
    return statement_list(user).prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("carried_into", queryset=carried_into)
    )


def approval_queue(user) -> QuerySet[Statement]:
    """Submitted statements waiting for finance, oldest submission first (finance and admins only)."""
    if not is_finance(user):
        return Statement.objects.none()
    open_disputes = (
        Dispute.objects.filter(line__statement=OuterRef("pk"), status=Dispute.Status.OPEN)
        .order_by()
        .values("line__statement")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        statement_list(user)
        .filter(status=Statement.Status.SUBMITTED)
        .order_by("submitted_at", "period", "pk")
        .annotate(open_disputes=Coalesce(Subquery(open_disputes), 0))
    )


def next_open_statement(rep_id: int, *, after: str) -> Statement | None:
    """The rep's earliest draft monthly statement of a period later than ``after``, if any."""
    return (
        Statement.objects.filter(
            rep_id=rep_id, kind=Statement.Kind.MONTHLY, status=Statement.Status.DRAFT, period__gt=after
        )
        .order_by("period")
        .first()
    )


def dispute_list(user) -> QuerySet[Dispute]:
    """The disputes ``user`` may see (rep: own; manager: team; finance and admin: all), ready to list."""
    return (
        scope(user, Dispute)
        .select_related("rep", "rep__profile", "line", "line__statement", "answered_by", "adjustment_line__statement")
        .order_by("-created_at", "-pk")
    )


def period_rows(user) -> QuerySet[Period]:
    """The periods ``user`` may see, newest first, each with ``statements`` (monthly) and ``not_settled``
    (those not approved or paid yet) counted in the same query."""

    def counted(statements: QuerySet) -> Coalesce:
        subquery = (
            statements.filter(period=OuterRef("code"), kind=Statement.Kind.MONTHLY)
            .order_by()
            .values("period")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))

    return (
        scope(user, Period)
        .select_related("closed_by")
        .annotate(
            statements=counted(Statement.objects.all()),
            not_settled=counted(Statement.objects.exclude(status__in=Statement.FINAL)),
        )
        .order_by("-code")
    )


def payout_statements(user, period: str, status: str = Statement.Status.APPROVED) -> QuerySet[Statement]:
    """The statements of ``period`` in ``status`` (approved: to pay; paid) with something to pay — the
    rows of the bank file. Finance and admins only (403)."""
    if status not in STATUSES:
        raise ValidationError({"status": _("Choose approved (to pay) or paid.")})
    return _of_period(user, period).filter(status=status, payable_amount__gt=0)


def paid_statements(user, period: str) -> QuerySet[Statement]:
    return payout_statements(user, period, Statement.Status.PAID)


def nothing_to_pay(user, period: str) -> QuerySet[Statement]:
    """Approved statements of ``period`` that pay nothing (a negative month carried forward, or no
    commission): never in the bank file."""
    return _of_period(user, period).filter(status=Statement.Status.APPROVED, payable_amount__lte=0)


def payout_total(rows: list[dict]) -> dict:
    """The total row: the count of statements and the sum paid."""
    return {
        "employee_no": _("Total"),
        "rep_name": ngettext("%(count)d statement", "%(count)d statements", len(rows)) % {"count": len(rows)},
        "payable_amount": sum((row["payable_amount"] for row in rows), ZERO),
        "currency": settings.CURRENCY,
    }


def plan_list(user) -> QuerySet[CommissionPlan]:
    """Every plan (reference data) with its tiers and the assignments ``user`` may see (a rep their
    own, a manager the team's, finance and admins all): four queries for any number of plans."""
    assignments = scope(user, PlanAssignment).select_related("rep").order_by("start_date", "rep_id", "pk")
    return (
        scope(user, CommissionPlan)
        .select_related("scorecard_template")
        .prefetch_related(
            Prefetch("tiers", queryset=CommissionTier.objects.order_by("from_amount")),
            Prefetch("assignments", queryset=assignments),
        )
        .order_by("name", "pk")
    )


def plans_for(reps: Iterable, month: Month | str) -> dict[int, CommissionPlan]:
    """The plan of each rep (user or ID) on the last day of ``month``, by rep ID; reps without one are
    left out. Two queries (assignments with their plans, and the plans' tiers) for any number of reps;
    reps on the same plan share one ``CommissionPlan`` object."""
    month = month if isinstance(month, Month) else Month.parse(month)
    rep_ids = {getattr(rep, "pk", rep) for rep in reps}
    if not rep_ids:
        return {}
    day = month.last_day
    rows = list(
        PlanAssignment.objects.filter(rep_id__in=rep_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("plan", "plan__scorecard_template")
        .order_by("rep_id", "-start_date")
    )
    plans: dict[int, CommissionPlan] = {}
    for row in rows:
        plans.setdefault(row.plan_id, row.plan)
    prefetch_related_objects(
        list(plans.values()), Prefetch("tiers", queryset=CommissionTier.objects.order_by("from_amount"))
    )
    result: dict[int, CommissionPlan] = {}
    for row in rows:
        result.setdefault(row.rep_id, plans[row.plan_id])
    return result


def plan_for(rep, month: Month | str) -> CommissionPlan | None:
    """The plan that pays ``rep`` for ``month`` (assigned on its last day), or None."""
    return plans_for([rep], month).get(getattr(rep, "pk", rep))


def run_list(user) -> QuerySet[CommissionRun]:
    """The runs ``user`` may see (managers, finance and admins: all; reps none), newest first."""
    return scope(user, CommissionRun).select_related("started_by").order_by("-created_at", "-pk")


def run_problems(user, run: CommissionRun) -> list[RunProblem]:
    """The reps ``run`` could not compute, among the reps ``user`` may see (a manager sees a finance
    run's problems of the team only)."""
    return list(run.problems.filter(rep__in=scope(user, User)).select_related("rep").order_by("rep__username", "pk"))


#: Which list: the statements to pay (approved) or those paid.
ZERO = Decimal("0.00")
User = get_user_model()
#: The payout lists: approved (to pay) and paid.
STATUSES = (Statement.Status.APPROVED, Statement.Status.PAID)


def _of_period(user, period: str) -> QuerySet[Statement]:
    _require_finance(user)
    return (
        scope(user, Statement)
        .filter(period=_code(period))
        .select_related("rep", "rep__profile", "approved_by")
        .order_by("rep__profile__employee_no", "rep__username", "kind", "pk")
    )


def _code(period: str) -> str:
    try:
        return str(Month.parse(period))
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None


def _require_finance(user) -> None:
    if not may_export(user):
        raise PermissionDenied(_("Only finance or an administrator exports and pays payouts."))


def payout_rows(statements: Iterable[Statement], *, full_accounts: bool = True) -> list[dict]:
    rows = []
    for statement in statements:
        rep = statement.rep
        profile = getattr(rep, "profile", None)
        account = profile.bank_account if profile else ""
        rows.append(
            {
                "employee_no": profile.employee_no if profile else "",
                "rep_name": display_name(rep),
                "bank_name": profile.bank_name if profile else "",
                "bank_account": account if full_accounts else mask_account(account),
                "period": statement.period,
                "kind": statement.get_kind_display(),
                "payable_amount": statement.payable_amount,
                "currency": settings.CURRENCY,
                "status": statement.get_status_display(),
                "payment_reference": statement.payment_reference,
                "paid_on": statement.paid_at,
                "approved_by": display_name(statement.approved_by) if statement.approved_by_id else "",
                "approved_on": local_date(statement.approved_at) if statement.approved_at else None,
                "statement_id": statement.pk,
                "statement": statement,
            }
        )
    return rows


def statement_totals(statements: QuerySet[Statement]) -> dict[str, Decimal | int]:
    """Count and sums of the money columns of ``statements`` (one query)."""
    totals = statements.order_by().aggregate(
        count=Count("pk"),
        gross=Sum("gross_amount"),
        deductions=Sum("deductions_amount"),
        net=Sum("net_amount"),
        retained=Sum("retained_amount"),
        payable=Sum("payable_amount"),
    )
    return {name: (ZERO if value is None else value) for name, value in totals.items()}


def visible_lines(user) -> QuerySet[StatementLine]:
    """The statement lines ``user`` may see, with their statement (for choosing a line to dispute)."""
    return scope(user, StatementLine).select_related("statement")


def reps_with_plan(month: Month) -> QuerySet:
    """Reps with a plan assigned on ``month``'s last day (the plan that pays the month)."""
    day = month.last_day
    assigned = PlanAssignment.objects.filter(start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    return User.objects.filter(pk__in=assigned.values("rep_id"))
