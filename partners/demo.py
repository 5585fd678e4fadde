"""The demo partner network of SPEC §10, built through the services (state logs and histories included).

    China ─ 华东 EAST ─ 上海 SH, 江苏 JS, 浙江 ZJ         manager1 (rep1–rep3)
          ├ 华北 NORTH ─ 北京 BJ, 河北 HE, 山东 SD        manager1
          └ 华南 SOUTH ─ 广东 GD, 福建 FJ, 广西 GX         manager2 (rep4–rep6)

60 dealers (one distributor per province, three other partners per city) in every kind, tier and
status, with contacts, qualification reviews and agreements. The plan is drawn from
``random.Random(2026)``, so every run plans the same company; dates are relative to the day of the
first run. Idempotent: codes are the natural keys, and what exists already is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from channelhub.accounts.models import Profile
from partners.models import Agreement, Dealer, ProductLine, Territory
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from partners.services.territories import territory_create

SEED = 2026

#: (code, name, [(province code, name, full name, [(city code, name, latitude, longitude)])])
TREE = (
    (
        "EAST",
        "华东",
        (
            ("SH", "上海", "", (("SH-SH", "上海市", 31.2304, 121.4737),)),
            (
                "JS",
                "江苏",
                "江苏省",
                (
                    ("JS-NJ", "南京", 32.0603, 118.7969),
                    ("JS-SZ", "苏州", 31.2989, 120.5853),
                    ("JS-WX", "无锡", 31.4912, 120.3119),
                ),
            ),
            ("ZJ", "浙江", "浙江省", (("ZJ-HZ", "杭州", 30.2741, 120.1551), ("ZJ-NB", "宁波", 29.8683, 121.5440))),
        ),
    ),
    (
        "NORTH",
        "华北",
        (
            ("BJ", "北京", "", (("BJ-BJ", "北京市", 39.9042, 116.4074),)),
            ("HE", "河北", "河北省", (("HE-SJZ", "石家庄", 38.0428, 114.5149), ("HE-TS", "唐山", 39.6305, 118.1802))),
            ("SD", "山东", "山东省", (("SD-JN", "济南", 36.6512, 117.1201), ("SD-QD", "青岛", 36.0671, 120.3826))),
        ),
    ),
    (
        "SOUTH",
        "华南",
        (
            (
                "GD",
                "广东",
                "广东省",
                (
                    ("GD-GZ", "广州", 23.1291, 113.2644),
                    ("GD-SZ", "深圳", 22.5431, 114.0579),
                    ("GD-DG", "东莞", 23.0207, 113.7518),
                ),
            ),
            ("FJ", "福建", "福建省", (("FJ-FZ", "福州", 26.0745, 119.2965), ("FJ-XM", "厦门", 24.4798, 118.0894))),
            ("GX", "广西", "广西壮族自治区", (("GX-NN", "南宁", 22.8170, 108.3665),)),
        ),
    ),
)
PRODUCT_LINES = (("kitchen", "厨电"), ("water", "净水"), ("small-appliances", "小家电"), ("hvac", "暖通"))
#: Which manager covers which regions, and who works for them.
COVERAGE = {"manager1": ("EAST", "NORTH"), "manager2": ("SOUTH",)}
TEAMS = {"manager1": ("rep1", "rep2", "rep3"), "manager2": ("rep4", "rep5", "rep6")}
FINANCE = "finance"

# fmt: off
BRANDS = (
    "华丰", "鑫达", "恒通", "金源", "宏远", "瑞祥", "盛世", "天成", "万家", "永盛", "佳美", "嘉禾", "百利", "福满", "旺达", "众诚",
    "信达", "康源", "润泽", "美居", "安邦", "广利", "东方", "晨光", "德胜", "兴业", "海川", "凯旋", "顺发", "隆昌", "华联", "富康",
    "和顺", "祥云", "金鼎", "新星", "宝丰", "联创", "博远", "君和", "合力", "泰和", "鼎盛", "庆丰", "亿家", "乐居", "星辰", "锦程",
    "同创", "远航", "恒昌", "腾达", "荣华", "益民", "利源", "天和", "聚源", "鸿运", "中和", "瑞丰", "永泰", "裕丰", "金桥",
)
SEARCH_EXAMPLE_BRAND = "华丰"
#: (legal-name suffix, short-name suffix) by kind
NAME_FORMS = {
    Dealer.Kind.DISTRIBUTOR: (("贸易有限公司", "贸易"), ("商贸有限公司", "商贸")),
    Dealer.Kind.DEALER: (("电器有限公司", "电器"), ("家电有限公司", "家电")),
    Dealer.Kind.AGENT: (("实业有限公司", "实业"), ("科技有限公司", "科技")),
    Dealer.Kind.FRANCHISEE: (("厨卫有限公司", "厨卫"), ("电器销售有限公司", "电器专卖")),
    Dealer.Kind.RETAIL_TERMINAL: (("家电卖场有限公司", "家电卖场"), ("生活电器有限公司", "生活电器馆")),
}
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "黄河路", "工业大道", "发展大道", "商业街")
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
)
GIVEN_NAMES = (
    "建国", "志强", "秀英", "丽华", "海燕", "晓明", "文杰", "俊峰", "婷婷", "国栋", "雪梅", "振华", "春燕", "子轩", "宏伟", "静怡",
    "德明", "玉兰", "立新", "佳琪",
)
# fmt: on
PRIMARY_TITLES = ("总经理", "董事长", "法人代表")
OTHER_TITLES = ("采购经理", "财务主管", "销售经理", "业务主管", "店长")
PHONE_PREFIXES = ("138", "139", "136", "137", "135", "186", "188", "150", "151", "159")
REVIEW_WEIGHTS = (
    ("business_licence", 20),
    ("financial_standing", 30),
    ("sales_network", 20),
    ("warehouse", 15),
    ("references", 15),
)
FAILING_REVIEW = [
    {"criterion": c, "weight": w, "score": s} for (c, w), s in zip(REVIEW_WEIGHTS, (70, 35, 50, 30, 55), strict=True)
]  # total 47.25
REVIEW_COMMENTS = (
    "营业执照齐全，仓储条件良好",
    "区域内网络覆盖广，建议合作",
    "资金实力较强，有同类品牌经验",
    "门店位置好，客流稳定",
)
REJECTIONS = (
    "近两年财务报表亏损，暂不具备授信条件",
    "仓储面积不足，无法满足备货要求",
    "营业执照经营范围不含家电销售",
)
SUSPENSIONS = ("回款严重逾期，暂停发货", "窜货被查实，暂停合作待整改")

# Statuses of the 51 partners that are not distributors (the 9 distributors: 8 active, 1 suspended).
OTHER_STATUSES = (
    [Dealer.Status.ACTIVE] * 22
    + [Dealer.Status.SUSPENDED] * 4
    + [Dealer.Status.TERMINATED] * 5
    + [Dealer.Status.QUALIFIED] * 7
    + [Dealer.Status.UNDER_REVIEW] * 6
    + [Dealer.Status.PROSPECT] * 7
)
OTHER_KINDS = (
    [Dealer.Kind.DEALER] * 18
    + [Dealer.Kind.AGENT] * 9
    + [Dealer.Kind.FRANCHISEE] * 10
    + [Dealer.Kind.RETAIL_TERMINAL] * 14
)
#: Days left of the agreements that end soon (SPEC §3's 30-day reminder has something to say).
ENDING_SOON = (2, 6, 11, 17, 23, 29)
TERMINATED_PATHS = ("after_agreement", "after_expiry", "rejected", "qualified", "prospect")


@dataclass
class AgreementPlan:
    kind: str
    start: date
    end: date
    territory: str
    exclusive: bool
    lines: list[str]
    target: Decimal
    rebate: Decimal
    terms: int
    deposit: Decimal
    status: str  # draft, pending_approval or signed
    renewals: int = 0  # signed renewals that follow this agreement
    renewal_draft: bool = False  # a draft renewal of the last signed one


@dataclass
class DealerPlan:
    code: str
    name: str
    legal_name: str
    kind: str
    tier: str
    status: str
    territory: str
    manager: str
    owner: str
    parent: str | None
    address: str
    latitude: Decimal
    longitude: Decimal
    key_account: bool
    lines: list[str]
    contacts: list[dict]
    path: str = ""  # how it reached its status, where there are several ways
    suspension: str = ""
    rejections: list[str] = field(default_factory=list)
    review: list[dict] | None = None
    review_comment: str = ""
    credit_limit: str = ""
    agreements: list[AgreementPlan] = field(default_factory=list)


@dataclass(frozen=True)
class _Slot:
    region: str
    province: str
    province_full: str
    city: str
    city_name: str
    latitude: float
    longitude: float
    kind: str


def _pinyin(text: str, initials: bool = False) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER if initials else Style.NORMAL))


def _money(amount: int) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


class _Planner:
    """Draws the company from one seeded generator; knows nothing of the database."""

    def __init__(self, today: date) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.exclusive: list[tuple[str, str, str]] = []  # (territory path, product line, dealer code)

    # --- pieces ----------------------------------------------------------------------------------

    def contacts(self, kind: str, brand: str) -> list[dict]:
        rng = self.rng
        domain = f"{_pinyin(brand)}.com.cn"
        people = []
        for number in range(rng.choice((1, 2, 2))):
            surname, given = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
            if number == 0:
                title = "店长" if kind == Dealer.Kind.RETAIL_TERMINAL else rng.choice(PRIMARY_TITLES)
            else:
                title = rng.choice(OTHER_TITLES)
            people.append(
                {
                    "name": surname + given,
                    "title": title,
                    "phone": rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                    "email": f"{_pinyin(surname)}{_pinyin(given, initials=True)}{number or ''}@{domain}",
                    "is_primary": number == 0,
                }
            )
        return people

    def review(self) -> list[dict]:
        """A checklist that passes (the failing one is ``FAILING_REVIEW``)."""
        return [{"criterion": c, "weight": w, "score": self.rng.randint(70, 98)} for c, w in REVIEW_WEIGHTS]

    def credit_limit(self, tier: str) -> str:
        low, high, step = {
            Dealer.Tier.STRATEGIC: (1_000_000, 3_000_000, 100_000),
            Dealer.Tier.KEY: (300_000, 1_000_000, 50_000),
        }.get(tier, (50_000, 300_000, 10_000))
        return f"{self.rng.randrange(low, high + 1, step)}.00"

    def current_start(self) -> date:
        """The first of a month 1½–9 months ago: its one-year term ends more than 30 days from today."""
        return (self.today - timedelta(days=self.rng.randint(45, 270))).replace(day=1)

    def may_be_exclusive(self, path: str, lines: list[str], dealer: str) -> bool:
        """Exclusive unless another dealer's exclusive agreement overlaps in territory and product line
        (whatever the dates: the demo stays clear of the conflicts that signing refuses)."""
        for other_path, line, other in self.exclusive:
            overlap = path.startswith(other_path) or other_path.startswith(path)
            if other != dealer and overlap and line in lines:
                return False
        self.exclusive.extend((path, line, dealer) for line in lines)
        return True

    def agreement(self, plan: DealerPlan, slot: _Slot, *, status: str, start: date, end: date) -> AgreementPlan:
        rng = self.rng
        kind = {
            Dealer.Kind.FRANCHISEE: Agreement.Kind.FRANCHISE,
            Dealer.Kind.AGENT: Agreement.Kind.AGENCY,
        }.get(plan.kind, Agreement.Kind.ANNUAL_DISTRIBUTION)
        at_province = plan.kind == Dealer.Kind.DISTRIBUTOR
        territory = slot.province if at_province else slot.city
        path = f"/CN/{slot.region}/{slot.province}/" + ("" if at_province else f"{slot.city}/")
        wants_exclusive = plan.kind in (Dealer.Kind.DISTRIBUTOR, Dealer.Kind.AGENT) or (
            plan.kind == Dealer.Kind.FRANCHISEE and rng.random() < 0.5
        )
        exclusive = status == Agreement.Status.SIGNED and wants_exclusive
        exclusive = exclusive and self.may_be_exclusive(path, plan.lines, plan.code)
        low, high = {Dealer.Tier.STRATEGIC: (800, 2000), Dealer.Tier.KEY: (200, 800)}.get(plan.tier, (30, 200))
        return AgreementPlan(
            kind=kind,
            start=start,
            end=end,
            territory=territory,
            exclusive=exclusive,
            lines=list(plan.lines),
            target=_money(rng.randint(low, high) * 10_000),
            rebate=Decimal(rng.choice(("1.50", "2.00", "2.50", "3.00", "3.50", "4.00", "5.00"))),
            terms=rng.choice((30, 45, 60, 90)),
            deposit=_money({Dealer.Tier.STRATEGIC: 200_000, Dealer.Tier.KEY: 100_000}.get(plan.tier, 30_000)),
            status=status,
        )

    # --- the company -----------------------------------------------------------------------------

    def slots(self) -> list[_Slot]:
        """One distributor per province, then three other partners per city (kinds shuffled)."""
        kinds = list(OTHER_KINDS)
        self.rng.shuffle(kinds)
        slots = []
        for region, _name, provinces in TREE:
            for province, _province_name, province_full, cities in provinces:
                full = province_full or ""
                first = cities[0]
                slots.append(_Slot(region, province, full, *first, Dealer.Kind.DISTRIBUTOR))
                for city, city_name, lat, lon in cities:
                    for _copy in range(3):
                        slots.append(_Slot(region, province, full, city, city_name, lat, lon, kinds.pop()))
        return slots

    def plan(self) -> list[DealerPlan]:
        rng = self.rng
        slots = self.slots()
        # The first dealer is the spec's search example: 上海华丰贸易 (found by `shhf`).
        others = [brand for brand in rng.sample(BRANDS, len(slots)) if brand != SEARCH_EXAMPLE_BRAND]
        brands = [SEARCH_EXAMPLE_BRAND, *others[: len(slots) - 1]]
        statuses = list(OTHER_STATUSES)
        rng.shuffle(statuses)
        distributor_statuses = [Dealer.Status.ACTIVE] * 8 + [Dealer.Status.SUSPENDED]
        rng.shuffle(distributor_statuses)
        numbers: dict[str, int] = {}
        rep_turn = dict.fromkeys(TEAMS, 0)
        distributors: dict[str, str] = {}
        plans = []
        for slot, brand in zip(slots, brands, strict=True):
            numbers[slot.province] = numbers.get(slot.province, 0) + 1
            code = f"{slot.province}{numbers[slot.province]:03d}"
            manager = next(m for m, regions in COVERAGE.items() if slot.region in regions)
            owner = TEAMS[manager][rep_turn[manager] % 3]
            rep_turn[manager] += 1
            city_short = slot.city_name.removesuffix("市")
            legal_suffix, short_suffix = rng.choice(NAME_FORMS[slot.kind])
            if not plans:  # see SEARCH_EXAMPLE_BRAND
                legal_suffix, short_suffix = NAME_FORMS[slot.kind][0]
            if slot.kind == Dealer.Kind.DISTRIBUTOR:
                tier = rng.choice((Dealer.Tier.STRATEGIC, Dealer.Tier.STRATEGIC, Dealer.Tier.KEY))
                status = distributor_statuses.pop()
                lines = sorted(rng.sample([c for c, _ in PRODUCT_LINES], rng.randint(2, 4)))
                distributors[slot.province] = code
                parent = None
            else:
                tier = rng.choice((Dealer.Tier.STRATEGIC,) + (Dealer.Tier.KEY,) * 4 + (Dealer.Tier.STANDARD,) * 9)
                status = statuses.pop()
                lines = sorted(rng.sample([c for c, _ in PRODUCT_LINES], rng.randint(1, 2)))
                buys_via = slot.kind in (Dealer.Kind.DEALER, Dealer.Kind.RETAIL_TERMINAL) and rng.random() < 0.5
                parent = distributors[slot.province] if buys_via else None
            city_full = slot.city_name if slot.city_name.endswith("市") else f"{slot.city_name}市"
            plans.append(
                DealerPlan(
                    code=code,
                    name=f"{city_short}{brand}{short_suffix}",
                    legal_name=f"{city_short}{brand}{legal_suffix}",
                    kind=slot.kind,
                    tier=tier,
                    status=status,
                    territory=slot.city,
                    manager=manager,
                    owner=owner,
                    parent=parent,
                    address=f"{slot.province_full}{city_full}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
                    latitude=Decimal(f"{slot.latitude + rng.uniform(-0.06, 0.06):.6f}"),
                    longitude=Decimal(f"{slot.longitude + rng.uniform(-0.06, 0.06):.6f}"),
                    key_account=slot.kind == Dealer.Kind.RETAIL_TERMINAL and tier != Dealer.Tier.STANDARD,
                    lines=lines,
                    contacts=self.contacts(slot.kind, brand),
                )
            )
        self.life_cycles(plans, {plan.code: slot for plan, slot in zip(plans, slots, strict=True)})
        return plans

    def life_cycles(self, plans: list[DealerPlan], slots: dict[str, _Slot]) -> None:
        """Reviews and agreements for each plan, by the status it ends in."""
        rng = self.rng
        by_status: dict[str, list[DealerPlan]] = {}
        for plan in plans:
            by_status.setdefault(plan.status, []).append(plan)
        for number, plan in enumerate(by_status[Dealer.Status.PROSPECT]):
            plan.path = "rejected" if number < 3 else ""
        for number, plan in enumerate(by_status[Dealer.Status.UNDER_REVIEW]):
            plan.path = "rejected" if number == 0 else ""
        for number, plan in enumerate(by_status[Dealer.Status.QUALIFIED]):
            plan.path = ("draft", "draft", "draft", "pending", "pending", "", "")[number]
        for plan, path in zip(by_status[Dealer.Status.TERMINATED], TERMINATED_PATHS, strict=True):
            plan.path = path
        active = by_status[Dealer.Status.ACTIVE]
        # The first active distributor has a renewed chain; two distributors and four others end soon.
        chain = next(p for p in active if p.kind == Dealer.Kind.DISTRIBUTOR)
        chain.path = "chain"
        soon = rng.sample([p for p in active if p.kind == Dealer.Kind.DISTRIBUTOR and p is not chain], 2)
        soon += rng.sample([p for p in active if p.kind != Dealer.Kind.DISTRIBUTOR], 4)
        for plan, days in zip(soon, ENDING_SOON, strict=True):
            plan.path = f"ending:{days}"
        soon[0].path += ":renewal"

        for plan in plans:
            slot = slots[plan.code]
            if plan.status == Dealer.Status.SUSPENDED:
                plan.suspension = rng.choice(SUSPENSIONS)
            elif plan.path == "after_expiry":
                plan.suspension = "协议到期未续签，暂停合作"
            if plan.path == "rejected":
                plan.rejections.append(rng.choice(REJECTIONS))
            never_reviewed = plan.status == Dealer.Status.TERMINATED and plan.path in ("rejected", "prospect")
            if plan.status == Dealer.Status.PROSPECT or never_reviewed:
                continue
            plan.review = self.review()
            plan.review_comment = rng.choice(REVIEW_COMMENTS)
            if plan.status == Dealer.Status.UNDER_REVIEW:
                continue
            plan.credit_limit = self.credit_limit(plan.tier)
            if plan.path in ("draft", "pending"):
                start = (self.today + relativedelta(months=1)).replace(day=1)
                status = Agreement.Status.DRAFT if plan.path == "draft" else Agreement.Status.PENDING_APPROVAL
                plan.agreements.append(
                    self.agreement(plan, slot, status=status, start=start, end=start + relativedelta(years=1, days=-1))
                )
            elif plan.path.startswith("ending:"):
                end = self.today + timedelta(days=int(plan.path.split(":")[1]))
                start = end - relativedelta(years=1) + timedelta(days=1)
                signed = self.agreement(plan, slot, status=Agreement.Status.SIGNED, start=start, end=end)
                signed.renewal_draft = plan.path.endswith(":renewal")
                plan.agreements.append(signed)
            elif plan.path == "chain":
                start = self.current_start() - relativedelta(years=2)
                first = self.agreement(
                    plan, slot, status=Agreement.Status.SIGNED, start=start, end=start + relativedelta(years=1, days=-1)
                )
                first.renewals = 2
                plan.agreements.append(first)
            elif plan.path == "after_expiry":
                start = self.current_start() - relativedelta(years=1)
                plan.agreements.append(
                    self.agreement(
                        plan,
                        slot,
                        status=Agreement.Status.SIGNED,
                        start=start,
                        end=start + relativedelta(years=1, days=-1),
                    )
                )
            elif plan.status in (Dealer.Status.ACTIVE, Dealer.Status.SUSPENDED) or plan.path == "after_agreement":
                start = self.current_start()
                plan.agreements.append(
                    self.agreement(
                        plan,
                        slot,
                        status=Agreement.Status.SIGNED,
                        start=start,
                        end=start + relativedelta(years=1, days=-1),
                    )
                )


# --- the demo's own rows -------------------------------------------------------------------------
# Users add their own territories, dealers and agreements next to the demo's. Whatever the demo draws
# (visits, facts) it draws among its own rows only, so a later run plans exactly what the first did.


def demo_territory_codes(level: int | None = None) -> list[str]:
    """The codes of the demo's territories (of one ``Territory.Level``, or all), in tree order."""
    nodes = [("CN", Territory.Level.COUNTRY)]
    for region, _name, provinces in TREE:
        nodes.append((region, Territory.Level.REGION))
        for province, _province_name, _full, cities in provinces:
            nodes.append((province, Territory.Level.PROVINCE))
            nodes.extend((city, Territory.Level.CITY) for city, *_rest in cities)
    return [code for code, node_level in nodes if level is None or node_level == level]


