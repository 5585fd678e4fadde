"""Fixtures of the funds tests: the world of ``tests.funds.api_world`` (dealers, budgets)."""

from tests.funds.api_world import fw  # noqa: F401
