"""Template filters for figures, all through ``channelhub.formatting`` (one formatter for money):
``{{ amount|money }}`` → ``¥1,234.50`` (``|money:0`` → ``¥1,235``), ``{{ rate|percent }}`` → ``12.50 %``,
``{{ amount|amount }}`` → ``1,234.50`` (where a column's header names the currency), ``{{ metres|distance }}`` →
``2.1 km``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from channelhub import formatting

register = template.Library()


@register.filter
def money(value, places=2):
    if places in (0, "0"):
        number = formatting.as_decimal(value)
        if number is None:
            return "—"
        whole = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        sign = "-" if whole < 0 else ""
        return f"{sign}{formatting.currency_symbol()}{abs(whole):,.0f}"
    return formatting.money(value)


@register.filter
def amount(value):
    return formatting.amount(value)


@register.filter
def percent(value):
    return formatting.percent(value)


@register.filter
def distance(metres):
    return formatting.distance(metres)
