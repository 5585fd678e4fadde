from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.dashboard import register_panel
        from channelhub.navigation import FIELD, REVIEWERS, NavItem, register_nav
        from channelhub.registry import register_app
        from channelhub.roles import Role
        from visits import dashboard

        register_app(self, prefix="visits/", api=("visits.api",), demo=20)
        register_evidence()
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


def register_evidence() -> None:
    """A visit takes photos (SPEC §13): checked against its time and its dealer's position; their flags
    put the visit in the manager's review queue."""
    from django.urls import reverse

    from evidence.models import Attachment
    from evidence.registry import EvidenceTarget, register_target
    from visits.models import Visit
    from visits.policies import check_add_photos
    from visits.services.visits import visit_apply_photo_flags

    register_target(
        EvidenceTarget(
            model=Visit,
            kinds=(Attachment.Kind.PHOTO,),
            check_attach=check_add_photos,
            reference_time=lambda visit: visit.visited_at,
            dealer=lambda visit: visit.dealer,
            flags_changed=visit_apply_photo_flags,
            url=lambda visit: reverse("visits:visit-detail", args=[visit.pk]),
            select=("dealer",),
        )
    )
