"""The large data set of SPEC §11 (``make bench``, ``make load``), written in bulk.

``build(scale=1)`` writes, in one transaction (all or nothing), next to whatever the database holds
already (the ``seed_demo`` company, say) and never clashing with it:

* people: ``bench_admin`` (superuser), ``bench_finance``, 25 channel managers ``bench_mgr_01`` … each
  with 20 reps ``bench_rep_0001`` … (500 reps at scale 1), with profiles (employee numbers ``BM01``,
  ``BR0001``, ``BF01``, ``BA01``) and their role groups; every password is ``PASSWORD``;
* territories: a country ``BENCH`` with one region per manager (``BENCH-R01`` …), which the manager
  covers;
* 10,000 dealers ``B00001`` … (20 per rep, owned by the rep, active, in their manager's region), each
  with a signed annual agreement on its region covering every month of the data set;
* two commission plans, ``Bench flat …`` (flat tiers, 80 % collection gate, deductions) and
  ``Bench marginal …`` (marginal tiers, 10 % retained, deductions), assigned to the reps alternately
  from the first month on, open-ended;
* for each of the ``months`` months (12) ending with ``run_month`` (default: the last full month, so
  a past open month): 100,000 sales lines (about 2 % credit notes), about 30,000 collections
  (collection rates 60–105 % per rep and month) and about 5,000 expenses (3–9 % of net sales), each
  rep's acknowledged target (expense rate target 6 %), and 18–36 visits per rep (about 3 % false
  reports, 2 % fabricated; the default monthly minimum is 30, so many reps fall short).

References are ``BS…`` (sales), ``BC…`` (collections), ``BE…`` (expenses); ``BI…`` is left to the
import benchmark. Figures come from ``random.Random`` seeded with the scale: a build is reproducible.
Counts scale linearly with ``scale`` (at least one manager, one rep and one dealer per rep); the
managers always have 20 reps each (fewer in the last team).

PostgreSQL is written with ``COPY`` (psycopg 3); other databases (SQLite, for the tests) with
``executemany``. Nothing goes through the services, so no history rows, state log or notifications are
written for these rows: they are reference data, as an import from another system would leave them.

``build()`` answers a ``Built`` (the counts, the seconds it took, whether it was there already). A
data set that is there and complete is not written again; one of another scale or size is refused
(drop the database, or set ``BENCH_REBUILD=1`` with ``make bench``).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from channelhub.db import is_postgresql
from channelhub.periods import Month
from channelhub.roles import Role

PASSWORD = "bench1234"
REPS = 500
REPS_PER_MANAGER = 20
DEALERS = 10_000
SALES_PER_MONTH = 100_000
COLLECTIONS_PER_MONTH = 30_000
EXPENSES_PER_MONTH = 5_000
MONTHS = 12
ROOT = "BENCH"
PLAN_NAMES = ("Bench flat (gate 80 %, deductions)", "Bench marginal (retention 10 %, deductions)")
EXPENSE_RATE_TARGET = Decimal("6.00")
CENT = Decimal("0.01")
BATCH = 5000  # rows per executemany (not PostgreSQL)


def rep_name(number: int) -> str:
    return f"bench_rep_{number:04d}"


def manager_name(number: int) -> str:
    return f"bench_mgr_{number:02d}"


def dealer_code(number: int) -> str:
    return f"B{number:05d}"


@dataclass(frozen=True)
class Size:
    """How many of each thing a scale makes."""

    scale: float
    reps: int
    managers: int
    dealers: int
    sales_per_month: int
    collections_per_month: int
    expenses_per_month: int
    months: int
    run_month: Month

    @classmethod
    def of(cls, scale: float, *, months: int = MONTHS, run_month: Month | None = None) -> Size:
        reps = max(1, round(REPS * scale))
        return cls(
            scale=scale,
            reps=reps,
            managers=-(-reps // REPS_PER_MANAGER),
            dealers=max(reps, round(DEALERS * scale)),
            sales_per_month=max(reps, round(SALES_PER_MONTH * scale)),
            collections_per_month=max(reps, round(COLLECTIONS_PER_MONTH * scale)),
            expenses_per_month=max(reps, round(EXPENSES_PER_MONTH * scale)),
            months=months,
            run_month=run_month or Month.of(timezone.localdate()).previous(),
        )

    @property
    def month_list(self) -> list[Month]:
        months = [self.run_month]
        for _index in range(self.months - 1):
            months.insert(0, months[0].previous())
        return months


@dataclass
class Built:
    size: Size
    seconds: float = 0.0
    existed: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    #: Seconds per part of the build (people, dealers, facts, visits, analyze …).
    phases: dict[str, float] = field(default_factory=dict)


# --- writing rows ----------------------------------------------------------------------------------


def _plain(value):
    """A value as ``executemany`` on SQLite takes it (Django stores these types as text there)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write ``rows`` into ``table`` (``COPY`` on PostgreSQL); answers how many."""
    count = 0
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[list] = []
        for row in rows:
            batch.append([_plain(value) for value in row])
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _ids(sql: str, params: Sequence = ()) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _scalar(sql: str, params: Sequence = ()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# --- what is there ---------------------------------------------------------------------------------


def bench_rep_count() -> int:
    return _scalar("SELECT COUNT(*) FROM auth_user WHERE username LIKE 'bench\\_rep\\_%%' ESCAPE '\\'")


def expected_counts(size: Size) -> dict[str, int]:
    return {"reps": size.reps, "sales": size.sales_per_month * size.months, "dealers": size.dealers}


def present_counts() -> dict[str, int]:
    return {
        "reps": bench_rep_count(),
        "sales": _scalar("SELECT COUNT(*) FROM kpi_salesrecord WHERE reference LIKE 'BS%%'"),
        "dealers": _scalar(
            "SELECT COUNT(*) FROM partners_dealer WHERE code LIKE 'B%%' AND territory_id IN "
            "(SELECT id FROM partners_territory WHERE path LIKE '/BENCH/%%')"
        ),
    }


def is_complete(size: Size) -> bool:
    """The data set of ``size`` is there (the build is one transaction: it is there whole or not at all)."""
    return (
        present_counts() == expected_counts(size)
        and _scalar("SELECT COUNT(*) FROM kpi_salesrecord WHERE reference LIKE %s", [f"BS{_code(size.run_month)}-%"])
        == size.sales_per_month
    )


def _code(month: Month) -> str:
    return f"{month.year}{month.month:02d}"


# --- the build -------------------------------------------------------------------------------------


def build(scale: float = 1, *, months: int = MONTHS, run_month: Month | str | None = None, log=None) -> Built:
    """Write the bench data set of ``scale`` (see the module's docstring); skipped when it is there."""
    if isinstance(run_month, str):
        run_month = Month.parse(run_month)
    size = Size.of(scale, months=months, run_month=run_month)
    say = log or (lambda message: None)
    started = time.perf_counter()
    built = Built(size=size)
    if bench_rep_count():
        if not is_complete(size):
            raise RuntimeError(
                f"Another bench data set is in this database ({present_counts()}, wanted {expected_counts(size)}): "
                "drop the database (BENCH_REBUILD=1 make bench) and build again."
            )
        built.existed = True
        built.counts = present_counts()
        if is_postgresql() and not connection.in_atomic_block:
            with connection.cursor() as cursor:  # after migrations that rebuilt indexes: fresh statistics
                cursor.execute("VACUUM (ANALYZE)")
        built.seconds = time.perf_counter() - started
        return built
    rng = random.Random(f"channelhub-bench:{scale}:{months}:{size.run_month}")
    with transaction.atomic():
        phase = time.perf_counter()

        def done(name: str) -> None:
            nonlocal phase
            now = time.perf_counter()
            built.phases[name] = round(now - phase, 2)
            say(f"  {name}: {now - phase:.1f} s")
            phase = now

        people = _people(size)
        done("people")
        dealers = _dealers(size, people, rng)
        done("dealers")
        _plans(size, people)
        _targets(size, people)
        done("plans, targets")
        counts = _facts(size, people, dealers, rng)
        done("facts")
        counts["visits"] = _visits(size, people, dealers, rng)
        done("visits")
        from kpi.services.rollups import rollups_rebuild
        from visits.services.rollups import visit_rollups_rebuild

        rollups_rebuild()  # written with COPY, past the services: the roll-ups are built from them at once
        visit_rollups_rebuild()
        done("roll-ups")
        from kpi.services.periods import periods_ensure

        periods_ensure([month.first_day for month in size.month_list])
    if is_postgresql() and not connection.in_atomic_block:
        # VACUUM, not only ANALYZE: rows written by COPY are not yet marked all-visible, so without it
        # PostgreSQL cannot answer from the covering indexes (index-only scans) and reads the heap.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        done("vacuum, analyze")
    elif is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        done("analyze")
    built.counts = {"reps": size.reps, "managers": size.managers, "dealers": size.dealers, **counts}
    built.seconds = time.perf_counter() - started
    return built


@dataclass
class People:
    finance: int
    admin: int
    managers: list[int]  #: user IDs, manager 1 first
    reps: list[int]  #: user IDs, rep 1 first
    manager_of: dict[int, int]  #: rep ID → manager ID
    region_of: dict[int, int]  #: manager ID → territory ID


def _people(size: Size) -> People:
    now = timezone.now()
    password = make_password(PASSWORD)
    users = [("bench_admin", "Bench admin", True), ("bench_finance", "Bench finance", False)]
    users += [(manager_name(n), f"Bench manager {n:02d}", False) for n in range(1, size.managers + 1)]
    users += [(rep_name(n), f"Bench rep {n:04d}", False) for n in range(1, size.reps + 1)]
    write_rows(
        "auth_user",
        (
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ),
        (
            (password, admin, username, name, "", f"{username}@bench.channelhub.local", admin, True, now)
            for username, name, admin in users
        ),
    )
    ids = _ids("SELECT username, id FROM auth_user WHERE username LIKE 'bench\\_%%' ESCAPE '\\'")
    managers = [ids[manager_name(n)] for n in range(1, size.managers + 1)]
    reps = [ids[rep_name(n)] for n in range(1, size.reps + 1)]
    manager_of = {rep: managers[index // REPS_PER_MANAGER] for index, rep in enumerate(reps)}

    profiles = [(ids["bench_admin"], "BA01", None), (ids["bench_finance"], "BF01", None)]
    profiles += [(user, f"BM{n:02d}", None) for n, user in enumerate(managers, start=1)]
    profiles += [(user, f"BR{n:04d}", manager_of[user]) for n, user in enumerate(reps, start=1)]
    write_rows(
        "accounts_profile",
        ("user_id", "employee_no", "phone", "manager_id", "bank_name", "bank_account"),
        ((u, e, "", m, "", "") for u, e, m in profiles),
    )

    groups = {
        name: Group.objects.get_or_create(name=name)[0].pk
        for name in (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE)
    }
    memberships = [(ids["bench_finance"], groups[Role.FINANCE])]
    memberships += [(user, groups[Role.CHANNEL_MANAGER]) for user in managers]
    memberships += [(user, groups[Role.FIELD_REP]) for user in reps]
    write_rows("auth_user_groups", ("user_id", "group_id"), memberships)

    write_rows(
        "partners_territory", ("code", "name", "level", "path", "parent_id"), [(ROOT, "Bench", 0, f"/{ROOT}/", None)]
    )
    root = _scalar("SELECT id FROM partners_territory WHERE code = %s", [ROOT])
    write_rows(
        "partners_territory",
        ("code", "name", "level", "path", "parent_id"),
        (
            (f"{ROOT}-R{n:02d}", f"Bench region {n:02d}", 1, f"/{ROOT}/{ROOT}-R{n:02d}/", root)
            for n in range(1, size.managers + 1)
        ),
    )
    regions = _ids("SELECT code, id FROM partners_territory WHERE path LIKE %s AND level = 1", [f"/{ROOT}/%"])
    region_of = {user: regions[f"{ROOT}-R{n:02d}"] for n, user in enumerate(managers, start=1)}
    profile_ids = _ids(
        "SELECT user_id, id FROM accounts_profile WHERE user_id IN (SELECT id FROM auth_user WHERE username LIKE 'bench\\_mgr\\_%%' ESCAPE '\\')"
    )
    write_rows(
        "accounts_profile_territories",
        ("profile_id", "territory_id"),
        ((profile_ids[m], region_of[m]) for m in managers),
    )
    return People(ids["bench_finance"], ids["bench_admin"], managers, reps, manager_of, region_of)


def _dealers(size: Size, people: People, rng: random.Random) -> dict[int, list[int]]:
    """The dealers, each with a signed agreement; answers the dealer IDs of each rep."""
    now = timezone.now()
    owners = [people.reps[index % size.reps] for index in range(size.dealers)]
    kinds = ("distributor", "dealer", "dealer", "dealer", "agent", "retail_terminal")
    rows = []
    for index, owner in enumerate(owners):
        code, name = dealer_code(index + 1), f"Bench dealer {index + 1:05d}"
        latitude = Decimal(30 + rng.random() * 10).quantize(Decimal("0.000001"))
        longitude = Decimal(110 + rng.random() * 10).quantize(Decimal("0.000001"))
        rows.append(
            (
                code,
                name,
                "",
                kinds[index % len(kinds)],
                "standard",
                "active",
                "",
                latitude,
                longitude,
                Decimal(rng.randrange(50, 500) * 1000),
                False,
                f"{code.lower()} {name.lower()}",
                now,
                now,
                owner,
                None,
                people.region_of[people.manager_of[owner]],
            )
        )
    write_rows(
        "partners_dealer",
        (
            "code",
            "name",
            "legal_name",
            "kind",
            "tier",
            "status",
            "address",
            "latitude",
            "longitude",
            "credit_limit",
            "is_key_account",
            "search_text",
            "created_at",
            "updated_at",
            "owner_id",
            "parent_id",
            "territory_id",
        ),
        rows,
    )
    ids = _ids(
        "SELECT code, id FROM partners_dealer WHERE territory_id IN (SELECT id FROM partners_territory WHERE path LIKE %s)",
        [f"/{ROOT}/%"],
    )
    start = size.month_list[0].previous().previous().first_day  # the import benchmark's month is covered too
    end = size.run_month.next().last_day.replace(month=12, day=31)
    write_rows(
        "partners_agreement",
        (
            "kind",
            "start_date",
            "end_date",
            "exclusive",
            "annual_sales_target",
            "rebate_program_id",
            "payment_terms_days",
            "deposit_amount",
            "deposit_received_on",
            "status",
            "signed_at",
            "created_at",
            "updated_at",
            "previous_id",
            "dealer_id",
            "territory_id",
        ),
        (
            (
                "annual_distribution",
                start,
                end,
                False,
                Decimal("1000000.00"),
                None,  # the rebate benchmark names a program (bench/rebates.py)
                30,
                Decimal("0.00"),
                None,
                "signed",
                now,
                now,
                now,
                None,
                ids[row[0]],
                row[-1],
            )
            for row in rows
        ),
    )
    by_rep: dict[int, list[int]] = {rep: [] for rep in people.reps}
    for row in rows:
        by_rep[row[-3]].append(ids[row[0]])
    return by_rep


def _plans(size: Size, people: People) -> None:
    from commissions.services.plans import plan_create

    deductions = {
        "over_budget_expense_share": Decimal("50.00"),
        "visit_shortfall_deduction": Decimal("50.00"),
        "false_report_deduction": Decimal("100.00"),
        "fabricated_deduction": Decimal("200.00"),
    }
    flat = plan_create(
        actor=None,
        name=PLAN_NAMES[0],
        base="net_sales",
        tier_mode="flat",
        collection_gate=Decimal("80.00"),
        tiers=[
            {"from_amount": Decimal("0.00"), "rate": Decimal("2.00")},
            {"from_amount": Decimal("1500000.00"), "rate": Decimal("3.00")},
            {"from_amount": Decimal("2500000.00"), "rate": Decimal("4.00")},
        ],
        **deductions,
    )
    marginal = plan_create(
        actor=None,
        name=PLAN_NAMES[1],
        base="net_sales",
        tier_mode="marginal",
        retention=Decimal("10.00"),
        tiers=[
            {"from_amount": Decimal("0.00"), "rate": Decimal("1.50")},
            {"from_amount": Decimal("1000000.00"), "rate": Decimal("2.50")},
            {"from_amount": Decimal("2000000.00"), "rate": Decimal("3.50")},
        ],
        **deductions,
    )
    start = size.month_list[0].first_day
    write_rows(
        "kpi_planassignment",
        ("plan_id", "rep_id", "start_date", "end_date"),
        ((flat.pk if index % 2 == 0 else marginal.pk, rep, start, None) for index, rep in enumerate(people.reps)),
    )


def _targets(size: Size, people: People) -> None:
    now = timezone.now()
    per_rep = Decimal(SALES_PER_MONTH * 10_000 // REPS)  # about what a rep sells in a month
    write_rows(
        "kpi_target",
        (
            "period",
            "sales_target",
            "expense_rate_target",
            "collection_rate_target",
            "new_dealers_target",
            "status",
            "approved_at",
            "acknowledged_at",
            "created_at",
            "updated_at",
            "approved_by_id",
            "proposed_by_id",
            "rep_id",
        ),
        (
            (
                str(month),
                per_rep,
                EXPENSE_RATE_TARGET,
                Decimal("85.00"),
                1,
                "acknowledged",
                now,
                now,
                now,
                now,
                people.manager_of[rep],
                rep,
                rep,
            )
            for month in size.month_list
            for rep in people.reps
        ),
    )


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` (> 0) in ``parts`` positive amounts adding up to it exactly."""
    parts = max(1, min(parts, int(total / CENT)))
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    whole = sum(weights)
    amounts = [_money(float(total) * weight / whole) for weight in weights]
    amounts[-1] += total - sum(amounts)
    if amounts[-1] <= 0:  # rounding ate the last part: fold it into the first
        amounts[0] += amounts.pop()
    return amounts


def _facts(size: Size, people: People, dealers: dict[int, list[int]], rng: random.Random) -> dict[str, int]:
    now = timezone.now()
    reps = people.reps
    weights = [rng.uniform(0.5, 1.5) for _ in reps]  # some reps sell more than others
    counts = {"sales": 0, "collections": 0, "expenses": 0}
    categories = ("travel", "entertainment", "marketing", "other")
    for month in size.month_list:
        code = _code(month)
        days = list(month.days())
        sales, net = [], {rep: Decimal(0) for rep in reps}
        chosen = rng.choices(range(len(reps)), weights=weights, k=size.sales_per_month)
        chosen[: len(reps)] = range(len(reps))  # every rep sells at least once
        for number, index in enumerate(chosen, start=1):
            rep = reps[index]
            amount = _money(rng.uniform(500, 20_000))
            if rng.random() < 0.02:
                amount = -_money(float(amount) * 0.3)  # a credit note
            net[rep] += amount
            sales.append(
                (
                    rng.choice(days),
                    amount,
                    f"BS{code}-{number:06d}",
                    "",
                    now,
                    False,
                    None,
                    None,
                    rng.choice(dealers[rep]),
                    rep,
                    None,
                )
            )
        counts["sales"] += write_rows(
            "kpi_salesrecord",
            (
                "date",
                "amount",
                "reference",
                "note",
                "created_at",
                "channel_conflict",
                "category_id",
                "created_by_id",
                "dealer_id",
                "rep_id",
                "ship_to_territory_id",
            ),
            sales,
        )
        collections, expenses = [], []
        per_rep_collections = size.collections_per_month / len(reps)
        per_rep_expenses = size.expenses_per_month / len(reps)
        for rep in reps:
            if net[rep] <= 0:
                continue
            collected = _money(float(net[rep]) * rng.uniform(0.60, 1.05))
            for amount in _split(collected, round(per_rep_collections * rng.uniform(0.8, 1.2)), rng):
                collections.append(
                    (
                        rng.choice(days),
                        amount,
                        f"BC{code}-{len(collections) + 1:06d}",
                        "",
                        now,
                        None,
                        rng.choice(dealers[rep]),
                        rep,
                    )
                )
            spent = _money(float(net[rep]) * rng.uniform(0.03, 0.09))
            for amount in _split(spent, round(per_rep_expenses * rng.uniform(0.8, 1.2)), rng):
                expenses.append(
                    (
                        rng.choice(days),
                        amount,
                        f"BE{code}-{len(expenses) + 1:06d}",
                        "",
                        now,
                        rng.choice(categories),
                        None,
                        rng.choice(dealers[rep]),
                        rep,
                    )
                )
        counts["collections"] += write_rows(
            "kpi_collection",
            ("date", "amount", "reference", "note", "created_at", "created_by_id", "dealer_id", "rep_id"),
            collections,
        )
        counts["expenses"] += write_rows(
            "kpi_expense",
            ("date", "amount", "reference", "note", "created_at", "category", "created_by_id", "dealer_id", "rep_id"),
            expenses,
        )
    return counts


def _visits(size: Size, people: People, dealers: dict[int, list[int]], rng: random.Random) -> int:
    zone = timezone.get_default_timezone()
    kinds = ("maintenance", "maintenance", "development", "training", "inspection", "complaint", "collection")

    def rows():
        for month in size.month_list:
            workdays = [day for day in month.days() if day.isoweekday() <= 5]
            for rep in people.reps:
                for _number in range(rng.randint(18, 36)):
                    day = rng.choice(workdays)
                    at = datetime.combine(day, clock(9 + rng.randrange(9), rng.randrange(60)), tzinfo=zone)
                    draw = rng.random()
                    status = (
                        "false_report"
                        if draw < 0.03
                        else "fabricated"
                        if draw < 0.05
                        else ("confirmed" if draw < 0.5 else "submitted")
                    )
                    yield (
                        at,
                        day,
                        at + timedelta(minutes=30),
                        at + timedelta(minutes=30),
                        rng.choice(kinds),
                        "Bench visit",
                        "",
                        "",
                        "",
                        None,
                        None,
                        None,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        status,
                        False,
                        False,
                        True,  # no position: the bench's visits are logged without one
                        False,  # no photos: no photo flags
                        False,
                        False,
                        None,
                        None,
                        "",
                        rng.choice(dealers[rep]),
                        rep,
                        None,
                    )

    return write_rows(
        "visits_visit",
        (
            "visited_at",
            "visited_on",
            "created_at",
            "updated_at",
            "kind",
            "purpose",
            "summary",
            "outcome",
            "next_action",
            "latitude",
            "longitude",
            "accuracy_m",
            "client_uuid",
            "status",
            "late_entry",
            "far_from_dealer",
            "no_position",
            "photo_time_mismatch",
            "photo_far",
            "photo_reused",
            "distance_m",
            "reviewed_at",
            "review_comment",
            "dealer_id",
            "rep_id",
            "reviewed_by_id",
        ),
        rows(),
    )
