from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Profile(models.Model):
    """What channelhub knows about a user beyond Django's ``User``: who they are and who they report to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    employee_no = models.CharField(_("employee number"), max_length=32, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_profiles",
        verbose_name=_("manager"),
        help_text=_("The channel manager this person reports to."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    bank_name = models.CharField(
        _("bank name"), max_length=100, blank=True, help_text=_("The bank and branch commission is paid into.")
    )
    bank_account = models.CharField(
        _("bank account"),
        max_length=34,
        blank=True,
        help_text=_("Shown in full only to finance and administrators; masked to everyone else."),
    )
    territories = models.ManyToManyField(
        "partners.Territory",
        blank=True,
        related_name="profiles",
        verbose_name=_("territories"),
        help_text=_("The territories a channel manager covers, each with everything below it."),
    )

    history = HistoricalRecords(m2m_fields=[territories])

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["employee_no"], condition=~Q(employee_no=""), name="profile_employee_no_unique"
            ),
            models.CheckConstraint(condition=~Q(manager=F("user")), name="profile_not_own_manager"),
        ]

    def __str__(self) -> str:
        from .selectors import display_name  # not at import time: models load first

        return self.employee_no or display_name(self.user)

    def clean(self) -> None:
        # The constraint's own message names only the constraint: say which number is taken (and skip it).
        number = self.employee_no
        if number and Profile._default_manager.filter(employee_no=number).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"employee_no": _("A person with the employee number %(value)s already exists.") % {"value": number}},
                code="unique",
            )

    @property
    def masked_bank_account(self) -> str:
        return mask_account(self.bank_account)


def mask_account(number: str) -> str:
    """A bank account as people without finance's role see it: ``•••• 7890`` (the last four)."""
    digits = (number or "").replace(" ", "")
    if not digits:
        return ""
    return "•••• " + digits[-4:] if len(digits) > 4 else "••••"
