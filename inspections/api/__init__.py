"""The inspection endpoints (SPEC §17) on the API router."""
