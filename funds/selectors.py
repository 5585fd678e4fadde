"""Every read of channel funds (SPEC §14): budgets with their figures, the budget a request draws on, the
queues, deposit balances, material variances and the summary by territory and quarter."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from channelhub.fields import ZERO
from channelhub.roles import Role, has_role
from channelhub.scoping import in_territories_of, scope
from partners.models import Dealer

from .models import DepositEntry, DepositRefund, FundBudget, FundClaim, FundRequest, Material, MaterialCount

MONEY_OUTPUT = DecimalField(max_digits=16, decimal_places=2)
COMMITTED = (FundRequest.Status.APPROVED, FundRequest.Status.CLAIMED)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _sum(expression, condition: Q):
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=MONEY_OUTPUT)


def with_figures(budgets: QuerySet[FundBudget]) -> QuerySet[FundBudget]:
    """Budgets with ``committed`` (approved, not settled), ``spent`` (settled) and ``remaining`` annotated:
    one query however many budgets."""
    committed = _sum("requests__approved_amount", Q(requests__status__in=COMMITTED))
    spent = _sum("requests__settled_amount", Q(requests__status=FundRequest.Status.SETTLED))
    return budgets.annotate(committed=committed, spent=spent).annotate(
        remaining=F("amount") - F("committed") - F("spent")
    )


def budget_figures(budget: FundBudget) -> tuple[Decimal, Decimal, Decimal]:
    """(committed, spent, remaining) of one budget, read now."""
    row = with_figures(FundBudget.objects.filter(pk=budget.pk)).values("committed", "spent", "remaining").get()
    return row["committed"], row["spent"], row["remaining"]


def budgets_for(user) -> QuerySet[FundBudget]:
    """The budgets ``user`` sees, with their figures and territory."""
    return with_figures(scope(user, FundBudget).select_related("territory"))


def budget_for(dealer: Dealer, category: str, day: date) -> FundBudget | None:
    """The budget a request of ``dealer`` for ``category`` on ``day`` draws on: the nearest territory, from
    the dealer's own up to the root, that has a budget of that category covering the day; there a quarter's
    budget comes before the year's. One query."""
    paths = dealer.territory.ancestor_paths()
    candidates = list(
        FundBudget.objects.select_related("territory")
        .filter(territory__path__in=paths, category=category, year=day.year)
        .filter(Q(quarter__isnull=True) | Q(quarter=quarter_of(day)))
    )
    if not candidates:
        return None
    depth = {path: index for index, path in enumerate(paths)}
    return max(candidates, key=lambda budget: (depth[budget.territory.path], budget.quarter is not None))


def overlapping_requests(request: FundRequest) -> QuerySet[FundRequest]:
    """Other live requests of the same dealer and category whose dates overlap ``request``'s (拆单)."""
    return (
        FundRequest.objects.filter(
            dealer_id=request.dealer_id,
            category=request.category,
            status__in=FundRequest.LIVE,
            start_date__lte=request.end_date,
            end_date__gte=request.start_date,
        )
        .exclude(pk=request.pk)
        .order_by("start_date", "pk")
    )


def requests_for(user) -> QuerySet[FundRequest]:
    """The requests ``user`` sees, with what a list shows of each (one query)."""
    return scope(user, FundRequest).select_related(
        "dealer", "dealer__territory", "requested_by", "budget", "budget__territory"
    )


def request_detail_queryset(user) -> QuerySet[FundRequest]:
    """The requests ``user`` sees, each with its claim and people (what a detail shows, one query)."""
    return scope(user, FundRequest).select_related(
        "dealer",
        "dealer__territory",
        "dealer__owner",
        "requested_by",
        "submitted_by",
        "manager_approved_by",
        "approved_by",
        "budget",
        "budget__territory",
        "claim",
        "claim__claimed_by",
        "claim__checked_by",
        "claim__settled_by",
        "claim__expense",
    )


