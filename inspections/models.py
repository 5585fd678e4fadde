"""Inspections, rectifications and complaints (SPEC §17): 巡检, 暗访, 整改, 客诉.

* A ``ChecklistTemplate`` lists weighted items; ``price`` items name a product line, whose minimum price is on
  the dealer's agreement (``Agreement.min_prices``).
* An ``Inspection`` of a dealer by an inspector (a channel manager or a user of the group ``inspector``) keeps a
  result per item (``InspectionResult``: pass, fail or not applicable, a note, photos, the observed price).
  ``planned → done → reviewed``; the score is stored when it is done (``inspections.services.scoring``).
* Each failed item opens a ``Rectification`` (整改) with its due date: ``open → submitted → verified`` or
  ``reopened`` (and submitted again).
* A ``Complaint`` (客诉) keeps when it was received, responded to and resolved; ``late`` is stored when it is
  responded to (more than 4 hours after it was received).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channelhub.fields import LATITUDE, LONGITUDE, MONEY, actor_field, validate_year
from channelhub.workflow.machine import StateMachine, Transition
from partners.models import Dealer, ProductLine

#: Names and texts of what ships as data (SPEC §17), shown in the reader's language; a template or an item an
#: admin adds shows the name they wrote.
WEIGHT = {"max_digits": 5, "decimal_places": 2}


class ChecklistTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code"]

    def __str__(self) -> str:
        from inspections.texts import template_name

        return template_name(self)


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        CHECK = "check", _("check")
        PRICE = "price", _("price")

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    weight = models.DecimalField(_("weight"), validators=[MinValueValidator(0), MaxValueValidator(100)], **WEIGHT)
    requires_photo = models.BooleanField(_("photo required on fail"), default=False)
    critical = models.BooleanField(_("critical"), default=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHECK)
    product_line = models.ForeignKey(
        ProductLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product line"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code_once"),
            models.CheckConstraint(
                condition=Q(kind="check") | Q(product_line__isnull=False), name="checklist_price_item_has_line"
            ),
        ]

    def __str__(self) -> str:
        from inspections.texts import item_text

        return item_text(self)


class Inspection(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("routine")
        MYSTERY = "mystery", _("mystery")
        QUARTERLY = "quarterly", pgettext_lazy("an inspection's kind", "quarterly")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        REVIEWED = "reviewed", _("reviewed")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("dealer"))
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("template")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROUTINE)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("inspector")
    )
    planned_on = models.DateField(_("planned on"), validators=[validate_year])
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    #: weights passed ÷ weights applicable × 100, one decimal, capped at 59.0 by a failed critical item.
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True, blank=True)
    price_violation = models.BooleanField(_("price violation"), default=False)
    critical_failed = models.BooleanField(_("critical item failed"), default=False)
    #: The seed of the mystery sample that planned it (reproducible), empty otherwise.
    sample_seed = models.CharField(_("sample seed"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    created_by = actor_field(_("planned by"))
    reviewed_by = actor_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("complete", source=[Status.PLANNED], target=Status.DONE, label=_("Complete")),
            Transition("review", source=[Status.DONE], target=Status.REVIEWED, label=_("Review")),
        ],
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_on", "-pk"]
        indexes = [
            models.Index(fields=["dealer", "done_at"], name="inspection_dealer_done"),
            models.Index(fields=["inspector", "status", "planned_on"], name="inspection_inspector_plan"),
            models.Index(fields=["status", "planned_on"], name="inspection_status_planned"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer} {self.planned_on:%Y-%m-%d} ({self.get_kind_display()})"

    @property
    def hidden_until_done(self) -> bool:
        """A planned mystery inspection, which the dealer's rep (and the dealer) must not know of."""
        return self.kind == self.Kind.MYSTERY and self.status == self.Status.PLANNED


