"""Page server times and query counts on the bench data set (SPEC §7, §11; ``make bench``).

``run()`` answers one row per page (or API list) and user: the server time of ``repeat`` requests
through ``django.test.Client`` (logged in with ``force_login``, after ``warmup`` untimed requests) as
p50 and p95, the query count of one request (``CaptureQueriesContext``), the status, and whether each
goal holds: p95 ≤ 150 ms, ≤ 15 queries, and a count that does not grow with data — the same page is
counted once more for a *small* case (a user or object with few rows, or the list narrowed to one row)
and may not need more queries with many rows than with few.

The users and objects are picked from the current database (the biggest team, the rep with the most
dealers, the statement with the most lines …), so the same code runs on the bench data set and on a
tiny one (the tests). A page whose object is missing (no statement or scorecard yet) is answered with
status ``None`` and a note rather than left out. Nothing is written but the sessions of ``force_login``.
Scorecards are not made by the data set nor by the commission run: ``prepare_scorecards()`` computes
one team's for a month (call it before ``run()`` if the scorecard rows should be measured).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from channelhub.periods import Month
from channelhub.roles import Role

P95_GOAL_MS = 150.0
QUERY_GOAL = 15
REPEAT = 50
WARMUP = 3
SLOW_MS = 5000.0  #: a page slower than this on its first request is timed once

User = get_user_model()


@dataclass
class Probe:
    name: str
    url: str
    user: object
    small_url: str | None = None  #: the same page with few rows (None: no small case in this database)
    small_user: object | None = None
    small_note: str = ""
    note: str = ""


# --- the users and objects ---------------------------------------------------------------------------


def _in_group(role: str):
    return User.objects.filter(is_active=True, is_superuser=False, groups__name=role)


def _ranked(queryset, count: str, *, fewest: bool = False):
    """Users of ``queryset`` by the number of ``count`` rows, most first (or fewest, at least one)."""
    annotated = queryset.annotate(n=Count(count, distinct=True))
    if fewest:
        return annotated.filter(n__gt=0).order_by("n", "username")
    return annotated.order_by("-n", "username")


@dataclass
class Subjects:
    rep: object | None
    rep_small: object | None
    manager: object | None
    manager_small: object | None
    finance: object | None
    admin: object | None
    month: Month


def subjects() -> Subjects:
    from visits.models import Visit

    reps = _in_group(Role.FIELD_REP)
    managers = _in_group(Role.CHANNEL_MANAGER)
    # the month with the most visits (the bench data set's run month, not a nearly empty current month)
    busiest = (
        Visit.objects.annotate(month=TruncMonth("visited_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("-n", "-month")
        .first()
    )
    return Subjects(
        rep=_ranked(reps, "owned_dealers").first(),
        rep_small=_ranked(reps, "owned_dealers", fewest=True).first(),
        manager=_ranked(managers, "team_profiles").first(),
        manager_small=_ranked(managers, "team_profiles", fewest=True).first(),
        finance=_in_group(Role.FINANCE).order_by("username").first(),
        admin=User.objects.filter(is_active=True, is_superuser=True).order_by("username").first(),
        month=Month.of(busiest["month"]) if busiest else Month.current(),
    )


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _scope_dealer(user):
    """One dealer ``user`` sees, for a list narrowed to one row."""
    from channelhub.scoping import scope
    from partners.models import Dealer

    return scope(user, Dealer.objects.all()).order_by("pk").first() if user else None


def _last_visit(user):
    """The latest visit ``user`` sees, for a visit list narrowed to one rep's day."""
    from channelhub.scoping import scope
    from visits.models import Visit

    return scope(user, Visit.objects.all()).order_by("-visited_at", "-id").first() if user else None


def _visits_by_photos(user) -> tuple[int | None, int | None]:
    """A visit of ``user``'s with a photo, and one without (IDs), if there are such visits."""
    from django.contrib.contenttypes.models import ContentType

    from channelhub.scoping import scope
    from evidence.models import Attachment
    from visits.models import Visit

    if user is None:
        return None, None
    photographed = Attachment.objects.filter(object_type=ContentType.objects.get_for_model(Visit)).values("object_id")
    visible = scope(user, Visit.objects.all()).order_by("-visited_at", "-id")
    with_photo = visible.filter(pk__in=photographed).values_list("pk", flat=True).first()
    without = visible.exclude(pk__in=photographed).values_list("pk", flat=True).first()
    return with_photo, without


