"""The demo visits of SPEC §10: a year of visits and ten weeks of week plans for the six demo reps.

Each rep visits their own demo dealers (``dealer.owner``, not terminated ones; never a dealer a user
added, see ``partners.demo.demo_dealer_codes``) on working days, about
``PACE`` visits a month: rep1, rep2 and rep4 meet the quota of 30, rep3 and rep5 fall short, rep6
meets the lower quota of 25 the demo gives them. A few visits are logged more than 72 h late or
from about 2 km away; the rep's manager has confirmed most older visits and marked some flagged
ones ``false_report`` or ``fabricated``; those of the last week wait in the manager's review queue.

Written in bulk — ``make run`` seeds every time — yet as the services would write it:
``visit_apply_checks`` sets ``visited_on`` and the flags, every visit and plan has its state log
(``StateChange``: created by the rep, reviewed by the manager) and its field history.

Deterministic and idempotent: a rep's day is drawn from ``random.Random`` seeded with the rep and
the date, so the same day gives the same visits whenever it is drawn, and ``client_uuid`` (uuid5 of
rep, date and number) finds the visits that exist already; plans are one per rep and week. Visits
run up to yesterday, so two runs on one day plan the same visits; a later run adds the days since.
How far a visit got in its review depends on its age on the day it is first seeded.
"""

from __future__ import annotations

import copy
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.accounts.demo import DEMO_USERS
from channelhub.periods import Month, week_start
from channelhub.roles import Role
from channelhub.workflow.models import StateChange
from partners.demo import demo_dealer_codes
from partners.models import Dealer
from visits.models import Quota, Visit, VisitPlan, VisitPlanItem, plan_due_at
from visits.selectors.compliance import working_weekdays
from visits.services.rollups import Counted, visits_moved
from visits.services.visits import visit_apply_checks

SEED = 2026
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "visits.demo.channelhub.local")
BATCH = 500

#: Visits a month each rep aims at (before a month's ups and downs of −12 % to +10 %).
PACE = {"rep1": 36, "rep2": 33, "rep3": 26, "rep4": 38, "rep5": 24, "rep6": 29}
#: Share of a rep's visits logged late, and (separately) logged far from the dealer.
FLAG_RATE = {"rep5": 0.08}
DEFAULT_FLAG_RATE = 0.03
#: The demo's one personal quota (SPEC §4: empty fields keep the defaults from settings).
QUOTA_OVERRIDES = {"rep6": {"monthly_min": 25}}
#: Months of visits before the current one (which runs up to yesterday).
MONTHS = 12
#: Visits logged within this many days before today are not reviewed yet.
REVIEW_AFTER_DAYS = 7
#: Week plans from this many weeks ago up to next week.
PLAN_WEEKS_BACK = 8
#: Past plans left returned (the rep never handed them in again), the one late plan, and the rep
#: with no plan for next week yet (the Saturday reminder has someone to remind).
RETURNED_PLANS = {("rep2", -3), ("rep5", -6)}
LATE_PLAN = ("rep3", -2)
NO_PLAN_NEXT_WEEK = "rep6"

