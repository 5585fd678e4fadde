"""``make load``: a load test of the production shape (SPEC §11).

Builds (or reuses) a PostgreSQL database ``LOAD_DATABASE_URL`` with the demo company and the bench data
set, starts gunicorn (2 workers, ``channelhub.wsgi``, production settings over plain HTTP, tasks eager),
runs Locust headless against it (``bench/locustfile.py``: reps logging visits through the API, managers
browsing pages, finance approving statements) and prints requests/s, p50/p95/p99 and errors per endpoint
and overall, with a pass/fail line against the goals. The summary goes to ``bench/load-results.json``.

Steps, each skipped when already done: create the database, ``migrate``, ``seed_demo``, the bench data set
(``bench.dataset.build``), ``collectstatic``; then every time: API tokens for the users Locust plays, and
enough ``submitted`` statements for finance to approve (the managers submit drafts; when there are too
few, they compute more months first), all written to a fixture file that Locust reads.

Environment (all optional):

``LOAD_DATABASE_URL``  postgres://postgres@127.0.0.1:5432/channelhub_load
``LOAD_USERS``         30 simulated users          ``LOAD_SPAWN_RATE``  10 users/s
``LOAD_RUN_TIME``      60 (s, measured after the warm-up) ``LOAD_PORT``  8765 (the next free one if taken)
``LOAD_WORKERS``       2 gunicorn workers          ``LOAD_BENCH``       1; 0 = the demo company only
``LOAD_BENCH_SCALE``   1 (the bench data set's scale)
``LOAD_P95_MS``        300 (the goal for p95; the other goal is no error)

The figures cover the measured window: it starts once every simulated user has started and logged in
(the warm-up, whose logins are reported apart) and lasts ``LOAD_RUN_TIME``. Errors are counted over the
whole run, warm-up included. Beside Locust's times (client side, queueing included) the summary gives
the server's own times from gunicorn's access log.

Exit status: 0 when the goals are met, 1 when not, 2 when the run could not be made.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from commissions.selectors import reps_with_plan

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "load-results.json"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/channelhub_load"

#: Submitted statements to have ready for finance before a run (a run approves a few dozen).
POOL_TARGET = 150
#: How many reps / managers Locust may play (each simulated user takes the next one).
REP_SLOTS = 60
MANAGER_SLOTS = 27


def say(message: str) -> None:
    print(f"[load] {message}", flush=True)


class Config:
    def __init__(self, environ: dict[str, str]):
        self.database_url = environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL
        self.users = int(environ.get("LOAD_USERS", "30"))
        self.spawn_rate = float(environ.get("LOAD_SPAWN_RATE", "10"))
        self.run_seconds = int(environ.get("LOAD_RUN_TIME", "60").strip().removesuffix("s"))
        self.port = int(environ.get("LOAD_PORT", "8765"))
        self.workers = int(environ.get("LOAD_WORKERS", "2"))
        self.bench = environ.get("LOAD_BENCH", "1").strip().lower() not in ("0", "false", "no", "off")
        self.bench_scale = float(environ.get("LOAD_BENCH_SCALE", "1"))
        self.p95_goal_ms = float(environ.get("LOAD_P95_MS", "300"))

    def as_dict(self) -> dict:
        safe = {key: value for key, value in vars(self).items() if key != "database_url"}
        return {"database": self.database_url.rsplit("/", 1)[-1], **safe}


def server_environment(config: Config) -> dict[str, str]:
    """The production settings, over plain HTTP on the loopback, tasks eager (no broker)."""
    return {
        "DJANGO_SETTINGS_MODULE": "channelhub.settings.production",
        "DATABASE_URL": config.database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        # No TLS-terminating proxy in front: no redirect to https, no HSTS. The session and CSRF cookies
        # stay ``Secure`` (production hard-codes it); the Locust client sends them anyway (see locustfile).
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Notifications mail nobody during a load test.
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


# --- the database --------------------------------------------------------------------------------


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` if it is missing; answers whether it was created."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit(f"LOAD_DATABASE_URL must point at PostgreSQL, not {config['ENGINE']}")
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    return True


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def collectstatic_needed() -> bool:
    """Whether the manifest is missing or older than a source file (before Django is set up)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    sources = [
        ROOT / "static",
        ROOT / "node_modules" / "bootstrap" / "dist",
        ROOT / "node_modules" / "chart.js" / "dist",
    ]
    newest = max((path.stat().st_mtime for directory in sources for path in directory.rglob("*")), default=0.0)
    return manifest.stat().st_mtime < newest