def _dealers_by_sales():
    """The dealer with the most sales lines, and one with the fewest (none, if there is such a dealer)."""
    from kpi.models import SalesRecord
    from partners.models import Dealer

    busiest = SalesRecord.objects.values("dealer_id").annotate(n=Count("id")).order_by("-n", "dealer_id").first()
    big = Dealer.objects.filter(pk=busiest["dealer_id"]).first() if busiest else Dealer.objects.order_by("pk").first()
    # NOT EXISTS (an anti-join through the (dealer, date) index), not NOT IN: over 12 M sales NOT IN is not
    # hashed and compares every dealer with every sale
    sold = Exists(SalesRecord.objects.filter(dealer_id=OuterRef("pk")))
    quiet = Dealer.objects.filter(~sold).order_by("pk").first()
    if quiet is None:
        fewest = SalesRecord.objects.values("dealer_id").annotate(n=Count("id")).order_by("n", "dealer_id").first()
        quiet = Dealer.objects.filter(pk=fewest["dealer_id"]).first() if fewest else None
    return big, quiet


def _settled_request() -> int | None:
    from funds.models import FundRequest

    return FundRequest.objects.filter(status="settled").order_by("pk").values_list("pk", flat=True).first()


def _by_lines(model, *, fewest: bool = False):
    annotated = model.objects.annotate(n=Count("lines"))
    return annotated.order_by("n" if fewest else "-n", "pk").first()


def _user_label(user) -> str:
    return user.get_username() if user else "—"


