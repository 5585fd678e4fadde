"""Channel funds in the REST API (SPEC §14) — to be built."""
