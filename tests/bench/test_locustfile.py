"""The load test's writes are valid (``bench/locustfile.py``): a visit it builds is accepted (201), the
same post again returns the first visit (200), and the correction it sends is accepted within the 24 h.
An error in ``make load`` then means an error of the app, not of the load test.

Locust patches the standard library with gevent when it is imported, so the bodies are built in a
subprocess and only the JSON comes back into the test process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from visits.models import Visit

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

BUILD = """
import json, random, sys
sys.path.insert(0, {root!r})
from bench import locustfile
dealers = json.loads(sys.argv[1])
rng = random.Random(3)
print(json.dumps([locustfile.visit_body(dealer, rng=rng) for dealer in dealers for _ in range(5)]))
"""


def bodies(dealers: list[list]) -> list[dict]:
    script = BUILD.format(root=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(dealers)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout)


def test_visits_the_load_test_logs_are_accepted(d, rep, api_as):
    dealers = [
        [d["A1"].pk, float(d["A1"].latitude), float(d["A1"].longitude)],
        [d["NOPOS"].pk, None, None],
    ]
    client = api_as(rep)
    posted = bodies(dealers)
    assert len(posted) == 10
    for body in posted:
        created = client.post("/api/v1/visits/", body, format="json")
        assert created.status_code == 201, created.json()
        # near the dealer, just now: nothing to flag — unless the phone sent no position
        expected = [] if body.get("latitude") else ["no_position"]
        assert created.json()["flags"] == expected
        again = client.post("/api/v1/visits/", body, format="json")
        assert again.status_code == 200
        assert again.json()["id"] == created.json()["id"]
    assert Visit.objects.filter(rep=rep).count() == 10

    visit = Visit.objects.filter(rep=rep).latest("pk")
    corrected = client.patch(
        f"/api/v1/visits/{visit.pk}/",
        {"summary": "Load test visit, corrected: the order was confirmed on the spot."},
        format="json",
    )
    assert corrected.status_code == 200, corrected.json()
