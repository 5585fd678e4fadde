"""The statement life cycle (SPEC §6): submit, approve, reject, reopen, mark paid — every transition,
every refusal (role 403, segregation of duties 403, state 409, input 400), notifications, immutability
of approved and paid statements, and two approvals at the same moment (PostgreSQL).

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from channelhub.errors import Conflict, TransitionNotAllowed
from channelhub.notifications.models import Notification
from channelhub.roles import Role
from channelhub.scoping import SegregationOfDutiesError
from channelhub.workflow.models import StateChange
from commissions.models import Dispute, Statement
from commissions.policies import allowed_actions, can_approve
from commissions.services import statements as services
from commissions.services.disputes import dispute_open, statement_apply_adjustments
from tests.commissions.statement_world import NEXT, PERIOD, STANDARD_AMOUNTS, line_of, make_statement
from tests.factories import UserFactory

S = Statement.Status


def submitted(rep, by):
    return make_statement(rep, status=S.SUBMITTED, submitted_by=by)


def approved(rep, by, approver):
    return make_statement(rep, status=S.APPROVED, submitted_by=by, approved_by=approver)


def log_of(statement) -> list[tuple[str, str, str]]:
    return [(c.transition, c.from_state, c.to_state) for c in StateChange.objects.for_object(statement)]


# --- submit ----------------------------------------------------------------------------------------


def test_manager_submits_a_draft_of_the_team(rep, manager):
    statement = make_statement(rep)
    services.statement_submit(actor=manager, statement=statement, comment="请审批")
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED
    assert statement.submitted_by == manager and statement.submitted_at is not None
    change = StateChange.objects.for_object(statement).get()
    assert (change.by, change.from_state, change.to_state, change.comment) == (manager, "draft", "submitted", "请审批")


def test_admin_submits_any_draft(rep, admin_user):
    statement = services.statement_submit(actor=admin_user, statement=make_statement(rep))
    assert statement.status == S.SUBMITTED and statement.submitted_by == admin_user


@pytest.mark.parametrize("who", ["rep_peer", "other_manager", "finance", "other_rep"])
def test_only_the_reps_manager_or_an_admin_submits(everyone, rep, who):
    statement = make_statement(rep)
    with pytest.raises(PermissionDenied):
        services.statement_submit(actor=everyone[who], statement=statement)
    statement.refresh_from_db()
    assert statement.status == S.DRAFT and not log_of(statement)


def test_nobody_submits_their_own_statement(manager):
    rep_and_admin = UserFactory(username="rep_admin", roles=[Role.FIELD_REP, Role.ADMIN], manager=manager)
    statement = make_statement(rep_and_admin)
    with pytest.raises(SegregationOfDutiesError):
        services.statement_submit(actor=rep_and_admin, statement=statement)


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.REJECTED, S.PAID])
def test_submit_is_refused_unless_draft_naming_the_state(rep, manager, status):
    statement = make_statement(rep, status=status)
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.statement_submit(actor=manager, statement=statement)
    assert refusal.value.status_code == 409 and refusal.value.extra == {"current_state": status}
    assert str(statement.get_status_display()) in str(refusal.value)


# --- approve ---------------------------------------------------------------------------------------


def test_finance_approves_and_the_rep_is_notified(rep, manager, finance):
    statement = submitted(rep, manager)
    services.statement_approve(actor=finance, statement=statement, comment="ok")
    statement.refresh_from_db()
    assert statement.status == S.APPROVED
    assert statement.approved_by == finance and statement.approved_at is not None
    assert log_of(statement) == [("approve", "submitted", "approved")]
    note = Notification.objects.get(recipient=rep)
    assert (
        note.key == f"statement-approved:{statement.pk}" and PERIOD in note.title_text and "¥3,690.00" in note.body_text
    )
    assert note.url == f"/kpi/statements/{statement.pk}/"


def test_an_admin_approves_what_a_manager_submitted(rep, manager, admin_user):
    statement = services.statement_approve(actor=admin_user, statement=submitted(rep, manager))
    assert statement.status == S.APPROVED


def test_an_admin_who_submitted_cannot_approve(rep, admin_user):
    statement = services.statement_submit(actor=admin_user, statement=make_statement(rep))
    with pytest.raises(SegregationOfDutiesError):
        services.statement_approve(actor=admin_user, statement=statement)
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED and statement.approved_by is None


def test_a_manager_who_is_also_finance_cannot_approve_what_they_submitted(rep):
    boss = UserFactory(username="boss", roles=[Role.CHANNEL_MANAGER, Role.FINANCE])
    rep.profile.manager = boss
    rep.profile.save()
    statement = services.statement_submit(actor=boss, statement=make_statement(rep))
    with pytest.raises(SegregationOfDutiesError):
        services.statement_approve(actor=boss, statement=statement)
    assert not can_approve(boss, statement)
    assert "approve" not in allowed_actions(boss, statement)


def test_the_beneficiary_cannot_approve_even_with_the_finance_role(manager, finance):
    rep_in_finance = UserFactory(username="rep_fin", roles=[Role.FIELD_REP, Role.FINANCE], manager=manager)
    statement = submitted(rep_in_finance, manager)
    with pytest.raises(SegregationOfDutiesError):
        services.statement_approve(actor=rep_in_finance, statement=statement)
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED
    services.statement_approve(actor=finance, statement=statement)  # another member of finance may


@pytest.mark.parametrize("who", ["manager", "rep_peer", "other_manager"])
def test_only_finance_or_an_admin_approves(everyone, rep, manager, who):
    statement = submitted(rep, manager)
    with pytest.raises(PermissionDenied):
        services.statement_approve(actor=everyone[who], statement=statement)
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED


@pytest.mark.parametrize("status", [S.DRAFT, S.APPROVED, S.REJECTED, S.PAID])
def test_approve_is_refused_unless_submitted(rep, manager, finance, status):
    statement = make_statement(rep, status=status, submitted_by=manager)
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.statement_approve(actor=finance, statement=statement)
    assert refusal.value.extra == {"current_state": status}


def test_a_second_approval_is_refused_with_409(rep, manager, finance, admin_user):
    statement = submitted(rep, manager)
    stale = Statement.objects.get(pk=statement.pk)
    services.statement_approve(actor=finance, statement=statement)
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.statement_approve(actor=admin_user, statement=stale)  # a copy read before the approval
    assert refusal.value.extra == {"current_state": "approved"}
    statement.refresh_from_db()
    assert statement.approved_by == finance
    assert [c[0] for c in log_of(statement)] == ["approve"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_give_one_approval_and_one_409(manager, rep):
    first = UserFactory(username="finance_1", roles=[Role.FINANCE])
    second = UserFactory(username="finance_2", roles=[Role.FINANCE])
    statement = submitted(rep, manager)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(user):
        try:
            copy = Statement.objects.get(pk=statement.pk)
            barrier.wait(timeout=10)
            services.statement_approve(actor=user, statement=copy)
            outcomes[user.username] = "approved"
        except TransitionNotAllowed as refusal:
            outcomes[user.username] = f"409 {refusal.extra['current_state']}"
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["409 approved", "approved"]
    statement.refresh_from_db()
    winner = next(name for name, outcome in outcomes.items() if outcome == "approved")
    assert statement.status == S.APPROVED and statement.approved_by.username == winner
    assert StateChange.objects.for_object(statement).filter(transition="approve").count() == 1
    assert Notification.objects.filter(recipient=rep, key=f"statement-approved:{statement.pk}").count() == 1


# --- reject and reopen -----------------------------------------------------------------------------


def test_finance_rejects_with_a_reason_and_rep_and_submitter_are_told(rep, manager, finance):
    statement = submitted(rep, manager)
    services.statement_reject(actor=finance, statement=statement, reason="  拜访扣款有误  ")
    statement.refresh_from_db()
    assert statement.status == S.REJECTED and statement.rejection_reason == "拜访扣款有误"
    change = StateChange.objects.for_object(statement).get()
    assert (change.transition, change.comment) == ("reject", "拜访扣款有误")
    notes = Notification.objects.filter(key=f"statement-rejected:{change.pk}")
    assert {note.recipient for note in notes} == {rep, manager}
    assert {note.body_text for note in notes} == {"拜访扣款有误"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason(rep, manager, finance, reason):
    statement = submitted(rep, manager)
    with pytest.raises(ValidationError) as error:
        services.statement_reject(actor=finance, statement=statement, reason=reason)
    assert "reason" in error.value.message_dict
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED


def test_only_finance_or_an_admin_rejects(rep, manager):
    with pytest.raises(PermissionDenied):
        services.statement_reject(actor=manager, statement=submitted(rep, manager), reason="x")


def test_reject_is_refused_once_approved(rep, manager, finance):
    statement = approved(rep, manager, finance)
    with pytest.raises(TransitionNotAllowed):
        services.statement_reject(actor=finance, statement=statement, reason="too late")


def test_the_manager_reopens_a_rejected_statement_and_may_submit_it_again(rep, manager, finance):
    statement = submitted(rep, manager)
    services.statement_reject(actor=finance, statement=statement, reason="重算")
    services.statement_reopen(actor=manager, statement=statement, comment="数据已更正")
    statement.refresh_from_db()
    assert statement.status == S.DRAFT
    assert statement.rejection_reason == "重算"  # shown on the draft until it is submitted again
    services.statement_submit(actor=manager, statement=statement)
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED and statement.rejection_reason == ""
    services.statement_reject(actor=finance, statement=statement, reason="还是不对")
    assert [c[:1] for c in log_of(statement)] == [("reject",), ("reopen",), ("submit",), ("reject",)]
    assert Notification.objects.filter(recipient=rep, key__startswith="statement-rejected:").count() == 2


@pytest.mark.parametrize("who", ["finance", "rep", "other_manager"])
def test_only_the_manager_or_an_admin_reopens(everyone, rep, who):
    statement = make_statement(rep, status=S.REJECTED)
    with pytest.raises(PermissionDenied):
        services.statement_reopen(actor=everyone[who], statement=statement)


def test_reopen_waits_for_the_open_disputes(rep, manager, finance, admin_user):
    statement = submitted(rep, manager)
    dispute = dispute_open(
        actor=rep, line=line_of(statement, "shortfall"), expected_amount="0.00", justification="拜访已补录"
    )
    services.statement_reject(actor=finance, statement=statement, reason="拜访有争议")
    with pytest.raises(Conflict) as refusal:
        services.statement_reopen(actor=manager, statement=statement)
    assert refusal.value.status_code == 409 and ("1 dispute" in str(refusal.value) or "1 项申诉" in str(refusal.value))
    Dispute.objects.filter(pk=dispute.pk).update(status=Dispute.Status.REJECTED)
    services.statement_reopen(actor=admin_user, statement=statement)
    statement.refresh_from_db()
    assert statement.status == S.DRAFT


# --- mark paid -------------------------------------------------------------------------------------


def test_finance_marks_an_approved_statement_paid_and_the_rep_is_notified(rep, manager, finance):
    statement = approved(rep, manager, finance)
    today = timezone.localdate()
    services.statement_mark_paid(actor=finance, statement=statement, payment_reference=" BANK-0701 ", paid_on=today)
    statement.refresh_from_db()
    assert (statement.status, statement.payment_reference, statement.paid_at) == (S.PAID, "BANK-0701", today)
    note = Notification.objects.get(recipient=rep, key=f"statement-paid:{statement.pk}")
    assert "BANK-0701" in note.body_text and "¥3,690.00" in note.body_text


@pytest.mark.parametrize(
    ("reference", "days", "field"),
    [
        ("", 0, "payment_reference"),
        ("x" * 65, 0, "payment_reference"),
        ("BANK-1", 1, "paid_on"),  # tomorrow
        ("BANK-1", -3, "paid_on"),  # before the approval
        ("BANK-1", None, "paid_on"),
    ],
)
def test_mark_paid_needs_a_reference_and_a_plausible_date(rep, manager, finance, reference, days, field):
    statement = make_statement(rep, status=S.APPROVED, submitted_by=manager, approved_by=finance)
    paid_on = None if days is None else timezone.localdate() + timedelta(days=days)
    with pytest.raises(ValidationError) as error:
        services.statement_mark_paid(actor=finance, statement=statement, payment_reference=reference, paid_on=paid_on)
    assert list(error.value.message_dict) == [field]
    statement.refresh_from_db()
    assert statement.status == S.APPROVED and statement.payment_reference == ""


def test_mark_paid_is_refused_before_approval_and_twice(rep, manager, finance):
    today = timezone.localdate()
    with pytest.raises(TransitionNotAllowed) as refusal:
        services.statement_mark_paid(
            actor=finance, statement=submitted(rep, manager), payment_reference="B", paid_on=today
        )
    assert refusal.value.extra == {"current_state": "submitted"}
    paid = make_statement(rep, NEXT, status=S.PAID, submitted_by=manager, approved_by=finance)
    with pytest.raises(TransitionNotAllowed):
        services.statement_mark_paid(actor=finance, statement=paid, payment_reference="B2", paid_on=today)


def test_nobody_records_their_own_payout(manager, finance):
    rep_in_finance = UserFactory(username="rep_fin", roles=[Role.FIELD_REP, Role.FINANCE], manager=manager)
    statement = approved(rep_in_finance, manager, finance)
    with pytest.raises(SegregationOfDutiesError):
        services.statement_mark_paid(
            actor=rep_in_finance, statement=statement, payment_reference="B", paid_on=timezone.localdate()
        )


def test_nobody_rejects_their_own_statement(manager, finance):
    rep_in_finance = UserFactory(username="rep_fin", roles=[Role.FIELD_REP, Role.FINANCE], manager=manager)
    statement = submitted(rep_in_finance, manager)
    assert "reject" not in allowed_actions(rep_in_finance, statement)
    with pytest.raises(SegregationOfDutiesError):
        services.statement_reject(actor=rep_in_finance, statement=statement, reason="太多了")
    statement.refresh_from_db()
    assert statement.status == S.SUBMITTED
    assert "reject" in allowed_actions(finance, statement)


def test_a_manager_cannot_mark_paid(rep, manager, finance):
    with pytest.raises(PermissionDenied):
        services.statement_mark_paid(
            actor=manager,
            statement=approved(rep, manager, finance),
            payment_reference="B",
            paid_on=timezone.localdate(),
        )


# --- immutability ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.APPROVED, S.PAID])
def test_approved_and_paid_statements_never_change(rep, manager, finance, status):
    statement = make_statement(rep, status=status, submitted_by=manager, approved_by=finance)
    with pytest.raises(Conflict) as refusal:
        services.check_not_final(statement)
    assert refusal.value.status_code == 409 and refusal.value.extra == {"current_state": status}
    for transition in (
        lambda: services.statement_submit(actor=manager, statement=statement),
        lambda: services.statement_reject(actor=finance, statement=statement, reason="x"),
        lambda: services.statement_reopen(actor=manager, statement=statement),
    ):
        with pytest.raises(TransitionNotAllowed):
            transition()
    assert statement_apply_adjustments(statement) == []
    statement.refresh_from_db()
    assert statement.status == status
    assert {name: getattr(statement, name) for name in STANDARD_AMOUNTS} == STANDARD_AMOUNTS
    assert statement.lines.count() == 8


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.REJECTED])
def test_statements_not_yet_approved_may_still_change(rep, status):
    services.check_not_final(make_statement(rep, status=status))


# --- what each user may do now ---------------------------------------------------------------------


def test_allowed_actions_follow_state_role_and_segregation(everyone, rep, rep_peer, manager, finance, admin_user):
    draft = make_statement(rep, "2031-01")
    assert allowed_actions(manager, draft) == ["submit"]
    assert allowed_actions(admin_user, draft) == ["submit"]
    for who in ("rep", "finance", "other_manager"):
        assert allowed_actions(everyone[who], draft) == []
    waiting = make_statement(rep, "2031-02", status=S.SUBMITTED, submitted_by=manager)
    assert allowed_actions(finance, waiting) == ["approve", "reject"]
    assert allowed_actions(manager, waiting) == []
    own = services.statement_submit(actor=admin_user, statement=make_statement(rep, "2031-03"))
    assert allowed_actions(admin_user, own) == ["reject"]  # submitted it: may not approve
    done = make_statement(rep, "2031-04", status=S.APPROVED, submitted_by=manager, approved_by=finance)
    assert allowed_actions(finance, done) == ["mark-paid"]
    assert allowed_actions(manager, done) == []
    assert allowed_actions(manager, make_statement(rep_peer, status=S.REJECTED)) == ["reopen"]
    assert allowed_actions(finance, make_statement(rep, "2031-05", status=S.PAID)) == []
