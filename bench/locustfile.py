"""The load of ``make load`` (``bench/load.py`` prepares the data and runs this headless).

Three kinds of simulated users, in the proportions of a working day:

* ``RepUser`` (6): a phone with an API token logs visits to its own dealers (``POST /api/v1/visits/``,
  now and then retried with the same ``client_uuid`` as a phone on a bad network does), reads its
  visits, corrects one within the 24 hours, looks at its dealers and its visit compliance;
* ``ManagerUser`` (3): logs in through the login form (CSRF included) and browses pages: the dashboard,
  dealer lists (filters, search, next page) and details, visits, the review queue, compliance,
  statements;
* ``FinanceUser`` (1): the approval queue page and API, statement details, and approves submitted
  statements through the API, each one taken from a shared pool so that no two approvals meet.

Every request is one the app must accept: any other answer is counted as an error. The IDs, tokens and
the statement pool come from the JSON file ``LOAD_FIXTURE`` (written by ``bench/load.py``).

Warm-up and the measured window: every user first logs in (managers and finance through the form, which
hashes the password: a burst of slow requests that a working day spreads out). Once all
``--users`` have started and logged in, the statistics are reset and the measured window of
``LOAD_MEASURE_SECONDS`` (60) begins; at its end the run stops. The warm-up is not lost: its logins'
times and every error of the whole run (warm-up included) are written, with the counters (approvals
made, pool left), to the JSON file ``LOAD_EVENTS`` when the run ends.

Production settings mark the session and CSRF cookies ``Secure``; this client stands where a
TLS-terminating proxy would and sends them over plain HTTP all the same (``_plain_cookies``).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime, timedelta

import gevent
from gevent.event import Event
from locust import HttpUser, between, events, task

KINDS = ("development", "maintenance", "training", "inspection", "complaint", "collection")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def load_fixture(path: str | None) -> dict:
    empty = {"period": "", "reps": [], "managers": [], "finance": [], "pool": []}
    if not path:
        return empty
    with open(path, encoding="utf-8") as handle:
        return {**empty, **json.load(handle)}


FIXTURE = load_fixture(os.environ.get("LOAD_FIXTURE"))
MEASURE_SECONDS = float(os.environ.get("LOAD_MEASURE_SECONDS", "60"))
COUNTERS: Counter = Counter()
#: Every error of the run by endpoint, the warm-up included (Locust's own statistics restart after it).
ERRORS: Counter = Counter()
#: Login times (ms) during the warm-up.
LOGINS: list[float] = []
WINDOW: dict[str, float] = {}
_started = {"users": 0, "at": time.monotonic()}
_everyone_ready = Event()
_rng = random.Random(7)


def _cycle(items: list):
    items = list(items)
    _rng.shuffle(items)
    return itertools.cycle(items) if items else iter(())


ACCOUNTS = {role: _cycle(FIXTURE[role]) for role in ("reps", "managers", "finance")}
#: Submitted statements, each approved once (gevent: ``pop`` is atomic within the one Locust process).
POOL: list[int] = list(FIXTURE["pool"])


def _plain_cookies(jar) -> None:
    for cookie in jar:
        cookie.secure = False


def visit_body(dealer: list, *, now: datetime | None = None, rng: random.Random = random) -> dict:
    """A valid visit to ``dealer`` (``[id, latitude, longitude]``): happened in the last few hours,
    logged from within a few hundred metres of the dealer (sometimes without a position)."""
    now = now or datetime.now(UTC)
    pk, latitude, longitude = dealer
    body = {
        "dealer": pk,
        "visited_at": (now - timedelta(minutes=rng.randint(5, 240))).isoformat(),
        "kind": rng.choice(KINDS),
        "purpose": rng.choice(("季度订货沟通", "Stock check", "新品陈列", "回款跟进", "培训店员")),
        "summary": "Load test visit: stock and display checked, order discussed.",
        "outcome": rng.choice(("", "Order of 20 cases promised.", "需要补货")),
        "next_action": rng.choice(("", "Call back next week.", "下周送样品")),
        "client_uuid": str(uuid.uuid4()),
    }
    if latitude is not None and longitude is not None and rng.random() < 0.9:
        body["latitude"] = f"{latitude + rng.uniform(-0.002, 0.002):.6f}"
        body["longitude"] = f"{longitude + rng.uniform(-0.002, 0.002):.6f}"
        body["accuracy_m"] = f"{rng.uniform(5, 60):.1f}"
    return body


class ChannelhubUser(HttpUser):
    abstract = True
    role = ""

    def on_start(self):
        self.account = next(ACCOUNTS[self.role], None)
        if self.account is None:
            raise RuntimeError(f"The fixture has no {self.role} to play.")

    def ready(self) -> None:
        """This user has started (and logged in). It waits for the others: when all are there, the
        statistics restart and the measured window begins, each user's first task a little apart."""
        _started["users"] += 1
        runner = self.environment.runner
        if _started["users"] == runner.target_user_count and "start" not in WINDOW:
            runner.stats.reset_all()
            WINDOW["warm_up_seconds"] = round(time.monotonic() - _started["at"], 1)
            WINDOW["start"] = time.monotonic()
            WINDOW["start_epoch"] = time.time()
            gevent.spawn_later(MEASURE_SECONDS, runner.quit)
            _everyone_ready.set()
        _everyone_ready.wait()
        gevent.sleep(random.uniform(0, 2))

    def call(self, method: str, path: str, name: str, expected=(200,), **kwargs):
        """One request; anything but an ``expected`` status (redirects included) is an error."""
        _plain_cookies(self.client.cookies)
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code in expected:
                response.success()
            else:
                response.failure(f"{response.status_code} {response.text[:300]!r}")
        return response

    def api(self, method: str, path: str, name: str | None = None, expected=(200,), **kwargs):
        headers = {"Authorization": f"Token {self.account['token']}", "Accept": "application/json"}
        return self.call(method, path, name or f"{method} {path}", expected, headers=headers, **kwargs)

    def page(self, path: str, name: str | None = None):
        return self.call("GET", path, name or f"page {path}")

    def log_in(self) -> None:
        """The login form, as a browser fills it: the CSRF token from the page, then a redirect."""
        form = self.call("GET", "/accounts/login/", "page /accounts/login/")
        match = CSRF_INPUT.search(form.text or "")
        if match is None:
            raise RuntimeError("No CSRF token on the login page.")
        data = {
            "username": self.account["username"],
            "password": self.account["password"],
            "csrfmiddlewaretoken": match.group(1),
            "next": "",
        }
        self.call("POST", "/accounts/login/", "POST /accounts/login/", (302,), data=data)
        _plain_cookies(self.client.cookies)


