import pytest

from tests.authz.world import build_world, settle


@pytest.fixture
def everyone(everyone, inspector):
    """The root conftest's people and an ``inspector`` (group inspector) covering ``manager``'s territory
    (EAST): it sees rep's dealer, read-only."""
    return everyone | {"inspector": inspector}


@pytest.fixture
def world(everyone, covered, lines):
    """``rep``'s object of every kind (``world["mine"]``), ``rep_peer``'s and ``other_rep``'s (see ``world.py``)."""
    return build_world(everyone, covered, lines)


@pytest.fixture(params=["fresh", "settled"])
def any_world(request, world, everyone):
    """The world as built (actions possible) and settled (``world.settle``: actions refused by the state)."""
    if request.param == "settled":
        settle(world, everyone)
    return world
