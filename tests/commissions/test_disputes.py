"""Disputes (SPEC §6): the rep opens one on a line of a submitted or approved statement; the manager
accepts or rejects it; an accepted one becomes an adjustment line in the rep's next open statement,
with net, retained and payable recomputed — figures by hand below — and the disputed statement
untouched.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user

The standard month (tests/kpi/statement_world.py): gross 5,000.00 → scorecard 4,500.00; deductions
shortfall 300.00 + false reports 100.00; net 4,100.00; retained 10 % 410.00; payable 3,690.00.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from channelhub.errors import Conflict, TransitionNotAllowed
from channelhub.notifications.models import Notification
from channelhub.scoping import SegregationOfDutiesError
from channelhub.workflow.models import StateChange
from commissions.models import Dispute, Statement
from commissions.services.disputes import (
    dispute_accept,
    dispute_open,
    dispute_reject,
    statement_apply_adjustments,
    statement_release_adjustments,
)
from tests.commissions.statement_world import NEXT, PERIOD, STANDARD_AMOUNTS, line_of, make_statement, plan

S = Statement.Status
D = Decimal


@pytest.fixture
def july(rep, manager, finance):
    """The rep's approved July statement."""
    return make_statement(rep, PERIOD, S.APPROVED, submitted_by=manager, approved_by=finance)


def open_on(statement, step, expected, rep=None, why="我的计算不同"):
    return dispute_open(
        actor=rep or statement.rep, line=line_of(statement, step), expected_amount=expected, justification=why
    )


def lines_of(statement) -> list[tuple[int, str, Decimal]]:
    return list(statement.lines.order_by("position").values_list("position", "step", "amount"))


def amounts_of(statement) -> tuple[Decimal, ...]:
    statement.refresh_from_db()
    return (statement.net_amount, statement.retained_amount, statement.payable_amount)


# --- opening ---------------------------------------------------------------------------------------


def test_rep_opens_a_dispute_and_the_manager_is_told(july, rep, manager):
    dispute = open_on(july, "scorecard", "4800", why="  记分卡应为96分  ")
    assert (dispute.status, dispute.rep, dispute.expected_amount, dispute.justification) == (
        "open",
        rep,
        D("4800.00"),
        "记分卡应为96分",
    )
    change = StateChange.objects.for_object(dispute).get()
    assert (change.transition, change.to_state, change.by) == ("create", "open", rep)
    note = Notification.objects.get(recipient=manager)
    assert (
        note.key == f"dispute-opened:{dispute.pk}" and PERIOD in note.title_text and note.body_text == "记分卡应为96分"
    )


def test_a_submitted_statement_may_be_disputed(rep, manager):
    statement = make_statement(rep, status=S.SUBMITTED, submitted_by=manager)
    assert open_on(statement, "shortfall", "0").status == "open"


@pytest.mark.parametrize("status", [S.DRAFT, S.REJECTED, S.PAID])
def test_only_submitted_or_approved_statements_may_be_disputed(rep, status):
    statement = make_statement(rep, status=status)
    with pytest.raises(Conflict) as refusal:
        open_on(statement, "shortfall", "0")
    assert refusal.value.extra == {"current_state": status}
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("who", ["rep_peer", "manager", "finance", "admin"])
def test_only_the_statements_rep_disputes_it(everyone, july, who):
    with pytest.raises(PermissionDenied):
        open_on(july, "shortfall", "0", rep=everyone[who])


@pytest.mark.parametrize("step", ["base", "gross", "net", "retained", "payable"])
def test_lines_that_follow_from_others_cannot_be_disputed(july, step):
    """``gross`` is followed by the scorecard factor here: the scorecard line is the one that counts."""
    with pytest.raises(ValidationError) as error:
        open_on(july, step, "1")
    assert list(error.value.message_dict) == ["line"]


def test_the_gross_line_is_disputable_when_nothing_follows_it(rep, manager):
    lines = [("base", D("1000.00")), ("gross", D("50.00")), ("net", D("50.00")), ("payable", D("50.00"))]
    statement = make_statement(rep, status=S.SUBMITTED, submitted_by=manager, lines=lines)
    assert open_on(statement, "gross", "60.00").line.step == "gross"


@pytest.mark.parametrize(
    ("expected", "justification", "field"),
    [("4500.00", "x", "expected_amount"), ("abc", "x", "expected_amount"), ("4800", "  ", "justification")],
)
def test_a_dispute_needs_another_amount_and_a_reason(july, expected, justification, field):
    with pytest.raises(ValidationError) as error:
        open_on(july, "scorecard", expected, why=justification)
    assert list(error.value.message_dict) == [field]


