from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from channelhub.roles import Role, has_role
from channelhub.scoping import scope_rule
from channelhub.workflow.machine import StateMachine, Transition


class Ticket(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        SUBMITTED = "submitted", "submitted"
        APPROVED = "approved", "approved"
        REJECTED = "rejected", "rejected"

    title = models.CharField(max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.DRAFT, Status.REJECTED], target=Status.SUBMITTED, label="submit"),
            Transition("approve", source=[Status.SUBMITTED], target=Status.APPROVED, label="approve"),
            Transition("reject", source=[Status.SUBMITTED], target=Status.REJECTED, label="reject"),
        ],
    )

    class Meta:
        verbose_name = "ticket"

    def __str__(self):
        return self.title


@scope_rule("testapp.Ticket")
def _tickets(user, queryset):
    if has_role(user, Role.ADMIN, Role.FINANCE):
        return queryset
    return queryset.filter(owner=user)
