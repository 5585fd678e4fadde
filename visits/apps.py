from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from visits.notifications import register_kinds
        from visits.todos import register_todos

        register_kinds()
        register_todos()