def demo_dealer_codes() -> list[str]:
    """The codes of the demo's 60 dealers (``_Planner.plan`` numbers them per province: its distributor,
    then three partners per city)."""
    codes = []
    for _region, _name, provinces in TREE:
        for province, _province_name, _full, cities in provinces:
            codes.extend(f"{province}{number:03d}" for number in range(1, 2 + 3 * len(cities)))
    return codes


def demo_agreement_ids() -> list[int]:
    """IDs of the agreements the demo made: a demo dealer's first agreements (by ID), as many as the plan
    gives it. The demo writes a dealer and all its agreements together, so an agreement a user adds to
    a demo dealer later comes after them. (How many agreements each dealer gets does not depend on the day.)"""
    planned = {
        plan.code: sum(1 + agreement.renewals + agreement.renewal_draft for agreement in plan.agreements)
        for plan in _Planner(timezone.localdate()).plan()
    }
    rows = Agreement.objects.filter(dealer__code__in=planned).order_by("pk").values_list("pk", "dealer__code")
    taken: dict[str, int] = {}
    ids = []
    for pk, code in rows:
        taken[code] = taken.get(code, 0) + 1
        if taken[code] <= planned[code]:
            ids.append(pk)
    return ids


# --- writing -------------------------------------------------------------------------------------


