"""Visit plans, visits, quotas and compliance (SPEC §4).

A ``Visit`` keeps what the rep said (``visited_at``, position) beside what the server knows
(``created_at``) and the checks made from them when it was logged: ``late_entry`` (logged more
than 72 h after it happened), ``far_from_dealer`` (more than 1 km from the dealer, with the
distance kept in ``distance_m``) and ``no_position`` (logged without a position). ``visited_on`` is the local date of ``visited_at`` in the
deployment's time zone, stored so that compliance groups by day and ISO week in the database.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from channelhub.fields import LATITUDE, LONGITUDE, actor_field, person_name, rep_field, validate_year
from channelhub.formatting import distance
from channelhub.workflow.machine import StateMachine, Transition
from partners.models import Dealer

#: Visits with a flag: waiting in the review queue while ``submitted``.
FLAGGED = (
    Q(late_entry=True)
    | Q(far_from_dealer=True)
    | Q(no_position=True)
    | Q(photo_time_mismatch=True)
    | Q(photo_far=True)
    | Q(photo_reused=True)
)


def plan_due_at(week_start: date) -> datetime:
    """A week's plan is due by Saturday 23:59 of the week before: late from Sunday 00:00 local on."""
    return timezone.make_aware(datetime.combine(week_start - timedelta(days=1), time.min))


class Reviewed(models.Model):
    """The manager's verdict on a visit or a plan: who gave it, when, and what they said."""

    REVIEW_FIELDS = ("reviewed_by", "reviewed_at", "review_comment")

    reviewed_by = actor_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        abstract = True


