"""The world of the authorization matrix: one object of every kind owned by (or about) ``rep`` — the
one every ``<pk>`` of the matrix stands for — and the same kinds owned by ``rep_peer`` and
``other_rep``, marked so that a page or an endpoint that leaks them can be caught.

    manager (EAST) ── rep, rep_peer            other_manager (SOUTH) ── other_rep
    inspector (EAST, group ``inspector``): sees the dealers of EAST read-only and its own inspections

* ``rep``'s dealer MINE-D1 lies in SH-PD (EAST); ``rep_peer``'s PEER-D1 in JS-NJ (EAST);
  ``other_rep``'s LEAK-D1 in GD-GZ (SOUTH).
* ``rep``'s and ``rep_peer``'s amounts are all below 100,000.00; ``other_rep``'s are all above
  500,000.00 (987,654.32 …), so a total that includes one of them shows a figure of six digits or
  more — which ``rep``, ``rep_peer`` and ``manager`` never see anywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from channelhub.notifications.models import Notification
from commissions.models import CommissionRun, Dispute, StatementLine
from evidence.services import attachment_make_copies, attachments_add
from funds.models import DepositEntry, FundBudget, FundClaim, FundRequest, Material, MaterialCount
from kpi.models import Period, Scorecard, ScorecardTemplate
from kpi.scorecard_defaults import ensure_default_templates
from partners.services import dealers as dealer_services
from tests.authz.funds_world import add_funds
from tests.authz.inspections_world import add_inspections, settle_inspections
from tests.authz.inventory_world import add_inventory
from tests.authz.rebates_world import add_rebates
from tests.commissions.statement_world import make_statement, plan
from tests.evidence.files import photo
from tests.kpi.scorecard_world import collection, expense, sale, target
from tests.partners.world import FULL_REVIEW, make_agreement, make_dealer
from tests.visits.world import log
from visits.models import VisitPlan

D = Decimal
#: The month of the statements, scorecards and runs (the past, and open).
MONTH = "2026-11"
#: The month of the paid statements (the payout exports).
PAID_MONTH = "2026-10"
#: Each world's photo is another file (no ``photo_reused`` between them).
PHOTO_COLOURS = {"MINE": (200, 40, 40), "PEER": (40, 200, 40), "LEAK": (40, 40, 200)}
ROLES = ("rep", "rep_peer", "other_rep", "manager", "other_manager", "finance", "admin", "inspector")

#: Who sees an object of ``rep`` of each kind (SPEC §2); the others must get 404.
SEES_REPS_OBJECT = {
    "dealer": {"rep", "manager", "finance", "admin", "inspector"},  # the inspector: read-only (SPEC §17)
    "agreement": {"rep", "manager", "finance", "admin"},
    "visit": {"rep", "manager", "admin"},
    "attachment": {"rep", "manager", "admin"},  # visible iff its object (a visit) is
    "plan": {"rep", "manager", "admin"},
    "fact": {"rep", "manager", "finance", "admin"},
    "target": {"rep", "manager", "finance", "admin"},
    "scorecard": {"rep", "manager", "finance", "admin"},
    "statement": {"rep", "manager", "finance", "admin"},
    "user": {"rep", "manager", "finance", "admin"},
    "notification": {"rep"},
    "run": {"manager", "other_manager", "finance", "admin"},
    "budget": {"manager", "finance", "admin"},  # a budget of rep's territory (funds.policies)
    "finance_only": {"finance", "admin"},  # a rebate run (it covers every dealer)
    "reference": set(ROLES),
    # inspections (SPEC §17): rep's dealer's inspection is the inspector's own; complaints are not theirs
    "inspection": {"rep", "manager", "finance", "admin", "inspector"},
    "complaint": {"rep", "manager", "finance", "admin"},
    # a planned mystery inspection of rep's dealer: hidden from rep until it is done
    "mystery": {"manager", "finance", "admin", "inspector"},
}

#: Text that only the roles named may ever read (in any page, endpoint or export): kind → marker.
#: Each role's own names are fine for itself; the people's names of the other team are markers too.
MARKERS = {
    # the people (conftest.py): a rep's name is for the rep, the rep's manager, finance and admins
    "刘洋": {"other_rep", "other_manager", "finance", "admin"},
    "李娜": {"rep_peer", "manager", "finance", "admin", "inspector"},
    "张伟": {"rep", "manager", "finance", "admin", "inspector"},  # the owner of a dealer the inspector sees
    # other_rep's objects
    "LEAK-D1": {"other_rep", "other_manager", "finance", "admin"},
    "LEAK-VISIT": {"other_rep", "other_manager", "admin"},
    "LEAK-PHOTO": {"other_rep", "other_manager", "admin"},
    "LEAK-SALE": {"other_rep", "other_manager", "finance", "admin"},
    "LEAK-DISPUTE": {"other_rep", "other_manager", "finance", "admin"},
    "LEAK-NOTE": {"other_rep"},
    "LEAK-PAY": {"other_rep", "other_manager", "finance", "admin"},
    # rep_peer's objects: hidden from rep (and from the other team)
    "PEER-D1": {"rep_peer", "manager", "finance", "admin", "inspector"},
    "PEER-VISIT": {"rep_peer", "manager", "admin"},
    "PEER-PHOTO": {"rep_peer", "manager", "admin"},
    "PEER-SALE": {"rep_peer", "manager", "finance", "admin"},
    # rep's objects: hidden from the peer and from the other team; the visit from finance too
    "MINE-D1": {"rep", "manager", "finance", "admin", "inspector"},
    "MINE-VISIT": {"rep", "manager", "admin"},
    "MINE-PHOTO": {"rep", "manager", "admin"},
    "MINE-SALE": {"rep", "manager", "finance", "admin"},
    "MINE-DISPUTE": {"rep", "manager", "finance", "admin"},
    "MINE-NOTE": {"rep"},
    "MINE-PAY": {"rep", "manager", "finance", "admin"},
    # fund requests and claims: who sees their dealer
    "MINE-FUND": {"rep", "manager", "finance", "admin"},
    "PEER-FUND": {"rep_peer", "manager", "finance", "admin"},
    "LEAK-FUND": {"other_rep", "other_manager", "finance", "admin"},
    # inspections and complaints (tests/authz/inspections_world.py): rep's inspection is the inspector's own,
    # rep_peer's the manager's; the planned mystery inspection of rep's dealer is never rep's to read
    "MINE-INSP": {"rep", "manager", "finance", "admin", "inspector"},
    "PEER-INSP": {"rep_peer", "manager", "finance", "admin"},
    "LEAK-INSP": {"other_rep", "other_manager", "finance", "admin"},
    "MINE-MYSTERY": {"manager", "finance", "admin", "inspector"},
    "MINE-COMPLAINT": {"rep", "manager", "finance", "admin"},
    "PEER-COMPLAINT": {"rep_peer", "manager", "finance", "admin"},
    "LEAK-COMPLAINT": {"other_rep", "other_manager", "finance", "admin"},
}

#: ``other_rep``'s amounts, as a page (987,654.32) or JSON/CSV (987654.32) may show them.
LEAK_AMOUNTS = (D("987654.32"), D("876543.21"), D("765432.19"), D("912345.67"), D("654321.98"))


def _statement_lines(payable: Decimal):
    return (
        (StatementLine.Step.BASE, payable * 10),
        (StatementLine.Step.GROSS, payable),
        (StatementLine.Step.NET, payable),
        (StatementLine.Step.PAYABLE, payable),
    )


def _amounts(payable: Decimal) -> dict:
    amounts = {"base_amount": payable * 10, "gross_amount": payable, "deductions_amount": D("0.00")}
    return amounts | {"net_amount": payable, "retained_amount": D("0.00"), "payable_amount": payable}


def _statement(rep, manager, payable: Decimal):
    return make_statement(
        rep,
        MONTH,
        "submitted",
        submitted_by=manager,
        lines=_statement_lines(payable),
        with_plan=plan(),
        **_amounts(payable),
    )


def _objects_of(
    who, manager, finance, dealer_territory, tag: str, amounts: tuple[Decimal, ...], lines, template
) -> dict:
    """One object of every kind belonging to ``who`` (a rep), with ``tag`` in its texts."""
    sale_amount, collection_amount, expense_amount, target_amount, payable = amounts
    dealer = make_dealer(
        manager, dealer_territory, who, f"{tag}-D1", name=f"{tag}-D1 经销商", latitude="31.1", longitude="121.1"
    )
    # under review, submitted by the manager: finance (or an admin) may decide it
    dealer_services.dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
    agreement = make_agreement(
        manager, dealer, dealer_territory, [lines["kitchen"]], date(2026, 1, 1), date(2027, 12, 31), exclusive=False
    )
    now, today = timezone.now(), timezone.localdate()  # this month: the dashboards and measures show it
    visit = log(who, dealer, now - timedelta(hours=1), purpose=f"{tag}-VISIT")
    # a photo of the visit, with its copies made (the task's body, run here: no on_commit in the test)
    [(attachment, _created)] = attachments_add(
        actor=who, obj=visit, files=[photo(f"{tag}-PHOTO.jpg", colour=PHOTO_COLOURS[tag])]
    )
    attachment_make_copies(attachment.pk)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday()) + timedelta(weeks=1)
    week_plan = VisitPlan.objects.create(rep=who, week_start=monday)
    statement = _statement(who, manager, payable)
    make_statement(
        who,
        PAID_MONTH,
        "paid",
        submitted_by=manager,
        approved_by=finance,
        lines=_statement_lines(payable),
        with_plan=plan(),
        paid_at=date(2026, 11, 5),
        payment_reference=f"{tag}-PAY",
        **_amounts(payable),
    )
    fund_request, claim = _fund_objects(who, dealer, tag, expense_amount)
    line = statement.lines.get(step=StatementLine.Step.GROSS)
    dispute = Dispute.objects.create(line=line, rep=who, expected_amount=payable + 1, justification=f"{tag}-DISPUTE")
    return {
        "dealer": dealer,
        "review": dealer.reviews.get(),  # pending: it takes documents (issue 16)
        "agreement": agreement,
        "visit": visit,
        "attachment": attachment,
        "plan": week_plan,
        "sale": sale(who, dealer, today, sale_amount, reference=f"{tag}-SALE"),
        "collection": collection(who, dealer, today, collection_amount),
        "expense": expense(who, dealer, today, expense_amount),
        "target": target(who, "2027-01", target_amount, status="proposed", proposed_by=who),
        "scorecard": Scorecard.objects.create(rep=who, period=MONTH, template=template),
        "statement": statement,
        "line": line,
        "dispute": dispute,
        "fund_request": fund_request,
        "claim": claim,
        "notification": Notification.objects.create(recipient=who, key=f"authz-{tag}", title=f"{tag}-NOTE"),
        "user": who,
    }


def _fund_objects(who, dealer, tag: str, amount: Decimal) -> tuple[FundRequest, FundClaim]:
    """A fund request ``who`` submitted (waiting for the manager) and an approved one ``who`` claimed (its
    claim waiting for the check), written as rows: the dealer is under review, not active."""
    start = date(2026, 11, 2)
    common = {
        "dealer": dealer,
        "category": "promotion",
        "start_date": start,
        "end_date": start + timedelta(days=5),
        "requested_amount": amount,
        "expected_sales": amount * 20,
        "requested_by": who,
        "submitted_by": who,
        "submitted_at": timezone.now(),
    }
    fund_request = FundRequest.objects.create(number=f"FR-{tag}-1", title=f"{tag}-FUND", status="submitted", **common)
    claimed = FundRequest.objects.create(
        number=f"FR-{tag}-2", title=f"{tag}-FUND-CLAIMED", status="claimed", approved_amount=amount, **common
    )
    claim = FundClaim.objects.create(request=claimed, actual_amount=amount, actual_sales=amount * 10, claimed_by=who)
    return fund_request, claim


def build_world(people: dict, tree: dict, lines: dict) -> dict:
    """The objects of the matrix: ``world["mine"]`` (rep's, the ``<pk>`` of every row), ``world["peer"]``
    (rep_peer's) and ``world["leak"]`` (other_rep's), plus the reference data."""
    ensure_default_templates()
    template = ScorecardTemplate.objects.order_by("pk").first()
    manager, other_manager = people["manager"], people["other_manager"]
    world = {
        "mine": _objects_of(
            people["rep"],
            manager,
            people["finance"],
            tree["SH-PD"],
            "MINE",
            (D("1000.00"), D("900.00"), D("80.00"), D("5000.00"), D("50.00")),
            lines,
            template,
        ),
        "peer": _objects_of(
            people["rep_peer"],
            manager,
            people["finance"],
            tree["JS-NJ"],
            "PEER",
            (D("2000.00"), D("1900.00"), D("180.00"), D("6000.00"), D("60.00")),
            lines,
            template,
        ),
        "leak": _objects_of(
            people["other_rep"], other_manager, people["finance"], tree["GD-GZ"], "LEAK", LEAK_AMOUNTS, lines, template
        ),
    }
    world["settled"] = False
    funds = _fund_reference_objects(world, people, tree)
    world["reference"] = {
        "budget": funds["budget"],
        "period": Period.objects.create(code=MONTH),
        "run": CommissionRun.objects.create(period=MONTH, started_by=people["finance"], status="done", total=3),
        "plan": plan(),
        "territory": tree["SH-PD"],
        "product_line": lines["kitchen"],
    }
    add_funds(world, people, tree)
    add_rebates(world, people)
    add_inventory(world, people, lines)
    add_inspections(world, people, lines)
    return world


def _fund_reference_objects(world: dict, people: dict, tree: dict) -> dict:
    """Channel funds (SPEC §14): a budget in rep's territory and one in other_rep's (a figure of another
    team's size), each dealer's deposit (its sale's amount) and a count of a material at each dealer."""
    poster = Material.objects.create(code="AUTHZ-POSTER", name="海报", unit="张", unit_cost=D("1.00"))
    for key, who in (("mine", "rep"), ("peer", "rep_peer"), ("leak", "other_rep")):
        dealer = world[key]["dealer"]
        DepositEntry.objects.create(
            dealer=dealer, kind="received", amount=world[key]["sale"].amount, date=date(2026, 1, 5)
        )
        MaterialCount.objects.create(
            dealer=dealer,
            material=poster,
            date=date(2026, 3, 1),
            counted_quantity=D("30"),
            used_quantity=D("60"),
            issued_quantity=D("100"),
            variance=D("10"),
            variance_flagged=True,
            counted_by=people[who],
        )
    budget = {"category": "promotion", "year": 2026, "max_cost_ratio": D("8.00"), "created_by": people["finance"]}
    FundBudget.objects.create(territory=tree["GD-GZ"], amount=LEAK_AMOUNTS[3], **budget)
    return {"budget": FundBudget.objects.create(territory=tree["SH-PD"], amount=D("50000.00"), **budget)}


def settle(world: dict, people: dict) -> None:
    """Move ``rep``'s objects to their final states (terminated, confirmed, approved, paid, closed …),
    so that a role which may not act meets a state that refuses the action too: it must still get
    403/404, never the state check's 409."""
    mine, now = world["mine"], timezone.now()
    world["settled"] = True
    manager, finance = people["manager"], people["finance"]

    def update(obj, **fields):
        type(obj)._default_manager.filter(pk=obj.pk).update(**fields)
        obj.refresh_from_db()

    update(mine["dealer"], status="terminated")
    update(mine["agreement"], status="terminated")
    update(mine["visit"], status="confirmed")
    update(mine["plan"], status="approved")
    update(mine["target"], status="approved", approved_at=now)
    update(mine["scorecard"], status="confirmed", confirmed_by=manager, confirmed_at=now)
    update(mine["dispute"], status="rejected", answer="不成立", answered_by=manager, answered_at=now)
    update(
        mine["statement"],
        status="paid",
        approved_by=finance,
        approved_at=now,
        paid_at=date(2026, 12, 1),
        payment_reference="MINE-PAY-2",
    )
    update(world["reference"]["period"], status="closed", closed_at=now)
    update(mine["fund_request"], status="rejected", reject_reason="不成立")
    update(mine["claim"], status="settled", settled_amount=D("0.00"), settled_on=date(2026, 12, 1), settled_by=finance)
    update(mine["claim"].request, status="settled", settled_amount=D("0.00"))
    settle_inspections(world, people)