class RepUser(ChannelhubUser):
    """A field rep's phone (token auth)."""

    role = "reps"
    weight = 6
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        self.recent: deque[int] = deque(maxlen=20)
        self.ready()

    @task(4)
    def log_visit(self):
        body = visit_body(random.choice(self.account["dealers"]))
        response = self.api("POST", "/api/v1/visits/", expected=(201,), json=body)
        if response.status_code != 201:
            return
        self.recent.append(response.json()["id"])
        if random.random() < 0.1:
            # The phone did not get the answer and posts again: the same visit comes back (200).
            again = self.api("POST", "/api/v1/visits/", "POST /api/v1/visits/ (retry)", expected=(200,), json=body)
            if again.status_code == 200 and again.json()["id"] != response.json()["id"]:
                again.failure("A retry created a second visit.")

    @task(3)
    def my_visits(self):
        self.api("GET", "/api/v1/visits/?ordering=-visited_at&page_size=20", "GET /api/v1/visits/")

    @task(2)
    def visit_detail(self):
        if self.recent:
            self.api("GET", f"/api/v1/visits/{random.choice(self.recent)}/", "GET /api/v1/visits/[id]/")

    @task(1)
    def correct_visit(self):
        if self.recent:
            self.api(
                "PATCH",
                f"/api/v1/visits/{self.recent[-1]}/",
                "PATCH /api/v1/visits/[id]/",
                json={"summary": "Load test visit, corrected: the order was confirmed on the spot."},
            )

    @task(1)
    def my_dealers(self):
        self.api("GET", "/api/v1/dealers/?page_size=50", "GET /api/v1/dealers/")

    @task(1)
    def my_compliance(self):
        self.api(
            "GET",
            f"/api/v1/visit-compliance/?rep={self.account['id']}&period={FIXTURE['period']}",
            "GET /api/v1/visit-compliance/",
        )


