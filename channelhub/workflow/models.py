from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StateChangeQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> StateChangeQuerySet:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=obj.pk)


class StateChange(models.Model):
    """One transition of one object: who moved it from which state to which, when and why.

    Written only by ``StateMachine.apply`` / ``StateMachine.record_creation``; never edited.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("object type"))
    object_id = models.BigIntegerField(_("object ID"))
    object = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from"), max_length=64, blank=True)
    to_state = models.CharField(_("to"), max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the system made the change (a scheduled job)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True, help_text=_("What the person who made the change wrote."))
    note = models.CharField(
        _("note"), max_length=40, blank=True, help_text=_("What the system says about the change (a code).")
    )
    note_params = models.JSONField(_("note's figures"), default=dict, blank=True)

    objects = StateChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="statechange_object_at")]

    def __str__(self) -> str:
        return f"{self.content_type.model}#{self.object_id}: {self.from_state or '∅'} → {self.to_state}"

    @property
    def note_text(self) -> str:
        """The system's note in the reader's language ("" without one)."""
        from channelhub.workflow.notes import note_text

        return note_text(self.note, self.note_params)

    @property
    def shown_comment(self) -> str:
        """The system's note and the person's comment, as the state log shows them."""
        return " · ".join(part for part in (self.note_text, self.comment) if part)