KIND_WEIGHTS = {
    Dealer.Status.ACTIVE: {
        Visit.Kind.MAINTENANCE: 40,
        Visit.Kind.INSPECTION: 15,
        Visit.Kind.COLLECTION: 14,
        Visit.Kind.TRAINING: 12,
        Visit.Kind.DEVELOPMENT: 10,
        Visit.Kind.COMPLAINT: 9,
    },
    Dealer.Status.SUSPENDED: {Visit.Kind.COLLECTION: 6, Visit.Kind.COMPLAINT: 2, Visit.Kind.INSPECTION: 2},
    Dealer.Status.QUALIFIED: {Visit.Kind.DEVELOPMENT: 6, Visit.Kind.TRAINING: 3},
    Dealer.Status.UNDER_REVIEW: {Visit.Kind.DEVELOPMENT: 1},
    Dealer.Status.PROSPECT: {Visit.Kind.DEVELOPMENT: 1},
}
DEALER_WEIGHTS = {
    Dealer.Status.ACTIVE: 6,
    Dealer.Status.QUALIFIED: 3,
    Dealer.Status.SUSPENDED: 2,
    Dealer.Status.UNDER_REVIEW: 2,
    Dealer.Status.PROSPECT: 2,
}
#: kind → (purposes, summaries, outcomes, next actions)
TEXTS = {
    Visit.Kind.DEVELOPMENT: (
        ("新客户开发", "洽谈合作意向", "介绍品牌与渠道政策"),
        ("与负责人面谈，介绍产品线、价格体系和返利政策", "参观门店与仓库，了解经营规模和下游网络"),
        ("对方有合作意向，需要报价", "对返利政策有疑问，需进一步沟通", "同意提交资质材料"),
        ("三日内发送报价单", "安排区域经理面谈", "收集营业执照等资质材料"),
    ),
    Visit.Kind.MAINTENANCE: (
        ("例行拜访", "了解动销情况", "沟通月度订货计划"),
        ("检查库存与陈列，沟通本月订货计划", "走访门店，了解销量、价格和竞品动态", "与老板沟通旺季备货"),
        ("确认本月订单", "陈列已按要求调整", "库存偏高，本月少订"),
        ("跟进订单发货", "下周复查陈列", "月底前确认下月订单"),
    ),
    Visit.Kind.TRAINING: (
        ("新品培训", "导购培训", "安装与售后培训"),
        ("为门店导购讲解新品卖点和常见问题", "培训安装师傅新款机型的安装规范"),
        ("导购已掌握主推卖点", "培训已完成，发放资料"),
        ("两周后回访培训效果", "补发培训视频"),
    ),
    Visit.Kind.INSPECTION: (
        ("终端陈列检查", "价格巡查", "窜货排查"),
        ("检查样机陈列与价签，核对零售价", "抽查库存条码，排查跨区销售"),
        ("陈列符合标准", "发现个别型号低价销售，已提醒", "未发现窜货"),
        ("下月复查", "提交巡查报告"),
    ),
    Visit.Kind.COMPLAINT: (
        ("处理客户投诉", "售后问题协调"),
        ("与经销商和终端客户沟通安装延误投诉", "协调退换货，了解质量问题"),
        ("已安排售后上门", "客户接受换货方案"),
        ("三日内回访客户", "反馈质量问题给工厂"),
    ),
    Visit.Kind.COLLECTION: (
        ("催收货款", "对账", "回款确认"),
        ("核对本季度往来账，催收逾期货款", "与财务对账，确认回款计划"),
        ("承诺月底前回款", "已核对无误，签字确认", "部分回款，余款分两期"),
        ("月底跟进回款", "将对账单交财务"),
    ),
}
#: A manager's verdict comments: status → (any visit, late entries, far from the dealer)
REVIEW_COMMENTS = {
    Visit.Status.CONFIRMED: (
        ("已电话核实，拜访属实",),
        ("补录原因已说明，予以确认",),
        ("定位偏差为在经销商仓库拜访，予以确认",),
    ),
    Visit.Status.FALSE_REPORT: (
        ("经销商反馈当天无人拜访", "拜访记录与经销商回忆不符，按虚报处理"),
        ("补录内容与经销商所述不符，按虚报处理",),
        (),
    ),
    Visit.Status.FABRICATED: (
        ("现场照片为旧图，系弄虚作假",),
        ("事后补录且经销商否认有拜访，系编造",),
        ("定位距经销商较远且无法说明，系编造拜访",),
    ),
}
PLAN_APPROVAL_COMMENTS = ("", "", "同意", "按计划执行", "注意覆盖重点客户")
PLAN_RETURN_COMMENTS = ("重点客户覆盖不足，请补充", "周三安排过密，请调整路线", "请增加对新开发客户的拜访")

METRES_PER_DEGREE = 111_320


