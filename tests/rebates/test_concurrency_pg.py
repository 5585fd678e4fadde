"""Two finance users approving the same rebate settlement at the same moment (SPEC §6 "two approvals at the same
moment give one approval and one clear refusal", §15): one 200, one 409 — on PostgreSQL, through the API, with real
concurrent transactions in threads (the row lock of ``rebates.services.settlements``)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from channelhub.workflow.models import StateChange
from rebates.models import RebateSettlement
from rebates.periods import RebatePeriod
from rebates.services.compute import compute_many
from rebates.services.runs import settlements_write_drafts
from rebates.services.settlements import settlement_submit
from tests.rebates.world import record, sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*functions):
    start = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def run(index, function):
        try:
            start.wait(timeout=10)
            outcomes[index] = function()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def approve_as(user, settlement):
    def call():
        client = APIClient()
        client.force_authenticate(user=user)
        return client.post(f"/api/v1/rebate-settlements/{settlement.pk}/approve/", {}, format="json")

    return call


def test_two_finance_users_approving_one_settlement_at_once_one_200_one_409(
    dealers, covered, lines, manager, finance, finance_b, program
):
    f1 = dealers["F1"]
    sign(manager, finance, f1, covered["SH-PD"], [lines["kitchen"]], program)
    record(finance, "sales", f1, date(2026, 8, 10), "1040000.00", category="kitchen")
    computations = compute_many([f1.pk], RebatePeriod.parse("2026-Q3"))
    with transaction.atomic():  # as a run's chunk writes them
        settlements_write_drafts(run=None, period="2026-Q3", computations=computations)
    settlement = RebateSettlement.objects.get(dealer=f1)
    settlement_submit(actor=manager, settlement=settlement)

    responses = together(approve_as(finance, settlement), approve_as(finance_b, settlement))
    assert sorted(getattr(response, "status_code", response) for response in responses) == [200, 409], responses
    (refused,) = [response for response in responses if response.status_code == 409]
    assert refused.json()["current_state"] == "approved"
    settlement.refresh_from_db()
    assert settlement.status == "approved" and settlement.approved_by in (finance, finance_b)
    assert StateChange.objects.for_object(settlement).filter(transition="approve").count() == 1
