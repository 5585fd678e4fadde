from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        """Plug the app into the core's registries. The objects that take evidence register themselves
        (``evidence.registry.register_target``) from their own apps."""
        from channelhub.registry import register_api
        from evidence import policies  # noqa: F401  (the scope rule of attachments)

        # files stream from the API (a session or a token), never from a public media URL
        register_api("evidence.api")
