"""Django admin for the commission models, one module per area (plans, runs, statements)."""

from commissions.admin import plans, runs, statements  # noqa: F401