@dataclass
class _Rep:
    username: str
    user: object
    manager: object
    dealers: list[Dealer]
    weights: list[int]
    pace: int
    flag_rate: float
    months: dict[tuple[int, int], float] = field(default_factory=dict)
    weeks: dict[date, dict[date, list[_Draw]]] = field(default_factory=dict)

    def month_factor(self, day: date) -> float:
        key = (day.year, day.month)
        if key not in self.months:
            self.months[key] = random.Random(f"{SEED}:{self.username}:{day:%Y-%m}").uniform(0.88, 1.10)
        return self.months[key]


@dataclass
class _Draw:
    """One visit of a rep's day, with every random value it needs (all drawn, whether used or not)."""

    dealer: Dealer
    kind: str
    texts: tuple[str, str, str, str]
    minute: int
    log_minutes: float
    late: bool
    late_hours: float
    far: bool
    no_position: bool
    bearing: float
    offset_m: float
    accuracy_m: float
    verdict: float
    review_hours: float
    comment_pick: int


def _week(rep: _Rep, monday: date) -> dict[date, list[_Draw]]:
    """The visits ``rep`` makes on each working day of the week: the same whenever they are drawn.
    Each day has its own generator; the dealers already seen that week are less likely again, as a
    rep covering their dealers would plan it."""
    if monday not in rep.weeks:
        week, seen = {}, set()
        for day in _working_days(monday, monday + timedelta(days=6)):
            week[day] = _day(rep, day, seen)
            seen.update(draw.dealer.pk for draw in week[day])
        rep.weeks[monday] = week
    return rep.weeks[monday]


def _day(rep: _Rep, day: date, seen: set[int]) -> list[_Draw]:
    rng = random.Random(f"{SEED}:{rep.username}:{day.isoformat()}")
    mean = rep.pace * rep.month_factor(day) / 21.75
    count = min(len(rep.dealers), max(0, int(mean + rng.uniform(-0.5, 0.5) + rng.random())))
    pool = list(rep.dealers)
    weights = [weight * (0.15 if dealer.pk in seen else 1) for dealer, weight in zip(pool, rep.weights, strict=True)]
    dealers = []
    for _number in range(count):
        pick = rng.choices(range(len(pool)), weights=weights)[0]
        dealers.append(pool.pop(pick))
        weights.pop(pick)
    draws, minute = [], 9 * 60 + rng.randrange(60)
    for dealer in dealers:
        kinds = KIND_WEIGHTS[dealer.status]
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        texts = tuple(rng.choice(options) for options in TEXTS[kind])
        draws.append(
            _Draw(
                dealer=dealer,
                kind=kind,
                texts=texts,
                minute=minute,
                log_minutes=rng.uniform(3, 50) if rng.random() < 0.8 else rng.uniform(60, 600),
                late=rng.random() < rep.flag_rate,
                late_hours=rng.uniform(74, 200),
                far=rng.random() < rep.flag_rate,
                no_position=rng.random() < 0.03,
                bearing=rng.uniform(0, 2 * math.pi),
                offset_m=rng.uniform(5, 150),
                accuracy_m=rng.uniform(5, 40),
                verdict=rng.random(),
                review_hours=rng.uniform(4, 72),
                comment_pick=rng.randrange(6),
            )
        )
        minute += rng.randrange(80, 150)
    return draws


def _offset(latitude: Decimal, longitude: Decimal, metres: float, bearing: float) -> tuple[Decimal, Decimal]:
    d_lat = metres * math.cos(bearing) / METRES_PER_DEGREE
    d_lon = metres * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(float(latitude))))
    return Decimal(f"{float(latitude) + d_lat:.6f}"), Decimal(f"{float(longitude) + d_lon:.6f}")


