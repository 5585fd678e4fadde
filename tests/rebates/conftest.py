"""Fixtures of the rebates tests: the settlements of the pages' world (``tests.rebates.pages_world``)."""

from tests.rebates.pages_world import settlements  # noqa: F401
