"""The authorization matrix (SPEC §2): every URL name of the resolver → what its ``<pk>`` stands for and
which roles may read it and act on it. ``tests/authz/test_matrix.py`` asks every role for every row.

An ``Entry`` says:

* ``obj`` — the kind of ``rep``'s object the ``<pk>`` is (a key of ``world["mine"]`` or, with the
  ``ref:`` prefix, of ``world["reference"]``); ``None`` for a URL without a primary key.
* ``read`` — the roles that GET it with success (200; 302 for action pages whose state refuses the
  action now); ``None``: GET is not exercised (POST-only endpoints). A role that may *see* the object
  (``world.SEES_REPS_OBJECT``) but not read this page gets 403 or 404; a role that may not see it, 404.
* ``write`` — the roles whose POST (or ``method``) reaches the business rules: any of 200, 201, 204,
  302, 400 or 409 — never 403, 404 or 500. Others get 403 or 404; 404 for a role out of scope when a
  role of its kind could act on an object in its scope (``write`` holds a role of the same kind).
  ``None``: no write is exercised.

Roles: ``rep``, ``rep_peer`` (another rep of the same manager), ``other_rep`` (rep of another manager),
``manager`` (rep's manager), ``other_manager``, ``finance``, ``admin``, ``inspector`` (group inspector, covering
``manager``'s territory: rep's dealer read-only, its own inspections, nothing else of other apps).

A URL added to the project without a row here fails ``test_every_url_has_a_row``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.world import PAID_MONTH
from tests.evidence.files import pdf_bytes, photo
from tests.partners.world import FULL_REVIEW

EVERYONE = frozenset({"rep", "rep_peer", "other_rep", "manager", "other_manager", "finance", "admin", "inspector"})


def roles(spec: str) -> frozenset[str]:
    """``roles("rep manager")``; the groups ``reps``, ``managers`` and ``all`` expand."""
    groups = {
        "reps": {"rep", "rep_peer", "other_rep"},
        "managers": {"manager", "other_manager"},
        "all": EVERYONE,
        # everyone but the inspector, whom the pages of other apps refuse (403) rather than show empty
        "channel": EVERYONE - {"inspector"},
    }
    found: set[str] = set()
    for word in spec.split():
        found |= groups.get(word, {word})
    unknown = found - EVERYONE
    assert not unknown, f"unknown roles {unknown}"
    return frozenset(found)


@dataclass(frozen=True)
class Entry:
    obj: str | None = None
    read: frozenset[str] | None = None
    write: frozenset[str] | None = None
    method: str = "post"
    #: GET of an action page: 302 (back to the object, with the refusal) is a success too.
    action: bool = False
    #: ``body(world, people)`` → the write's data, valid enough that the role check — not the input
    #: validation — decides (API; pages post an empty form: they check the role before the form).
    body: Callable[[dict, dict], dict] | None = None
    #: send ``body`` as a multipart form (file uploads) rather than JSON
    multipart: bool = False
    #: a query string for the GET (``period=2026-10``)
    query: str = ""
    #: roles allowed the action in principle that the app refuses with 403 (not 409) once the state
    #: forbids it (``world.settle``): the permission rule itself reads the state. Not a leak — they see
    #: the object — but a deviation from "403 for the role, 409 for the state", kept visible here.
    state_403: frozenset[str] = frozenset()
    #: ``(fields, kind)``: the body names ``rep``'s object of ``kind`` (in one of the space-separated
    #: ``fields``). A role that may not see it may be told so as for an unknown ID: a 400 on those fields.
    reference: tuple[str, str] | None = None


def _maybe(spec: str | None) -> frozenset[str] | None:
    return None if spec is None else roles(spec)


def page(obj=None, read="all", write=None, **kw) -> Entry:
    return Entry(obj=obj, read=_maybe(read), write=_maybe(write), **kw)


def form(obj=None, who="all", **kw) -> Entry:
    """A page whose GET shows a form and whose POST submits it: the same roles do both. An edit form
    (with ``obj``) redirects back with a message when the object's state no longer allows changes."""
    return Entry(obj=obj, read=roles(who), write=roles(who), action=obj is not None or kw.pop("action", False), **kw)


def action(obj, who, **kw) -> Entry:
    """An action page of a detail page (GET: its form or a redirect with the refusal; POST: run it)."""
    return Entry(obj=obj, read=roles(who), write=roles(who), action=True, **kw)


def api_read(obj=None, read="all", write=None, method="post", **kw) -> Entry:
    return Entry(obj=obj, read=_maybe(read), write=_maybe(write), method=method, **kw)


def api_action(obj, who, **kw) -> Entry:
    """A POST-only endpoint (DRF ``@action``)."""
    return Entry(obj=obj, read=None, write=roles(who), **kw)


def mine(kind: str, field: str = "pk"):
    """A body value: ``rep``'s object of ``kind`` (its ``field``)."""
    return lambda world, people: getattr(world["mine"][kind], field)


def body(**values) -> Callable[[dict, dict], dict]:
    """``body(dealer=mine("dealer"), amount="1.00")`` → a body builder; callables get (world, people)."""

    def build(world, people):
        return {key: value(world, people) if callable(value) else value for key, value in values.items()}

    return build


