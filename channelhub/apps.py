from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ChannelhubConfig(AppConfig):
    """The core: what every domain app relies on (the database layer's additions in ``channelhub.db``)."""

    name = "channelhub"
    verbose_name = "channelhub"

    def ready(self) -> None:
        from channelhub.db import register_lookups
        from channelhub.registry import register_api

        register_lookups()
        register_api("channelhub.accounts.api")  # the core's API, before the apps' (they come later)


class ChannelhubAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our site (``channelhub.admin.ChannelhubAdminSite``) as the default one."""

    default = False  # "channelhub" in INSTALLED_APPS still means ChannelhubConfig
    default_site = "channelhub.admin.ChannelhubAdminSite"
