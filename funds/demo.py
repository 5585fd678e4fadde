"""Demo channel funds (SPEC §10) — to be built."""

from __future__ import annotations


def demo_step(users: dict) -> str:
    return ""