def probes(s: Subjects | None = None) -> list[Probe]:
    """What ``run()`` measures, with the users and objects of the current database."""
    from commissions.models import Statement
    from kpi.models import Scorecard

    s = s or subjects()
    period = str(s.month)
    out: list[Probe] = []

    # dashboards
    out.append(Probe("dashboard", "/", s.rep, "/", s.rep_small, "rep with the fewest dealers"))
    out.append(Probe("dashboard", "/", s.manager, "/", s.manager_small, "manager with the smallest team"))
    out.append(Probe("dashboard", "/", s.finance))
    out.append(Probe("dashboard", "/", s.admin))

    # dealers
    dealer_list = reverse("partners:dealer-list")
    for user in (s.manager, s.finance, s.admin):
        one = _scope_dealer(user)
        out.append(
            Probe(
                "dealer list",
                dealer_list,
                user,
                _url("partners:dealer-list", q=one.code) if one else None,
                user,
                "narrowed to one dealer (q=code)",
            )
        )
    big, quiet = _dealers_by_sales()
    if big is not None:
        out.append(
            Probe(
                "dealer detail",
                reverse("partners:dealer-detail", args=[big.pk]),
                s.admin,
                reverse("partners:dealer-detail", args=[quiet.pk]) if quiet else None,
                s.admin,
                f"dealer {quiet.code} (fewest sales lines)" if quiet else "",
                note=f"dealer {big.code} (most sales lines)",
            )
        )

    # visits
    visit_list = reverse("visits:visit-list")
    for user in (s.rep, s.manager, s.admin):
        last = _last_visit(user)
        out.append(
            Probe(
                "visit list",
                visit_list,
                user,
                _url("visits:visit-list", rep=last.rep_id, date_from=str(last.visited_on), date_to=str(last.visited_on))
                if last
                else None,
                user,
                "narrowed to one rep's day",
            )
        )
    # the review queue (every bench visit has no position: all of them wait), with the photos beside the
    # reasons that bench.evidence put on the team's visits; a visit's page with its photo and one without
    review = reverse("visits:review")
    out.append(Probe("review queue", review, s.manager, review, s.manager_small, "manager with the smallest team"))
    with_photo, without = _visits_by_photos(s.manager)
    if with_photo is not None:
        out.append(
            Probe(
                "visit detail",
                reverse("visits:visit-detail", args=[with_photo]),
                s.manager,
                reverse("visits:visit-detail", args=[without]) if without else None,
                s.manager,
                "a visit without photos",
                note="a visit with a photo",
            )
        )
    compliance = _url("visits:compliance", period=period)
    for user in (s.manager, s.admin):
        out.append(Probe("compliance page", compliance, user, compliance, s.rep_small, "a rep: one row"))

    # scorecards and statements
    scorecard, scorecard_small = _by_lines(Scorecard), _by_lines(Scorecard, fewest=True)
    if scorecard is not None:
        out.append(
            Probe(
                "scorecard page",
                reverse("kpi:scorecard-detail", args=[scorecard.pk]),
                s.admin,
                reverse("kpi:scorecard-detail", args=[scorecard_small.pk]),
                s.admin,
                "the scorecard with the fewest lines",
                note=f"{scorecard.rep.get_username()} {scorecard.period}",
            )
        )
    else:
        out.append(Probe("scorecard page", "", s.admin, note="no scorecard in the database"))
    statement, statement_small = _by_lines(Statement), _by_lines(Statement, fewest=True)
    if statement is not None:
        out.append(
            Probe(
                "statement page",
                reverse("commissions:statement-detail", args=[statement.pk]),
                s.finance,
                reverse("commissions:statement-detail", args=[statement_small.pk]),
                s.finance,
                "the statement with the fewest lines",
                note=f"{statement.rep.get_username()} {statement.period}",
            )
        )
    else:
        out.append(Probe("statement page", "", s.finance, note="no statement in the database"))

    # channel funds (bench.funds writes them on the data set): the lists narrowed by one dealer, the queues
    # and budgets of the manager with the smallest team (one region) as the small case
    requests_page = reverse("funds:request-list")
    for user in (s.rep, s.manager, s.finance):
        one = _scope_dealer(user)
        out.append(
            Probe(
                "fund requests",
                requests_page,
                user,
                _url("funds:request-list", dealer=one.pk) if one else None,
                user,
                "narrowed to one dealer",
            )
        )
    approvals = reverse("funds:approvals")
    out.append(
        Probe("fund approvals", approvals, s.manager, approvals, s.manager_small, "manager with the smallest team")
    )
    out.append(Probe("fund approvals", approvals, s.finance, approvals, s.manager_small, "a manager: one region"))
    for name, url_name in (("fund budgets", "funds:budget-list"), ("funds summary", "funds:summary")):
        out.append(
            Probe(name, reverse(url_name), s.finance, reverse(url_name), s.manager_small, "a manager: one region")
        )
    deposits = reverse("funds:deposit-list")
    out.append(Probe("deposits", deposits, s.finance, deposits, s.manager_small, "a manager: one region"))
    materials = reverse("funds:material-list")
    out.append(Probe("materials", materials, s.manager, materials, s.manager_small, "manager with the smallest team"))
    settled = _settled_request()
    if settled is not None:
        out.append(Probe("fund request detail", reverse("funds:request-detail", args=[settled]), s.finance))

    # rebates and dealer accounts (bench.rebates leaves the last quarter computed): the lists narrowed by one
    # dealer, the aging report of a manager's region as the small case
    settlements_page = reverse("rebates:settlement-list")
    for user in (s.manager, s.finance):
        one = _scope_dealer(user)
        out.append(
            Probe(
                "rebate settlements",
                settlements_page,
                user,
                _url("rebates:settlement-list", dealer=one.pk) if one else None,
                user,
                "narrowed to one dealer",
            )
        )
    from rebates.models import RebateSettlement

    settlement = RebateSettlement.objects.order_by("-net_amount", "pk").first()
    if settlement is not None:
        out.append(Probe("rebate settlement", reverse("rebates:settlement-detail", args=[settlement.pk]), s.finance))
    aging = reverse("rebates:aging")
    out.append(Probe("aging report", aging, s.finance, aging, s.manager_small, "a manager: one region"))
    big, quiet = _dealers_by_sales()
    if big is not None:
        out.append(
            Probe(
                "statement of account",
                _url("rebates:account", big.pk, period=str(s.month)),
                s.finance,
                _url("rebates:account", quiet.pk, period=str(s.month)) if quiet else None,
                s.finance,
                "the dealer with the fewest sales",
            )
        )

    # dealer stock (bench.inventory writes the month's reports of every dealer): the health list, flags first,
    # narrowed to one dealer as the small case; a dealer's month; coverage; a rep's dashboard panel is above
    health = _url("inventory:health", period=period)
    for user in (s.manager, s.finance):
        one = _scope_dealer(user)
        out.append(
            Probe(
                "stock health",
                health,
                user,
                _url("inventory:health", period=period, q=one.code) if one else None,
                user,
                "narrowed to one dealer (q=code)",
            )
        )
    one = _scope_dealer(s.manager)
    if one is not None:
        out.append(Probe("stock month", reverse("inventory:month", args=[one.pk, period]), s.manager))
    coverage = _url("inventory:coverage", period=period)
    out.append(Probe("coverage", coverage, s.finance, coverage, s.manager_small, "a manager: one region"))

    # API lists: the small case is the same list with page_size=1
    def api(name: str, path: str, user, **query) -> None:
        url = f"{path}?{urlencode(query)}" if query else path
        small = f"{path}?{urlencode({**query, 'page_size': 1})}"
        out.append(Probe(name, url, user, small, user, "page_size=1"))

    api("API dealers", "/api/v1/dealers/", s.manager)
    api("API dealers", "/api/v1/dealers/", s.finance)
    api("API visits", "/api/v1/visits/", s.manager)
    api("API visits", "/api/v1/visits/", s.admin)
    if s.rep is not None:
        compliance_api = "/api/v1/visit-compliance/"
        query = {"rep": s.rep.pk, "period": period}
        out.append(
            Probe(
                "API visit-compliance",
                f"{compliance_api}?{urlencode(query)}",
                s.admin,
                f"{compliance_api}?{urlencode({'rep': s.rep_small.pk, 'period': period})}" if s.rep_small else None,
                s.admin,
                "the rep with the fewest dealers",
                note=f"rep {s.rep.get_username()}",
            )
        )
    api("API scorecards", "/api/v1/scorecards/", s.finance)
    api("API commission-statements", "/api/v1/commission-statements/", s.finance)
    api("API sales", "/api/v1/sales/", s.finance)
    api("API fund-requests", "/api/v1/fund-requests/", s.finance)
    api("API fund-budgets", "/api/v1/fund-budgets/", s.finance)
    api("API rebate-settlements", "/api/v1/rebate-settlements/", s.finance)
    api("API aging", "/api/v1/aging/", s.finance)
    api("API stock-health", "/api/v1/stock-health/", s.finance, period=period)
    api("API stock-reports", "/api/v1/stock-reports/", s.manager)
    return out


