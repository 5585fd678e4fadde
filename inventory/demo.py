"""The demo company's dealer stock (SPEC §10, §16), written through the services as the demo people.

* Twelve months (the twelve before this one) of 进销存 reports for every active distributor (each of its
  product lines) and every active terminal that buys from one (its distributor's first line). A distributor
  receives what we sold it (our net sales for the line and month, in units at the line's cost) and sells on
  most of it; terminals receive and sell a few dozen units a month.
* Five more terminals buy from the showcase distributor (the first active one by code, 北京华联贸易 in the demo)
  with unequal sell-out, so that its 80/20 page marks some of them key; the pass runs for the last quarter.
* Showcases in the last month: the showcase distributor's first line is overstocked (a large delivery, little
  sold: more than 60 days of stock), one of its terminals is out of stock (sold everything it had), another
  has sold nothing for two months (slow moving).
* The months before the last are confirmed by the dealers' managers; the last month is submitted and waits
  for them — except one dealer of the showcase's rep, whose last month is left for the rep to enter.

Idempotent: once any demo report exists nothing is written again; the demo terminals are found by code.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import in_territories_of
from inventory.models import StockReport
from inventory.services.reports import ReportInput, reports_write
from inventory.services.terminals import key_account_pass, last_quarter
from kpi.selectors import dealer_line_month_sales
from partners.models import Dealer, ProductLine
from partners.policies import covers

D = Decimal
MONTHS = 12
#: Cost of a unit by line (the demo's 厨电, 净水, 小家电, 暖通); other lines cost ``DEFAULT_COST``.
COSTS = {"kitchen": D("1200"), "water": D("800"), "small-appliances": D("150"), "hvac": D("2500")}
DEFAULT_COST = D("500")
#: The showcase distributor's own terminals: code, name and the share of sell-out they make.
TERMINALS = (
    ("ZD-01", "旗舰店", 40),
    ("ZD-02", "专卖店", 25),
    ("ZD-03", "社区店", 15),
    ("ZD-04", "便利店", 10),
    ("ZD-05", "体验店", 10),
)


def _months(today) -> list[Month]:
    month = Month.of(today)
    months = []
    for _n in range(MONTHS):
        month = month.previous()
        months.append(month)
    return list(reversed(months))


def _cost(line: ProductLine) -> Decimal:
    return COSTS.get(line.code, DEFAULT_COST)


def _row(dealer, month, line, opening, received: int, sold: int, received_amount=None) -> tuple[ReportInput, tuple]:
    """A balanced report; ``opening`` is the (quantity, amount) the month before closed with."""
    opening, opening_amount = opening
    sold = min(sold, opening + received)
    closing = opening + received - sold
    cost = _cost(line)
    received_amount = D(received) * cost if received_amount is None else received_amount
    closing_amount = opening_amount + received_amount - D(sold) * cost
    figures = {
        "opening_qty": D(opening),
        "received_qty": D(received),
        "sold_qty": D(sold),
        "adjustment_qty": D(0),
        "closing_qty": D(closing),
        "opening_amount": opening_amount,
        "received_amount": received_amount,
        "sold_amount": D(sold) * cost,
        "adjustment_amount": D(0),
        "closing_amount": closing_amount,
    }
    return ReportInput(dealer=dealer, period=month, product_line=line, figures=figures), (closing, closing_amount)


#: The shop's qualification review (资质审核), weights summing to 100.
REVIEW = [
    {"criterion": "business_licence", "weight": 20, "score": 100},
    {"criterion": "financial_standing", "weight": 30, "score": 75},
    {"criterion": "sales_network", "weight": 20, "score": 70},
    {"criterion": "warehouse", "weight": 15, "score": 60},
    {"criterion": "references", "weight": 15, "score": 80},
]


def _annual_program():
    """The demo's annual rebate program (``rebates.demo``), which its franchise agreements name."""
    from rebates.demo import ANNUAL
    from rebates.models import RebateProgram

    return RebateProgram.objects.filter(name=ANNUAL).first()