def request_detail(user, pk) -> FundRequest:
    """One request ``user`` sees (404 otherwise), with its claim and people."""
    from channelhub.scoping import get_scoped_or_404

    return get_scoped_or_404(user, request_detail_queryset(user), pk=pk)


def requestable_dealers(user) -> QuerySet[Dealer]:
    """The active dealers ``user`` may request funds for (``policies.can_request_for`` as a query): an
    admin all, a rep their own, a manager those of their territories."""
    dealers = scope(user, Dealer).filter(status=Dealer.Status.ACTIVE).select_related("territory").order_by("code")
    if has_role(user, Role.ADMIN):
        return dealers
    condition = Q(pk__in=[])
    if has_role(user, Role.FIELD_REP):
        condition |= Q(owner=user)
    if has_role(user, Role.CHANNEL_MANAGER):
        condition |= in_territories_of(user)
    return dealers.filter(condition)


def claims_for(user) -> QuerySet[FundClaim]:
    return scope(user, FundClaim).select_related(
        "request", "request__dealer", "request__dealer__territory", "request__requested_by", "claimed_by", "expense"
    )


def claim_detail_queryset(user) -> QuerySet[FundClaim]:
    """The claims ``user`` sees, each with its request, people and visits (what a detail shows)."""
    return claims_for(user).select_related("checked_by", "settled_by").prefetch_related("visits")


# --- queues (dashboards' to-dos and the approval pages) -----------------------------------------------


def manager_queue(user) -> QuerySet[FundRequest]:
    """Submitted requests in the manager's territories that someone else submitted."""
    return (
        scope(user, FundRequest)
        .filter(status=FundRequest.Status.SUBMITTED)
        .exclude(Q(submitted_by=user) | Q(requested_by=user))
    )


def finance_queue(user) -> QuerySet[FundRequest]:
    """Requests approved by their manager, waiting for finance (not the ones ``user`` made or approved)."""
    return (
        scope(user, FundRequest)
        .filter(status=FundRequest.Status.MANAGER_APPROVED)
        .exclude(Q(submitted_by=user) | Q(requested_by=user) | Q(manager_approved_by=user))
    )


def claims_to_check(user) -> QuerySet[FundClaim]:
    return scope(user, FundClaim).filter(status=FundClaim.Status.OPEN).exclude(claimed_by=user)


def claims_to_settle(user) -> QuerySet[FundClaim]:
    return scope(user, FundClaim).filter(status__in=(FundClaim.Status.MET, FundClaim.Status.NOT_MET))


#: What a row of an approval queue shows (and what ``policies.request_actions`` reads for its buttons).
QUEUE_REQUEST_RELATED = ("dealer", "dealer__territory", "requested_by", "submitted_by", "manager_approved_by")
QUEUE_CLAIM_RELATED = tuple(f"request__{name}" for name in QUEUE_REQUEST_RELATED) + ("request", "claimed_by")


def approval_queues(user, limit: int = 50) -> dict[str, list]:
    """The rows of the approvals page that wait for ``user`` (oldest first, ``limit`` of each): requests for
    the manager's and finance's approval, claims to check and to settle. One query per queue; a queue the
    user's role has no part in is empty without a query."""
    from evidence.selectors import count_column

    queues: dict[str, list] = {"manager": [], "finance": [], "check": [], "settle": []}
    if has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN):
        queues["manager"] = list(
            manager_queue(user).select_related(*QUEUE_REQUEST_RELATED).order_by("submitted_at", "pk")[:limit]
        )
        queues["check"] = list(
            claims_to_check(user)
            .select_related(*QUEUE_CLAIM_RELATED)
            .annotate(file_count=count_column(FundClaim))
            .order_by("claimed_at", "pk")[:limit]
        )
    if has_role(user, Role.FINANCE, Role.ADMIN):
        queues["finance"] = list(
            finance_queue(user).select_related(*QUEUE_REQUEST_RELATED).order_by("submitted_at", "pk")[:limit]
        )
        queues["settle"] = list(
            claims_to_settle(user)
            .select_related(*QUEUE_CLAIM_RELATED, "checked_by")
            .annotate(file_count=count_column(FundClaim))
            .order_by("checked_at", "pk")[:limit]
        )
    return queues