class InspectionResult(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", _("pass")
        FAIL = "fail", _("fail")
        NA = "na", _("not applicable")

    #: The flags a result's photos give it (``evidence``), kept for the reviewer.
    PHOTO_FLAGS = ("photo_time_mismatch", "photo_far", "photo_reused")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("inspection")
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    #: Empty until the inspector answers the item (the form saves item by item).
    result = models.CharField(_("result"), max_length=4, choices=Result.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    observed_price = models.DecimalField(
        _("observed price"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    #: The line's minimum price on the dealer's agreement when the price was entered (none: no minimum).
    min_price = models.DecimalField(_("minimum price"), null=True, blank=True, **MONEY)
    price_violation = models.BooleanField(_("price violation"), default=False)
    photo_flags = models.JSONField(_("photo flags"), default=list, blank=True)
    answered_by = actor_field(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection item result")
        verbose_name_plural = _("inspection item results")
        ordering = ["inspection_id", "item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_result_once")]

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.item}"


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("a rectification's status", "open")
        SUBMITTED = "submitted", _("submitted")
        VERIFIED = "verified", _("verified")
        REOPENED = "reopened", _("reopened")

    #: Waiting for the dealer's side to answer (the ones that can be overdue).
    WAITING = (Status.OPEN, Status.REOPENED)

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="rectifications", verbose_name=_("inspection")
    )
    result = models.OneToOneField(
        InspectionResult, on_delete=models.CASCADE, related_name="rectification", verbose_name=_("failed item")
    )
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("dealer")
    )
    critical = models.BooleanField(_("critical"), default=False)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer_note = models.CharField(_("answer"), max_length=1000, blank=True)
    answered_by = actor_field(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    verified_by = actor_field(_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)
    photo_flags = models.JSONField(_("photo flags"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.OPEN, Status.REOPENED], target=Status.SUBMITTED, label=_("Submit")),
            Transition("verify", source=[Status.SUBMITTED], target=Status.VERIFIED, label=_("Verify")),
            Transition("reopen", source=[Status.SUBMITTED], target=Status.REOPENED, label=_("Reopen")),
        ],
    )

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="rectification_status_due")]

    def __str__(self) -> str:
        return f"{self.dealer} · {self.result.item}"

    def is_overdue(self, today) -> bool:
        return self.status in self.WAITING and self.due_date < today


class Complaint(models.Model):
    class Source(models.TextChoices):
        DEALER = "dealer", _("dealer")
        TERMINAL = "terminal", _("terminal")
        CONSUMER = "consumer", _("consumer")

    class Category(models.TextChoices):
        QUALITY = "quality", _("product quality")
        DELIVERY = "delivery", _("delivery")
        PRICE = "price", _("price")
        SERVICE = "service", _("service")
        DISPLAY = "display", _("display and materials")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("a complaint's status", "received")
        RESPONDED = "responded", _("responded")
        RESOLVED = "resolved", _("resolved")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("dealer"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.DEALER)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("description"), max_length=2000)
    received_at = models.DateTimeField(_("received at"), validators=[validate_year])
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("assignee")
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    response = models.CharField(_("response"), max_length=1000, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=1000, blank=True)
    #: Responded more than 4 hours after it was received (set when it is responded to).
    late = models.BooleanField(pgettext_lazy("a complaint", "late"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    created_by = actor_field(_("recorded by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("respond", source=[Status.RECEIVED], target=Status.RESPONDED, label=_("Respond")),
            Transition(
                "resolve", source=[Status.RECEIVED, Status.RESPONDED], target=Status.RESOLVED, label=_("Resolve")
            ),
        ],
    )

    class Meta:
        verbose_name = pgettext_lazy("a record", "complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["assignee", "received_at"], name="complaint_assignee_received"),
            models.Index(fields=["dealer", "received_at"], name="complaint_dealer_received"),
            models.Index(fields=["status", "received_at"], name="complaint_status_received"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer} {self.received_at:%Y-%m-%d %H:%M}"