def _terminals(showcase: Dealer, manager, finance, today) -> list[Dealer]:
    """The showcase distributor's five terminals, taken the way every dealer goes: reviewed by the manager,
    qualified by finance, active with a signed franchise agreement for this year."""
    from partners.models import Agreement
    from partners.services import agreements as agreement_services
    from partners.services import dealers as dealer_services

    dealer_create = dealer_services.dealer_create

    made = []
    for index, (code, name, _share) in enumerate(TERMINALS, start=1):
        dealer = Dealer.objects.filter(code=code).first()
        if dealer is None:
            # placed round their distributor, with a shop manager to call, like the partners demo's dealers
            offset = D(index) / 100
            dealer = dealer_create(
                actor=manager,
                code=code,
                name=f"{showcase.name[:2]}·{name}",
                legal_name=f"{showcase.name[:2]}{name}",
                address=f"{showcase.address}{index}号铺" if showcase.address else "",
                latitude=(showcase.latitude or D("39.9")) + offset,
                longitude=(showcase.longitude or D("116.4")) - offset,
                contacts=[
                    {
                        "name": f"{name}店长",
                        "title": "店长",
                        "phone": f"1390000{index:04d}",
                        "email": f"{code.lower()}@demo.channelhub.local",
                    }
                ],
                kind=Dealer.Kind.RETAIL_TERMINAL,
                territory=showcase.territory,
                owner=showcase.owner,
                parent=showcase,
                product_lines=list(showcase.product_lines.all()[:1]),
            )
            dealer_services.dealer_submit_review(actor=manager, dealer=dealer, items=REVIEW)
            dealer_services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit="50000.00")
            agreement = agreement_services.agreement_create(
                actor=manager,
                dealer=dealer,
                kind=Agreement.Kind.FRANCHISE,
                territory=dealer.territory,
                start_date=today.replace(month=1, day=1),
                end_date=today.replace(month=12, day=31),
                exclusive=False,
                product_lines=list(showcase.product_lines.all()[:1]),
                annual_sales_target=D("300000.00"),
                rebate_program=_annual_program(),
            )
            agreement_services.agreement_submit(actor=manager, agreement=agreement)
            agreement_services.agreement_sign(actor=manager, agreement=agreement)
            dealer.refresh_from_db()
        made.append(dealer)
    return made


def _manager_of(dealer: Dealer, managers: list):
    return next((m for m in managers if covers(m, dealer.territory)), None)