def _empty_import(world, people):
    upload = SimpleUploadedFile("sales.csv", b"reference,date,dealer_code,amount\n", content_type="text/csv")
    return {"kind": "sales", "file": upload, "dry_run": "true"}


def _photo_upload(world, people):
    """A photo other than the one the visit has (so that rep's POST makes one: 201)."""
    return {"file": photo("new.jpg", colour=(90, 90, 90)), "kind": "photo"}


def _document(world, people):
    """A valid PDF (a business licence): the role and the state decide, not the file."""
    return {"file": SimpleUploadedFile("营业执照.pdf", pdf_bytes(), content_type="application/pdf")}


def _empty_budget_import(world, people):
    upload = SimpleUploadedFile("budgets.csv", b"territory,category,year,quarter,amount,max_cost_ratio\n")
    return {"file": upload, "dry_run": "true"}


def _empty_stock_import(world, people):
    upload = SimpleUploadedFile("stock.csv", b"dealer,period,product_line,opening_qty,closing_qty\n")
    return {"file": upload, "dry_run": "true"}


def _stock_figures(**extra):
    """A balanced stock line (10 + 5 − 3 = 12 units at 10.00) of rep's dealer for 2026-09 (before the world's
    2026-10 report, which opens with 10: September may close with anything it likes below… so 10)."""
    figures = {
        "opening_qty": "10", "received_qty": "5", "sold_qty": "5", "adjustment_qty": "0", "closing_qty": "10",
        "opening_amount": "100.00", "received_amount": "50.00", "sold_amount": "50.00", "adjustment_amount": "0",
        "closing_amount": "100.00",
    }  # fmt: skip
    return body(**figures, **extra)


SEE = "rep manager finance admin"  # who sees rep's dealers, facts, targets, scorecards, statements
SEE_VISITS = "rep manager admin"
SEE_DEALER = "rep manager finance admin inspector"  # rep's dealer: the inspector reads it too (SPEC §17)
#: rep's dealer's inspection (the inspector's own), its results and rectification
SEE_INSPECTION = "rep manager finance admin inspector"
SEE_COMPLAINT = "rep manager finance admin"
#: the planned mystery inspection of rep's dealer: never rep
SEE_MYSTERY = "manager finance admin inspector"
INSPECTORS = "managers inspector admin"  # who plans and samples (SPEC §17)

