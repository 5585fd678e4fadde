from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Dealer stock and terminals")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.registry import register_app
        from inventory import pages_registry

        register_app(self, prefix="stock/", api=("inventory.api",), demo=80)
        pages_registry.register()
