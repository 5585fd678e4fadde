"""Visit plans, visits, quotas and compliance (SPEC §4)."""
