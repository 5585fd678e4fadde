"""The demo company's channel funds (SPEC §10, §14), built through the services as the demo people, so that
state logs, histories, notifications and the settled expenses are the real ones.

* Budgets for this year's four quarters and for the whole year in a few regions and provinces: 江苏 and
  广东 have quarterly promotion budgets in front of their regions' yearly ones; advertising, decoration,
  rent subsidy, materials and training are budgeted by region or for the whole country.
* Twenty requests, one story each (``SCENARIOS``), in every state: a draft; submitted ones waiting for
  manager1 (one ``possible_split`` pair among them) and manager2; three waiting for finance; approved ones
  for rep1 and rep4 to claim; a claim waiting for the manager's check (one photo taken 3 km away), one
  waiting for finance's settlement; three settled with evidence met (each an expense ``FUND-<number>``)
  and one settled at 0.00 (not met); one rejected by the manager, one by finance, one cancelled.
* The deposit ledger: a ``received`` entry for each demo agreement whose deposit was confirmed (the
  partners demo writes the date on the agreement itself), a deduction, a refund proposed for one terminated
  dealer and approved for another.
* The materials catalogue (海报, X展架, 堆头, 门头 …), issues to a few dealers and their counts, one beyond
  the 5 % variance.

Dates are relative to the day of the first run and kept inside this year (the budgets' year); a settlement
is dated on the day it is made, which the services refuse in a closed month: a step the rules refuse
is left undone and the story stops there, and the seed goes on. Idempotent: a request is the demo's by its
title on a demo dealer, a budget by its territory, category and period, a ledger entry by its agreement,
reason or dealer, a material by its code, an issue and a count by dealer and material — what exists is left
as it is, even when people have moved it on since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import DomainError
from evidence.demo import demo_pdf, demo_photo
from evidence.models import Attachment
from evidence.services import attachments_add
from funds.models import (
    Category,
    DepositEntry,
    DepositRefund,
    FundBudget,
    FundClaim,
    FundRequest,
    Material,
    MaterialCount,
    MaterialIssue,
)
from funds.services.budgets import budget_create
from funds.services.claims import claim_check, claim_create, claim_settle
from funds.services.deposits import (
    deposit_deduct,
    deposit_record_received,
    deposit_refund_decide,
    deposit_refund_propose,
)
from funds.services.materials import material_count_record, material_issue, material_save
from funds.services.requests import request_approve, request_cancel, request_create, request_reject, request_submit
from partners.demo import COVERAGE, demo_agreement_ids, demo_dealer_codes
from partners.models import Agreement, Dealer, Territory
from visits.models import Visit

#: Refusals of the rules: the step is left undone (a closed month, a budget a user has used up …).
REFUSALS = (ValidationError, PermissionDenied, DomainError)

#: (territory code, category, quarter — None for the whole year, amount, max cost ratio %)
BUDGETS = (
    *(("JS", Category.PROMOTION, quarter, "150000.00", "8.00") for quarter in (1, 2, 3, 4)),
    *(("GD", Category.PROMOTION, quarter, "120000.00", "8.00") for quarter in (1, 2, 3, 4)),
    ("EAST", Category.PROMOTION, None, "1200000.00", "8.00"),
    ("NORTH", Category.PROMOTION, None, "800000.00", "8.00"),
    ("SOUTH", Category.PROMOTION, None, "900000.00", "8.00"),
    ("EAST", Category.ADVERTISING, None, "600000.00", "5.00"),
    ("NORTH", Category.ADVERTISING, None, "500000.00", "5.00"),
    ("SOUTH", Category.DECORATION, None, "600000.00", "10.00"),
    ("SOUTH", Category.RENT_SUBSIDY, None, "360000.00", "6.00"),
    ("CN", Category.MATERIALS, None, "300000.00", "3.00"),
    ("CN", Category.TRAINING, None, "200000.00", "2.00"),
)


@dataclass(frozen=True)
class Scenario:
    """One request and how far it gets. ``fate``: ``draft``, ``submitted``, ``manager_approved``,
    ``approved``, ``claimed`` (an open claim), ``met`` (checked, waiting for settlement), ``settled``,
    ``not_met`` (checked not met, settled at 0.00), ``rejected_by_manager``, ``rejected_by_finance``,
    ``cancelled`` (after finance's approval)."""

    dealer: str
    category: str
    title: str
    description: str
    days: tuple[int, int]  #: start and end, in days from today
    amount: str
    expected_sales: str
    fate: str
    actual: tuple[str, str] = ("", "")  #: the claim's actual amount and sales
    reason: str = ""  #: the rejection's, the not-met check's or the cancellation's
    note: str = ""
    far_photo: bool = False  #: one of the claim's photos taken 3 km from the dealer


P, A, D = Category.PROMOTION, Category.ADVERTISING, Category.DECORATION
# fmt: off
SCENARIOS = (
    Scenario("JS002", P, "国庆黄金周门店促销", "黄金周厨电套餐满减、到店礼品，配合门店堆头和海报陈列", (-70, -63),
             "18000.00", "300000.00", "settled", ("16800.00", "326500.00")),
    Scenario("GD004", P, "双十一厨电以旧换新", "以旧换新每台补贴200元，门店与线上同步宣传", (-28, -25),
             "25000.00", "400000.00", "settled", ("23560.00", "418200.00")),
    Scenario("GX001", D, "南宁旗舰店形象升级装修", "按终端形象标准更新门头、背景墙和展台", (-95, -66),
             "60000.00", "800000.00", "settled", ("58000.00", "760000.00")),
    Scenario("HE001", A, "石家庄公交车身广告", "市区3条主干线公交车身广告，投放一个月", (-60, -31),
             "20000.00", "500000.00", "not_met", ("20000.00", "455000.00"),
             reason="照片看不到广告画面，发票抬头与经销商名称不符"),
    Scenario("JS003", P, "周末店内厨电品鉴会", "两个周末的烹饪演示与试吃，现场下单享赠品", (-20, -13),
             "12000.00", "200000.00", "claimed", ("11450.00", "236000.00"), note="签到表见第二张照片",
             far_photo=True),
    Scenario("FJ001", P, "福州店庆促销", "店庆三天全场九五折，满5000元送净水滤芯", (-35, -33),
             "15000.00", "250000.00", "met", ("14200.00", "268000.00")),
    Scenario("BJ001", A, "北京社区电梯广告投放", "朝阳、海淀20个社区电梯框架广告，投放四周", (-10, 18),
             "30000.00", "800000.00", "approved"),
    Scenario("GD007", P, "深圳年终大促", "年终冲量，满额赠送小家电", (-3, 24), "28000.00", "450000.00", "approved"),
    Scenario("ZJ003", P, "杭州门店周年庆", "周年庆现场活动、礼品与宣传单页", (8, 10),
             "10000.00", "160000.00", "manager_approved"),
    Scenario("FJ002", Category.TRAINING, "导购员新品培训", "两期导购培训：新款净水器卖点与安装规范，含场地与讲师费",
             (12, 13), "6000.00", "400000.00", "manager_approved"),
    Scenario("SD001", A, "济南西站灯箱广告", "高铁站进站口灯箱两块，投放三个月", (15, 104),
             "45000.00", "1000000.00", "manager_approved"),
    Scenario("HE004", P, "春节备货促销", "春节前订货满10万元送物料和宣传支持", (20, 40),
             "16000.00", "260000.00", "submitted"),
    Scenario("GD005", Category.RENT_SUBSIDY, "深圳专卖店房租补贴", "新开专卖店前三个月房租补贴，按月租的30%",
             (-5, 24), "18000.00", "320000.00", "submitted"),
    Scenario("GD001", P, "广州家装节展位", "参加广州家装节，展位费与现场布置", (14, 16),
             "30000.00", "500000.00", "submitted"),
    Scenario("ZJ004", P, "元旦促销活动（一）", "元旦门店促销：特价机与赠品", (18, 26), "9000.00", "150000.00", "submitted"),
    Scenario("ZJ004", P, "元旦促销活动（二）", "元旦门店促销：延保与安装礼包", (22, 31), "9000.00", "150000.00", "submitted"),
    Scenario("HE003", Category.MATERIALS, "门店物料补充", "补充海报100张、X展架4个", (5, 5),
             "4000.00", "200000.00", "draft"),
    Scenario("GX004", D, "门头灯箱更换", "更换门头灯箱并加装LED灯带", (10, 30), "25000.00", "300000.00",
             "rejected_by_manager", reason="该店门头去年刚更换，本年度不再支持"),
    Scenario("SD006", P, "青岛啤酒节联合推广", "与啤酒节主办方联合设摊，现场展示厨电", (25, 28),
             "12000.00", "180000.00", "rejected_by_finance", reason="活动与我司产品关联度低，费用不予列支"),
    Scenario("GD010", P, "东莞门店开业促销", "新店开业三天促销", (6, 8), "8000.00", "130000.00", "cancelled",
             reason="门店开业推迟到明年，活动取消"),
)
# fmt: on
#: How far each fate goes along the requests' and claims' life cycle.
STEPS = ("create", "submit", "manager_approve", "approve", "claim", "check", "settle")
REACHES = {
    "draft": "create",
    "submitted": "submit",
    "rejected_by_manager": "submit",
    "manager_approved": "manager_approve",
    "rejected_by_finance": "manager_approve",
    "approved": "approve",
    "cancelled": "approve",
    "claimed": "claim",
    "met": "check",
    "not_met": "settle",
    "settled": "settle",
}

#: (code, name, unit, unit cost) — the catalogue as a person at head office keeps it.
MATERIALS = (
    ("POS-POSTER", "海报（A1）", "张", "8.50"),
    ("POS-XSTAND", "X展架", "个", "65.00"),
    ("POS-FLOOR", "堆头围挡", "套", "380.00"),
    ("POS-SIGN", "门头灯箱", "块", "2800.00"),
    ("POS-FLAG", "吊旗", "套", "25.00"),
    ("POS-PRICE", "价签", "张", "0.50"),
)
#: (dealer, material, quantity, days from today, the request it was issued on — a scenario's title or "")
ISSUES = (
    ("JS002", "POS-POSTER", "200", -75, "国庆黄金周门店促销"),
    ("JS002", "POS-XSTAND", "10", -75, "国庆黄金周门店促销"),
    ("GD004", "POS-POSTER", "300", -32, "双十一厨电以旧换新"),
    ("GD004", "POS-FLOOR", "4", -32, "双十一厨电以旧换新"),
    ("GX001", "POS-SIGN", "1", -96, "南宁旗舰店形象升级装修"),
    ("BJ001", "POS-FLAG", "40", -12, ""),
)
#: (dealer, material, reported used, counted) today: JS002's X展架 misses 1 of 10 (10 % > 5 %: flagged).
COUNTS = (
    ("JS002", "POS-POSTER", "150", "45"),
    ("JS002", "POS-XSTAND", "6", "3"),
    ("GD004", "POS-POSTER", "240", "55"),
    ("GD004", "POS-FLOOR", "2", "2"),
    ("GX001", "POS-SIGN", "1", "0"),
)
DEDUCTION = ("5000.00", "违反区域价格政策，低价销售，按协议扣罚保证金")
#: What happens to the refund of the terminated demo dealers that hold a deposit, by code.
REFUNDS = ("proposed", "approved")
REFUND_REASON = "经销商已终止合作，保证金按协议无息退还"


def _attempt(step, **kwargs):
    """``step(**kwargs)`` in a savepoint; ``None`` when the rules refuse it (nothing of it is kept)."""
    try:
        with transaction.atomic():
            return step(**kwargs)
    except REFUSALS:
        return None


def _within_year(today: date, days: int) -> date:
    """``today`` + ``days``, kept inside this year: the budgets are this year's."""
    return min(max(today + timedelta(days=days), date(today.year, 1, 1)), date(today.year, 12, 31))


def _manager_of(dealer: Dealer, people: dict):
    """The demo manager who covers the dealer's region (``partners.demo.COVERAGE``); None outside them."""
    codes = dealer.territory.path.strip("/").split("/")
    region = codes[1] if len(codes) > 1 else ""
    return next((people[name] for name, regions in COVERAGE.items() if region in regions), None)


def _demo_dealers() -> dict[str, Dealer]:
    rows = Dealer.objects.filter(code__in=demo_dealer_codes()).select_related("territory", "owner")
    return {dealer.code: dealer for dealer in rows}


# --- budgets ---------------------------------------------------------------------------------------------


def _seed_budgets(finance, today: date) -> None:
    territories = {t.code: t for t in Territory.objects.filter(code__in={row[0] for row in BUDGETS})}
    existing = set(FundBudget.objects.filter(year=today.year).values_list("territory__code", "category", "quarter"))
    for code, category, quarter, amount, ratio in BUDGETS:
        if code in territories and (code, category, quarter) not in existing:
            _attempt(
                budget_create,
                actor=finance,
                category=category,
                territory=territories[code],
                year=today.year,
                quarter=quarter,
                amount=Decimal(amount),
                max_cost_ratio=Decimal(ratio),
            )


# --- requests and claims ---------------------------------------------------------------------------------


def _evidence(rep, claim: FundClaim, dealer: Dealer, scenario: Scenario, start: date) -> None:
    """Two photos of the activity (the second 3 km away for ``far_photo``) and the invoice, sent by the rep."""
    taken = min(timezone.make_aware(datetime.combine(start, time(15, 30))), timezone.now() - timedelta(hours=1))
    photos = []
    for number in range(2):
        shift = Decimal("0.03") if scenario.far_photo and number == 1 else Decimal("0.0004")
        latitude = dealer.latitude + shift if dealer.latitude is not None else None
        photos.append(
            demo_photo(
                f"funds:{dealer.code}:{scenario.title}:{number}",
                taken=taken + timedelta(minutes=40 * number),
                latitude=latitude,
                longitude=dealer.longitude,
            )
        )
    attachments_add(actor=rep, obj=claim, files=photos, kind=Attachment.Kind.PHOTO)
    invoice = demo_pdf(
        f"invoice-{claim.request.number}.pdf", f"Invoice {claim.request.number} CNY {scenario.actual[0]}"
    )
    attachments_add(actor=rep, obj=claim, files=[invoice], kind=Attachment.Kind.INVOICE)


def _claim(rep, request: FundRequest, dealer: Dealer, scenario: Scenario, start: date, end: date) -> FundClaim:
    visits = Visit.objects.filter(rep=rep, dealer=dealer, visited_on__range=(start, end)).order_by("visited_at")
    claim = claim_create(
        actor=rep,
        request=request,
        actual_amount=Decimal(scenario.actual[0]),
        actual_sales=Decimal(scenario.actual[1]),
        note=scenario.note,
        visits=list(visits[:2]),
    )
    _evidence(rep, claim, dealer, scenario, start)
    return claim


def _play(scenario: Scenario, dealer: Dealer, people: dict, today: date) -> None:
    """Take one request as far as its fate, each step by whom the rules say; stop at the first refusal."""
    rep, manager, finance = dealer.owner, _manager_of(dealer, people), people["finance"]
    start, end = _within_year(today, scenario.days[0]), _within_year(today, scenario.days[1])
    last = STEPS.index(REACHES[scenario.fate])
    request = _attempt(
        request_create,
        actor=rep,
        dealer=dealer,
        category=scenario.category,
        title=scenario.title,
        description=scenario.description,
        start_date=start,
        end_date=end,
        requested_amount=Decimal(scenario.amount),
        expected_sales=Decimal(scenario.expected_sales),
    )
    if request is None or last < 1 or not _attempt(request_submit, actor=rep, request=request):
        return
    if scenario.fate == "rejected_by_manager":
        _attempt(request_reject, actor=manager, request=request, reason=scenario.reason)
        return
    if last < 2 or not _attempt(request_approve, actor=manager, request=request):
        return
    if scenario.fate == "rejected_by_finance":
        _attempt(request_reject, actor=finance, request=request, reason=scenario.reason)
        return
    if last < 3 or not _attempt(request_approve, actor=finance, request=request):
        return
    if scenario.fate == "cancelled":
        _attempt(request_cancel, actor=rep, request=request, comment=scenario.reason)
        return
    if last < 4:
        return
    claim = _attempt(_claim, rep=rep, request=request, dealer=dealer, scenario=scenario, start=start, end=end)
    if claim is None or last < 5:
        return
    met = scenario.fate != "not_met"
    if not _attempt(claim_check, actor=manager, claim=claim, met=met, reason="" if met else scenario.reason):
        return
    if last >= 6:
        _attempt(claim_settle, actor=finance, claim=claim)


def _seed_requests(people: dict, dealers: dict[str, Dealer], today: date) -> None:
    done = set(
        FundRequest.objects.filter(dealer__code__in=list(dealers), title__in=[s.title for s in SCENARIOS]).values_list(
            "title", flat=True
        )
    )
    for scenario in SCENARIOS:
        dealer = dealers.get(scenario.dealer)
        if scenario.title in done or dealer is None or dealer.owner is None or _manager_of(dealer, people) is None:
            continue
        _play(scenario, dealer, people, today)


# --- deposits --------------------------------------------------------------------------------------------


def _seed_deposits(people: dict, dealers: dict[str, Dealer], today: date) -> None:
    finance = people["finance"]
    # the partners demo writes the confirmed deposit on the agreement itself: the ledger's entry is made here
    confirmed = Agreement.objects.filter(
        pk__in=demo_agreement_ids(), deposit_received_on__isnull=False, deposit_amount__gt=0
    ).exclude(deposit_entries__kind=DepositEntry.Kind.RECEIVED)
    for agreement in confirmed.select_related("dealer").order_by("pk"):
        deposit_record_received(agreement, by=finance)

    holding = set(
        DepositEntry.objects.filter(dealer__in=dealers.values(), kind=DepositEntry.Kind.RECEIVED).values_list(
            "dealer__code", flat=True
        )
    )
    amount, reason = DEDUCTION
    if not DepositEntry.objects.filter(
        dealer__code__in=list(dealers), kind=DepositEntry.Kind.DEDUCTED, reason=reason
    ).exists():
        suspended = sorted(code for code in holding if dealers[code].status == Dealer.Status.SUSPENDED)
        if suspended:
            dealer = dealers[suspended[0]]
            _attempt(deposit_deduct, actor=finance, dealer=dealer, amount=Decimal(amount), reason=reason, day=today)

    terminated = sorted(code for code in holding if dealers[code].status == Dealer.Status.TERMINATED)
    refunded = set(DepositRefund.objects.filter(dealer__code__in=terminated).values_list("dealer__code", flat=True))
    for code, fate in zip(terminated, REFUNDS, strict=False):
        if code in refunded:
            continue
        dealer, manager = dealers[code], _manager_of(dealers[code], people)
        if manager is None:
            continue
        refund = _attempt(deposit_refund_propose, actor=manager, dealer=dealer, reason=REFUND_REASON)
        if refund is not None and fate == "approved":
            _attempt(deposit_refund_decide, actor=finance, refund=refund, approve=True)


# --- materials -------------------------------------------------------------------------------------------


def _seed_materials(people: dict, dealers: dict[str, Dealer], today: date) -> None:
    materials = {m.code: m for m in Material.objects.filter(code__in=[row[0] for row in MATERIALS])}
    for code, name, unit, cost in MATERIALS:
        if code not in materials:
            made = _attempt(
                material_save, actor=people["finance"], code=code, name=name, unit=unit, unit_cost=Decimal(cost)
            )
            if made is not None:
                materials[code] = made
    issued = set(
        MaterialIssue.objects.filter(dealer__in=dealers.values()).values_list("dealer__code", "material__code")
    )
    counted = set(
        MaterialCount.objects.filter(dealer__in=dealers.values()).values_list("dealer__code", "material__code")
    )
    requests = {
        (r.dealer.code, r.title): r
        for r in FundRequest.objects.filter(title__in=[row[4] for row in ISSUES if row[4]]).select_related("dealer")
    }
    for code, material, quantity, days, title in ISSUES:
        dealer = dealers.get(code)
        manager = _manager_of(dealer, people) if dealer is not None else None
        if manager is None or material not in materials or (code, material) in issued:
            continue
        _attempt(
            material_issue,
            actor=manager,
            dealer=dealer,
            material=materials[material],
            quantity=Decimal(quantity),
            day=today + timedelta(days=days),
            request=requests.get((code, title)),
        )
    for code, material, used, counted_quantity in COUNTS:
        dealer = dealers.get(code)
        if dealer is None or dealer.owner is None or material not in materials or (code, material) in counted:
            continue
        _attempt(
            material_count_record,
            actor=dealer.owner,
            dealer=dealer,
            material=materials[material],
            day=today,
            counted_quantity=Decimal(counted_quantity),
            used_quantity=Decimal(used),
        )


@transaction.atomic
def seed_funds(users: dict, *, today: date | None = None) -> dict[str, int]:
    """Build the demo channel funds for the demo ``users`` (from ``seed_users``); adds only what is missing."""
    today = today or timezone.localdate()
    # fresh objects: a user object keeps the territories it covered when first asked (``territory_paths``)
    people = {
        user.username: user for user in get_user_model()._default_manager.filter(pk__in=[u.pk for u in users.values()])
    }
    dealers = _demo_dealers()
    _seed_budgets(people["finance"], today)
    _seed_requests(people, dealers, today)
    _seed_deposits(people, dealers, today)
    _seed_materials(people, dealers, today)
    return {
        "budgets": FundBudget.objects.count(),
        "requests": FundRequest.objects.count(),
        "claims": FundClaim.objects.count(),
        "entries": DepositEntry.objects.count(),
        "materials": Material.objects.count(),
    }


def demo_step(users: dict) -> str:
    """``seed_demo``'s step for this app (``channelhub.registry.register_demo``): its line of output."""
    return _(
        "Demo channel funds: %(budgets)d budgets, %(requests)d requests, %(claims)d claims, "
        "%(entries)d deposit entries, %(materials)d materials"
    ) % seed_funds(users)