def _seed_territories() -> dict[str, Territory]:
    territories = {t.code: t for t in Territory.objects.all()}

    def ensure(code: str, name: str, parent: Territory | None) -> Territory:
        if code not in territories:
            territories[code] = territory_create(code=code, name=name, parent=parent)
        return territories[code]

    china = ensure("CN", "中国", None)
    for region, region_name, provinces in TREE:
        region_node = ensure(region, region_name, china)
        for province, province_name, _full, cities in provinces:
            province_node = ensure(province, province_name, region_node)
            for city, city_name, _lat, _lon in cities:
                ensure(city, city_name, province_node)
    return territories


def _seed_product_lines() -> dict[str, ProductLine]:
    lines = {line.code: line for line in ProductLine.objects.all()}
    for code, name in PRODUCT_LINES:
        if code not in lines:
            lines[code] = ProductLine.objects.create(code=code, name=name)
    return lines


def _seed_coverage(users: dict, territories: dict[str, Territory]) -> dict:
    """Give each demo manager the demo regions (put back if removed; territories a user has added to
    them are kept); returns fresh manager objects."""
    User = get_user_model()
    managers = {}
    for username, regions in COVERAGE.items():
        profile, _created = Profile.objects.get_or_create(user=users[username])
        wanted = {territories[code].pk for code in regions}
        missing = wanted - set(profile.territories.values_list("pk", flat=True))
        if missing:
            profile.territories.add(*missing)
        # A fresh object: the covered territories are cached per user object.
        managers[username] = User._default_manager.get(pk=users[username].pk)
    return managers


