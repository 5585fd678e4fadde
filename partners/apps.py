from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.navigation import NavItem, register_nav
        from channelhub.registry import register_app
        from channelhub.workflow.notes import register_note

        register_app(self, prefix="partners/", api=("partners.api",), demo=10)
        register_note("first_agreement_signed", _first_agreement_note)
        register_nav(
            NavItem(_("Dealers"), "partners:dealer-list", order=100),
            NavItem(_("Agreements"), "partners:agreement-list", order=110),
        )


def _first_agreement_note(params) -> str:
    if "number" in params:
        return _("First agreement signed: agreement #%(number)s") % params
    return _("First agreement signed: %(agreement)s") % params  # notes written before the number was kept
