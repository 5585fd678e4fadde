"""The demo company's inspections, rectifications and complaints (SPEC §10, §17), written through the services
as the demo people, then dated back to the day each step happened.

* The demo inspector 周巡检 (``inspector1``) covers manager1's regions (华东, 华北).
* The shipped 价格与窜货 template gets a ``price`` item per demo product line (its minimum on the dealer's
  agreement), its weights rebalanced to 100; the demo distributors' signed agreements get minimum prices.
* Twelve inspections over the last three months, done and reviewed (by the dealer's manager, or an admin for
  a manager's own), across the three templates and the three kinds, with scores from a few failed items —
  each failed item's rectification answered by the dealer's rep and verified by the inspector. And one
  mystery inspection (12 days ago, of rep1's distributor) with a failed critical item and a price below the
  minimum: its rectifications are one verified, one submitted (waiting for verification) and one open and
  overdue.
* Planned: today's routine inspection for inspector1 and for manager1, and a mystery inspection of one of
  rep1's terminals in three days — which rep1 does not see.
* Eight complaints over the last two months, most responded to within 4 hours; two late (one assigned to
  rep1 this month, responded after 5 hours: rep1's scorecard deducts it), one still open.

Idempotent: the stories are the demo's by their review notes (the complaints by their descriptions), on demo
dealers; once one exists none is written again. The price items, the minimum prices and the inspector's
territories are added only where missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.accounts.models import Profile
from channelhub.notifications.models import Notification
from channelhub.workflow.models import StateChange
from evidence.demo import demo_photo
from evidence.models import Attachment
from inspections.models import ChecklistItem, ChecklistTemplate, Complaint, Inspection, InspectionResult, Rectification
from inspections.selectors import min_price_for
from inspections.services.complaints import complaint_record, complaint_resolve, complaint_respond
from inspections.services.inspections import inspection_complete, inspection_plan, inspection_review, result_save
from inspections.services.rectifications import due_date_for, rectification_submit, rectification_verify
from inspections.texts import PRICE_ITEM_TEXT, ensure_shipped_templates
from partners.demo import COVERAGE, PRODUCT_LINES, demo_agreement_ids, demo_dealer_codes
from partners.models import Agreement, Dealer, ProductLine

D = Decimal
INSPECTOR = "inspector1"
#: The demo inspector covers this manager's regions.
INSPECTOR_OF = "manager1"
#: A demo product line's minimum shelf price (厨电, 净水, 小家电, 暖通).
MIN_PRICES = {"kitchen": "2999.00", "water": "1699.00", "small-appliances": "299.00", "hvac": "4599.00"}
#: The price items' share of the 价格与窜货 template's weights (the shipped checks share the rest).
PRICE_SHARE = D("40")


# --- reference data -----------------------------------------------------------------------------------------


def _cover(users: dict) -> None:
    """The inspector covers manager1's demo regions (put back if removed)."""
    from partners.models import Territory

    profile, _created = Profile.objects.get_or_create(user=users[INSPECTOR])
    wanted = set(Territory.objects.filter(code__in=COVERAGE[INSPECTOR_OF]).values_list("pk", flat=True))
    missing = wanted - set(profile.territories.values_list("pk", flat=True))
    if missing:
        profile.territories.add(*missing)


def price_items() -> ChecklistTemplate | None:
    """A ``price`` item per demo product line on the shipped price template, and its weights rebalanced to
    exactly 100 when they are not: the price items share ``PRICE_SHARE``, the checks the rest in proportion.
    Answers the template (None when it is gone)."""
    template = ChecklistTemplate.objects.filter(code="price").first()
    if template is None:
        return None
    lines = {line.code: line for line in ProductLine.objects.filter(code__in=[code for code, _name in PRODUCT_LINES])}
    have = set(template.items.values_list("code", flat=True))
    for index, (code, _name) in enumerate(PRODUCT_LINES):
        if code in lines and f"price_{code}" not in have:
            ChecklistItem.objects.create(
                template=template,
                code=f"price_{code}",
                text=PRICE_ITEM_TEXT,
                kind=ChecklistItem.Kind.PRICE,
                product_line=lines[code],
                weight=D("0"),
                position=100 + 10 * index,
            )
    items = list(template.items.order_by("position", "pk"))
    if sum((item.weight for item in items), D("0")) != D("100"):
        _rebalance(items)
    return template


