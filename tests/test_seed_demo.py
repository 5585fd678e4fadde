"""The demo company (``seed_demo``, SPEC §10), seeded twice once for all the apps: what each app's demo
must hold, and that the second run adds and changes nothing.

The demo is seeded on an empty database, read, seeded again and read again, once for this module (in a
transaction rolled back at its end; the module keeps to one xdist worker, ``xdist_group``). Each test then
reads that database in a transaction of its own, rolled back after it: a test may seed again or change rows
without the next one seeing it. The demo seeded on another day or next to the users' own rows:
``tests/channelhub/test_seed_demo.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from channelhub.accounts.demo import DEMO_PASSWORD, seed_users
from channelhub.accounts.models import Profile
from channelhub.notifications.models import Notification
from channelhub.periods import Month, week_start
from channelhub.roles import Role, roles_of
from channelhub.scoping import team_of, territory_paths
from channelhub.workflow.models import StateChange
from commissions.models import CommissionPlan, Statement
from evidence.models import Attachment
from evidence.selectors import attachments_of
from funds import selectors
from funds.models import (
    DepositEntry,
    DepositRefund,
    FundBudget,
    FundClaim,
    FundRequest,
    Material,
    MaterialCount,
    MaterialIssue,
)
from inspections.models import ChecklistTemplate, Complaint, Inspection
from inspections.selectors import complaints_late, inspection_list
from inventory.models import StockReport
from kpi.models import Collection, Expense, SalesRecord, Scorecard, Target
from kpi.selectors.measures import measures_table
from partners.demo import demo_agreement_ids
from partners.models import Agreement, Dealer, DealerContact, ProductLine, QualificationReview, Territory
from partners.search import apply_search
from partners.selectors import agreements_ending, conflicting_agreements
from rebates.models import RebateAccrual, RebateProgram, RebateRun, RebateSettlement
from rebates.periods import RebatePeriod
from tests.demo import seed, snapshot
from visits.demo import PLAN_WEEKS_BACK, seed_visits
from visits.models import Quota, Visit, VisitPlan, VisitPlanItem
from visits.selectors import plans_to_review, review_queue
from visits.selectors.compliance import compliance_for
from visits.services.visits import visit_apply_checks

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("seed_demo")]

User = get_user_model()
D = Decimal
REPS = ("rep1", "rep2", "rep3", "rep4", "rep5", "rep6")


def user(username: str):
    return User.objects.get(username=username)


# --- what the two runs are compared by ---------------------------------------------------------------------


def users_and_managers() -> list[tuple]:
    return sorted(User.objects.values_list("username", "profile__employee_no", "profile__manager__username"))


def partners_counts() -> dict[str, int]:
    return {
        "territories": Territory.objects.count(),
        "product lines": ProductLine.objects.count(),
        "dealers": Dealer.objects.count(),
        "contacts": DealerContact.objects.count(),
        "reviews": QualificationReview.objects.count(),
        "agreements": Agreement.objects.count(),
        "state changes": StateChange.objects.count(),
        "dealer history": Dealer.history.count(),
        "agreement history": Agreement.history.count(),
        "covered territories": Profile.territories.through.objects.count(),
    }


def visits_counts() -> dict[str, int]:
    return {
        "visits": Visit.objects.count(),
        "visit history": Visit.history.count(),
        "plans": VisitPlan.objects.count(),
        "plan items": VisitPlanItem.objects.count(),
        "plan history": VisitPlan.history.count(),
        "state changes": StateChange.objects.count(),
        "quotas": Quota.objects.count(),
    }


def kpi_counts() -> dict[str, int]:
    return {
        "sales": SalesRecord.objects.count(),
        "collections": Collection.objects.count(),
        "expenses": Expense.objects.count(),
        "targets": Target.objects.count(),
        "scorecards": Scorecard.objects.count(),
        "plans": CommissionPlan.objects.count(),
        "statements": Statement.objects.count(),
    }


def funds_counts() -> dict[str, int]:
    return {
        "budgets": FundBudget.objects.count(),
        "requests": FundRequest.objects.count(),
        "request history": FundRequest.history.count(),
        "claims": FundClaim.objects.count(),
        "state changes": StateChange.objects.count(),
        "attachments": Attachment.objects.count(),
        "expenses": Expense.objects.count(),
        "deposit entries": DepositEntry.objects.count(),
        "refunds": DepositRefund.objects.count(),
        "materials": Material.objects.count(),
        "issues": MaterialIssue.objects.count(),
        "counts": MaterialCount.objects.count(),
        "notifications": Notification.objects.count(),
    }


def rebates_counts() -> dict[str, int]:
    return {
        "programs": RebateProgram.objects.count(),
        "runs": RebateRun.objects.count(),
        "settlements": RebateSettlement.objects.count(),
        "lines": RebateSettlement.objects.filter(lines__isnull=False).count(),
        "accruals": RebateAccrual.objects.count(),
        "paid": RebateSettlement.objects.filter(status="paid").count(),
    }


def inventory_counts() -> dict[str, int]:
    return {
        "reports": StockReport.objects.count(),
        "confirmed": StockReport.objects.filter(status="confirmed").count(),
        "key": Dealer.objects.filter(is_key_account=True).count(),
        "terminals": Dealer.objects.filter(kind="retail_terminal").count(),
    }


#: Read after the first run and again after the second: name → what it reads.
def inspections_counts() -> tuple:
    from inspections.models import Rectification

    return (
        Inspection.objects.count(),
        Rectification.objects.count(),
        Complaint.objects.count(),
        sorted(Inspection.objects.values_list("pk", "status", "kind", "score", "done_at", "planned_on")),
        ChecklistTemplate.objects.get(code="price").items.count(),
    )


READINGS = {
    "users": users_and_managers,
    "partners": partners_counts,
    "dealer states": lambda: sorted(Dealer.objects.values_list("code", "status", "credit_limit", "owner__username")),
    "visits": visits_counts,
    "visit states": lambda: sorted(Visit.objects.values_list("client_uuid", "status", "late_entry", "far_from_dealer")),
    "kpi": kpi_counts,
    "funds": funds_counts,
    "rebates": rebates_counts,
    "inventory": inventory_counts,
    "inspections": inspections_counts,
    "every row": snapshot,
}


@dataclass(frozen=True)
class Seeded:
    #: ``READINGS`` after the first run, and after the second
    first: dict
    second: dict
    #: what the second run printed (it prints the demo logins: no ``--quiet-logins``)
    output: str


def read() -> dict:
    return {name: reading() for name, reading in READINGS.items()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Seeded:
    """The demo seeded twice on the empty test database, in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        first = read()
        output = StringIO()
        call_command("seed_demo", stdout=output)
        yield Seeded(first, read(), output.getvalue())
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _on_the_seeded_database(seeded, db):
    """Every test runs on the seeded database, in a transaction (a savepoint) rolled back after it."""


