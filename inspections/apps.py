from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections and complaints")

    def ready(self) -> None:
        """Plug the app into the core's registries (``channelhub.registry``)."""
        from channelhub.registry import register_app
        from inspections import pages_registry

        register_app(self, prefix="inspections/", api=("inspections.api",), demo=90)
        register_evidence()
        pages_registry.register()


def register_evidence() -> None:
    """An item's result, a rectification's answer and a complaint take photos (SPEC §13, §17): checked against
    the dealer's position and for reuse; results and rectifications keep their photos' flags."""
    from django.urls import reverse
    from django.utils import timezone

    from evidence.models import Attachment
    from evidence.registry import EvidenceTarget, register_target
    from inspections import policies
    from inspections.models import Complaint, InspectionResult, Rectification
    from inspections.services.inspections import keep_photo_flags

    register_target(
        EvidenceTarget(
            model=InspectionResult,
            kinds=(Attachment.Kind.PHOTO,),
            check_attach=policies.check_add_result_photos,
            reference_time=lambda result: result.inspection.done_at or timezone.now(),
            dealer=lambda result: result.inspection.dealer,
            flags_changed=keep_photo_flags,
            url=lambda result: reverse("inspections:inspection-detail", args=[result.inspection_id]),
            select=("inspection", "inspection__dealer", "item"),
        )
    )
    register_target(
        EvidenceTarget(
            model=Rectification,
            kinds=(Attachment.Kind.PHOTO,),
            check_attach=policies.check_add_rectification_photos,
            dealer=lambda rectification: rectification.dealer,
            flags_changed=keep_photo_flags,
            url=lambda rectification: reverse("inspections:rectification-detail", args=[rectification.pk]),
            select=("dealer", "result", "result__item"),
        )
    )
    register_target(
        EvidenceTarget(
            model=Complaint,
            kinds=(Attachment.Kind.PHOTO, Attachment.Kind.DOCUMENT),
            check_attach=policies.check_add_complaint_files,
            dealer=lambda complaint: complaint.dealer,
            url=lambda complaint: reverse("inspections:complaint-detail", args=[complaint.pk]),
            select=("dealer",),
        )
    )
