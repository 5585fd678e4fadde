"""Rebates in the REST API (SPEC §8, §15), one module per resource: ``programs`` (``rebate-programs/``), ``runs``
(``rebate-runs/``), ``settlements`` (``rebate-settlements/``), ``accounts`` (``dealer-accounts/``, ``aging/``).
Importing the package registers every viewset on the shared router."""

from rebates.api import accounts, programs, runs, settlements  # noqa: F401