# --- the people (channelhub) ---------------------------------------------------------------------------


def test_people_seed_demo_builds_the_people_of_spec_sections_10_and_17():
    by_role = {role: [u.username for u in User.objects.order_by("username") if role in roles_of(u)] for role in Role}
    assert len(by_role[Role.FIELD_REP]) == 6
    assert by_role[Role.CHANNEL_MANAGER] == ["manager1", "manager2"]
    assert by_role[Role.FINANCE] == ["finance"]
    assert by_role[Role.ADMIN] == ["admin"]
    assert by_role[Role.INSPECTOR] == ["inspector1"]
    assert sorted(team_of(User.objects.get(username="manager1")).values_list("username", flat=True)) == [
        "rep1",
        "rep2",
        "rep3",
    ]
    assert team_of(User.objects.get(username="manager2")).count() == 3


def test_people_seed_demo_is_idempotent(seeded):
    assert seeded.second["users"] == seeded.first["users"]
    assert User.objects.count() == 11


def test_people_seed_demo_repairs_a_changed_role_but_keeps_a_changed_password():
    rep1 = User.objects.get(username="rep1")
    rep1.groups.clear()
    rep1.set_password("my-own-password-1")
    rep1.save()
    seed()
    rep1 = User.objects.get(username="rep1")
    assert roles_of(rep1) == {Role.FIELD_REP}
    assert rep1.check_password("my-own-password-1")


def test_people_demo_logins_work(rf):
    request = rf.post("/accounts/login/")
    for username in ("admin", "finance", "manager1", "rep6"):
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None


