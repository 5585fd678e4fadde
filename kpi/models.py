"""Periods, actuals (sales, collections, expenses), targets and scorecards (SPEC §5).

Facts are immutable rows: each has a ``reference`` unique per kind (an import can be re-run without
doubling), the ``rep`` it is attributed to at the time of the fact (by default the dealer's owner),
and a ``date`` in a period (``YYYY-MM``) that must be open when the fact is added.
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

from channelhub.fields import (
    MONEY,
    PERCENT_RANGE,
    ZERO,
    actor_field,
    period_field,
    person_name,
    rep_field,
    validate_year,
)
from channelhub.workflow.machine import StateMachine, Transition
from partners.models import Dealer, ProductLine, Territory

PERCENT = [MinValueValidator(ZERO), MaxValueValidator(Decimal("1000"))]


class Period(models.Model):
    """A calendar month in ``TIME_ZONE``. Rows are made on demand; a closed one refuses new facts."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    code = period_field(unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = actor_field(_("closed by"))

    #: A month is closed once (``commissions.services.closing.period_close`` checks that it is settled).
    workflow = StateMachine(
        field="status",
        transitions=[Transition("close", source=[Status.OPEN], target=Status.CLOSED, label=_("Close"))],
    )

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["-code"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Fact(models.Model):
    """What sales, collections and expenses share."""

    # No single-column index on dealer or rep: the (dealer, date) and (rep, date …) indexes of each kind
    # lead with them and serve every lookup by either (and the PROTECT checks); one index less per
    # column is a cheaper write of every fact (a 100,000-row import maintains each index 100,000 times).
    dealer = models.ForeignKey(
        Dealer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dealer"), db_index=False
    )
    rep = rep_field(
        "+", db_index=False, help_text=_("Who the fact counts for, as on its date (by default the dealer's owner).")
    )
    date = models.DateField(_("date"), validators=[validate_year])
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        unique=True,
        help_text=_("Unique per kind: an invoice, receipt or voucher number."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = actor_field(_("recorded by"))

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} · {self.amount}"


class SalesRecord(Fact):
    """A sale (invoice line); a negative amount is a credit note or a return."""

    category = models.ForeignKey(
        ProductLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    ship_to_territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipped to"),
        help_text=_("Where the goods went; empty means the dealer's own territory."),
    )
    channel_conflict = models.BooleanField(
        _("channel conflict"),
        default=False,
        editable=False,
        help_text=_("Shipped outside every territory of the dealer's signed agreements (窜货)."),
    )
    over_credit = models.BooleanField(
        _("over credit"),
        default=False,
        db_default=False,  # rows written outside the ORM (an import floor, the bench) are not over credit
        editable=False,
        help_text=_("Took the dealer's receivable above its credit limit when it was recorded (超信用额度)."),
    )

    class Meta(Fact.Meta):
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="sale_amount_not_zero"),
            models.CheckConstraint(condition=~Q(reference=""), name="sale_reference_not_empty"),
        ]
        indexes = [
            # covering (PostgreSQL): the sums by rep and month of the dashboards and runs read the index only
            models.Index(fields=["rep", "date"], include=["amount"], name="sale_rep_date_amount"),
            models.Index(fields=["dealer", "date"], name="sale_dealer_date"),
            models.Index(fields=["date"], include=["rep", "amount"], name="sale_date_rep_amount"),
            models.Index(fields=["channel_conflict", "date"], name="sale_conflict_date"),
        ]


class Collection(Fact):
    """回款: cash received from a dealer."""

    class Meta(Fact.Meta):
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_amount_positive"),
            models.CheckConstraint(condition=~Q(reference=""), name="collection_reference_not_empty"),
        ]
        indexes = [
            # covering (PostgreSQL): the sums by rep and month of the dashboards and runs read the index only
            models.Index(fields=["rep", "date"], include=["amount"], name="collection_rep_date_amount"),
            models.Index(fields=["dealer", "date"], name="collection_dealer_date"),
            models.Index(fields=["date"], include=["rep", "amount"], name="collection_date_rep_amount"),
        ]


class Expense(Fact):
    """费用: money spent on a dealer's business."""

    class Category(models.TextChoices):
        TRAVEL = "travel", _("travel")
        PROMOTION = "promotion", _("promotion")
        ADVERTISING = "advertising", _("advertising")
        ENTERTAINMENT = "entertainment", _("entertainment")
        SUBSIDY = "subsidy", _("subsidy")
        OTHER = "other", _("other")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)

    class Meta(Fact.Meta):
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=~Q(reference=""), name="expense_reference_not_empty"),
        ]
        indexes = [
            models.Index(fields=["rep", "date"], name="expense_rep_date"),
            models.Index(fields=["dealer", "date"], name="expense_dealer_date"),
            models.Index(fields=["date"], name="expense_date"),
        ]


