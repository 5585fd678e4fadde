"""How figures read, in every language: one place for money and rates (STYLE: "money has one formatter").

* ``money(1234.5)`` → ``¥1,234.50``; ``money(-80)`` → ``-¥80.00``; ``money(None)`` → ``—``. The symbol is the
  deployment's currency (``CURRENCY``: CNY ¥, USD $, EUR €, others their code); thousands separated by
  commas and two decimals in Chinese as in English (how finance in China writes amounts too).
* ``amount(1234.5)`` → ``1,234.50``: the same without the symbol (table cells under a "¥" header).
* ``percent(Decimal("79.999"))`` → ``79.999 %``: two decimals, or the decimals the figure has.

Templates use the filters ``money``, ``amount`` and ``percent`` (``channelhub.templatetags.figures``); XLSX
cells are numbers with the ``"¥"#,##0.00`` format (``channelhub.exports.money_format``); charts' tooltips format with the
symbol and separators that ``currency_format`` gives the page.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings

CENT = Decimal("0.01")
SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


def round_cent(value: Any) -> Decimal:
    """``value`` to 0.01, half up (2/3 × 100 = 66.666… → 66.67; 0.125 → 0.13): how every amount is kept."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def currency_symbol() -> str:
    code = getattr(settings, "CURRENCY", "CNY")
    return SYMBOLS.get(code, f"{code} ")


def as_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or its text (the figures stored in JSON), else None."""
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def amount(value: Any) -> str:
    """``1,234.50`` (two decimals, half up, grouped); ``—`` for nothing."""
    number = as_decimal(value)
    if number is None:
        return "—"
    return f"{number.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def money(value: Any) -> str:
    """``¥1,234.50``, ``-¥80.00``; ``—`` for nothing."""
    number = as_decimal(value)
    if number is None:
        return "—"
    text = amount(abs(number))
    sign = "-" if number.quantize(CENT, rounding=ROUND_HALF_UP) < 0 else ""
    return f"{sign}{currency_symbol()}{text}"


def percent(value: Any) -> str:
    """``12.50 %``; a figure with more decimals keeps them (``79.999 %``); ``—`` for nothing."""
    number = as_decimal(value)
    if number is None:
        return "—"
    exponent = number.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{number:,.{places}f} %"


def distance(metres: Any) -> str:
    """A distance for people: ``850 m``, ``2.1 km``, ``180.7 km``; ``—`` for nothing."""
    number = as_decimal(metres)
    if number is None:
        return "—"
    if number < 1000:
        return f"{number:.0f} m"
    return f"{number / 1000:.1f} km"
