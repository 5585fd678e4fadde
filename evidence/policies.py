"""Who may see and add evidence (SPEC §2, §13). An attachment is visible to whoever may see its object;
who may attach files to an object now is the object's own app's rule (``EvidenceTarget.check_attach``)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from channelhub.roles import Role, has_role
from channelhub.scoping import scope, scope_rule
from evidence.registry import targets

#: SPEC §13: at most this many files on one object.
MAX_PER_OBJECT = 9
#: A photo whose EXIF time is further than this from its object's time is flagged ``photo_time_mismatch``.
TIME_MISMATCH_AFTER = timedelta(hours=2)
#: A photo whose EXIF position is further than this from the dealer is flagged ``photo_far`` (metres).
FAR_FROM_DEALER_M = 1000

#: The roles that see a photo's original (with its EXIF position); others (dealers, from the portal) see
#: the watermarked copy only.
STAFF = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)


def may_see_original(user) -> bool:
    return has_role(user, *STAFF)


@scope_rule("evidence.Attachment")
def _attachments(user, queryset: QuerySet) -> QuerySet:
    """The attachments of the objects ``user`` may see (each target model's own scope rule decides)."""
    if has_role(user, Role.ADMIN):
        return queryset
    visible = Q(pk__in=[])
    for target in targets():
        object_type = ContentType.objects.get_for_model(target.model)
        visible |= Q(object_type=object_type, object_id__in=scope(user, target.model).order_by().values("pk"))
    return queryset.filter(visible)
