"""The commission models moved from ``kpi`` to ``commissions`` by a change of Django's state only: a database
populated before the move keeps every row, its history and its state log, and the content types follow.

The test migrates the database back to where it stood before the move (``kpi`` 0010, no ``commissions``),
writes rows through the models of that state (a plan, a run, a statement with a line, a dispute, their
history and a state change), migrates forward, and reads them through today's models.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from channelhub.workflow.models import StateChange
from commissions.models import CommissionPlan, CommissionRun, Dispute, Statement, StatementLine

BEFORE = [("kpi", "0010_scorecard_facts"), ("commissions", None), ("funds", None)]  # funds builds on the moved kpi
MOVED = ("commissionplan", "commissionrun", "statement", "statementline", "dispute", "historicalstatement")


def migrate(targets):
    """Migrate to ``targets``; answer the models of the state reached (every app at its latest, but for
    the targets)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    executor.loader.build_graph()
    pinned = {app for app, _name in targets}
    nodes = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in pinned]
    return executor.loader.project_state(nodes + [target for target in targets if target[1]]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_every_row_its_history_and_its_state_log(rep, finance):
    old = migrate(BEFORE)
    with pytest.raises(LookupError):
        old.get_model("commissions", "Statement")
    content_types = old.get_model("contenttypes", "ContentType")
    assert set(content_types.objects.filter(app_label="kpi", model__in=MOVED).values_list("model", flat=True)) == set(
        MOVED
    ), "before the move the content types are kpi's"

    plan = old.get_model("kpi", "CommissionPlan").objects.create(name="Standard", retention=Decimal("10.00"))
    run = old.get_model("kpi", "CommissionRun").objects.create(period="2026-10", total=1, done=1, status="done")
    statement = old.get_model("kpi", "Statement").objects.create(
        rep_id=rep.pk,
        period="2026-10",
        kind="monthly",
        plan=plan,
        run=run,
        status="approved",
        base_amount=Decimal("60000.00"),
        gross_amount=Decimal("1300.00"),
        net_amount=Decimal("1300.00"),
        retained_amount=Decimal("130.00"),
        payable_amount=Decimal("1170.00"),
    )
    line = old.get_model("kpi", "StatementLine").objects.create(
        statement=statement, position=1, step="base", inputs={"sales": "60000.00"}, amount=Decimal("60000.00")
    )
    dispute = old.get_model("kpi", "Dispute").objects.create(
        line=line, rep_id=rep.pk, expected_amount=Decimal("61000.00"), justification="A sale is missing."
    )
    old.get_model("kpi", "HistoricalStatement").objects.create(
        id=statement.pk,
        rep_id=rep.pk,
        period="2026-10",
        kind="monthly",
        plan_id=plan.pk,
        run_id=run.pk,
        status="submitted",
        base_amount=Decimal("60000.00"),
        gross_amount=Decimal("1300.00"),
        deductions_amount=Decimal("0.00"),
        net_amount=Decimal("1300.00"),
        retained_amount=Decimal("130.00"),
        payable_amount=Decimal("1170.00"),
        carried_forward=Decimal("0.00"),
        created_at=timezone.now(),
        history_date=timezone.now(),
        history_type="~",
        history_user_id=finance.pk,
    )
    statement_type = content_types.objects.get(app_label="kpi", model="statement")
    old.get_model("workflow", "StateChange").objects.create(
        content_type_id=statement_type.pk,
        object_id=statement.pk,
        transition="approve",
        from_state="submitted",
        to_state="approved",
        by_id=finance.pk,
    )

    migrate(latest())

    # every row, read through today's models, with its figures and relations
    moved = Statement.objects.select_related("plan", "run").get(pk=statement.pk)
    assert (moved.rep_id, moved.period, moved.status, moved.payable_amount) == (
        rep.pk,
        "2026-10",
        "approved",
        Decimal("1170.00"),
    )
    assert (moved.plan.name, moved.plan.retention, moved.run.status) == ("Standard", Decimal("10.00"), "done")
    assert list(moved.lines.values_list("position", "amount", "inputs")) == [
        (1, Decimal("60000.00"), {"sales": "60000.00"})
    ]
    assert Dispute.objects.get(pk=dispute.pk).line_id == line.pk
    assert (CommissionPlan.objects.count(), CommissionRun.objects.count(), StatementLine.objects.count()) == (1, 1, 1)
    # its history and its state log: the content type itself was relabelled, so the log still points at it
    assert list(moved.history.values_list("status", "history_user_id")) == [("submitted", finance.pk)]
    assert ContentType.objects.get_for_model(Statement).pk == statement_type.pk
    change = StateChange.objects.for_object(moved).get()
    assert (change.object, change.to_state, change.by_id) == (moved, "approved", finance.pk)
    assert not ContentType.objects.filter(app_label="kpi", model__in=MOVED).exists()
