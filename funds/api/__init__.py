"""Channel funds in the REST API (SPEC §8, §14), one module per area: ``budgets`` (``fund-budgets/`` and their
import), ``requests`` (``fund-requests/``, ``fund-claims/``), ``deposits`` (``deposits/``), ``materials``
(``materials/``, ``material-issues/``, ``material-counts/``). Reads go through ``funds.selectors`` (scoped: out
of scope is a 404), writes through ``funds.services``; the rules are theirs, and their errors become HTTP in
``channelhub.api.exceptions``. Importing the package registers every viewset on the shared router."""

from funds.api import budgets, deposits, materials, requests  # noqa: F401
