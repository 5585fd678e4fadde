"""The authorization matrix (SPEC §2): every page and endpoint of the URL resolver × every role ×
``rep``'s object (in scope for some roles, out of scope for the others).

* out of scope answers 404; a forbidden action 403 or 404 — never the state check's 409;
* an allowed action reaches the business rules (200/201/204/302/400/409, never 403/404);
* nothing answers 500;
* no response a role gets (pages, JSON, CSV, Excel) holds a marker of an object that role may not
  see (``world.MARKERS``), and ``rep``, ``rep_peer`` and ``manager`` never see a figure of another
  team's size (``other_rep``'s amounts are all above 500,000.00, ours below 100,000.00), which
  catches a total that includes them.

One test per role collects every failing cell and reports them all at once. The matrix itself
(``tests/authz/matrix.py``) must name exactly the URLs the resolver has.
"""

from __future__ import annotations

import contextlib
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from channelhub import scoping
from tests.authz.matrix import ADMIN_EXTRA, ADMIN_PAGES, ADMIN_VIEWS, MATRIX, VISIBILITY_OF, Entry
from tests.authz.world import MARKERS, ROLES, SEES_REPS_OBJECT
from tests.channelhub.test_auth_required import walk

pytestmark = pytest.mark.django_db

KIND = {"rep": "rep", "rep_peer": "rep", "other_rep": "rep", "manager": "manager", "other_manager": "manager"}
WRITE_OK = {200, 201, 202, 204, 302, 400, 409}
FORBIDDEN = {403, 404}
#: Roles that never see another team's figures; other_rep's amounts are ≥ 500,000.00.
SMALL_WORLD = {"rep", "rep_peer", "manager"}
#: A money figure of 100,000.00 or more: 123456.78, 123,456.78, 1,234,567.89 …
BIG_MONEY = re.compile(r"(?<![\d.,])(?:\d{6,}|\d{1,3}(?:,\d{3}){2,}|\d{3},\d{3})\.\d{2}(?!\d)")


# --- the resolver -----------------------------------------------------------------------------------


def resolver_urls() -> dict[str, object]:
    """Full URL name → its pattern (the first one of that name), outside the admin site."""
    found: dict[str, object] = {}
    for route, name, pattern in walk(get_resolver().url_patterns):
        if name.startswith("admin:") or route.startswith("static/"):
            continue
        found.setdefault(name or f"/{route}", pattern)
    return found


def admin_names() -> set[str]:
    return {name for _route, name, _pattern in walk(get_resolver().url_patterns) if name.startswith("admin:")}


def admin_model_names() -> dict[str, type]:
    """``app_model`` → model of every model registered with the admin site."""
    return {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}


def admin_expected_names() -> set[str]:
    names = set(ADMIN_PAGES) | set(ADMIN_EXTRA) | {"admin:"}  # "admin:" — Django's unnamed <object_id>/ redirect
    for label in admin_model_names():
        names |= {f"admin:{label}_{view}" for view in ADMIN_VIEWS}
    return names


def path_for(name: str, pattern, pk) -> str:
    kwargs = {}
    if isinstance(pattern.pattern, RoutePattern):
        # a month in a path (a dealer's stock month) is the world's month of stock reports
        kwargs = {name: "2026-10" if name == "period" else pk for name in pattern.pattern.converters}
    else:
        for group in pattern.pattern.regex.groupindex:
            kwargs[group] = "sales" if group == "kind" else pk
    return reverse(name, kwargs=kwargs)


# --- the matrix is complete and current ------------------------------------------------------------------


def test_every_url_has_a_row():
    names = set(resolver_urls())
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, (
        "URLs without a row in the authorization matrix: "
        + ", ".join(missing)
        + ". Add each to MATRIX in tests/authz/matrix.py, e.g. "
        + f'"{missing[0]}": page(obj="dealer", read=SEE) for a detail page, page() for a list, '
        "action(obj, who) for an action page, api_read(...)/api_action(obj, who) for the API."
    )
    assert not stale, f"rows of tests/authz/matrix.py for URLs that no longer exist: {', '.join(stale)}; remove them."