class VisitPlan(Reviewed):
    """周拜访计划: one per rep per ISO week, submitted by the rep, approved or returned by the manager."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    rep = rep_field("visit_plans")
    week_start = models.DateField(
        _("week starting"), help_text=_("The Monday of the ISO week."), validators=[validate_year]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    is_late = models.BooleanField(
        _("late"), default=False, help_text=_("Submitted after Saturday 23:59 of the week before.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.DRAFT, Status.RETURNED], target=Status.SUBMITTED, label=_("Submit")),
            Transition("approve", source=[Status.SUBMITTED], target=Status.APPROVED, label=_("Approve")),
            Transition("return", source=[Status.SUBMITTED], target=Status.RETURNED, label=_("Return")),
        ],
    )

    class Meta:
        verbose_name = _("week plan")
        verbose_name_plural = _("week plans")
        ordering = ["-week_start", "rep_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week_start"], name="visit_plan_one_per_rep_week"),
        ]
        indexes = [models.Index(fields=["status", "week_start"], name="visit_plan_status_week")]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.iso_week}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def iso_week(self) -> str:
        year, week, _day = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def due_at(self) -> datetime:
        return plan_due_at(self.week_start)

    @property
    def due_date(self) -> date:
        """The Saturday by whose end (23:59) the plan is due."""
        return self.week_start - timedelta(days=2)


class VisitPlanItem(models.Model):
    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("week plan"))
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"))
    planned_date = models.DateField(_("planned date"), validators=[validate_year])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["planned_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "dealer", "planned_date"], name="visit_plan_item_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.planned_date} · {self.dealer}"


class Visit(Reviewed):
    class Kind(models.TextChoices):
        DEVELOPMENT = "development", _("development")
        MAINTENANCE = "maintenance", _("maintenance")
        TRAINING = "training", _("training")
        INSPECTION = "inspection", _("inspection")
        COMPLAINT = "complaint", _("complaint")
        COLLECTION = "collection", _("collection")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        CONFIRMED = "confirmed", _("confirmed")
        FALSE_REPORT = "false_report", _("false report")
        FABRICATED = "fabricated", _("fabricated")

    class Flag(models.TextChoices):
        LATE_ENTRY = "late_entry", _("late entry")
        FAR_FROM_DEALER = "far_from_dealer", _("far from dealer")
        NO_POSITION = "no_position", _("no position")
        # from the visit's photos (evidence.models.Attachment.Flag)
        PHOTO_TIME_MISMATCH = "photo_time_mismatch", _("photo time mismatch")
        PHOTO_FAR = "photo_far", _("photo far from dealer")
        PHOTO_REUSED = "photo_reused", _("photo reused")

    #: The flags a visit's photos give it (``evidence``): set by ``visits.services.visit_apply_photo_flags``.
    PHOTO_FLAGS = (Flag.PHOTO_TIME_MISMATCH, Flag.PHOTO_FAR, Flag.PHOTO_REUSED)

    #: Visits that count towards the quota (SPEC §4: false and fabricated ones do not).
    COUNTED = (Status.SUBMITTED, Status.CONFIRMED)

    rep = rep_field("visits")
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="visits", verbose_name=_("dealer"))
    visited_at = models.DateTimeField(_("visited at"), validators=[validate_year])
    visited_on = models.DateField(_("visit date"), editable=False)
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    accuracy_m = models.DecimalField(
        _("position accuracy (m)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    client_uuid = models.UUIDField(_("client UUID"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    late_entry = models.BooleanField(_("late entry"), default=False, editable=False)
    far_from_dealer = models.BooleanField(_("far from dealer"), default=False, editable=False)
    no_position = models.BooleanField(_("no position"), default=False, editable=False)
    photo_time_mismatch = models.BooleanField(_("photo time mismatch"), default=False, editable=False)
    photo_far = models.BooleanField(_("photo far from dealer"), default=False, editable=False)
    photo_reused = models.BooleanField(_("photo reused"), default=False, editable=False)
    distance_m = models.DecimalField(
        _("distance from dealer (m)"), max_digits=10, decimal_places=1, null=True, blank=True, editable=False
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("confirm", source=[Status.SUBMITTED], target=Status.CONFIRMED, label=_("Confirm")),
            Transition(
                "mark_false",
                source=[Status.SUBMITTED, Status.CONFIRMED],
                target=Status.FALSE_REPORT,
                label=_("Mark as false report"),
            ),
            Transition(
                "mark_fabricated",
                source=[Status.SUBMITTED, Status.CONFIRMED, Status.FALSE_REPORT],
                target=Status.FABRICATED,
                label=_("Mark as fabricated"),
            ),
        ],
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        constraints = [
            # Idempotent logging (SPEC §4): a phone's retry finds the first visit, even when two
            # identical posts race — the database refuses the second row.
            models.UniqueConstraint(fields=["rep", "client_uuid"], name="visit_client_uuid_once_per_rep"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="visit_position_complete",
            ),
            models.CheckConstraint(
                condition=Q(accuracy_m__isnull=True) | Q(accuracy_m__gte=0), name="visit_accuracy_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["rep", "visited_on"], name="visit_rep_day"),
            models.Index(fields=["dealer", "visited_at"], name="visit_dealer_time"),
            models.Index(fields=["status", "visited_on"], name="visit_status_day"),
            # the lists' order (newest first): a page of 50 without sorting every visit in scope
            models.Index(fields=["-visited_at", "-id"], name="visit_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} · {self.dealer.name}"

    @property
    def flags(self) -> list[str]:
        """The checks this visit failed, as the API names them (SPEC §4 ``flags``)."""
        # each flag is kept in the boolean field of its name
        return [flag.value for flag in self.Flag if getattr(self, flag.value)]

    @property
    def flag_labels(self) -> list[str]:
        return [str(self.Flag(flag).label) for flag in self.flags]

    @property
    def distance_text(self) -> str:
        """The distance from the dealer for people: ``850 m``, ``2.1 km``, ``180.7 km`` (— without one)."""
        return distance(self.distance_m)

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)

    @property
    def counts(self) -> bool:
        return self.status in self.COUNTED


class VisitMonth(models.Model):
    """A rep's visits at a dealer in a month, counted by status: a roll-up of ``Visit`` written in the same
    transaction as the visits it counts (``visits.services.rollups``), rebuilt by ``manage.py
    rebuild_rollups``. ``month`` is the month's first day (of ``visited_on``). Nobody edits it."""

    rep = rep_field("+", on_delete=models.CASCADE, db_index=False)
    month = models.DateField(_("month"))
    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="+", verbose_name=_("dealer"), db_index=False
    )
    submitted = models.IntegerField(_("submitted"), default=0)
    confirmed = models.IntegerField(_("confirmed"), default=0)
    false_report = models.IntegerField(_("false report"), default=0)
    fabricated = models.IntegerField(_("fabricated"), default=0)

    class Meta:
        verbose_name = _("rep's month of visits")
        verbose_name_plural = _("reps' months of visits")
        constraints = [models.UniqueConstraint(fields=["rep", "month", "dealer"], name="visit_month_unique")]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.month:%Y-%m} · {self.dealer}"


class Quota(models.Model):
    """A rep's own visit quota; an empty field falls back to the default in settings (SPEC §4)."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_quota", verbose_name=_("field rep")
    )
    daily_min = models.PositiveSmallIntegerField(_("visits a day"), null=True, blank=True)
    weekly_unique_min = models.PositiveSmallIntegerField(_("different dealers a week"), null=True, blank=True)
    monthly_min = models.PositiveSmallIntegerField(_("visits a month"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit quota")
        verbose_name_plural = _("visit quotas")

    def __str__(self) -> str:
        return person_name(self.rep)