MATRIX: dict[str, Entry] = {
    # --- frame --------------------------------------------------------------------------------------
    "dashboard": page(),
    "healthz": page(),
    "login": page(),  # a logged-in user is sent on (302); a POST re-shows the form
    "logout": page(read=None, write="all"),  # exercised last: it ends the session
    "password_change": form(),
    "password_change_done": page(),
    # a forgotten password (public, and answered alike for everyone): the form, "check your e-mail", the
    # link's page (an unknown link: "not valid any more", 200 — its POST too) and "password set"
    "password_reset": form(),
    "password_reset_done": page(),
    "password_reset_confirm": form(),
    "password_reset_complete": page(),
    "set_language": page(read=None, write="all"),
    "notifications:list": page(),
    "notifications:mark-read": page(read=None, write="all"),
    "notifications:open": page(obj="notification", read="rep", action=True),  # opens: 302 to its link
    # --- API frame -----------------------------------------------------------------------------------
    "api-root": api_read(),
    "auth-token": api_read(read=None, write="all"),
    "schema": api_read(),
    "swagger-ui": api_read(),
    "user-list": api_read(),
    "user-me": api_read(),
    "user-detail": api_read(obj="user", read=SEE),
    # --- partners: API ----------------------------------------------------------------------------------
    "territory-list": api_read(write="admin"),
    "territory-detail": api_read(obj="ref:territory", write="admin", method="patch"),
    "product-line-list": api_read(),
    "product-line-detail": api_read(obj="ref:product_line"),
    "dealer-list": api_read(
        write="manager admin",
        reference=("owner territory", "user"),  # other_manager: not his rep, not his territory
        body=body(
            code="NEW-D", name="新经销商", territory=lambda w, p: w["reference"]["territory"].pk, owner=mine("user")
        ),
    ),
    "dealer-detail": api_read(obj="dealer", read=SEE_DEALER, write="rep manager admin", method="patch"),
    # an inspector reads the dealer (a directory entry) and gets its reviews through their own scope: none
    "dealer-reviews": api_read(obj="dealer", read=SEE + " inspector"),
    "dealer-submit-review": api_action("dealer", "manager admin", body=body(items=FULL_REVIEW)),
    "dealer-approve-qualification": api_action("dealer", "finance admin", body=body(credit_limit="1000.00")),
    "dealer-reject-qualification": api_action("dealer", "finance admin", body=body(reason="不合格")),
    "dealer-suspend": api_action("dealer", "manager admin"),
    "dealer-reactivate": api_action("dealer", "manager admin"),
    "dealer-terminate": api_action("dealer", "manager admin"),
    "agreement-list": api_read(
        write="manager admin",
        reference=("dealer", "dealer"),
        body=body(
            dealer=mine("dealer"),
            territory=lambda w, p: w["reference"]["territory"].pk,
            start_date="2028-01-01",
            end_date="2028-12-31",
            product_lines=["kitchen"],
        ),
    ),
    "agreement-detail": api_read(obj="agreement", read=SEE, write="manager admin", method="patch"),
    "agreement-submit": api_action("agreement", "manager admin"),
    "agreement-sign": api_action("agreement", "manager admin"),
    "agreement-terminate": api_action("agreement", "manager admin"),
    "agreement-renew": api_action("agreement", "manager admin"),
    "agreement-confirm-deposit": api_action("agreement", "finance admin", body=body(received_on="2026-11-02")),
    # documents (issue 16): the dealer's manager and admins; finance too on a review; reps read them
    "agreement-attachments": api_action("agreement", "manager admin", body=_document, multipart=True),
    "qualification-review-list": api_read(),
    "qualification-review-detail": api_read(obj="review", read=SEE),
    "qualification-review-attachments": api_action("review", "manager finance admin", body=_document, multipart=True),
    # --- partners: pages -------------------------------------------------------------------------------
    "partners:dealer-list": page(),
    "partners:dealer-create": form(who="managers admin"),
    "partners:dealer-detail": page(obj="dealer", read=SEE_DEALER),
    "partners:dealer-edit": form(obj="dealer", who="rep manager admin"),
    "partners:agreement-create": form(obj="dealer", who="manager admin"),
    "partners:dealer-submit-review": action("dealer", "manager admin"),
    "partners:dealer-approve-qualification": action("dealer", "finance admin"),
    "partners:dealer-reject-qualification": action("dealer", "finance admin"),
    "partners:dealer-suspend": action("dealer", "manager admin"),
    "partners:dealer-reactivate": action("dealer", "manager admin"),
    "partners:dealer-terminate": action("dealer", "manager admin"),
    "partners:agreement-list": page(),
    "partners:agreement-detail": page(obj="agreement", read=SEE),
    "partners:agreement-edit": form(obj="agreement", who="manager admin"),
    "partners:agreement-submit": action("agreement", "manager admin"),
    "partners:agreement-sign": action("agreement", "manager admin"),
    "partners:agreement-terminate": action("agreement", "manager admin"),
    "partners:agreement-renew": action("agreement", "manager admin"),
    "partners:agreement-confirm-deposit": action("agreement", "finance admin"),
    "partners:review-documents": page(obj="review", read=None, write="manager finance admin"),
    "partners:agreement-documents": page(obj="agreement", read=None, write="manager admin"),
    "partners:dealer-import": form(who="managers admin"),
    "partners:dealer-import-template": page(read="managers admin", query="format=xlsx"),
    "partners:dealer-export": page(),
    # --- visits: API -----------------------------------------------------------------------------------
    "visit-plan-list": api_read(write="reps"),  # finance: an empty list
    "visit-plan-detail": api_read(obj="plan", read=SEE_VISITS, write="rep", method="patch"),
    "visit-plan-submit": api_action("plan", "rep"),
    "visit-plan-approve": api_action("plan", "manager admin"),
    "visit-plan-approve-many": api_action(
        None, "managers admin", body=body(ids=lambda world, people: [world["mine"]["plan"].pk])
    ),
    "visit-plan-return-": api_action("plan", "manager admin", body=body(comment="请补充")),
    "visit-list": api_read(write="reps"),  # finance: an empty list
    "visit-detail": api_read(obj="visit", read=SEE_VISITS, write="rep", method="patch"),
    "visit-confirm": api_action("visit", "manager admin"),
    "visit-confirm-many": api_action(
        None, "managers admin", body=body(ids=lambda world, people: [world["mine"]["visit"].pk])
    ),
    "visit-mark-false": api_action("visit", "manager admin"),
    "visit-mark-fabricated": api_action("visit", "manager admin"),
    "visit-compliance": api_read(read="reps managers admin"),
    # a visit's photos (SPEC §13): its rep adds them while the visit may change (else 409)
    "visit-photos": api_action("visit", "rep", body=_photo_upload, multipart=True),
    "visit-attachments": api_action("visit", "rep", body=_photo_upload, multipart=True),
    # --- evidence: API (an attachment is visible iff its object is) -------------------------------------
    "attachment-list": api_read(),  # finance: an empty list (no visits)
    "attachment-detail": api_read(obj="attachment", read=SEE_VISITS),
    "attachment-download": api_read(obj="attachment", read=SEE_VISITS),
    "attachment-copy": api_read(obj="attachment", read=SEE_VISITS),
    "attachment-thumbnail": api_read(obj="attachment", read=SEE_VISITS),
    # --- visits: pages ---------------------------------------------------------------------------------
    "visits:visit-list": page(read="reps managers admin"),
    "visits:visit-export": page(read="reps managers admin", query="format=xlsx"),
    "visits:visit-create": form(who="reps"),
    "visits:review": page(read="managers admin"),
    "visits:review-confirm": page(read=None, write="managers admin"),
    "visits:compliance": page(read="reps managers admin"),
    "visits:compliance-export": page(read="reps managers admin", query="format=xlsx"),
    "visits:visit-detail": page(obj="visit", read=SEE_VISITS),
    "visits:visit-edit": form(obj="visit", who="rep"),
    "visits:visit-photos": action("visit", "rep"),
    "visits:visit-confirm": action("visit", "manager admin"),
    "visits:visit-mark-false": action("visit", "manager admin"),
    "visits:visit-mark-fabricated": action("visit", "manager admin"),
    "visits:plan-list": page(read="reps managers admin"),
    "visits:my-plan": form(who="reps", action=True),  # → the week's plan when it can no longer change
    "visits:plan-detail": page(obj="plan", read=SEE_VISITS),
    "visits:plan-submit": action("plan", "rep", state_403=roles("rep")),  # policies.can_edit_plan reads the status
    "visits:plan-approve": action("plan", "manager admin"),
    "visits:plan-approve-many": page(read=None, write="managers admin"),
    "visits:plan-return": action("plan", "manager admin"),
    # --- KPI facts ----------------------------------------------------------------------------------------
    "sale-list": api_read(
        write="finance admin", body=body(reference="NEW-1", date="2026-11-10", dealer=mine("dealer"), amount="10.00")
    ),
    "sale-detail": api_read(obj="sale", read=SEE),
    "collection-list": api_read(write="finance admin"),
    "collection-detail": api_read(obj="collection", read=SEE),
    "expense-list": api_read(write="finance admin"),
    "expense-detail": api_read(obj="expense", read=SEE),
    "fact-import": api_read(read=None, write="finance admin", body=_empty_import, multipart=True),
    "period-list": api_read(),
    "period-detail": api_read(obj="ref:period"),
    "period-close": api_action("ref:period", "finance admin"),
    "kpi:sales-list": page(read="channel"),
    "kpi:collection-list": page(read="channel"),
    "kpi:expense-list": page(read="channel"),
    "kpi:fact-export": page(read="channel", query="format=xlsx"),  # <kind>: sales
    "kpi:fact-create": form(who="finance admin"),
    "kpi:import": form(who="finance admin"),
    "kpi:import-template": page(read="finance admin", query="kind=sales&format=xlsx"),
    "kpi:conflicts": page(read="channel"),
    # --- KPI targets ------------------------------------------------------------------------------------
    "target-list": api_read(
        write="rep manager admin",
        reference=("rep", "user"),
        body=body(rep=mine("user"), period="2027-02", sales_target="100.00"),
    ),
    "target-spread": api_action(
        None,
        "rep manager admin",
        reference=("rep", "user"),
        body=body(rep=mine("user"), year=2028, sales_target="1200.00", distribution="even"),
    ),
    "target-detail": api_read(obj="target", read=SEE, write="rep manager admin", method="patch"),
    "target-acknowledge": api_action("target", "rep"),
    "target-approve": api_action("target", "manager admin"),
    "kpi:target-list": page(),
    "kpi:target-create": form(who="reps managers admin"),
    "kpi:target-annual": form(who="reps managers admin"),
    "kpi:target-detail": page(obj="target", read=SEE),
    "kpi:target-edit": form(obj="target", who="rep manager admin"),
    "kpi:target-approve": action("target", "manager admin"),
    "kpi:target-acknowledge": action("target", "rep"),
    # --- KPI scorecards ---------------------------------------------------------------------------------
    "scorecard-list": api_read(),
    "scorecard-compute": api_action(
        None,
        "manager admin",
        body=body(rep=mine("user"), period="2026-11", template=lambda w, p: w["mine"]["scorecard"].template.code),
    ),
    "scorecard-detail": api_read(obj="scorecard", read=SEE),
    "scorecard-confirm": api_action("scorecard", "manager admin"),
    "scorecard-self-evaluate": api_action("scorecard", "rep", body=body(lines=[{"id": 1, "self_score": "50.00"}])),
    "kpi:scorecard-list": page(),
    "kpi:scorecard-compute": form(who="managers admin"),
    "kpi:scorecard-detail": page(obj="scorecard", read=SEE),
    "kpi:scorecard-recompute": page(obj="scorecard", read=None, write="manager admin"),
    "kpi:scorecard-self-evaluate": action("scorecard", "rep"),
    "kpi:scorecard-confirm": action("scorecard", "manager admin"),
    "kpi:measures": page(),
    "kpi:measures-export": page(query="format=xlsx"),
    # --- KPI runs and periods -------------------------------------------------------------------------------
    "commission-run-list": api_read(write="managers finance admin", body=body(period="2026-11")),  # reps: an empty list
    "commission-run-year-end": api_action(None, "finance admin", body=body(year=2026)),
    "commission-run-detail": api_read(obj="ref:run", read="managers finance admin"),
    "commissions:run-list": page(read="managers finance admin"),
    "commissions:run-create": form(who="managers finance admin"),
    "commissions:run-year-end": form(who="finance admin"),
    "commissions:run-detail": page(obj="ref:run", read="managers finance admin"),
    "commissions:period-list": page(),
    "commissions:period-close": form(obj="ref:period", who="finance admin"),
    # --- KPI statements and disputes -----------------------------------------------------------------------
    "commission-statement-list": api_read(),
    "commission-statement-export": api_read(read="finance admin", query=f"period={PAID_MONTH}&format=csv"),
    "commission-statement-detail": api_read(obj="statement", read=SEE),
    "commission-statement-submit": api_action("statement", "manager admin"),
    "commission-statement-approve": api_action("statement", "finance admin"),
    "commission-statement-approve-many": api_action(
        None, "finance admin", body=body(ids=lambda world, people: [world["mine"]["statement"].pk])
    ),
    "commission-statement-reject": api_action("statement", "finance admin"),
    "commission-statement-reopen": api_action("statement", "manager admin"),
    "commission-statement-mark-paid": api_action("statement", "finance admin"),
    "commission-statement-mark-paid-batch": api_action(
        None, "finance admin", body=body(period=PAID_MONTH, payment_reference="BATCH-1", paid_on="2026-11-30")
    ),
    "dispute-list": api_read(
        write="rep",
        reference=("line", "statement"),
        body=body(line=mine("line"), expected_amount="1.00", justification="不对"),
    ),
    "dispute-detail": api_read(obj="dispute", read=SEE),
    "dispute-accept": api_action("dispute", "manager admin"),
    "dispute-reject": api_action("dispute", "manager admin"),
    "commission-plan-list": api_read(write="admin"),
    "commission-plan-detail": api_read(obj="ref:plan", write="admin", method="patch"),
    "commissions:statement-list": page(read="channel"),
    "commissions:approval-queue": page(read="finance admin"),
    "commissions:statement-approve-many": page(read=None, write="finance admin"),
    "commissions:payout-export": page(read="finance admin", query=f"period={PAID_MONTH}&format=xlsx"),
    "commissions:payout-mark-paid": page(read=None, write="finance admin"),
    "commissions:statement-detail": page(obj="statement", read=SEE),
    "commissions:statement-submit": action("statement", "manager admin"),
    "commissions:statement-approve": action("statement", "finance admin"),
    "commissions:statement-reject": action("statement", "finance admin"),
    "commissions:statement-reopen": action("statement", "manager admin"),
    "commissions:statement-mark-paid": action("statement", "finance admin"),
    "commissions:dispute-create": form(
        obj="line", who="rep", state_403=roles("rep")
    ),  # disputes.can_open reads the status
    "commissions:dispute-list": page(read="channel"),
    "commissions:dispute-accept": action("dispute", "manager admin"),
    "commissions:dispute-reject": action("dispute", "manager admin"),
    # --- funds: request pages (funds/views/requests.py) ---------------------------------------------------
    "funds:request-list": page(),
    "funds:request-create": form(who="reps managers admin"),
    "funds:request-detail": page(obj="fund_request", read=SEE),
    "funds:request-edit": form(obj="fund_request", who="rep manager admin"),  # a draft only: else back, told
    # POST-only actions (a GET goes back to the request): the role is checked first (403); the step, the
    # state and segregation of duties answer with a message and a redirect
    "funds:request-submit": action("fund_request", "rep manager admin"),
    "funds:request-approve": action("fund_request", "manager finance admin"),
    "funds:request-reject": action("fund_request", "manager finance admin"),
    "funds:request-cancel": action("fund_request", "rep manager finance admin"),
    "funds:claim-create": action("fund_request", "rep manager admin"),
    "funds:claim-evidence": action("claim", "rep manager admin"),
    "funds:claim-check": action("claim", "manager admin"),
    "funds:claim-settle": action("claim", "finance admin"),
    "funds:approvals": page(read="managers finance admin"),
    # --- channel funds: budgets, deposits, materials pages (SPEC §14) -----------------------------------
    "funds:budget-list": page(read="managers finance admin"),  # a manager: their territories' budgets
    "funds:budget-create": form(who="finance admin"),
    "funds:budget-edit": form(obj="ref:budget", who="finance admin"),
    "funds:budget-import": form(who="finance admin"),
    "funds:summary": page(read="managers finance admin"),
    "funds:deposit-list": page(read="channel"),  # reps: their own dealers' deposits
    "funds:deposit-detail": page(obj="dealer", read=SEE),
    "funds:deposit-deduct": form(obj="dealer", who="finance admin"),
    # the decision before the proposal: an admin who proposed a refund may not decide it (403)
    "funds:deposit-refund-decide": action("dealer", "finance admin"),  # nothing proposed: back, 302
    "funds:deposit-refund": action("dealer", "manager admin"),  # not terminated: 302 / 409; settled: proposes
    "funds:material-list": page(read="channel"),
    "funds:material-create": form(who="managers finance admin"),
    "funds:material-issue": form(who="managers admin"),
    "funds:material-count": form(who="reps managers admin"),
    # --- funds: API (SPEC §14; objects of tests/authz/funds_world.py) ------------------------------------
    "fund-budget-list": api_read(
        write="finance admin",
        body=body(
            category="training",
            territory=lambda w, p: w["reference"]["territory"].pk,
            year=2026,
            amount="100.00",
            max_cost_ratio="5.00",
        ),
    ),
    # the CN budget: every manager sees it (it lies above their territories), reps none
    "fund-budget-detail": api_read(
        obj="ref:fund_budget",
        read="managers finance admin",
        write="finance admin",
        method="patch",
        body=body(amount="50000.00"),
    ),
    "fund-budget-import": api_read(read=None, write="finance admin", body=_empty_budget_import, multipart=True),
    "fund-request-list": api_read(
        write="rep manager admin",  # rep's dealer is not active: a 400 on dealer for them
        reference=("dealer", "dealer"),
        body=body(
            dealer=mine("dealer"),
            category="promotion",
            title="促销",
            start_date="2026-03-01",
            end_date="2026-03-31",
            requested_amount="10.00",
            expected_sales="1000.00",
        ),
    ),
    # rep's request is submitted; the rows run in this order for each role (reject before approve, so that
    # the manager's approval does not make the next step finance's before his reject)
    "fund-request-detail": api_read(obj="fund_request", read=SEE, write="rep manager admin", method="patch"),
    "fund-request-submit": api_action("fund_request", "rep manager admin"),
    "fund-request-reject": api_action("fund_request", "manager admin", body=body(reason="不符合")),
    "fund-request-approve": api_action("fund_request", "manager admin"),
    "fund-request-cancel": api_action("fund_request", "rep manager admin"),
    "fund-request-claim": api_action(
        "fund_request", "rep manager admin", body=body(actual_amount="1.00", actual_sales="1.00")
    ),
    # rep's claim is open; settle runs before check (whoever checks may not settle it)
    "fund-claim-list": api_read(),
    "fund-claim-detail": api_read(obj="fund_claim", read=SEE),
    "fund-claim-attachments": api_action("fund_claim", "rep manager admin", body=_photo_upload, multipart=True),
    "fund-claim-settle": api_action("fund_claim", "finance admin"),
    "fund-claim-check": api_action("fund_claim", "manager admin", body=body(met=False, reason="无发票")),
    "deposit-list": api_read(),
    "deposit-detail": api_read(obj="dealer", read=SEE),
    "deposit-deduct": api_action("dealer", "finance admin", body=body(amount="1.00", reason="罚款")),
    "deposit-refund": api_action("dealer", "manager admin", body=body(reason="清退")),
    "material-list": api_read(
        write="managers finance admin", body=body(code="STAND", name="展架", unit="个", unit_cost="80.00")
    ),
    "material-detail": api_read(
        obj="ref:material", write="managers finance admin", method="patch", body=body(unit_cost="3.00")
    ),
    "material-issue-list": api_read(
        write="manager admin",
        reference=("dealer", "dealer"),
        body=body(
            dealer=mine("dealer"),
            material=lambda w, p: w["reference"]["material"].pk,
            quantity="5",
            date="2026-11-02",
        ),
    ),
    "material-count-list": api_read(
        write="rep manager admin",
        reference=("dealer", "dealer"),
        body=body(
            dealer=mine("dealer"),
            material=lambda w, p: w["reference"]["material"].pk,
            date="2026-11-03",
            counted_quantity="1",
            used_quantity="0",
        ),
    ),
    # --- stock: pages (inventory/views; objects of tests/authz/inventory_world.py) ---------------------------
    "inventory:health": page(read="channel"),
    "inventory:month": page(obj="dealer", read=SEE),  # <pk>: the dealer's, <period>: 2026-10
    "inventory:report-form": form(obj="dealer", who="rep admin"),
    "inventory:month-confirm": action("dealer", "manager admin"),
    "inventory:month-return": action("dealer", "manager admin"),
    "inventory:report-choose": page(read="reps admin", action=True),  # a redirect to the form (or back)
    "inventory:pareto": page(read="channel"),
    "inventory:coverage": page(read="channel"),
    "inventory:import": form(who="reps admin"),
    # --- stock: API (SPEC §16) -----------------------------------------------------------------------------
    "stock-report-list": api_read(
        write="rep admin",
        reference=("dealer", "dealer"),
        body=_stock_figures(
            dealer=mine("dealer"), period="2026-09", product_line=lambda w, p: w["reference"]["product_line"].pk
        ),
    ),
    "stock-report-detail": api_read(
        obj="stock_report", read=SEE, write="rep admin", method="patch", body=body(adjustment_note="盘点")
    ),
    "stock-report-confirm": api_action("stock_report", "manager admin"),
    "stock-report-return-": api_action("stock_report", "manager admin", body=body(reason="期初不对")),
    "stock-report-import": api_read(read=None, write="reps admin", body=_empty_stock_import, multipart=True),
    "stock-report-export": api_read(query="file_format=csv"),
    "stock-health-list": api_read(query="period=2026-10"),
    "terminal-pareto": api_read(query="quarter=2026-Q3"),
    "terminal-pareto-run": api_read(read=None, write="managers admin", body=body(quarter="2026-Q3")),
    "coverage": api_read(query="period=2026-10"),
    # --- rebates: program, run and settlement pages (rebates/views; objects of tests/authz/rebates_world.py) -
    "rebates:program-list": page(read="channel"),
    "rebates:program-detail": page(obj="ref:rebate_program"),  # the agreements naming it: as far as one sees
    # runs cover every dealer: finance and admins only (the list 403, a run 404 to the others); a POST of the
    # list starts one (an empty form: 400)
    "rebates:run-list": page(read="finance admin", write="finance admin"),
    "rebates:run-detail": page(obj="ref:rebate_run", read="finance admin"),
    "rebates:run-progress": page(obj="ref:rebate_run", read="finance admin"),
    "rebates:settlement-list": page(read="channel"),
    "rebates:settlement-detail": page(obj="rebate_settlement", read=SEE),
    # POST-only actions (a GET goes back to the settlement): the role is checked first (403); the state (rep's
    # settlement is submitted: submit 302 with the refusal), segregation of duties and a missing reason or
    # payment reference (400) come after
    "rebates:settlement-submit": action("rebate_settlement", "manager admin"),
    "rebates:settlement-approve": action("rebate_settlement", "finance admin"),
    "rebates:settlement-reject": action("rebate_settlement", "finance admin"),
    "rebates:settlement-mark-paid": action("rebate_settlement", "finance admin"),
    # --- rebates: dealer account pages (rebates/views/accounts.py) ----------------------------------------
    "rebates:account": page(obj="dealer", read=SEE, query="period=2026-11"),  # <pk>: the dealer's
    # every role reads the aging of the dealers it sees (reps their own, managers their territories'); the
    # Excel file holds the same rows as the page (the matrix reads it for markers and big figures)
    "rebates:aging": page(read="channel", query="format=xlsx"),
    # --- rebates: API (SPEC §15; objects of tests/authz/rebates_world.py) ----------------------------------
    "dealer-account-detail": api_read(obj="dealer", read=SEE, query="period=2026-11"),
    "aging-list": api_read(read="channel"),
    # programs are reference data (everyone reads them); finance and admins set them up
    "rebate-program-list": api_read(
        write="finance admin",
        body=body(
            name="AUTHZ-NEW-PROGRAM",
            basis="sell_in",
            frequency="annual",
            tiers=[{"from_attainment": "0", "rate": "0"}, {"from_attainment": "100", "rate": "2"}],
            product_lines=["kitchen"],
        ),
    ),
    "rebate-program-detail": api_read(
        obj="ref:rebate_program", write="finance admin", method="patch", body=body(conflict_penalty="5.00")
    ),
    # runs cover every dealer: finance and admins only (others: an empty list, a run is a 404)
    "rebate-run-list": api_read(write="finance admin", body=body(period="2026-Q3")),
    "rebate-run-detail": api_read(obj="ref:rebate_run", read="finance admin"),
    # rep's settlement is submitted by the manager: submit is a 409 for whom may submit; reject runs before
    # approve (finance's reject makes it a draft again, its approve then a 409)
    "rebate-settlement-list": api_read(),
    "rebate-settlement-detail": api_read(obj="rebate_settlement", read=SEE),
    "rebate-settlement-submit": api_action("rebate_settlement", "manager admin"),
    "rebate-settlement-reject": api_action("rebate_settlement", "finance admin", body=body(reason="不符合")),
    "rebate-settlement-approve": api_action("rebate_settlement", "finance admin"),
    "rebate-settlement-mark-paid": api_action(
        "rebate_settlement", "finance admin", body=body(payment_reference="CN-2026-001")
    ),
    # --- inspections: pages (inspections/views; objects of tests/authz/inspections_world.py) ---------------------
    "inspections:inspection-list": page(),  # reps: their dealers' visible ones; the inspector: their own
    "inspections:plan": page(read=INSPECTORS),  # the user's planned inspections
    "inspections:inspection-create": form(who=INSPECTORS),
    "inspections:sample": form(who=INSPECTORS),
    "inspections:inspection-detail": page(obj="inspection", read=SEE_INSPECTION),
    # the planned mystery inspection: its inspector (or an admin) performs it; rep must not even find it
    "inspections:inspection-perform": action("mystery", "inspector admin"),
    "inspections:inspection-complete": action("mystery", "inspector admin"),  # unanswered items: refused
    "inspections:inspection-review": action("inspection", "manager admin"),  # never the inspector
    "inspections:rectification-list": page(),
    "inspections:rectification-detail": page(obj="rectification", read=SEE_INSPECTION),
    # verify and reopen before submit: whoever answered may not verify (an admin's submit would make it 403)
    "inspections:rectification-verify": action("rectification", "inspector manager admin"),
    "inspections:rectification-reopen": action("rectification", "inspector manager admin"),
    "inspections:rectification-submit": action("rectification", "rep admin"),
    "inspections:complaint-list": page(),  # the inspector: an empty list (no complaints)
    "inspections:complaint-create": form(who="reps managers admin"),
    "inspections:complaint-detail": page(obj="complaint", read=SEE_COMPLAINT),
    "inspections:complaint-respond": action("complaint", "rep manager admin"),
    "inspections:complaint-resolve": action("complaint", "rep manager admin"),
    # --- inspections: API (SPEC §17) ----------------------------------------------------------------------------
    "checklist-template-list": api_read(),
    "checklist-template-detail": api_read(obj="ref:checklist_template"),
    "inspection-list": api_read(
        write=INSPECTORS,  # rep's dealer is under review, not active: a 400 for whoever may plan
        reference=("dealer", "dealer"),
        body=body(dealer=mine("dealer"), template="display", kind="routine"),
    ),
    "inspection-sample": api_action(
        None,
        INSPECTORS,  # other_manager: not his territory, a 400 on it
        body=body(territory=lambda w, p: w["reference"]["territory"].pk, count=1, template="display"),
    ),
    # the detail is the planned mystery inspection's: rep gets 404, the others read its answered item
    "inspection-detail": api_read(obj="mystery", read=SEE_MYSTERY),
    "inspection-results": api_action(
        "mystery", "inspector admin", body=body(item="tidy", result="pass")
    ),  # another item than the one answered (MINE-MYSTERY)
    "inspection-complete": api_action("mystery", "inspector admin"),  # unanswered items: 400
    "inspection-review": api_action("inspection", "manager admin", body=body(note="已复核")),
    "inspection-result-detail": api_read(obj="inspection_result", read=SEE_INSPECTION),
    "inspection-result-attachments": api_action(
        "inspection_result", "inspector admin", body=_photo_upload, multipart=True
    ),  # a done inspection: 409
    "rectification-list": api_read(),
    "rectification-detail": api_read(obj="rectification", read=SEE_INSPECTION),
    "rectification-verify": api_action("rectification", "inspector manager admin", body=body(note="合格")),
    "rectification-reopen": api_action("rectification", "inspector manager admin", body=body(reason="未整改")),
    "rectification-attachments": api_action("rectification", "rep admin", body=_photo_upload, multipart=True),
    "rectification-submit": api_action("rectification", "rep admin", body=body(note="已整改")),
    "complaint-list": api_read(
        write="reps managers admin",
        reference=("dealer", "dealer"),
        body=body(dealer=mine("dealer"), source="consumer", category="quality", description="投诉"),
    ),
    "complaint-detail": api_read(obj="complaint", read=SEE_COMPLAINT),
    "complaint-attachments": api_action("complaint", "rep manager admin", body=_photo_upload, multipart=True),
    "complaint-respond": api_action("complaint", "rep manager admin", body=body(response="已联系")),
    "complaint-resolve": api_action("complaint", "rep manager admin", body=body(resolution="已解决")),
}