def test_every_admin_url_has_a_rule():
    names = admin_names()
    unknown = sorted(names - admin_expected_names())
    assert not unknown, (
        f"admin URLs the matrix has no rule for: {', '.join(unknown)}. A model registered with the admin "
        "gets the rule of its changelist/add/change/delete/history; for a custom admin view, add its name to "
        "ADMIN_EXTRA (or ADMIN_PAGES) in tests/authz/matrix.py (the admin test then GETs it as every role)."
    )


def test_every_row_names_a_known_object():
    assert {entry.obj for entry in MATRIX.values() if entry.obj} <= set(VISIBILITY_OF)


# --- the cells -----------------------------------------------------------------------------------------


def the_object(world: dict, key: str):
    if key.startswith("ref:"):
        return world["reference"][key[4:]]
    return world["mine"][key]


def sees(who: str, entry: Entry) -> bool:
    """Whether ``who`` may see the object behind ``entry`` (a URL without one: whether its page is theirs)."""
    if entry.obj is None:
        return True
    return who in SEES_REPS_OBJECT[VISIBILITY_OF[entry.obj]]


#: Pages whose GET answers with a redirect for everyone logged in.
REDIRECTING = {"login"}


def expected_read(who: str, name: str, entry: Entry, settled: bool = False) -> set[int]:
    if who in entry.read:
        return ({200, 302} if entry.action or name in REDIRECTING else {200}) | _state_403(who, entry, settled)
    if entry.obj is not None and not sees(who, entry):
        return {404}
    return FORBIDDEN


def _state_403(who: str, entry: Entry, settled: bool) -> set[int]:
    return {403} if settled and who in entry.state_403 else set()


#: Who may name rep's object of a kind in a body, where that differs from who sees it: a dealer is named by the
#: sales side (the dealers' scope rule); an inspector reads it only as a directory entry (SPEC §17), so for
#: them a dealer in another app's body is unknown (a 400 on the field).
REFERENCE_SEEN = {"dealer": SEES_REPS_OBJECT["dealer"] - {"inspector"}}


def expected_write(who: str, entry: Entry, settled: bool = False) -> set[int]:
    if who in entry.write:
        return WRITE_OK | _state_403(who, entry, settled)
    if entry.reference and who not in REFERENCE_SEEN.get(
        entry.reference[1], SEES_REPS_OBJECT[VISIBILITY_OF[entry.reference[1]]]
    ):
        return FORBIDDEN | {400}  # "no such <field>" (checked in Cells.check), as for an unknown ID
    if entry.obj is not None and not sees(who, entry):
        could = any(KIND.get(r, r) == KIND.get(who, who) for r in entry.write)
        return {404} if could else FORBIDDEN
    return FORBIDDEN


def body_text(response) -> str:
    content_type = response.get("Content-Type", "")
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheetml" in content_type:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        cells = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += [
                    f"{value:.2f}" if isinstance(value, float | Decimal) else str(value)
                    for value in row
                    if value is not None
                ]
        return "\n".join(cells)
    return raw.decode("utf-8", errors="replace")


#: The people's names among the markers, and the pages that show a manager every active field rep on
#: purpose (partners.forms: the dealer's owner may be any rep, the manager's own team first) — a
#: deliberate exception to the users' scope rule (a manager sees self and team), reported to the lead.
PEOPLE = {"刘洋", "李娜", "张伟"}
OWNER_PICKERS = {"partners:dealer-create", "partners:dealer-edit"}


