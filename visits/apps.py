from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.dashboard import register_panel
        from channelhub.navigation import FIELD, REVIEWERS, NavItem, register_nav
        from channelhub.registry import register_api, register_demo, register_pages
        from channelhub.roles import Role
        from visits import dashboard, policies  # noqa: F401  (the scope rules register on import)
        from visits.demo import demo_step
        from visits.notifications import register_kinds
        from visits.todos import register_todos

        register_kinds()
        register_todos()
        register_pages("visits/", "visits.urls")
        register_api("visits.api")
        register_demo(20, demo_step)
        # the manager's panel reads the team once and hands its field reps on (``reps``) to later panels
        register_panel(Role.FIELD_REP, dashboard.rep_panel, order=100)
        register_panel(Role.CHANNEL_MANAGER, dashboard.manager_panel, order=100)
        group = _("Field visits")
        register_nav(
            NavItem(_("New visit"), "visits:visit-create", frozenset({Role.FIELD_REP}), group, order=200),
            NavItem(_("Visits"), "visits:visit-list", FIELD, group, order=210),
            NavItem(_("Week plans"), "visits:plan-list", FIELD, group, order=220),
            NavItem(_("Review"), "visits:review", REVIEWERS, group, order=230),
            NavItem(_("Compliance"), "visits:compliance", FIELD, group, order=240),
        )
