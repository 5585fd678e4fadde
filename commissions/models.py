"""Commission plans, runs, statements and disputes (SPEC §6).

The tables keep the names they had when these models lived in ``kpi`` (``db_table``): the move was a
change of Django's state only, so an existing database keeps every row and its history.

A statement is one per rep, period and kind (a database constraint): a run interrupted part-way and
run again cannot leave two. Approved and paid statements never change; a correction arrives as an
adjustment line in the rep's next open statement.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from channelhub.fields import (
    MONEY,
    PERCENT_RANGE,
    ZERO,
    actor_field,
    period_field,
    person_name,
    rep_field,
    unique_messages,
    validate_year,
)
from channelhub.workflow.machine import StateMachine, Transition


class CommissionPlan(models.Model):
    """提成方案: how a rep's month is paid (SPEC §6)."""

    class Base(models.TextChoices):
        NET_SALES = "net_sales", _("net sales")
        COLLECTIONS = "collections", _("collections")

    class TierMode(models.TextChoices):
        MARGINAL = "marginal", _("marginal (each band at its own rate)")
        FLAT = "flat", _("flat (the whole base at the band's rate)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    base = models.CharField(_("base"), max_length=20, choices=Base.choices, default=Base.NET_SALES)
    tier_mode = models.CharField(_("tier mode"), max_length=20, choices=TierMode.choices, default=TierMode.MARGINAL)
    collection_gate = models.DecimalField(
        _("collection gate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
        help_text=_("Below this collection rate the month pays no commission; empty: no gate."),
    )
    distribution_gate = models.DecimalField(
        _("distribution gate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
        help_text=_(
            "Below this distribution coverage (铺货率) of the rep's terminals — active terminals with stock or "
            "sell-out in the month ÷ active terminals — the month pays no commission; empty: no gate."
        ),
    )
    use_scorecard = models.BooleanField(_("multiply by the scorecard total"), default=False)
    scorecard_template = models.ForeignKey(
        "kpi.ScorecardTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scorecard template"),
    )
    over_budget_expense_share = models.DecimalField(
        _("share of over-budget expenses deducted (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=PERCENT_RANGE,
    )
    visit_shortfall_deduction = models.DecimalField(
        _("deduction per missing visit"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    false_report_deduction = models.DecimalField(
        _("deduction per false report"), default=Decimal("100.00"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    fabricated_deduction = models.DecimalField(
        _("deduction per fabricated visit"), default=Decimal("200.00"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    retention = models.DecimalField(
        _("retention (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=PERCENT_RANGE,
        help_text=_("Share of each month's positive net commission held back until the year-end settlement."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], table_name="kpi_historicalcommissionplan")

    class Meta:
        db_table = "kpi_commissionplan"
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(collection_gate__isnull=True) | Q(collection_gate__gte=0, collection_gate__lte=100),
                name="plan_gate_range",
            ),
            models.CheckConstraint(
                condition=Q(distribution_gate__isnull=True) | Q(distribution_gate__gte=0, distribution_gate__lte=100),
                name="plan_distribution_gate_range",
            ),
            models.CheckConstraint(
                condition=Q(retention__gte=0, retention__lte=100, over_budget_expense_share__gte=0)
                & Q(over_budget_expense_share__lte=100),
                name="plan_rates_range",
            ),
        ]

    unique_error_message = unique_messages(name=_("A commission plan named %(value)s already exists."))

    def __str__(self) -> str:
        return self.name


class CommissionTier(models.Model):
    """A band of the plan: from ``from_amount`` up to the next band's, at ``rate`` %."""

    plan = models.ForeignKey(CommissionPlan, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("plan"))
    from_amount = models.DecimalField(_("from amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, validators=PERCENT_RANGE)

    class Meta:
        db_table = "kpi_commissiontier"
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["plan_id", "from_amount"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "from_amount"], name="tier_from_once_per_plan"),
            models.CheckConstraint(condition=Q(from_amount__gte=0), name="tier_from_not_negative"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="tier_rate_range"),
        ]

    def __str__(self) -> str:
        return f"≥ {self.from_amount}: {self.rate}%"


class PlanAssignment(models.Model):
    """The plan a rep is paid on between two dates (one plan per rep on any day)."""

    plan = models.ForeignKey(
        CommissionPlan, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("plan")
    )
    rep = rep_field("plan_assignments")
    start_date = models.DateField(_("start date"), validators=[validate_year])
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Empty: open-ended."), validators=[validate_year]
    )

    class Meta:
        db_table = "kpi_planassignment"
        verbose_name = _("plan assignment")
        verbose_name_plural = _("plan assignments")
        ordering = ["rep_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="assignment_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["rep", "start_date"], name="assignment_rep_start")]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.plan} · {self.start_date}–{self.end_date or '…'}"


class CommissionRun(models.Model):
    """One computation of a period's statements, spread over the Celery workers in chunks of reps."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    period = period_field()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("reps to compute"), default=0)
    done = models.PositiveIntegerField(_("reps computed"), default=0)
    skipped = models.PositiveIntegerField(
        _("reps skipped"), default=0, help_text=_("Reps whose statement was already submitted, approved or paid.")
    )
    error = models.TextField(_("error"), blank=True)
    started_by = actor_field(_("started by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "kpi_commissionrun"
        verbose_name = _("commission run")
        verbose_name_plural = _("commission runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="run_done_not_above_total"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · #{self.pk}"

    @property
    def progress(self) -> int:
        """Per cent of the reps computed (0–100)."""
        return 100 if not self.total else int(self.done * 100 / self.total)


class RunProblem(models.Model):
    """A rep a run could not compute, and why (a code and its figures, rendered in the reader's
    language): the run goes on with every other rep."""

    class Code(models.TextChoices):
        OVERFLOW = "overflow", _("amount beyond what a statement holds")

    run = models.ForeignKey(CommissionRun, on_delete=models.CASCADE, related_name="problems", verbose_name=_("run"))
    rep = rep_field("+", on_delete=models.CASCADE)
    code = models.CharField(_("problem"), max_length=20, choices=Code.choices)
    params = models.JSONField(_("figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "kpi_runproblem"
        verbose_name = _("run problem")
        verbose_name_plural = _("run problems")
        ordering = ["run_id", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["run", "rep", "code"], name="run_problem_once_per_rep")]

    def __str__(self) -> str:
        return f"{self.run} · {person_name(self.rep)} · {self.get_code_display()}"

    @property
    def message(self) -> str:
        """What went wrong, in the active language."""
        from django.utils.formats import number_format
        from django.utils.translation import gettext

        params = self.params or {}
        figure = params.get("figure", "")
        try:
            label = Statement._meta.get_field(figure).verbose_name
        except Exception:  # a line's step
            label = StatementLine.Step(figure).label if figure in StatementLine.Step.values else figure

        def shown(value):
            try:
                return number_format(Decimal(value), decimal_pos=2, force_grouping=True)
            except Exception:
                return str(value)

        return gettext(
            "%(figure)s of %(amount)s is beyond what a statement holds (at most %(limit)s): this rep's statement "
            "was not written. Check the month's sales, collections and expenses."
        ) % {"figure": label, "amount": shown(params.get("amount")), "limit": shown(params.get("limit"))}


class Statement(models.Model):
    """提成单: one per rep, period and kind, with its lines (SPEC §6)."""

    #: The amounts a computation gives a statement (the run writes them; ``overflowing`` checks them).
    AMOUNT_FIELDS = (
        "base_amount",
        "gross_amount",
        "deductions_amount",
        "net_amount",
        "retained_amount",
        "payable_amount",
        "carried_forward",
    )

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        YEAR_END = "year_end", _("year-end settlement")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("statement", "draft")
        SUBMITTED = "submitted", pgettext_lazy("statement", "submitted")
        APPROVED = "approved", pgettext_lazy("statement", "approved")
        REJECTED = "rejected", pgettext_lazy("statement", "rejected")
        PAID = "paid", pgettext_lazy("statement", "paid")

    #: Never changed again (SPEC §6).
    FINAL = (Status.APPROVED, Status.PAID)

    rep = rep_field("statements")
    period = period_field()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    plan = models.ForeignKey(
        CommissionPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("plan"),
    )
    run = models.ForeignKey(
        CommissionRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("run"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    base_amount = models.DecimalField(_("base"), default=ZERO, **MONEY)
    gross_amount = models.DecimalField(_("gross"), default=ZERO, **MONEY)
    deductions_amount = models.DecimalField(_("deductions"), default=ZERO, **MONEY)
    net_amount = models.DecimalField(_("net"), default=ZERO, **MONEY)
    retained_amount = models.DecimalField(_("retained"), default=ZERO, **MONEY)
    payable_amount = models.DecimalField(_("payable"), default=ZERO, **MONEY)
    carried_forward = models.DecimalField(
        _("carried forward"),
        default=ZERO,
        help_text=_("A negative net, not paid: carried into the rep's next monthly statement."),
        **MONEY,
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    submitted_by = actor_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = actor_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    paid_at = models.DateField(_("paid on"), null=True, blank=True, validators=[validate_year])
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], table_name="kpi_historicalstatement")

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.DRAFT], target=Status.SUBMITTED, label=_("Submit")),
            Transition("approve", source=[Status.SUBMITTED], target=Status.APPROVED, label=_("Approve")),
            Transition("reject", source=[Status.SUBMITTED], target=Status.REJECTED, label=_("Reject")),
            Transition("reopen", source=[Status.REJECTED], target=Status.DRAFT, label=_("Back to draft")),
            Transition("mark_paid", source=[Status.APPROVED], target=Status.PAID, label=_("Mark paid")),
        ],
    )

    class Meta:
        db_table = "kpi_statement"
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["-period", "rep_id", "kind"]
        constraints = [
            # One statement per rep, period and kind: an interrupted run run again cannot leave two.
            models.UniqueConstraint(fields=["rep", "period", "kind"], name="statement_one_per_rep_period_kind"),
            models.CheckConstraint(condition=Q(retained_amount__gte=0), name="statement_retained_not_negative"),
            # a negative month is carried forward, never paid as a negative amount (SPEC §6)
            # (paid claw-backs from before carry-forward existed stay as they were paid)
            models.CheckConstraint(
                condition=Q(payable_amount__gte=0) | Q(status="paid"), name="statement_payable_not_negative"
            ),
            models.CheckConstraint(condition=Q(carried_forward__lte=0), name="statement_carried_not_positive"),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="statement_period_status"),
            models.Index(fields=["rep", "kind", "status", "period"], name="statement_rep_kind_status"),
            models.Index(fields=["status", "submitted_at"], name="statement_status_submitted"),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.period} · {self.get_kind_display()}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class StatementLine(models.Model):
    """One step of the computation, with the inputs it used: a rep can see why the figure is what it is."""

    class Step(models.TextChoices):
        CARRY_FORWARD = "carry_forward", _("carried forward")
        BASE = "base", _("base")
        GROSS = "gross", _("tiers")
        GATE = "gate", _("collection gate")
        DISTRIBUTION_GATE = "distribution_gate", _("distribution gate")
        SCORECARD = "scorecard", _("scorecard factor")
        EXPENSES = "expenses", _("over-budget expenses")
        SHORTFALL = "shortfall", _("visit shortfall")
        FALSE_REPORTS = "false_reports", _("false reports")
        FABRICATED = "fabricated", _("fabricated visits")
        ADJUSTMENT = "adjustment", _("adjustment")
        NET = "net", _("net")
        RETAINED = "retained", _("retained")
        RELEASE = "release", _("retention released")
        PAYABLE = "payable", _("payable")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    carried_from = models.ForeignKey(
        Statement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("carried from"),
        help_text=_("For a carry-forward line: the statement whose negative net it carries."),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    #: The sentence of a line written before texts were rendered from ``step`` and ``inputs``; empty since.
    description = models.CharField(_("description"), max_length=500, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        db_table = "kpi_statementline"
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement_id", "position"]
        constraints = [models.UniqueConstraint(fields=["statement", "position"], name="statement_line_position_once")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.amount}"

    @property
    def text(self) -> str:
        """What the line says, in the reader's language (rendered from its step, inputs and amount)."""
        if self.description:
            return self.description
        from commissions.services.line_texts import line_text

        return line_text(self.step, self.inputs, self.amount)


class Dispute(models.Model):
    """申诉: a rep disagrees with one line of a submitted or approved statement."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("dispute", "open")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", pgettext_lazy("dispute", "rejected")

    line = models.ForeignKey(StatementLine, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("line"))
    rep = rep_field("disputes")
    expected_amount = models.DecimalField(_("expected amount"), **MONEY)
    justification = models.TextField(_("justification"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = actor_field(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    adjustment_line = models.OneToOneField(
        StatementLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settles",
        verbose_name=_("adjustment line"),
        help_text=_("The line of the rep's next open statement that settles an accepted dispute."),
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    history = HistoricalRecords(table_name="kpi_historicaldispute")

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("accept", source=[Status.OPEN], target=Status.ACCEPTED, label=_("Accept")),
            Transition("reject", source=[Status.OPEN], target=Status.REJECTED, label=_("Reject")),
        ],
    )

    class Meta:
        db_table = "kpi_dispute"
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line"], condition=Q(status="open"), name="dispute_one_open_per_line"),
        ]
        indexes = [models.Index(fields=["rep", "status"], name="dispute_rep_status")]

    def __str__(self) -> str:
        return f"{self.line} · {self.get_status_display()}"