def _sign(actor, agreement: Agreement) -> Agreement:
    agreement_services.agreement_submit(actor=actor, agreement=agreement)
    return agreement_services.agreement_sign(actor=actor, agreement=agreement)


def _create_agreement(actor, dealer: Dealer, plan: AgreementPlan, territories, lines) -> Agreement:
    received = plan.start - timedelta(days=10) if plan.status == Agreement.Status.SIGNED else None
    agreement = agreement_services.agreement_create(
        actor=actor,
        dealer=dealer,
        product_lines=[lines[code] for code in plan.lines],
        kind=plan.kind,
        start_date=plan.start,
        end_date=plan.end,
        territory=territories[plan.territory],
        exclusive=plan.exclusive,
        annual_sales_target=plan.target,
        payment_terms_days=plan.terms,
        deposit_amount=plan.deposit,
        deposit_received_on=received if received and received <= timezone.localdate() else None,
    )
    if plan.status == Agreement.Status.DRAFT:
        return agreement
    if plan.status == Agreement.Status.PENDING_APPROVAL:
        agreement_services.agreement_submit(actor=actor, agreement=agreement)
        return agreement
    _sign(actor, agreement)
    for _renewal in range(plan.renewals):
        agreement = _sign(actor, agreement_services.agreement_renew(actor=actor, agreement=agreement))
    if plan.renewal_draft:
        agreement_services.agreement_renew(actor=actor, agreement=agreement)
    return agreement