class ManagerUser(ChannelhubUser):
    """A channel manager at a desk (pages, session login)."""

    role = "managers"
    weight = 3
    wait_time = between(1, 4)

    def on_start(self):
        super().on_start()
        self.log_in()
        self.ready()

    @task(1)
    def dashboard(self):
        self.page("/")

    @task(3)
    def dealer_list(self):
        self.page("/partners/dealers/")

    @task(1)
    def dealer_list_filtered(self):
        choice = random.random()
        if choice < 0.4 and self.account["queries"]:
            query = f"?q={random.choice(self.account['queries'])}"
        elif choice < 0.7:
            query = "?status=active&kind=dealer"
        else:
            query = "?page=2"
        self.page(f"/partners/dealers/{query}", "page /partners/dealers/?filters")

    @task(3)
    def dealer_detail(self):
        self.page(f"/partners/dealers/{random.choice(self.account['dealers'])}/", "page /partners/dealers/[id]/")

    @task(2)
    def visit_list(self):
        self.page("/visits/")

    @task(2)
    def visit_detail(self):
        if self.account["visits"]:
            self.page(f"/visits/{random.choice(self.account['visits'])}/", "page /visits/[id]/")

    @task(1)
    def review_queue(self):
        self.page("/visits/review/")

    @task(1)
    def compliance(self):
        self.page("/visits/compliance/")

    @task(1)
    def statement_list(self):
        self.page("/kpi/statements/")

    @task(1)
    def statement_detail(self):
        if self.account["statements"]:
            self.page(f"/kpi/statements/{random.choice(self.account['statements'])}/", "page /kpi/statements/[id]/")


class FinanceUser(ChannelhubUser):
    """Finance: the approval queue (page and API) and approvals through the API (token)."""

    role = "finance"
    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        super().on_start()
        self.log_in()
        self.ready()

    @task(2)
    def approval_page(self):
        self.page("/kpi/statements/approvals/")

    @task(2)
    def submitted_list(self):
        self.api(
            "GET",
            "/api/v1/commission-statements/?status=submitted&page_size=20",
            "GET /api/v1/commission-statements/?status=submitted",
        )

    @task(1)
    def statement_detail(self):
        statements = self.account["statements"]
        if statements:
            pk = random.choice(statements)
            self.api("GET", f"/api/v1/commission-statements/{pk}/", "GET /api/v1/commission-statements/[id]/")

    @task(3)
    def approve(self):
        if not POOL:
            COUNTERS["approvals skipped (pool empty)"] += 1
            return
        pk = POOL.pop()
        self.api("GET", f"/api/v1/commission-statements/{pk}/", "GET /api/v1/commission-statements/[id]/")
        response = self.api(
            "POST",
            f"/api/v1/commission-statements/{pk}/approve/",
            "POST /api/v1/commission-statements/[id]/approve/",
            json={"comment": "Checked against the sales ledger (load test)."},
        )
        if response.status_code == 200:
            COUNTERS["statements approved"] += 1

    @task(1)
    def dealer_list(self):
        self.page("/partners/dealers/")


@events.test_start.add_listener
def _test_start(environment, **kwargs):
    _started["at"] = time.monotonic()


@events.request.add_listener
def _tally(request_type, name, response_time, exception=None, **kwargs):
    if exception is not None:
        ERRORS[name] += 1
    if name == "POST /accounts/login/" and "start" not in WINDOW:
        LOGINS.append(response_time)


@events.quitting.add_listener
def _write_events(environment, **kwargs):
    COUNTERS["statements left in the pool"] = len(POOL)
    if "start" in WINDOW:
        WINDOW["measured_seconds"] = round(time.monotonic() - WINDOW.pop("start"), 1)
    path = os.environ.get("LOAD_EVENTS")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"counters": COUNTERS, "errors": ERRORS, "logins_ms": LOGINS, "window": WINDOW}, handle)
