from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("KPI")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.dashboard import register_panel
        from channelhub.navigation import BOOKKEEPERS, EVERYONE, STAFF, NavItem, register_nav
        from channelhub.registry import register_app
        from channelhub.roles import Role
        from kpi import dashboard

        register_app(self, prefix="kpi/", api=("kpi.api.facts", "kpi.api.targets", "kpi.api.scorecards"), demo=30)
        register_panel(Role.FIELD_REP, dashboard.rep_panel, order=200)
        register_panel(Role.CHANNEL_MANAGER, dashboard.manager_panel, order=200)
        register_panel(Role.FINANCE, dashboard.finance_panel, order=200)
        performance = _("Performance")
        register_nav(
            NavItem(_("Targets"), "kpi:target-list", EVERYONE, performance, order=300),
            NavItem(_("Scorecards"), "kpi:scorecard-list", EVERYONE, performance, order=310),
            NavItem(_("Measures"), "kpi:measures", EVERYONE, performance, order=320),
            NavItem(_("Sales"), "kpi:sales-list", EVERYONE, performance, order=330),
            NavItem(_("Collections"), "kpi:collection-list", EVERYONE, performance, order=340),
            NavItem(_("Expenses"), "kpi:expense-list", EVERYONE, performance, order=350),
            NavItem(_("Channel conflicts"), "kpi:conflicts", STAFF, performance, order=360),
            NavItem(_("Imports"), "kpi:import", BOOKKEEPERS, performance, order=370),
        )