#: What each kind of ``world["mine"]`` object is, for SPEC §2's visibility (``world.SEES_REPS_OBJECT``).
VISIBILITY_OF = {
    "dealer": "dealer",
    "review": "dealer",
    "agreement": "agreement",
    "visit": "visit",
    "attachment": "attachment",
    "plan": "plan",
    "sale": "fact",
    "collection": "fact",
    "expense": "fact",
    "target": "target",
    "scorecard": "scorecard",
    "statement": "statement",
    "line": "statement",
    "dispute": "statement",
    "notification": "notification",
    "user": "user",
    "claim": "dealer",
    "ref:run": "run",
    "ref:budget": "budget",
    "ref:period": "reference",
    "ref:plan": "reference",
    "ref:territory": "reference",
    "ref:product_line": "reference",
    "fund_request": "dealer",
    "fund_claim": "dealer",
    "ref:fund_budget": "run",  # managers (both: it lies above their territories), finance, admins
    "ref:material": "reference",
    "rebate_settlement": "dealer",
    "rebate_accrual": "dealer",
    "ref:rebate_program": "reference",
    "ref:rebate_run": "finance_only",
    "stock_report": "dealer",
    "inspection": "inspection",
    "inspection_result": "inspection",
    "rectification": "inspection",
    "complaint": "complaint",
    "mystery": "mystery",
    "ref:checklist_template": "reference",
}