# --- roll-ups: each month's sums of the facts, kept with them ---------------------------------------

#: Sums of many facts: wider than one fact's amount.
TOTAL = {"max_digits": 18, "decimal_places": 2, "default": ZERO}


class MonthTotals(models.Model):
    """A month's net sales (credit notes included), collections and expenses: a roll-up of the facts,
    written in the same transaction as the facts it sums (``kpi.services.rollups``) and rebuilt from them
    by ``manage.py rebuild_rollups``. ``month`` is the month's first day. Nobody edits it."""

    month = models.DateField(_("month"))
    net_sales = models.DecimalField(_("net sales"), **TOTAL)
    collections = models.DecimalField(_("collections"), **TOTAL)
    expenses = models.DecimalField(_("expenses"), **TOTAL)

    class Meta:
        abstract = True


class RepMonthTotal(MonthTotals):
    """A rep's month of facts (the runs, measures, scorecards and dashboards read it)."""

    rep = rep_field("+", on_delete=models.CASCADE, db_index=False)

    class Meta:
        verbose_name = _("rep's month of facts")
        verbose_name_plural = _("reps' months of facts")
        constraints = [models.UniqueConstraint(fields=["rep", "month"], name="rep_month_unique")]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.month:%Y-%m}"


class DealerMonthTotal(MonthTotals):
    """A dealer's month of facts, per rep they count for (the dealer page shows a manager only the team's)."""

    dealer = models.ForeignKey(
        Dealer, on_delete=models.CASCADE, related_name="+", verbose_name=_("dealer"), db_index=False
    )
    rep = rep_field("+", on_delete=models.CASCADE, db_index=False)

    class Meta:
        verbose_name = _("dealer's month of facts")
        verbose_name_plural = _("dealers' months of facts")
        constraints = [
            models.UniqueConstraint(fields=["dealer", "month", "rep"], name="dealer_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer} · {self.month:%Y-%m} · {person_name(self.rep)}"


# --- targets ---------------------------------------------------------------------------------------


class Target(models.Model):
    """目标责任书: a rep's targets for a month. Proposed (by the rep, or set by the manager),
    approved by the manager (who may change the figures), acknowledged by the rep."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("target", "proposed")
        APPROVED = "approved", pgettext_lazy("target", "approved")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("target", "acknowledged")

    rep = rep_field("targets")
    period = period_field()
    sales_target = models.DecimalField(_("sales target"), validators=[MinValueValidator(ZERO)], **MONEY)
    expense_rate_target = models.DecimalField(
        _("expense rate target (%)"), max_digits=7, decimal_places=2, validators=PERCENT, default=ZERO
    )
    collection_rate_target = models.DecimalField(
        _("collection rate target (%)"), max_digits=7, decimal_places=2, validators=PERCENT, default=ZERO
    )
    new_dealers_target = models.PositiveIntegerField(_("new dealers target"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    approved_by = actor_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("approve", source=[Status.PROPOSED], target=Status.APPROVED, label=_("Approve")),
            Transition("acknowledge", source=[Status.APPROVED], target=Status.ACKNOWLEDGED, label=_("Acknowledge")),
        ],
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-period", "rep_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "period"], name="target_one_per_rep_period"),
            models.CheckConstraint(condition=Q(sales_target__gte=0), name="target_sales_not_negative"),
            models.CheckConstraint(
                condition=Q(expense_rate_target__gte=0, collection_rate_target__gte=0),
                name="target_rates_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="target_period_status")]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.period}"


class TargetCategoryShare(models.Model):
    """An optional category-mix target: this product line's share (%) of the month's sales."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="category_shares")
    category = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, validators=PERCENT_RANGE)

    class Meta:
        verbose_name = _("category share target")
        verbose_name_plural = _("category share targets")
        constraints = [
            models.UniqueConstraint(fields=["target", "category"], name="target_category_once"),
            models.CheckConstraint(condition=Q(share__gte=0, share__lte=100), name="target_category_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.share}%"


# --- scorecards ------------------------------------------------------------------------------------


class Perspective(models.TextChoices):
    FINANCIAL = "financial", _("financial")
    CUSTOMER = "customer", _("customer")
    PROCESS = "process", _("internal process")
    LEARNING = "learning", _("learning and growth")


class Metric(models.TextChoices):
    SALES_ACHIEVEMENT = "sales_achievement", _("sales achievement (%)")
    EXPENSE_RATE = "expense_rate", _("expense rate (%)")
    COLLECTION_RATE = "collection_rate", _("collection rate (%)")
    CATEGORY_SHARE = "category_share", _("category share (%)")
    NEW_DEALERS = "new_dealers", _("new dealers activated")
    VISITS_COUNTED = "visits_counted", _("visits counted")
    VISIT_COMPLIANCE = "visit_compliance", _("visit compliance (%)")
    DISTINCT_DEALERS = "distinct_dealers", _("distinct dealers visited")
    TRAININGS = "trainings", _("trainings held")
    COMPLAINTS_LATE = "complaints_late", _("complaints handled late")
    MANUAL = "manual", _("manual assessment")


class Method(models.TextChoices):
    RATIO = "ratio", _("ratio")
    THRESHOLD = "threshold", _("threshold")
    DEDUCTION = "deduction", _("deduction")
    MANUAL = "manual", _("manual")


class ScorecardTemplate(models.Model):
    """A list of weighted items (weights sum to 100). MBO and BSC ship by migration."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def short_name(self) -> str:
        """``MBO``, ``BSC``: the shipped templates' abbreviation; others their name."""
        return {"mbo": "MBO", "bsc": "BSC"}.get(self.code, self.display_name)

    @property
    def display_name(self) -> str:
        """The shipped templates (MBO, BSC) by their name in the reader's language; others as named."""
        from kpi.scorecard_defaults import template_label

        return template_label(self.code, self.name)


class ScorecardTemplateItem(models.Model):
    template = models.ForeignKey(
        ScorecardTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Empty: the metric's name, in the reader's language.")
    )
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    target = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the rep's own target of the month (sales 100 %, expense and collection rates)."),
    )
    cap = models.DecimalField(_("cap"), max_digits=5, decimal_places=2, default=Decimal("1.20"))
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    points = models.DecimalField(_("points per occurrence"), max_digits=6, decimal_places=2, null=True, blank=True)
    category = models.ForeignKey(
        ProductLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("For the category-share metric."),
    )

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["template_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="scorecard_item_weight_range"),
            models.CheckConstraint(condition=Q(cap__gte=1), name="scorecard_item_cap_at_least_one"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label an admin gave the item, else the name of its metric in the reader's language."""
        from kpi.scorecard_defaults import item_label

        return self.label or item_label(self.metric)


class Scorecard(models.Model):
    """A rep's scorecard for a month on a template: ``draft`` until the manager confirms it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CONFIRMED = "confirmed", _("confirmed")

    rep = rep_field("scorecards")
    period = period_field()
    template = models.ForeignKey(
        ScorecardTemplate, on_delete=models.PROTECT, related_name="scorecards", verbose_name=_("template")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("total score"), max_digits=7, decimal_places=2, default=ZERO)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    confirmed_by = actor_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    history = HistoricalRecords()

    workflow = StateMachine(
        field="status",
        transitions=[Transition("confirm", source=[Status.DRAFT], target=Status.CONFIRMED, label=_("Confirm"))],
    )

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-period", "rep_id", "template_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "period", "template"], name="scorecard_one_per_rep_period_template"),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.rep)} · {self.period} · {self.template}"


class ScorecardLine(models.Model):
    """One item of a scorecard as computed: actual, target, score, weight, weighted score."""

    #: What a line shows of its item's month, in the order the admin and the API show it.
    FIGURES = ("actual", "target", "score", "weight", "weighted_score", "self_score", "manager_score", "explanation")

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ScorecardTemplateItem, on_delete=models.PROTECT, related_name="+")
    actual = models.DecimalField(_("actual"), max_digits=16, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=ZERO)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    weighted_score = models.DecimalField(_("weighted score"), max_digits=7, decimal_places=2, default=ZERO)
    self_score = models.DecimalField(
        _("self-evaluation"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_RANGE
    )
    manager_score = models.DecimalField(
        _("manager's score"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_RANGE
    )
    #: The explanation of a line scored before explanations were rendered from ``facts``; empty since.
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)
    facts = models.JSONField(_("facts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        ordering = ["scorecard_id", "item__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "item"], name="scorecard_line_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="scorecard_line_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"

    @property
    def explanation_text(self) -> str:
        """How the line's figures came about, in the reader's language."""
        if self.explanation:
            return self.explanation
        from kpi.services.scorecard_texts import explanation

        return explanation(self.facts)


__all__ = [
    "Collection",
    "Expense",
    "Metric",
    "Method",
    "Period",
    "Perspective",
    "SalesRecord",
    "Scorecard",
    "ScorecardLine",
    "ScorecardTemplate",
    "ScorecardTemplateItem",
    "Target",
    "TargetCategoryShare",
]