def test_people_seed_demo_prints_the_logins(seeded):
    out = seeded.output
    assert DEMO_PASSWORD in out
    for username in ("admin", "finance", "manager1", "manager2", "rep1", "rep6"):
        assert username in out


def test_a_second_seed_changes_nothing_at_all(seeded):
    assert seeded.second["every row"] == seeded.first["every row"]


# --- partners -------------------------------------------------------------------------------------------


def test_partners_seeding_twice_adds_and_changes_nothing(seeded):
    before = seeded.first["partners"]
    assert seeded.second["partners"] == before
    assert seeded.second["dealer states"] == seeded.first["dealer states"]
    assert before["dealers"] == 65  # the partners demo's 60 and five terminals the stock demo adds


def check_the_tree_has_china_three_regions_provinces_and_cities():
    china = Territory.objects.get(code="CN")
    assert china.level == Territory.Level.COUNTRY
    regions = Territory.objects.filter(parent=china)
    assert {(r.code, r.name) for r in regions} == {("EAST", "华东"), ("NORTH", "华北"), ("SOUTH", "华南")}
    assert Territory.objects.get(code="SH").path == "/CN/EAST/SH/"
    assert Territory.objects.get(code="JS-NJ").path == "/CN/EAST/JS/JS-NJ/"
    assert Territory.objects.filter(level=Territory.Level.PROVINCE).count() == 9
    for province in Territory.objects.filter(level=Territory.Level.PROVINCE):
        assert 1 <= province.children.count() <= 3
    assert not Dealer.objects.exclude(territory__level=Territory.Level.CITY).exists()


def check_managers_cover_their_regions_and_their_reps_own_the_dealers():
    coverage = {
        p.user.username: sorted(p.territories.values_list("code", flat=True))
        for p in Profile.objects.filter(territories__isnull=False).distinct().select_related("user")
    }
    # inspector1 (SPEC §17) inspects manager1's regions
    assert coverage == {"manager1": ["EAST", "NORTH"], "manager2": ["SOUTH"], "inspector1": ["EAST", "NORTH"]}
    for dealer in Dealer.objects.select_related("territory", "owner__profile__manager"):
        manager = dealer.owner.profile.manager
        assert any(dealer.territory.path.startswith(path) for path in territory_paths(manager)), dealer


def check_every_status_kind_and_tier_is_there():
    assert set(Dealer.objects.values_list("status", flat=True)) == set(Dealer.Status.values)
    assert set(Dealer.objects.values_list("kind", flat=True)) == set(Dealer.Kind.values)
    assert set(Dealer.objects.values_list("tier", flat=True)) == set(Dealer.Tier.values)


def check_dealers_look_real():
    example = Dealer.objects.get(code="SH001")
    assert (example.name, example.legal_name) == ("上海华丰贸易", "上海华丰贸易有限公司")
    assert list(apply_search(Dealer.objects.all(), "shhf")) == [example]
    contacts = Counter(DealerContact.objects.values_list("dealer", flat=True))
    assert set(contacts.values()) <= {1, 2} and len(contacts) == 65
    for contact in DealerContact.objects.all():
        assert len(contact.phone) == 11 and contact.phone.startswith("1") and "@" in contact.email
    assert not Dealer.objects.filter(latitude__isnull=True).exists()
    assert Dealer.objects.filter(parent__isnull=False, parent__kind=Dealer.Kind.DISTRIBUTOR).exists()


def check_reviews_follow_the_life_cycle():
    decided = QualificationReview.objects.exclude(decision=QualificationReview.Decision.PENDING)
    assert set(decided.values_list("submitted_by__username", flat=True)) <= {"manager1", "manager2"}
    assert set(decided.values_list("decided_by__username", flat=True)) == {"finance"}
    assert decided.filter(decision=QualificationReview.Decision.REJECTED).exists()
    for status in (Dealer.Status.QUALIFIED, Dealer.Status.ACTIVE, Dealer.Status.SUSPENDED):
        for dealer in Dealer.objects.filter(status=status):
            assert dealer.credit_limit > 0
            assert dealer.reviews.filter(decision=QualificationReview.Decision.APPROVED).exists()
    under_review = Dealer.objects.filter(status=Dealer.Status.UNDER_REVIEW)
    assert all(d.reviews.filter(decision=QualificationReview.Decision.PENDING).exists() for d in under_review)