# --- Django admin ------------------------------------------------------------------------------------

#: The admin's own pages (not tied to a model).
ADMIN_PAGES = {
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:jsi18n",
    "admin:autocomplete",
    "admin:view_on_site",
    "admin:app_list",
}
ADMIN_VIEWS = ("changelist", "add", "change", "delete", "history")
#: Extra admin views (import/export, password, simple-history's version pages): name → its arguments,
#: ``()`` for none, ``"object"`` for the pk of the model's first row, ``None`` when a request needs more
#: than the matrix can cheaply build (a historical version's ID) — covered by the generic rule only.
ADMIN_EXTRA = {
    "admin:partners_dealer_import": (),
    "admin:partners_dealer_process_import": (),
    "admin:partners_dealer_export": (),
    "admin:kpi_salesrecord_import": (),
    "admin:kpi_collection_import": (),
    "admin:kpi_expense_import": (),
    "admin:funds_fundbudget_import": (),
    "admin:funds_fundbudget_process_import": (),
    "admin:funds_fundbudget_export": (),
    "admin:auth_user_password_change": "object",
    **{
        f"admin:{label}_simple_history": None
        for label in (
            "accounts_profile",
            "commissions_commissionplan",
            "funds_fundbudget",
            "funds_fundclaim",
            "funds_fundrequest",
            "kpi_scorecard",
            "kpi_scorecardtemplate",
            "kpi_target",
            "partners_agreement",
            "partners_dealer",
            "rebates_rebateprogram",
            "rebates_rebatesettlement",
            "visits_quota",
            "visits_visit",
            "visits_visitplan",
        )
    },
}