class Cells:
    """The failing cells of one role, and what its responses showed (for the sanity checks)."""

    def __init__(self, who: str):
        self.who = who
        self.failures: list[str] = []
        self.seen: set[str] = set()
        #: URL name → the markers (and "BIG" for another team's figures) its responses showed
        self.shown: dict[str, set[str]] = {}
        self.big_money_seen = False
        self.count = 0

    def check(self, method: str, name: str, path: str, response, expected: set[int], refused_field=None) -> None:
        self.count += 1
        if response.status_code == 400 and refused_field and not set(response.json()) <= set(refused_field.split()):
            self.failures.append(
                f"{method} {path} ({name}) as {self.who}: 400 {response.json()}, expected one on {refused_field}"
            )
        if response.status_code not in expected:
            self.failures.append(
                f"{method} {path} ({name}) as {self.who}: {response.status_code}, expected {sorted(expected)}"
            )
        if response.status_code == 200:
            self.check_leaks(method, name, path, body_text(response))

    def check_leaks(self, method, name, path, text) -> None:
        shown = self.shown.setdefault(name, set())
        for marker, roles in MARKERS.items():
            if marker in text:
                self.seen.add(marker)
                shown.add(marker)
                if self.who not in roles and not (
                    name in OWNER_PICKERS and marker in PEOPLE and KIND.get(self.who) == "manager"
                ):
                    self.failures.append(f"{method} {path} ({name}) as {self.who}: shows {marker}, out of scope")
        big = BIG_MONEY.findall(text)
        if big:
            self.big_money_seen = True
            shown.add("BIG")
            if self.who in SMALL_WORLD:
                self.failures.append(
                    f"{method} {path} ({name}) as {self.who}: shows {big[:3]}, another team's figures (or a total of them)"
                )

    def request(self, client, method, name, path, expected, refused_field=None, **extra):
        try:
            response = getattr(client, method)(path, **extra)
        except Exception as error:  # a 500: the test client re-raises the view's exception
            self.count += 1
            self.failures.append(f"{method.upper()} {path} ({name}) as {self.who}: raised {error!r}")
            return None
        self.check(method.upper(), name, path, response, expected, refused_field)
        return response


LAST = ("set_language", "logout")  # they change the session: run them at the end


#: What a role that may see them must find in these responses (another team's marker, "BIG": its
#: figures), so that their absence for rep, rep_peer and manager means something: lists, exports, totals.
#: admin unless told (the admin's dashboard has no figures).
MUST_SEE = {
    "partners:dealer-list": "LEAK-D1",
    "partners:dealer-export": "LEAK-D1",
    "partners:agreement-list": "LEAK-D1",
    "visits:visit-list": "LEAK-VISIT",
    "visits:visit-export": "LEAK-VISIT",
    "visits:compliance-export": "刘洋",  # other_rep's row
    "visit-list": "LEAK-VISIT",
    "attachment-list": "LEAK-PHOTO",
    "kpi:sales-list": "LEAK-SALE",
    "kpi:fact-export": "LEAK-SALE",
    "sale-list": "LEAK-SALE",
    "kpi:collection-list": "BIG",
    "kpi:expense-list": "BIG",
    "kpi:target-list": "BIG",
    "commission-statement-list": "LEAK-PAY",
    "commission-statement-export": "LEAK-PAY",
    "commissions:payout-export": "LEAK-PAY",
    "commissions:statement-list": "BIG",
    "dispute-list": "LEAK-DISPUTE",
    "commissions:dispute-list": "BIG",
    "dashboard": ("other_manager", "刘洋"),  # his team's sales against target, by rep
    "kpi:measures": "BIG",
    "kpi:measures-export": "BIG",
    "funds:request-list": "LEAK-FUND",
    "funds:budget-list": "BIG",
    "funds:summary": "BIG",
    "funds:deposit-list": "LEAK-D1",
    "funds:material-list": "LEAK-D1",
    "rebates:settlement-list": "BIG",  # other_rep's settlement and the total that holds it
    "inventory:health": "LEAK-D1",  # other_rep's dealer's stock report of 2026-10
    "stock-report-list": "LEAK-D1",
    "stock-report-export": "LEAK-D1",
    "stock-health-list": "LEAK-D1",
    "rebates:program-detail": "LEAK-D1",  # other_rep's agreement naming the program
    "rebate-settlement-list": "LEAK-D1",
}


def run_matrix(who, world, everyone, names=None) -> Cells:
    """Ask every row of the matrix (or those ``names``) as ``who``; the failing cells are in the result."""
    client = Client()
    client.force_login(everyone[who])
    patterns = resolver_urls()
    cells = Cells(who)
    names = list(MATRIX) if names is None else names
    order = [name for name in names if name not in LAST] + [name for name in LAST if name in names]

    for name in order:
        entry = MATRIX[name]
        pk = the_object(world, entry.obj).pk if entry.obj else None
        path = path_for(name, patterns[name], pk) if name in patterns else name
        if entry.query:
            path = f"{path}?{entry.query}"
        if entry.read is not None:
            cells.request(client, "get", name, path, expected_read(who, name, entry, world["settled"]))
        else:  # a POST-only URL: a GET may be refused (405, 403, 404, a redirect) but never fail
            cells.request(client, "get", name, path, {200, 302, 403, 404, 405})

    for name in order:
        entry = MATRIX[name]
        if entry.write is None:
            continue
        pk = the_object(world, entry.obj).pk if entry.obj else None
        path = path_for(name, patterns[name], pk)
        data = entry.body(world, everyone) if entry.body else {}
        expected = expected_write(who, entry, world["settled"])
        refused_field = entry.reference[0] if expected == FORBIDDEN | {400} else None
        if not path.startswith("/api/"):  # a page: an empty form (the role is checked before the form)
            cells.request(client, entry.method, name, path, expected)
        elif entry.multipart:
            cells.request(client, entry.method, name, path, expected, data=data)
        else:
            cells.request(
                client, entry.method, name, path, expected, refused_field, data=data, content_type="application/json"
            )

    return cells


