"""Territories, dealers, qualification reviews and agreements (SPEC §3)."""
