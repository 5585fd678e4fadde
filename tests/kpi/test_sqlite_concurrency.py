"""``make run``'s SQLite under concurrent requests (security hardening): 12 approvals of one statement at
the same moment give one 200 and eleven 409, as on PostgreSQL — in a fresh Python on a file database
(the suite's in-memory SQLite shares one connection's locks and cannot show it)."""

from __future__ import annotations

import json
import textwrap

from tests.channelhub.test_settings import run_python

SCRIPT = textwrap.dedent(
    """
    import json, threading
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    call_command("migrate", verbosity=0)
    from channelhub.accounts.services import user_create
    from channelhub.roles import Role
    from commissions.models import Statement
    from django.utils import timezone

    manager = user_create(username="boss", password="Pass-2026-x", name="经理", roles=[Role.CHANNEL_MANAGER])
    rep = user_create(username="rep", password="Pass-2026-x", name="业务员", roles=[Role.FIELD_REP], manager=manager)
    payers = [user_create(username=f"fin{n}", password="Pass-2026-x", name=f"财务{n}", roles=[Role.FINANCE])
              for n in range(12)]
    statement = Statement.objects.create(
        rep=rep, period="2026-10", status="submitted", submitted_by=manager, submitted_at=timezone.now()
    )
    connection.close()
    start, answers = threading.Barrier(12), []

    def approve(user):
        client = Client()
        client.force_login(user)
        start.wait()
        response = client.post(f"/api/v1/commission-statements/{statement.pk}/approve/", {},
                               content_type="application/json")
        answers.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in payers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statement.refresh_from_db()
    from channelhub.workflow.models import StateChange
    approvals = StateChange.objects.filter(object_id=statement.pk, transition="approve").count()
    print(json.dumps({"answers": sorted(answers), "status": statement.status, "approvals": approvals}))
    """
)


def test_twelve_parallel_approvals_on_sqlite_give_one_approval_and_eleven_409(tmp_path):
    result = run_python(SCRIPT, DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}", ALLOWED_HOSTS="testserver")
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"answers": [200] + [409] * 11, "status": "approved", "approvals": 1}