def check_agreements_cover_the_cases_the_pages_and_jobs_need():
    today = timezone.localdate()
    signed = Agreement.objects.filter(status=Agreement.Status.SIGNED)
    assert signed.filter(exclusive=True).exists()
    assert agreements_ending(today, 30).exists()
    assert set(Agreement.objects.values_list("status", flat=True)) == set(Agreement.Status.values)
    assert Agreement.objects.filter(previous__isnull=False, status=Agreement.Status.SIGNED).exists()  # renewed
    assert signed.filter(end_date__lt=today).exists()  # expired
    active = Dealer.objects.filter(status=Dealer.Status.ACTIVE)
    assert all(d.agreements.filter(status=Agreement.Status.SIGNED).exists() for d in active)
    for agreement in signed.filter(exclusive=True):
        assert not conflicting_agreements(agreement).exists(), agreement


def check_life_cycles_are_logged():
    dealer = Dealer.objects.filter(status=Dealer.Status.ACTIVE).first()
    assert [c.to_state for c in Dealer.workflow.log(dealer)] == ["prospect", "under_review", "qualified", "active"]
    assert dealer.history.exists()


def test_partners_the_demo_company_is_complete_and_consistent():
    """Every check of what the demo must hold."""
    check_the_tree_has_china_three_regions_provinces_and_cities()
    check_managers_cover_their_regions_and_their_reps_own_the_dealers()
    check_every_status_kind_and_tier_is_there()
    check_dealers_look_real()
    check_reviews_follow_the_life_cycle()
    check_agreements_cover_the_cases_the_pages_and_jobs_need()
    check_life_cycles_are_logged()


# --- visits ---------------------------------------------------------------------------------------------


def test_visits_seeding_twice_adds_and_changes_nothing(seeded):
    assert seeded.second["visits"] == seeded.first["visits"]
    assert seeded.second["visit states"] == seeded.first["visit states"]


def test_visits_a_later_run_adds_only_the_days_since():
    before = set(Visit.objects.values_list("pk", "client_uuid", "status"))
    today = timezone.localdate()
    seed_visits(seed_users(), now=timezone.now() + timedelta(days=3))
    assert before <= set(Visit.objects.values_list("pk", "client_uuid", "status"))
    added = Visit.objects.exclude(pk__in=[pk for pk, *_rest in before])
    assert added.exists()  # three days hold at least one working day
    assert not added.filter(visited_on__lt=today).exists()


def check_every_rep_visits_own_dealers_every_month():
    today = timezone.localdate()
    months = [Month.current().previous()]
    while len(months) < 12:
        months.append(months[-1].previous())
    for username in REPS:
        visits = Visit.objects.filter(rep__username=username)
        assert not visits.exclude(dealer__owner__username=username).exists()
        assert not visits.filter(dealer__status=Dealer.Status.TERMINATED).exists()
        for month in months:
            in_month = visits.filter(visited_on__range=(month.first_day, month.last_day))
            assert 15 <= in_month.count() <= 50, (username, str(month))
        assert not visits.filter(visited_on__week_day__in=(1, 7)).exists()  # Sunday, Saturday
        assert not visits.filter(visited_on__gte=today).exists()


def check_nothing_is_in_the_future():
    now = timezone.now()
    assert not Visit.objects.filter(Q(visited_at__gt=now) | Q(created_at__gt=now) | Q(reviewed_at__gt=now)).exists()
    assert not StateChange.objects.filter(at__gt=now).exists()
    assert not Visit.objects.filter(created_at__lt=F("visited_at")).exists()


def check_some_reps_meet_the_quota_and_some_fall_short():
    reps = [user(username) for username in REPS]
    met = Counter()
    month = Month.current().previous()
    for _ in range(12):
        for row in compliance_for(reps, month):
            met[row.rep.username] += row.shortfall == 0
        month = month.previous()
    assert met["rep1"] >= 8 and met["rep4"] >= 8
    assert met["rep3"] <= 4 and met["rep5"] <= 4
    assert Quota.objects.get(rep__username="rep6").monthly_min == 25
    assert compliance_for([user("rep6")], Month.current())[0].monthly_min == 25


