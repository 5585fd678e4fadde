"""Territories, dealers and their life cycle, qualification reviews and agreements (SPEC §3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from channelhub.fields import MONEY, ZERO, actor_field, unique_messages, validate_year
from channelhub.workflow.machine import StateMachine, Transition


class Territory(models.Model):
    """A node of the territory tree. ``path`` is the materialised path of codes (``/CN/EAST/SH/``):
    a subtree is ``path LIKE '/CN/EAST/%'`` — one indexed query, no recursion."""

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("country")
        REGION = 1, _("region")
        PROVINCE = 2, _("province")
        CITY = 3, _("city")
        DISTRICT = 4, _("district")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    # unique=True also gives PostgreSQL a varchar_pattern_ops index, which serves the prefix match.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=4), name="territory_level_range"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=0) | Q(parent__isnull=False, level__gt=0),
                name="territory_root_is_country",
            ),
        ]

    unique_error_message = unique_messages(code=_("A territory with the code %(value)s already exists."))

    def __str__(self) -> str:
        return self.name

    def ancestor_paths(self) -> list[str]:
        """The paths of this node and of all its ancestors, root first (from ``path``, no query)."""
        codes = self.path.strip("/").split("/")
        return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


class ProductLine(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["code"]

    unique_error_message = unique_messages(code=_("A product line with the code %(value)s already exists."))

    def __str__(self) -> str:
        return self.name


class Dealer(models.Model):
    class Kind(models.TextChoices):
        DISTRIBUTOR = "distributor", _("distributor")
        DEALER = "dealer", _("dealer")
        AGENT = "agent", _("agent")
        FRANCHISEE = "franchisee", _("franchisee")
        RETAIL_TERMINAL = "retail_terminal", _("retail terminal")

    class Tier(models.TextChoices):
        STRATEGIC = "strategic", _("strategic")
        KEY = "key", _("key")
        STANDARD = "standard", _("standard")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("prospect")
        UNDER_REVIEW = "under_review", _("under review")
        QUALIFIED = "qualified", _("qualified")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        TERMINATED = "terminated", _("terminated")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEALER)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="dealers", verbose_name=_("territory")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_dealers",
        verbose_name=_("owner"),
        help_text=_("The field rep who looks after this dealer."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_dealers",
        verbose_name=_("buys from"),
        help_text=_("The distributor this dealer buys from."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    credit_limit = models.DecimalField(_("credit limit"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY)
    is_key_account = models.BooleanField(
        _("key account"),
        default=False,
        help_text=_("One of the few terminals that make most of the sales (the 80/20 rule)."),
    )
    key_account_pinned = models.BooleanField(
        _("key account set by hand"),
        default=False,
        db_default=False,
        help_text=_("The quarterly 80/20 pass leaves this terminal's key account flag as it is."),
    )
    product_lines = models.ManyToManyField(
        ProductLine, blank=True, related_name="dealers", verbose_name=_("product lines")
    )
    #: Lower-case code, names and the pinyin of Chinese names, for ``q`` (see ``partners.search``).
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[product_lines], excluded_fields=["search_text", "updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition(
                "submit_review", source=[Status.PROSPECT], target=Status.UNDER_REVIEW, label=_("Submit for review")
            ),
            Transition(
                "approve_qualification",
                source=[Status.UNDER_REVIEW],
                target=Status.QUALIFIED,
                label=_("Approve qualification"),
            ),
            Transition(
                "reject_qualification",
                source=[Status.UNDER_REVIEW],
                target=Status.PROSPECT,
                label=_("Reject qualification"),
            ),
            Transition("activate", source=[Status.QUALIFIED], target=Status.ACTIVE, label=_("Activate")),
            Transition("suspend", source=[Status.ACTIVE], target=Status.SUSPENDED, label=_("Suspend")),
            Transition("reactivate", source=[Status.SUSPENDED], target=Status.ACTIVE, label=_("Reactivate")),
            Transition(
                "terminate",
                source=[Status.PROSPECT, Status.UNDER_REVIEW, Status.QUALIFIED, Status.ACTIVE, Status.SUSPENDED],
                target=Status.TERMINATED,
                label=_("Terminate"),
            ),
        ],
    )

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["status", "code"], name="dealer_status_code"),
            models.Index(fields=["owner", "code"], name="dealer_owner_code"),
            models.Index(fields=["kind"], name="dealer_kind"),
            models.Index(fields=["tier"], name="dealer_tier"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="dealer_credit_limit_not_negative"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="dealer_not_own_parent"),
        ]

    unique_error_message = unique_messages(code=_("A dealer with the code %(value)s already exists."))

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DealerContact(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("dealer"))
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]

    def __str__(self) -> str:
        return self.name


class QualificationReview(models.Model):
    """资质审核: a weighted checklist submitted with a dealer, decided by finance."""

    class Criterion(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("business licence")
        FINANCIAL_STANDING = "financial_standing", _("financial standing")
        SALES_NETWORK = "sales_network", _("sales network")
        WAREHOUSE = "warehouse", _("warehouse")
        REFERENCES = "references", _("references")

    class Decision(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("dealer"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    total_score = models.DecimalField(_("total score"), max_digits=5, decimal_places=2)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = actor_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    credit_limit = models.DecimalField(_("credit limit"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("qualification review")
        verbose_name_plural = _("qualification reviews")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_score__gte=0, total_score__lte=100), name="review_total_range"),
            # At most one review waits for a decision per dealer.
            models.UniqueConstraint(fields=["dealer"], condition=Q(decision="pending"), name="review_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer} · {self.total_score}"


class QualificationReviewItem(models.Model):
    review = models.ForeignKey(QualificationReview, on_delete=models.CASCADE, related_name="items")
    criterion = models.CharField(_("criterion"), max_length=32, choices=QualificationReview.Criterion.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_item_criterion_once"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="review_item_weight_range"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="review_item_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score} × {self.weight}%"


def validate_min_prices(value) -> None:
    """``{"<product line code>": "12.50"}``: amounts of at most two decimals, not negative."""
    if not isinstance(value, dict):
        raise ValidationError(_("Enter the minimum prices as product line code → amount."), code="invalid")
    for code, amount in value.items():
        try:
            price = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            price = None
        if price is None or not price.is_finite() or price < 0 or price.as_tuple().exponent < -2:
            raise ValidationError(
                _("The minimum price of %(line)s must be an amount of at most two decimals, not negative."),
                code="invalid",
                params={"line": code},
            )


class Agreement(models.Model):
    """经销协议. ``expired`` is not a stored state: a signed agreement whose ``end_date`` has passed."""

    class Kind(models.TextChoices):
        ANNUAL_DISTRIBUTION = "annual_distribution", _("annual distribution agreement")
        FRANCHISE = "franchise", _("franchise agreement")
        AGENCY = "agency", _("agency agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        SIGNED = "signed", _("signed")
        TERMINATED = "terminated", _("terminated")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("dealer"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.ANNUAL_DISTRIBUTION)
    start_date = models.DateField(_("start date"), validators=[validate_year])
    end_date = models.DateField(_("end date"), validators=[validate_year])
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("territory")
    )
    exclusive = models.BooleanField(_("exclusive"), default=False)
    product_lines = models.ManyToManyField(
        ProductLine, blank=True, related_name="agreements", verbose_name=_("product lines")
    )
    annual_sales_target = models.DecimalField(
        _("annual sales target"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    rebate_program = models.ForeignKey(
        "rebates.RebateProgram",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("rebate program"),
        help_text=_("The rebate policy of the agreement's commercial terms; empty: no rebate."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    #: The lowest shelf price per product line (code → amount as text, "12.50"), checked by price items of
    #: inspections (SPEC §17): an observed price below it is a ``price_violation`` (乱价).
    min_prices = models.JSONField(
        _("minimum prices"), default=dict, db_default={}, blank=True, validators=[validate_min_prices]
    )
    deposit_amount = models.DecimalField(
        _("credit deposit"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    deposit_received_on = models.DateField(_("deposit received on"), null=True, blank=True, validators=[validate_year])
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("renews"),
        help_text=_("The agreement this one renews."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[product_lines], excluded_fields=["updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("submit", source=[Status.DRAFT], target=Status.PENDING_APPROVAL, label=_("Submit")),
            Transition("sign", source=[Status.PENDING_APPROVAL], target=Status.SIGNED, label=_("Sign")),
            Transition(
                "terminate",
                source=[Status.DRAFT, Status.PENDING_APPROVAL, Status.SIGNED],
                target=Status.TERMINATED,
                label=_("Terminate"),
            ),
        ],
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["status", "end_date"], name="agreement_status_end"),
            models.Index(fields=["dealer", "start_date"], name="agreement_dealer_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="agreement_dates_in_order"),
            models.CheckConstraint(
                condition=Q(annual_sales_target__gte=0, deposit_amount__gte=0), name="agreement_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return _("Agreement #%(number)s") % {"number": self.pk}

    def is_expired(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.SIGNED and self.end_date < today

    @property
    def display_status(self) -> str:
        return str(_("expired")) if self.is_expired() else self.get_status_display()