def requests_to_claim(user) -> QuerySet[FundRequest]:
    """Approved requests of the rep's own dealers, waiting for their claim."""
    return scope(user, FundRequest).filter(status=FundRequest.Status.APPROVED, dealer__owner=user)


def refunds_to_decide(user) -> QuerySet[DepositRefund]:
    return (
        scope(user, DepositRefund)
        .filter(status=DepositRefund.Status.PROPOSED)
        .exclude(proposed_by=user)
        .select_related("dealer")
    )


# --- deposits ------------------------------------------------------------------------------------------


def _signed(kind_field: str = "kind", amount_field: str = "amount"):
    return Case(
        When(**{kind_field: DepositEntry.Kind.RECEIVED}, then=F(amount_field)),
        default=-F(amount_field),
        output_field=MONEY_OUTPUT,
    )


def deposit_balance(dealer_id: int) -> Decimal:
    """Received − deducted − refunded (one query)."""
    total = DepositEntry.objects.filter(dealer_id=dealer_id).aggregate(balance=Sum(_signed()))["balance"]
    return total if total is not None else ZERO


def deposit_accounts(user, *, with_entries_only: bool = True) -> QuerySet[Dealer]:
    """The dealers ``user`` sees that have deposit entries (every dealer they see, without
    ``with_entries_only``), each with its ``received``, ``deducted``, ``refunded`` and ``balance`` (one query)."""
    entries = "deposit_entries__"
    dealers = scope(user, Dealer)
    if with_entries_only:
        dealers = dealers.filter(Exists(DepositEntry.objects.filter(dealer=OuterRef("pk"))))
    return (
        dealers.annotate(
            received=_sum(f"{entries}amount", Q(**{f"{entries}kind": DepositEntry.Kind.RECEIVED})),
            deducted=_sum(f"{entries}amount", Q(**{f"{entries}kind": DepositEntry.Kind.DEDUCTED})),
            refunded=_sum(f"{entries}amount", Q(**{f"{entries}kind": DepositEntry.Kind.REFUNDED})),
        )
        .annotate(balance=F("received") - F("deducted") - F("refunded"))
        .select_related("territory")
        .order_by("code")
    )


def deposit_entries(dealer_id: int) -> QuerySet[DepositEntry]:
    """A dealer's ledger, oldest first, with who recorded each entry and its agreement (one query)."""
    return (
        DepositEntry.objects.filter(dealer_id=dealer_id)
        .select_related("created_by", "agreement")
        .order_by("date", "id")
    )


def deposit_refunds(dealer_id: int) -> QuerySet[DepositRefund]:
    """A dealer's refunds (the one in play and any rejected before it), newest first (one query)."""
    return (
        DepositRefund.objects.filter(dealer_id=dealer_id)
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_at", "-id")
    )


def proposed_refund(dealer_id: int) -> DepositRefund | None:
    """The dealer's deposit refund waiting for finance's decision, if any."""
    return DepositRefund.objects.filter(dealer_id=dealer_id, status=DepositRefund.Status.PROPOSED).first()


#: Who answers ``open_receivable``: the dealer accounts register it (``register_receivable``); funds knows
#: no app by name.
_RECEIVABLE: list = []


def register_receivable(answer) -> None:
    """``answer(dealer_id) -> Decimal``: what the dealer owes now (the dealer accounts, SPEC §15)."""
    _RECEIVABLE[:] = [answer]


def open_receivable(dealer_id: int) -> Decimal:
    """What the dealer still owes us now (never below 0: a credit balance is not refunded with the deposit),
    as the dealer accounts answer it; 0.00 while no app answers it."""
    if not _RECEIVABLE:
        return ZERO
    return max(ZERO, _RECEIVABLE[0](dealer_id))


