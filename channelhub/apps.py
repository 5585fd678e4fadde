from django.apps import AppConfig


class ChannelhubConfig(AppConfig):
    """The core: what every domain app relies on (the database layer's additions in ``channelhub.db``)."""

    name = "channelhub"
    verbose_name = "channelhub"

    def ready(self) -> None:
        from channelhub.db import register_lookups

        register_lookups()