@transaction.atomic
def seed_stock(users: dict, *, today=None) -> dict[str, int]:
    today = today or timezone.localdate()
    people = {u.username: u for u in get_user_model()._default_manager.filter(pk__in=[u.pk for u in users.values()])}
    admin = people["admin"]
    managers = [u for u in people.values() if has_role(u, Role.CHANNEL_MANAGER)]
    lines = list(ProductLine.objects.order_by("code"))
    distributors = list(
        Dealer.objects.filter(kind=Dealer.Kind.DISTRIBUTOR, status=Dealer.Status.ACTIVE, parent__isnull=True)
        .select_related("territory", "owner")
        .prefetch_related("product_lines")
        .order_by("code")
    )
    if not distributors or not lines or StockReport.objects.exists():
        return _counts()
    showcase = distributors[0]
    showcase_manager = _manager_of(showcase, managers) or admin
    own_terminals = _terminals(showcase, showcase_manager, people["finance"], today)
    months = _months(today)
    last = months[-1]
    rng = random.Random(16)
    terminals = list(
        Dealer.objects.filter(
            kind=Dealer.Kind.RETAIL_TERMINAL, status=Dealer.Status.ACTIVE, parent__in=distributors
        ).select_related("territory", "owner", "parent")
    )
    lines_of = {d.pk: (list(d.product_lines.all()) or lines[:2]) for d in distributors}
    sales = dealer_line_month_sales([d.pk for d in distributors], months[0], last)
    # the rep's distributor whose last month is left for the rep to enter (the "reports due" panel)
    own_codes = {code for code, _n, _s in TERMINALS}
    due = next(
        (d for d in [*distributors[1:], *terminals] if d.owner_id == showcase.owner_id and d.code not in own_codes),
        None,
    )

    rows_by_actor: dict[int, list[ReportInput]] = defaultdict(list)
    actors = {admin.pk: admin}

    def add(dealer, rows):
        actor = dealer.owner if dealer.owner is not None else admin
        actors[actor.pk] = actor
        rows_by_actor[actor.pk].extend(rows)

    for dealer in distributors:
        for index, line in enumerate(lines_of[dealer.pk]):
            cost = _cost(line)
            monthly = [max(0, int(sales.get((dealer.pk, line.pk, str(m)), D(0)) / cost)) for m in months]
            start = max(1, sum(monthly) // len(monthly))  # about a month of stock to begin with, and the demand
            closing = (start, D(start) * cost)
            rows = []
            for month in months:
                if dealer is due and month == last:
                    break
                ours = sales.get((dealer.pk, line.pk, str(month)), D(0))
                received = max(0, int(ours / cost))
                # sells down to about a month of stock (between 0.6 and 1.3 months' demand)
                # some demand every month, and no more than a month or so of stock kept
                available = closing[0] + received
                sold = min(
                    available,
                    max(round(start * rng.uniform(0.3, 0.6)), available - round(start * rng.uniform(0.6, 1.3))),
                )
                if dealer is showcase and index == 0 and month == last:
                    sold = max(1, received // 10)  # overstock: little sold of a normal delivery
                # what we invoiced, to the cent (the units at cost round down: the amounts stay ≥ 0)
                row, closing = _row(dealer, month, line, closing, received, sold, max(ours, D(0)) if received else None)
                rows.append(row)
            add(dealer, rows)

    shares = {d.pk: share for d, (_c, _n, share) in zip(own_terminals, TERMINALS, strict=True)}
    stockout = own_terminals[2]
    slow = own_terminals[4]
    for terminal in {t.pk: t for t in [*terminals, *own_terminals]}.values():
        line = lines_of.get(terminal.parent_id, lines[:1])[0]
        size = shares.get(terminal.pk, rng.randint(5, 20))
        closing = (size, D(size) * _cost(line))
        rows = []
        for month in months:
            if terminal.pk == getattr(due, "pk", None) and month == last:
                break
            received = size + rng.randint(0, size // 2 + 1)
            sold = max(0, closing[0] + received - round(size * rng.uniform(0.6, 1.3)))
            if terminal.pk == stockout.pk and month == last:
                sold = closing[0] + received  # sold everything it had
            if terminal.pk == slow.pk and month in (months[-2], last):
                received, sold = 0, 0  # nothing moved for two months
            row, closing = _row(terminal, month, line, closing, received, sold)
            rows.append(row)
        add(terminal, rows)

    for actor_pk, rows in rows_by_actor.items():
        reports_write(actor=actors[actor_pk], rows=rows, source=StockReport.Source.FORM)

    _confirm_history(managers, admin, last)
    key_account_pass(last_quarter(today))
    return _counts()


def _confirm_history(managers: list, admin, last: Month) -> None:
    """The months before the last, confirmed by each dealer's manager (in one update per manager: the demo's
    history, not a day's work)."""
    now = timezone.now()
    earlier = StockReport.objects.filter(period__lt=str(last), status=StockReport.Status.SUBMITTED)
    for manager in managers:
        earlier.filter(in_territories_of(manager, "dealer__territory")).exclude(submitted_by=manager).update(
            status=StockReport.Status.CONFIRMED, confirmed_by=manager, confirmed_at=now
        )
    earlier.exclude(submitted_by=admin).update(
        status=StockReport.Status.CONFIRMED, confirmed_by=admin, confirmed_at=now
    )


def _counts() -> dict[str, int]:
    reports = StockReport.objects.all()
    return {
        "reports": reports.count(),
        "flagged": reports.filter(overstock=True).count()
        + reports.filter(stockout=True).count()
        + reports.filter(slow_moving=True).count(),
        "key": Dealer.objects.filter(kind=Dealer.Kind.RETAIL_TERMINAL, is_key_account=True).count(),
    }


def demo_step(users: dict) -> str:
    return _("Demo stock: %(reports)d stock reports (%(flagged)d flags), %(key)d key terminals") % seed_stock(users)