def start_collectstatic(env: dict[str, str], log: Path) -> subprocess.Popen | None:
    """``collectstatic`` (production storage: hashed names, compressed copies) in the background when needed;
    it takes minutes on a busy machine, as long as the data set's setup."""
    if not collectstatic_needed():
        return None
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)


#: The big tables: vacuumed before a run so that their visibility maps are set (rows written with ``COPY``
#: are not, until autovacuum passes): without that, PostgreSQL cannot use the covering indexes of the
#: facts for index-only scans, and a manager's dashboard reads 100 MB of heap instead of 2 MB of index.
VACUUMED = ("kpi_salesrecord", "kpi_collection", "kpi_expense", "visits_visit", "partners_dealer")


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(VACUUMED)}")


def build_bench(scale: float) -> str:
    from bench import dataset

    built = dataset.build(scale, log=lambda message: say(f"bench data set {message.strip()}"))
    counts = ", ".join(f"{name} {value}" for name, value in built.counts.items())
    if built.existed:
        return f"there already ({counts})"
    return f"built in {built.seconds:.0f} s ({counts})"


# --- what Locust needs ----------------------------------------------------------------------------


def _users(role: str, names: list[str] | None = None, prefix: str | None = None):
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    condition = Q()
    if names:
        condition |= Q(username__in=names)
    if prefix:
        condition |= Q(username__startswith=prefix)
    users = get_user_model().objects.filter(condition, groups__name=role, is_active=True)
    return list(users.select_related("profile").order_by("username"))


