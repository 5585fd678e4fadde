"""Rebates and dealer accounts (SPEC §15): rebate programs (返利政策), settlement runs, settlements with their
explained lines, and monthly accruals.

A settlement is one per dealer, program and period (a database constraint): a run interrupted part-way and
run again cannot leave two, and a re-run rewrites drafts only. Approved and paid settlements never change;
a credit note dated after a settled period claws back in the next settlement (a negative line).

The dealer account (往来账) stores nothing of its own: its statement of account and aging are read from the
facts (``kpi``), the paid credit-note settlements here and the fund settlements (``funds``) by
``rebates.accounts``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from channelhub.fields import MONEY, PERCENT_RANGE, ZERO, actor_field, period_field, unique_messages, validate_year
from channelhub.workflow.machine import StateMachine, Transition
from partners.models import Dealer, ProductLine

#: ``YYYY-Qn`` or ``YYYY`` (``rebates.periods.RebatePeriod``).
REBATE_PERIOD = RegexValidator(r"^\d{4}(-Q[1-4])?$", _("Enter a period as YYYY-Qn or YYYY, e.g. 2026-Q3 or 2026."))
#: An attainment band's lower edge, in per cent of the prorated target (0 to 999.99).
ATTAINMENT_RANGE = [MinValueValidator(ZERO), MaxValueValidator(Decimal("999.99"))]
PERCENT = {"max_digits": 5, "decimal_places": 2}


def rebate_period_field(**kwargs) -> models.CharField:
    return models.CharField(_("period"), max_length=7, validators=[REBATE_PERIOD], **kwargs)


class RebateProgram(models.Model):
    """返利政策: how a dealer's rebate is earned (SPEC §15)."""

    class Basis(models.TextChoices):
        SELL_IN = "sell_in", _("net sales to the dealer")
        COLLECTIONS = "collections", _("collections")

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("quarterly")
        ANNUAL = "annual", _("annual")

    class Payout(models.TextChoices):
        CREDIT_NOTE = "credit_note", _("credit note (deducted from payments for goods)")
        CASH = "cash", _("cash")

    name = models.CharField(_("name"), max_length=100, unique=True)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices, default=Basis.SELL_IN)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    product_lines = models.ManyToManyField(
        ProductLine,
        blank=True,
        related_name="rebate_programs",
        verbose_name=_("product lines"),
        help_text=_("Empty: every product line."),
    )
    min_collection_rate = models.DecimalField(
        _("minimum collection rate (%)"),
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
        help_text=_("Below this share of the dealer's sales collected in the period nothing is paid; empty: no gate."),
        **PERCENT,
    )
    conflict_penalty = models.DecimalField(
        _("penalty per flagged cross-territory sale (%)"),
        default=ZERO,
        validators=PERCENT_RANGE,
        help_text=_("Share of the rebate forfeited per flagged sale in the period, at most 100 per cent in all."),
        **PERCENT,
    )
    payout = models.CharField(_("payout"), max_length=20, choices=Payout.choices, default=Payout.CREDIT_NOTE)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[product_lines], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("rebate program")
        verbose_name_plural = _("rebate programs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_collection_rate__isnull=True)
                | Q(min_collection_rate__gte=0, min_collection_rate__lte=100),
                name="rebateprogram_gate_range",
            ),
            models.CheckConstraint(
                condition=Q(conflict_penalty__gte=0, conflict_penalty__lte=100), name="rebateprogram_penalty_range"
            ),
        ]

    unique_error_message = unique_messages(name=_("A rebate program named %(value)s already exists."))

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("rebates:program-detail", args=[self.pk])


