"""Dealer stock (SPEC §16): the monthly purchase–sales–stock report (进销存月报) of a dealer, one row per
dealer, month and product line, in quantities and in amounts at cost.

* ``closing = opening + received − sold + adjustment`` (quantities and amounts alike), and the opening is the
  closing of the line's previous report; ``inventory.services.reports`` refuses anything else with the
  line and the expected figure.
* The derived figures are stored with the report when it is written (``days_of_stock``, the flags,
  ``expected_received_amount`` and ``receipt_mismatch``), so the stock health list reads rows, never recomputes.
* Life cycle ``submitted → confirmed | returned``; a returned report is corrected and ``submitted`` again.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from channelhub.fields import MONEY, ZERO, actor_field, period_field
from channelhub.workflow.machine import StateMachine, Transition
from partners.models import Dealer, ProductLine

QUANTITY = {"max_digits": 14, "decimal_places": 2}


class StockReport(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        CONFIRMED = "confirmed", _("confirmed")
        RETURNED = "returned", _("returned")

    class AdjustmentReason(models.TextChoices):
        STOCKTAKE = "stocktake", _("stocktake difference")
        DAMAGED = "damaged", _("damaged")
        EXPIRED = "expired", _("expired")
        RETURNED_TO_SUPPLIER = "returned_to_supplier", _("returned to the supplier")
        TRANSFER = "transfer", _("transfer between warehouses")
        SAMPLES = "samples", _("samples and display")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        FORM = "form", _("form")
        API = "api", _("API")
        IMPORT = "import", _("import")

    dealer = models.ForeignKey(Dealer, on_delete=models.PROTECT, related_name="stock_reports", verbose_name=_("dealer"))
    period = period_field()
    product_line = models.ForeignKey(
        ProductLine, on_delete=models.PROTECT, related_name="stock_reports", verbose_name=_("product line")
    )
    opening_qty = models.DecimalField(_("opening quantity"), validators=[MinValueValidator(ZERO)], **QUANTITY)
    received_qty = models.DecimalField(_("received quantity"), validators=[MinValueValidator(ZERO)], **QUANTITY)
    sold_qty = models.DecimalField(_("sold quantity"), validators=[MinValueValidator(ZERO)], **QUANTITY)
    adjustment_qty = models.DecimalField(_("adjustment quantity"), default=ZERO, **QUANTITY)
    closing_qty = models.DecimalField(_("closing quantity"), validators=[MinValueValidator(ZERO)], **QUANTITY)
    opening_amount = models.DecimalField(_("opening amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    received_amount = models.DecimalField(_("received amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    sold_amount = models.DecimalField(_("sold amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    adjustment_amount = models.DecimalField(_("adjustment amount"), default=ZERO, **MONEY)
    closing_amount = models.DecimalField(_("closing amount"), validators=[MinValueValidator(ZERO)], **MONEY)
    adjustment_reason = models.CharField(
        _("adjustment reason"), max_length=24, choices=AdjustmentReason.choices, blank=True
    )
    adjustment_note = models.CharField(_("adjustment note"), max_length=300, blank=True)

    #: Our net sales to the dealer for the line and month when the report was written (``kpi`` facts); empty
    #: for a dealer that buys through its parent (a sub-dealer or terminal), whose receipts are not ours.
    expected_received_amount = models.DecimalField(_("our net sales"), null=True, blank=True, **MONEY)
    receipt_mismatch = models.BooleanField(_("receipt mismatch"), default=False)
    #: closing ÷ average daily sell-out over the last three months; empty when nothing was sold.
    days_of_stock = models.DecimalField(_("days of stock"), max_digits=10, decimal_places=1, null=True, blank=True)
    overstock = models.BooleanField(_("overstock"), default=False)
    stockout = models.BooleanField(_("stockout"), default=False)
    slow_moving = models.BooleanField(_("slow moving"), default=False)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.FORM)
    submitted_by = actor_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    confirmed_by = actor_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    workflow = StateMachine(
        field="status",
        transitions=[
            Transition("confirm", source=[Status.SUBMITTED], target=Status.CONFIRMED, label=_("Confirm")),
            Transition("return", source=[Status.SUBMITTED], target=Status.RETURNED, label=_("Return")),
            Transition("resubmit", source=[Status.RETURNED], target=Status.SUBMITTED, label=_("Submit again")),
        ],
    )

    class Meta:
        verbose_name = _("stock report")
        verbose_name_plural = _("stock reports")
        ordering = ["-period", "dealer_id", "product_line_id"]
        # The balance (closing = opening + received − sold + adjustment) is the services' rule, not a CHECK: SQLite
        # compares decimals as floating point, where 2700 + 135997.8 − 116250 need not equal 22447.8.
        constraints = [
            models.UniqueConstraint(fields=["dealer", "period", "product_line"], name="stock_report_one_per_line"),
            models.CheckConstraint(
                condition=Q(
                    opening_qty__gte=0,
                    received_qty__gte=0,
                    sold_qty__gte=0,
                    closing_qty__gte=0,
                    opening_amount__gte=0,
                    received_amount__gte=0,
                    sold_amount__gte=0,
                    closing_amount__gte=0,
                ),
                name="stock_report_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="stock_report_period_status"),
            models.Index(fields=["dealer", "product_line", "period"], name="stock_report_dealer_line"),
        ]

    def __str__(self) -> str:
        return f"{self.dealer_id} {self.period} {self.product_line_id}"

    @property
    def flagged(self) -> bool:
        return self.receipt_mismatch or self.overstock or self.stockout or self.slow_moving