def check_the_flags_are_what_the_service_would_set():
    assert Visit.objects.filter(late_entry=True).count() >= 20
    far = Visit.objects.filter(far_from_dealer=True)
    assert far.count() >= 20
    assert all(Decimal(1500) < v.distance_m < Decimal(3000) for v in far)
    for visit in Visit.objects.select_related("dealer").order_by("?")[:200]:
        stored = (visit.visited_on, visit.late_entry, visit.far_from_dealer, visit.distance_m)
        visit_apply_checks(visit)
        assert (visit.visited_on, visit.late_entry, visit.far_from_dealer, visit.distance_m) == stored


def check_managers_reviewed_older_visits_and_have_flagged_ones_waiting():
    by_status = Counter(Visit.objects.values_list("status", flat=True))
    assert by_status["confirmed"] > by_status["submitted"] > 0
    assert 10 <= by_status["false_report"] < 100 and 10 <= by_status["fabricated"] < 100
    reviewed = Visit.objects.exclude(status=Visit.Status.SUBMITTED)
    for visit in reviewed.select_related("rep__profile").order_by("?")[:50]:
        assert visit.reviewed_by_id == visit.rep.profile.manager_id
        log = list(Visit.workflow.log(visit))
        assert [(c.transition, c.by_id) for c in log] == [
            ("create", visit.rep_id),
            (
                {"confirmed": "confirm", "false_report": "mark_false", "fabricated": "mark_fabricated"}[visit.status],
                visit.reviewed_by_id,
            ),
        ]
        assert [r.status for r in visit.history.order_by("history_date")] == ["submitted", visit.status]
    for manager in ("manager1", "manager2"):
        queue = review_queue(user(manager))
        team = set(User.objects.filter(profile__manager__username=manager).values_list("username", flat=True))
        assert set(queue.values_list("rep__username", flat=True)) == team
        assert queue.filter(late_entry=True).exists() and queue.filter(far_from_dealer=True).exists()


def check_week_plans():
    this_week = week_start(timezone.localdate())
    plans = VisitPlan.objects.all()
    assert set(plans.values_list("rep__username", flat=True)) == set(REPS)
    assert plans.filter(week_start__lt=this_week - timedelta(weeks=PLAN_WEEKS_BACK)).count() == 0
    by_status = Counter(plans.values_list("status", flat=True))
    assert by_status["approved"] > 30 and by_status["returned"] >= 1 and by_status["draft"] >= 1
    assert plans.filter(is_late=True).count() == 1
    current = plans.filter(week_start=this_week)
    assert current.count() == 6 and set(current.values_list("status", flat=True)) == {"submitted"}
    for manager in ("manager1", "manager2"):
        assert plans_to_review(user(manager)).count() == 3
    for item in VisitPlanItem.objects.select_related("plan", "dealer"):
        assert item.plan.week_start <= item.planned_date <= item.plan.week_end
        assert item.dealer.owner_id == item.plan.rep_id
    approved = plans.filter(status=VisitPlan.Status.APPROVED).first()
    assert [c.transition for c in VisitPlan.workflow.log(approved)][-1] == "approve"
    assert approved.submitted_at < approved.reviewed_at <= timezone.now()
    assert approved.created_at < approved.submitted_at


def test_visits_the_demo_visits_are_complete_and_consistent():
    """Every check of what the demo must hold."""
    check_every_rep_visits_own_dealers_every_month()
    check_nothing_is_in_the_future()
    check_some_reps_meet_the_quota_and_some_fall_short()
    check_the_flags_are_what_the_service_would_set()
    check_managers_reviewed_older_visits_and_have_flagged_ones_waiting()
    check_week_plans()


# --- kpi and commissions ----------------------------------------------------------------------------------


