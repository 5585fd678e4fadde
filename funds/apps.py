from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Channel funds")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.registry import register_app

        register_app(self, prefix="funds/", api=("funds.api",), demo=60)
        register_evidence()
        register_deposits()
        register_dealer_section()
        from funds import pages_registry

        pages_registry.register()


def register_evidence() -> None:
    """A claim takes photos of the activity and its invoices (SPEC §13, §14): the photos are checked against
    the dealer's position and for reuse; the claim keeps their flags for the checker."""
    from django.urls import reverse

    from evidence.models import Attachment
    from evidence.registry import EvidenceTarget, register_target
    from funds.models import FundClaim
    from funds.policies import check_add_evidence
    from funds.services.claims import claim_apply_photo_flags

    register_target(
        EvidenceTarget(
            model=FundClaim,
            kinds=(Attachment.Kind.PHOTO, Attachment.Kind.INVOICE),
            check_attach=check_add_evidence,
            dealer=lambda claim: claim.request.dealer,
            flags_changed=claim_apply_photo_flags,
            url=lambda claim: reverse("funds:request-detail", args=[claim.request_id]),
            select=("request", "request__dealer"),
        )
    )


def register_deposits() -> None:
    """A deposit finance confirms on an agreement is the ledger's ``received`` entry."""
    from partners.signals import deposit_confirmed

    deposit_confirmed.connect(_deposit_confirmed, dispatch_uid="funds.deposit_received")


def _deposit_confirmed(sender, agreement, actor, **kwargs) -> None:
    from funds.services.deposits import deposit_record_received

    deposit_record_received(agreement, by=actor)


def register_dealer_section() -> None:
    """The dealer page shows its channel funds: open requests, what was settled this year, the deposit's
    balance and the materials whose count is off by more than 5 %."""
    from partners.dealer_page import DealerSection, register_section

    register_section(DealerSection("funds", "funds/_dealer_section.html", _dealer_section, order=100))


def _dealer_section(user, dealer) -> dict:
    from funds import policies
    from funds.selectors import dealer_funds

    return {
        **dealer_funds(dealer.pk),
        "dealer_id": dealer.pk,
        "can_request": dealer.status == "active" and policies.can_request_for(user, dealer),
    }
