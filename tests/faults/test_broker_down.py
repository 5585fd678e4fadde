"""Redis stopped (SPEC §9, §11 "bad input gets a clear error and changes nothing"): pages and the API keep
serving, starting a run answers 503 with a clear message and writes nothing, and runs work again once
Redis is back — against a private ``redis-server`` that the test stops and starts on its own port."""

from __future__ import annotations

import html
import time

import pytest
from django.conf import settings
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext

from commissions.models import CommissionRun, Statement, StatementLine
from commissions.services.runs import run_queue
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, OTHER_JULY, PEER_JULY, REP_JULY, amounts, monthly
from tests.workers import celery_sends_to, new_queue, requires_redis_server, wait_for_run

july = runs_world.july
run_now = runs_world.run_now
pytestmark = [pytest.mark.postgres, requires_redis_server, pytest.mark.django_db(transaction=True)]

RUNS = "/api/v1/commission-runs/"
#: A refusal must come quickly: the broker check gives up within about 3 s.
ANSWER_WITHIN = 5.0
REFUSAL = (
    "The task queue (Redis) cannot be reached, so the commission run was not started and nothing was saved. "
    "Try again in a few minutes; if it keeps happening, tell your administrator."
)


def written() -> tuple:
    """Everything a run writes: runs, statements, lines and the latest computation time."""
    return (
        CommissionRun.objects.count(),
        Statement.objects.count(),
        StatementLine.objects.count(),
        Statement.objects.aggregate(latest=Max("computed_at"))["latest"],
    )


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def test_with_redis_stopped_pages_serve_a_run_is_refused_with_503_and_runs_work_once_redis_is_back(
    july, run_now, private_redis, workers, client, client_as, api_as, finance, manager, rep, rep_peer, other_rep
):
    first = run_now(finance)  # eagerly, before the broker is involved: statements to look at
    statement = monthly(rep)
    queue = new_queue()

    with celery_sends_to(private_redis.url(), queue):
        assert client.get("/healthz").json()["broker"] == "ok"  # this process talks to the private Redis
        private_redis.stop()

        # Pages and API lists keep serving.
        for url in ("/", "/kpi/runs/", f"/kpi/runs/{first.pk}/", f"/kpi/statements/{statement.pk}/"):
            assert client_as(finance).get(url).status_code == 200, url
        assert client_as(rep).get(f"/kpi/statements/{statement.pk}/").status_code == 200
        for url in (RUNS, "/api/v1/commission-statements/", "/api/v1/dealers/", "/api/v1/sales/"):
            assert api_as(finance).get(url).status_code == 200, url
        health = client.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"db": "ok", "broker": "unreachable"})

        # The API refuses a run with 503, a clear message, and writes nothing.
        before = written()
        response, seconds = timed(
            lambda: api_as(manager).post(RUNS, {"period": JULY}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        )
        assert response.status_code == 503 and seconds < ANSWER_WITHIN, (response.status_code, seconds)
        assert response.json() == {"detail": REFUSAL}
        assert int(response["Retry-After"]) > 0
        assert written() == before

        # The page shows the same refusal on its form (in the deployment's language) and writes nothing.
        page, seconds = timed(lambda: client_as(finance).post("/kpi/runs/new/", {"period": JULY}))
        assert page.status_code == 503 and seconds < ANSWER_WITHIN, (page.status_code, seconds)
        with translation.override("zh-hans"):
            shown = gettext(REFUSAL)
        assert html.escape(shown) in page.content.decode()
        assert f'value="{JULY}"' in page.content.decode()  # the month as typed, to try again
        assert written() == before

        # Should the broker fall over between the check and the commit, the run fails saying so.
        raced = CommissionRun.objects.create(period=JULY, started_by=finance, total=3)
        _nothing, seconds = timed(lambda: run_queue(raced.pk))
        raced.refresh_from_db()
        with translation.override(settings.LANGUAGE_CODE):
            saying_so = gettext("The run could not be queued: %(error)s") % {"error": ""}
        assert raced.status == "failed" and raced.error.startswith(saying_so.strip()) and seconds < ANSWER_WITHIN

        # Redis back on the same port: a run is accepted and a worker on that Redis carries it out.
        private_redis.start()  # the same port
        worker = workers(private_redis.url(), queue=queue)
        response = api_as(finance).post(RUNS, {"period": JULY}, format="json")
        assert response.status_code == 202, response.content
        run = wait_for_run(response.json()["id"], worker)

    assert (run.status, run.total, run.done, run.error) == ("done", 3, 3, "")
    assert Statement.objects.filter(period=JULY).count() == 3
    assert [amounts(monthly(who)) for who in (rep, rep_peer, other_rep)] == [REP_JULY, PEER_JULY, OTHER_JULY]
    assert {monthly(who).run_id for who in (rep, rep_peer, other_rep)} == {run.pk}
    assert [s.lines.count() for s in Statement.objects.all()] == [5, 5, 5]
