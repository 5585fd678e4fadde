"""Money reads as money: ¥ and thousands separators in Chinese as in English, from one
formatter — cards, tables, lines, charts and XLSX files (numbers with a number format)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

from channelhub.exports import money_format
from channelhub.formatting import amount, money, percent
from commissions.models import Statement
from tests.commissions.statement_world import make_statement

LANGUAGES = ["zh-hans", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234567.5"), "¥1,234,567.50"),
        (Decimal("-400"), "-¥400.00"),
        (Decimal("0.005"), "¥0.01"),  # half up, as the statements round
        (Decimal("-0.004"), "¥0.00"),  # no "-¥0.00"
        ("3690.00", "¥3,690.00"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
    ],
)
def test_money_has_the_symbol_and_separators_in_both_languages(language, value, shown):
    with translation.override(language):
        assert money(value) == shown


def test_amounts_and_rates():
    assert amount(Decimal("1234.5")) == "1,234.50"
    assert percent(Decimal("79.999")) == "79.999 %"  # the decimals a threshold needs are kept
    assert percent(Decimal("12.5")) == "12.50 %"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_template_filters_and_the_format_modules_group_in_both_languages(language):
    template = Template(
        "{% load figures %}{{ v|money }} {{ v|money:0 }} {{ v|amount }} {{ r|percent }} {{ v|floatformat:'2g' }}"
    )
    with translation.override(language):
        shown = template.render(Context({"v": Decimal("1234567.891"), "r": Decimal("85")}))
        assert shown == "¥1,234,567.89 ¥1,234,568 1,234,567.89 85.00 % 1,234,567.89"
        # Django's own number format follows our format modules (its zh_Hans leaves the separator out)
        assert formats.number_format(Decimal("1234567.5"), 2, use_l10n=True, force_grouping=True) == "1,234,567.50"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_statement_page_shows_money_as_money(client_as, manager, rep, language):
    statement = make_statement(rep, period="2031-07")
    client = client_as(manager)
    client.cookies["django_language"] = language
    body = client.get(reverse("commissions:statement-detail", args=[statement.pk])).content.decode()
    assert 'data-figure="base">¥100,000.00<' in body
    assert 'data-figure="payable">¥3,690.00<' in body
    assert 'data-currency-symbol="¥"' in body  # what the charts' tooltips and ticks use (figures.js)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_xlsx_export_keeps_numbers_with_the_money_format(client_as, manager, finance, rep, language):
    make_statement(rep, period="2031-07", status=Statement.Status.APPROVED, submitted_by=manager, approved_by=finance)
    client = client_as(finance)
    client.cookies["django_language"] = language
    response = client.get(
        reverse("commissions:payout-export"), {"period": "2031-07", "format": "xlsx", "status": "approved"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    numbers = [
        cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, Decimal | float | int)
    ]
    assert numbers, "no number cells"
    payable = [cell for cell in numbers if cell.value == Decimal("3690.00") or cell.value == 3690]
    assert payable and {cell.number_format for cell in payable} == {money_format()} == {'"¥"#,##0.00'}
