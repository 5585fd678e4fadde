from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = _("Commissions")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.navigation import BOOKKEEPERS, EVERYONE, STAFF, NavItem, register_nav
        from channelhub.registry import register_app
        from channelhub.workflow.notes import register_note

        # the pages keep the addresses they had under /kpi/
        register_app(
            self,
            prefix="kpi/",
            api=("commissions.api.runs", "commissions.api.statements", "commissions.api.plans"),
            demo=40,
        )
        register_note("run_computed", _("Computed by run #%(run)s."))
        register_note("year_end_settlement", _("Year-end settlement %(year)s"))
        commissions = _("Commissions")
        register_nav(
            NavItem(_("Statements"), "commissions:statement-list", EVERYONE, commissions, order=400),
            NavItem(_("Approval queue"), "commissions:approval-queue", BOOKKEEPERS, commissions, order=410),
            NavItem(_("Disputes"), "commissions:dispute-list", EVERYONE, commissions, order=420),
            NavItem(_("Commission runs"), "commissions:run-list", STAFF, commissions, order=430),
            NavItem(_("Periods"), "commissions:period-list", BOOKKEEPERS, commissions, order=440),
        )