def test_kpi_the_demo_year_of_figures(seeded):
    first = seeded.first["kpi"]
    assert seeded.second["kpi"] == first  # a second run adds nothing
    assert first["sales"] > 500 and first["collections"] > 100 and first["expenses"] > 100

    # last month: rep3 and rep5 over the 6 % expense-rate target, rep2 and rep5 under 80 % collection
    reps = list(User.objects.filter(username__in=REPS).order_by("username"))
    rows = {row.rep.username: row for row in measures_table(reps, str(Month.current().previous())).rows}
    over_expense = {name for name, row in rows.items() if row.expense_rate and row.expense_rate > Decimal("6.00")}
    under_collection = {
        name for name, row in rows.items() if row.collection_rate is not None and row.collection_rate < 80
    }
    assert {"rep3", "rep5"} <= over_expense
    assert {"rep2", "rep5"} <= under_collection
    assert all(row.sales_target is not None for row in rows.values())  # approved or acknowledged targets

    assert set(Target.objects.values_list("status", flat=True)) == {"proposed", "approved", "acknowledged"}
    assert set(Scorecard.objects.values_list("template__code", flat=True)) == {"mbo", "bsc"}
    assert set(Scorecard.objects.values_list("status", flat=True)) == {"draft", "confirmed"}
    assert SalesRecord.objects.filter(amount__lt=0).exists()  # credit notes
    assert 0 < SalesRecord.objects.filter(channel_conflict=True).count() < SalesRecord.objects.count() / 10

    # commissions: a flat plan with a gate and a marginal plan with scorecard factor and retention;
    # last month's statements computed, then submitted, approved and paid
    plans = {plan.tier_mode: plan for plan in CommissionPlan.objects.all()}
    assert plans["flat"].collection_gate == Decimal("80.00")
    assert plans["marginal"].use_scorecard and plans["marginal"].retention == Decimal("10.00")
    last = str(Month.current().previous())
    statuses = dict(Statement.objects.filter(period=last).values_list("rep__username", "status"))
    assert set(statuses.values()) == {"draft", "submitted", "approved", "paid"}
    assert all(
        statement.payable_amount == statement.net_amount - statement.retained_amount
        for statement in Statement.objects.all()
    )


# --- funds ----------------------------------------------------------------------------------------------


def test_funds_a_second_seed_adds_nothing(seeded):
    first, second = seeded.first["funds"], seeded.second["funds"]
    assert second == first
    assert first["requests"] == 20 and first["claims"] == 6


def test_funds_every_request_state_is_there():
    assert set(FundRequest.objects.values_list("status", flat=True)) == set(FundRequest.Status.values)
    assert set(FundClaim.objects.values_list("status", flat=True)) == set(FundClaim.Status.values) - {"not_met"}
    # a possible split: two requests of one dealer and category whose dates overlap, both flagged
    pair = list(FundRequest.objects.filter(possible_split=True))
    assert len(pair) == 2 and pair[0].dealer_id == pair[1].dealer_id and pair[0].category == pair[1].category
    assert pair[0].start_date <= pair[1].end_date and pair[1].start_date <= pair[0].end_date
    for rejected in FundRequest.objects.filter(status="rejected"):
        assert rejected.reject_reason
    # the not-met claim settled at 0.00, with the checker's reason
    not_met = FundClaim.objects.get(settled_amount=Decimal("0.00"))
    assert not_met.check_reason and not_met.expense is None
    assert not Expense.objects.filter(reference=f"FUND-{not_met.request.number}").exists()


def test_funds_a_settled_met_claim_wrote_exactly_one_expense():
    settled = FundClaim.objects.filter(status="settled", settled_amount__gt=0).select_related(
        "request__dealer", "expense"
    )
    assert settled.count() == 3
    for claim in settled:
        expenses = Expense.objects.filter(reference=f"FUND-{claim.request.number}")
        assert expenses.count() == 1
        expense = expenses.get()
        assert claim.expense == expense
        assert expense.amount == claim.actual_amount == claim.request.settled_amount
        assert expense.date == claim.settled_on == timezone.localdate()
        assert expense.rep_id == claim.request.dealer.owner_id and expense.dealer_id == claim.request.dealer_id


def test_funds_claims_carry_photos_and_an_invoice():
    for claim in FundClaim.objects.all():
        kinds = [attachment.kind for attachment in attachments_of(claim)]
        assert kinds.count(Attachment.Kind.PHOTO) == 2 and kinds.count(Attachment.Kind.INVOICE) == 1
    # the one waiting for the manager's check has a photo taken far from the dealer
    assert FundClaim.objects.get(status="open").photo_far


def test_funds_each_next_actor_has_work_waiting():
    manager1, manager2, finance = user("manager1"), user("manager2"), user("finance")
    assert selectors.manager_queue(manager1).count() >= 2
    assert selectors.manager_queue(manager2).count() >= 2
    assert selectors.finance_queue(finance).count() >= 2
    assert selectors.claims_to_check(manager1).exists()
    assert selectors.claims_to_settle(finance).exists()
    assert selectors.refunds_to_decide(finance).exists()
    assert selectors.requests_to_claim(user("rep1")).exists()


