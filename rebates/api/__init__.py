"""Rebates in the REST API (SPEC §8, §15), one module per resource: ``programs`` (``rebate-programs/``), ``runs``
(``rebate-runs/``), ``settlements`` (``rebate-settlements/``). Importing the package registers every viewset on
the shared router."""

from rebates.api import programs, runs, settlements  # noqa: F401
