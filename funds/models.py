"""Channel funds (SPEC §14): budgets, requests (费用申请), claims (核销), the deposit ledger (信誉保证金) and
promotional materials (物料).

A budget's ``committed`` and ``spent`` are not stored: they are the sums of the requests charged to it
(``funds.selectors.budget_figures``). A request is charged to its budget when finance approves it; from then
on it is committed at its ``approved_amount`` until its claim is settled, after which it counts as spent at
its ``settled_amount`` — the unspent part is released by the settlement itself.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from channelhub.fields import MONEY, ZERO, actor_field, validate_year
from channelhub.workflow.machine import StateMachine, Transition
from partners.models import Dealer, Territory

POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]
#: A cost ratio (费销比) in per cent.
RATIO_RANGE = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))]


class Category(models.TextChoices):
    PROMOTION = "promotion", _("promotion")
    ADVERTISING = "advertising", _("advertising")
    DECORATION = "decoration", _("shop decoration")
    RENT_SUBSIDY = "rent_subsidy", _("rent subsidy")
    MATERIALS = "materials", _("promotional materials")
    TRAINING = "training", _("training")


class FundBudget(models.Model):
    """Money a territory may spend on one category in a year or one quarter of it. Set by finance."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="fund_budgets", verbose_name=_("territory")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1900), MaxValueValidator(2999)])
    quarter = models.PositiveSmallIntegerField(
        _("quarter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1–4; empty for the whole year."),
    )
    amount = models.DecimalField(_("amount"), validators=POSITIVE_MONEY, **MONEY)
    max_cost_ratio = models.DecimalField(
        _("maximum cost ratio (%)"),
        max_digits=5,
        decimal_places=2,
        validators=RATIO_RANGE,
        help_text=_("费销比: a request may cost at most this share of its expected sales."),
    )
    created_by = actor_field(_("set by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("fund budget")
        verbose_name_plural = _("fund budgets")
        ordering = ["-year", "quarter", "territory__path", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "category", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="fundbudget_once_per_quarter",
                violation_error_message=_("This territory already has a budget for this category and quarter."),
            ),
            models.UniqueConstraint(
                fields=["territory", "category", "year"],
                condition=Q(quarter__isnull=True),
                name="fundbudget_once_per_year",
                violation_error_message=_("This territory already has a budget for this category and year."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fundbudget_amount_positive"),
            models.CheckConstraint(
                condition=Q(max_cost_ratio__gt=0, max_cost_ratio__lte=100), name="fundbudget_ratio_range"
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4), name="fundbudget_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.territory.name} · {self.get_category_display()} · {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)


class FundRequest(models.Model):
    """费用申请: money asked for an activity with a dealer, approved by the dealer's manager and by finance."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        MANAGER_APPROVED = "manager_approved", _("approved by the manager")
        APPROVED = "approved", _("approved")
        CLAIMED = "claimed", _("claimed")
        SETTLED = "settled", _("settled")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    #: Requests whose amount is charged to their budget (committed, then spent).
    CHARGED = (Status.APPROVED, Status.CLAIMED, Status.SETTLED)
    #: Requests still in play (for the split check): neither refused nor withdrawn.
    LIVE = (Status.DRAFT, Status.SUBMITTED, Status.MANAGER_APPROVED, Status.APPROVED, Status.CLAIMED, Status.SETTLED)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="fund_requests", verbose_name=_("dealer"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(pgettext_lazy("a fund request's name", "title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"), validators=[validate_year])
    end_date = models.DateField(_("end date"), validators=[validate_year])
    requested_amount = models.DecimalField(_("requested amount"), validators=POSITIVE_MONEY, **MONEY)
    expected_sales = models.DecimalField(
        _("expected sales"), validators=[MinValueValidator(ZERO)], help_text=_("预期销售额"), **MONEY
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    budget = models.ForeignKey(
        FundBudget,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("budget"),
        help_text=_("The budget the request is charged to, fixed when finance approves it."),
    )
    approved_amount = models.DecimalField(_("approved amount"), null=True, blank=True, **MONEY)
    settled_amount = models.DecimalField(_("settled amount"), null=True, blank=True, **MONEY)
    possible_split = models.BooleanField(
        _("possible split"),
        default=False,
        editable=False,
        help_text=_("拆单: another request for the same dealer and category overlaps its dates."),
    )
    submitted_by = actor_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    manager_approved_by = actor_field(pgettext_lazy("the person who", "approved by the manager"))
    approved_by = actor_field(_("approved by finance"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.DRAFT], target=Status.SUBMITTED, label=_("Submit")),
            Transition(
                "manager_approve",
                source=[Status.SUBMITTED],
                target=Status.MANAGER_APPROVED,
                label=_("Approve (manager)"),
            ),
            Transition(
                "approve", source=[Status.MANAGER_APPROVED], target=Status.APPROVED, label=_("Approve (finance)")
            ),
            Transition(
                "reject", source=[Status.SUBMITTED, Status.MANAGER_APPROVED], target=Status.REJECTED, label=_("Reject")
            ),
            Transition(
                "cancel",
                source=[Status.DRAFT, Status.SUBMITTED, Status.MANAGER_APPROVED, Status.APPROVED],
                target=Status.CANCELLED,
                label=_("Cancel"),
            ),
            Transition("claim", source=[Status.APPROVED], target=Status.CLAIMED, label=_("Claim")),
            Transition("settle", source=[Status.CLAIMED], target=Status.SETTLED, label=_("Settle")),
        ],
    )

    class Meta:
        verbose_name = _("fund request")
        verbose_name_plural = _("fund requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="fundrequest_status_created"),
            models.Index(fields=["dealer", "category", "start_date"], name="fundrequest_dealer_cat_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="fundrequest_dates_order"),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="fundrequest_amount_positive"),
            models.CheckConstraint(condition=Q(expected_sales__gte=0), name="fundrequest_sales_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number or _("new fund request")

    @property
    def is_charged(self) -> bool:
        return self.status in self.CHARGED


class FundClaim(models.Model):
    """核销: what an approved request really cost and sold, with its evidence; checked, then settled."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the check")
        MET = "met", _("evidence met")
        NOT_MET = "not_met", _("evidence not met")
        SETTLED = "settled", _("settled")

    request = models.OneToOneField(
        FundRequest, on_delete=models.PROTECT, related_name="claim", verbose_name=_("fund request")
    )
    actual_amount = models.DecimalField(_("actual amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    actual_sales = models.DecimalField(_("actual sales"), validators=[MinValueValidator(ZERO)], **MONEY)
    note = models.TextField(_("note"), blank=True)
    visits = models.ManyToManyField("visits.Visit", blank=True, related_name="fund_claims", verbose_name=_("visits"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("claimed by")
    )
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    check_reason = models.TextField(_("checker's reason"), blank=True)
    checked_by = actor_field(_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    settled_amount = models.DecimalField(_("settled amount"), null=True, blank=True, **MONEY)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    settled_by = actor_field(_("settled by"))
    expense = models.OneToOneField(
        "kpi.Expense",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_claim",
        verbose_name=_("expense"),
    )
    # anti-fabrication flags of its photos (SPEC §13), kept for the checker
    photo_time_mismatch = models.BooleanField(_("photo time mismatch"), default=False, editable=False)
    photo_far = models.BooleanField(_("photo far from the dealer"), default=False, editable=False)
    photo_reused = models.BooleanField(_("photo reused"), default=False, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[visits])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("check_met", source=[Status.OPEN], target=Status.MET, label=_("Evidence met")),
            Transition("check_not_met", source=[Status.OPEN], target=Status.NOT_MET, label=_("Evidence not met")),
            Transition("settle", source=[Status.MET, Status.NOT_MET], target=Status.SETTLED, label=_("Settle")),
        ],
    )

    class Meta:
        verbose_name = _("fund claim")
        verbose_name_plural = _("fund claims")
        ordering = ["-claimed_at", "-id"]
        indexes = [models.Index(fields=["status", "claimed_at"], name="fundclaim_status_claimed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_amount__gte=0, actual_sales__gte=0), name="fundclaim_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Claim of %(number)s") % {"number": self.request.number})


class DepositEntry(models.Model):
    """One movement of a dealer's credit deposit (信誉保证金). Entries are never changed."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        DEDUCTED = "deducted", _("deducted")
        REFUNDED = "refunded", _("refunded")

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="deposit_entries", verbose_name=_("dealer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), validators=POSITIVE_MONEY, **MONEY)
    date = models.DateField(_("date"), validators=[validate_year])
    agreement = models.ForeignKey(
        "partners.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deposit_entries",
        verbose_name=_("agreement"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = actor_field(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deposit entry")
        verbose_name_plural = _("deposit entries")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["dealer", "date"], name="depositentry_dealer_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="depositentry_amount_positive"),
            # an agreement's deposit is received once; a dealer's deposit is refunded once
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(kind="received"), name="depositentry_received_once"
            ),
            models.UniqueConstraint(fields=["dealer"], condition=Q(kind="refunded"), name="depositentry_refunded_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer.code} · {self.get_kind_display()} · {self.amount}"


class DepositRefund(models.Model):
    """保证金清退: the refund of a terminated dealer's deposit, proposed by the manager, approved by finance."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="deposit_refunds", verbose_name=_("dealer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    balance = models.DecimalField(_("deposit balance"), **MONEY)
    open_receivable = models.DecimalField(_("open receivable"), default=ZERO, **MONEY)
    amount = models.DecimalField(_("refund"), **MONEY)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    entry = models.OneToOneField(
        DepositEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="refund", verbose_name=_("entry")
    )

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("approve", source=[Status.PROPOSED], target=Status.APPROVED, label=_("Approve the refund")),
            Transition("reject", source=[Status.PROPOSED], target=Status.REJECTED, label=_("Reject the refund")),
        ],
    )

    class Meta:
        verbose_name = _("deposit refund")
        verbose_name_plural = _("deposit refunds")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # never twice: one refund in play (proposed or approved) per dealer
            models.UniqueConstraint(
                fields=["dealer"], condition=~Q(status="rejected"), name="depositrefund_once_per_dealer"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="depositrefund_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer.code} · {self.amount}"


class Material(models.Model):
    """物料: a promotional item handed to dealers (a poster, a shelf, a display stand)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("piece, set, box …"))
    unit_cost = models.DecimalField(_("unit cost"), validators=[MinValueValidator(ZERO)], **MONEY)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(unit_cost__gte=0), name="material_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


QUANTITY = {"max_digits": 12, "decimal_places": 2}


class MaterialIssue(models.Model):
    """Materials handed to a dealer (on a fund request, or on their own)."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="material_issues", verbose_name=_("dealer")
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="issues", verbose_name=_("material"))
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.01"))], **QUANTITY)
    date = models.DateField(_("date"), validators=[validate_year])
    request = models.ForeignKey(
        FundRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="material_issues",
        verbose_name=_("fund request"),
    )
    issued_by = actor_field(_("issued by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material issue")
        verbose_name_plural = _("material issues")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["dealer", "material", "date"], name="materialissue_dealer_mat_date")]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="materialissue_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.dealer.code} · {self.material.code} × {self.quantity}"


class MaterialCount(models.Model):
    """盘点: what a dealer still holds of a material, and what it reports as used, on a date.

    ``variance`` = issued up to the date − reported used − counted; ``variance_flagged`` when it is beyond
    5 % of what was issued (``funds.policies.MATERIAL_VARIANCE_LIMIT``). Both are computed when the count
    is recorded."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="material_counts", verbose_name=_("dealer")
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="counts", verbose_name=_("material"))
    date = models.DateField(_("date"), validators=[validate_year])
    counted_quantity = models.DecimalField(_("counted"), validators=[MinValueValidator(ZERO)], **QUANTITY)
    used_quantity = models.DecimalField(
        _("reported used"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("Everything the dealer reports as used up to the date."),
        **QUANTITY,
    )
    issued_quantity = models.DecimalField(_("issued up to the date"), editable=False, **QUANTITY)
    variance = models.DecimalField(_("variance"), editable=False, **QUANTITY)
    variance_flagged = models.BooleanField(_("variance beyond 5 %"), default=False, editable=False)
    counted_by = actor_field(_("counted by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material count")
        verbose_name_plural = _("material counts")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["dealer", "material", "date"], name="materialcount_dealer_mat_date"),
            models.Index(fields=["variance_flagged", "date"], name="materialcount_flagged_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "material", "date"], name="materialcount_once_a_day"),
            models.CheckConstraint(
                condition=Q(counted_quantity__gte=0, used_quantity__gte=0), name="materialcount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dealer.code} · {self.material.code} · {self.date}"
