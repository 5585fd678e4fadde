from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("KPI and commissions")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.dashboard import register_panel
        from channelhub.navigation import BOOKKEEPERS, EVERYONE, STAFF, NavItem, register_nav
        from channelhub.registry import register_api, register_demo, register_pages
        from channelhub.roles import Role
        from channelhub.workflow.notes import register_note
        from kpi import dashboard, demo, demo_commissions, policies  # noqa: F401  (scope rules register on import)
        from kpi.notifications import register_kinds
        from kpi.todos import register_todos

        register_kinds()
        register_todos()
        register_note("run_computed", _("Computed by run #%(run)s."))
        register_note("year_end_settlement", _("Year-end settlement %(year)s"))
        register_pages("kpi/", "kpi.urls")
        register_api(
            "kpi.api.facts",
            "kpi.api.targets",
            "kpi.api.scorecards",
            "kpi.api.runs",
            "kpi.api.statements",
            "kpi.api.plans",
        )
        register_demo(30, demo.demo_step)
        register_demo(40, demo_commissions.demo_step)
        register_panel(Role.FIELD_REP, dashboard.rep_panel, order=200)
        register_panel(Role.CHANNEL_MANAGER, dashboard.manager_panel, order=200)
        register_panel(Role.FINANCE, dashboard.finance_panel, order=200)
        performance, commissions = _("Performance"), _("Commissions")
        register_nav(
            NavItem(_("Targets"), "kpi:target-list", EVERYONE, performance, order=300),
            NavItem(_("Scorecards"), "kpi:scorecard-list", EVERYONE, performance, order=310),
            NavItem(_("Measures"), "kpi:measures", EVERYONE, performance, order=320),
            NavItem(_("Sales"), "kpi:sales-list", EVERYONE, performance, order=330),
            NavItem(_("Collections"), "kpi:collection-list", EVERYONE, performance, order=340),
            NavItem(_("Expenses"), "kpi:expense-list", EVERYONE, performance, order=350),
            NavItem(_("Channel conflicts"), "kpi:conflicts", STAFF, performance, order=360),
            NavItem(_("Imports"), "kpi:import", BOOKKEEPERS, performance, order=370),
            NavItem(_("Statements"), "kpi:statement-list", EVERYONE, commissions, order=400),
            NavItem(_("Approval queue"), "kpi:approval-queue", BOOKKEEPERS, commissions, order=410),
            NavItem(_("Disputes"), "kpi:dispute-list", EVERYONE, commissions, order=420),
            NavItem(_("Commission runs"), "kpi:run-list", STAFF, commissions, order=430),
            NavItem(_("Periods"), "kpi:period-list", BOOKKEEPERS, commissions, order=440),
        )