class RebateTier(models.Model):
    """A band of attainment: from ``from_attainment`` % of the prorated target up to the next band's, the
    whole basis at ``rate`` %."""

    program = models.ForeignKey(
        RebateProgram, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("program")
    )
    from_attainment = models.DecimalField(_("from attainment (%)"), validators=ATTAINMENT_RANGE, **PERCENT)
    rate = models.DecimalField(_("rate (%)"), validators=PERCENT_RANGE, **PERCENT)

    class Meta:
        verbose_name = _("rebate band")
        verbose_name_plural = _("rebate bands")
        ordering = ["program_id", "from_attainment"]
        constraints = [
            models.UniqueConstraint(fields=["program", "from_attainment"], name="rebatetier_from_once"),
            models.CheckConstraint(condition=Q(from_attainment__gte=0), name="rebatetier_from_not_negative"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="rebatetier_rate_range"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.from_attainment}%: {self.rate}%"


class RebateRun(models.Model):
    """One computation of a period's settlements, spread over the Celery workers in chunks of dealers."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    period = rebate_period_field()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("dealers to compute"), default=0)
    done = models.PositiveIntegerField(_("dealers computed"), default=0)
    skipped = models.PositiveIntegerField(
        _("settlements kept"), default=0, help_text=_("Settlements already submitted, approved or paid.")
    )
    error = models.TextField(_("error"), blank=True)
    started_by = actor_field(_("started by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rebate run")
        verbose_name_plural = _("rebate runs")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(done__lte=F("total")), name="rebaterun_done_not_above_total")]

    def __str__(self) -> str:
        return f"{self.period} · #{self.pk}"

    @property
    def progress(self) -> int:
        """Per cent of the dealers computed (0–100)."""
        return 100 if not self.total else int(self.done * 100 / self.total)


class RebateSettlement(models.Model):
    """返利结算单: one per dealer, program and period, with the lines that explain it."""

    AMOUNT_FIELDS = (
        "basis_amount",
        "target_amount",
        "attainment",
        "rate",
        "collection_rate",
        "conflict_count",
        "gross_amount",
        "penalty_amount",
        "clawback_amount",
        "net_amount",
    )

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("rebate settlement", "draft")
        SUBMITTED = "submitted", pgettext_lazy("rebate settlement", "submitted")
        APPROVED = "approved", pgettext_lazy("rebate settlement", "approved")
        PAID = "paid", pgettext_lazy("rebate settlement", "paid")

    #: Never changed again.
    FINAL = (Status.APPROVED, Status.PAID)

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="rebate_settlements", verbose_name=_("dealer")
    )
    program = models.ForeignKey(
        RebateProgram, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("program")
    )
    period = rebate_period_field()
    period_end = models.DateField(
        _("credited on"),
        editable=False,
        help_text=_("The period's last day: an approved credit-note rebate is credited to the dealer's account then."),
    )
    run = models.ForeignKey(
        RebateRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="settlements", verbose_name=_("run")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    basis_amount = models.DecimalField(_("basis"), default=ZERO, **MONEY)
    target_amount = models.DecimalField(_("prorated target"), default=ZERO, **MONEY)
    attainment = models.DecimalField(
        _("attainment (%)"), null=True, blank=True, max_digits=9, decimal_places=2, help_text=_("Empty: no target.")
    )
    rate = models.DecimalField(_("rate (%)"), default=ZERO, **PERCENT)
    collection_rate = models.DecimalField(
        _("collection rate (%)"), null=True, blank=True, max_digits=9, decimal_places=2
    )
    conflict_count = models.PositiveIntegerField(_("flagged cross-territory sales"), default=0)
    gross_amount = models.DecimalField(_("gross"), default=ZERO, **MONEY)
    penalty_amount = models.DecimalField(_("penalty"), default=ZERO, **MONEY)
    clawback_amount = models.DecimalField(_("claw-back"), default=ZERO, **MONEY)
    net_amount = models.DecimalField(_("net rebate"), default=ZERO, **MONEY)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    submitted_by = actor_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = actor_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True, validators=[validate_year])
    payment_reference = models.CharField(_("credit note number or payment reference"), max_length=64, blank=True)
    paid_by = actor_field(_("paid by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.DRAFT], target=Status.SUBMITTED, label=_("Submit")),
            Transition("approve", source=[Status.SUBMITTED], target=Status.APPROVED, label=_("Approve")),
            Transition("reject", source=[Status.SUBMITTED], target=Status.DRAFT, label=_("Reject")),
            Transition("mark_paid", source=[Status.APPROVED], target=Status.PAID, label=_("Mark paid")),
        ],
    )

    class Meta:
        verbose_name = _("rebate settlement")
        verbose_name_plural = _("rebate settlements")
        ordering = ["-period", "dealer_id", "program_id"]
        constraints = [
            # one per dealer, program and period: an interrupted run run again cannot leave two
            models.UniqueConstraint(fields=["dealer", "program", "period"], name="rebatesettlement_once"),
            models.CheckConstraint(
                condition=Q(gross_amount__gte=0, penalty_amount__gte=0, clawback_amount__lte=0),
                name="rebatesettlement_amount_signs",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="rebatesettlement_period_status"),
            models.Index(fields=["dealer", "status", "paid_on"], name="rebatesettlement_dealer_paid"),
            models.Index(fields=["dealer", "period_end"], name="rebatesettlement_dealer_end"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer.code} · {self.program} · {self.period}"

    def save(self, *args, **kwargs) -> None:
        if self.period_end is None and self.period:
            from rebates.periods import RebatePeriod

            self.period_end = RebatePeriod.parse(self.period).last_day
        super().save(*args, **kwargs)

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class RebateLine(models.Model):
    """One step of a settlement, with the inputs it used (the text is rendered from ``step`` and ``inputs``
    in the reader's language: ``rebates.services.line_texts``)."""

    class Step(models.TextChoices):
        BASIS = "basis", _("basis")
        TARGET = "target", _("prorated target")
        ATTAINMENT = "attainment", _("attainment and band")
        GROSS = "gross", _("gross rebate")
        GATE = "gate", _("collection gate")
        PENALTY = "penalty", _("cross-territory penalty")
        CLAWBACK = "clawback", _("claw-back")
        NET = "net", _("net rebate")

    settlement = models.ForeignKey(RebateSettlement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"))
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    clawed_from = models.ForeignKey(
        RebateSettlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clawed_into",
        verbose_name=_("clawed back from"),
        help_text=_("For a claw-back line: the settled period whose rebate it takes back."),
    )

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["settlement_id", "position"]
        constraints = [models.UniqueConstraint(fields=["settlement", "position"], name="rebateline_position_once")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.amount}"

    @property
    def text(self) -> str:
        from rebates.services.line_texts import line_text

        return line_text(self.step, self.inputs, self.amount)


class RebateAccrual(models.Model):
    """预提: the estimate, at a month's end, of the rebate a dealer has earned in its open period so far."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="rebate_accruals", verbose_name=_("dealer")
    )
    program = models.ForeignKey(
        RebateProgram, on_delete=models.CASCADE, related_name="accruals", verbose_name=_("program")
    )
    month = period_field()
    period = rebate_period_field()
    basis_amount = models.DecimalField(_("basis to date"), default=ZERO, **MONEY)
    amount = models.DecimalField(_("accrued rebate"), default=ZERO, **MONEY)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("rebate accrual")
        verbose_name_plural = _("rebate accruals")
        ordering = ["-month", "dealer_id"]
        constraints = [models.UniqueConstraint(fields=["dealer", "program", "month"], name="rebateaccrual_once")]
        indexes = [models.Index(fields=["month"], name="rebateaccrual_month")]

    def __str__(self) -> str:
        return f"{self.dealer_id} · {self.month} · {self.amount}"