def test_one_open_dispute_per_line_and_none_after_an_accepted_one(july, manager):
    first = open_on(july, "shortfall", "0")
    with pytest.raises(Conflict, match="open dispute|待处理的申诉"):
        open_on(july, "shortfall", "100")
    open_on(july, "false_reports", "0")  # another line is fine
    dispute_reject(actor=manager, dispute=first, answer="缺访属实")
    second = open_on(july, "shortfall", "100")  # a rejected one may be followed by a new one
    dispute_accept(actor=manager, dispute=second)
    with pytest.raises(Conflict, match="accepted|已接受"):
        open_on(july, "shortfall", "50")


# --- answering -------------------------------------------------------------------------------------


def test_manager_rejects_with_an_answer_and_the_rep_reads_it(july, rep, manager):
    dispute = open_on(july, "shortfall", "0")
    dispute = dispute_reject(actor=manager, dispute=dispute, answer="  缺访属实  ")
    assert (dispute.status, dispute.answer, dispute.answered_by) == ("rejected", "缺访属实", manager)
    assert dispute.answered_at is not None and dispute.adjustment_line is None
    note = Notification.objects.get(recipient=rep, key=f"dispute-answered:{dispute.pk}")
    assert note.body_text == "缺访属实"


def test_rejecting_needs_an_answer(july, manager):
    dispute = open_on(july, "shortfall", "0")
    with pytest.raises(ValidationError) as error:
        dispute_reject(actor=manager, dispute=dispute, answer=" ")
    assert list(error.value.message_dict) == ["answer"]
    dispute.refresh_from_db()
    assert dispute.status == "open"


@pytest.mark.parametrize("who", ["other_manager", "finance", "rep_peer"])
def test_only_the_reps_manager_or_an_admin_answers(everyone, july, who):
    dispute = open_on(july, "shortfall", "0")
    for answer in (dispute_accept, dispute_reject):
        with pytest.raises(PermissionDenied):
            answer(actor=everyone[who], dispute=dispute, answer="x")
    dispute.refresh_from_db()
    assert dispute.status == "open"


def test_the_rep_cannot_answer_their_own_dispute(july, rep):
    with pytest.raises(SegregationOfDutiesError):
        dispute_accept(actor=rep, dispute=open_on(july, "shortfall", "0"))


def test_an_admin_answers_and_an_answered_dispute_is_settled(july, admin_user, manager):
    dispute = dispute_accept(actor=admin_user, dispute=open_on(july, "shortfall", "0"), answer="")
    assert dispute.status == "accepted"
    with pytest.raises(TransitionNotAllowed) as refusal:
        dispute_reject(actor=manager, dispute=dispute, answer="改判")
    assert refusal.value.extra == {"current_state": "accepted"}


# --- adjustments -----------------------------------------------------------------------------------


def test_an_accepted_dispute_becomes_an_adjustment_line_in_the_existing_next_draft(july, rep, manager):
    august = make_statement(rep, NEXT)
    dispute = open_on(july, "scorecard", "4800.00")  # 300.00 more in the rep's favour
    dispute = dispute_accept(actor=manager, dispute=dispute, answer="同意，记分卡已更正")
    line = dispute.adjustment_line
    assert line.statement == august and line.step == "adjustment" and line.amount == D("300.00")
    assert line.inputs == {
        "dispute": dispute.pk,
        "statement": july.pk,
        "period": PERIOD,
        "line": dispute.line_id,
        "step": "scorecard",
        "line_amount": "4500.00",
        "expected_amount": "4800.00",
    }
    assert PERIOD in line.text and f"#{dispute.pk}" in line.text and line.description == ""  # nothing stored
    # net 4,100.00 + 300.00 = 4,400.00; retained 10 % = 440.00; payable 4,400.00 − 440.00 = 3,960.00
    assert amounts_of(august) == (D("4400.00"), D("440.00"), D("3960.00"))
    assert (august.gross_amount, august.deductions_amount) == (D("4500.00"), D("400.00"))
    assert lines_of(august) == [
        (1, "base", D("100000.00")),
        (2, "gross", D("5000.00")),
        (3, "scorecard", D("4500.00")),
        (4, "shortfall", D("300.00")),
        (5, "false_reports", D("100.00")),
        (6, "adjustment", D("300.00")),
        (7, "net", D("4400.00")),
        (8, "retained", D("440.00")),
        (9, "payable", D("3960.00")),
    ]
    net = line_of(august, "net")
    assert net.inputs["adjustments"] == "300.00" and "300.00" in net.text
    # the approved statement stays as it was
    july.refresh_from_db()
    assert {name: getattr(july, name) for name in STANDARD_AMOUNTS} == STANDARD_AMOUNTS
    assert july.lines.count() == 8 and july.status == S.APPROVED
    note = Notification.objects.get(recipient=rep, key=f"dispute-answered:{dispute.pk}")
    assert note.body_text == "同意，记分卡已更正"