def _rebalance(items: list[ChecklistItem]) -> None:
    prices = [item for item in items if item.kind == ChecklistItem.Kind.PRICE]
    checks = [item for item in items if item.kind == ChecklistItem.Kind.CHECK]
    share = PRICE_SHARE if prices and checks else (D("100") if prices else D("0"))
    cent = D("0.01")
    for group, total in ((prices, share), (checks, D("100") - share)):
        if not group:
            continue
        basis = sum((item.weight for item in group), D("0"))
        for item in group:
            part = item.weight / basis if basis else D("1") / len(group)
            item.weight = (total * part).quantize(cent, rounding=ROUND_DOWN)
        group[0].weight += total - sum((item.weight for item in group), D("0"))  # the cents left over
    for item in items:
        item.save(update_fields=["weight"])


def _min_prices() -> None:
    """The demo distributors' signed agreements name each of their lines' minimum price (where none is set)."""
    agreements = Agreement.objects.filter(
        pk__in=demo_agreement_ids(),
        dealer__kind=Dealer.Kind.DISTRIBUTOR,
        status=Agreement.Status.SIGNED,
        min_prices={},
    ).prefetch_related("product_lines")
    for agreement in agreements:
        prices = {line.code: MIN_PRICES[line.code] for line in agreement.product_lines.all() if line.code in MIN_PRICES}
        if prices:
            Agreement.objects.filter(pk=agreement.pk).update(min_prices=prices)


# --- dating the stories back ----------------------------------------------------------------------------------


class _Clock:
    """Runs a story's steps now, then moves what each step wrote to the moment it happened in the story: every
    time stamp of the inspection, its results, rectifications, photos, state log and notifications (and the due
    dates, counted from the day it was done)."""

    def __init__(self):
        self.inspection: Inspection | None = None
        #: (when a step began, how far back its writes go), in the order the steps ran
        self.marks: list[tuple[datetime, timedelta]] = []

    def step(self, moment: datetime, run):
        now = timezone.now()
        self.marks.append((now, moment - now))
        return run()

    def moved(self, stamp: datetime) -> datetime:
        """Where a time stamp written by the story's steps goes: back as far as the step that wrote it."""
        for since, shift in reversed(self.marks):
            if stamp >= since:
                return stamp + shift
        return stamp

    def finish(self, done_at: datetime) -> None:
        inspection = self.inspection
        rectifications = list(Rectification.objects.filter(inspection=inspection).values_list("pk", flat=True))
        results = list(inspection.results.values_list("pk", flat=True))
        types = ContentType.objects.get_for_models(Inspection, InspectionResult, Rectification)
        photos = Attachment.objects.filter(
            Q(object_type=types[InspectionResult], object_id__in=results)
            | Q(object_type=types[Rectification], object_id__in=rectifications)
        )
        stamps = (
            (Inspection.objects.filter(pk=inspection.pk), ("created_at", "done_at", "reviewed_at", "updated_at")),
            (InspectionResult.objects.filter(pk__in=results), ("answered_at",)),
            (
                Rectification.objects.filter(pk__in=rectifications),
                ("created_at", "answered_at", "verified_at", "updated_at"),
            ),
            (
                StateChange.objects.filter(
                    Q(content_type=types[Inspection], object_id=inspection.pk)
                    | Q(content_type=types[Rectification], object_id__in=rectifications)
                ),
                ("at",),
            ),
            (photos, ("uploaded_at",)),
            (Notification.objects.filter(self.notifications(rectifications)), ("created_at",)),
        )
        # a photo was taken just before it was sent: it goes back as far as its upload
        for photo in photos.exclude(taken_at=None).values("pk", "uploaded_at", "taken_at"):
            back = self.moved(photo["uploaded_at"]) - photo["uploaded_at"]
            photos.filter(pk=photo["pk"]).update(taken_at=photo["taken_at"] + back)
        for rows, fields in stamps:
            for row in rows.values("pk", *fields):
                moved = {name: self.moved(row[name]) for name in fields if row[name] is not None}
                rows.model._default_manager.filter(pk=row["pk"]).update(**moved)
        day = timezone.localdate(done_at)
        Inspection.objects.filter(pk=inspection.pk).update(planned_on=day)
        for critical in (False, True):
            Rectification.objects.filter(pk__in=rectifications, critical=critical).update(
                due_date=due_date_for(day, critical=critical)
            )

    def notifications(self, rectifications: list[int]) -> Q:
        keys = Q(key__startswith=f"inspection-{self.inspection.pk}-")
        for pk in rectifications:
            keys |= Q(key__startswith=f"rectification-{pk}-")
        return keys

    def read(self, before: datetime) -> None:
        """The story's notifications sent before ``before`` have been read (two hours after they came)."""
        rectifications = list(Rectification.objects.filter(inspection=self.inspection).values_list("pk", flat=True))
        Notification.objects.filter(
            self.notifications(rectifications), created_at__lt=before, read_at__isnull=True
        ).update(read_at=F("created_at") + timedelta(hours=2))


