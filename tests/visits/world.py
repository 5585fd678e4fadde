"""A small visit world on top of the partner world (``tests.partners.world``).

Dealers with coordinates (Shanghai Pudong around 31.2304 N, 121.4737 E):

* ``d["A1"]``, ``d["A2"]``, ``d["A3"]`` … ``d["A9"]`` owned by ``rep`` in SH-PD (manager's territory);
* ``d["P1"]`` owned by ``rep_peer`` in JS-NJ (manager's territory);
* ``d["O1"]`` owned by ``other_rep`` in GD-GZ (other_manager's territory);
* ``d["NOPOS"]`` owned by ``rep``, without coordinates.

``at(...)`` builds an aware datetime in Asia/Shanghai; ``log(...)`` logs a visit with sensible defaults.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.partners.world import make_dealer
from visits.models import Visit
from visits.services.rollups import Counted, visits_moved
from visits.services.visits import visit_log

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE_LAT, BASE_LON = Decimal("31.230400"), Decimal("121.473700")


def at(year, month, day, hour=10, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def d(covered, manager, rep, rep_peer, other_rep, other_manager):
    dealers = {}
    for n in range(1, 10):
        dealers[f"A{n}"] = make_dealer(
            manager,
            covered["SH-PD"],
            rep,
            f"A{n}",
            name=f"浦东经销商{n}",
            latitude=BASE_LAT + Decimal(n) / 1000,
            longitude=BASE_LON,
        )
    dealers["P1"] = make_dealer(
        manager, covered["JS-NJ"], rep_peer, "P1", name="南京经销商", latitude="32.060300", longitude="118.796900"
    )
    dealers["O1"] = make_dealer(
        other_manager,
        covered["GD-GZ"],
        other_rep,
        "O1",
        name="广州经销商",
        latitude="23.129100",
        longitude="113.264400",
    )
    dealers["NOPOS"] = make_dealer(manager, covered["SH-PD"], rep, "NOPOS", name="无坐标经销商")
    return dealers


def log(rep, dealer, visited_at, *, now=None, kind="maintenance", purpose="例行拜访", **fields):
    """Log a visit at ``visited_at`` (logged at ``now``, default: the same moment), at the dealer's position."""
    fields.setdefault("latitude", dealer.latitude)
    fields.setdefault("longitude", dealer.longitude)
    fields.setdefault("client_uuid", uuid.uuid4())
    visit, _created = visit_log(
        rep=rep, dealer=dealer, visited_at=visited_at, kind=kind, purpose=purpose, now=now or visited_at, **fields
    )
    return visit


def set_status(visits, status: str) -> None:
    """Give ``visits`` the status straight (no review, no log), keeping the roll-up's counts as a review would."""
    for visit in visits:
        before = Counted.of(visit)
        Visit.objects.filter(pk=visit.pk).update(status=status)
        visit.status = status
        visits_moved((before, Counted.of(visit)))
