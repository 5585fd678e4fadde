"""factory_boy factories for the frame. Users are made through the ``user_create`` service."""

import factory
from django.contrib.auth import get_user_model

from channelhub.accounts.services import user_create

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