@pytest.mark.parametrize("who", ROLES)
def test_matrix(who, any_world, everyone):
    cells = run_matrix(who, any_world, everyone)
    if who == "admin":  # the markers do catch what they look for
        expected_seen = {marker for marker, roles in MARKERS.items() if "admin" in roles}
        assert expected_seen <= cells.seen, f"markers never shown to admin: {expected_seen - cells.seen}"
    must = {name: what if isinstance(what, tuple) else ("admin", what) for name, what in MUST_SEE.items()}
    missing = {
        name: what for name, (role, what) in must.items() if role == who and what not in cells.shown.get(name, ())
    }
    assert not missing, (
        f"{who} does not see another team's rows or figures in {missing}: the checks prove nothing there"
    )
    assert not cells.failures, f"{len(cells.failures)} of {cells.count} cells fail for {who}:\n" + "\n".join(
        cells.failures
    )


# --- the admin site ---------------------------------------------------------------------------------------


def admin_paths(world) -> list[tuple[str, str, bool]]:
    """(name, path, must be 200 for a superuser) for every model view of the admin site."""
    paths = []
    for label, model in sorted(admin_model_names().items()):
        obj = model._default_manager.order_by("pk").first()
        for view in ADMIN_VIEWS:
            name = f"admin:{label}_{view}"
            if view in ("changelist", "add"):
                paths.append((name, reverse(name), view == "changelist"))
            elif obj is not None:
                paths.append((name, reverse(name, args=[obj.pk]), view == "change"))
    for name, args in sorted(ADMIN_EXTRA.items()):
        if args == "object":
            model = admin_model_names()[name[len("admin:") :].rsplit("_", 2)[0]]
            paths.append((name, reverse(name, args=[model._default_manager.order_by("pk").first().pk]), True))
        elif args == ():
            paths.append((name, reverse(name), False))
    for name in sorted(ADMIN_PAGES):
        with contextlib.suppress(NoReverseMatch):  # view_on_site, app_list need arguments: not requested
            paths.append((name, reverse(name), name == "admin:index"))
    return paths


@pytest.mark.parametrize("who", ROLES)
def test_admin_site(who, world, everyone):
    client = Client()
    client.force_login(everyone[who])
    failures = []
    for name, path, must_show in admin_paths(world):
        if name in ("admin:logout", "admin:login"):
            continue
        try:
            response = client.get(path)
        except Exception as error:
            failures.append(f"GET {path} ({name}) as {who}: raised {error!r}")
            continue
        if who == "admin":
            ok = response.status_code == 200 if must_show else response.status_code in (200, 302, 403, 405)
        else:
            location = response.get("Location", "")
            ok = response.status_code == 403 or (response.status_code == 302 and "/admin/login/" in location)
        if not ok:
            failures.append(f"GET {path} ({name}) as {who}: {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)


def test_the_matrix_catches_a_leak(world, everyone, monkeypatch):
    """With the sales rule broken (everyone sees every sale), the matrix reports other_rep's sale —
    by its marker and by its figure — in the lists and totals rep gets."""
    monkeypatch.setitem(scoping._RULES, "kpi.salesrecord", lambda user, queryset: queryset)
    cells = run_matrix("rep", world, everyone, names=["kpi:sales-list", "sale-list"])
    report = "\n".join(cells.failures)
    for name in ("kpi:sales-list", "sale-list"):
        assert f"({name}) as rep: shows LEAK-SALE" in report
    assert "(sale-list) as rep: shows ['987654.32']" in report
