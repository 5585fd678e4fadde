"""Demo data of inspections (``seed_demo`` step 90)."""

from __future__ import annotations


def demo_step(users: dict) -> str:
    return ""