def test_funds_budgets_cover_this_years_quarters_and_the_year():
    year = timezone.localdate().year
    budgets = FundBudget.objects.filter(year=year)
    assert set(budgets.filter(quarter__isnull=False).values_list("quarter", flat=True)) == {1, 2, 3, 4}
    assert budgets.filter(quarter__isnull=True).count() >= 5
    assert len(set(budgets.values_list("category", flat=True))) >= 5
    for budget in selectors.with_figures(budgets):
        assert budget.remaining >= 0


def test_funds_the_deposit_ledger():
    confirmed = Agreement.objects.filter(
        pk__in=demo_agreement_ids(), deposit_received_on__isnull=False, deposit_amount__gt=0
    )
    received = DepositEntry.objects.filter(kind="received")
    assert set(received.values_list("agreement_id", flat=True)) == set(confirmed.values_list("pk", flat=True))
    deduction = DepositEntry.objects.get(kind="deducted")
    assert deduction.reason and deduction.amount == Decimal("5000.00")
    refunds = {refund.status: refund for refund in DepositRefund.objects.select_related("dealer")}
    assert set(refunds) == {"proposed", "approved"}
    assert all(refund.dealer.status == "terminated" for refund in refunds.values())
    assert (
        refunds["approved"].entry.kind == "refunded" and refunds["approved"].entry.amount == refunds["approved"].amount
    )
    assert selectors.deposit_balance(refunds["approved"].dealer_id) == Decimal("0.00")


def test_funds_materials_with_one_count_beyond_five_percent():
    assert {"海报（A1）", "X展架", "堆头围挡", "门头灯箱"} <= set(Material.objects.values_list("name", flat=True))
    flagged = MaterialCount.objects.get(variance_flagged=True)
    assert abs(flagged.variance) * 100 > 5 * flagged.issued_quantity
    assert flagged.variance == flagged.issued_quantity - flagged.used_quantity - flagged.counted_quantity
    assert MaterialCount.objects.filter(variance_flagged=False).count() >= 3
    assert MaterialIssue.objects.filter(request__isnull=False).exists()


# --- rebates --------------------------------------------------------------------------------------------


def test_rebates_a_second_seed_adds_nothing(seeded):
    first, second = seeded.first["rebates"], seeded.second["rebates"]
    assert second == first
    assert first["programs"] == 2 and first["paid"] > 0 and first["accruals"] > 0


def test_rebates_every_signed_demo_agreement_names_a_program():
    assert not Agreement.objects.filter(status="signed", rebate_program__isnull=True).exists()


def test_rebates_the_quarter_before_last_is_paid_and_the_last_is_in_draft():
    last = RebatePeriod.containing(timezone.localdate(), annual=False).previous()
    before = last.previous()
    assert set(RebateSettlement.objects.filter(period=str(before)).values_list("status", flat=True)) == {"paid"}
    assert set(RebateSettlement.objects.filter(period=str(last)).values_list("status", flat=True)) == {"draft"}
    for paid in RebateSettlement.objects.filter(status="paid"):
        assert paid.payment_reference.endswith(f"{before}-{paid.dealer.code}") and paid.paid_on


def test_rebates_the_showcase_distributor_reaches_104_percent_with_two_flagged_sales():
    last = RebatePeriod.containing(timezone.localdate(), annual=False).previous()
    showcase = RebateSettlement.objects.get(period=str(last), attainment=D("104.00"), dealer__kind="distributor")
    # basis = 1.04 × target; 2 % of the basis; 2 × 10 % = 20 % of it forfeited
    assert showcase.basis_amount == showcase.target_amount * D("1.04")
    assert showcase.rate == D("2.00") and showcase.conflict_count == 2
    assert showcase.gross_amount == (showcase.basis_amount * D("0.02")).quantize(D("0.01"))
    assert showcase.penalty_amount == (showcase.gross_amount * D("0.20")).quantize(D("0.01"))
    assert showcase.net_amount == showcase.gross_amount - showcase.penalty_amount


# --- inventory ------------------------------------------------------------------------------------------


def test_inventory_a_second_seed_adds_nothing(seeded):
    first, second = seeded.first["inventory"], seeded.second["inventory"]
    assert second == first
    assert first["reports"] > 300 and first["key"] > 0


