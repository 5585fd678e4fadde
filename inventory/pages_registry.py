"""The app's navigation entries, dealer-page section and dashboard panels (filled in by the pages)."""

from __future__ import annotations


def register() -> None:
    return None
