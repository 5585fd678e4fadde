"""``bench.evidence`` (the photo figures of ``make bench``) on a tiny bench data set: phone-sized photos go
onto the busiest manager's team's submitted visits through the service, each gets its copies, and the
figures are there. ``make bench`` runs it on the full data set in PostgreSQL."""

import pytest
from PIL import Image

from bench import dataset, evidence
from channelhub.periods import Month
from evidence.models import Attachment

pytestmark = pytest.mark.django_db


def test_photos_are_uploaded_and_copied_and_timed(monkeypatch):
    dataset.build(0.01, run_month=Month(2026, 6), months=2)
    monkeypatch.setattr(evidence, "SIDE", (800, 600))  # the shape of the measure, not its size, is tested here
    said = []
    result = evidence.measure(photos=2, log=said.append)
    assert result["photos"] == 2
    assert result["upload"]["median_s"] > 0 and result["copies"]["p95_s"] > 0
    made = list(Attachment.objects.order_by("pk"))
    assert len(made) == 2 and all(a.rendered_at and a.width == 800 for a in made)
    assert made[0].object_id != made[1].object_id and made[0].sha256 != made[1].sha256
    assert "2 photos of" in said[0]
    # a second measure replaces the bench's photos instead of adding to them
    evidence.measure(photos=1, log=said.append)
    assert Attachment.objects.count() == 1
    assert Image.MAX_IMAGE_PIXELS > 4032 * 3024  # the real size passes Pillow's limit
