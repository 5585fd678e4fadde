from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.navigation import NavItem, register_nav
        from channelhub.registry import register_app
        from channelhub.roles import Role
        from channelhub.workflow.notes import register_note

        register_app(self, prefix="partners/", api=("partners.api",), demo=10)
        register_evidence()
        register_note("first_agreement_signed", _first_agreement_note)
        register_nav(
            NavItem(_("Dealers"), "partners:dealer-list", frozenset(Role.values), order=100),
            NavItem(_("Agreements"), "partners:agreement-list", order=110),
        )


def register_evidence() -> None:
    """Qualification reviews and agreements take documents (SPEC §13): a business licence, a credit
    report, a signed contract scan — a PDF or a photo of the paper, kept as ``document`` (a document is not
    checked for reuse: the same licence rightly goes with a review and an agreement). No time to check a
    photo against; the dealer's code goes into a photo's watermark."""
    from django.urls import reverse

    from evidence.models import Attachment
    from evidence.registry import EvidenceTarget, register_target
    from partners.models import Agreement, QualificationReview
    from partners.policies import check_add_documents

    for model, url in (
        (QualificationReview, lambda review: reverse("partners:dealer-detail", args=[review.dealer_id])),
        (Agreement, lambda agreement: reverse("partners:agreement-detail", args=[agreement.pk])),
    ):
        register_target(
            EvidenceTarget(
                model=model,
                kinds=(Attachment.Kind.DOCUMENT,),
                check_attach=check_add_documents,
                dealer=lambda obj: obj.dealer,
                url=url,
                select=("dealer",),
            )
        )


def _first_agreement_note(params) -> str:
    if "number" in params:
        return _("First agreement signed: agreement #%(number)s") % params
    return _("First agreement signed: %(agreement)s") % params  # notes written before the number was kept
