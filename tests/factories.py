"""factory_boy factories for the frame. Users are made through the ``user_create`` service."""

import factory
from django.contrib.auth import get_user_model

from channelhub.accounts.services import user_create
from channelhub.roles import Role

PASSWORD = "test-pass-123"


class UserFactory(factory.Factory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n:03d}")
    name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = PASSWORD
    roles = ()
    employee_no = factory.Sequence(lambda n: f"T{n:04d}")
    manager = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return user_create(**kwargs)


#: The people of the suite (``conftest.py``'s fixtures): key → (username, name, role, key of the manager).
PEOPLE = {
    "manager": ("manager_a", "陈经理", Role.CHANNEL_MANAGER, None),
    "other_manager": ("manager_b", "黄经理", Role.CHANNEL_MANAGER, None),
    "rep": ("rep_a1", "张伟", Role.FIELD_REP, "manager"),
    "rep_peer": ("rep_a2", "李娜", Role.FIELD_REP, "manager"),
    "other_rep": ("rep_b1", "刘洋", Role.FIELD_REP, "other_manager"),
    "finance": ("finance", "孙财务", Role.FINANCE, None),
    "admin": ("admin", "管理员", Role.ADMIN, None),
}


def make_person(key: str, manager=None):
    username, name, role, _manager_key = PEOPLE[key]
    extra = {"manager": manager} if manager is not None else {}
    return UserFactory(username=username, name=name, roles=[role], **extra)


def make_everyone() -> dict:
    """Every one of ``PEOPLE``, made in the order the ``everyone`` fixture makes them."""
    people = {}
    for key in ("manager", "rep", "rep_peer", "other_manager", "other_rep", "finance", "admin"):
        manager_key = PEOPLE[key][3]
        people[key] = make_person(key, people[manager_key] if manager_key else None)
    return people