def _visit(rep: _Rep, day: date, number: int, draw: _Draw, now: datetime) -> Visit:
    visited_at = timezone.make_aware(datetime.combine(day, time.min)) + timedelta(minutes=draw.minute)
    delay = timedelta(hours=draw.late_hours) if draw.late else timedelta(minutes=draw.log_minutes)
    purpose, summary, outcome, next_action = draw.texts
    visit = Visit(
        rep=rep.user,
        dealer=draw.dealer,
        visited_at=visited_at,
        created_at=min(visited_at + delay, now - timedelta(minutes=1)),
        kind=draw.kind,
        purpose=purpose,
        summary=summary,
        outcome=outcome,
        next_action=next_action,
        client_uuid=uuid.uuid5(NAMESPACE, f"{rep.username}:{day.isoformat()}:{number}"),
    )
    dealer = draw.dealer
    if not draw.no_position and dealer.latitude is not None and dealer.longitude is not None:
        metres = draw.offset_m + (2000 if draw.far else 0)  # ~2 km away: flagged far_from_dealer
        visit.latitude, visit.longitude = _offset(dealer.latitude, dealer.longitude, metres, draw.bearing)
        visit.accuracy_m = Decimal(f"{draw.accuracy_m:.1f}")
    return visit


def _force_recent_flags(visits: list[Visit], today_start: datetime, recent_since: datetime) -> None:
    """Make sure each rep's manager has a late and a far visit of theirs waiting for review."""
    late = [v for v in visits if v.visited_at <= today_start - timedelta(days=4)]
    if late:
        visit = max(late, key=lambda v: v.visited_at)
        visit.created_at = max(visit.visited_at + timedelta(hours=76), recent_since + timedelta(hours=1))
    recent = [v for v in visits if v.created_at >= recent_since and v.latitude is not None and not v.late_entry]
    recent = [v for v in recent if v.created_at - v.visited_at <= timedelta(hours=72)]
    if recent:
        visit = max(recent, key=lambda v: v.visited_at)
        visit.latitude, visit.longitude = _offset(visit.dealer.latitude, visit.dealer.longitude, 2100, 1.0)


def _review(rep: _Rep, visit: Visit, draw: _Draw, recent_since: datetime, now: datetime) -> None:
    """The manager's verdict on an older visit: flagged ones are looked into, most others confirmed."""
    if visit.created_at >= recent_since:
        return
    verdict = None
    if visit.is_flagged:
        if draw.verdict < 0.65:
            verdict = Visit.Status.CONFIRMED
        elif draw.verdict < 0.87:
            verdict = Visit.Status.FALSE_REPORT
        else:
            verdict = Visit.Status.FABRICATED
    elif draw.verdict < 0.006:
        verdict = Visit.Status.FALSE_REPORT
    elif draw.verdict < 0.92:
        verdict = Visit.Status.CONFIRMED
    if verdict is None:
        return
    visit.status = verdict
    visit.reviewed_by = rep.manager
    visit.reviewed_at = min(visit.created_at + timedelta(hours=draw.review_hours), now - timedelta(minutes=1))
    if visit.is_flagged or verdict != Visit.Status.CONFIRMED:  # plain visits are confirmed in a batch
        general, late, far = REVIEW_COMMENTS[verdict]
        comments = [*general, *(late if visit.late_entry else ()), *(far if visit.far_from_dealer else ())]
        visit.review_comment = comments[draw.comment_pick % len(comments)]


REVIEW_TRANSITION = {
    Visit.Status.CONFIRMED: "confirm",
    Visit.Status.FALSE_REPORT: "mark_false",
    Visit.Status.FABRICATED: "mark_fabricated",
}


def _working_days(first: date, last: date) -> list[date]:
    weekdays = working_weekdays()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.isoweekday() in weekdays]


def _history(history, records: list[tuple[object, datetime, object]], *, update: bool) -> None:
    """Field-history records, in bulk, for ``(the object as it then was, when, who)``."""
    objects = []
    for obj, when, who in records:
        obj._history_date, obj._history_user = when, who
        objects.append(obj)
    history.bulk_history_create(objects, batch_size=BATCH, update=update)