# --- the stories -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One inspection: who inspects which dealer (``pool``: a key of ``_pools``, ``pick``: which of it), with
    which template and kind, how many days ago, which items fail (with the inspector's note), and the review."""

    pool: str
    pick: int
    template: str
    kind: str
    inspector: str
    days_ago: int
    review_note: str
    failed: dict[str, str] = field(default_factory=dict)
    #: how far below the minimum the shelf price of the first line with a minimum is (a price violation)
    under: str = ""


R, M, Q4 = Inspection.Kind.ROUTINE, Inspection.Kind.MYSTERY, Inspection.Kind.QUARTERLY

# fmt: off
STORIES = (
    Story("north_east", 1, "display", R, INSPECTOR, 86, "陈列基本到位，店员培训需加强", {"staff": "店员对新品卖点不熟悉"}),
    Story("south", 0, "stock", Q4, "manager2", 79, "季度检查通过，仓储需整改", {"storage": "部分纸箱直接堆放在地面"}),
    Story("north_east", 2, "price", R, INSPECTOR, 71, "价格管理规范"),
    Story("north_east", 3, "stock", Q4, "manager1", 64, "季度检查：先进先出执行不到位", {"fifo": "新旧批次混放"}),
    Story("south", 1, "display", R, "manager2", 57, "门店形象良好"),
    Story("north_east", 4, "display", R, INSPECTOR, 49, "货架需补货", {"tidy": "小家电货架缺货两个品项"}),
    Story("south", 2, "price", R, "manager2", 41, "明码标价需完善", {"price_tags": "部分商品未标价"}),
    Story("north_east", 5, "stock", Q4, INSPECTOR, 34, "季度检查通过"),
    Story("south", 3, "display", R, "manager2", 27, "陈列整改到位，继续保持", {"staff": "新店员未参加培训"}),
    Story("north_east", 6, "display", M, INSPECTOR, 20, "暗访：整体良好"),
    Story(
        "rep1_distributor", 0, "price", M, INSPECTOR, 12, "暗访发现窜货与低价销售，限期整改",
        {"no_cross_goods": "发现外区域批号产品", "no_promo": "店内张贴未经批准的降价海报"},
        under="30.00",
    ),
    Story("north_east", 7, "stock", R, INSPECTOR, 5, "库存管理良好"),
)
# fmt: on
#: The showcase mystery inspection's rectifications: the price one verified, the promotion one submitted (waiting
#: for verification), the critical one left open (overdue: due 3 days after the inspection).
SHOWCASE_SUBMITTED = "no_promo"
SHOWCASE_OPEN = "no_cross_goods"
ANSWERS = {
    "staff": "已组织店员参加产品培训",
    "storage": "已加装货架垫板，纸箱离地存放",
    "fifo": "已按批次重新整理库存",
    "tidy": "已补齐缺货品项",
    "price_tags": "已补齐价签",
    "no_promo": "已撤下未经批准的降价海报",
}


def _pools(people: dict) -> dict[str, list[Dealer]]:
    """Active demo dealers to inspect, by code: manager1's regions (north_east), manager2's (south) and rep1's
    distributor with minimum prices (the showcase of the price rule)."""
    active = (
        Dealer.objects.filter(code__in=demo_dealer_codes(), status=Dealer.Status.ACTIVE)
        .select_related("territory", "owner", "parent")
        .order_by("code")
    )

    def region(codes) -> Q:
        condition = Q(pk__in=[])
        for code in codes:
            condition |= Q(territory__path__contains=f"/{code}/")
        return condition

    north_east = list(active.filter(region(COVERAGE["manager1"])).exclude(kind=Dealer.Kind.RETAIL_TERMINAL))
    today = timezone.localdate()
    showcase = [
        dealer
        for dealer in active.filter(owner=people["rep1"], kind=Dealer.Kind.DISTRIBUTOR)
        if any(min_price_for(dealer, line, today) is not None for line in dealer.product_lines.all())
    ]
    showcase = showcase or north_east[:1]
    return {
        "north_east": [dealer for dealer in north_east if dealer not in showcase],
        "south": list(active.filter(region(COVERAGE["manager2"])).exclude(kind=Dealer.Kind.RETAIL_TERMINAL)),
        "rep1_distributor": showcase,
        "rep1_terminals": list(active.filter(owner=people["rep1"], kind=Dealer.Kind.RETAIL_TERMINAL)),
    }


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _photo(dealer: Dealer, seed: str) -> object:
    """A photo taken now at the dealer's door (its time and place moved with the story)."""
    return demo_photo(
        f"inspections:{dealer.code}:{seed}",
        taken=timezone.now() - timedelta(minutes=5),
        latitude=dealer.latitude,
        longitude=dealer.longitude,
    )


def _answer(inspector, inspection: Inspection, story: Story, today: date) -> None:
    """Every item: the failed ones fail (with a photo where required), prices are seen above the minimum (or
    below it by ``story.under``), lines the dealer does not carry are not applicable."""
    dealer = inspection.dealer
    carried = set(dealer.product_lines.values_list("code", flat=True))
    under = D(story.under or "0")
    for result in inspection.results.select_related("item", "item__product_line"):
        item, price, value, note = result.item, None, InspectionResult.Result.PASS, ""
        if item.kind == ChecklistItem.Kind.PRICE:
            line = item.product_line
            if line.code not in carried:
                value = InspectionResult.Result.NA
            else:
                minimum = min_price_for(dealer, line, today)
                if under and minimum is not None:
                    price, note, under = minimum - under, "低于最低限价销售", D("0")
                else:
                    price, note = (minimum or D(MIN_PRICES.get(line.code, "100.00"))) + D("100.00"), "货架实拍价格"
        elif item.code in story.failed:
            value, note = InspectionResult.Result.FAIL, story.failed[item.code]
        photos = [_photo(dealer, f"{inspection.pk}:{item.code}")] if value == "fail" and item.requires_photo else []
        result_save(
            inspector,
            result,
            value=value,
            note=note,
            observed_price=price,
            photos=photos,
            latitude=dealer.latitude,
            longitude=dealer.longitude,
        )


def _play(story: Story, dealer: Dealer, template: ChecklistTemplate, people: dict, now: datetime) -> Inspection:
    """Plan, answer, complete, rectify and review one inspection, each step dated back to its day."""
    inspector, rep = people[story.inspector], dealer.owner
    today = timezone.localdate(now)
    done_at = _at(today - timedelta(days=story.days_ago), 10, 30)
    clock = _Clock()
    inspection = clock.inspection = clock.step(
        done_at - timedelta(days=3),
        lambda: inspection_plan(inspector, dealer=dealer, template=template, kind=story.kind, inspector=inspector),
    )
    clock.step(done_at - timedelta(minutes=40), lambda: _answer(inspector, inspection, story, today))
    clock.step(
        done_at,
        lambda: inspection_complete(inspector, inspection, latitude=dealer.latitude, longitude=dealer.longitude),
    )
    showcase = story.pool == "rep1_distributor"
    rectifications = inspection.rectifications.select_related("result__item").order_by("pk")
    for number, rectification in enumerate(rectifications):
        item = rectification.result.item
        if showcase and item.code == SHOWCASE_OPEN:
            continue
        answered = done_at + timedelta(days=2 + number % 3, hours=4)
        if showcase and item.code == SHOWCASE_SUBMITTED:
            answered = min(done_at + timedelta(days=11), now - timedelta(hours=3))
        photos = [_photo(dealer, f"rectification:{rectification.pk}")] if item.requires_photo else []
        note = ANSWERS.get(item.code, "已按要求整改")
        clock.step(answered, lambda r=rectification, p=photos, n=note: rectification_submit(rep, r, note=n, photos=p))
        if not (showcase and item.code == SHOWCASE_SUBMITTED):
            verified = answered + timedelta(days=1)
            clock.step(verified, lambda r=rectification: rectification_verify(inspector, r, note="复查合格"))
    reviewer = people["admin"] if story.inspector.startswith("manager") else people["manager1"]
    clock.step(
        done_at + timedelta(days=1, hours=5), lambda: inspection_review(reviewer, inspection, note=story.review_note)
    )
    clock.finish(done_at)
    clock.read(now - timedelta(days=3))
    return inspection


def _plan_today(people: dict, pools: dict, templates: dict, now: datetime) -> None:
    """Today's routine inspections for inspector1 and manager1, and a mystery inspection of one of rep1's
    terminals in three days (planned by manager1 for inspector1: rep1 is not told)."""
    today = timezone.localdate(now)
    manager1, inspector1 = people["manager1"], people[INSPECTOR]
    north_east = pools["north_east"]
    if len(north_east) >= 2:
        inspection_plan(manager1, dealer=north_east[-1], template=templates["display"], kind=R, inspector=inspector1)
        inspection_plan(manager1, dealer=north_east[-2], template=templates["price"], kind=R)
    if pools["rep1_terminals"]:
        inspection_plan(
            manager1,
            dealer=pools["rep1_terminals"][-1],
            template=templates["display"],
            kind=M,
            inspector=inspector1,
            planned_on=today + timedelta(days=3),
        )


# --- complaints ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintStory:
    rep: str
    days_ago: int
    source: str
    category: str
    description: str
    #: hours after receipt: the response and the resolution (None: not yet)
    respond: float | None
    resolve: float | None = None
    recorded_by_manager: bool = False


# fmt: off
COMPLAINTS = (
    ComplaintStory("rep1", 55, "consumer", "quality", "消费者反映净水器滤芯漏水", 1.5, 50),
    ComplaintStory("rep2", 48, "terminal", "delivery", "门店反映补货延迟一周", 2, 26),
    ComplaintStory("rep4", 40, "dealer", "price", "经销商投诉相邻区域低价窜货", 6, 72, recorded_by_manager=True),
    ComplaintStory("rep3", 31, "consumer", "service", "安装师傅未按约定时间上门", 3, 30),
    ComplaintStory("rep5", 22, "terminal", "display", "门店宣传物料破损需更换", None, 2),
    ComplaintStory("rep6", 9, "consumer", "quality", "小家电开箱即有划痕", 1, None),
    ComplaintStory("rep1", 0, "dealer", "delivery", "经销商投诉厨电到货包装破损", 5 + 1 / 6, None),
    ComplaintStory("rep2", 0, "consumer", "service", "消费者电话投诉售后热线无人接听", None, None),
)
# fmt: on


def _complaint_received(story: ComplaintStory, now: datetime) -> datetime:
    """The late one of rep1 lies in this month (two days ago at 9:40, or this month's first morning), unless the
    month began too recently for a response 5 hours later; the open one came in an hour and a half ago."""
    today = timezone.localdate(now)
    if story.days_ago:
        return _at(today - timedelta(days=story.days_ago), 9, 20)
    if story.respond is None:
        return now - timedelta(minutes=90)
    received = _at(max(today - timedelta(days=2), today.replace(day=1)), 9, 40)
    if received + timedelta(hours=story.respond) > now:
        received = now - timedelta(hours=story.respond + 1)
    return received


def _complaint(story: ComplaintStory, dealer: Dealer, people: dict, now: datetime) -> Complaint:
    rep = people[story.rep]
    recorder = rep
    if story.recorded_by_manager:
        managers = [m for m, regions in COVERAGE.items() if any(f"/{r}/" in dealer.territory.path for r in regions)]
        recorder = people[managers[0]] if managers else rep
    received = _complaint_received(story, now)
    since = timezone.now()
    complaint = complaint_record(
        recorder,
        dealer=dealer,
        source=story.source,
        category=story.category,
        description=story.description,
        received_at=received,
        assignee=rep,
    )
    if story.respond is not None:
        complaint_respond(
            rep,
            complaint,
            response="已联系投诉方并说明处理方案",
            responded_at=received + timedelta(hours=story.respond),
        )
    if story.resolve is not None:
        complaint_resolve(
            rep,
            complaint,
            resolution="问题已解决，投诉方确认满意",
            resolved_at=received + timedelta(hours=story.resolve),
        )
    complaint.refresh_from_db()
    moments = {"create": received, "respond": complaint.responded_at, "resolve": complaint.resolved_at}
    changes = StateChange.objects.for_object(complaint).filter(at__gte=since)
    for transition, moment in moments.items():
        if moment is not None:
            changes.filter(transition=transition).update(at=moment)
    Complaint.objects.filter(pk=complaint.pk).update(
        created_at=received, updated_at=complaint.resolved_at or complaint.responded_at or received
    )
    Notification.objects.filter(key__startswith=f"complaint-{complaint.pk}-", created_at__gte=since).update(
        created_at=received
    )
    return complaint


# --- the whole -------------------------------------------------------------------------------------------------


def _seeded() -> bool:
    codes = demo_dealer_codes()
    return (
        Inspection.objects.filter(review_note__in=[s.review_note for s in STORIES], dealer__code__in=codes).exists()
        or Complaint.objects.filter(
            description__in=[c.description for c in COMPLAINTS], dealer__code__in=codes
        ).exists()
    )


@transaction.atomic
def seed_inspections(users: dict) -> dict[str, int]:
    """Build the demo inspections for the demo ``users`` (from ``seed_users``); adds only what is missing."""
    _cover(users)
    ensure_shipped_templates()
    price_template = price_items()
    _min_prices()
    if not _seeded() and price_template is not None:
        # fresh objects: a user object keeps the territories it covered when first asked (``territory_paths``)
        people = {
            user.username: user
            for user in get_user_model()._default_manager.filter(pk__in=[u.pk for u in users.values()])
        }
        templates = {t.code: t for t in ChecklistTemplate.objects.filter(code__in=["display", "price", "stock"])}
        now = timezone.now()
        pools = _pools(people)
        for story in STORIES:
            pool = pools[story.pool]
            if story.pick < len(pool) and story.template in templates:
                _play(story, pool[story.pick], templates[story.template], people, now)
        _plan_today(people, pools, templates, now)
        by_owner = {}
        for dealer in (
            Dealer.objects.filter(code__in=demo_dealer_codes(), status=Dealer.Status.ACTIVE)
            .select_related("territory")
            .order_by("code")
        ):
            by_owner.setdefault(dealer.owner_id, []).append(dealer)
        for number, story in enumerate(COMPLAINTS):
            dealers = by_owner.get(people[story.rep].pk)
            if dealers:
                _complaint(story, dealers[number % len(dealers)], people, now)
    return {
        "inspections": Inspection.objects.count(),
        "rectifications": Rectification.objects.count(),
        "complaints": Complaint.objects.count(),
    }


def demo_step(users: dict) -> str:
    """``seed_demo``'s step for this app (``channelhub.registry.register_demo``): its line of output."""
    return _(
        "Demo inspections: %(inspections)d inspections, %(rectifications)d rectifications, %(complaints)d complaints"
    ) % seed_inspections(users)
