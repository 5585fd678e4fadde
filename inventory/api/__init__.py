"""Dealer stock in the REST API (SPEC §8, §16), one module per resource: ``reports`` (``stock-reports/`` with its
actions, import and export), ``health`` (``stock-health/``), ``terminals`` (``terminals/pareto/``,
``terminals/pareto/run/`` and ``coverage/``). Reads go through ``inventory.selectors`` (scoped: out of scope is a
404), writes through ``inventory.services``. Importing the package registers every viewset on the shared router."""

from inventory.api import health, reports, terminals  # noqa: F401

#: Views that are not viewsets (``coverage/``); ``channelhub.api.urls`` mounts them.
urlpatterns = terminals.urlpatterns
