"""Statement pages (SPEC §7): the list per role, a statement (figures, lines, links one click away,
only the buttons the user may take now, state log and history), the action pages, finance's approval
queue, and query counts that do not grow with the rows.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commissions.models import Statement
from commissions.services.disputes import dispute_open
from commissions.services.statements import statement_approve, statement_reject, statement_submit
from tests.commissions.statement_world import NEXT, PERIOD, line_of, make_statement, plan

S = Statement.Status
ACTIONS = ("submit", "approve", "reject", "reopen", "mark-paid")


def detail(statement) -> str:
    return reverse("commissions:statement-detail", args=[statement.pk])


def action_url(statement, action) -> str:
    return reverse(f"commissions:statement-{action}", args=[statement.pk])


def buttons(body: str, statement) -> set[str]:
    return {action for action in ACTIONS if f'href="{action_url(statement, action)}"' in body}


@pytest.fixture
def world(rep, rep_peer, other_rep, manager, finance):
    return {
        "rep": make_statement(rep, status=S.SUBMITTED, submitted_by=manager),
        "rep_peer": make_statement(rep_peer, status=S.APPROVED, submitted_by=manager, approved_by=finance),
        "other_rep": make_statement(other_rep, NEXT),
    }


# --- the list --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("rep", {"rep"}),
        ("manager", {"rep", "rep_peer"}),
        ("other_manager", {"other_rep"}),
        ("finance", {"rep", "rep_peer", "other_rep"}),
        ("admin", {"rep", "rep_peer", "other_rep"}),
    ],
)
def test_list_shows_each_role_its_statements(page_as, everyone, world, who, visible):
    body = page_as(everyone[who]).get(reverse("commissions:statement-list")).content.decode()
    shown = {name for name, statement in world.items() if f'href="{detail(statement)}"' in body}
    assert shown == visible


def test_list_filters_and_totals_all_filtered_rows(page_as, world, manager):
    body = page_as(manager).get(reverse("commissions:statement-list"), {"status": "approved"}).content.decode()
    assert detail(world["rep_peer"]) in body and detail(world["rep"]) not in body
    body = page_as(manager).get(reverse("commissions:statement-list"), {"period": PERIOD}).content.decode()
    # payable 3,690.00 × 2
    assert "7,380.00" in body and 'data-testid="statement-totals"' in body


def test_rep_sees_my_statements_without_the_rep_filter(page_as, world, rep):
    body = page_as(rep).get(reverse("commissions:statement-list")).content.decode()
    assert "My commission statements" in body and 'name="rep"' not in body


# --- a statement -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "name"), [("rep", "rep_peer"), ("other_manager", "rep"), ("rep_peer", "rep")])
def test_a_statement_out_of_scope_is_404(page_as, everyone, world, who, name):
    client = page_as(everyone[who])
    assert client.get(detail(world[name])).status_code == 404
    assert client.get(action_url(world[name], "approve")).status_code == 404


def test_detail_shows_figures_lines_links_state_log_and_history(page_as, world, manager, rep):
    statement = world["rep"]
    body = page_as(manager).get(detail(statement)).content.decode()
    for figure, value in [
        ("base", "100,000.00"),
        ("gross", "4,500.00"),
        ("deductions", "400.00"),
        ("net", "4,100.00"),
        ("retained", "410.00"),
        ("payable", "3,690.00"),
    ]:
        assert f'data-figure="{figure}">¥{value}<' in body
    assert "scorecard line" in body and "shortfall line" in body  # the lines' descriptions
    query = f"rep={rep.pk}&amp;date_from=2031-07-01&amp;date_to=2031-07-31"
    assert f"{reverse('kpi:sales-list')}?{query}" in body  # the facts behind the base
    assert f"{reverse('kpi:scorecard-list')}?rep={rep.pk}&amp;period={PERIOD}" in body
    assert f"{reverse('visits:visit-list')}?{query}" in body
    assert 'data-testid="state-log"' in body and 'data-testid="history"' in body


def test_a_collections_base_links_to_the_collections(page_as, rep, manager):
    cash = plan(name="回款方案")
    cash.base = "collections"
    cash.save()
    statement = make_statement(rep, with_plan=cash)
    body = page_as(manager).get(detail(statement)).content.decode()
    assert 'data-testid="base-link">' in body
    assert f'href="{reverse("kpi:collection-list")}?rep={rep.pk}&amp;date_from=2031-07-01' in body


def test_finance_sees_no_visits_link(page_as, world, finance):
    body = page_as(finance).get(detail(world["rep"])).content.decode()
    assert reverse("visits:visit-list") not in body and 'data-testid="visits-link"' not in body


def test_only_the_buttons_the_user_may_take_now(page_as, everyone, world, admin_user):
    submitted, approved, draft = world["rep"], world["rep_peer"], world["other_rep"]
    assert buttons(page_as(everyone["finance"]).get(detail(submitted)).content.decode(), submitted) == {
        "approve",
        "reject",
    }
    assert buttons(page_as(everyone["manager"]).get(detail(submitted)).content.decode(), submitted) == set()
    assert buttons(page_as(everyone["rep"]).get(detail(submitted)).content.decode(), submitted) == set()
    assert buttons(page_as(everyone["finance"]).get(detail(approved)).content.decode(), approved) == {"mark-paid"}
    assert buttons(page_as(everyone["other_manager"]).get(detail(draft)).content.decode(), draft) == {"submit"}
    assert buttons(page_as(everyone["finance"]).get(detail(draft)).content.decode(), draft) == set()
    mine = statement_submit(actor=admin_user, statement=make_statement(everyone["rep"], "2031-01"))
    body = page_as(admin_user).get(detail(mine)).content.decode()
    assert buttons(body, mine) == {"reject"} and 'data-testid="segregation-note"' in body


# --- action pages ----------------------------------------------------------------------------------


def test_manager_submits_through_the_page(page_as, world, manager):
    statement = world["other_rep"]
    statement.rep.profile.manager = manager
    statement.rep.profile.save()
    client = page_as(manager)
    assert client.get(action_url(statement, "submit")).status_code == 200
    response = client.post(action_url(statement, "submit"), {"comment": "请审批"})
    assert response.status_code == 302 and response["Location"] == detail(statement)
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED and statement.submitted_by == manager


def test_finance_approves_rejects_and_marks_paid_through_the_pages(page_as, world, rep, manager, finance):
    client = page_as(finance)
    statement = world["rep"]
    assert client.post(action_url(statement, "approve"), {"comment": ""}).status_code == 302
    statement.refresh_from_db()
    assert statement.status == S.APPROVED
    response = client.post(action_url(statement, "mark-paid"), {"payment_reference": "", "paid_on": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(action_url(statement, "mark-paid"), {"payment_reference": "BANK-9", "paid_on": today})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.status, statement.payment_reference) == (S.PAID, "BANK-9")
    other = make_statement(rep, "2031-02", S.SUBMITTED, submitted_by=manager)
    response = client.post(action_url(other, "reject"), {"reason": ""})
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.status == S.SUBMITTED
    assert client.post(action_url(other, "reject"), {"reason": "扣款有误"}).status_code == 302
    other.refresh_from_db()
    assert other.status == S.REJECTED
    body = page_as(manager).get(detail(other)).content.decode()
    assert 'data-testid="rejection-reason"' in body and "扣款有误" in body
    assert buttons(body, other) == {"reopen"}


def test_action_pages_refuse_roles_with_403_and_states_with_a_message(page_as, world, rep, manager, finance):
    assert page_as(manager).get(action_url(world["rep"], "approve")).status_code == 403
    assert page_as(rep).post(action_url(world["rep"], "approve")).status_code == 403
    response = page_as(finance).get(action_url(world["rep_peer"], "approve"))
    assert response.status_code == 302 and response["Location"] == detail(world["rep_peer"])
    world["rep_peer"].refresh_from_db()
    assert world["rep_peer"].status == S.APPROVED


def test_a_stale_approval_post_gets_a_message_not_a_change(page_as, world, finance, admin_user):
    statement = world["rep"]
    statement_approve(actor=admin_user, statement=statement)
    response = page_as(finance).post(action_url(statement, "approve"), {"comment": ""}, HTTP_REFERER=detail(statement))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.approved_by == admin_user


# --- the approval queue ----------------------------------------------------------------------------


def test_queue_lists_submitted_statements_oldest_first_with_totals(
    page_as, rep, rep_peer, other_rep, manager, other_manager, finance
):
    later = make_statement(rep, PERIOD, S.SUBMITTED, submitted_by=manager)
    earlier = make_statement(other_rep, PERIOD, S.SUBMITTED, submitted_by=other_manager)
    Statement.objects.filter(pk=earlier.pk).update(submitted_at=later.submitted_at - timezone.timedelta(days=2))
    make_statement(rep_peer, PERIOD, S.APPROVED, submitted_by=manager, approved_by=finance)  # not waiting
    make_statement(rep, NEXT)  # not waiting
    dispute_open(actor=rep, line=line_of(later, "shortfall"), expected_amount="0", justification="x")
    body = page_as(finance).get(reverse("commissions:approval-queue")).content.decode()
    assert body.index(f'data-statement="{earlier.pk}"') < body.index(f'data-statement="{later.pk}"')
    assert body.count("data-statement=") == 2
    assert "2 statements waiting" in body and "7,380.00" in body  # 3,690.00 × 2
    assert action_url(later, "approve") in body


def test_queue_is_for_finance_and_admins(page_as, manager, rep, admin_user):
    assert page_as(manager).get(reverse("commissions:approval-queue")).status_code == 403
    assert page_as(rep).get(reverse("commissions:approval-queue")).status_code == 403
    assert page_as(admin_user).get(reverse("commissions:approval-queue")).status_code == 200


# --- query counts ----------------------------------------------------------------------------------


def test_list_page_query_count_does_not_grow(page_as, manager, rep, rep_peer, django_assert_max_num_queries):
    for month in (1, 2, 3):
        make_statement(rep, f"2031-{month:02d}")
    client = page_as(manager)
    # session, user, roles · count · totals · the bell's count · the rep filter's choices · the page of
    # statements with rep, profile, plan, submitted_by, approved_by = 8; two spare for the navigation
    with django_assert_max_num_queries(10) as three:
        assert client.get(reverse("commissions:statement-list")).status_code == 200
    for month in range(4, 13):
        make_statement(rep, f"2031-{month:02d}")
        make_statement(rep_peer, f"2031-{month:02d}", S.SUBMITTED, submitted_by=manager)
    with django_assert_max_num_queries(len(three.captured_queries)):
        assert client.get(reverse("commissions:statement-list")).status_code == 200


def test_queue_query_count_does_not_grow(page_as, finance, manager, rep, rep_peer, django_assert_max_num_queries):
    make_statement(rep, "2031-01", S.SUBMITTED, submitted_by=manager)
    client = page_as(finance)
    # session, user, roles · count · the page with its joins and open disputes (a subquery) · totals ·
    # the bell's count = 7; two spare for the navigation
    with django_assert_max_num_queries(9) as one:
        assert client.get(reverse("commissions:approval-queue")).status_code == 200
    for month in range(2, 13):
        statement = make_statement(rep_peer, f"2031-{month:02d}", S.SUBMITTED, submitted_by=manager)
        dispute_open(actor=rep_peer, line=line_of(statement, "shortfall"), expected_amount="0", justification="x")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("commissions:approval-queue")).status_code == 200


def test_detail_page_query_count_does_not_grow_with_disputes_and_history(
    page_as, rep, manager, finance, django_assert_max_num_queries
):
    statement = make_statement(rep, status=S.SUBMITTED, submitted_by=manager)
    client = page_as(manager)
    # session, user, roles · the statement with rep, profile, plan, submitted_by, approved_by · its lines ·
    # their disputes (with rep, answerer, adjustment) · state log · history · the bell's count = 9;
    # two spare for the navigation
    with django_assert_max_num_queries(11) as before:
        assert client.get(detail(statement)).status_code == 200
    for step in ("scorecard", "shortfall", "false_reports"):
        dispute_open(actor=rep, line=line_of(statement, step), expected_amount=Decimal("1.00"), justification="x")
    statement_reject(actor=finance, statement=statement, reason="重算")
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(detail(statement)).status_code == 200


def test_the_false_report_line_names_each_visit_with_its_reason(page_as, rep, manager, finance, d):
    from tests.visits.world import at, log
    from visits.services.visits import visit_review

    visit = visit_review(
        actor=manager, visit=log(rep, d["A3"], at(2026, 7, 3, 10)), name="mark_false", comment="门店当天未营业"
    )
    statement = make_statement(rep, "2026-07")
    false_line = line_of(statement, "false_reports")
    false_line.inputs = {
        "count": "1",
        "per_unit": "100.00",
        "visits": [{"id": visit.pk, "date": "2026-07-03", "dealer": "浦东经销商3", "reason": "门店当天未营业"}],
    }
    false_line.save()
    body = page_as(rep).get(detail(statement)).content.decode()
    link = reverse("visits:visit-detail", args=[visit.pk])
    assert f'<a href="{link}">2026-07-03 · 浦东经销商3</a>' in body
    assert '<span data-testid="visit-reason">门店当天未营业</span>' in body
    # finance reads the reason too; visits are not finance's to open, so there is no link
    body = page_as(finance).get(detail(statement)).content.decode()
    assert "门店当天未营业" in body and link not in body