# --- fund settlements payable to dealers (the dealer accounts, SPEC §15) ----------------------------------


def _settled_claims(first: date | None, last: date | None) -> QuerySet[FundClaim]:
    claims = FundClaim.objects.filter(status=FundClaim.Status.SETTLED, settled_amount__isnull=False)
    if first is not None:
        claims = claims.filter(settled_on__gte=first)
    if last is not None:
        claims = claims.filter(settled_on__lte=last)
    return claims


def settled_claims_column(*, first: date | None = None, last: date | None = None, dealer=None):
    """What settled fund claims owe the dealer (their ``settled_amount``, by ``settled_on`` from ``first`` to
    ``last``, either open) as a column to annotate a query of dealers with (``dealer``: the outer dealer's ID,
    ``OuterRef("pk")`` by default); 0.00 when none."""
    dealer = OuterRef("pk") if dealer is None else dealer
    total = (
        _settled_claims(first, last)
        .filter(request__dealer_id=dealer)
        .order_by()
        .values("request__dealer_id")
        .annotate(total=Sum("settled_amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY_OUTPUT), Value(ZERO), output_field=MONEY_OUTPUT)


def settled_claims_by_dealer(dealer_ids: Iterable[int], first: date | None, last: date | None) -> dict[int, Decimal]:
    """Per dealer of ``dealer_ids``: the settled fund claims payable to it, settled from ``first`` to ``last``
    (one query; dealers without any are absent)."""
    rows = (
        _settled_claims(first, last)
        .filter(request__dealer_id__in=list(dealer_ids))
        .order_by()
        .values_list("request__dealer_id")
        .annotate(total=Sum("settled_amount"))
    )
    return dict(rows)


def settled_claim_rows(dealer_id: int, first: date | None, last: date | None) -> list[dict]:
    """A dealer's claims settled from ``first`` to ``last``, oldest first: ``id, request_id, number, title,
    settled_on, settled_amount`` (one query)."""
    return list(
        _settled_claims(first, last)
        .filter(request__dealer_id=dealer_id)
        .order_by("settled_on", "id")
        .values(
            "id", "request_id", "settled_on", "settled_amount", number=F("request__number"), title=F("request__title")
        )
    )


# --- materials -----------------------------------------------------------------------------------------


def issued_up_to(dealer_id: int, material_id: int, day: date) -> Decimal:
    from .models import MaterialIssue

    total = MaterialIssue.objects.filter(dealer_id=dealer_id, material_id=material_id, date__lte=day).aggregate(
        total=Sum("quantity")
    )["total"]
    return total if total is not None else ZERO


def _no_later_count() -> Exists:
    """A count is its dealer's latest of its material: no count of the same pair after it (by date, then ID)."""
    later = MaterialCount.objects.filter(dealer_id=OuterRef("dealer_id"), material_id=OuterRef("material_id")).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk"))
    )
    return ~Exists(later)


def latest_counts(user) -> QuerySet[MaterialCount]:
    """Each dealer's latest count of each material that ``user`` sees, flagged ones first."""
    return (
        scope(user, MaterialCount)
        .filter(_no_later_count())
        .select_related("dealer", "material", "counted_by")
        .order_by("-variance_flagged", "-date", "dealer__code")
    )


def material_catalogue(user) -> QuerySet[Material]:
    """The materials (reference data: everyone sees them), the ones still handed out first."""
    return scope(user, Material).order_by("-active", "code")


def flagged_material_dealers(dealer_ids: Iterable[int]) -> set[int]:
    """Which of ``dealer_ids`` have a flagged latest count of some material (one query)."""
    return set(
        MaterialCount.objects.filter(dealer_id__in=list(dealer_ids), variance_flagged=True)
        .filter(_no_later_count())
        .values_list("dealer_id", flat=True)
    )


# --- people to tell ------------------------------------------------------------------------------------


def dealer_managers(dealer: Dealer) -> QuerySet:
    """The active channel managers whose territories hold the dealer's."""
    return (
        get_user_model()
        ._default_manager.filter(
            is_active=True,
            groups__name=Role.CHANNEL_MANAGER,
            profile__territories__path__in=dealer.territory.ancestor_paths(),
        )
        .distinct()
        .order_by("pk")
    )


# --- summary -------------------------------------------------------------------------------------------


def summary_by_territory_quarter(user, year: int) -> list[dict]:
    """Per budget territory and quarter of ``year`` (``None``: the year's own budgets): budgeted, committed,
    spent and remaining, over the budgets ``user`` sees (one query). The year's own row comes after its
    quarters, in every database (SQLite sorts NULL first, PostgreSQL last)."""
    rows: dict[tuple[str, int | None], dict] = {}
    for budget in budgets_for(user).filter(year=year).order_by("territory__path", F("quarter").asc(nulls_last=True)):
        key = (budget.territory.path, budget.quarter)
        row = rows.setdefault(
            key,
            {
                "territory": budget.territory,
                "quarter": budget.quarter,
                "budget": ZERO,
                "committed": ZERO,
                "spent": ZERO,
                "remaining": ZERO,
            },
        )
        row["budget"] += budget.amount
        row["committed"] += budget.committed
        row["spent"] += budget.spent
        row["remaining"] += budget.remaining
    return list(rows.values())


def may_see_budget(user, budget: FundBudget | None) -> bool:
    return budget is not None and (
        has_role(user, Role.FINANCE, Role.ADMIN) or scope(user, FundBudget).filter(pk=budget.pk).exists()
    )


# --- the dealer page's section ----------------------------------------------------------------------------


OPEN_REQUESTS = (
    FundRequest.Status.DRAFT,
    FundRequest.Status.SUBMITTED,
    FundRequest.Status.MANAGER_APPROVED,
    FundRequest.Status.APPROVED,
    FundRequest.Status.CLAIMED,
)


def dealer_funds(dealer_id: int) -> dict:
    """What the dealer page shows of channel funds, in one query: the requests still open and their amount,
    what was settled this year, the deposit's balance, and how many materials' latest counts are flagged."""
    year = timezone.localdate().year
    requests = FundRequest.objects.filter(dealer_id=OuterRef("pk"))
    flagged = (
        MaterialCount.objects.filter(dealer_id=OuterRef("pk"), variance_flagged=True)
        .filter(_no_later_count())
        .order_by()
        .values("dealer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )

    def total(queryset, field: str):
        return Coalesce(
            Subquery(queryset.order_by().values("dealer_id").annotate(s=Sum(field)).values("s")),
            Value(ZERO),
            output_field=MONEY_OUTPUT,
        )

    row = (
        Dealer.objects.filter(pk=dealer_id)
        .annotate(
            open_requests=Coalesce(
                Subquery(
                    requests.filter(status__in=OPEN_REQUESTS)
                    .order_by()
                    .values("dealer_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                Value(0),
                output_field=IntegerField(),
            ),
            open_amount=total(requests.filter(status__in=OPEN_REQUESTS), "requested_amount"),
            settled_this_year=total(
                requests.filter(status=FundRequest.Status.SETTLED, claim__settled_on__year=year), "settled_amount"
            ),
            deposit=total(DepositEntry.objects.filter(dealer_id=OuterRef("pk")).annotate(signed=_signed()), "signed"),
            has_deposit=Exists(DepositEntry.objects.filter(dealer_id=OuterRef("pk"))),
            flagged_materials=Coalesce(Subquery(flagged), Value(0), output_field=IntegerField()),
        )
        .values("open_requests", "open_amount", "settled_this_year", "deposit", "has_deposit", "flagged_materials")
        .get()
    )
    return {**row, "year": year}
