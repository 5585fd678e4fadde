"""The inspection endpoints (SPEC §8, §17) on the API router, one module per resource: ``inspections``
(``checklist-templates/``, ``inspections/`` with ``sample/``, ``results/``, ``complete/``, ``review/``, and
``inspection-results/`` with ``attachments/``), ``rectifications`` and ``complaints``. Reads go through
``inspections.selectors`` (out of scope is a 404), writes through ``inspections.services``. Importing the package
registers every viewset on the shared router."""

from inspections.api import complaints, inspections, rectifications  # noqa: F401