def _seed_visits(reps: list[_Rep], today: date, now: datetime) -> None:
    today_start = timezone.make_aware(datetime.combine(today, time.min))
    recent_since = today_start - timedelta(days=REVIEW_AFTER_DAYS)
    first = (today.replace(day=1) - relativedelta(months=MONTHS)).replace(day=1)
    existing = set(Visit.objects.filter(rep__in=[r.user for r in reps]).values_list("client_uuid", flat=True))
    new: list[tuple[_Rep, Visit, _Draw]] = []
    for rep in reps:
        planned = []
        for day in _working_days(first, today - timedelta(days=1)):
            for number, draw in enumerate(_week(rep, week_start(day))[day]):
                visit = _visit(rep, day, number, draw, now)
                visit_apply_checks(visit)
                planned.append((visit, draw))
        _force_recent_flags([visit for visit, _draw in planned], today_start, recent_since)
        for visit, draw in planned:
            visit_apply_checks(visit)
            if visit.client_uuid not in existing:
                new.append((rep, visit, draw))
    locked = _locked_months([visit for _rep, visit, _draw in new])
    new = [
        (rep, visit, draw) for rep, visit, draw in new if (rep.user.pk, str(Month.of(visit.visited_on))) not in locked
    ]
    if not new:
        return
    for rep, visit, draw in new:
        _review(rep, visit, draw, recent_since, now)
    created = [visit for _rep, visit, _draw in new]
    Visit.objects.bulk_create(created, batch_size=BATCH)
    visits_moved(*((None, Counted.of(visit)) for visit in created))
    reviewed = [visit for visit in created if visit.reviewed_at is not None]
    _history(Visit.history, [(_as_logged(visit), visit.created_at, visit.rep) for visit in created], update=False)
    _history(Visit.history, [(visit, visit.reviewed_at, visit.reviewed_by) for visit in reviewed], update=True)
    content_type = ContentType.objects.get_for_model(Visit)
    changes = [
        StateChange(
            content_type=content_type,
            object_id=visit.pk,
            transition="create",
            to_state=Visit.Status.SUBMITTED,
            by=visit.rep,
            at=visit.created_at,
        )
        for visit in created
    ]
    changes += [
        StateChange(
            content_type=content_type,
            object_id=visit.pk,
            transition=REVIEW_TRANSITION[visit.status],
            from_state=Visit.Status.SUBMITTED,
            to_state=visit.status,
            by=visit.reviewed_by,
            at=visit.reviewed_at,
            comment=visit.review_comment,
        )
        for visit in reviewed
    ]
    StateChange.objects.bulk_create(changes, batch_size=BATCH)


def _locked_months(visits: list[Visit]) -> set[tuple[int, str]]:
    """(rep ID, period) of the months of ``visits`` that take no more visits, as ``visit_log`` refuses
    them: closed, or the rep's monthly statement approved or paid (two queries)."""
    from commissions.models import Statement
    from kpi.services.periods import closed_codes

    periods = {str(Month.of(visit.visited_on)) for visit in visits}
    if not periods:
        return set()
    closed = set(closed_codes(periods))
    final = Statement.objects.filter(
        period__in=periods, kind=Statement.Kind.MONTHLY, status__in=Statement.FINAL
    ).values_list("rep_id", "period")
    locked = set(final)
    locked.update((visit.rep_id, period) for visit in visits if (period := str(Month.of(visit.visited_on))) in closed)
    return locked


def _as_logged(visit: Visit) -> Visit:
    """The visit as the rep logged it, before the review (for its first history record)."""
    logged = copy.copy(visit)
    logged.status, logged.reviewed_by, logged.reviewed_at, logged.review_comment = (
        Visit.Status.SUBMITTED,
        None,
        None,
        "",
    )
    return logged


# --- week plans ----------------------------------------------------------------------------------


def _plan_items(rep: _Rep, plan: VisitPlan, rng: random.Random) -> list[VisitPlanItem]:
    """What the rep planned: the visits the week's days hold, now and then one that did not happen."""
    items, seen = [], set()
    for day in _working_days(plan.week_start, plan.week_end):
        dealers = [draw.dealer for draw in _week(rep, plan.week_start)[day]]
        if rng.random() < 0.15:
            dealers.append(rng.choice(rep.dealers))
        for dealer in dealers:
            if (dealer.pk, day) not in seen:
                seen.add((dealer.pk, day))
                items.append(VisitPlanItem(plan=plan, dealer=dealer, planned_date=day))
    if not items:
        items.append(VisitPlanItem(plan=plan, dealer=rep.dealers[0], planned_date=plan.week_start))
    return items


