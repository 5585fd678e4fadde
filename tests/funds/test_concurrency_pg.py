"""Two finance users approving the last of a budget at the same moment (SPEC §14): one wins, the other gets
the 409 naming the remaining — on PostgreSQL, with real concurrent transactions in threads."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from channelhub.errors import Conflict
from funds.models import FundRequest
from funds.selectors import budget_figures
from funds.services.requests import request_approve, request_submit
from tests.funds.base import budget, draft

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


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


def test_two_finance_users_approving_the_last_of_a_budget_at_once_one_wins(
    covered, dealers, rep, manager, finance, finance_b
):
    q4 = budget(finance, covered["SH"], "50000.00", quarter=4)
    requests = []
    for dealer in (dealers["F1"], dealers["F2"]):
        request = draft(rep, dealer, "30000.00")  # each alone fits; both need 60,000.00 of 50,000.00
        request_submit(actor=rep, request=request)
        requests.append(request_approve(actor=manager, request=request))
    outcomes = together(
        lambda: request_approve(actor=finance, request=requests[0]),
        lambda: request_approve(actor=finance_b, request=requests[1]),
    )
    kinds = sorted(type(outcome).__name__ for outcome in outcomes)
    assert kinds == ["Conflict", "FundRequest"], outcomes
    (refusal,) = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert refusal.extra["remaining"] == "20000.00"  # 50,000.00 − 30,000.00
    assert FundRequest.objects.filter(status="approved").count() == 1
    assert budget_figures(q4) == (D("30000.00"), D("0.00"), D("20000.00"))
