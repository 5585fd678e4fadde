"""Rebates in the REST API (SPEC §8, §15)."""

from rebates.api import accounts  # noqa: F401
