"""Helpers of the demo's tests (``seed_demo``, SPEC §10): seed it, read every row of the project, and run
the project at another moment. ``tests/test_seed_demo.py`` checks the demo seeded twice once; the
tests that need a demo seeded otherwise (another day, rows of the users) are in ``tests/channelhub``."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

#: Tables of the framework (sessions, login attempts, permissions) hold nothing of the demo's.
UNTRACKED_APPS = ("sessions", "axes", "contenttypes", "admin", "auth")
#: Sums kept beside the rows they sum: they grow when the demo adds the days since (``rollups_agree`` checks them).
ROLLUPS = ("kpi.RepMonthTotal", "kpi.DealerMonthTotal", "visits.VisitMonth")


def seed(**options):
    call_command("seed_demo", quiet_logins=True, **options)


def snapshot() -> dict[str, dict]:
    """Every row of every table of the project, by table and primary key."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in UNTRACKED_APPS or model._meta.label in ROLLUPS:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        tables[model._meta.label] = {row[0]: row for row in model._default_manager.order_by().values_list(*columns)}
    return tables


def changed_rows(before: dict[str, dict], after: dict[str, dict]) -> dict[str, list]:
    """Rows of ``before`` that ``after`` lacks or holds otherwise, by table."""
    changed = {}
    for label, rows in before.items():
        different = [pk for pk, row in rows.items() if after[label].get(pk) != row]
        if different:
            changed[label] = different
    return changed


@contextmanager
def clock_at(moment: datetime):
    """The whole project (``timezone.now``, hence ``localdate`` and ``auto_now``) at ``moment`` and on."""
    real_now = timezone.now
    offset = moment - real_now()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: real_now() + offset):
        yield


def rollups_agree() -> bool:
    """The roll-ups equal a recomputation from the facts and visits."""
    from kpi.services.rollups import rollups_differences
    from visits.services.rollups import visit_rollups_differences

    return not any(rollups_differences().values()) and not visit_rollups_differences()
