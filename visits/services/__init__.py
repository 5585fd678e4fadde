"""Visit writes and computations: ``visits`` (log, edit, review), ``plans`` (week plans) and
``compliance`` (quotas and compliance)."""