def _spread(items: list, count: int) -> list:
    """``count`` items spread evenly over ``items`` (all of them when there are fewer)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]


def _approvable(finance_ids: list[int]):
    from commissions.models import Statement

    return (
        Statement.objects.filter(status=Statement.Status.SUBMITTED)
        .exclude(submitted_by_id__in=finance_ids)
        .exclude(rep_id__in=finance_ids)
    )


def fill_statement_pool(finance_ids: list[int], target: int = POOL_TARGET) -> dict[str, int]:
    """At least ``target`` submitted statements that finance may approve: the managers submit drafts,
    computing further months (most recent first) with their own commission runs while there are too few."""
    from channelhub.periods import Month
    from commissions.models import CommissionRun, Statement
    from commissions.services.runs import run_begin, run_compute_chunk, run_finish
    from commissions.services.statements import statement_submit
    from kpi.services.periods import PeriodClosed, check_open, periods_ensure

    counts = {"submitted_now": 0, "computed_now": 0}

    def submit_drafts(queryset) -> None:
        missing = target - _approvable(finance_ids).count()
        drafts = queryset.filter(status=Statement.Status.DRAFT, rep__profile__manager__isnull=False)
        for statement in drafts.select_related("rep__profile__manager").order_by("-period", "pk")[: max(0, missing)]:
            statement_submit(actor=statement.rep.profile.manager, statement=statement, comment="make load")
            counts["submitted_now"] += 1

    submit_drafts(Statement.objects.filter(kind=Statement.Kind.MONTHLY))
    month = Month.current().previous()
    for _step in range(36):
        if _approvable(finance_ids).count() >= target:
            break
        try:
            check_open([month.first_day])
        except PeriodClosed:
            month = month.previous()
            continue
        has_statement = Statement.objects.filter(period=str(month), kind=Statement.Kind.MONTHLY).values("rep_id")
        reps = reps_with_plan(month).exclude(pk__in=has_statement).filter(profile__manager__isnull=False)
        managers = list(reps.values_list("profile__manager", flat=True).distinct().order_by("profile__manager"))
        for manager_id in managers:
            if _approvable(finance_ids).count() >= target:
                break
            periods_ensure([month.first_day])
            run = CommissionRun.objects.create(period=str(month), started_by_id=manager_id)
            plan = run_begin(run_id=run.pk)
            for chunk in plan.chunks if plan else []:
                counts["computed_now"] += run_compute_chunk(run_id=run.pk, rep_ids=chunk, period=plan.period)["written"]
            run_finish(run_id=run.pk)
            submit_drafts(Statement.objects.filter(run=run))
        month = month.previous()
    counts["pool"] = _approvable(finance_ids).count()
    return counts


def prepare_fixture(path: Path, *, bench: bool) -> dict:
    """Tokens, IDs and the statement pool Locust plays with, written to ``path`` (JSON)."""
    from rest_framework.authtoken.models import Token

    from channelhub.accounts.demo import DEMO_PASSWORD
    from channelhub.periods import Month
    from channelhub.roles import Role
    from channelhub.scoping import scope, team_of
    from commissions.models import Statement
    from partners.models import Dealer
    from visits.models import Visit

    bench_password = None
    if bench:
        from bench.dataset import PASSWORD as bench_password

    def password(user) -> str:
        return bench_password if user.username.startswith("bench_") else DEMO_PASSWORD

    def token(user) -> str:
        return Token.objects.get_or_create(user=user)[0].key

    demo_reps = [f"rep{number}" for number in range(1, 7)]
    reps = _users(Role.FIELD_REP, demo_reps, "bench_rep_" if bench else None)
    managers = _users(Role.CHANNEL_MANAGER, ["manager1", "manager2"], "bench_mgr_" if bench else None)
    finance = _users(Role.FINANCE, ["finance"], "bench_finance" if bench else None)
    if not (reps and managers and finance):
        raise SystemExit("No reps, managers or finance users in the load database: did seed_demo run?")

    # Demo users first, then bench ones spread over the teams.
    reps = [r for r in reps if r.username in demo_reps] + _spread(
        [r for r in reps if r.username not in demo_reps], REP_SLOTS - len(demo_reps)
    )
    fixture = {"period": str(Month.current()), "reps": [], "managers": [], "finance": []}
    for rep in reps:
        dealers = (
            scope(rep, Dealer)
            .exclude(status=Dealer.Status.TERMINATED)
            .order_by("pk")
            .values_list("pk", "latitude", "longitude")[:40]
        )
        dealers = [
            [pk, float(lat) if lat is not None else None, float(lon) if lon is not None else None]
            for pk, lat, lon in dealers
        ]
        if dealers:
            fixture["reps"].append({"username": rep.username, "id": rep.pk, "token": token(rep), "dealers": dealers})

    def browsing(user) -> dict:
        dealers = scope(user, Dealer).order_by("-pk")
        statements = scope(user, Statement).order_by("-period", "pk")
        return {
            "username": user.username,
            "password": password(user),
            "id": user.pk,
            "dealers": _spread(list(dealers.values_list("pk", flat=True)[:2000]), 50),
            "queries": _spread(list(dealers.values_list("code", flat=True)[:2000]), 10),
            "visits": list(scope(user, Visit).order_by("-visited_at").values_list("pk", flat=True)[:50]),
            "statements": list(statements.values_list("pk", flat=True)[:30]),
        }

    for manager in managers[:MANAGER_SLOTS]:
        entry = browsing(manager)
        entry["reps"] = list(team_of(manager).order_by("pk").values_list("pk", flat=True)[:30])
        if entry["dealers"]:
            fixture["managers"].append(entry)
    for user in finance:
        fixture["finance"].append({**browsing(user), "token": token(user)})

    pool_counts = fill_statement_pool([user.pk for user in finance])
    fixture["pool"] = list(_approvable([user.pk for user in finance]).order_by("?").values_list("pk", flat=True))
    path.write_text(json.dumps(fixture))
    return {
        "reps": len(fixture["reps"]),
        "managers": len(fixture["managers"]),
        "finance": len(fixture["finance"]),
        **pool_counts,
    }


def dataset_counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    from commissions.models import Statement
    from kpi.models import SalesRecord
    from partners.models import Dealer
    from visits.models import Visit

    return {
        "users": get_user_model().objects.count(),
        "dealers": Dealer.objects.count(),
        "visits": Visit.objects.count(),
        "sales_lines": SalesRecord.objects.count(),
        "statements": Statement.objects.count(),
    }


# --- the server ------------------------------------------------------------------------------------


def free_port(start: int) -> int:
    for port in range(start, start + 100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port from {start} on.")


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "channelhub.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        str(log.with_name("access.log")),
        # time, method, path, status, server time in microseconds
        "--access-logformat",
        "%(t)s %(m)s %(U)s %(s)s %(D)s",
        "--error-logfile",
        "-",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url}/healthz did not answer within {timeout:.0f} s")


# --- the run and its figures -----------------------------------------------------------------------


class CpuSampler(threading.Thread):
    """Samples the CPU time of gunicorn's workers twice a second: their CPU per request over the measured
    window is a figure that does not depend on how busy the machine is (PostgreSQL's own CPU aside)."""

    def __init__(self, server: subprocess.Popen):
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[tuple[float, float]] = []
        self.load: list[tuple[float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        master = psutil.Process(self.server.pid)
        while not self.done.wait(0.5):
            try:
                seconds = sum(sum(child.cpu_times()[:2]) for child in master.children())
            except psutil.Error:
                continue
            self.samples.append((time.time(), seconds))
            self.load.append((time.time(), os.getloadavg()[0]))

    def between(self, start: float | None, end: float | None) -> float | None:
        if start is None or end is None:
            return None
        inside = [cpu for at, cpu in self.samples if start <= at <= end]
        return inside[-1] - inside[0] if len(inside) > 1 else None

    def load_average(self, start: float | None, end: float | None) -> float | None:
        """The machine's 1-minute load average at the end of the window (every process, ours included)."""
        inside = [load for at, load in self.load if start is not None and end is not None and start <= at <= end]
        return round(inside[-1], 1) if inside else None


def run_locust(config: Config, url: str, workdir: Path, fixture: Path) -> int:
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(config.users),
        "--spawn-rate",
        str(config.spawn_rate),
        "--run-time",
        f"{config.run_seconds + 120}s",  # a cap: the locustfile stops the run after the measured window
        "--host",
        url,
        "--csv",
        str(workdir / "locust"),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {
        **os.environ,
        "LOAD_FIXTURE": str(fixture),
        "LOAD_EVENTS": str(workdir / "events.json"),
        "LOAD_MEASURE_SECONDS": str(config.run_seconds),
    }
    with (workdir / "locust.log").open("wb") as out:
        return subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


ACCESS_LINE = re.compile(r"^\[(?P<at>[^\]]+)\] (?P<method>\S+) (?P<path>\S+) (?P<status>\d+) (?P<micros>\d+)$")


def server_times(access_log: Path, since: float | None) -> dict:
    """The server's own time per endpoint (gunicorn's access log), for requests after ``since`` (epoch)."""
    times: dict[str, list[float]] = {}
    for line in access_log.read_text().splitlines() if access_log.exists() else []:
        match = ACCESS_LINE.match(line.strip())
        if match is None:
            continue
        at = datetime.strptime(match["at"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if since is not None and at < int(since):
            continue
        path = re.sub(r"/\d+/", "/[id]/", match["path"])
        name = f"{match['method']} {path}"
        times.setdefault(name, []).append(int(match["micros"]) / 1000)
    everything = [value for values in times.values() for value in values]
    figures = {
        name: {"requests": len(values), "p50_ms": _percentile(values, 0.5), "p95_ms": _percentile(values, 0.95)}
        for name, values in sorted(times.items())
    }
    return {
        "overall": {
            "requests": len(everything),
            "p50_ms": _percentile(everything, 0.5),
            "p95_ms": _percentile(everything, 0.95),
            "p99_ms": _percentile(everything, 0.99),
        },
        "endpoints": figures,
    }


def summarize(workdir: Path, config: Config) -> dict:
    rows = list(csv.DictReader((workdir / "locust_stats.csv").open()))
    failures = list(csv.DictReader((workdir / "locust_failures.csv").open()))
    events = json.loads((workdir / "events.json").read_text()) if (workdir / "events.json").exists() else {}
    errors_whole_run = events.get("errors", {})
    window = events.get("window", {})

    def figures(row: dict) -> dict:
        return {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": round(_number(row["Requests/s"]) or 0.0, 2),
            "p50_ms": _number(row["50%"]),
            "p95_ms": _number(row["95%"]),
            "p99_ms": _number(row["99%"]),
            "max_ms": _number(row["Max Response Time"]),
        }

    endpoints = []
    for row in rows:
        if row["Name"] != "Aggregated":
            entry = {"name": row["Name"], **figures(row)}
            entry["errors"] = max(entry["errors"], errors_whole_run.get(row["Name"], 0))
            endpoints.append(entry)
    overall = figures(next(r for r in rows if r["Name"] == "Aggregated"))
    overall["errors"] = max(overall["errors"], sum(errors_whole_run.values()))
    logins = events.get("logins_ms", [])
    passed = (
        "measured_seconds" in window
        and overall["requests"] > 0
        and overall["errors"] == 0
        and (overall["p95_ms"] or 0) <= config.p95_goal_ms
    )
    return {
        "overall": overall,
        "endpoints": endpoints,
        "failures": [{"name": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])} for f in failures],
        "errors_whole_run": errors_whole_run,
        "window": window,
        "warm_up_logins": {
            "count": len(logins),
            "p50_ms": _percentile(logins, 0.5),
            "max_ms": max(logins) if logins else None,
        },
        "counters": events.get("counters", {}),
        "server": server_times(workdir / "access.log", window.get("start_epoch")),
        "goals": {"errors": 0, "p95_ms": config.p95_goal_ms},
        "pass": passed,
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_summary(summary: dict, config: Config) -> None:
    server = summary["server"]["endpoints"]
    width = max([len(e["name"]) for e in summary["endpoints"]] + [10])
    header = (
        f"{'endpoint':<{width}}  {'requests':>8}  {'errors':>6}  {'req/s':>6}  {'p50':>5}  {'p95':>5}  {'p99':>5}"
        f"  {'server p50':>10}  {'p95':>5}"
    )
    window = summary["window"]
    print()
    print(
        f"Measured window: {window.get('measured_seconds', '?')} s after a warm-up of "
        f"{window.get('warm_up_seconds', '?')} s ({config.users} users started and logged in)"
    )
    print(header)
    print("-" * len(header))
    for row in [*summary["endpoints"], {"name": "overall", **summary["overall"]}]:
        if row["name"] == "overall":
            print("-" * len(header))
            own = summary["server"]["overall"]
        else:
            method, _, path = row["name"].partition(" ")
            own = server.get(f"{'GET' if method == 'page' else method} {path.split('?')[0]}", {})
        print(
            f"{row['name']:<{width}}  {row['requests']:>8}  {row['errors']:>6}  {row['rps']:>6.1f}  "
            f"{_ms(row['p50_ms']):>5}  {_ms(row['p95_ms']):>5}  {_ms(row['p99_ms']):>5}"
            f"  {_ms(own.get('p50_ms')):>10}  {_ms(own.get('p95_ms')):>5}"
        )
    print("(times in ms: Locust's, queueing included; server = gunicorn's own time for the path, all its queries)")
    if summary["server"].get("cpu_ms_per_request"):
        print(
            f"server CPU: {summary['server']['cpu_ms_per_request']:.0f} ms per request in the measured window "
            f"(gunicorn workers; PostgreSQL not included); machine: {summary['machine']['cpus']} CPUs, "
            f"load average {summary['machine']['load_average']} at the end of the window"
        )
    logins = summary["warm_up_logins"]
    if logins["count"]:
        print(f"warm-up: {logins['count']} logins, p50 {_ms(logins['p50_ms'])} ms, max {_ms(logins['max_ms'])} ms")
    for failure in summary["failures"]:
        print(f"error: {failure['count']}x {failure['name']}: {failure['error']}")
    for name, count in summary["errors_whole_run"].items():
        print(f"errors over the whole run (warm-up included): {count}x {name}")
    for name, value in summary["counters"].items():
        print(f"{name}: {value}")
    overall = summary["overall"]
    verdict = "PASS" if summary["pass"] else "FAIL"
    print(
        f"\n{verdict}: {overall['rps']:.1f} requests/s, p50 {_ms(overall['p50_ms'])} ms, "
        f"p95 {_ms(overall['p95_ms'])} ms (goal <= {config.p95_goal_ms:.0f}), p99 {_ms(overall['p99_ms'])} ms, "
        f"{overall['errors']} errors in {overall['requests']} requests (goal 0)"
    )


def main() -> int:
    config = Config(dict(os.environ))
    env = server_environment(config)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="channelhub-load-"))
    say(f"database {config.database_url.rsplit('/', 1)[-1]}; work files in {workdir}")
    if ensure_database(config.database_url):
        say("database created")
    static = start_collectstatic(env, workdir / "collectstatic.log")
    if static is not None:
        say("collectstatic started (in the background)")
    setup_django(env)
    from django.core.management import call_command

    step = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"migrated ({time.monotonic() - step:.1f} s)")
    step = time.monotonic()
    call_command("seed_demo", quiet_logins=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    say(f"demo company ready ({time.monotonic() - step:.1f} s)")
    if config.bench:
        step = time.monotonic()
        say(f"bench data set: {build_bench(config.bench_scale)} ({time.monotonic() - step:.1f} s)")
    step = time.monotonic()
    vacuum()
    say(f"vacuumed the big tables ({time.monotonic() - step:.1f} s)")
    step = time.monotonic()
    fixture = workdir / "fixture.json"
    prepared = prepare_fixture(fixture, bench=config.bench)
    say(
        f"{prepared['reps']} reps, {prepared['managers']} managers, {prepared['finance']} finance users to play; "
        f"{prepared['pool']} submitted statements for finance ({prepared['submitted_now']} submitted, "
        f"{prepared['computed_now']} computed now) ({time.monotonic() - step:.1f} s)"
    )
    counts = dataset_counts()
    from django.db import connections

    connections.close_all()
    if static is not None:
        step = time.monotonic()
        if static.wait() != 0:
            say(f"collectstatic failed; see {workdir / 'collectstatic.log'}")
            return 2
        say(f"collectstatic done (waited {time.monotonic() - step:.1f} s)")

    port = free_port(config.port)
    url = f"http://127.0.0.1:{port}"
    server = sampler = None
    try:
        server = start_gunicorn(env, port, config.workers, workdir / "gunicorn.log")
        health = wait_healthy(url, server)
        sampler = CpuSampler(server)
        sampler.start()
        say(f"gunicorn ({config.workers} workers) on {url}: healthz {health}")
        say(f"Locust: {config.users} users, spawn rate {config.spawn_rate}/s, {config.run_seconds} s measured ...")
        code = run_locust(config, url, workdir, fixture)
    finally:
        if sampler is not None:
            sampler.done.set()
        stop(server)
    if not (workdir / "locust_stats.csv").exists():
        say(f"Locust failed (exit {code}); its log:")
        print((workdir / "locust.log").read_text()[-5000:])
        return 2
    summary = summarize(workdir, config)
    window = summary["window"]
    start = window.get("start_epoch")
    end = start + window["measured_seconds"] if start else None
    cpu = sampler.between(start, end)
    summary["machine"] = {"cpus": os.cpu_count(), "load_average": sampler.load_average(start, end)}
    served = summary["server"]["overall"]["requests"]
    summary["server"]["cpu_ms_per_request"] = round(cpu * 1000 / served, 1) if cpu and served else None
    print_summary(summary, config)
    result = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config.as_dict(),
        "dataset": {"bench": config.bench, **counts},
        "prepared": prepared,
        **summary,
        "wall_seconds": round(time.monotonic() - started, 1),
        "work_dir": str(workdir),
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    say(f"written {RESULTS.relative_to(ROOT)}; total {result['wall_seconds']:.0f} s")
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