def _seed_dealer(plan: DealerPlan, *, people: dict, territories, lines, dealers: dict[str, Dealer]) -> Dealer:
    manager, finance = people[plan.manager], people[FINANCE]
    dealer = dealer_services.dealer_create(
        actor=manager,
        code=plan.code,
        name=plan.name,
        legal_name=plan.legal_name,
        kind=plan.kind,
        tier=plan.tier,
        territory=territories[plan.territory],
        owner=people[plan.owner],
        parent=dealers[plan.parent] if plan.parent else None,
        address=plan.address,
        latitude=plan.latitude,
        longitude=plan.longitude,
        is_key_account=plan.key_account,
        contacts=plan.contacts,
        product_lines=[lines[code] for code in plan.lines],
    )
    for reason in plan.rejections:
        dealer_services.dealer_submit_review(actor=manager, dealer=dealer, items=FAILING_REVIEW)
        dealer_services.dealer_reject_qualification(actor=finance, dealer=dealer, reason=reason)
    if plan.review is not None:
        dealer_services.dealer_submit_review(
            actor=manager, dealer=dealer, items=plan.review, comment=plan.review_comment
        )
    if plan.credit_limit:
        dealer_services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit=plan.credit_limit)
    agreements = [_create_agreement(manager, dealer, agreement, territories, lines) for agreement in plan.agreements]
    if plan.path == "after_agreement":
        agreement_services.agreement_terminate(
            actor=manager, agreement=agreements[-1], comment="经销商经营不善，双方协商提前终止协议"
        )
    if plan.suspension:
        dealer_services.dealer_transition(actor=manager, dealer=dealer, name="suspend", comment=plan.suspension)
    if plan.status == Dealer.Status.TERMINATED:
        dealer_services.dealer_transition(actor=manager, dealer=dealer, name="terminate", comment="终止合作")
    return dealer


