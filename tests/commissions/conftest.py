"""Shared KPI test world: the visit world's dealers (``d``: A1…A9 owned by ``rep`` in SH-PD, P1 by
``rep_peer`` in JS-NJ, O1 by ``other_rep`` in GD-GZ), product lines (``lines``: kitchen, water, hvac)
and the default scorecard templates (``templates``: MBO and BSC, as migration 0002 makes them —
a flushed test database does not have them, so ask for this fixture)."""

from __future__ import annotations

import pytest

from kpi.scorecard_defaults import ensure_default_templates


@pytest.fixture
def templates(db):
    from kpi.models import ScorecardTemplate

    ensure_default_templates()
    return {template.code: template for template in ScorecardTemplate.objects.prefetch_related("items")}
