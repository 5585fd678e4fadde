"""The demo partner network of SPEC §10: believable, complete, conflict-free and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.core.management import call_command
from django.utils import timezone

from channelhub.accounts.models import Profile
from channelhub.scoping import territory_paths
from channelhub.workflow.models import StateChange
from partners.demo import _Planner, demo_dealer_codes, demo_territory_codes
from partners.models import Agreement, Dealer, DealerContact, ProductLine, QualificationReview, Territory
from partners.search import apply_search
from partners.selectors import agreements_ending, conflicting_agreements


def seed():
    call_command("seed_demo", quiet_logins=True)


def counts() -> dict[str, int]:
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


def test_seeding_twice_adds_and_changes_nothing(db):
    seed()
    before = counts()
    states = sorted(Dealer.objects.values_list("code", "status", "credit_limit", "owner__username"))
    seed()
    assert counts() == before
    assert sorted(Dealer.objects.values_list("code", "status", "credit_limit", "owner__username")) == states
    assert before["dealers"] == 65  # the partners demo's 60 and five terminals the stock demo adds


def test_the_plan_is_the_same_every_time():
    today = date(2026, 11, 22)
    assert _Planner(today).plan() == _Planner(today).plan()


def test_the_demo_knows_its_own_rows_whatever_the_day():
    """The demo draws among its own dealers, cities and agreements (``demo_*``): their codes and how many
    agreements each dealer gets are the same whichever day the plan is made."""
    plans = {day: _Planner(day).plan() for day in (date(2026, 1, 1), date(2026, 11, 22), date(2027, 12, 31))}
    for plan in plans.values():
        assert [dealer.code for dealer in plan] == demo_dealer_codes()
        assert {dealer.territory for dealer in plan} == set(demo_territory_codes(Territory.Level.CITY))
    counts = {
        day: [sum(1 + a.renewals + a.renewal_draft for a in dealer.agreements) for dealer in plan]
        for day, plan in plans.items()
    }
    assert len(set(map(tuple, counts.values()))) == 1
    assert len(demo_territory_codes()) == 1 + 3 + 9 + len(demo_territory_codes(Territory.Level.CITY))


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


def test_the_demo_company_is_complete_and_consistent(db):
    """One seed (it takes seconds), every check of what the demo must hold."""
    seed()
    check_the_tree_has_china_three_regions_provinces_and_cities()
    check_managers_cover_their_regions_and_their_reps_own_the_dealers()
    check_every_status_kind_and_tier_is_there()
    check_dealers_look_real()
    check_reviews_follow_the_life_cycle()
    check_agreements_cover_the_cases_the_pages_and_jobs_need()
    check_life_cycles_are_logged()
