from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from channelhub.workflow.notes import register_note
        from partners.notifications import register_kinds
        from partners.todos import register_todos

        register_kinds()
        register_todos()
        register_note("first_agreement_signed", _first_agreement_note)


def _first_agreement_note(params) -> str:
    if "number" in params:
        return _("First agreement signed: agreement #%(number)s") % params
    return _("First agreement signed: %(agreement)s") % params  # notes written before the number was kept