def _plan_life(rep: _Rep, plan: VisitPlan, offset: int, rng: random.Random, now: datetime) -> list[StateChange]:
    """Set the plan's state for the week ``offset`` weeks from this one; returns its state log."""
    due = plan_due_at(plan.week_start)
    late = (rep.username, offset) == LATE_PLAN
    submitted = due + timedelta(hours=rng.uniform(33, 35)) if late else due - timedelta(hours=rng.uniform(4, 40))
    bounced = rng.random() < 0.15
    created = submitted - timedelta(hours=rng.uniform(1, 30))
    if offset > 0:
        return [StateChange(transition="create", to_state=VisitPlan.Status.DRAFT, by=rep.user, at=now)]
    plan.submitted_at, plan.is_late = submitted, submitted >= due
    log = [
        StateChange(transition="create", to_state=VisitPlan.Status.DRAFT, by=rep.user, at=created),
        _plan_submission(rep, plan, submitted),
    ]
    if offset == 0:
        return log
    at = submitted + timedelta(hours=rng.uniform(2, 20))
    if bounced or (rep.username, offset) in RETURNED_PLANS:
        comment = rng.choice(PLAN_RETURN_COMMENTS)
        log.append(_plan_review(rep, plan, "return", VisitPlan.Status.RETURNED, at, comment))
        if (rep.username, offset) in RETURNED_PLANS:
            return log
        at += timedelta(hours=rng.uniform(1, 6))
        log.append(_plan_submission(rep, plan, at))
        at += timedelta(hours=rng.uniform(1, 12))
    log.append(
        _plan_review(rep, plan, "approve", VisitPlan.Status.APPROVED, min(at, now), rng.choice(PLAN_APPROVAL_COMMENTS))
    )
    return log


def _plan_submission(rep: _Rep, plan: VisitPlan, at: datetime) -> StateChange:
    change = StateChange(
        transition="submit", from_state=plan.status, to_state=VisitPlan.Status.SUBMITTED, by=rep.user, at=at
    )
    plan.status = VisitPlan.Status.SUBMITTED
    return change


def _plan_review(rep: _Rep, plan: VisitPlan, name: str, target: str, at: datetime, comment: str) -> StateChange:
    change = StateChange(
        transition=name, from_state=plan.status, to_state=target, by=rep.manager, at=at, comment=comment
    )
    plan.status, plan.reviewed_by, plan.reviewed_at, plan.review_comment = target, rep.manager, at, comment
    return change


def _as_drafted(plan: VisitPlan) -> VisitPlan:
    draft = copy.copy(plan)
    draft.status, draft.submitted_at, draft.is_late = VisitPlan.Status.DRAFT, None, False
    draft.reviewed_by, draft.reviewed_at, draft.review_comment = None, None, ""
    return draft


def _seed_plans(reps: list[_Rep], today: date, now: datetime) -> None:
    this_week = week_start(today)
    existing = set(VisitPlan.objects.filter(rep__in=[r.user for r in reps]).values_list("rep_id", "week_start"))
    plans, items = [], []
    for rep in reps:
        for offset in range(-PLAN_WEEKS_BACK, 2):
            monday = this_week + timedelta(weeks=offset)
            if (rep.user.pk, monday) in existing or (offset == 1 and rep.username == NO_PLAN_NEXT_WEEK):
                continue
            rng = random.Random(f"{SEED}:plan:{rep.username}:{monday.isoformat()}")
            plan = VisitPlan(rep=rep.user, week_start=monday)
            items.extend(_plan_items(rep, plan, rng))
            plans.append((plan, _plan_life(rep, plan, offset, rng, now)))
    if not plans:
        return
    VisitPlan.objects.bulk_create([plan for plan, _log in plans])
    for plan, log in plans:  # created_at is auto_now_add: put back when the rep started the plan
        plan.created_at = log[0].at
    VisitPlan.objects.bulk_update([plan for plan, _log in plans], ["created_at"])
    VisitPlanItem.objects.bulk_create(items, batch_size=BATCH)
    content_type = ContentType.objects.get_for_model(VisitPlan)
    changes = []
    for plan, log in plans:
        for change in log:
            change.content_type, change.object_id = content_type, plan.pk
            changes.append(change)
    StateChange.objects.bulk_create(changes, batch_size=BATCH)
    _history(VisitPlan.history, [(_as_drafted(plan), log[0].at, plan.rep) for plan, log in plans], update=False)
    _history(VisitPlan.history, [(plan, log[-1].at, log[-1].by) for plan, log in plans if len(log) > 1], update=True)


