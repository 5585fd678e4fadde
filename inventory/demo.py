"""Demo stock reports (SPEC §10, §16)."""

from __future__ import annotations


def demo_step(users: dict) -> str:
    return ""
