from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("KPI and commissions")

    def ready(self) -> None:
        from channelhub.workflow.notes import register_note
        from kpi.notifications import register_kinds
        from kpi.todos import register_todos

        register_kinds()
        register_todos()
        register_note("run_computed", _("Computed by run #%(run)s."))
        register_note("year_end_settlement", _("Year-end settlement %(year)s"))
