"""The matrix's people and world, built once for each test module (a module's tests run on one database
state: each test in a savepoint rolled back after it) instead of once for each test.

The module's transaction is rolled back at its end, so the tests of other modules start from an empty
database as before. Each test gets its own copies of the people and the world's objects (``copy.deepcopy``):
what one test changes in them (``settle``, a login) neither reaches the next test nor the database.
"""

import copy

import pytest
from django.db import transaction

from channelhub.roles import Role
from tests.authz.world import build_world, settle
from tests.factories import UserFactory, make_everyone
from tests.partners.world import make_lines, make_tree


@pytest.fixture(scope="module")
def _built_world(django_db_setup, django_db_blocker):
    """(people, world) as the ``everyone``, ``covered`` and ``lines`` fixtures and ``build_world`` make them,
    in a transaction rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        people = make_everyone()
        tree = make_tree()
        people["manager"].profile.territories.add(tree["EAST"])  # the ``covered`` fixture
        people["other_manager"].profile.territories.add(tree["SOUTH"])
        # an inspector (SPEC §17) covering manager's territory: it sees rep's dealer, read only
        people["inspector"] = UserFactory(username="inspector_e", name="周巡检", roles=[Role.INSPECTOR])
        people["inspector"].profile.territories.add(tree["EAST"])
        world = build_world(people, tree, make_lines())
        yield people, world
        transaction.set_rollback(True)


@pytest.fixture
def _world_and_people(_built_world, db):
    """This test's copies of the module's people and world (one deepcopy: the world's users are the people)."""
    return copy.deepcopy(_built_world)


@pytest.fixture
def everyone(_world_and_people):
    """The people of the suite (``conftest.py``), made once for the module."""
    return _world_and_people[0]


@pytest.fixture
def world(_world_and_people):
    """``rep``'s object of every kind (``world["mine"]``), ``rep_peer``'s and ``other_rep``'s (see ``world.py``)."""
    return _world_and_people[1]


@pytest.fixture(params=["fresh", "settled"])
def any_world(request, world, everyone):
    """The world as built (actions possible) and settled (``world.settle``: actions refused by the state)."""
    if request.param == "settled":
        settle(world, everyone)
    return world