# --- measuring ---------------------------------------------------------------------------------------


def _role(user) -> str:
    from channelhub.roles import primary_role

    role = primary_role(user) if user else None
    return str(role) if role else "—"


def percentile(samples: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``samples`` (linear between closest ranks)."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _count(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured.captured_queries)


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=settings.LANGUAGE_CODE)
    client.force_login(user)
    return client


def measure(probe: Probe, *, repeat: int = REPEAT, warmup: int = WARMUP, clients: dict | None = None) -> dict:
    """One probe's row; ``clients`` (user → logged-in client) lets several probes share one login."""
    clients = {} if clients is None else clients

    def client_of(user) -> Client:
        if user.pk not in clients:
            clients[user.pk] = _client(user)
        return clients[user.pk]

    row = {
        "name": probe.name,
        "url": probe.url,
        "role": _role(probe.user),
        "user": _user_label(probe.user),
        "note": probe.note,
        "status": None,
        "p50_ms": None,
        "p95_ms": None,
        "queries": None,
        "small_queries": None,
        "small_url": probe.small_url,
        "small_user": _user_label(probe.small_user) if probe.small_url else None,
        "small_note": probe.small_note,
    }
    if not probe.url or probe.user is None:
        return {**row, **_goals(row)}
    client = client_of(probe.user)
    started = time.perf_counter()
    client.get(probe.url)
    first_ms = (time.perf_counter() - started) * 1000
    slow = first_ms > SLOW_MS  # a page of many seconds is timed once: its figure is the finding
    for _ in range(0 if slow else max(warmup, 1) - 1):
        client.get(probe.url)
    row["status"], row["queries"] = _count(client, probe.url)
    samples = [first_ms] if slow else []
    if slow:
        row["note"] = f"{probe.note} (timed once: over {SLOW_MS / 1000:g} s)".strip()
    for _ in range(0 if slow else repeat):
        started = time.perf_counter()
        response = client.get(probe.url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != row["status"]:
            row["status"] = response.status_code
    row["p50_ms"] = round(statistics.median(samples), 1)
    row["p95_ms"] = round(percentile(samples, 0.95), 1)
    if probe.small_url and probe.small_user is not None:
        small = client_of(probe.small_user)
        small.get(probe.small_url)  # warm
        status, row["small_queries"] = _count(small, probe.small_url)
        if status != 200:
            row["small_note"] = f"{probe.small_note} (status {status})"
    return {**row, **_goals(row)}


def _goals(row: dict) -> dict:
    measured = row["status"] == 200
    flat = None
    if measured and row["small_queries"] is not None:
        flat = row["queries"] <= row["small_queries"]
    return {
        "time_ok": measured and row["p95_ms"] <= P95_GOAL_MS,
        "queries_ok": measured and row["queries"] <= QUERY_GOAL,
        "flat_ok": flat,
        "ok": measured and row["p95_ms"] <= P95_GOAL_MS and row["queries"] <= QUERY_GOAL and flat is not False,
    }


def _load() -> float | None:
    """The machine's 1-minute load average (other work on it slows every figure), where known."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def run(*, repeat: int = REPEAT, warmup: int = WARMUP, log: Callable[[str], None] | None = None) -> list[dict]:
    """Measure every page of ``probes()`` (see the module's docstring); one dict per row."""
    say = log or (lambda message: None)
    rows = []
    clients: dict = {}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    # force_login would otherwise leave an access-log row per login (django-axes)
    with override_settings(ALLOWED_HOSTS=hosts, AXES_DISABLE_ACCESS_LOG=True):
        say(f"pages: {repeat} requests each after {warmup} warm-up, load average {_load()}")
        for probe in probes():
            row = measure(probe, repeat=repeat, warmup=warmup, clients=clients)
            row["load_1m"] = _load()
            say(format_row(row))
            rows.append(row)
    return rows


# --- output ------------------------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISS")


def format_row(row: dict) -> str:
    if row["status"] is None:
        return f"{row['name']:<27} {row['role']:<16} {row['user']:<15} not measured: {row['note']}"
    small = "—" if row["small_queries"] is None else str(row["small_queries"])
    return (
        f"{row['name']:<27} {row['role']:<16} {row['user']:<15} {row['status']:>3} "
        f"p50 {row['p50_ms']:>7.1f} p95 {row['p95_ms']:>7.1f} ms {_mark(row['time_ok']):<4} "
        f"q {row['queries']:>3} {_mark(row['queries_ok']):<4} small {small:>3} {_mark(row['flat_ok'])}"
    )


def format_table(rows: list[dict]) -> str:
    header = (
        f"{'page':<27} {'role':<16} {'user':<15} {'st':>3} {'':>4}{'p50':>7} {'':>4}{'p95':>7}    time "
        f"  queries       small flat"
    )
    return "\n".join([header, *(format_row(row) for row in rows)])


def prepare_scorecards(period: Month | str | None = None, *, reps: int = 20) -> int:
    """Compute the scorecards of up to ``reps`` reps of the biggest team for ``period`` (the month with
    the most visits), so that the scorecard rows have something to show. Writes; not called by ``run()``."""
    from kpi.models import ScorecardTemplate
    from kpi.services.scorecards import scorecard_compute_unchecked

    s = subjects()
    month = Month.parse(period) if isinstance(period, str) else (period or s.month)
    template = ScorecardTemplate.objects.filter(Q(is_active=True)).order_by("pk").first()
    if template is None or s.manager is None:
        return 0
    team = User.objects.filter(profile__manager=s.manager).order_by("username")[:reps]
    for rep in team:
        scorecard_compute_unchecked(rep, month, template, actor=s.manager)
    return len(team)