def test_a_deduction_disputed_lower_is_an_adjustment_in_the_reps_favour(july, rep, manager):
    august = make_statement(rep, NEXT)
    dispute = dispute_accept(actor=manager, dispute=open_on(july, "shortfall", "100.00"))
    # the shortfall deduction was 300.00, 100.00 was right: 200.00 back
    assert dispute.adjustment_line.amount == D("200.00")
    # net 4,100.00 + 200.00 = 4,300.00; retained 430.00; payable 3,870.00
    assert amounts_of(august) == (D("4300.00"), D("430.00"), D("3870.00"))


def test_a_dispute_may_also_lower_the_pay(july, rep, manager):
    """A rep may report a deduction that was missed; accepting it claws the amount back."""
    august = make_statement(rep, NEXT)
    dispute = dispute_accept(actor=manager, dispute=open_on(july, "false_reports", "200.00"))
    assert dispute.adjustment_line.amount == D("-100.00")
    assert amounts_of(august) == (D("4000.00"), D("400.00"), D("3600.00"))


def test_without_a_next_draft_the_next_run_adds_the_adjustment_once(july, rep, manager):
    dispute = dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    assert dispute.adjustment_line is None
    august = make_statement(rep, NEXT)  # what the run writes …
    added = statement_apply_adjustments(august)  # … and then calls
    assert [line.amount for line in added] == [D("300.00")]
    dispute.refresh_from_db()
    assert dispute.adjustment_line == added[0]
    assert statement_apply_adjustments(august) == []  # idempotent
    assert august.lines.filter(step="adjustment").count() == 1
    assert amounts_of(august) == (D("4400.00"), D("440.00"), D("3960.00"))


def test_several_accepted_disputes_land_in_order_before_the_net(july, rep, manager):
    first = dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    second = dispute_accept(actor=manager, dispute=open_on(july, "shortfall", "100.00"))
    august = make_statement(rep, NEXT)
    added = statement_apply_adjustments(august)
    assert [line.amount for line in added] == [D("300.00"), D("200.00")]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.adjustment_line, second.adjustment_line) == tuple(added)
    # net 4,100.00 + 500.00 = 4,600.00; retained 460.00; payable 4,140.00
    assert amounts_of(august) == (D("4600.00"), D("460.00"), D("4140.00"))
    assert [step for _position, step, _amount in lines_of(august)][5:] == [
        "adjustment",
        "adjustment",
        "net",
        "retained",
        "payable",
    ]


def test_a_later_acceptance_joins_the_adjustments_already_in_the_draft(july, rep, manager):
    august = make_statement(rep, NEXT)
    dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    dispute_accept(actor=manager, dispute=open_on(july, "shortfall", "100.00"))
    # both adjustments count: 4,100.00 + 300.00 + 200.00
    assert amounts_of(august) == (D("4600.00"), D("460.00"), D("4140.00"))
    assert line_of(august, "net").inputs["adjustments"] == "500.00"
    assert [position for position, _step, _amount in lines_of(august)] == list(range(1, 11))


def test_a_claw_back_month_retains_nothing(july, rep, manager):
    """Gross −100.00 (returns) − deductions 400.00 = net −500.00; + 300.00 = −200.00: not positive, so
    nothing is retained, nothing is payable and −200.00 is carried forward."""
    august = make_statement(
        rep,
        NEXT,
        gross_amount=D("-100.00"),
        net_amount=D("-500.00"),
        retained_amount=D("0.00"),
        payable_amount=D("0.00"),
        carried_forward=D("-500.00"),
    )
    dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    assert amounts_of(august) == (D("-200.00"), D("0.00"), D("0.00"))
    august.refresh_from_db()
    assert august.carried_forward == D("-200.00")


def test_an_adjustment_turning_the_net_positive_is_retained(july, rep, manager):
    """Gross 300.00 − deductions 400.00 = net −100.00; + 300.00 = 200.00 > 0: retained 10 % = 20.00,
    payable 180.00."""
    august = make_statement(
        rep,
        NEXT,
        gross_amount=D("300.00"),
        net_amount=D("-100.00"),
        retained_amount=D("0.00"),
        payable_amount=D("0.00"),
        carried_forward=D("-100.00"),
    )
    dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    assert amounts_of(august) == (D("200.00"), D("20.00"), D("180.00"))
    august.refresh_from_db()
    assert august.carried_forward == D("0.00")


