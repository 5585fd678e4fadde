from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RebatesConfig(AppConfig):
    name = "rebates"
    verbose_name = _("Rebates and dealer accounts")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.registry import register_app
        from channelhub.workflow.notes import register_note
        from rebates.accounts_registry import register_accounts

        register_app(self, prefix="rebates/", api=("rebates.api",), demo=70)
        register_note("rebate_run_computed", _("Computed by rebate run #%(run)s."))
        register_accounts()
        from rebates import pages_registry

        pages_registry.register()