# --- the whole ---------------------------------------------------------------------------------


def _reps(users: dict) -> list[_Rep]:
    codes = demo_dealer_codes()
    reps = []
    for demo in DEMO_USERS:
        if demo.role != Role.FIELD_REP:
            continue
        user = users[demo.username]
        # the demo's own dealers only: a dealer a user adds (whatever its code) changes no demo rep's days
        dealers = list(
            Dealer.objects.filter(owner=user, code__in=codes).exclude(status=Dealer.Status.TERMINATED).order_by("code")
        )
        if not dealers:
            continue
        reps.append(
            _Rep(
                username=demo.username,
                user=user,
                manager=users[demo.manager],
                dealers=dealers,
                weights=[DEALER_WEIGHTS[d.status] + 2 * d.is_key_account for d in dealers],
                pace=PACE.get(demo.username, 30),
                flag_rate=FLAG_RATE.get(demo.username, DEFAULT_FLAG_RATE),
            )
        )
    return reps


@transaction.atomic
def seed_visits(users: dict, *, now: datetime | None = None) -> dict[str, int]:
    """A year of visits and ten weeks of plans for the demo reps in ``users``; adds only what is missing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for username, overrides in QUOTA_OVERRIDES.items():
        Quota.objects.get_or_create(rep=users[username], defaults=overrides)
    reps = _reps(users)
    _seed_visits(reps, today, now)
    _seed_plans(reps, today, now)
    _seed_photos(reps)
    return {"visits": Visit.objects.count(), "plans": VisitPlan.objects.count()}


#: Photos on each rep's latest visits that wait for review; the second rep's second photo is the first
#: rep's (``photo_reused``), the third rep's was taken five hours before the visit (``photo_time_mismatch``).
PHOTO_VISITS = 2


def _seed_photos(reps: list[_Rep]) -> None:
    """Photos on the demo reps' latest unreviewed visits, sent as the phone sends them (``attachments_add``,
    ten minutes after logging). A visit that has photos is left as it is; the photos are drawn from the
    visit, so the same visit always gets the same bytes."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.demo import demo_photo
    from evidence.selectors import attachments_for
    from evidence.services import attachments_add

    first: bytes | None = None
    for index, rep in enumerate(reps):
        latest = Visit.objects.filter(rep=rep.user, status=Visit.Status.SUBMITTED).select_related("dealer")
        visits = list(latest.order_by("-visited_at", "-id")[:PHOTO_VISITS])
        has_photos = attachments_for(Visit, [visit.pk for visit in visits])
        for number, visit in enumerate(visits):
            taken = visit.visited_at - timedelta(hours=5) if (index, number) == (2, 0) else visit.visited_at
            seed = f"{rep.username}:{visit.client_uuid}"
            photo = demo_photo(seed, taken=taken, latitude=visit.latitude, longitude=visit.longitude)
            if first is None:
                first = photo.read()
                photo.seek(0)
            elif (index, number) == (1, 1):
                photo = SimpleUploadedFile("IMG_0001.jpg", first, content_type="image/jpeg")  # another rep's photo
            if visit.pk in has_photos:
                continue
            attachments_add(
                actor=rep.user,
                obj=visit,
                files=[photo],
                latitude=visit.latitude,
                longitude=visit.longitude,
                now=visit.created_at + timedelta(minutes=10),
            )


def demo_step(users: dict) -> str:
    """``seed_demo``'s step for this app (``channelhub.registry.register_demo``): its line of output."""
    return _("Demo visits: %(visits)d visits, %(plans)d week plans") % seed_visits(users)