def test_retention_rounds_half_up_with_the_drafts_plan(july, rep, manager):
    """Plan retention 12.5 %: net 4,100.00 + 1.00 = 4,101.00; 12.5 % = 512.625 → 512.63 (half up);
    payable 4,101.00 − 512.63 = 3,588.37."""
    august = make_statement(rep, NEXT, with_plan=plan("12.50", name="高留成"))
    dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4501.00"))
    assert amounts_of(august) == (D("4101.00"), D("512.63"), D("3588.37"))
    assert line_of(august, "retained").inputs["retention"] == "12.50"


def test_an_accepted_dispute_on_a_submitted_statement_also_goes_to_the_next_statement(rep, manager, finance):
    july = make_statement(rep, PERIOD, S.SUBMITTED, submitted_by=manager)
    august = make_statement(rep, NEXT)
    dispute = dispute_accept(actor=manager, dispute=open_on(july, "shortfall", "0.00"))
    assert dispute.adjustment_line.statement == august and dispute.adjustment_line.amount == D("300.00")
    july.refresh_from_db()
    assert july.net_amount == D("4100.00") and july.status == S.SUBMITTED


def test_only_a_later_periods_draft_monthly_statement_takes_the_adjustment(july, rep, rep_peer, manager, finance):
    june = make_statement(rep, "2031-06")  # an earlier draft: not "next"
    same_month_year_end = make_statement(rep, PERIOD, kind=Statement.Kind.YEAR_END)
    peer_august = make_statement(rep_peer, NEXT)  # another rep's
    september = make_statement(rep, "2031-09")
    august_submitted = make_statement(rep, NEXT, S.SUBMITTED, submitted_by=manager)  # not open
    dispute = dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    assert dispute.adjustment_line.statement == september
    for untouched in (june, same_month_year_end, peer_august, august_submitted):
        assert statement_apply_adjustments(untouched) == []
        assert not untouched.lines.filter(step="adjustment").exists()
        assert amounts_of(untouched) == (D("4100.00"), D("410.00"), D("3690.00"))


def test_a_rejected_or_open_dispute_makes_no_adjustment(july, rep, manager):
    dispute_reject(actor=manager, dispute=open_on(july, "shortfall", "0"), answer="不同意")
    open_on(july, "scorecard", "4800")
    august = make_statement(rep, NEXT)
    assert statement_apply_adjustments(august) == []
    assert amounts_of(august) == (D("4100.00"), D("410.00"), D("3690.00"))


def test_released_adjustments_are_added_again_after_a_rerun(july, rep, manager):
    """A run replacing the draft's lines first lets the adjustment lines go, then adds them again."""
    august = make_statement(rep, NEXT)
    dispute = dispute_accept(actor=manager, dispute=open_on(july, "scorecard", "4800.00"))
    assert statement_release_adjustments(august) == 1
    dispute.refresh_from_db()
    assert dispute.adjustment_line is None
    august.lines.all().delete()
    fresh = make_statement(rep, "2031-10")  # the run's new lines, here on a statement of their own
    added = statement_apply_adjustments(fresh)
    assert [line.amount for line in added] == [D("300.00")]


def test_release_is_refused_for_a_statement_no_longer_draft(rep, manager):
    with pytest.raises(Conflict):
        statement_release_adjustments(make_statement(rep, status=S.SUBMITTED, submitted_by=manager))


# --- at the same moment (PostgreSQL) ---------------------------------------------------------------


def _together(*jobs) -> list:
    """Run ``jobs`` in threads released at once; each closes its connection. Returns what each
    returned or raised."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            outcomes[index] = job(barrier)
        except Exception as error:  # the outcome is what the test looks at
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_disputes_at_once_on_one_line_give_one_dispute_and_one_409(july, rep):
    line = line_of(july, "shortfall")

    def open_one(barrier):
        barrier.wait(timeout=10)
        return dispute_open(actor=rep, line=line, expected_amount="0", justification="同时提交")

    outcomes = _together(open_one, open_one)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "Dispute"]
    assert Dispute.objects.filter(line=line).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_acceptance_and_a_run_writing_the_next_draft_at_once_adjust_exactly_once(july, rep, manager):
    dispute = open_on(july, "scorecard", "4800.00")

    def accept(barrier):
        barrier.wait(timeout=10)
        return dispute_accept(actor=manager, dispute=dispute)

    def run(barrier):
        with transaction.atomic():  # what the run does: write the draft, then apply the adjustments
            august = make_statement(rep, NEXT)
            barrier.wait(timeout=10)
            statement_apply_adjustments(august)
        return august

    outcomes = _together(accept, run)
    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    august = Statement.objects.get(rep=rep, period=NEXT)
    dispute.refresh_from_db()
    assert dispute.adjustment_line.statement == august
    assert august.lines.filter(step="adjustment").count() == 1
    assert amounts_of(august) == (D("4400.00"), D("440.00"), D("3960.00"))
