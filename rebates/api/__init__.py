"""Rebates in the REST API (SPEC §8, §15)."""