@transaction.atomic
def seed_partners(users: dict) -> dict[str, int]:
    """Build the demo partner network for the demo ``users`` (from ``seed_users``); adds only what is missing."""
    territories = _seed_territories()
    lines = _seed_product_lines()
    people = {**users, **_seed_coverage(users, territories)}
    plans = _Planner(timezone.localdate()).plan()
    dealers = {d.code: d for d in Dealer.objects.filter(code__in=[p.code for p in plans])}
    for plan in plans:  # distributors come first in their province, so parents exist
        if plan.code not in dealers:
            dealers[plan.code] = _seed_dealer(
                plan, people=people, territories=territories, lines=lines, dealers=dealers
            )
    _seed_documents(users["admin"])
    return {
        "territories": Territory.objects.count(),
        "dealers": Dealer.objects.count(),
        "agreements": Agreement.objects.count(),
    }


#: How many of the demo's signed agreements carry a scan of the signed contract (shown on the dealer page).
DOCUMENTED_AGREEMENTS = 4


def _seed_documents(admin) -> None:
    """A signed contract's scan on the first demo agreements that are signed, sent through the evidence
    service; an agreement that has documents is left as it is (so a second seed adds nothing)."""
    from evidence.demo import demo_pdf
    from evidence.models import Attachment
    from evidence.selectors import attachments_for
    from evidence.services import attachments_add

    signed = list(
        Agreement.objects.filter(pk__in=demo_agreement_ids(), status=Agreement.Status.SIGNED)
        .select_related("dealer")
        .order_by("pk")[:DOCUMENTED_AGREEMENTS]
    )
    documented = attachments_for(Agreement, [agreement.pk for agreement in signed])
    for agreement in signed:
        if agreement.pk not in documented:
            scan = demo_pdf(f"{agreement.dealer.code}-contract.pdf", f"Signed agreement {agreement.dealer.code}")
            attachments_add(actor=admin, obj=agreement, files=[scan], kind=Attachment.Kind.DOCUMENT)


def demo_step(users: dict) -> str:
    """``seed_demo``'s step for this app (``channelhub.registry.register_demo``): its line of output."""
    return _("Demo partners: %(territories)d territories, %(dealers)d dealers, %(agreements)d agreements") % (
        seed_partners(users)
    )