def test_inventory_twelve_months_with_the_last_waiting_for_the_managers():
    last = Month.current().previous()
    periods = sorted(set(StockReport.objects.values_list("period", flat=True)))
    assert len(periods) == 12 and periods[-1] == str(last)
    assert set(StockReport.objects.filter(period__lt=str(last)).values_list("status", flat=True)) == {"confirmed"}
    assert set(StockReport.objects.filter(period=str(last)).values_list("status", flat=True)) == {"submitted"}
    for report in StockReport.objects.filter(status="confirmed").exclude(confirmed_by=None)[:50]:
        assert report.confirmed_by_id != report.submitted_by_id


def test_inventory_the_last_month_shows_each_flag():
    last = StockReport.objects.filter(period=str(Month.current().previous()))
    assert last.filter(overstock=True, dealer__kind="distributor").exists()
    assert last.filter(stockout=True, dealer__kind="retail_terminal").exists()
    assert last.filter(slow_moving=True, dealer__kind="retail_terminal").exists()


def test_inventory_distributors_receive_what_we_sold_them():
    reports = StockReport.objects.filter(dealer__kind="distributor", received_amount__gt=0)
    assert reports.exists()
    assert not reports.filter(receipt_mismatch=True).exists()


# --- inspections ----------------------------------------------------------------------------------------


def test_inspections_a_second_seed_adds_nothing(seeded):
    assert seeded.second["inspections"] == seeded.first["inspections"]
    done = Inspection.objects.filter(status=Inspection.Status.REVIEWED)
    assert done.count() == 12
    assert set(done.values_list("kind", flat=True)) == {"routine", "mystery", "quarterly"}
    assert set(done.values_list("template__code", flat=True)) == {"display", "price", "stock"}
    today = timezone.localdate()
    assert all(today - timedelta(days=92) <= i.done_at.date() <= today for i in done)
    assert Complaint.objects.count() == 8
    # the price template: a price item per demo product line, its weights adding up to exactly 100
    price = ChecklistTemplate.objects.get(code="price")
    assert price.items.aggregate(total=Sum("weight"))["total"] == Decimal("100")
    assert sorted(price.items.filter(kind="price").values_list("product_line__code", flat=True)) == [
        "hvac",
        "kitchen",
        "small-appliances",
        "water",
    ]


def test_inspections_the_stories_the_demo_tells():
    rep1, inspector1 = User.objects.get(username="rep1"), User.objects.get(username="inspector1")
    # the mystery showcase: a failed critical item and a price below the minimum; one rectification verified,
    # one waiting for verification, one open and overdue
    showcase = Inspection.objects.get(kind="mystery", price_violation=True)
    assert showcase.critical_failed and showcase.score <= Decimal("59.0")
    assert showcase.dealer.owner == rep1
    assert sorted(showcase.rectifications.values_list("status", flat=True)) == ["open", "submitted", "verified"]
    overdue = showcase.rectifications.get(status="open")
    assert overdue.critical and overdue.is_overdue(timezone.localdate())
    # today's plans, and the planned mystery inspection of rep1's terminal that rep1 does not see
    today = timezone.localdate()
    planned = Inspection.objects.filter(status="planned", planned_on=today)
    assert set(planned.values_list("inspector__username", flat=True)) == {"inspector1", "manager1"}
    mystery = Inspection.objects.get(kind="mystery", status="planned")
    assert mystery.dealer.owner == rep1 and mystery.dealer.kind == "retail_terminal"
    assert not inspection_list(rep1).filter(pk=mystery.pk).exists()
    assert inspection_list(inspector1).filter(pk=mystery.pk).exists()
    assert inspection_list(rep1).filter(pk=showcase.pk).exists()  # done: visible now
    # complaints: two late, one open; rep1's late one counts on rep1's month (the scorecard's deduction)
    assert Complaint.objects.filter(late=True).count() == 2
    assert Complaint.objects.filter(status="received").count() == 1
    late = Complaint.objects.get(assignee=rep1, late=True)
    assert late.responded_at - late.received_at > timedelta(hours=5)
    month = Month.of(timezone.localdate(late.received_at))
    assert complaints_late(month, assignee_ids=[rep1.pk]) == {rep1.pk: 1}
    if timezone.localdate().day > 1:
        assert month == Month.current()
